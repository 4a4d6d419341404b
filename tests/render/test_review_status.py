"""What a document says about its review, on paper, to screen readers, in its metadata and in
the HTML edition: a draft carries the DRAFT banner on every page of every edition and paper and
names no reviewer or review date; an approved document names its credentialed reviewer and has
no banner. Sample organization data says so where it is printed."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from helpers import Outline, apply_case, page_texts, tagged_texts

BANNER = {
    "en": "DRAFT — not reviewed for patient use",
    "es": "BORRADOR — no revisado para uso con pacientes",
}
NOTICE = {"en": "Do not give it to patients.", "es": "No lo entregue a pacientes."}
JANE = ("--reviewer", "Jane Doe", "--credentials", "MD", "--role", "Consultant psychiatrist")


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as single spaces (banners wrap in large print)."""
    return re.sub(r"\s+", " ", text)


def language_of(path: Path) -> str:
    return path.name.split(".")[1]


def shipped_pdfs(pack: Path) -> list[Path]:
    pdfs = sorted(pack.glob("*/*.pdf"))
    editions = {(p.name.split(".")[2], p.name.split(".")[3]) for p in pdfs}
    assert editions == {(e, p) for e in ("standard", "large-print") for p in ("letter", "a4")}
    assert {language_of(p) for p in pdfs} == {"en", "es"}
    return pdfs


def test_a_draft_has_the_banner_on_every_page_of_every_edition_and_paper(
    shipped_pack: Path,
) -> None:
    for path in shipped_pdfs(shipped_pack):
        banner = BANNER[language_of(path)]
        pages = page_texts(path)
        for number, text in enumerate(pages, start=1):
            assert banner in flat(text), f"{path.name} page {number}"


def test_screen_readers_get_the_draft_notice_first_and_skip_the_page_furniture(
    shipped_pack: Path, tmp_path: Path
) -> None:
    for path in shipped_pdfs(shipped_pack):
        language = language_of(path)
        tagged = [flat(text) for text in tagged_texts(path, tmp_path)]
        # page 1 opens with the tagged notice ...
        assert tagged[0].strip().startswith(f"{BANNER[language]}. "), path.name
        # ... while the banner at the top of every page is an artifact, which screen readers
        # skip: the tagged text says it once, whatever the number of pages
        assert sum(text.count(BANNER[language]) for text in tagged) == 1, path.name
        assert len(tagged) > 2, path.name
        with pikepdf.open(path) as pdf:  # the notice is a paragraph in the structure tree
            assert "/P" in {str(e.S) for e in _elements(pdf)}


def _elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    from helpers import struct_elements

    return struct_elements(pdf)


def test_a_draft_says_so_in_its_metadata(shipped_pack: Path) -> None:
    for path in shipped_pdfs(shipped_pack):
        language = language_of(path)
        draft = "(DRAFT)" if language == "en" else "(BORRADOR)"
        with pikepdf.open(path) as pdf:
            info = pdf.docinfo
            assert str(info["/Title"]).endswith(f" {draft}"), path.name
            assert str(info["/Subject"]).startswith(f"{BANNER[language]}. "), path.name
            assert BANNER[language] in str(info["/Keywords"]).split(", "), path.name
            assert "/CreationDate" not in info  # no review date to give
            with pdf.open_metadata() as xmp:
                assert BANNER[language] in str(xmp.get("dc:description")), path.name
                assert BANNER[language] in str(xmp.get("pdf:Keywords")), path.name
                assert str(xmp.get("dc:title")).endswith(draft), path.name


def test_a_draft_claims_no_review(shipped_pack: Path) -> None:
    for path in shipped_pdfs(shipped_pack):
        text = flat("\n".join(page_texts(path)))
        if language_of(path) == "en":
            assert "Review status: Draft" in text, path.name
            for claim in ("Reviewed by", "Last reviewed", "Next review due"):
                assert claim not in text, (path.name, claim)
        else:
            assert "Estado de la revisión: Borrador" in text, path.name
            for claim in ("Revisado por", "Última revisión", "Próxima revisión"):
                assert claim not in text, (path.name, claim)


def test_sample_organization_data_says_so_where_it_is_printed(shipped_pack: Path) -> None:
    said = {
        "en": "These are sample details, not a real organization.",
        "es": "Estos son datos de ejemplo, no de una organización real.",
    }
    for path in shipped_pdfs(shipped_pack):
        text = flat("\n".join(page_texts(path)))
        assert "Sample Clinic" in text, path.name
        assert said[language_of(path)] in text, path.name


# --------------------------------------------------------------------------- approved


@pytest.fixture
def real_organization(mini: Path) -> Path:
    """The mini project with a real-looking organization (no sample data)."""
    apply_case(
        mini,
        {"file": "handoutkit.yaml", "replace": ["phone: (555) 010-0199", "phone: (617) 555-2368"]},
    )
    return mini


def test_an_approved_document_names_its_reviewer_and_has_no_banner(
    run, real_organization: Path
) -> None:
    mini = real_organization
    assert run("approve", "content/demo/handout.en.yaml", *JANE, cwd=mini).code == 0
    result = run("build", "-j", "1", "--format", "pdf,html", cwd=mini)
    assert result.code == 0, result.text
    approved = mini / "dist" / "demo" / "handout.en.standard.letter.pdf"
    text = flat("\n".join(page_texts(approved)))
    assert "Reviewed by: Jane Doe, MD, Consultant psychiatrist." in text
    assert "Last reviewed: November 23, 2026" in text and "Next review due" in text
    assert "DRAFT" not in text and "sample details" not in text
    with pikepdf.open(approved) as pdf:
        assert str(pdf.docinfo["/Title"]) == "A test handout"
        assert "DRAFT" not in str(pdf.docinfo.get("/Keywords", ""))
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20261123")
    page = Outline((mini / "dist" / "demo" / "handout.en.standard.html").read_text())
    assert "DRAFT" not in page.plain and not [
        p for p in page.tags("p") if "review-banner" in p.get("class", "")
    ]
    # the brief, not approved, keeps its banner on every page, and names no reviewer
    brief = mini / "dist" / "demo" / "brief.en.standard.letter.pdf"
    pages = [flat(text) for text in page_texts(brief)]
    assert all(BANNER["en"] in text for text in pages)
    assert "Test Reviewer" not in " ".join(pages) and "Reviewed by" not in " ".join(pages)


def test_the_html_edition_of_a_draft_opens_with_the_notice(run, mini: Path) -> None:
    result = run("build", "-j", "1", "--format", "html", cwd=mini)
    assert result.code == 0, result.text
    html = (mini / "dist" / "demo" / "handout.en.standard.html").read_text(encoding="utf-8")
    page = Outline(html)
    assert page.tags("title") and "<title>A test handout (DRAFT)</title>" in html
    header = html[html.index('<header class="masthead">') :]
    assert header.split("\n")[1] == (
        f'<p class="review-banner"><strong>{BANNER["en"]}.</strong> {NOTICE["en"]}</p>'
    )
    footer = html[html.index('<footer class="page-footer">') :]
    assert f"<strong>{BANNER['en']}</strong>" in footer
    assert "Reviewed by" not in page.plain and "Last reviewed" not in page.plain
