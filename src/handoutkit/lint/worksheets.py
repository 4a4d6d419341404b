"""Worksheet checks (`field-label`): every write-in item has a label of its own.

In the fillable edition each label becomes its field's accessible name (`/TU`), which is what
a screen reader announces and what a viewer shows as the field's tooltip; two fields with the
same name cannot be told apart ("Name", "Name"). A numbered list's lines are named "<item> 1",
"<item> 2", … and count too, so a list item "Person" clashes with a line labelled "Person 1".
"""

from __future__ import annotations

from handoutkit.content.project import SourceDocument
from handoutkit.diagnostics import Diagnostics
from handoutkit.models import Worksheet

__all__ = ["check_worksheet"]


def check_worksheet(document: SourceDocument, diagnostics: Diagnostics) -> None:
    model = document.model
    if not isinstance(model, Worksheet):
        return
    seen: dict[str, tuple[int, int]] = {}
    for p, part in enumerate(model.parts):
        for i, item in enumerate(part.items):
            if item.kind == "note":
                continue
            labels = item.entry_labels() if item.kind == "list" else [item.label]
            for label in labels:
                key = " ".join(label.casefold().split())
                earlier = seen.setdefault(key, (p, i))
                if earlier == (p, i):
                    continue
                diagnostics.error(
                    document.source.locate(("parts", p, "items", i, item.kind)),
                    f"the write-in label '{label}' is also used in part {earlier[0] + 1}, "
                    f"item {earlier[1] + 1}: a screen reader could not tell the two fields apart",
                    "give every line, area and list its own label (a list's lines are named "
                    "'<item> 1', '<item> 2', …)",
                    rule="field-label",
                )
                break
