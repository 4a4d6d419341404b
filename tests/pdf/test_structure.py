"""What a screen reader gets from our PDFs (pdf/structure.py, splits.py, ua2.py), on a fixture
of our own: a table and a list forced across three pages, a citation after a number, a header
cell with and without scope, a phrase in another language. The same HTML printed by plain
WeasyPrint has every problem `handoutkit audit` reports (split-element, link-description,
table-scope, fused-citation); printed by handoutkit it has none."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import weasyprint

from handoutkit.audit.transcript import transcript_lines
from handoutkit.audit.verapdf import Unavailable, find_verapdf, validate
from handoutkit.pdf.printer import Printer
from handoutkit.pdf.text import page_text
from helpers import struct_elements

ROWS = "".join(
    f'<tr><th scope="row">Outcome {i}</th><td>{i * 3} (1 RCT)</td><td>Effect {i}</td></tr>'
    for i in range(1, 61)
)
ITEMS = "".join(f"<li>Point number {i} of the long list</li>" for i in range(1, 90))
HTML = f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Structure test</title></head><body><main>
<h1>Prueba de estructura</h1>
<p>El efecto fue p = 0.03<sup class="cite"><a href="#ref-1"
  aria-label="Reference 1: Fineberg 2023">1</a></sup> en el estudio de Fineberg 2023<sup
  class="cite"><a href="#ref-1" aria-label="Reference 1: Fineberg 2023">1</a>,<a href="#ref-2"
  aria-label="Reference 2: Storebø 2020">2</a></sup>.</p>
<p>La terapia <span lang="en">DBT</span> ayuda.
  Ver <a href="https://example.org/dbt">la guía</a>.</p>
<table><caption>Resultados</caption>
<thead><tr><th scope="col">Outcome</th><th>Participants</th><th scope="col">Effect</th></tr></thead>
<tbody>{ROWS}</tbody></table>
<ul>{ITEMS}</ul>
<h2>Referencias</h2>
<ol><li id="ref-1">Fineberg SK. A pilot trial. 2023.</li><li id="ref-2">Storebø OJ. 2020.</li></ol>
</main></body></html>"""
CSS = "@page { size: A5; margin: 15mm } body { font: 12pt sans-serif } th, td { padding: 2pt }"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture printed three ways: plain WeasyPrint, handoutkit UA-1 and UA-2."""
    folder = tmp_path_factory.mktemp("structure")
    (folder / "styles").mkdir()
    html = HTML.replace("</head>", f"<style>{CSS}</style></head>")
    plain = folder / "plain.pdf"
    weasyprint.HTML(string=html).write_pdf(plain, pdf_variant="pdf/ua-1")
    out = {"plain": plain}
    printer = Printer(folder)
    for standard in ("ua-1", "ua-2"):
        path = folder / f"{standard}.pdf"
        path.write_bytes(printer.print_pdf(html, "standard", "a4", "test.html", standard).pdf)
        out[standard] = path
    return out


def _roles(pdf: pikepdf.Pdf, role: str) -> list[pikepdf.Dictionary]:
    return [e for e in struct_elements(pdf) if pikepdf.Name(role) == e.S]


def _pages_of(pdf: pikepdf.Pdf, element: pikepdf.Dictionary) -> set[int]:
    numbers = {page.obj.objgen: i for i, page in enumerate(pdf.pages, 1)}
    found = set()
    stack: list[tuple[object, object]] = [(element, element.get("/Pg"))]
    while stack:
        node, page = stack.pop()
        if isinstance(node, int) and isinstance(page, pikepdf.Dictionary):
            found.add(numbers[page.objgen])
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") == pikepdf.Name.MCR:
            found.add(numbers[node.Pg.objgen])
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            value = node.get("/K")
            items = list(value) if isinstance(value, pikepdf.Array) else [value]
            stack.extend((kid, node.get("/Pg", page)) for kid in items if kid is not None)
    return found


@pytest.mark.parametrize("standard", ["ua-1", "ua-2"])
def test_a_table_and_a_list_over_three_pages_are_one_element_each(printed, standard) -> None:
    with pikepdf.open(printed[standard]) as pdf:
        tables, lists = _roles(pdf, "/Table"), _roles(pdf, "/L")
        assert len(tables) == 1
        assert len(_pages_of(pdf, tables[0])) >= 3
        groups = [k for k in tables[0].K if isinstance(k, pikepdf.Dictionary)]
        assert [str(g.S) for g in groups] == ["/Caption", "/THead", "/TBody"]
        assert len(_roles(pdf, "/THead")) == 1
        rows = [r for r in groups[2].K if isinstance(r, pikepdf.Dictionary)]
        assert len(rows) == 60
        long_list = next(e for e in lists if len(_pages_of(pdf, e)) >= 2)
        assert len(lists) == 2  # the long list and the references
        assert len([k for k in long_list.K if isinstance(k, pikepdf.Dictionary)]) == 89
        # every cell's /Headers names a header cell that is in the tree
        ids = {str(e.ID) for e in struct_elements(pdf) if "/ID" in e}
        for cell in _roles(pdf, "/TD"):
            assert cell.A.Headers, cell
            assert {str(h) for h in cell.A.Headers} <= ids


def test_plain_weasyprint_splits_them(printed) -> None:
    with pikepdf.open(printed["plain"]) as pdf:
        assert len(_roles(pdf, "/Table")) >= 3
        assert len(_roles(pdf, "/THead")) >= 3


def test_reading_order_and_repeated_header(printed) -> None:
    """The transcript reads every row once, in order, under one header row; the repeated
    header is an artifact, so extraction does not read it on later pages either."""
    with pikepdf.open(printed["ua-1"]) as pdf:
        lines = transcript_lines(pdf)
    text = "\n".join(lines)
    assert text.count("header row:") == 1
    rows = [int(n) for n in re.findall(r"row: Outcome: Outcome (\d+);", text)]
    assert rows == list(range(1, 61))
    items = [int(n) for n in re.findall(r"item: • Point number (\d+)", text)]
    assert items == list(range(1, 90))
    with pikepdf.open(printed["ua-1"]) as pdf:
        tagged = [t for page in pdf.pages for t in page_text(page).texts.values()]
        assert len(pdf.pages) >= 3
    assert sum("Participants" in t for t in tagged) == 1  # elsewhere an artifact


def test_scope_lang_links_and_citations(printed) -> None:
    with pikepdf.open(printed["ua-1"]) as pdf:
        scopes = {(str(th.P.P.S), str(th.A.Scope)) for th in _roles(pdf, "/TH")}
        # "Participants" has no scope: in the header row, it heads a column
        assert scopes == {("/THead", "/Column"), ("/TBody", "/Row")}
        assert len(_roles(pdf, "/TH")) == 63
        spans = [e for e in struct_elements(pdf) if "/Lang" in e]
        assert [str(e.Lang) for e in spans] == ["en"]
        contents = [str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert contents[:3] == [
            "Reference 1: Fineberg 2023",
            "Reference 1: Fineberg 2023",
            "Reference 2: Storebø 2020",
        ]
        assert "la guía" in contents
        cites = [e for e in struct_elements(pdf) if "/ActualText" in e]
        assert sorted(str(e.ActualText) for e in cites) == [" [1,2]", " [1]"]
    extracted = subprocess.run(
        ["pdftotext", str(printed["ua-1"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"p = 0\.03(?!\d)", extracted)
    assert "p = 0.03 [1]" in extracted
    assert re.search(r"Fineberg\s+2023 \[1,2\]\.", extracted)


def test_audit_reports_each_problem_of_plain_weasyprint(run, printed) -> None:
    result = run(
        "audit",
        "--no-verapdf",
        "--format",
        "json",
        str(printed["plain"]),
        cwd=printed["plain"].parent,
    )
    checks = {p["check"] for p in json.loads(result.out)["files"][0]["problems"]}
    assert {"split-element", "link-description", "table-scope", "fused-citation"} <= checks
    for standard in ("ua-1", "ua-2"):
        result = run(
            "audit",
            "--no-verapdf",
            "--format",
            "json",
            str(printed[standard]),
            cwd=printed[standard].parent,
        )
        problems = json.loads(result.out)["files"][0]["problems"]
        assert problems == [], problems


def test_byte_identical_output(tmp_path: Path) -> None:
    (tmp_path / "styles").mkdir()
    printer = Printer(tmp_path)
    first = printer.print_pdf(HTML, "standard", "a4", "t", "ua-2").pdf
    assert printer.print_pdf(HTML, "standard", "a4", "t", "ua-2").pdf == first


def test_verapdf_passes_each_lane(printed) -> None:
    tool = find_verapdf()
    if isinstance(tool, Unavailable):
        pytest.skip(f"veraPDF: {tool}")
    for standard, flavours in (("ua-1", ("ua1",)), ("ua-2", ("ua2", "wt1a"))):
        for flavour in flavours:
            verdict = validate(tool, [printed[standard]], flavour)[printed[standard].resolve()]
            assert verdict.compliant, (standard, flavour, verdict.failed_rules)
