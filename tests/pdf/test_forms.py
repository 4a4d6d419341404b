"""The fillable worksheets (`build --format fillable`) as PDF forms: every field in a Form
structure element, named (/TU) by its visible label, in the order of the worksheet; pages tab
by structure; fonts embedded; and the fields fill: filled programmatically (pypdf, as a viewer
saves them), the values show in poppler's text and pixels."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pypdf.generic import NameObject, TextStringObject

from handoutkit.content.loader import load_project
from handoutkit.models import Worksheet
from handoutkit.pdf.forms import (
    complete_unicode_maps,
    finish_form,
    structure_order,
    structure_parents,
    unicode_of_glyphs,
)
from helpers import REPO, page_texts, unembedded_fonts

TOPIC = "ketamine-bpd"
FORMS = [
    f"worksheet.{lang}.{edition}.{paper}.fillable.pdf"
    for lang in ("en", "es")
    for edition in ("standard", "large-print")
    for paper in ("letter", "a4")
]


def expected_labels(language: str) -> list[str]:
    """The visible labels of the worksheet's write-in items, in document order."""
    project = load_project(REPO)
    model = next(
        d.model
        for d in project.documents
        if isinstance(d.model, Worksheet) and d.model.language == language
    )
    labels: list[str] = []
    for part in model.parts:
        for item in part.items:
            if item.kind == "list":
                labels.extend(item.entry_labels())
            elif item.kind != "note":
                labels.append(item.label)
    return labels


def widgets(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [a for page in pdf.pages for a in page.get("/Annots", []) if a.Subtype == "/Widget"]


@pytest.mark.parametrize("name", FORMS)
def test_every_field_is_tagged_and_named_by_its_visible_label(
    shipped_forms: Path, name: str
) -> None:
    language = name.split(".")[1]
    with pikepdf.open(shipped_forms / TOPIC / name) as pdf:
        fields = widgets(pdf)
        by_id = {w.objgen: w for w in fields}
        parents = structure_parents(pdf)
        assert fields and all(parents[w.objgen].S == "/Form" for w in fields)
        in_structure = [by_id[o] for o in structure_order(pdf) if o in by_id]
        assert [str(w.TU) for w in in_structure] == expected_labels(language)
        assert all(w.FT == "/Tx" for w in fields)
        assert any(int(w.get("/Ff", 0)) & (1 << 12) for w in fields)  # multi-line areas
        for page in pdf.pages:
            if "/Annots" in page:
                assert page.Tabs == "/S"
        assert not unembedded_fonts(pdf)
    # the visible label is on the page, next to its field
    text = re.sub(r"\s+", " ", " ".join(page_texts(shipped_forms / TOPIC / name)))
    for label in expected_labels(language):
        assert label in text


def fill(source: Path, target: Path, values: dict[str, str]) -> None:
    """pypdf fills the fields and writes their appearances (NeedAppearances false), as a viewer
    saves a filled form; multi-line fields get font size 0 (auto), so pypdf wraps them."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    for page in writer.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/FT") == "/Tx" and int(annot.get("/Ff", 0)) & (1 << 12):
                da = re.sub(r"[\d.]+ Tf", "0 Tf", str(annot["/DA"]))
                annot[NameObject("/DA")] = TextStringObject(da)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)


@pytest.mark.parametrize("name", [FORMS[0], FORMS[3], FORMS[5]])
def test_every_field_fills_and_its_value_shows(
    shipped_forms: Path, tmp_path: Path, name: str
) -> None:
    source = shipped_forms / TOPIC / name
    names = [str(f) for f in pypdf.PdfReader(source).get_fields() or {}]
    assert names
    values = {field: f"Valor{index:02d} Ünï" for index, field in enumerate(names)}
    filled = tmp_path / "filled.pdf"
    fill(source, filled, values)
    text = " ".join(page_texts(filled))
    for value in values.values():
        assert value in text, value
    assert pypdf.PdfReader(filled).get_fields()[names[0]]["/V"] == values[names[0]]
    # and drawn: the first page differs from the empty form's where the fields are
    pngs = []
    for pdf, stem in ((source, "empty"), (filled, "filled")):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / stem)],
            check=True,
        )
        pngs.append(next(tmp_path.glob(f"{stem}*.png")).read_bytes())
    assert pngs[0] != pngs[1]


def test_finish_form_sorts_annotations_into_structure_order(shipped_forms: Path) -> None:
    """PDFium tabs by /Annots order: a shuffled array is put back in structure order."""
    data = (shipped_forms / TOPIC / FORMS[0]).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        original = [a.objgen for a in page.Annots]
        page.Annots = pikepdf.Array(list(reversed(list(page.Annots))))
        buffer = io.BytesIO()
        pdf.save(buffer)
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as broken:
        assert [a.objgen for a in broken.pages[0].Annots] != original
    with pikepdf.open(io.BytesIO(finish_form(buffer.getvalue()))) as fixed:
        order = structure_order(fixed)
        annots = [a.objgen for a in fixed.pages[0].Annots]
        assert annots == sorted(annots, key=order.index)


def test_glyphs_reached_by_substitution_get_their_characters(shipped_forms: Path) -> None:
    """A font embedded in full for the form fields maps every glyph the text uses: a tabular
    figure (reached through GSUB) is taken out of the map, and put back."""
    font_file = REPO / "styles" / "fonts" / "atkinson-hyperlegible-next-latin-400-normal.ttf"
    mapping = unicode_of_glyphs(font_file.read_bytes())
    from fontTools.ttLib import TTFont

    order = TTFont(font_file).getGlyphOrder()
    assert mapping[order.index("one.tf")] == "1"
    with pikepdf.open(shipped_forms / TOPIC / FORMS[0]) as pdf:
        font = next(
            f
            for page in pdf.pages
            for f in page.Resources.Font.values()
            if "Hyperlegible-Next" in str(f.BaseFont) and "Bold" not in str(f.BaseFont)
        )
        cmap = font.ToUnicode.read_bytes()
        entry = b"<%04x> <0031>" % order.index("one.tf")
        assert entry in cmap
        font.ToUnicode.write(cmap.replace(entry + b"\n", b""))
        assert entry not in font.ToUnicode.read_bytes()
        assert complete_unicode_maps(pdf) >= 1
        assert entry in font.ToUnicode.read_bytes()


def test_the_form_font_is_small(shipped_forms: Path, shipped_pack: Path) -> None:
    """The fields type in Atkinson Hyperlegible Next (Latin, 33 KB), embedded in full: the form
    costs tens of kilobytes over the print edition, not the 400 KB of DejaVu Sans."""
    for name in FORMS:
        form = (shipped_forms / TOPIC / name).stat().st_size
        printed = (shipped_pack / TOPIC / name.replace(".fillable", "")).stat().st_size
        assert form - printed < 40_000, (name, form, printed)
