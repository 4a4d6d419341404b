"""The content-stream scan of the audit: what encloses each painting operator (tagged, an
artifact, or neither), the size of every run of text as printed, and the fonts used.

Text sizes are measured here rather than with pdfminer.six: the walk that finds untagged content
(`handoutkit.pdf.content`, shared with the post-processing) knows the font size, text matrix
and CTM of every text-showing operator, so no second parser (or dependency) is needed. The size
of a run is ``|Tf size| × length of the text-space y axis in device space``, rounded to 0.1 pt;
glyphs are counted per code (two bytes for Type0 fonts, one otherwise). Invisible text (render
modes 3 and 7, e.g. the OCR layer of a scan) is not counted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.pdf.content import (
    ContentStream,
    ContentVisitor,
    GraphicsState,
    Matrix,
    Paint,
    multiply,
    walk_page,
)
from handoutkit.pdf.read import is_struct_elem, reachable_elements

_INVISIBLE = {3, 7}  # text render modes that paint nothing


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
    """What one page's content holds: painting operators outside the tree, text sizes."""

    untagged: int = 0  # outside any tag or artifact
    orphaned: int = 0  # in marked content whose MCID no element in the tree claims
    sizes: Counter[float] = field(default_factory=Counter)  # pt (0.1) → glyphs


class ContentScanner(ContentVisitor):
    """Scans pages (and the forms they draw) for marks, text sizes and fonts; one per file."""

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
        self._scan = PageScan()
        # the effective mark of each open sequence of the stream being walked (first: what
        # encloses the stream), and the MCIDs its ParentTree entry claims; saved for each form
        self._marks: list[Mark] = [Mark.NONE]
        self._claimed_here: set[int] = set()
        self._outer: list[tuple[list[Mark], set[int]]] = []

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
        """Whether ParentTree entry ``key`` (a form's /StructParent) is an element in the tree."""
        if self.tree is None:
            return False
        try:
            ref = self.tree.get(key)
        except (pikepdf.PdfError, TypeError, ValueError):
            return False
        return is_struct_elem(ref) and ref.is_indirect and ref.objgen in self.reachable

    def scan_page(self, page: pikepdf.Page, number: int) -> PageScan:
        """Raises `pikepdf.PdfError` when the page's content cannot be read."""
        self.page = number
        self._scan = PageScan()
        self._marks, self._outer = [Mark.NONE], []  # a damaged page may have stopped mid-form
        walk_page(page, self)
        return self._scan

    # ContentVisitor --------------------------------------------------------------------------

    def enter_stream(self, stream: ContentStream) -> None:
        base = self._marks[-1] if self._outer else Mark.NONE
        if stream.form is not None:
            parent_key = stream.form.get("/StructParent")
            if isinstance(parent_key, int) and self.element_in_tree(parent_key):
                base = Mark.OK  # the whole form is one content item of an element in the tree
        self._outer.append((self._marks, self._claimed_here))
        self._marks = [base]
        self._claimed_here = self.claimed_mcids(stream.key)

    def leave_stream(self, stream: ContentStream) -> None:
        self._marks, self._claimed_here = self._outer.pop()

    def begin_marked(self, index: int, tag: object, mcid: int | None) -> None:
        own = Mark.NONE
        if tag == Name.Artifact:
            own = Mark.OK
        elif mcid is not None:
            own = Mark.OK if mcid in self._claimed_here else Mark.ORPHAN
        self._marks.append(max(self._marks[-1], own))

    def end_marked(self, index: int) -> None:
        self._marks.pop()

    def paint(self, kind: Paint, state: GraphicsState) -> None:
        self._count_painting()

    def show_text(
        self, operands: Sequence[object], state: GraphicsState, text_matrix: Matrix
    ) -> None:
        self._count_painting()
        if state.render_mode in _INVISIBLE:
            return
        shown = operands[-1] if operands else None
        strings = list(shown) if isinstance(shown, Array) else [shown]
        width = 2 if state.font is not None and state.font.get("/Subtype") == Name.Type0 else 1
        glyphs = sum(len(bytes(s)) // width for s in strings if isinstance(s, pikepdf.String))
        if not glyphs:
            return
        _a, _b, c, d, _e, _f = multiply(text_matrix, state.ctm)
        size = round(abs(state.font_size) * math.hypot(c, d), 1)
        self._scan.sizes[size] += glyphs

    def select_font(self, name: object, state: GraphicsState) -> None:
        font = state.font
        if font is None:
            return
        ident = font.objgen if font.is_indirect else (id(font), 0)
        if ident not in self.fonts:
            base = str(font.get("/BaseFont", name)).lstrip("/")
            self.fonts[ident] = FontUse(base, self.page, font)

    def _count_painting(self) -> None:
        """One painting operator, counted when it is outside the tree."""
        mark = self._marks[-1]
        if mark is Mark.NONE:
            self._scan.untagged += 1
        elif mark is Mark.ORPHAN:
            self._scan.orphaned += 1
