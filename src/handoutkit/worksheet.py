"""The parts of a worksheet: what the reader writes in, and the instructions between.

A worksheet (`models.Worksheet`) is a list of parts, each with a heading, optional
instructions and items. An item is exactly one of:

- `line`: a short write-in line with its label (a name, a phone number);
- `area`: a multi-line area with its label, `lines` lines high (default 4);
- `list`: `lines` numbered lines (default 3), each labelled "<item> <n>" (`item` defaults to
  the list's own label), e.g. "Warning sign 1";
- `note`: instructions between items (Markdown).

The print edition draws them as lines to write on; the fillable edition (`build --format
fillable`) as PDF form fields whose accessible names are their visible labels.
"""

from __future__ import annotations

import builtins
from typing import Literal

from pydantic import Field, model_validator

from handoutkit.fields import Markdown, Strict, Text
from handoutkit.figures import Pictograph

ItemKind = Literal["line", "area", "list", "note"]
DEFAULT_LINES = {"area": 4, "list": 3}


class WorksheetItem(Strict):
    """One thing on a worksheet: give exactly one of line, area, list or note."""

    line: Text | None = Field(
        None, description="A short write-in line, with this label, e.g. 'Name of my therapist'."
    )
    area: Text | None = Field(None, description="A multi-line write-in area, with this label.")
    list: Text | None = Field(
        None,
        description="Numbered write-in lines under this label, e.g. 'People I can call'.",
    )
    item: Text | None = Field(
        None,
        description="For a list: the label of each numbered line, read before its number, "
        "e.g. 'Person' gives 'Person 1', 'Person 2'. Default: the list's label.",
    )
    lines: int | None = Field(
        None,
        ge=1,
        le=12,
        description="For an area: how many lines high (default 4); for a list: how many "
        "numbered lines (default 3).",
    )
    note: Markdown | None = Field(
        None, description="Instructions or an example between the write-in items (Markdown)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> WorksheetItem:
        given = [kind for kind in ("line", "area", "list", "note") if getattr(self, kind)]
        if len(given) != 1:
            shown = ", ".join(given) if given else "none"
            raise ValueError(f"give exactly one of line, area, list or note (got {shown})")
        if self.lines is not None and given[0] not in DEFAULT_LINES:
            raise ValueError("lines: only an area or a list has a number of lines")
        if self.item is not None and given[0] != "list":
            raise ValueError("item: only a list has numbered items")
        return self

    @property
    def kind(self) -> ItemKind:
        if self.line:
            return "line"
        if self.area:
            return "area"
        return "list" if self.list else "note"

    @property
    def label(self) -> str:
        return self.line or self.area or self.list or ""

    @property
    def rows(self) -> int:
        """Lines of an area, entries of a list, 1 for a line, 0 for a note."""
        kind = self.kind
        if kind in DEFAULT_LINES:
            return self.lines or DEFAULT_LINES[kind]
        return 1 if kind == "line" else 0

    def entry_labels(self) -> builtins.list[str]:  # (`list` is a field here)
        """A list's numbered labels: 'Warning sign 1', 'Warning sign 2', …"""
        name = self.item or self.list or ""
        return [f"{name} {number}" for number in range(1, self.rows + 1)]


class WorksheetPart(Strict):
    """A titled step of a worksheet."""

    heading: Text = Field(description="What this step is about, e.g. 'Step 1: My warning signs'.")
    icon: Literal["call", "text", "chat", "emergency", "care-team"] | None = Field(
        None,
        description="An icon before the heading (call, text, chat, emergency, care-team); "
        "decorative, so the heading must say the same.",
    )
    instructions: Markdown | None = Field(
        None, description="What to write here, and why, in one or two short sentences."
    )
    items: list[WorksheetItem] = Field(
        min_length=1, description="The write-in lines, areas, lists and notes, in order."
    )
    figure: Pictograph | None = Field(
        None, description="A visual aid after the instructions: {kind: pictograph, ...}."
    )
