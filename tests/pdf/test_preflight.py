"""The print preflight on WeasyPrint's layout (pdf.preflight): each rule fires on a page built
to break it, names the page and the element's `data-field`, and stays quiet on a clean page;
the shipped pack has no finding at all (tests/hostile/test_print.py builds the hostile content
end to end)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from handoutkit import compat
from handoutkit.pdf import preflight
from handoutkit.pdf.preflight import Finding
from handoutkit.pdf.printer import Printer
from helpers import MINI, only_dejavu

LONG = "This paragraph is long enough to wrap over several lines of the page. " * 6
FILLER = "<p>Filler line.</p>"


@pytest.fixture(scope="module")
def printer(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    """A printer with the default stylesheets, for a project whose assets/ holds test images."""
    root = tmp_path_factory.mktemp("preflight") / "project"
    shutil.copytree(MINI, root)
    assets = root / "assets"
    assets.mkdir()
    Image.new("RGB", (100, 100), "white").save(assets / "small.png")
    Image.new("RGB", (600, 600), "white").save(assets / "large.png")
    return Printer(root)


def findings(
    printer: Printer, body: str, css: str = "", edition: str = "standard", paper: str = "letter"
) -> list[Finding]:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><title>Test</title><style>{css}</style></head>'
        f"<body><main>{body}</main></body></html>"
    )
    return printer.print_pdf(html, edition, paper, "test.html").findings


def rules(found: list[Finding]) -> list[tuple[str, int, str | None]]:
    return [(f.rule, f.page, f.field) for f in found]


def test_a_clean_page_has_no_finding(printer: Printer) -> None:
    body = f'<h1>Title</h1><h2 data-field="sections.0.heading">Part</h2><p>{LONG}</p>'
    body += "<ul>" + '<li data-field="questions.0">An item.</li>' * 5 + "</ul>"
    assert findings(printer, body) == []


# --------------------------------------------------------------------------- overflow


def test_a_long_word_or_address_wraps_in_running_text(printer: Printer) -> None:
    body = f"<p>{'Pneumonoultramicroscopic' * 20}</p><p>https://example.org/?q={'A' * 3000}</p>"
    assert findings(printer, body) == []


def test_a_word_no_table_cell_can_wrap_is_an_overflow_at_its_cell(printer: Printer) -> None:
    row = '<tr data-field="studies.0"><td data-field="studies.0.design">{}</td><td>b</td></tr>'
    body = f'<table style="width: 100%">{row.format("X" * 300)}</table>'
    [found] = findings(printer, body, ".brief table {}")
    assert (found.rule, found.page, found.field) == ("overflow", 1, "studies.0.design")
    assert found.message.startswith("the table (its cell 'XXXX")
    assert "past the right edge of the text area, so it would be cut off" in found.message
    assert found.text.startswith("XXXXXXXX")


def test_an_image_wider_or_taller_than_the_page_is_an_overflow(printer: Printer) -> None:
    wide = '<div data-field="images.0.path"><img src="assets/large.png" alt="x" '
    wide += 'style="width: 12in; max-width: none"></div>'
    tall = '<div data-field="images.1.path"><img src="assets/large.png" alt="y" '
    tall += 'style="height: 14in; width: 1in; max-height: none"></div>'
    found = findings(printer, wide + tall)
    overflows = [(f.field, f.message.split(" runs ")[0]) for f in found if f.rule == "overflow"]
    assert ("images.0.path", "the image 'assets/large.png'") in overflows
    assert ("images.1.path", "the image 'assets/large.png'") in overflows
    assert any("past the bottom of the text area" in f.message for f in found)


# --------------------------------------------------------------------------- pagination


def test_a_list_item_taller_than_a_page_splits_and_strands_its_heading(printer: Printer) -> None:
    body = FILLER * 10 + '<h2 data-field="sections.1.heading">Heading</h2>'
    body += f'<ul><li data-field="what_you_can_do.0">{LONG * 12}</li></ul>'
    found = findings(printer, body)
    assert ("stranded-heading", 2, "sections.1.heading") in rules(found)
    stranded = next(f for f in found if f.rule == "stranded-heading")
    assert stranded.message.startswith("the heading 'Heading' is the last line of the page")
    split = next(f for f in found if f.rule == "split")
    assert (split.page, split.field) == (3, "what_you_can_do.0")
    assert split.message == (
        "a list item splits across pages 3 and 4: it is taller than the space a page has for it"
    )


def test_list_items_that_fit_are_kept_whole(printer: Printer) -> None:
    for count in range(18, 30):  # wherever the page ends, no item is cut in two
        body = "<h1>T</h1>" + FILLER * count + "<ul>" + f"<li>{LONG}</li>" * 2 + "</ul>"
        assert "split" not in [f.rule for f in findings(printer, body)], count


def test_a_crisis_block_taller_than_a_page_splits(printer: Printer) -> None:
    items = "".join(f"<li>Crisis line {n}: call 988</li>" for n in range(60))
    body = f'<section class="crisis" data-field="crisis:us.en"><h2>Help</h2><ul>{items}</ul>'
    found = findings(printer, body + "</section>")
    split = next(f for f in found if f.rule == "split")
    assert split.field == "crisis:us.en"
    assert split.message.startswith("the crisis block splits across pages 1 and 2")


def test_widows_and_orphans(printer: Printer) -> None:
    """With orphans and widows at 1 some split leaves one line alone; with the stylesheet's 2,
    none does."""
    single = "p { orphans: 1; widows: 1 }"
    seen: set[str] = set()
    for count in range(20, 40):
        body = "<h1>T</h1>" + FILLER * count + f'<p data-field="sections.0.body">{LONG}</p>'
        for css, found in (
            (single, findings(printer, body, single)),
            ("", findings(printer, body)),
        ):
            for finding in (f for f in found if f.rule == "widow-orphan"):
                assert css == single, (count, finding)
                assert finding.field == "sections.0.body"
                seen.add(finding.message)
    assert "a paragraph leaves 1 line at the bottom of the page (orphan)" in seen
    assert "a paragraph leaves 1 line carried over to the page (widow)" in seen


def test_a_nearly_empty_page(printer: Printer) -> None:
    found: list[Finding] = []
    for count in range(20, 50):  # until a line or two spill onto page 2
        body = "<h1>T</h1>" + FILLER * count + '<p data-field="get_help_now">Last line.</p>'
        found = [f for f in findings(printer, body) if f.rule == "sparse-page"]
        if found:
            break
    assert found and found[0].page == 2 and found[0].field is not None
    assert found[0].message in ("the page holds only 1 line", "the page holds only 2 lines")
    assert findings(printer, "<h1>T</h1><p>One page, one line.</p>") == []  # one page: fine


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("width", "severity", "dpi"),
    [("3in", "error", 33), ("0.8in", "warning", 125), ("0.5in", None, 200)],
)
def test_image_resolution_at_its_printed_size(
    printer: Printer, width: str, severity: str | None, dpi: int
) -> None:
    body = '<div data-field="images.0.path"><img src="assets/small.png" alt="x" '
    body += f'style="width: {width}"></div>'
    found = [f for f in findings(printer, body) if f.rule == "image-resolution"]
    if severity is None:
        assert found == []
        return
    [finding] = found
    assert (finding.severity, finding.field, finding.page) == (severity, "images.0.path", 1)
    assert finding.message.startswith(f"the image 'assets/small.png' prints at {dpi} dpi")


# --------------------------------------------------------------------------- glyphs


def test_a_character_no_font_has_is_found_on_the_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FONTCONFIG_FILE", str(only_dejavu(tmp_path / "fc")))
    printer = Printer(MINI)  # a new printer reads the fonts fontconfig now sees
    css = '@page { @bottom-center { content: "Page \\4F60" } }'
    found = findings(printer, '<p data-field="title">Hello 你好, مرحبا</p>', css)
    glyphs = [(f.field, f.text, f.page) for f in found if f.rule == "glyph"]
    assert ("title", "你", 1) in glyphs and ("title", "好", 1) in glyphs
    assert (None, "你", 1) in glyphs  # in the page footer: located by the build, by its text
    footer = next(f for f in found if f.rule == "glyph" and f.field is None)
    assert footer.message.startswith(
        "'你' (U+4F60 CJK UNIFIED IDEOGRAPH-4F60) in the page header or footer has no glyph in "
        "any font and prints as an empty box; fonts tried:"
    )
    assert not [f for f in found if f.text in "مرحبا"]  # DejaVu Sans has Arabic


def test_warnings_of_weasyprint_give_the_missing_characters() -> None:
    import logging

    record = logging.LogRecord(
        "weasyprint", logging.WARNING, "x", 1, preflight.NOTDEF_MESSAGE + ': "%s" (U+%04X)',
        ("你", 0x4F60), None,
    )  # fmt: skip
    assert preflight.missing_codepoints([record, record]) == [0x4F60]


# --------------------------------------------------------------------------- upstream


def test_a_layout_without_its_page_box_fails_loudly(printer: Printer) -> None:
    class Page:  # what a changed WeasyPrint could give
        pass

    class Document:
        def __init__(self) -> None:
            self.pages = [Page()]

    with pytest.raises(compat.UpstreamChanged, match="_page_box"):
        preflight.check_layout(Document())


def test_the_shipped_pack_has_no_finding(shipped_pack: Path) -> None:
    """Every document, edition and paper of the shipped pack: built (the fixture asserts it)
    with no preflight problem and no warning recorded in the manifest."""
    import json

    manifest = json.loads((shipped_pack / "manifest.json").read_text())
    pdfs = [e for e in manifest["outputs"] if e["format"] == "pdf"]
    assert len(pdfs) == 20  # 5 documents × 2 editions × 2 papers
    assert all(entry["preflight"] == [] for entry in pdfs)
