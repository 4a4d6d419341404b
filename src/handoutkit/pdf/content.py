"""The one interpreter of PDF content streams in handoutkit.

Post-processing our own output (`handoutkit.pdf.tags`) and the preflight of any PDF
(`handoutkit.audit.scan`) both need to know, for each operator of a page, which marked-content
sequences enclose it, where it paints and with which font at which size. `walk_page`
interprets the operators once and reports what it sees to a `ContentVisitor`, so the two
readers cannot drift apart on what ``q``, ``cm``, ``Tm`` or a nested form XObject mean.

What is interpreted: the graphics state (``q``/``Q``/``cm``; the font, size, render mode and
leading set by ``Tf``/``Tr``/``TL``, which ``q`` saves too), the text and line matrices (``BT``,
``Tm``, ``Td``, ``TD``, ``T*``, ``'``, ``"``), marked content (``BDC``/``BMC``/``EMC``, with the
MCID of inline or named properties), painting (paths, shadings, text, inline images and image
XObjects) and form XObjects, walked with their ``/Matrix``, ``/Resources`` and
``/StructParents``. Glyph widths are not read, so a text-showing operator is located at the
start of its text. Matrices are ``[a b c d e f]`` 6-tuples, multiplied in PDF order:
``multiply(m, ctm)`` is "m, then the current matrix".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import cast

import pikepdf
from pikepdf import Array, ContentStreamInlineImage, Dictionary, Name

from handoutkit.pdf.read import inherited

Matrix = tuple[float, ...]
Point = tuple[float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 16
"""Form XObjects nested deeper than this are not walked (nor are forms that draw themselves):
a hostile file must not make a reader recurse without end."""

_TEXT_SHOW = frozenset({"Tj", "TJ", "'", '"'})
_NEXT_LINE_AND_SHOW = frozenset({"'", '"'})
_PATH_PAINT = frozenset({"f", "F", "f*", "B", "B*", "b", "b*", "S", "s"})


# --------------------------------------------------------------------------- matrices


def multiply(m1: Matrix, m2: Matrix) -> Matrix:
    """``m1`` then ``m2`` (the PDF order: ``multiply(cm operands, ctm)`` is the new CTM)."""
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


def transform(m: Matrix, x: float, y: float) -> Point:
    """Where the point (x, y) lands under ``m``."""
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def to_matrix(operands: object) -> Matrix | None:
    """Six numbers as a matrix, or None when they are not (a damaged stream is not fatal)."""
    return _numbers(operands, 6)


def _numbers(operands: object, count: int) -> tuple[float, ...] | None:
    """``count`` numbers, or None when the operands are not that many numbers."""
    try:
        values = tuple(float(v) for v in operands)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    return values if len(values) == count else None


def _translation(tx: float, ty: float) -> Matrix:
    return (1.0, 0.0, 0.0, 1.0, tx, ty)


def mcid_of(operands: Sequence[object], resources: Dictionary | None) -> int | None:
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


# --------------------------------------------------------------------------- what is reported


class Paint(Enum):
    """What a painting operator other than text draws."""

    PATH = "path"  # f F f* B B* b b* S s
    SHADING = "shading"  # sh
    IMAGE = "image"  # Do of an image XObject
    INLINE_IMAGE = "inline image"  # BI … ID … EI


@dataclass(slots=True)
class GraphicsState:
    """The parts of the graphics state handoutkit reads: what ``q`` saves and ``Q`` restores."""

    ctm: Matrix = IDENTITY
    font: Dictionary | None = None  # the /Font resource ``Tf`` selected, when there is one
    font_size: float = 0.0
    render_mode: int = 0  # ``Tr``: 3 and 7 paint nothing
    leading: float = 0.0  # ``TL``, ``TD``: the line distance of ``T*``, ``'`` and ``"``

    def copy(self) -> GraphicsState:
        return GraphicsState(self.ctm, self.font, self.font_size, self.render_mode, self.leading)


@dataclass(slots=True)
class ContentStream:
    """One stream being walked: a page's content, or a form XObject drawn from it."""

    instructions: list[pikepdf.ContentStreamInstruction | ContentStreamInlineImage]
    resources: Dictionary | None  # a form without /Resources uses those of what draws it
    key: int | None  # /StructParents: the /ParentTree entry its MCIDs index
    form: pikepdf.Stream | None = None  # None for a page's content
    depth: int = 0  # forms between the page and this stream


class ContentVisitor:
    """What `walk_page` reports; override the callbacks you need (by default they ignore it).

    ``index`` is the position of an instruction in ``stream.instructions`` of the stream last
    entered and not yet left. The ``state`` passed to a callback is the walker's live state:
    read it during the call, do not keep it.
    """

    def enter_stream(self, stream: ContentStream) -> None:
        """A page's content or a form's starts (a form's from inside the ``Do`` that draws it)."""

    def leave_stream(self, stream: ContentStream) -> None:
        """The stream ended; sequences it left open are dropped, not ended."""

    def begin_marked(self, index: int, tag: object, mcid: int | None) -> None:
        """``BDC`` or ``BMC``; ``mcid`` is None for ``BMC`` and for properties without one."""

    def end_marked(self, index: int) -> None:
        """``EMC`` of a sequence begun in the same stream (unbalanced ones are not reported)."""

    def show_text(
        self, operands: Sequence[object], state: GraphicsState, text_matrix: Matrix
    ) -> None:
        """``Tj``, ``TJ``, ``'`` or ``"``: the text (last operand) starts at the origin of
        ``text_matrix`` × ``state.ctm`` (for ``'`` and ``"``, already on the next line)."""

    def paint(self, kind: Paint, state: GraphicsState) -> None:
        """A path, shading or image is painted (an image fills the unit square of the CTM)."""

    def select_font(self, name: object, state: GraphicsState) -> None:
        """``Tf`` set ``state.font`` (None when ``name`` is not a font resource) and size."""

    def enter_form(self, form: pikepdf.Stream, state: GraphicsState) -> bool:
        """A form XObject is drawn, ``state.ctm`` already including its /Matrix: walk it?"""
        return True

    def unreadable_form(self, form: pikepdf.Stream, error: pikepdf.PdfError) -> None:
        """A form's content cannot be parsed; by default the error propagates."""
        raise error


# --------------------------------------------------------------------------- the walk


def walk_page(page: pikepdf.Page, visitor: ContentVisitor) -> None:
    """Interpret a page's content, and the forms it draws, reporting to ``visitor``.

    Raises `pikepdf.PdfError` when the page's content cannot be parsed.
    """
    resources = inherited(page.obj, "/Resources")
    key = page.obj.get("/StructParents")
    stream = ContentStream(
        pikepdf.parse_content_stream(page),
        resources if isinstance(resources, Dictionary) else None,
        int(key) if isinstance(key, int) else None,
    )
    _Walker(visitor).walk(stream, GraphicsState())


class _Walker:
    def __init__(self, visitor: ContentVisitor) -> None:
        self.visitor = visitor
        self.forms: list[tuple[int, int]] = []  # the forms being walked, outermost first

    def walk(self, stream: ContentStream, state: GraphicsState) -> None:
        """Interpret one stream; ``state`` is owned by this walk (and changed by it)."""
        visitor = self.visitor
        show_text, paint, begin_marked = visitor.show_text, visitor.paint, visitor.begin_marked
        resources = stream.resources
        saved: list[GraphicsState] = []
        text_matrix = line_matrix = IDENTITY
        open_sequences = 0
        visitor.enter_stream(stream)
        for index, instruction in enumerate(stream.instructions):
            if isinstance(instruction, ContentStreamInlineImage):
                paint(Paint.INLINE_IMAGE, state)
                continue
            operands = instruction.operands  # (attributes: 6× faster than unpacking)
            op = str(instruction.operator)
            # the most frequent operators first: this loop is the audit's hot path
            if op in _TEXT_SHOW:
                if op in _NEXT_LINE_AND_SHOW:
                    text_matrix = line_matrix = multiply(
                        _translation(0.0, -state.leading), line_matrix
                    )
                show_text(cast(Sequence[object], operands), state, text_matrix)
            elif op == "EMC":
                if open_sequences:
                    open_sequences -= 1
                    visitor.end_marked(index)
            elif op == "BDC" or op == "BMC":
                open_sequences += 1
                mcid = mcid_of(cast(Sequence[object], operands), resources) if op == "BDC" else None
                begin_marked(index, operands[0] if operands else None, mcid)
            elif op == "Tm":
                m = to_matrix(operands)
                if m is not None:
                    text_matrix = line_matrix = m
            elif op == "BT":
                text_matrix = line_matrix = IDENTITY
            elif op == "Tf":
                if len(operands) == 2:
                    self.select_font(cast(Sequence[object], operands), resources, state)
            elif op == "q":
                saved.append(state.copy())
            elif op == "Q":
                if saved:
                    state = saved.pop()
            elif op in _PATH_PAINT:
                paint(Paint.PATH, state)
            elif op == "cm":
                m = to_matrix(operands)
                if m is not None:
                    state.ctm = multiply(m, state.ctm)
            elif op == "Td" or op == "TD":
                offset = _numbers(operands, 2)
                if offset is not None:
                    if op == "TD":
                        state.leading = -offset[1]
                    text_matrix = line_matrix = multiply(_translation(*offset), line_matrix)
            elif op == "T*":
                text_matrix = line_matrix = multiply(_translation(0.0, -state.leading), line_matrix)
            elif op == "TL":
                leading = _numbers(operands, 1)
                if leading is not None:
                    state.leading = leading[0]
            elif op == "Tr":
                if operands and isinstance(operands[0], int):
                    state.render_mode = int(operands[0])
            elif op == "sh":
                paint(Paint.SHADING, state)
            elif op == "Do" and operands and resources is not None:
                self.draw(operands[0], resources, stream, state)
        visitor.leave_stream(stream)

    def select_font(
        self, operands: Sequence[object], resources: Dictionary | None, state: GraphicsState
    ) -> None:
        name, size = operands
        try:
            state.font_size = float(size)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            state.font_size = 0.0
        fonts = resources.get("/Font") if resources is not None else None
        font = fonts.get(str(name)) if isinstance(fonts, Dictionary) else None
        state.font = font if isinstance(font, Dictionary) else None
        self.visitor.select_font(name, state)

    def draw(
        self, name: object, resources: Dictionary, stream: ContentStream, state: GraphicsState
    ) -> None:
        """``Do``: paint an image, or walk a form with its own matrix, resources and key."""
        xobjects = resources.get("/XObject")
        xobject = xobjects.get(str(name)) if isinstance(xobjects, Dictionary) else None
        if not isinstance(xobject, pikepdf.Stream):
            return
        subtype = xobject.get("/Subtype")
        if subtype == Name.Image:
            self.visitor.paint(Paint.IMAGE, state)
            return
        if subtype != Name.Form or stream.depth >= MAX_FORM_DEPTH or xobject.objgen in self.forms:
            return
        inner = state.copy()
        form_matrix = to_matrix(xobject.get("/Matrix", Array(IDENTITY)))
        if form_matrix is not None:
            inner.ctm = multiply(form_matrix, inner.ctm)
        if not self.visitor.enter_form(xobject, inner):
            return
        try:
            instructions = pikepdf.parse_content_stream(xobject)
        except pikepdf.PdfError as error:
            self.visitor.unreadable_form(xobject, error)
            return
        own_resources = xobject.get("/Resources")
        key = xobject.get("/StructParents")
        form = ContentStream(
            instructions,
            own_resources if isinstance(own_resources, Dictionary) else resources,
            int(key) if isinstance(key, int) else stream.key,
            xobject,
            stream.depth + 1,
        )
        self.forms.append(xobject.objgen)
        try:
            self.walk(form, inner)
        finally:
            self.forms.pop()
