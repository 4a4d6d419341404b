"""Post-processing of WeasyPrint's tagged (PDF/UA-1) output with pikepdf.

WeasyPrint 70 tags the content of ``@page`` margin boxes (running headers and
footers) like body text: every text box is drawn inside ``/Span <</MCID n>> BDC``
and gets a structure element.  ``weasyprint/pdf/tags.py`` (``_build_box_tree``,
``MarginBox`` branch) builds those elements only "to map marked content": it
calls ``_build_box_tree`` for the margin box children and *throws the result
away*, so the elements are never put in the ``/K`` array of the ``/Document``
element (their ``/P`` still points at ``/Document``) while the page's entry in
the ``/ParentTree`` still maps the MCIDs to them.  PDF/UA wants page furniture
to be marked as ``/Artifact`` with no structure element at all.

Rule used here to recognise furniture: a marked-content sequence is margin-box
content when its MCID is mapped by the page's ``/ParentTree`` entry to a
structure element that cannot be reached from ``/StructTreeRoot`` by walking
``/K`` arrays.  In WeasyPrint 70 the *only* structure elements that are built
but left out of the tree are the margin-box ones, so the rule depends on how
the tree is built, not on tags, fonts or page positions.  Position is only used
afterwards to choose ``/Header`` or ``/Footer``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from handoutkit.pdf.content import (
    ContentStream,
    ContentVisitor,
    GraphicsState,
    Matrix,
    Paint,
    Point,
    multiply,
    transform,
    walk_page,
)
from handoutkit.pdf.read import inherited, is_struct_elem, kids, reachable_elements, subtree

__all__ = ["artifact_page_furniture", "postprocess_pdf"]

LOGGER = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Structure tree helpers
# --------------------------------------------------------------------------


def _has_annotation(elem: Dictionary) -> bool:
    for node in subtree(elem):
        for kid in kids(node):
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                return True
    return False


def _orphan_root(elem: Dictionary, reachable: set[tuple[int, int]]) -> Dictionary:
    """Topmost unreachable ancestor of an unreachable element (via /P)."""
    seen = {elem.objgen}
    node = elem
    while True:
        parent = node.get("/P")
        if (
            not is_struct_elem(parent)
            or not parent.is_indirect
            or parent.objgen in reachable
            or parent.objgen in seen
        ):
            return node
        seen.add(parent.objgen)
        node = parent


# --------------------------------------------------------------------------
# Content stream rewriting
# --------------------------------------------------------------------------


@dataclass
class _Furniture:
    """What the rewrite of every page shares: which MCIDs are furniture, and what is done."""

    parent_tree: pikepdf.NumberTree
    reachable: set[tuple[int, int]]
    adopted: set[tuple[int, int]]
    streams_done: set[tuple[int, int]] = field(default_factory=set)  # forms, rewritten once
    converted: set[tuple[int, int]] = field(default_factory=set)  # (ParentTree key, MCID)

    def mcids(self, key: int | None) -> set[int]:
        """MCIDs of ParentTree entry ``key`` whose elements are margin-box content to convert."""
        entry = self.parent_tree.get(key) if key is not None else None
        if not isinstance(entry, Array):
            return set()
        mcids = set()
        for mcid, ref in enumerate(entry):
            if (
                is_struct_elem(ref)
                and ref.is_indirect
                and ref.objgen not in self.reachable
                and _orphan_root(ref, self.reachable).objgen not in self.adopted
            ):
                mcids.add(mcid)
        return mcids


@dataclass
class _Sequence:
    """An open marked-content sequence."""

    index: int
    mcid: int | None  # set when the sequence is furniture to convert
    point: Point | None = None  # where its content first paints, to tell header from footer


@dataclass
class _StreamRewrite:
    """The rewrite of one content stream (a page's or a form's) in progress."""

    stream: ContentStream
    furniture: set[int]
    result: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage]
    open: list[_Sequence] = field(default_factory=list)
    changed: bool = False
    first_point: Point | None = None  # classifies the sequences around a form


class _PageRewrite(ContentVisitor):
    """Turns the furniture sequences of one page, and of the forms it draws, into artifacts.

    A sequence is rewritten at its ``EMC``, when the first point it paints (text, an image, or
    a form's first point) is known; a stream is written back when it ends, if it changed.
    """

    def __init__(self, furniture: _Furniture, pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        self.furniture = furniture
        self.pdf = pdf
        self.page = page
        self.bounds = _page_bounds(page)  # bottom, top in default user space
        self.streams: list[_StreamRewrite] = []
        self.count = 0

    def mark(self, point: Point) -> None:
        """Content of the current stream paints at ``point``."""
        current = self.streams[-1]
        if current.first_point is None:
            current.first_point = point
        for sequence in current.open:
            if sequence.mcid is not None and sequence.point is None:
                sequence.point = point

    def enter_stream(self, stream: ContentStream) -> None:
        furniture = self.furniture.mcids(stream.key)
        self.streams.append(_StreamRewrite(stream, furniture, list(stream.instructions)))

    def leave_stream(self, stream: ContentStream) -> None:
        done = self.streams.pop()
        if done.changed:
            data = pikepdf.unparse_content_stream(done.result)
            if stream.form is not None:
                stream.form.write(data)
            else:
                self.page.obj.Contents = self.pdf.make_stream(data)
        if stream.form is not None and done.first_point is not None:
            self.mark(done.first_point)

    def begin_marked(self, index: int, tag: object, mcid: int | None) -> None:
        current = self.streams[-1]
        current.open.append(_Sequence(index, mcid if mcid in current.furniture else None))

    def end_marked(self, index: int) -> None:
        current = self.streams[-1]
        sequence = current.open.pop()
        if sequence.mcid is None or current.stream.key is None:
            return  # (a sequence is furniture only where its stream has a ParentTree key)
        self.furniture.converted.add((current.stream.key, sequence.mcid))
        properties = self.artifact_properties(sequence.point)
        current.result[sequence.index] = pikepdf.ContentStreamInstruction(
            [Name.Artifact, properties], Operator("BDC")
        )
        current.changed = True
        self.count += 1

    def show_text(
        self, operands: Sequence[object], state: GraphicsState, text_matrix: Matrix
    ) -> None:
        self.mark(transform(multiply(text_matrix, state.ctm), 0, 0))

    def paint(self, kind: Paint, state: GraphicsState) -> None:
        if kind is Paint.IMAGE or kind is Paint.INLINE_IMAGE:
            self.mark(transform(state.ctm, 0.5, 0.5))

    def enter_form(self, form: pikepdf.Stream, state: GraphicsState) -> bool:
        if form.objgen not in self.furniture.streams_done:
            self.furniture.streams_done.add(form.objgen)
            return True
        # Already rewritten (or drawn again): only classify, by the centre of its box.
        try:
            x0, y0, x1, y1 = (float(v) for v in form.BBox)
        except (AttributeError, TypeError, ValueError):
            return False
        self.mark(transform(state.ctm, (x0 + x1) / 2, (y0 + y1) / 2))
        return False

    def unreadable_form(self, form: pikepdf.Stream, error: pikepdf.PdfError) -> None:
        LOGGER.warning("cannot parse form XObject %s; left unchanged", form.objgen)

    def artifact_properties(self, point: Point | None) -> Dictionary:
        """/Pagination, with /Header or /Footer when ``point`` is in the top or bottom third."""
        properties = Dictionary(Type=Name.Pagination)
        if point is not None:
            bottom, top = self.bounds
            third = (top - bottom) / 3
            if point[1] >= top - third:
                properties.Subtype = Name.Header
            elif point[1] <= bottom + third:
                properties.Subtype = Name.Footer
        return properties


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _page_bounds(page: pikepdf.Page) -> tuple[float, float]:
    box: Any = page.obj.get("/CropBox", page.obj.get("/MediaBox"))
    try:
        y0, y1 = float(box[1]), float(box[3])
    except (TypeError, IndexError, ValueError):
        return 0.0, 842.0
    return min(y0, y1), max(y0, y1)


def _document_element(struct_root: Dictionary) -> Dictionary | None:
    elements = [kid for kid in kids(struct_root) if is_struct_elem(kid)]
    return elements[0] if len(elements) == 1 else None


def _adopt(
    pdf: pikepdf.Pdf, struct_root: Dictionary, orphan: Dictionary, reachable: set[tuple[int, int]]
) -> None:
    """Insert an orphan subtree that holds annotations into the tree."""
    parent = orphan.get("/P")
    if not (is_struct_elem(parent) and parent.is_indirect and parent.objgen in reachable):
        parent = _document_element(struct_root)
    if parent is None:
        return
    page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    orphan_pg = orphan.get("/Pg")
    orphan_page = (
        len(page_index) if orphan_pg is None else page_index.get(orphan_pg.objgen, len(page_index))
    )
    siblings = parent.get("/K")
    if not isinstance(siblings, Array):
        parent.K = Array([] if siblings is None else [siblings])
        siblings = parent.K
    position = len(siblings)
    for i, kid in enumerate(siblings):
        pg = kid.get("/Pg") if isinstance(kid, Dictionary) else None
        if pg is not None and page_index.get(pg.objgen, -1) > orphan_page:
            position = i
            break
    siblings.insert(position, orphan)
    orphan.P = parent
    for node in subtree(orphan):
        reachable.add(node.objgen)


def artifact_page_furniture(pdf: pikepdf.Pdf) -> int:
    """Turn WeasyPrint's margin-box content into pagination artifacts, in place.

    Every marked-content sequence whose MCID the ``/ParentTree`` maps to a
    structure element that is not reachable from ``/StructTreeRoot`` is
    rewritten to ``/Artifact <</Type /Pagination /Subtype /Header|/Footer>>``
    (no ``/Subtype`` for boxes in the middle third of the page, e.g.
    ``@left-middle``); the ``/ParentTree`` entries are cleared so the
    structure elements are dropped when the file is saved.  Orphan subtrees
    that hold annotations (links in running elements) cannot become artifacts
    in PDF/UA-1, so they are attached to the tree instead of converted.

    Returns the number of converted sequences (0 for a PDF without margin-box
    content, which is then left as it was, apart from attaching link-holding
    orphans as described above).
    """
    return _artifact_page_furniture(pdf)[0]


def _artifact_page_furniture(pdf: pikepdf.Pdf) -> tuple[int, bool]:
    """Do the work; return (converted sequences, whether ``pdf`` was modified)."""
    struct_root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(struct_root, Dictionary) or "/ParentTree" not in struct_root:
        return 0, False
    parent_tree = pikepdf.NumberTree(struct_root.ParentTree)
    reachable = reachable_elements(struct_root)

    # Orphan subtrees holding annotations are attached, not converted.
    adopted: set[tuple[int, int]] = set()
    for _key, entry in parent_tree.items():
        refs = list(entry) if isinstance(entry, Array) else [entry]
        for ref in refs:
            if not (is_struct_elem(ref) and ref.is_indirect) or ref.objgen in reachable:
                continue
            orphan = _orphan_root(ref, reachable)
            if orphan.objgen not in adopted and _has_annotation(orphan):
                LOGGER.warning("margin-box content with annotations kept as tagged content")
                _adopt(pdf, struct_root, orphan, reachable)
                adopted.add(orphan.objgen)

    furniture = _Furniture(parent_tree, reachable, adopted)
    total = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if not isinstance(key, int):
            continue
        if not furniture.mcids(int(key)) and not _forms_have_own_keys(page):
            continue
        rewrite = _PageRewrite(furniture, pdf, page)
        walk_page(page, rewrite)
        total += rewrite.count
    converted = furniture.converted

    # Drop the ParentTree references to the converted elements; trailing
    # entries go, converted MCIDs in the middle of a page's array become null.
    for tree_key in sorted({tree_key for tree_key, _mcid in converted}):
        tree_entry = parent_tree.get(tree_key)
        if not isinstance(tree_entry, Array):
            continue
        values = [
            None if (tree_key, mcid) in converted else ref for mcid, ref in enumerate(tree_entry)
        ]
        while values and values[-1] is None:
            values.pop()
        parent_tree[tree_key] = Array(values)
    return total, bool(total or adopted)


def _forms_have_own_keys(page: pikepdf.Page) -> bool:
    """Whether a form the page draws indexes its own ParentTree entry (it may hold furniture
    even when the page's entry has none)."""
    resources = inherited(page.obj, "/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    if not isinstance(xobjects, Dictionary):
        return False
    return any(isinstance(x, pikepdf.Stream) and "/StructParents" in x for x in xobjects.values())


def postprocess_pdf(pdf_bytes: bytes) -> bytes:
    """Artifact page furniture in a WeasyPrint PDF/UA-1 file.

    Returns ``pdf_bytes`` itself when there is nothing to change.  Otherwise
    the file is saved deterministically: same input, same bytes.  The /ID is
    derived from the content (qpdf's deterministic ID), the XMP metadata (with
    ``pdfuaid:part``) and the document information dictionary are copied
    unchanged, the PDF version and object streams are kept, and no timestamp
    is added.
    """
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _count, modified = _artifact_page_furniture(pdf)
        if not modified:
            return pdf_bytes
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            fix_metadata_version=False,
            object_stream_mode=pikepdf.ObjectStreamMode.preserve,
        )
        return out.getvalue()
