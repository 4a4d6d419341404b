"""The pydyf objects of a PDF WeasyPrint is writing, as the structure fixes see them: what each
structure element was built from (`TagState`, filled by `pdf.structure` and read by the
finisher in `pdf.splits` and `pdf.ua2`) and how an indirect reference is resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Built", "TagState", "resolve"]


@dataclass(eq=False)
class Built:
    """A structure element WeasyPrint built, with what it was built from."""

    element: Any  # the pydyf.Dictionary
    html: Any  # the HTML element (shared by every box of one element)
    html_tag: str  # box.element_tag: "p", "li::marker"…
    page: int  # 0-based page number


@dataclass(eq=False)
class TagState:
    """What one ``write_pdf`` call built (`pdf.structure` fills it, the finisher reads it)."""

    lang: str
    version: str  # "1.7" (PDF/UA-1) or "2.0" (PDF/UA-2)
    built: dict[int, Built] = field(default_factory=dict)  # object number → what it came from
    actual_text: dict[int, str] = field(default_factory=dict)  # id(box) → /ActualText
    citations: dict[int, str] = field(default_factory=dict)  # id(sup box) → " [1,2]"
    repeated: set[int] = field(default_factory=set)  # id(box) of repeated table headers
    repeated_groups: set[int] = field(default_factory=set)
    placeholders: list[Any] = field(default_factory=list)  # marks of repeated header cells
    anchors: dict[str, Any] = field(default_factory=dict)  # anchor name → element
    bookmarks: list[tuple[int, float, float, Any]] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    joined: dict[bytes, bytes] = field(
        default_factory=dict
    )  # reference of a joined piece → its element


def resolve(pdf: Any, reference: Any) -> Any:
    """The pydyf object an indirect reference (b"12 0 R") names, or None."""
    if not isinstance(reference, bytes):
        return None
    return pdf.objects[int(reference.split()[0])]
