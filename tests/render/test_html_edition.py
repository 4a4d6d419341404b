"""The HTML edition: one self-contained, accessible file per document and edition.

The browser test (axe-core in Chromium) is in test_html_axe.py; these tests read the markup.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO, Outline


@pytest.fixture
def site(run, mini: Path) -> Path:
    (mini / "assets").mkdir()
    shutil.copy(REPO / "tests" / "data" / "pixel.png", mini / "assets" / "pixel.png")
    source = mini / "content" / "demo" / "handout.en.yaml"
    source.write_text(
        source.read_text() + "images:\n  - path: assets/pixel.png\n    alt: A small grey square\n"
    )
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text()
        .replace("editions: [standard]", "editions: [standard, large-print]")
        .replace("paper_sizes: [letter]", "paper_sizes: [letter, a4]")
    )
    result = run("build", "--format", "html", "--out", "site", cwd=mini)
    assert result.code == 0, result.text
    assert "4 built, 0 unchanged, 0 failed" in result.err  # per document and edition, not paper
    return mini / "site" / "demo"


def test_one_file_per_document_and_edition(site: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == [
        "brief.en.large-print.html",
        "brief.en.standard.html",
        "handout.en.large-print.html",
        "handout.en.standard.html",
    ]


def test_the_file_is_self_contained(site: Path) -> None:
    """Nothing is fetched: styles, fonts and images are inside the file."""
    for path in site.iterdir():
        page = Outline(path.read_text(encoding="utf-8"))
        assert not page.tags("script") and not page.tags("link"), path.name
        assert all(img["src"].startswith("data:image/png;base64,") for img in page.tags("img"))
        urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", page.style)
        assert urls and all(u.startswith("data:font/ttf;base64,") for u in urls), path.name
        assert "@font-face" in page.style and "--accent" in page.style


def test_landmarks_skip_link_and_language(site: Path) -> None:
    for path in site.iterdir():
        page = Outline(path.read_text(encoding="utf-8"))
        assert page.tags("html")[0]["lang"] == "en"
        first_link = page.tags("a")[0]
        assert first_link == {"class": "skip-link", "href": "#main"}
        assert "Skip to main content" in page.plain
        assert [m.get("id") for m in page.tags("main")] == ["main"]
        assert len(page.tags("header")) == 1 and len(page.tags("footer")) == 1
        assert len(page.tags("h1")) == 1
        assert page.tags("meta")[-1] == {
            "name": "viewport",
            "content": "width=device-width, initial-scale=1",
        }


def test_mandatory_blocks_and_page_footer_text(site: Path) -> None:
    for path in site.iterdir():
        page = Outline(path.read_text(encoding="utf-8"))
        classes = [attrs.get("class", "") for _, attrs in page.elements]
        for block in ("crisis", "disclaimer", "references", "docinfo", "page-footer"):
            assert block in classes, (path.name, block)
        assert "In crisis? Call or text 988" in page.plain  # the print footer's line
        assert "DRAFT — not reviewed for patient use" in page.plain  # not approved


def test_images_keep_alt_text_and_tables_scroll_in_a_named_region(site: Path) -> None:
    handout = Outline((site / "handout.en.standard.html").read_text(encoding="utf-8"))
    assert [img["alt"] for img in handout.tags("img")] == ["A small grey square"]
    brief = Outline((site / "brief.en.standard.html").read_text(encoding="utf-8"))
    regions = [d for d in brief.tags("div") if d.get("class") == "table-scroll"]
    assert regions and all(
        r["role"] == "group" and r["tabindex"] == "0" and r["aria-label"] for r in regions
    )


def test_large_print_is_the_same_page_with_its_class(site: Path) -> None:
    standard = Outline((site / "handout.en.standard.html").read_text(encoding="utf-8"))
    large = Outline((site / "handout.en.large-print.html").read_text(encoding="utf-8"))
    assert (
        'class="handout edition-large-print"' in (site / "handout.en.large-print.html").read_text()
    )
    assert standard.plain == large.plain
    assert "body.edition-large-print" in large.style


def test_a_stylesheet_reaching_outside_styles_fails_located(run, mini: Path) -> None:
    styles = mini / "styles"
    styles.mkdir()
    (styles / "screen.css").write_text("body { background: url(../../../etc/passwd); }\n")
    result = run("build", "--format", "html", cwd=mini)
    assert result.code == 1
    assert (
        "styles/screen.css:1:20: error: url(../../../etc/passwd) is not a file in the project's "
        "styles — keep fonts and images for stylesheets under styles/" in result.text
    )
    assert not (mini / "dist" / "demo" / "handout.en.standard.html").exists()
    assert "Traceback" not in result.text
