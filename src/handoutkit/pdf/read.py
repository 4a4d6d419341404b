"""Reading tagged PDFs with pikepdf: helpers shared by `pdf.tags` (post-processing our own
output), `audit` (preflight of any PDF) and the rack packs.

Structure elements, the structure tree reachable from ``/StructTreeRoot``, and inherited page
attributes. Content streams are read by `handoutkit.pdf.content`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeGuard

from pikepdf import Array, Dictionary, Name

# --------------------------------------------------------------------------- structure tree


def is_struct_elem(obj: object) -> TypeGuard[Dictionary]:
    return (
        isinstance(obj, Dictionary)
        and "/S" in obj
        and obj.get("/Type", Name.StructElem) == Name.StructElem
    )


def kids(elem: Dictionary) -> list[object]:
    """The ``/K`` entry as a list (structure elements, MCIDs, MCR and OBJR dictionaries)."""
    value = elem.get("/K")
    if value is None:
        return []
    if isinstance(value, Array):
        return list(value)
    return [value]


def reachable_elements(struct_root: Dictionary) -> set[tuple[int, int]]:
    """Object ids of every indirect structure element reachable through /K."""
    reachable: set[tuple[int, int]] = set()
    seen: set[tuple[int, int]] = set()
    stack = list(reversed(kids(struct_root)))
    while stack:
        kid = stack.pop()
        if not is_struct_elem(kid):
            continue  # MCID integer, MCR or OBJR dictionary
        if kid.is_indirect:
            if kid.objgen in seen:
                continue
            seen.add(kid.objgen)
            reachable.add(kid.objgen)
        stack.extend(reversed(kids(kid)))
    return reachable


def subtree(elem: Dictionary) -> Iterator[Dictionary]:
    """Yield ``elem`` and all structure elements below it, in document order."""
    seen: set[tuple[int, int]] = set()
    stack = [elem]
    while stack:
        node = stack.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        yield node
        stack.extend(kid for kid in reversed(kids(node)) if is_struct_elem(kid))


def inherited(node: Dictionary, key: str) -> object | None:
    """An inheritable page attribute (/Resources, /Rotate …) from the page or its parents
    (at most 64 levels up: a /Parent loop in a hostile file ends there)."""
    for _ in range(64):
        if key in node:
            return node.get(key)
        parent = node.get("/Parent")
        if not isinstance(parent, Dictionary):
            return None
        node = parent
    return None
