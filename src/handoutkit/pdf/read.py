"""Reading tagged PDFs with pikepdf: helpers shared by `pdftags` (post-processing our own
output) and `audit` (preflight of any PDF).

Structure elements, the structure tree reachable from ``/StructTreeRoot``, marked-content
identifiers, and the affine matrices of content streams (``[a b c d e f]`` as 6-tuples,
multiplied in PDF order: ``mul(m, ctm)`` is "m, then the current matrix").
"""

from __future__ import annotations

from collections.abc import Iterator

from pikepdf import Array, Dictionary, Name

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TEXT_SHOW = frozenset({"Tj", "TJ", "'", '"'})

Matrix = tuple[float, ...]


# --------------------------------------------------------------------------- structure tree


def is_struct_elem(obj: object) -> bool:
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


def mcid_of(operands: list[object], resources: Dictionary | None) -> int | None:
    """The MCID of a ``BDC`` (inline properties or a named ``/Properties`` resource)."""
    if len(operands) != 2:
        return None
    properties = operands[1]
    if isinstance(properties, Name) and resources is not None:
        properties = resources.get("/Properties", Dictionary()).get(str(properties))
    if isinstance(properties, Dictionary) and "/MCID" in properties:
        try:
            return int(properties.MCID)
        except (TypeError, ValueError):
            return None
    return None


def inherited(node: Dictionary, key: str) -> object | None:
    """An inheritable page attribute (/Resources, /Rotate …) from the page or its parents."""
    for _ in range(64):
        if key in node:
            return node.get(key)
        parent = node.get("/Parent")
        if not isinstance(parent, Dictionary):
            return None
        node = parent
    return None


# --------------------------------------------------------------------------- matrices


def mul(m1: Matrix, m2: Matrix) -> Matrix:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def matrix(operands: object) -> Matrix | None:
    """Six numbers as a matrix, or None when they are not."""
    try:
        values = tuple(float(v) for v in operands)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return values if len(values) == 6 else None
