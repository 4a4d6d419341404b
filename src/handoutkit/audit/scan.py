"""The content-stream scan of the audit: what encloses each painting operator (tagged, an
artifact, or neither), the size of every run of text as printed, and the fonts used."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.pdf.read import (
    IDENTITY,
    TEXT_SHOW,
    Matrix,
    inherited,
    is_struct_elem,
    matrix,
    mcid_of,
    mul,
    reachable_elements,
)

_PAINT_PATH = frozenset({"f", "F", "f*", "B", "B*", "b", "b*", "S", "s"})
_INVISIBLE = {3, 7}  # text render modes that paint nothing
_MAX_FORM_DEPTH = 16


class Mark(IntEnum):
    """What encloses a painting operator; the strongest enclosing sequence wins."""

    NONE = 0  # no marked content, or marked content that is neither tagged nor an artifact
    ORPHAN = 1  # an MCID that no structure element in the tree claims
    OK = 2  # an artifact, or an MCID of a structure element in the tree


class FontUse(NamedTuple):
    """A font the content selects (``Tf``), with the page where it is first used."""

    name: str  # /BaseFont without the slash
    page: int
    font: Dictionary


@dataclass
class PageScan:
    untagged: int = 0
    orphaned: int = 0
    sizes: Counter[float] = field(default_factory=Counter)  # pt (0.1) → glyphs


@dataclass
class _State:
    """The parts of the graphics state that matter here (saved by q, restored by Q)."""

    ctm: Matrix = IDENTITY
    font: Dictionary | None = None
    font_size: float = 0.0
    render_mode: int = 0

    def copy(self) -> _State:
        return _State(self.ctm, self.font, self.font_size, self.render_mode)


class ContentScanner:
    """Walks page content (and the forms it draws) for marks, text sizes and fonts."""

    def __init__(self, struct_root: Dictionary | None) -> None:
        self.tree: pikepdf.NumberTree | None = None
        self.reachable: set[tuple[int, int]] = set()
        if struct_root is not None:
            self.reachable = reachable_elements(struct_root)
            parent_tree = struct_root.get("/ParentTree")
            if isinstance(parent_tree, Dictionary):
                self.tree = pikepdf.NumberTree(parent_tree)
        self._claimed: dict[int, set[int]] = {}
        self.fonts: dict[tuple[int, int], FontUse] = {}  # by object id, in order of first use
        self.page = 0

    def claimed_mcids(self, key: int | None) -> set[int]:
        """MCIDs of ParentTree entry `key` that map to an element in the tree."""
        if key is None or self.tree is None:
            return set()
        if key not in self._claimed:
            try:
                entry = self.tree.get(key)
            except (pikepdf.PdfError, TypeError, ValueError):
                entry = None
            claimed = set()
            if isinstance(entry, Array):
                for mcid, ref in enumerate(entry):
                    if is_struct_elem(ref) and ref.is_indirect and ref.objgen in self.reachable:
                        claimed.add(mcid)
            self._claimed[key] = claimed
        return self._claimed[key]

    def element_in_tree(self, key: int) -> bool:
        if self.tree is None:
            return False
        try:
            ref = self.tree.get(key)
        except (pikepdf.PdfError, TypeError, ValueError):
            return False
        return is_struct_elem(ref) and ref.is_indirect and ref.objgen in self.reachable

    def scan_page(self, page: pikepdf.Page, number: int) -> PageScan:
        self.page = number
        scan = PageScan()
        key = page.obj.get("/StructParents")
        resources = inherited(page.obj, "/Resources")
        instructions = pikepdf.parse_content_stream(page)
        self.walk(
            instructions,
            resources if isinstance(resources, Dictionary) else None,
            _State(),
            int(key) if isinstance(key, int) else None,
            Mark.NONE,
            scan,
            [],
        )
        return scan

    def walk(
        self,
        instructions: Iterable[object],
        resources: Dictionary | None,
        state: _State,
        key: int | None,
        base: Mark,
        scan: PageScan,
        forms: list[tuple[int, int]],
    ) -> None:
        claimed = self.claimed_mcids(key)
        marks = [base]  # the effective mark of each open sequence
        saved: list[_State] = []
        state = state.copy()
        text_matrix = IDENTITY

        def paint(count: int = 1) -> None:
            if marks[-1] is Mark.NONE:
                scan.untagged += count
            elif marks[-1] is Mark.ORPHAN:
                scan.orphaned += count

        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                paint()
                continue
            operands, operator = instruction  # type: ignore[misc]
            op = str(operator)
            if op in TEXT_SHOW:
                paint()
                self.measure(operands, op, state, text_matrix, scan)
            elif op in _PAINT_PATH or op == "sh":
                paint()
            elif op == "q":
                saved.append(state.copy())
            elif op == "Q":
                if saved:
                    state = saved.pop()
            elif op == "cm":
                m = matrix(operands)
                if m is not None:
                    state.ctm = mul(m, state.ctm)
            elif op == "BT":
                text_matrix = IDENTITY
            elif op == "Tm":
                text_matrix = matrix(operands) or text_matrix
            elif op == "Tf" and len(operands) == 2:
                self.set_font(operands, resources, state)
            elif op == "Tr" and operands:
                render_mode = operands[0]
                if isinstance(render_mode, int):
                    state.render_mode = render_mode
            elif op in ("BDC", "BMC"):
                own = Mark.NONE
                if operands and operands[0] == Name.Artifact:
                    own = Mark.OK
                elif op == "BDC":
                    mcid = mcid_of(list(operands), resources)
                    if mcid is not None:
                        own = Mark.OK if mcid in claimed else Mark.ORPHAN
                marks.append(max(marks[-1], own))
            elif op == "EMC":
                if len(marks) > 1:
                    marks.pop()
            elif op == "Do" and operands and resources is not None:
                self.draw(operands[0], resources, state, key, marks[-1], scan, forms, paint)

    def draw(
        self,
        name: object,
        resources: Dictionary,
        state: _State,
        key: int | None,
        mark: Mark,
        scan: PageScan,
        forms: list[tuple[int, int]],
        paint: Callable[[], None],
    ) -> None:
        xobjects = resources.get("/XObject")
        xobject = xobjects.get(str(name)) if isinstance(xobjects, Dictionary) else None
        if not isinstance(xobject, pikepdf.Stream):
            return
        subtype = xobject.get("/Subtype")
        if subtype == Name.Image:
            paint()
            return
        if subtype != Name.Form or xobject.objgen in forms or len(forms) >= _MAX_FORM_DEPTH:
            return
        inner = state.copy()
        form_matrix = matrix(xobject.get("/Matrix", Array(IDENTITY)))
        if form_matrix is not None:
            inner.ctm = mul(form_matrix, inner.ctm)
        form_key = key
        if isinstance(xobject.get("/StructParents"), int):
            form_key = int(xobject.StructParents)
        parent_key = xobject.get("/StructParent")
        if isinstance(parent_key, int) and self.element_in_tree(parent_key):
            mark = Mark.OK  # the whole form is one content item of an element in the tree
        form_resources = xobject.get("/Resources")
        self.walk(
            pikepdf.parse_content_stream(xobject),
            form_resources if isinstance(form_resources, Dictionary) else resources,
            inner,
            form_key,
            mark,
            scan,
            [*forms, xobject.objgen],
        )

    def set_font(self, operands: object, resources: Dictionary | None, state: _State) -> None:
        name, size = operands[0], operands[1]  # type: ignore[index]
        try:
            state.font_size = float(size)
        except (TypeError, ValueError):
            state.font_size = 0.0
        fonts = resources.get("/Font") if resources is not None else None
        font = fonts.get(str(name)) if isinstance(fonts, Dictionary) else None
        state.font = font if isinstance(font, Dictionary) else None
        if state.font is not None:
            ident = font.objgen if font.is_indirect else (id(font), 0)
            if ident not in self.fonts:
                base = str(font.get("/BaseFont", name)).lstrip("/")
                self.fonts[ident] = FontUse(base, self.page, font)

    def measure(
        self, operands: object, op: str, state: _State, text_matrix: Matrix, scan: PageScan
    ) -> None:
        if state.render_mode in _INVISIBLE:
            return
        items = list(operands)  # type: ignore[call-overload]
        shown = items[-1] if items else None
        strings = list(shown) if isinstance(shown, Array) else [shown]
        width = 2 if state.font is not None and state.font.get("/Subtype") == Name.Type0 else 1
        glyphs = sum(len(bytes(s)) // width for s in strings if isinstance(s, pikepdf.String))
        if not glyphs:
            return
        _a, _b, c, d, _e, _f = mul(text_matrix, state.ctm)
        size = round(abs(state.font_size) * math.hypot(c, d), 1)
        scan.sizes[size] += glyphs
