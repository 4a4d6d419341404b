"""`handoutkit build`: the shipped pack as tagged, deterministic PDF/UA, and build safety."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from helpers import (
    BRIEF_PDF,
    REPO,
    copy_shipped_project,
    page_texts,
    struct_elements,
    unembedded_fonts,
)

# Pages per kind and edition: the brief carries methods, limitations, authorship and a GRADE
# table with its footnotes (content review 2026-12); a limit catches a layout that runs away.
MAX_PAGES = {
    "handout": {"standard": 5, "large-print": 11},
    "brief": {"standard": 6, "large-print": 17},
    "worksheet": {"standard": 3, "large-print": 6},
}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped pack, built once (PDF and HTML) into a temporary folder."""
    import datetime as dt

    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    project_dir = copy_shipped_project(tmp_path_factory.mktemp("shipped") / "project")
    out = project_dir / "out"
    report = build_project(
        load_project(project_dir), out, today=dt.date(2026, 11, 23), formats=("pdf", "html")
    )
    assert report.ok, [str(p) for r in report.failed for p in r.problems]
    assert not report.diagnostics.errors
    return out


def shipped_pdfs(out: Path) -> list[Path]:
    return sorted(out.glob("*/*.pdf"))


def test_every_document_edition_and_paper_is_built(shipped: Path) -> None:
    names = {p.relative_to(shipped).as_posix() for p in shipped_pdfs(shipped)}
    documents = sorted(p.name.rsplit(".", 1)[0] for p in (REPO / "content").glob("*/*.*.yaml"))
    assert documents, "the shipped pack has no documents"
    for stem in documents:
        for edition in ("standard", "large-print"):
            for paper in ("letter", "a4"):
                assert f"ketamine-bpd/{stem}.{edition}.{paper}.pdf" in names
            assert (shipped / "ketamine-bpd" / f"{stem}.{edition}.html").is_file()


def test_pdfs_are_tagged_pdf_ua(shipped: Path) -> None:
    for path in shipped_pdfs(shipped):
        language = path.name.split(".")[1]
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root, path.name
            assert pdf.Root.MarkInfo.Marked is True, path.name
            assert str(pdf.Root.Lang) == language, path.name
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True, path.name
            title = str(pdf.docinfo["/Title"])
            # the topic's handouts and brief, or its safety-plan worksheet
            assert re.search(r"ketamin|safety plan|plan de seguridad", title.lower()), path.name
            with pdf.open_metadata() as meta:
                assert meta.get("pdfuaid:part") == "1", path.name
                assert meta.get("dc:title"), path.name
            assert str(pdf.docinfo["/Author"]) == "Sample Clinic"
            assert "/CreationDate" not in pdf.docinfo  # a draft has no review date
            assert unembedded_fonts(pdf) == [], path.name
            elements = struct_elements(pdf)
            kinds = {str(e.S) for e in elements}
            assert {"/H1", "/H2", "/P", "/L", "/LI"} <= kinds, (path.name, kinds)
            for element in elements:
                if element.S == "/Figure":
                    assert str(element.get("/Alt", "")).strip(), path.name


def test_brief_tables_have_header_cells(shipped: Path) -> None:
    with pikepdf.open(shipped / "ketamine-bpd" / "brief.en.standard.letter.pdf") as pdf:
        kinds = [str(e.S) for e in struct_elements(pdf)]
    # WeasyPrint tags each page's part of a split table as its own /Table (known, see 4/8)
    assert kinds.count("/Table") >= 2
    assert "/Caption" in kinds and "/THead" in kinds
    assert "/TH" in kinds and "/TD" in kinds


def test_every_page_shows_988_and_page_numbers(shipped: Path) -> None:
    for path in shipped_pdfs(shipped):
        pages = page_texts(path)
        for number, text in enumerate(pages, start=1):
            assert "988" in text, f"{path.name} page {number}"
            assert f"{number} " in text and f" {len(pages)}" in text, f"{path.name} page {number}"
        kind, _language, edition = path.name.split(".")[:3]
        assert len(pages) <= MAX_PAGES[kind][edition], (path.name, len(pages))


def test_crisis_block_is_on_page_one_of_every_pdf(shipped: Path) -> None:
    """Page 1 of handouts and briefs; a worksheet ends with it, after its last step, before
    the disclaimer (its every page has the crisis line in the footer)."""
    for path in shipped_pdfs(shipped):
        pages = page_texts(path)
        first = pages[0]
        if path.name.startswith("worksheet."):
            heading = "Si está en crisis" if ".es." in path.name else "If you are in crisis"
            about = "Sobre esta hoja de trabajo" if ".es." in path.name else "About this worksheet"
            whole = "\n".join(pages)
            assert heading not in first and heading in whole, path.name
            assert whole.index(heading) < whole.index(about), path.name
            assert "911" in whole[whole.index(heading) :], path.name
            continue
        if path.name.startswith("brief."):  # for clinicians: resources to pass on
            heading = "Crisis resources to share with patients"
        else:
            heading = "Si está en crisis" if ".es." in path.name else "If you are in crisis"
        assert heading in first, path.name
        assert "911" in first, path.name


def test_mandatory_blocks_close_the_document(shipped: Path) -> None:
    english = page_texts(shipped / "ketamine-bpd" / "handout.en.standard.letter.pdf")
    whole = "\n".join(english)
    assert "If you are in crisis, get help now" in english[0]
    assert "741741" in english[0] and "911" in english[0]
    assert "About this handout" in whole and "not medical advice" in whole
    assert whole.index("About this handout") < whole.index("References")
    assert "Fineberg SK, Choi EY, Shapiro-Thompson R, et al." in whole
    spanish = "\n".join(page_texts(shipped / "ketamine-bpd" / "handout.es.standard.letter.pdf"))
    assert "Referencias" in spanish and "Página 1 de" in spanish
    assert "marque 2" in spanish and "AYUDA" in spanish
    brief = "\n".join(page_texts(shipped / "ketamine-bpd" / "brief.en.standard.letter.pdf"))
    assert "Bottom line" in brief and "About this brief" in brief
    assert brief.index("Bottom line") < brief.index("Summary of findings")


def test_page_furniture_is_artifact_not_orphan_spans(shipped: Path) -> None:
    for path in shipped_pdfs(shipped):
        with pikepdf.open(path) as pdf:
            reachable = {e.objgen for e in struct_elements(pdf) if e.is_indirect}
            parent_tree = pdf.Root.StructTreeRoot.ParentTree
            for page in pdf.pages:
                mcids = _page_mcids(page)
                key = int(page.obj.StructParents)
                parents = _number_tree_get(parent_tree, key)
                for mcid in mcids:
                    element = parents[mcid]
                    assert element.objgen in reachable, (path.name, mcid)
                operators = [str(op) for _, op in pikepdf.parse_content_stream(page)]
                assert "BDC" in operators


def _page_mcids(page: pikepdf.Page) -> list[int]:
    mcids = []
    for operands, operator in pikepdf.parse_content_stream(page):
        properties = operands[1] if str(operator) == "BDC" else None
        if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
            mcids.append(int(properties.MCID))
    return mcids


def _number_tree_get(tree: pikepdf.Dictionary, key: int) -> pikepdf.Array:
    if "/Nums" in tree:
        nums = tree.Nums
        for i in range(0, len(nums), 2):
            if int(nums[i]) == key:
                return nums[i + 1]
    for kid in tree.get("/Kids", []):
        low, high = (int(x) for x in kid.Limits)
        if low <= key <= high:
            return _number_tree_get(kid, key)
    raise KeyError(key)


def test_builds_are_byte_identical(shipped: Path, tmp_path: Path) -> None:
    import datetime as dt

    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    # another folder, another working directory: the output must not depend on either
    project_dir = copy_shipped_project(tmp_path / "elsewhere" / "copy")
    out = tmp_path / "second"
    report = build_project(load_project(project_dir), out, today=dt.date(2026, 11, 23))
    assert report.ok
    for first in shipped_pdfs(shipped):
        second = out / first.relative_to(shipped)
        assert first.read_bytes() == second.read_bytes(), first.name


# --------------------------------------------------------------------------- build safety


def test_build_command_writes_stable_names(run, mini: Path) -> None:
    result = run("build", cwd=mini)
    assert result.code == 0, result.text
    assert (mini / "dist" / "demo" / "handout.en.standard.letter.pdf").is_file()
    assert (mini / "dist" / "demo" / "brief.en.standard.letter.pdf").is_file()
    assert "2 built, 0 unchanged, 0 failed" in result.err
    assert not list((mini / "dist").rglob("*.tmp"))


def test_a_brief_built_alone_in_workers_names_its_patient_handout(run, mini: Path) -> None:
    """The brief prints its handouts' titles even when only it is built (the handout is not
    selected) and it is printed in worker processes (which get the project without its
    documents)."""
    brief = mini / "content" / "demo" / "brief.en.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("methods:", "patient_handouts: [demo-handout-en]\nmethods:"))
    result = run("build", "content/demo/brief.en.yaml", "--format", "pdf,html", "-j", "2", cwd=mini)
    assert result.code == 0, result.text
    assert "2 built" in result.err
    printed = " ".join(" ".join(page_texts(mini / BRIEF_PDF)).split())
    assert "Patient handout: A test handout (TEST-PH-EN)" in printed
    html = (mini / "dist" / "demo" / "brief.en.standard.html").read_text(encoding="utf-8")
    assert "A test handout</cite> (TEST-PH-EN)" in html


def test_failing_document_keeps_earlier_output_and_others_build(run, mini: Path) -> None:
    assert run("build", cwd=mini).code == 0
    handout = mini / "dist" / "demo" / "handout.en.standard.letter.pdf"
    brief = mini / "dist" / "demo" / "brief.en.standard.letter.pdf"
    good = handout.read_bytes()
    brief.unlink()
    source = mini / "content" / "demo" / "handout.en.yaml"
    source.write_text(source.read_text().replace("[@smith2020]", "[@nobody]"))
    result = run("build", cwd=mini)
    assert result.code == 1
    assert "unknown citation '@nobody'" in result.out
    assert "failed demo/handout.en.standard.letter.pdf" in result.err
    assert handout.read_bytes() == good
    assert brief.is_file(), "the other document must still build"
    assert not list((mini / "dist").rglob("*.tmp"))


def test_strict_build_fails_on_warnings(run, mini: Path) -> None:
    source = mini / "content" / "demo" / "handout.en.yaml"
    source.write_text(source.read_text().replace("2026-11-01", "2025-10-01"))
    assert run("build", cwd=mini).code == 0
    result = run("build", "--strict", cwd=mini)
    assert result.code == 1
    assert "review was due on 2026-10-01" in result.out


def _insert_before_main_message(project: Path, markup: str) -> None:
    anchor = '<section class="main-message"'
    _template_override(project, anchor, markup + "\n" + anchor)


def _template_override(project: Path, old: str, new: str) -> None:
    target = project / "templates" / "handout.html.j2"
    target.parent.mkdir(exist_ok=True)
    text = (REPO / "templates" / "handout.html.j2").read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))


def test_template_syntax_error_is_located(run, mini: Path) -> None:
    _template_override(mini, "{% endfor %}", "{% endfor")
    result = run("build", cwd=mini)
    assert result.code == 1
    assert "templates/handout.html.j2:" in result.err
    assert "template error:" in result.err
    assert "Traceback" not in result.text
    assert (mini / "dist" / "demo" / "brief.en.standard.letter.pdf").is_file()


def test_undefined_template_variable_is_an_error(run, mini: Path) -> None:
    old = '{{ md.block(doc.main_message, field_path("main_message")) }}'
    _template_override(mini, old, "{{ doc.no_such_field }}")
    result = run("build", cwd=mini)
    assert result.code == 1
    assert "templates/handout.html.j2:" in result.err and "no_such_field" in result.err


def test_missing_template_is_an_error(run, mini: Path, monkeypatch) -> None:
    import handoutkit.render.renderer

    monkeypatch.setattr(
        handoutkit.render.renderer, "template_dirs", lambda root: [root / "templates"]
    )
    (mini / "templates").mkdir()
    result = run("build", "-j", "1", cwd=mini)  # in this process, where the patch applies
    assert result.code == 1
    assert "templates/handout.html.j2:1:1: error: template error: template not found" in result.err


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd" alt="x">',
        '<img src="../../../../etc/passwd" alt="x">',
        '<img src="http://169.254.169.254/latest/meta-data/" alt="x">',
        '<link rel="attachment" href="/etc/hostname">',
        '<link rel="stylesheet" href="/etc/hostname">',
        '<div style="background: url(file:///etc/passwd)">x</div>',
    ],
)
def test_sandbox_refuses_outside_resources(run, mini: Path, markup: str) -> None:
    _insert_before_main_message(mini, markup)
    result = run("build", cwd=mini)
    assert result.code == 1, result.text
    assert "content/demo/handout.en.yaml:1:1: error: refused to load" in result.err
    assert not (mini / "dist" / "demo" / "handout.en.standard.letter.pdf").exists()


def test_sandbox_refuses_symlink_out_of_assets(run, mini: Path) -> None:
    (mini / "assets").mkdir()
    (mini / "assets" / "escape.png").symlink_to("/etc/passwd")
    _insert_before_main_message(mini, '<img src="assets/escape.png" alt="x">')
    result = run("build", cwd=mini)
    assert result.code == 1
    assert "refused to load" in result.err


def _add_pixel_asset(project: Path) -> None:
    (project / "assets").mkdir()
    shutil.copy(REPO / "tests" / "data" / "pixel.png", project / "assets" / "pixel.png")


def test_image_from_assets_with_alt_builds(run, mini: Path) -> None:
    _add_pixel_asset(mini)
    source = mini / "content" / "demo" / "handout.en.yaml"
    source.write_text(
        source.read_text() + "images:\n  - path: assets/pixel.png\n    alt: A small grey square\n"
    )
    result = run("build", cwd=mini)
    assert result.code == 0, result.text
    with pikepdf.open(mini / "dist" / "demo" / "handout.en.standard.letter.pdf") as pdf:
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        assert figures and str(figures[0].Alt) == "A small grey square"


def test_image_outside_assets_is_a_check_error(run, mini: Path) -> None:
    source = mini / "content" / "demo" / "handout.en.yaml"
    source.write_text(source.read_text() + "images:\n  - path: ../../etc/passwd\n    alt: x\n")
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "'../../etc/passwd' is outside the project's assets/ folder" in result.out


def test_weasyprint_error_fails_the_document(run, mini: Path) -> None:
    # an image without alt text makes WeasyPrint log an ERROR under pdf/ua-1
    _add_pixel_asset(mini)
    _insert_before_main_message(mini, '<img src="assets/pixel.png">')
    result = run("build", cwd=mini)
    assert result.code == 1
    assert "WeasyPrint: Image" in result.err and "alt" in result.err


def test_missing_font_fails_the_document(run, mini: Path) -> None:
    """A font the stylesheet names that neither the project nor handoutkit has (a file missing
    from the project's styles/ is taken from handoutkit's, file by file)."""
    styles = mini / "styles"
    shutil.copytree(REPO / "styles", styles)
    css = styles / "fonts.css"
    css.write_text(css.read_text().replace("latin-400-normal.ttf", "latin-400-gone.ttf"))
    result = run("build", cwd=mini)
    assert result.code == 1
    assert "font" in result.err.lower()


def test_unknown_format_is_a_usage_error(run, mini: Path) -> None:
    result = run("build", "--format", "docx", cwd=mini)
    assert result.code == 2
    assert "unknown value 'docx'" in result.err


@dataclass
class TextRun:
    size_pt: float
    text: str
    within: tuple[str, ...]  # enclosing elements, outermost first ("@margin": page furniture)
    weight: int
    line_height: float | None  # as a multiple of the font size; None for "normal"


def _text_runs(document) -> list[TextRun]:
    """Every laid-out text box of a WeasyPrint document, page furniture included."""
    runs: list[TextRun] = []

    def walk(box, within: tuple[str, ...]) -> None:
        tag = getattr(box, "element_tag", None)
        if tag and (not within or within[-1] != tag):
            within = (*within, tag)
        if hasattr(box, "text") and box.text.strip():
            style = box.style
            line_height = style["line_height"]
            if isinstance(line_height, int | float):
                ratio = float(line_height)
            elif getattr(line_height, "unit", None) == "px":
                ratio = line_height.value / style["font_size"]
            else:
                ratio = None
            runs.append(
                TextRun(style["font_size"] * 0.75, box.text, within, style["font_weight"], ratio)
            )
        for child in getattr(box, "children", []):
            walk(child, within)

    for page in document.pages:
        for child in page._page_box.children:
            walk(child, ("@margin",) if type(child).__name__ == "MarginBox" else ())
    return runs


def _layout(tmp_path: Path, document: str, edition: str, paper: str = "letter"):
    from handoutkit.content.loader import load_project
    from handoutkit.pdf.printer import Printer
    from handoutkit.render.renderer import Renderer

    project = load_project(copy_shipped_project(tmp_path / "p"))
    source = next(d for d in project.documents if d.stem == document)
    html = Renderer(project).render(source, edition).html
    return Printer(project.root).layout(html, edition, paper)


@pytest.mark.parametrize("document", ["handout.en", "handout.es", "brief.en"])
def test_standard_edition_body_is_at_least_12_pt(tmp_path: Path, document: str) -> None:
    runs = [r for r in _text_runs(_layout(tmp_path, document, "standard")) if "main" in r.within]
    characters: Counter[float] = Counter()  # the body is the size of most characters (audit)
    for r in runs:
        characters[round(r.size_pt, 1)] += len(r.text.strip())
    assert characters.most_common(1)[0][0] >= 12, "most text (the body) must be at least 12 pt"
    paragraphs = [r for r in runs if r.within[-1] in ("p", "li")]
    assert min(r.size_pt for r in paragraphs) >= 12, [r for r in paragraphs if r.size_pt < 12]


@pytest.mark.parametrize("document", ["handout.en", "handout.es", "brief.en"])
def test_large_print_follows_acb_2022(tmp_path: Path, document: str) -> None:
    """18 pt floor for all text (footers and citation numbers too), bold 22/20 pt headings,
    line spacing >= 1.15, 1-inch margins; wide tables get landscape pages."""
    laid_out = _layout(tmp_path, document, "large-print")
    runs = _text_runs(laid_out)
    small = [(r.size_pt, r.within[-1], r.text) for r in runs if r.size_pt < 17.99]
    assert not small, small[:5]
    assert any("@margin" in r.within for r in runs), "page furniture was not measured"
    assert any("sup" in r.within for r in runs), "citation numbers were not measured"
    headings = {
        (tag, round(r.size_pt, 1), r.weight)
        for r in runs
        for tag in r.within
        if tag in ("h1", "h2", "h3")
    }
    assert {h for h in headings if h[0] == "h1"} == {("h1", 22.0, 700)}
    assert {(size, weight) for tag, size, weight in headings if tag != "h1"} == {(20.0, 700)}
    spacing = [r.line_height for r in runs if r.line_height is not None and "sup" not in r.within]
    assert len(spacing) == len([r for r in runs if "sup" not in r.within]), "unmeasured spacing"
    assert min(spacing) >= 1.15
    for page in laid_out.pages:
        box = page._page_box
        margins = (box.margin_top, box.margin_right, box.margin_bottom, box.margin_left)
        assert min(margins) >= 96, margins  # CSS px: 1 inch
    portrait, landscape = 816, 1056  # Letter in CSS px
    widths = {round(page.width) for page in laid_out.pages}
    assert widths == ({portrait, landscape} if document.startswith("brief") else {portrait})


@pytest.mark.parametrize("document", ["handout.en", "handout.es", "brief.en"])
@pytest.mark.parametrize("edition", ["standard", "large-print"])
def test_letter_and_a4_both_lay_out_without_clipping(
    tmp_path: Path, document: str, edition: str
) -> None:
    """No text runs past the page's content box; page counts differ by one at most."""
    pages = {}
    for paper in ("letter", "a4"):
        laid_out = _layout(tmp_path / paper, document, edition, paper)
        pages[paper] = len(laid_out.pages)
        for number, page in enumerate(laid_out.pages, 1):
            box = page._page_box
            right = box.content_box_x() + box.width + 0.5  # CSS px
            bottom = box.content_box_y() + box.height + 0.5

            def walk(child, number=number, right=right, bottom=bottom, paper=paper) -> None:
                if type(child).__name__ == "MarginBox":
                    return
                if getattr(child, "text", "").strip():
                    edge = child.position_x + child.width
                    assert edge <= right, (paper, number, child.text, edge, right)
                    assert child.position_y + child.height <= bottom, (paper, number, child.text)
                for grandchild in getattr(child, "children", []):
                    walk(grandchild)

            for child in box.children:
                walk(child)
    assert abs(pages["letter"] - pages["a4"]) <= 1, pages
