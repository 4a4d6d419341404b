"""Checks of PDF forms (`handoutkit audit`), beyond what veraPDF tests.

- ``tab-order``: on every page with form fields, keyboard focus follows the structure tree
  (``/Tabs /S``), the structure tree visits the fields in the order they are read on the page
  (top to bottom in rows, a row left to right), and the page's ``/Annots`` list them in that
  same order (PDFium, Chromium's viewer, tabs by ``/Annots``, not by the structure).
- ``form-field``: every field widget is the object of a ``Form`` structure element and has an
  accessible name (``/TU``).

veraPDF checks that ``/Tabs /S`` is there and that widgets are in ``Form`` elements; it does
not check that the order makes sense. A field that floats to the right of another, say, can
be visited after the fields below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Name

from handoutkit.audit.report import Problem
from handoutkit.pdf.forms import structure_order, structure_parents

__all__ = ["ROW_TOLERANCE_PT", "form_problems", "visual_order"]

ROW_TOLERANCE_PT = 4.0
"""Fields whose top edges are this close are on one row, read left to right."""


@dataclass(frozen=True)
class Widget:
    objgen: tuple[int, int]
    page: int
    top: float
    left: float
    name: str  # its accessible name (/TU), else its field name (/T)


def form_problems(pdf: pikepdf.Pdf, path: str) -> list[Problem]:
    widgets = _widgets(pdf)
    if not widgets:
        return []
    problems: list[Problem] = []
    by_id = {w.objgen: w for w in widgets}
    in_structure = [by_id[objgen] for objgen in structure_order(pdf) if objgen in by_id]
    parents = structure_parents(pdf)
    for widget in widgets:
        parent = parents.get(widget.objgen)
        if parent is None or parent.get("/S") != Name.Form:
            problems.append(
                Problem(
                    path,
                    f"the form field '{widget.name}' is not in a Form structure element",
                    "tag each field widget with a Form element (an OBJR kid), where its label "
                    "is read",
                    widget.page,
                    check="form-field",
                )
            )
    for widget, annot in _named(pdf):
        if not annot:
            problems.append(
                Problem(
                    path,
                    f"the form field '{widget.name}' has no accessible name (/TU)",
                    "give the field a label (<label for=…>): it becomes its /TU",
                    widget.page,
                    check="form-field",
                )
            )
    for number, page in enumerate(pdf.pages, 1):
        on_page = [w for w in widgets if w.page == number]
        if not on_page:
            continue
        if page.obj.get("/Tabs") != Name.S:
            problems.append(
                Problem(
                    path,
                    "the page has form fields but its tab order does not follow the structure "
                    "(/Tabs is not /S)",
                    "set /Tabs /S on the page",
                    number,
                    check="tab-order",
                )
            )
        structure = [w for w in in_structure if w.page == number]
        visual = visual_order(on_page)
        if [w.objgen for w in structure] != [w.objgen for w in visual]:
            problems.append(
                Problem(
                    path,
                    "the form fields are visited in the order "
                    f"{_names(structure)}, but read on the page as {_names(visual)}",
                    "put the fields in the HTML in the order they are read (no floats or "
                    "absolute positions that move one)",
                    number,
                    check="tab-order",
                )
            )
            continue
        annots = [a.objgen for a in page.obj.get("/Annots", []) if a.objgen in by_id]
        if annots != [w.objgen for w in structure]:
            problems.append(
                Problem(
                    path,
                    "the page lists its form fields (/Annots) in the order "
                    f"{_names_of(annots, by_id)}, not in tab order {_names(structure)}: "
                    "Chromium's viewer tabs by /Annots",
                    "sort each page's /Annots into structure order (handoutkit.pdf.forms)",
                    number,
                    check="tab-order",
                )
            )
    return problems


def visual_order(widgets: list[Widget]) -> list[Widget]:
    """Top to bottom in rows (tops within ROW_TOLERANCE_PT), each row left to right."""
    rows: list[list[Widget]] = []
    for widget in sorted(widgets, key=lambda w: (w.page, -w.top, w.left)):
        row = rows[-1] if rows else None
        if row and row[0].page == widget.page and row[0].top - widget.top <= ROW_TOLERANCE_PT:
            row.append(widget)
        else:
            rows.append([widget])
    return [w for row in rows for w in sorted(row, key=lambda w: w.left)]


def _widgets(pdf: pikepdf.Pdf) -> list[Widget]:
    found: list[Widget] = []
    for number, page in enumerate(pdf.pages, 1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != Name.Widget:
                continue
            x1, y1, x2, y2 = (float(v) for v in annot.Rect)
            found.append(Widget(annot.objgen, number, max(y1, y2), min(x1, x2), _name(annot)))
    return found


def _field(annot: Any) -> Any:
    """The field a widget belongs to: itself, or its parent (a radio button's group)."""
    return annot if "/T" in annot or "/Parent" not in annot else annot.Parent


def _name(annot: Any) -> str:
    field = _field(annot)
    return str(field.get("/TU") or field.get("/T") or "unnamed")


def _named(pdf: pikepdf.Pdf) -> list[tuple[Widget, str]]:
    out = []
    for widget in _widgets(pdf):
        annot = pdf.get_object(widget.objgen)
        out.append((widget, str(_field(annot).get("/TU") or "").strip()))
    return out


def _names(widgets: list[Widget]) -> str:
    shown = ", ".join(f"'{w.name}'" for w in widgets[:6])
    return shown + (", …" if len(widgets) > 6 else "")


def _names_of(objgens: list[tuple[int, int]], by_id: dict[tuple[int, int], Widget]) -> str:
    return _names([by_id[o] for o in objgens])
