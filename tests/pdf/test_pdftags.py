"""WeasyPrint margin boxes become PDF/UA artifacts: drawn so (handoutkit.furniture, what the
printer uses) or rewritten so afterwards (handoutkit.pdftags, for margin boxes with links).
Every test of the output runs on both."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
import weasyprint

from handoutkit.pdf import furniture
from handoutkit.pdf.tags import artifact_page_furniture, postprocess_pdf
from helpers import REPO

ROOT = REPO
VERAPDF = ROOT / "scripts" / "verapdf"

HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Asthma action plan</title>
<meta name="dcterms.created" content="2024-01-01T00:00:00Z">
<meta name="dcterms.modified" content="2024-01-01T00:00:00Z">
<style>
@page {{ size: A5; margin: 25mm 15mm; {page_boxes} }}
h1 {{ string-set: title content() }}
.code {{ string-set: doccode content() }}
{extra_css}
</style></head><body>
"""

BODY = """
<h1>Managing asthma</h1>
<p class="code">HK-001</p>
<p>Take your reliever as shown. See <a href="https://example.org/asthma">our site</a>.</p>
<h2>Doses</h2>
<table><caption>Daily doses</caption>
<thead><tr><th>Medicine</th><th>Dose</th></tr></thead>
<tbody><tr><td>Reliever</td><td>2 puffs</td></tr>
<tr><td>Preventer</td><td>1 puff</td></tr></tbody></table>
<ul><li>Carry your inhaler</li><li>Avoid smoke</li></ul>
<h2 style="break-before: page">Second page</h2>
<p>More advice on the second page.</p>
</body></html>
"""

PAGE_BOXES = """
  @top-left { content: string(title) }
  @top-right { content: "Clinic handout" }
  @bottom-left { content: string(doccode) }
  @bottom-right { content: "Page " counter(page) " of " counter(pages) }
"""

HEADER_TEXTS = {"Managing asthma", "Clinic handout"}
FOOTER_TEXTS = {"HK-001", "Page 1 of 2", "Page 2 of 2"}


def render(page_boxes: str = PAGE_BOXES, body: str = BODY, extra_css: str = "") -> bytes:
    html = HEAD.format(page_boxes=page_boxes, extra_css=extra_css) + body
    document = weasyprint.HTML(string=html, base_url=str(ROOT))
    return document.write_pdf(pdf_variant="pdf/ua-1")


@pytest.fixture(scope="module")
def raw_pdf() -> bytes:
    return render()


def rewritten(**parts: str) -> bytes:
    """WeasyPrint's output, post-processed with pikepdf."""
    return postprocess_pdf(render(**parts))


def drawn(**parts: str) -> bytes:
    """Rendered as the printer renders: furniture drawn as artifacts (post-processed only when
    a margin box holds a link)."""
    with furniture.as_artifacts() as margin_boxes:
        pdf = render(**parts)
    return postprocess_pdf(pdf) if margin_boxes.needs_postprocess else pdf


@pytest.fixture(scope="module", params=[drawn, rewritten], ids=["drawn", "rewritten"])
def produce(request: pytest.FixtureRequest):
    return request.param


@pytest.fixture(scope="module")
def post_pdf(produce) -> bytes:
    return produce()


# --------------------------------------------------------------------------
# Content stream inspection helpers
# --------------------------------------------------------------------------


@dataclass
class Sequence:
    """A marked-content sequence with the text shown inside it."""

    page: int
    tag: str
    properties: dict
    artifact_depth: int  # number of enclosing /Artifact sequences (incl. itself)
    text: str = ""

    @property
    def mcid(self) -> int | None:
        value = self.properties.get("/MCID")
        return None if value is None else int(value)


def _to_unicode(font: pikepdf.Dictionary) -> dict[bytes, str]:
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return {}
    data = cmap.read_bytes().decode("latin-1")
    table: dict[bytes, str] = {}

    def uni(hexa: str) -> str:
        raw = bytes.fromhex(hexa)
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[bytes.fromhex(src)] = uni(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            width = len(lo) // 2
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code.to_bytes(width, "big")] = chr(start + offset)
    return table


def _decode(raw: bytes, table: dict[bytes, str]) -> str:
    if not table:
        return raw.decode("latin-1")
    width = len(next(iter(table)))
    return "".join(table.get(raw[i : i + width], "\ufffd") for i in range(0, len(raw), width))


def marked_sequences(pdf: pikepdf.Pdf) -> list[Sequence]:
    """All marked-content sequences of all pages, form XObjects included."""
    sequences: list[Sequence] = []

    def walk(stream_owner, resources, page_index, open_seqs, depth=0):
        fonts = resources.get("/Font", pikepdf.Dictionary()) if resources else {}
        xobjects = resources.get("/XObject", pikepdf.Dictionary()) if resources else {}
        tables: dict[str, dict[bytes, str]] = {}
        table: dict[bytes, str] = {}
        for instruction in pikepdf.parse_content_stream(stream_owner):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                continue
            op = str(instruction.operator)
            operands = list(instruction.operands)
            if op in ("BDC", "BMC"):
                tag = str(operands[0])
                props = operands[1] if op == "BDC" else pikepdf.Dictionary()
                if isinstance(props, pikepdf.Name):
                    props = resources.Properties[str(props)]
                enclosing = open_seqs[-1].artifact_depth if open_seqs else 0
                seq = Sequence(
                    page_index,
                    tag,
                    {str(k): v for k, v in props.items()},
                    enclosing + (tag == "/Artifact"),
                )
                sequences.append(seq)
                open_seqs.append(seq)
            elif op == "EMC":
                open_seqs.pop()
            elif op == "Tf":
                name = str(operands[0])
                if name not in tables:
                    tables[name] = _to_unicode(fonts[name])
                table = tables[name]
            elif op in ("Tj", "'", '"', "TJ"):
                items = operands[-1] if op != "TJ" else operands[0]
                parts = [items] if isinstance(items, pikepdf.String) else list(items)
                text = "".join(
                    _decode(bytes(p), table) for p in parts if isinstance(p, pikepdf.String)
                )
                for seq in open_seqs:
                    seq.text += text
            elif op == "Do" and depth < 8:
                xobject = xobjects.get(str(operands[0]))
                if xobject is not None and xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources"), page_index, open_seqs, depth + 1)
        return sequences

    for index, page in enumerate(pdf.pages):
        walk(page, page.obj.get("/Resources"), index, [])
    return sequences


def reachable_elements(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.objgen not in found:
                found.add(kid.objgen)
                stack.append(kid)
    return found


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def sequence_text(seq: Sequence) -> str:
    return " ".join(seq.text.split())


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_weasyprint_tags_margin_boxes_as_orphan_spans(raw_pdf: bytes) -> None:
    """Documents the WeasyPrint 70 behaviour the post-processor exists for."""
    with open_pdf(raw_pdf) as pdf:
        furniture = [
            s for s in marked_sequences(pdf) if sequence_text(s) in HEADER_TEXTS | FOOTER_TEXTS
        ]
        # The h1 text itself is body content too: keep only margin-box copies.
        assert {sequence_text(s) for s in furniture} >= FOOTER_TEXTS | {"Clinic handout"}
        reachable = reachable_elements(pdf)
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        orphans = 0
        for seq in furniture:
            assert seq.tag == "/Span" and seq.mcid is not None
            key = int(pdf.pages[seq.page].obj.StructParents)
            orphans += tree[key][seq.mcid].objgen not in reachable
        assert orphans == 4 * 2  # four margin boxes on each of two pages


def test_margin_box_text_becomes_pagination_artifacts(post_pdf: bytes) -> None:
    with open_pdf(post_pdf) as pdf:
        sequences = marked_sequences(pdf)
    by_text: dict[str, list[Sequence]] = {}
    for seq in sequences:
        by_text.setdefault(sequence_text(seq), []).append(seq)

    # Text only found in margin boxes: one artifact per page.  The doc code and
    # the h1 (repeated through string-set) are also body text: one tagged copy.
    expected_tags = {
        "Page 1 of 2": ["/Artifact"],
        "Page 2 of 2": ["/Artifact"],
        "Clinic handout": ["/Artifact", "/Artifact"],
        "HK-001": ["/Artifact", "/Artifact", "/Span"],
        "Managing asthma": ["/Artifact", "/Artifact", "/Span"],
    }
    for text, tags in expected_tags.items():
        assert sorted(s.tag for s in by_text.get(text, [])) == tags, text
        for seq in by_text[text]:
            if seq.tag == "/Span":
                assert seq.mcid is not None
                continue
            assert seq.mcid is None
            assert seq.properties["/Type"] == "/Pagination"
            expected = "/Footer" if text in FOOTER_TEXTS else "/Header"
            assert seq.properties["/Subtype"] == expected, text

    # No furniture text is left in tagged (MCID) content outside an artifact.
    for seq in sequences:
        if seq.mcid is not None:
            assert seq.artifact_depth == 0
            assert sequence_text(seq) not in {"Page 1 of 2", "Page 2 of 2", "Clinic handout"}
    # Body text is still tagged.
    tagged = {sequence_text(s) for s in sequences if s.mcid is not None}
    assert {"Reliever", "2 puffs", "Second page", "our site"} <= tagged


def test_every_mcid_resolves_to_a_reachable_element(post_pdf: bytes) -> None:
    with open_pdf(post_pdf) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable = reachable_elements(pdf)
        tree = pikepdf.NumberTree(root.ParentTree)
        used = 0
        for seq in marked_sequences(pdf):
            if seq.mcid is None:
                continue
            key = int(pdf.pages[seq.page].obj.StructParents)
            element = tree[key][seq.mcid]
            assert isinstance(element, pikepdf.Dictionary) and element.objgen in reachable
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert any(not isinstance(k, pikepdf.Dictionary) and int(k) == seq.mcid for k in kids)
            used += 1
        assert used > 10
        # No ParentTree entry points at an element outside the tree.
        for _key, value in tree.items():
            refs = value if isinstance(value, pikepdf.Array) else [value]
            for ref in refs:
                if isinstance(ref, pikepdf.Dictionary):
                    assert ref.objgen in reachable
        # Link annotations still resolve to their Link elements.
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                element = tree[int(annot.StructParent)]
                assert element.S == "/Link" and element.objgen in reachable


def test_document_level_tagging_is_preserved(raw_pdf: bytes, post_pdf: bytes) -> None:
    with open_pdf(raw_pdf) as raw, open_pdf(post_pdf) as post:
        assert "/StructTreeRoot" in post.Root
        assert post.Root.MarkInfo.Marked is True
        assert post.Root.Lang == raw.Root.Lang
        assert post.Root.ViewerPreferences.DisplayDocTitle is True
        metadata = post.Root.Metadata.read_bytes()
        assert metadata == raw.Root.Metadata.read_bytes()
        assert b"pdfuaid" in metadata
        assert dict(post.docinfo) == dict(raw.docinfo)
        assert post.pdf_version == raw.pdf_version
        assert len(post.pages) == len(raw.pages) == 2
        check = getattr(post, "check_pdf_syntax", None) or post.check  # pikepdf < 9
        assert check() == []


def _require_tool(command: str, package: str) -> str:
    """scripts/setup installs these tools, so a missing one is a broken set-up, not a skip."""
    path = shutil.which(command)
    if path is None:
        pytest.fail(f"{command} is missing: run scripts/setup (Debian package {package})")
    return path


def test_qpdf_check_passes(post_pdf: bytes, tmp_path: Path) -> None:
    qpdf = _require_tool("qpdf", "qpdf")
    path = tmp_path / "post.pdf"
    path.write_bytes(post_pdf)
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_footer_text_is_still_extractable(post_pdf: bytes, tmp_path: Path) -> None:
    pdftotext = _require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "post.pdf"
    path.write_bytes(post_pdf)
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("HK-001", "Page 1 of 2", "Page 2 of 2", "Clinic handout"):
        assert expected in text


def test_output_is_deterministic(produce, post_pdf: bytes) -> None:
    again = produce()
    assert again == post_pdf
    # Post-processing a post-processed file finds nothing left to do.
    assert postprocess_pdf(post_pdf) is post_pdf
    with open_pdf(post_pdf) as pdf:
        assert artifact_page_furniture(pdf) == 0


def test_pdf_without_margin_boxes_is_unchanged() -> None:
    raw = render(page_boxes="")
    with open_pdf(raw) as pdf:
        assert artifact_page_furniture(pdf) == 0
    assert postprocess_pdf(raw) is raw


def test_untagged_pdf_is_ignored() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    assert artifact_page_furniture(pdf) == 0


def test_margin_boxes_drawn_in_transparency_groups(produce) -> None:
    """opacity on a margin box puts its MCIDs inside a form XObject."""
    boxes = """
      @bottom-right { content: "Page " counter(page) " of " counter(pages); opacity: .6 }
      @left-middle { content: "Draft"; opacity: .5 }
    """
    with open_pdf(render(page_boxes=boxes)) as pdf:
        assert artifact_page_furniture(pdf) == 4
    with furniture.as_artifacts() as margin_boxes:
        render(page_boxes=boxes)
    assert margin_boxes.artifacts == 4 and not margin_boxes.needs_postprocess
    with open_pdf(produce(page_boxes=boxes)) as pdf:
        sequences = marked_sequences(pdf)
    by_text = {sequence_text(s): s for s in sequences}
    assert by_text["Page 1 of 2"].properties["/Subtype"] == "/Footer"
    # Middle of the page: a pagination artifact without Header/Footer subtype.
    assert by_text["Draft"].tag == "/Artifact"
    assert by_text["Draft"].properties["/Type"] == "/Pagination"
    assert "/Subtype" not in by_text["Draft"].properties


def test_running_element_with_link_stays_tagged(produce) -> None:
    """Links cannot be artifacts in PDF/UA-1: such margin content joins the tree."""
    boxes = """
      @top-center { content: element(header) }
      @bottom-right { content: "Page " counter(page) }
    """
    body = '<div class="hdr">Clinic <a href="https://example.org/">web</a></div>' + BODY
    post = produce(page_boxes=boxes, body=body, extra_css=".hdr { position: running(header) }")
    with open_pdf(post) as pdf:
        reachable = reachable_elements(pdf)
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        annots = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert len(annots) == 3  # body link + header link on both pages
        for annot in annots:
            element = tree[int(annot.StructParent)]
            assert element.S == "/Link" and element.objgen in reachable
        sequences = marked_sequences(pdf)
    page_numbers = [s for s in sequences if sequence_text(s).startswith("Page ")]
    assert [s.tag for s in page_numbers] == ["/Artifact", "/Artifact"]
    header = [s for s in sequences if sequence_text(s) == "web"]
    assert len(header) == 2 and all(s.mcid is not None for s in header)


# --------------------------------------------------------------------------
# veraPDF
# --------------------------------------------------------------------------


def _verapdf_cached() -> bool:
    cache = Path(os.environ.get("VERAPDF_CACHE", Path.home() / ".cache" / "handoutkit" / "verapdf"))
    version = os.environ.get("VERAPDF_VERSION", "1.30.2")
    return (cache / version / ".complete").is_file()


def test_verapdf_pdf_ua1_compliance(post_pdf: bytes, tmp_path: Path) -> None:
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not _verapdf_cached() and not in_ci:
        pytest.skip(
            "veraPDF not cached: run scripts/verapdf --fetch once (needs Java and Maven); "
            "under CI=true this test fetches it and fails instead of skipping"
        )
    if shutil.which("java") is None:
        message = "java not found: veraPDF needs a JRE"
        if in_ci:
            pytest.fail(message)
        pytest.skip(message)
    path = tmp_path / "handout.pdf"
    path.write_bytes(post_pdf)
    result = subprocess.run(
        ["bash", str(VERAPDF), str(path)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PASS {path}" in result.stdout


def test_running_link_alone_is_attached_without_conversion() -> None:
    body = '<div class="hdr">Clinic <a href="https://example.org/">web</a></div>' + BODY
    raw = render(
        page_boxes="@top-center { content: element(header) }",
        body=body,
        extra_css=".hdr { position: running(header) }",
    )
    with open_pdf(raw) as pdf:
        assert artifact_page_furniture(pdf) == 0
    post = postprocess_pdf(raw)
    assert post != raw
    with open_pdf(post) as pdf:
        reachable = reachable_elements(pdf)
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        for _key, value in tree.items():
            for ref in value if isinstance(value, pikepdf.Array) else [value]:
                assert not isinstance(ref, pikepdf.Dictionary) or ref.objgen in reachable


@pytest.mark.parametrize(
    ("at_keyword", "expected"),
    [
        ("@top-left-corner", "/Header"),
        ("@top-center", "/Header"),
        ("@left-top", "/Header"),
        ("@right-middle", None),
        ("@left-bottom", "/Footer"),
        ("@bottom-right", "/Footer"),
        ("@bottom-right-corner", "/Footer"),
    ],
)
def test_drawn_artifact_subtype_follows_the_margin_box(at_keyword: str, expected: str) -> None:
    assert furniture.subtype(at_keyword) == expected


# --------------------------------------------------------------------------
# Pinned output: what postprocess_pdf makes of fixed WeasyPrint files
# --------------------------------------------------------------------------

PINNED = ROOT / "tests" / "data" / "pdftags"
"""Raw WeasyPrint 70 output of `render` (page boxes: the defaults; `groups` and `nested-groups`
draw margin boxes and body text in transparency groups, i.e. form XObjects with their own
/StructParents; `running-link-opacity` has a link in a running header, which joins the tree)
and, in expected.json, the fingerprint of each file after `postprocess_pdf`. Kept as files so
the pin does not move with the fonts or WeasyPrint of the machine. After a deliberate change:
`PYTHONPATH=tests .venv/bin/python tests/pdf/test_pdftags.py` rewrites expected.json."""


def _content_streams(pdf: pikepdf.Pdf) -> list[str]:
    """sha256 of every page's content, then of each form it draws (depth first, by name)."""
    digests: list[str] = []
    seen: set[tuple[int, int]] = set()

    def forms(resources: object) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        for name in sorted(xobjects.keys()):
            form = xobjects[name]
            if form.get("/Subtype") != "/Form" or form.objgen in seen:
                continue
            seen.add(form.objgen)
            digests.append(f"{name} {hashlib.sha256(form.read_bytes()).hexdigest()}")
            forms(form.get("/Resources"))

    for number, page in enumerate(pdf.pages, 1):
        contents = page.obj.Contents
        parts = contents if isinstance(contents, pikepdf.Array) else [contents]
        data = b"".join(part.read_bytes() for part in parts)
        digests.append(f"page {number} {hashlib.sha256(data).hexdigest()}")
        forms(page.obj.get("/Resources"))
    return digests


def _structure(pdf: pikepdf.Pdf) -> list[str]:
    """The structure tree in document order: one 'depth role' line per element, and
    'depth #n' per MCID."""
    lines: list[str] = []

    def walk(node: pikepdf.Dictionary, depth: int) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                lines.append(f"{depth} {kid.S}")
                walk(kid, depth + 1)
            elif isinstance(kid, int):
                lines.append(f"{depth} #{int(kid)}")

    walk(pdf.Root.StructTreeRoot, 0)
    return lines


def _parent_tree(pdf: pikepdf.Pdf) -> dict[str, list[str | None]]:
    def role(ref: object) -> str | None:
        return str(ref.S) if isinstance(ref, pikepdf.Dictionary) and "/S" in ref else None

    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    return {
        str(key): [role(r) for r in value] if isinstance(value, pikepdf.Array) else [role(value)]
        for key, value in tree.items()
    }


def _fingerprint(raw: bytes) -> dict[str, object]:
    with open_pdf(raw) as pdf:
        converted = artifact_page_furniture(pdf)
    post = postprocess_pdf(raw)
    with open_pdf(post) as pdf:
        return {
            "converted": converted,
            "content_streams": _content_streams(pdf),
            "parent_tree": _parent_tree(pdf),
            "structure": _structure(pdf),
            "sha256": hashlib.sha256(post).hexdigest(),
            "made_with": f"pikepdf {pikepdf.__version__}, qpdf {pikepdf.__libqpdf_version__}",
        }


def _pinned_fixtures() -> list[Path]:
    return sorted(PINNED.glob("*.raw.pdf"))


@pytest.mark.parametrize("raw", _pinned_fixtures(), ids=lambda p: p.name.split(".")[0])
def test_postprocess_output_is_pinned(raw: Path) -> None:
    """The rewrite (content streams, ParentTree, adopted elements) is exactly as recorded; so
    are the saved bytes, when pikepdf and qpdf are the versions they were recorded with (other
    versions may serialise the same objects differently)."""
    expected = json.loads((PINNED / "expected.json").read_text(encoding="utf-8"))[raw.name]
    actual = _fingerprint(raw.read_bytes())
    assert actual["converted"] == expected["converted"]
    assert actual["content_streams"] == expected["content_streams"]
    assert actual["parent_tree"] == expected["parent_tree"]
    assert actual["structure"] == expected["structure"]
    if actual["made_with"] == expected["made_with"]:
        assert actual["sha256"] == expected["sha256"]


if __name__ == "__main__":  # re-pin after a deliberate change (see PINNED)
    pins = {raw.name: _fingerprint(raw.read_bytes()) for raw in _pinned_fixtures()}
    text = json.dumps(pins, indent=1, sort_keys=True) + "\n"
    (PINNED / "expected.json").write_text(text, encoding="utf-8")
