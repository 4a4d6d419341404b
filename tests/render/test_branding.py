"""Branding from handoutkit.yaml: the logo (an image with alt text) and the contact details."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from helpers import REPO, page_texts, struct_elements

BRANDING = """organization:
  name: Test Clinic
  phone: (555) 010-0199
  website: clinic.example.org
  address: 1 Test Road, Springfield
  logo:
    path: assets/logo.png
    alt: Test Clinic logo
"""


@pytest.fixture
def branded(run, mini: Path) -> Path:
    (mini / "assets").mkdir()
    shutil.copy(REPO / "tests" / "data" / "pixel.png", mini / "assets" / "logo.png")
    config = mini / "handoutkit.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("organization:\n  name: Test Clinic\n  phone: (555) 010-0199\n", BRANDING)
    assert "Test Clinic logo" in text
    config.write_text(text, encoding="utf-8")
    result = run("build", "--format", "pdf,html", cwd=mini)
    assert result.code == 0, result.text
    return mini / "dist" / "demo"


def test_the_pdf_shows_the_logo_as_a_figure_with_its_alt_text(branded: Path) -> None:
    for name in ("handout", "brief"):
        path = branded / f"{name}.en.standard.letter.pdf"
        with pikepdf.open(path) as pdf:
            figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
            assert [str(f.Alt) for f in figures] == ["Test Clinic logo"], name
        text = re.sub(r"\s+", " ", " ".join(page_texts(path)))
        # the document details name the publisher with every contact detail given
        assert "Test Clinic, 1 Test Road, Springfield, (555) 010-0199, clinic.example.org" in text


def test_the_html_edition_inlines_the_logo_and_shows_the_contact_details(branded: Path) -> None:
    from helpers import Outline

    for name in ("handout", "brief"):
        page = Outline((branded / f"{name}.en.standard.html").read_text(encoding="utf-8"))
        logos = [img for img in page.tags("img") if img.get("class") == "logo"]
        assert len(logos) == 1
        assert logos[0]["alt"] == "Test Clinic logo"
        assert logos[0]["src"].startswith("data:image/png;base64,")
        assert "1 Test Road, Springfield · (555) 010-0199 · clinic.example.org" in page.plain
        assert ".masthead .logo" in page.style


def test_no_logo_no_image(run, mini: Path) -> None:
    result = run("build", "--format", "html", cwd=mini)
    assert result.code == 0, result.text
    html = (mini / "dist" / "demo" / "handout.en.standard.html").read_text(encoding="utf-8")
    assert "<img" not in html
    assert 'class="footer-contact"' in html  # the phone number of the mini project


def test_a_logo_outside_assets_is_a_located_check_error(run, mini: Path) -> None:
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  phone: (555) 010-0199\n",
            "  phone: (555) 010-0199\n  logo:\n    path: ../logo.png\n    alt: Logo\n",
        ),
        encoding="utf-8",
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "handoutkit.yaml:5:11: error: '../logo.png' is outside the project's assets/" in (
        result.out
    )
