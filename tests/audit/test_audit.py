"""`handoutkit audit`: the shipped PDFs pass, and each deliberately broken copy fails with a
located message on the right page."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pikepdf import Dictionary, Name

from helpers import MINI, REPO, copy_shipped_project

HANDOUT = "ketamine-bpd/handout.en.standard.letter.pdf"
LARGE = "ketamine-bpd/handout.en.large-print.letter.pdf"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def audit(run, tmp_path: Path):
    """Run `handoutkit audit --no-verapdf --format json` in tmp_path; return (result, files)."""

    def runner(*args: str | Path, verapdf: bool = False) -> tuple[object, list[dict]]:
        flags = [] if verapdf else ["--no-verapdf"]
        result = run("audit", *flags, "--format", "json", *map(str, args), cwd=tmp_path)
        assert "Traceback" not in result.text, result.text
        files = json.loads(result.out)["files"]
        return result, files

    return runner


def broken_copy(source: Path, target: Path, change: Callable[[pikepdf.Pdf], None]) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def texts(data: dict) -> list[str]:
    return [p["text"] for p in data["problems"]]


def only_problem(data: dict) -> str:
    assert len(data["problems"]) == 1, texts(data)
    return data["problems"][0]["text"]


def page_of(pdf: pikepdf.Pdf, element: Dictionary) -> int:
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages, 1)}
    return pages[element.Pg.objgen]


def struct_elements_in_order(pdf: pikepdf.Pdf) -> list[Dictionary]:
    found: list[Dictionary] = []

    def walk(node: Dictionary) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, Dictionary) and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return found


HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>@page {{ size: letter; margin: 1in }} body {{ font-family: DejaVu Sans; {css} }}</style>
</head><body>{body}</body></html>"""


def weasyprint_pdf(path: Path, body: str, css: str = "", tagged: bool = True) -> Path:
    """A small PDF printed by WeasyPrint as our printer does (PDF/UA-1 + post-processing)."""
    from handoutkit.pdf.tags import postprocess_pdf

    document = weasyprint.HTML(string=HTML.format(title="Test page", css=css, body=body))
    if tagged:
        path.write_bytes(postprocess_pdf(document.write_pdf(pdf_variant="pdf/ua-1")))
    else:
        document.write_pdf(path)
    return path


# --------------------------------------------------------------------------- the shipped pack


def test_shipped_pdfs_pass_with_measured_figures(audit, shipped_pack: Path) -> None:
    pdfs = sorted(shipped_pack.glob("*/*.pdf"))
    assert len(pdfs) == 20  # 5 documents × 2 editions × 2 papers
    _result, files = audit(*pdfs)
    assert [Path(f["path"]) for f in files] == pdfs
    for data in files:
        name = Path(data["path"]).name
        _kind, language, edition, paper = name.split(".")[:4]
        assert data["pdf"] and data["tagged"], name
        assert data["lang"] == language, name
        assert data["title"] and data["display_doc_title"], name
        assert data["pdfua_part"] == "1", name
        assert data["fonts"]["count"] >= 2 and data["fonts"]["unembedded"] == [], name
        assert data["untagged_operations"] == {}, name
        assert data["headings"]["levels"][0] == 1, name
        assert data["headings"]["summary"].startswith("headings H1–H"), name
        expected = {"letter": "Letter 8.5×11 in", "a4": "A4 210×297 mm"}[paper]
        assert data["page_size"].startswith(expected), name
        assert data["edition"] == edition, name
        if edition == "large-print":  # keywords "large print", or else the file name
            assert data["edition_from"] in ("keywords", "file name"), name
        else:
            assert data["edition_from"] == "default", name
        text = data["text"]
        floor = 18 if edition == "large-print" else 12
        assert text["body_pt"] >= floor, (name, text)
        minimum = 18 if edition == "large-print" else 8
        assert data["ok"], (name, texts(data))
        assert text["smallest_pt"] >= minimum, (name, text)


def test_text_report_lines(run, shipped_pack: Path) -> None:
    result = run("audit", "--no-verapdf", HANDOUT, cwd=shipped_pack)
    assert result.code == 0, result.text
    assert re.fullmatch(
        re.escape(HANDOUT) + r": PASS — \d pages, Letter 8\.5×11 in, body 1\d\.\d pt, "
        r"smallest \d+\.\d pt \(standard edition\), headings H1–H\d, PDF/UA-1, veraPDF not run\n",
        result.out,
    ), result.out
    assert "1 audited: 1 pass, 0 fail" in result.err


def _count_text_sizes(box, sizes: Counter[float]) -> None:
    """Characters per font size (pt) of the laid-out text boxes under `box`."""
    text = getattr(box, "text", None)
    if text and text.strip():
        sizes[round(box.style["font_size"] * 0.75, 1)] += len(text)
    for child in getattr(box, "children", []):
        _count_text_sizes(child, sizes)


def test_text_sizes_match_weasyprint_layout(audit, tmp_path: Path) -> None:
    """The sizes measured in the PDF (Tf × text matrix × CTM; WeasyPrint draws px sizes under
    a 0.75 CTM) are the font sizes WeasyPrint laid out, margin boxes included."""
    from handoutkit.content.loader import load_project
    from handoutkit.pdf.printer import Printer
    from handoutkit.render.renderer import Renderer

    project = load_project(copy_shipped_project(tmp_path / "project"))
    source = next(d for d in project.documents if d.stem == "handout.en")
    renderer, printer = Renderer(project), Printer(project.root)
    for edition in ("standard", "large-print"):
        html = renderer.render(source, edition).html
        path = tmp_path / f"{edition}.pdf"
        path.write_bytes(printer.print_pdf(html, edition, "letter", "handout.en").pdf)
        laid_out: Counter[float] = Counter()
        for page in printer.layout(html, edition, "letter").pages:
            _count_text_sizes(page._page_box, laid_out)
        _result, [data] = audit("--edition", edition, path)
        assert data["text"]["body_pt"] == laid_out.most_common(1)[0][0], edition
        assert data["text"]["smallest_pt"] == min(laid_out), edition
        measured = {float(size) for size in data["text"]["glyphs_by_size_pt"]}
        assert measured == set(laid_out), edition


# --------------------------------------------------------------------------- broken copies


def test_untagged_weasyprint_pdf(audit, tmp_path: Path) -> None:
    path = weasyprint_pdf(tmp_path / "plain.pdf", "<h1>Title</h1><p>Text</p>", tagged=False)
    result, [data] = audit(path)
    assert result.code == 1
    problems = texts(data)
    assert any(
        t.startswith(f"{path}: error: not a tagged PDF: there is no structure tree")
        for t in problems
    ), problems
    assert (
        f"{path}: error: the PDF is not marked as tagged (/MarkInfo /Marked true is missing)"
        in (t.split(" — ")[0] for t in problems)
    )
    assert any("no pdfuaid:part" in t for t in problems)
    assert not data["tagged"]


def test_struct_tree_removed(audit, shipped_pack: Path, tmp_path: Path) -> None:
    def untag(pdf: pikepdf.Pdf) -> None:
        del pdf.Root.StructTreeRoot
        del pdf.Root.MarkInfo

    path = broken_copy(shipped_pack / HANDOUT, tmp_path / "untagged.pdf", untag)
    _result, [data] = audit(path)
    checks = sorted(p["check"] for p in data["problems"])
    assert checks == ["tagged", "tagged"], texts(data)
    assert "not a tagged PDF" in texts(data)[0]


def test_missing_lang(audit, shipped_pack: Path, tmp_path: Path) -> None:
    path = broken_copy(
        shipped_pack / HANDOUT, tmp_path / "nolang.pdf", lambda pdf: pdf.Root.__delattr__("Lang")
    )
    result, [data] = audit(path)
    assert result.code == 1
    assert only_problem(data).startswith(f"{path}: error: no document language (/Lang)")
    assert "FAIL (1 problem)" in data["summary"]


def test_display_doc_title_false(audit, shipped_pack: Path, tmp_path: Path) -> None:
    def hide_title(pdf: pikepdf.Pdf) -> None:
        pdf.Root.ViewerPreferences.DisplayDocTitle = False

    path = broken_copy(shipped_pack / HANDOUT, tmp_path / "filename.pdf", hide_title)
    _result, [data] = audit(path)
    assert only_problem(data).startswith(
        f"{path}: error: the window shows the file name, not the title "
        "(/ViewerPreferences /DisplayDocTitle is not true) — "
    )


def test_missing_title(audit, shipped_pack: Path, tmp_path: Path) -> None:
    def drop_title(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            del meta["dc:title"]
        del pdf.docinfo["/Title"]

    path = broken_copy(shipped_pack / HANDOUT, tmp_path / "notitle.pdf", drop_title)
    _result, [data] = audit(path)
    assert only_problem(data).startswith(f"{path}: error: no document title")


@pytest.fixture(scope="module")
def figure_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test project's handout with an image (alt text given), built by handoutkit."""
    import datetime as dt

    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    project = tmp_path_factory.mktemp("figure") / "mini"
    shutil.copytree(MINI, project)
    (project / "assets").mkdir()
    shutil.copy(REPO / "tests" / "data" / "pixel.png", project / "assets" / "pixel.png")
    source = project / "content" / "demo" / "handout.en.yaml"
    source.write_text(
        source.read_text() + "images:\n  - path: assets/pixel.png\n    alt: A small grey square\n"
    )
    report = build_project(
        load_project(project), project / "dist", today=dt.date(2026, 11, 23), formats=("pdf",)
    )
    assert report.ok, [str(p) for r in report.failed for p in r.problems]
    return project / "dist" / "demo" / "handout.en.standard.letter.pdf"


def test_figure_with_alt_passes_and_without_alt_fails(
    audit, figure_pdf: Path, tmp_path: Path
) -> None:
    _result, [good] = audit(figure_pdf)
    assert good["figures"] == {"count": 1, "without_alt": 0}
    assert not any(p["check"] == "figure-alt" for p in good["problems"])

    page = 0

    def drop_alt(pdf: pikepdf.Pdf) -> None:
        nonlocal page
        [figure] = [e for e in struct_elements_in_order(pdf) if e.S == "/Figure"]
        del figure.Alt
        page = page_of(pdf, figure)

    path = broken_copy(figure_pdf, tmp_path / "noalt.pdf", drop_alt)
    _result, [data] = audit(path)
    assert data["figures"] == {"count": 1, "without_alt": 1}
    [problem] = [t for t in texts(data) if "Figure" in t]
    assert problem.startswith(
        f"{path}: page {page}: error: an image (Figure) has no alternative text (/Alt) — "
    )


def test_standard_pdf_audited_as_large_print(audit, shipped_pack: Path) -> None:
    result, [data] = audit("--edition", "large-print", shipped_pack / HANDOUT)
    assert result.code == 1
    assert data["edition"] == "large-print" and data["edition_from"] == "option"
    body = data["text"]["body_pt"]
    problems = texts(data)
    assert problems[0] == (
        f"{shipped_pack / HANDOUT}: error: body text is {body:.1f} pt (the size of most of the "
        "text); large print needs at least 18 pt — set the body text to 18 pt or more "
        "(ACB Large Print Guidelines 2022)"
    )
    pages = [p["page"] for p in data["problems"][1:]]
    assert pages == list(range(1, data["pages"] + 1))
    assert all("characters smaller than 18 pt" in t for t in problems[1:])


def test_nine_point_body_and_six_point_text(audit, tmp_path: Path) -> None:
    body = "<h1>Title</h1>" + "<p>Some body text that fills a line.</p>" * 20
    body += '<p style="font-size: 6pt">Fine print</p>'
    path = weasyprint_pdf(tmp_path / "small.pdf", body, css="font-size: 9pt")
    result, [data] = audit(path)
    assert result.code == 1
    assert data["text"]["body_pt"] == 9.0 and data["text"]["smallest_pt"] == 6.0
    assert texts(data) == [
        f"{path}: error: body text is 9.0 pt (the size of most of the text); standard print "
        "needs at least 12 pt — set the body text to 12 pt or more (APH guidelines)",
        f"{path}: page 1: error: 10 characters smaller than 8 pt (smallest 6.0 pt) — make all "
        "text at least 8 pt; such small print is unreadable",
    ]


def test_large_print_keyword_selects_the_edition(audit, shipped_pack: Path, tmp_path: Path) -> None:
    def keyword_info(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo["/Keywords"] = "asthma, Large Print"

    def keyword_xmp(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdf:Keywords"] = "asthma, large-print edition"

    info = broken_copy(shipped_pack / HANDOUT, tmp_path / "a.pdf", keyword_info)
    xmp = broken_copy(shipped_pack / HANDOUT, tmp_path / "b.pdf", keyword_xmp)
    _result, files = audit(info, xmp, "--edition", "auto")
    for data in files:
        assert (data["edition"], data["edition_from"]) == ("large-print", "keywords")
        assert "large print needs at least 18 pt" in texts(data)[0]
    _result, [forced] = audit("--edition", "standard", shipped_pack / LARGE)
    assert forced["edition"] == "standard" and forced["ok"], texts(forced)


def test_heading_skip_and_missing_h1(audit, shipped_pack: Path, tmp_path: Path) -> None:
    page = 0

    def skip_level(pdf: pikepdf.Pdf) -> None:
        nonlocal page
        first_h2 = next(e for e in struct_elements_in_order(pdf) if e.S == "/H2")
        first_h2.S = Name("/H3")
        page = page_of(pdf, first_h2)

    def no_h1(pdf: pikepdf.Pdf) -> None:
        nonlocal page
        h1 = next(e for e in struct_elements_in_order(pdf) if e.S == "/H1")
        h1.S = Name("/H2")
        page = page_of(pdf, h1)

    skipped = broken_copy(shipped_pack / HANDOUT, tmp_path / "skip.pdf", skip_level)
    _result, [data] = audit(skipped)
    assert only_problem(data) == (
        f"{skipped}: page {page}: error: heading level skipped: H3 follows H1 — make it H2, or "
        "tag the heading before it one level deeper"
    )
    assert data["headings"]["levels"][:2] == [1, 3]

    headless = broken_copy(shipped_pack / HANDOUT, tmp_path / "noh1.pdf", no_h1)
    _result, [data] = audit(headless)
    assert only_problem(data).startswith(
        f"{headless}: page {page}: error: the first heading is H2, not H1 (there is no H1 at all)"
    )


def test_no_headings(audit, tmp_path: Path) -> None:
    path = weasyprint_pdf(tmp_path / "flat.pdf", "<p>Only a paragraph.</p>", css="font-size: 12pt")
    _result, [data] = audit(path)
    assert only_problem(data).startswith(
        f"{path}: error: no headings are tagged (H1–H6): screen-reader users cannot jump"
    )
    assert "no headings" in data["summary"]


def test_unmarked_and_orphaned_content(audit, shipped_pack: Path, tmp_path: Path) -> None:
    def add_content(pdf: pikepdf.Pdf) -> None:
        # page 2: a filled rectangle and a stroked line outside any marked content, and an
        # artifact that is fine; page 3: a marked-content id no structure element claims
        pdf.pages[1].contents_add(
            pdf.make_stream(
                b"q 0 0 1 rg 10 10 50 50 re f 0 0 m 100 100 l S Q /Artifact BMC 0 0 5 5 re f EMC"
            )
        )
        pdf.pages[2].contents_add(pdf.make_stream(b"/P <</MCID 999>> BDC 1 1 5 5 re f EMC"))

    path = broken_copy(shipped_pack / HANDOUT, tmp_path / "unmarked.pdf", add_content)
    _result, [data] = audit(path)
    assert texts(data) == [
        f"{path}: page 2: error: 2 text/graphics operations are neither tagged nor marked as "
        "artifacts — screen readers skip or misread such content; tag it as real content, or "
        "mark decoration, headers and footers as artifacts, in the authoring tool",
        f"{path}: page 3: error: 1 text/graphics operation is neither tagged nor marked as an "
        "artifact (tagged with marked-content ids no structure element in the tree claims) — "
        "screen readers skip or misread such content; tag it as real content, or mark "
        "decoration, headers and footers as artifacts, in the authoring tool",
    ]
    assert data["untagged_operations"] == {"2": 2, "3": 1}


def test_raw_weasyprint_margin_boxes_are_orphans(audit, tmp_path: Path) -> None:
    """The rule pdftags relies on, seen from the audit: before post-processing, the footer's
    marked content belongs to structure elements outside the tree; after, it is an artifact."""
    css = "} @page { @bottom-center { content: 'Page ' counter(page) } } body {"
    html = HTML.format(title="Footer", css=css, body="<h1>Title</h1><p>Text</p>")
    raw = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    (tmp_path / "raw.pdf").write_bytes(raw)
    from handoutkit.pdf.tags import postprocess_pdf

    (tmp_path / "post.pdf").write_bytes(postprocess_pdf(raw))
    _result, [before, after] = audit("raw.pdf", "post.pdf")
    [problem] = [p for p in before["problems"] if p["check"] == "untagged-content"]
    assert problem["page"] == 1 and "no structure element in the tree claims" in problem["text"]
    assert after["ok"], texts(after)


def test_unembedded_font_and_text_matrix_sizes(audit, shipped_pack: Path, tmp_path: Path) -> None:
    def add_helvetica_page(pdf: pikepdf.Pdf) -> None:
        font = pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        )
        content = (
            b"BT /F1 1 Tf 14 0 0 14 72 720 Tm (Hello) Tj ET "  # Tf 1 scaled by the text matrix
            b"q 0.5 0 0 0.5 0 0 cm BT /F1 20 Tf 144 1200 Td [(Half) -20 (!)] TJ ET Q"  # by the CTM
        )
        page = Dictionary(
            Type=Name.Page,
            MediaBox=[0, 0, 612, 792],
            Resources=Dictionary(Font=Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )
        pdf.pages.append(pikepdf.Page(page))

    path = broken_copy(shipped_pack / HANDOUT, tmp_path / "helvetica.pdf", add_helvetica_page)
    _result, [data] = audit(path)
    page = data["pages"]
    assert texts(data) == [
        f"{path}: page {page}: error: 2 text/graphics operations are neither tagged nor marked "
        "as artifacts — screen readers skip or misread such content; tag it as real content, or "
        "mark decoration, headers and footers as artifacts, in the authoring tool",
        f"{path}: page {page}: error: font 'Helvetica' is not embedded — embed all fonts when "
        "exporting (PDF/UA requires it, and the text may look and read differently on other "
        "computers otherwise)",
    ]
    assert data["fonts"]["unembedded"] == ["Helvetica"]
    sizes = data["text"]["glyphs_by_size_pt"]
    assert sizes["14.0"] >= 5 and sizes["10.0"] >= 5


def test_type3_fonts_count_as_embedded_and_type0_needs_its_descendant() -> None:
    from handoutkit.audit.checks import _font_embedded

    assert _font_embedded(Dictionary(Type=Name.Font, Subtype=Name.Type3))
    descriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name.X)
    cid = Dictionary(Type=Name.Font, Subtype=Name.CIDFontType2, FontDescriptor=descriptor)
    type0 = Dictionary(Type=Name.Font, Subtype=Name.Type0, DescendantFonts=[cid])
    assert not _font_embedded(type0)
    descriptor.FontFile2 = pikepdf.Stream(pikepdf.new(), b"")
    assert _font_embedded(type0)


def test_page_sizes_mixed_fail_but_rotation_does_not(
    audit, shipped_pack: Path, tmp_path: Path
) -> None:
    mixed = broken_copy(
        shipped_pack / HANDOUT,
        tmp_path / "mixed.pdf",
        lambda pdf: pdf.add_blank_page(page_size=(595.28, 841.89)),
    )
    turned = broken_copy(
        shipped_pack / HANDOUT,
        tmp_path / "turned.pdf",
        lambda pdf: pdf.pages[1].obj.__setitem__("/Rotate", 90),
    )
    _result, [mixed_data, turned_data] = audit(mixed, turned)
    with pikepdf.open(shipped_pack / HANDOUT) as pdf:
        pages = len(pdf.pages)  # the handout's own pages, then the added A4 one
    assert [t for t in texts(mixed_data) if "paper sizes" in t] == [
        f"{mixed}: error: the pages have different paper sizes: pages 1–{pages} Letter 8.5×11 "
        f"in; page {pages + 1} A4 210×297 mm — use one paper size for the whole document, so it "
        "prints on one kind of paper"
    ]
    assert mixed_data["page_size"] == "mixed page sizes"
    assert turned_data["ok"], texts(turned_data)
    assert turned_data["page_size"] == "Letter 8.5×11 in (page 2 landscape)"


def test_files_that_are_not_pdfs(audit, tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_text("not a pdf\n")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    (tmp_path / "folder").mkdir()
    result, files = audit("notes.pdf", "broken.pdf", "missing.pdf", "folder")
    assert result.code == 1
    assert [only_problem(f).split(" — ")[0] for f in files[:1] + files[2:]] == [
        "notes.pdf: error: not a PDF file (it does not start with %PDF-)",
        "missing.pdf: error: no such file",
        "folder: error: is a folder, not a PDF file",
    ]
    assert only_problem(files[1]).startswith("broken.pdf: error: not a readable PDF (")
    assert all(not f["ok"] and not f["pdf"] for f in files)


def test_not_a_pdf_in_text_mode(run, tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_text("not a pdf\n")
    result = run("audit", "--no-verapdf", "notes.pdf", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines() == [
        "notes.pdf: error: not a PDF file (it does not start with %PDF-) — audit checks PDF "
        "files only; export or print the document to PDF first",
        "notes.pdf: FAIL (1 problem)",
    ]
    assert "Traceback" not in result.text


def test_audit_needs_no_project(run, tmp_path: Path, shipped_pack: Path) -> None:
    """Run from a folder with no handoutkit.yaml anywhere above it (tmp_path)."""
    assert not any((p / "handoutkit.yaml").exists() for p in [tmp_path, *tmp_path.parents])
    result = run("audit", "--no-verapdf", str(shipped_pack / HANDOUT), cwd=tmp_path)
    assert result.code == 0, result.text


def test_missing_verapdf_is_a_note_not_a_failure(
    run, shipped_pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERAPDF_CACHE", str(tmp_path / "empty-cache"))
    result = run("audit", str(shipped_pack / HANDOUT), cwd=tmp_path)
    assert result.code == 0, result.text
    notes = [line for line in result.out.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: veraPDF not run: veraPDF 1.30.2 is not in {tmp_path / 'empty-cache'}/1.30.2/lib"
        " — run scripts/verapdf --fetch once (needs Java 11+ and Maven), or pass --no-verapdf"
    ]
    asked = run("audit", "--verapdf", str(shipped_pack / HANDOUT), cwd=tmp_path)
    assert asked.code == 2
    assert "handoutkit: veraPDF is not available: veraPDF 1.30.2 is not in" in asked.err


def test_json_report_shape(run, shipped_pack: Path) -> None:
    result = run("audit", "--no-verapdf", "--format", "json", HANDOUT, cwd=shipped_pack)
    report = json.loads(result.out)  # stdout is only the JSON document
    assert report["ok"] is True and result.code == 0
    [data] = report["files"]
    assert data["path"] == HANDOUT and data["pages"] == len(data["page_sizes"])
    assert data["page_sizes"][0] == {
        "page": 1,
        "width_pt": 612.0,
        "height_pt": 792.0,
        "label": "Letter 8.5×11 in",
    }
    assert set(data["text"]) == {"body_pt", "smallest_pt", "smallest_page", "glyphs_by_size_pt"}
    assert data["verapdf"] is None
    assert data["summary"].startswith(f"{HANDOUT}: PASS — ")


def test_problems_carry_registered_audit_rule_ids() -> None:
    """Every check id the audit uses is an audit rule of the registry; others fail loudly."""
    from handoutkit.audit.report import Problem
    from handoutkit.rules import RULES

    sources = (REPO / "src" / "handoutkit" / "audit").glob("*.py")
    used = {m for path in sources for m in re.findall(r'check="([^"]*)"', path.read_text())}
    assert used == {rule.id for rule in RULES.values() if rule.stage == "audit"}
    for wrong in ("", "no-such-rule", "yaml-syntax"):
        with pytest.raises(ValueError, match="registered audit rule"):
            Problem("handout.pdf", "a message", check=wrong)
