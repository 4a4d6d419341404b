"""The waiting-room rack pack (`--format rack`): one tagged PDF of every handout per language and
paper size, each handout on a new sheet, opened by a catalog with QR codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import segno

from handoutkit.build.rack import start_pages
from helpers import MINI, REPO, TODAY, page_texts, struct_elements

URL = "https://example.org/demo"
LETTER = "rack/rack.en.letter.pdf"
SENTENCE = "You can ask your care team about this. They are there to help you. "


def _handout(doc_id: str, title: str, code: str, sections: int) -> str:
    body = "".join(
        f"  - heading: Part {n}\n    body: |\n      {SENTENCE * 6}It has a fact [@smith2020].\n"
        for n in range(1, sections + 1)
    )
    return (
        f"type: handout\nid: {doc_id}\nlanguage: en\ntitle: {title}\ncode: {code}\n"
        'version: "1.0"\nreview:\n  last_reviewed: 2026-11-01\n  reviewer:\n'
        "    name: Test Reviewer\n    role: Clinical reviewer\n"
        "main_message: Talk to your care team [@smith2020].\n"
        f"sections:\n{body}"
        "what_you_can_do:\n  - Write down your questions.\n"
        "questions:\n  - What are my options?\n"
        "get_help_now: If you feel unsafe, call or text 988 now.\n"
    )


SPANISH = """type: handout
id: demo-handout-es
language: es
title: Una hoja de prueba
code: TEST-PH-ES
version: "1.0"
review:
  last_reviewed: 2026-11-01
  reviewer:
    name: Test Reviewer
    role: Clinical reviewer
main_message: Hable con su equipo [@smith2020].
sections:
  - heading: Qué es
    body: Es una hoja corta. Tiene un dato [@smith2020].
what_you_can_do:
  - Anote sus dudas.
questions:
  - ¿Qué puedo hacer?
get_help_now: Si no se siente a salvo, llame al 988 ahora.
"""


def make_rack_project(root: Path, *, spanish: bool = False, a4: bool = False) -> Path:
    """The test project with three English handouts in three topics, of 2, 1 and 3 pages
    (alpha, demo, zeta), the demo one with an online version; optionally a Spanish handout
    and A4 paper."""
    shutil.copytree(MINI, root)
    content = root / "content"
    demo = content / "demo" / "handout.en.yaml"
    # one page: without its glossary, the draft's notice and the online address fit on it
    glossary = "glossary:\n  - term: Test\n    definition: A way to check something.\n"
    demo.write_text(demo.read_text().replace(glossary, "") + f"online_url: {URL}\n")
    for topic, doc_id, title, code, sections in (
        ("alpha", "alpha-en", "Zebra first by topic", "TEST-A-EN", 4),
        ("zeta", "zeta-en", "Another handout", "TEST-Z-EN", 9),
    ):
        (content / topic).mkdir()
        (content / topic / "handout.en.yaml").write_text(_handout(doc_id, title, code, sections))
    config = root / "handoutkit.yaml"
    if a4:
        config.write_text(config.read_text().replace("[letter]", "[letter, a4]"))
    if spanish:
        (content / "demo" / "handout.es.yaml").write_text(SPANISH)
        crisis = content / "crisis-resources.yaml"
        crisis.write_text(
            crisis.read_text()
            + "  es:\n    heading: Pida ayuda ahora\n"
            + '    footer_line: "¿En crisis? Llame o envíe un texto al 988"\n'
            + "    resources:\n      - name: 988 Línea de Prevención del Suicidio y Crisis\n"
            + '        how: "**Llame al 988.**"\n'
        )
        disclaimers = content / "disclaimers.yaml"
        disclaimers.write_text(
            disclaimers.read_text().replace(
                "clinician:", "  es: Esta hoja es información general.\nclinician:"
            )
        )
    return root


MEMBERS = ["alpha-en", "demo-handout-en", "zeta-en"]  # by topic: alpha, demo, zeta


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PDFs and rack packs of the test project (en, es × letter, a4), built with two workers."""
    from handoutkit.build.run import Selection, build_project
    from handoutkit.content.loader import load_project

    project = make_rack_project(tmp_path_factory.mktemp("rack") / "project", spanish=True, a4=True)
    out = project / "dist"
    report = build_project(
        load_project(project),
        out,
        today=dt.date.fromisoformat(TODAY),
        selection=Selection(formats=("pdf", "rack")),
        jobs=2,
    )
    assert report.ok, [str(p) for r in report.results for p in r.problems]
    return out


def manifest(out: Path) -> dict[str, dict]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in data["outputs"]}


def pages_of(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


# --------------------------------------------------------------------------- the pack


def test_one_pack_per_language_and_paper_with_every_handout_in_order(pack: Path) -> None:
    entries = manifest(pack)
    racks = {path: entry for path, entry in entries.items() if entry["format"] == "rack"}
    assert set(racks) == {
        f"rack/rack.{lang}.{paper}.pdf" for lang in ("en", "es") for paper in ("letter", "a4")
    }
    for path, entry in racks.items():
        language, paper = path.split(".")[1:3]
        assert (entry["language"], entry["paper"], entry["edition"]) == (
            language,
            paper,
            "standard",
        )
        assert entry["members"] == (MEMBERS if language == "en" else ["demo-handout-es"])
        assert entry["left_out"] == []
        assert entry["kind"] == "rack" and entry["review_due"] == "2027-11-01"
        data = (pack / path).read_bytes()
        assert entry["pages"] == pages_of(pack / path)
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    # briefs are for clinicians: in no pack
    assert all("demo-brief-en" not in entry["members"] for entry in racks.values())


def test_each_handout_starts_on_a_new_sheet_with_its_own_page_numbers(pack: Path) -> None:
    member_pages = [
        pages_of(pack / topic / "handout.en.standard.letter.pdf")
        for topic in ("alpha", "demo", "zeta")
    ]
    assert member_pages == [2, 1, 3]  # so the pack has a blank after the catalog and after demo
    starts = start_pages(1, member_pages)
    assert starts == [3, 5, 7]
    texts = page_texts(pack / LETTER)
    assert len(texts) == 9
    assert texts[1].strip() == "" and texts[5].strip() == ""  # blank backs
    for start, title, pages in zip(
        starts,
        ["Zebra first by topic", "A test handout", "Another handout"],
        member_pages,
        strict=True,
    ):
        assert start % 2 == 1
        assert title in texts[start - 1]
        for number in range(1, pages + 1):  # each handout's own "Page X of Y" footers
            assert f"Page {number} of {pages}" in texts[start - 2 + number]
    # the member pages are the standalone PDF's pages, unchanged
    with (
        pikepdf.open(pack / LETTER) as rack,
        pikepdf.open(pack / "zeta" / "handout.en.standard.letter.pdf") as alone,
    ):
        for offset, page in enumerate(alone.pages):
            assert rack.pages[6 + offset].Contents.read_bytes() == page.Contents.read_bytes()


def test_catalog_lists_titles_pages_and_a_qr_code_to_the_online_version(
    pack: Path, tmp_path: Path
) -> None:
    catalog = page_texts(pack / LETTER)[0]
    assert "Handouts in this pack" in catalog
    positions = [catalog.index(t) for t in ("Zebra first", "A test handout", "Another handout")]
    assert positions == sorted(positions)
    for pages in ("3–4", "5", "7–9"):
        assert pages in catalog
    assert URL in catalog and catalog.count("No online version") == 2
    assert "Call or text 988" in catalog  # the crisis block
    assert "general information, not medical advice" in catalog  # the disclaimer ...
    # ... introduced as every handout's own notice, and the topic named (issue 6/8, point 9)
    flat = " ".join(catalog.split())
    assert "About these handouts Each handout in this pack ends with this notice:" in flat
    assert "Topic: demo" in flat and "Topic: demo · TEST-PH-EN" in flat
    with pikepdf.open(pack / LETTER) as pdf:
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        assert [str(f.Alt) for f in figures] == ["QR code: online version of A test handout"]
        mcid = int(figures[0].K[0])
    expected = tuple(tuple(row) for row in segno.make(URL, error="m").matrix)
    assert _printed_qr(pack / LETTER, mcid, tmp_path) == expected


def _printed_qr(path: Path, mcid: int, tmp_path: Path) -> tuple[tuple[int, ...], ...]:
    """The modules of the QR code as printed on page 1: everything else on the page is removed,
    the page rasterised at 300 dpi, and each module's centre read."""
    single = tmp_path / "qr-only.pdf"
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(_only(page, mcid)))
        del pdf.pages[1:]
        pdf.save(single)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", str(single), str(tmp_path / "qr")], check=True
    )
    width, _height, pixels = _read_pgm(next(tmp_path.glob("qr*.pgm")))
    dark = [(i % width, i // width) for i, value in enumerate(pixels) if value < 128]
    x0, x1 = min(x for x, _ in dark), max(x for x, _ in dark)
    y0, y1 = min(y for _, y in dark), max(y for _, y in dark)
    size = len(segno.make(URL, error="m").matrix)
    module = (x1 - x0 + 1) / size
    assert abs((y1 - y0 + 1) / size - module) < 0.5 and module > 4
    return tuple(
        tuple(
            int(
                pixels[int(y0 + (row + 0.5) * module) * width + int(x0 + (col + 0.5) * module)]
                < 128
            )
            for col in range(size)
        )
        for row in range(size)
    )


_STATE = {
    "q",
    "Q",
    "cm",
    "gs",
    "w",
    "J",
    "j",
    "M",
    "d",
    "ri",
    "i",
    "m",
    "l",
    "c",
    "v",
    "y",
    "h",
    "re",
    "W",
    "W*",
    "n",
    "BT",
    "ET",
    "Tf",
    "Tm",
    "Td",
    "TD",
    "T*",
    "TL",
    "Tc",
    "Tw",
    "Tz",
    "Ts",
    "Tr",
    "BMC",
    "BDC",
    "EMC",
    "CS",
    "cs",
    "SC",
    "SCN",
    "sc",
    "scn",
    "G",
    "g",
    "RG",
    "rg",
    "K",
    "k",
}
_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}


def _only(page: pikepdf.Page, mcid: int) -> list:
    """The page's content with everything outside marked-content sequence `mcid` unpainted."""
    kept = []
    inside: list[bool] = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            if any(inside):
                kept.append(instruction)
            continue
        operator = str(instruction.operator)
        if operator in ("BDC", "BMC"):
            properties = instruction.operands[-1]
            here = isinstance(properties, pikepdf.Dictionary) and properties.get("/MCID") == mcid
            inside.append(here)
        elif operator == "EMC" and inside:
            inside.pop()
        if any(inside) or operator in _STATE:
            kept.append(instruction)
        elif operator in _PAINT:
            kept.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("n")))
    return kept


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    magic, width, height, maximum, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maximum == b"255"
    return int(width), int(height), pixels


# --------------------------------------------------------------------------- tags


def test_the_pack_is_one_tagged_document_with_a_part_per_file(pack: Path) -> None:
    for path in (pack / LETTER, pack / "rack" / "rack.es.a4.pdf"):
        language = path.name.split(".")[1]
        with pikepdf.open(path) as pdf:
            root = pdf.Root
            assert str(root.Lang) == language and root.MarkInfo.Marked
            assert root.ViewerPreferences.DisplayDocTitle
            assert 'pdfuaid:part="1"' in root.Metadata.read_bytes().decode()
            with pdf.open_metadata() as xmp:
                assert xmp["dc:title"] == str(pdf.docinfo.Title)
            assert str(pdf.docinfo.Title).startswith(
                "Handouts in this pack" if language == "en" else "Hojas informativas"
            )
            tree = root.StructTreeRoot
            document = tree.K
            assert document.S == "/Document"
            parts = list(document.K)
            assert all(p.S == "/Part" and str(p.Lang) == language for p in parts)
            titles = [str(p.T) for p in parts]
            expected = (
                ["Zebra first by topic", "A test handout", "Another handout"]
                if language == "en"
                else ["Una hoja de prueba"]
            )
            assert titles[1:] == expected
            _check_tags(pdf, parts)


def _check_tags(pdf: pikepdf.Pdf, parts: list[pikepdf.Dictionary]) -> None:
    """Every MCID and annotation resolves through the one /ParentTree to an element reachable
    from the root, in the part that owns its page; links stay in their part."""
    tree = pdf.Root.StructTreeRoot
    reachable = {e.objgen for e in struct_elements(pdf) if e.is_indirect}
    parent_tree = pikepdf.NumberTree(tree.ParentTree)
    keys = sorted(int(k) for k, _ in parent_tree.items())
    assert int(tree.ParentTreeNextKey) > keys[-1]
    owner = {}
    for part in parts:
        for element in struct_elements_under(part):
            owner[element.objgen] = part.objgen
    page_part: dict[int, tuple[int, int]] = {}
    used: set[int] = set()
    for number, page in enumerate(pdf.pages):
        if "/StructParents" not in page.obj:
            assert not list(pikepdf.parse_content_stream(page)), "untagged page content"
            continue
        key = int(page.obj.StructParents)
        assert key not in used
        used.add(key)
        elements = parent_tree[key]
        mcids = [
            int(operands[1].MCID)
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC"
            and isinstance(operands[1], pikepdf.Dictionary)
            and "/MCID" in operands[1]
        ]
        assert mcids
        parts_here = set()
        for mcid in mcids:
            element = elements[mcid]
            assert element.objgen in reachable, (number, mcid)
            parts_here.add(owner[element.objgen])
        assert len(parts_here) == 1, number
        page_part[number] = parts_here.pop()
        for annotation in page.obj.get("/Annots", []):
            key = int(annotation.StructParent)
            assert key not in used
            used.add(key)
            assert parent_tree[key].objgen in reachable
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    catalog = parts[0].objgen
    first_page = {}
    for number, part in sorted(page_part.items()):
        first_page.setdefault(part, number)
    title = {part.objgen: str(part.T) for part in parts}
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            dest = annotation.get("/Dest")
            if dest is None:
                assert annotation.A.S == "/URI"
                continue
            assert isinstance(dest, pikepdf.Array), "named destinations are resolved"
            target = pages[dest[0].objgen]
            if page_part[number] == catalog:  # the catalog's links open a handout
                assert target == first_page[page_part[target]] != 0
                assert str(annotation.Contents) == title[page_part[target]]
            else:
                assert page_part[target] == page_part[number]
    ids = list(tree.IDTree.Names) if "/IDTree" in tree else []
    names = [str(ids[i]) for i in range(0, len(ids), 2)]
    assert names == sorted(names) and len(set(names)) == len(names)
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            fonts.setdefault(str(font.BaseFont), set()).add(font.objgen)
    assert all(len(objects) == 1 for objects in fonts.values()), "subset tags must differ"


def struct_elements_under(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    found, stack = [], [element]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                stack.append(node.K)
    return found


def test_bookmarks_one_per_handout(pack: Path) -> None:
    with pikepdf.open(pack / LETTER) as pdf:
        pages = {page.obj.objgen: n + 1 for n, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            top = [(item.title, pages[item.destination[0].objgen]) for item in outline.root]
            closed = [item.is_closed for item in outline.root]
    assert top == [
        ("Handouts in this pack", 1),
        ("Zebra first by topic", 3),
        ("A test handout", 5),
        ("Another handout", 7),
    ]
    assert closed == [False, True, True, True]


def test_the_pack_passes_the_audit_and_verapdf(pack: Path) -> None:
    from handoutkit.audit import audit_files
    from handoutkit.audit.verapdf import Unavailable, find_verapdf

    racks = sorted((pack / "rack").glob("*.pdf"))
    assert len(racks) == 4
    report = audit_files(racks, verapdf=False)
    for audit in report.files:
        assert audit.ok, [str(p) for p in audit.problems]
    tool = find_verapdf()
    if isinstance(tool, Unavailable):
        pytest.skip(f"veraPDF cannot run here: {tool}")
    report = audit_files(racks, verapdf=True)
    for audit in report.files:
        assert audit.verapdf is not None and audit.verapdf.compliant, [
            str(p) for p in audit.problems
        ]


def test_one_and_two_workers_give_a_byte_identical_pack(pack: Path, tmp_path: Path) -> None:
    from handoutkit.build.run import Selection, build_project
    from handoutkit.content.loader import load_project

    out = tmp_path / "one"
    report = build_project(
        load_project(pack.parent),
        out,
        today=dt.date.fromisoformat(TODAY),
        selection=Selection(formats=("rack",)),
        jobs=1,
    )
    assert report.ok
    for rack in sorted((pack / "rack").glob("*.pdf")):
        assert (out / "rack" / rack.name).read_bytes() == rack.read_bytes(), rack.name


# --------------------------------------------------------------------------- the build


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_rack_project(tmp_path / "project")


def build(run, project: Path, *args: str, code: int = 0) -> dict[str, dict]:
    result = run("build", "--format", "json,rack", "-j", "1", *args, cwd=project)
    assert result.code == code, result.text
    return {output["path"]: output for output in json.loads(result.out)["outputs"]}


def test_an_unchanged_pack_is_skipped_and_a_changed_member_rebuilds_it(run, project: Path):
    assert build(run, project)[LETTER]["status"] == "built"
    assert build(run, project)[LETTER]["status"] == "skipped"
    # a brief is in no pack
    brief = project / "content" / "demo" / "brief.en.yaml"
    brief.write_text(brief.read_text().replace("Does it work?", "Does it help?"))
    assert build(run, project)[LETTER]["status"] == "skipped"
    # one member handout
    zeta = project / "content" / "zeta" / "handout.en.yaml"
    zeta.write_text(zeta.read_text().replace("Write down your questions.", "Write them down."))
    assert build(run, project)[LETTER]["status"] == "built"
    # the catalog template (a project override)
    (project / "templates").mkdir()
    template = (REPO / "templates" / "rack-catalog.html.j2").read_text()
    (project / "templates" / "rack-catalog.html.j2").write_text(template + "\n")
    assert build(run, project)[LETTER]["status"] == "built"
    assert build(run, project)[LETTER]["status"] == "skipped"


def test_a_handout_with_errors_is_left_out_and_the_build_fails(run, project: Path) -> None:
    demo = project / "content" / "demo" / "handout.en.yaml"
    good = demo.read_text()
    demo.write_text(good.replace("[@smith2020].\nsections", "[@nobody2000].\nsections"))
    for status in ("built", "skipped"):  # reported again while it is not fixed
        output = build(run, project, code=1)[LETTER]
        assert output["status"] == status
        (problem,) = output["problems"]
        assert problem["location"]["path"] == "content/demo/handout.en.yaml"
        assert problem["severity"] == "error"
        assert problem["message"].startswith(f"left out of {LETTER}: not built:")
        entry = manifest(project / "dist")[LETTER]
        assert entry["members"] == ["alpha-en", "zeta-en"]
        assert entry["left_out"] == ["demo-handout-en"]
    texts = page_texts(project / "dist" / LETTER)
    assert "A test handout" not in texts[0] and URL not in "".join(texts)
    assert len(texts) == 7  # catalog, blank, alpha (2), blank, zeta (3)
    demo.write_text(good)
    output = build(run, project)[LETTER]
    assert output["status"] == "built" and not output["problems"]
    assert manifest(project / "dist")[LETTER]["members"] == MEMBERS


def test_a_pack_without_any_buildable_handout_fails_and_keeps_the_earlier_one(
    run, project: Path
) -> None:
    build(run, project)
    before = (project / "dist" / LETTER).read_bytes()
    for path in (project / "content").glob("*/handout.en.yaml"):
        path.write_text(path.read_text().replace("[@smith2020]", "[@nobody2000]"))
    output = build(run, project, code=1)[LETTER]
    assert output["status"] == "failed"
    assert output["problems"][-1]["message"] == (
        "not built: none of the handouts of this pack can be built"
    )
    assert (project / "dist" / LETTER).read_bytes() == before


def test_a_handout_that_fails_to_print_is_left_out_and_tried_again(
    run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handoutkit.diagnostics import Location
    from handoutkit.errors import ContentError
    from handoutkit.pdf.printer import Printer

    real = Printer.print_pdf

    def failing(self, html, edition, paper, shown, standard="ua-1"):
        if shown == "content/zeta/handout.en.yaml":
            raise ContentError.at(Location("x"), "cannot print", rule="print")
        return real(self, html, edition, paper, shown, standard)

    monkeypatch.setattr(Printer, "print_pdf", failing)
    output = build(run, project, code=1)[LETTER]
    assert output["status"] == "built"
    assert output["problems"][0]["message"] == (
        f"left out of {LETTER}: printing failed (1 problem)"
    )
    assert manifest(project / "dist")[LETTER]["left_out"] == ["zeta-en"]
    monkeypatch.setattr(Printer, "print_pdf", real)
    output = build(run, project)[LETTER]  # no key was kept: built again, now complete
    assert output["status"] == "built" and not output["problems"]
    assert manifest(project / "dist")[LETTER]["members"] == MEMBERS


def test_a_handout_over_its_page_limit_is_left_out_as_its_own_pdf_fails(run, project: Path) -> None:
    config = project / "handoutkit.yaml"
    config.write_text(config.read_text() + "limits:\n  pages:\n    handout: {error: 2}\n")
    result = run("build", "--format", "json,pdf,rack", "-j", "1", cwd=project)
    assert result.code == 1, result.text
    outputs = {output["path"]: output for output in json.loads(result.out)["outputs"]}
    own = outputs["zeta/handout.en.standard.letter.pdf"]  # 3 pages
    assert own["status"] == "failed" and own["problems"][0]["rule"] == "page-limit"
    assert outputs[LETTER]["status"] == "built"
    assert outputs[LETTER]["problems"][0]["message"] == (
        f"left out of {LETTER}: 3 pages, more than the 2 a handout may have"
    )
    assert manifest(project / "dist")[LETTER]["left_out"] == ["zeta-en"]


def test_a_pack_is_never_built_from_named_documents(run, project: Path) -> None:
    result = run("build", "--format", "rack", "demo-handout-en", cwd=project)
    assert result.code == 2
    assert "a rack pack holds every handout of a language" in result.err
    assert not (project / "dist").exists()


def test_large_print_only_selects_no_pack(run, project: Path) -> None:
    config = project / "handoutkit.yaml"
    config.write_text(config.read_text().replace("[standard]", "[standard, large-print]"))
    result = run("build", "--format", "json,pdf,rack", "--edition", "large-print", cwd=project)
    assert result.code == 0, result.text
    paths = {output["path"] for output in json.loads(result.out)["outputs"]}
    assert paths and not any(path.startswith("rack/") for path in paths)


def test_start_pages_put_every_member_on_the_front_of_a_sheet() -> None:
    assert start_pages(1, [1, 1, 1]) == [3, 5, 7]
    assert start_pages(1, [2, 2]) == [3, 5]
    assert start_pages(2, [3, 4, 1]) == [3, 7, 11]
