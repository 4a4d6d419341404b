"""`handoutkit audit` on PDF forms: tab order (structure and /Annots) equal to the order the
fields are read, every field in a Form element with a name; each check shown failing on a
form broken in that one way."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from handoutkit.audit.forms import Widget, form_problems, visual_order
from handoutkit.pdf.forms import structure_parents

FORM = "ketamine-bpd/worksheet.en.standard.letter.fillable.pdf"


def problems(pdf: pikepdf.Pdf) -> list[tuple[str, int | None, str]]:
    return [(p.check, p.page, p.message) for p in form_problems(pdf, "form.pdf")]


def widgets(page: pikepdf.Page) -> list[pikepdf.Dictionary]:
    return [a for a in page.Annots if a.Subtype == "/Widget"]


def test_the_shipped_forms_pass(shipped_forms: Path) -> None:
    for path in sorted(shipped_forms.rglob("*.fillable.pdf")):
        with pikepdf.open(path) as pdf:
            assert problems(pdf) == [], path.name


def test_fields_visited_out_of_reading_order_fail(shipped_forms: Path) -> None:
    """Swap two Form elements in the structure tree: tab order no longer follows the page."""
    with pikepdf.open(shipped_forms / FORM) as pdf:
        first, second = widgets(pdf.pages[0])[:2]
        parents = structure_parents(pdf)
        form_a, form_b = parents[first.objgen], parents[second.objgen]
        form_a.K, form_b.K = form_b.K, form_a.K
        found = problems(pdf)
    assert [(check, page) for check, page, _ in found][:1] == [("tab-order", 1)]
    assert "visited in the order 'Sign 2', 'Sign 1'" in found[0][2]
    assert "read on the page as 'Sign 1', 'Sign 2'" in found[0][2]


def test_annotations_out_of_tab_order_fail(shipped_forms: Path) -> None:
    """PDFium tabs by /Annots: a reversed array is a problem even with the structure right."""
    with pikepdf.open(shipped_forms / FORM) as pdf:
        page = pdf.pages[0]
        page.Annots = pikepdf.Array(list(reversed(list(page.Annots))))
        found = problems(pdf)
    assert [(c, p) for c, p, _ in found] == [("tab-order", 1)]
    assert "/Annots" in found[0][2]


def test_a_page_without_structure_tabs_fails(shipped_forms: Path) -> None:
    with pikepdf.open(shipped_forms / FORM) as pdf:
        del pdf.pages[1].obj["/Tabs"]
        found = problems(pdf)
    assert [(c, p) for c, p, _ in found] == [("tab-order", 2)]


def test_a_field_without_a_name_or_form_element_fails(shipped_forms: Path) -> None:
    with pikepdf.open(shipped_forms / FORM) as pdf:
        first, second = widgets(pdf.pages[0])[:2]
        del first.TU
        parents = structure_parents(pdf)
        parents[second.objgen].S = pikepdf.Name.Span
        found = problems(pdf)
    assert ("form-field", 1, "the form field 'p1-1-1' has no accessible name (/TU)") in found
    assert (
        "form-field",
        1,
        "the form field 'Sign 2' is not in a Form structure element",
    ) in found


def test_the_audit_command_reports_it(run, shipped_forms: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(shipped_forms / FORM) as pdf:
        del pdf.pages[0].obj["/Tabs"]
        pdf.save(broken)
    result = run("audit", "--no-verapdf", str(broken), cwd=tmp_path, today=None)
    assert result.code == 1
    assert f"{broken}: page 1: error: the page has form fields but its tab order" in result.out


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([("a", 700, 72), ("b", 700, 300), ("c", 660, 72)], "abc"),
        ([("b", 699, 300), ("a", 702, 72), ("c", 600, 72)], "abc"),  # one row within 4 pt
        ([("a", 700, 300), ("b", 690, 72)], "ab"),  # 10 pt lower: the next row
    ],
)
def test_visual_order_reads_rows_top_down_left_to_right(
    fields: list[tuple[str, float, float]], expected: str
) -> None:
    widgets = [Widget((i, 0), 1, top, left, name) for i, (name, top, left) in enumerate(fields)]
    assert "".join(w.name for w in visual_order(widgets)) == expected
