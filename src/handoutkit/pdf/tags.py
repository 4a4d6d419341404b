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
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from handoutkit.pdf.read import (
    IDENTITY,
    TEXT_SHOW,
    apply,
    is_struct_elem,
    kids,
    matrix,
    mcid_of,
    mul,
    reachable_elements,
    subtree,
)

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
# Content stream walking
# --------------------------------------------------------------------------


@dataclass
class _Frame:
    """An open marked-content sequence."""

    index: int
    mcid: int | None  # set when the sequence is furniture to convert
    point: tuple[float, float] | None = None


@dataclass
class _Context:
    """What is needed to rewrite one page (and the forms it draws)."""

    parent_tree: pikepdf.NumberTree
    reachable: set[tuple[int, int]]
    bounds: tuple[float, float]  # bottom, top in default user space
    adopted: set[tuple[int, int]]
    streams_done: set[tuple[int, int]] = field(default_factory=set)
    converted: set[tuple[int, int]] = field(default_factory=set)  # (ParentTree key, MCID)
    count: int = 0

    def furniture_mcids(self, key: int) -> set[int]:
        entry = self.parent_tree.get(key)
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

    def artifact_properties(self, point: tuple[float, float] | None) -> Dictionary:
        properties = Dictionary(Type=Name.Pagination)
        if point is not None:
            bottom, top = self.bounds
            third = (top - bottom) / 3
            if point[1] >= top - third:
                properties.Subtype = Name.Header
            elif point[1] <= bottom + third:
                properties.Subtype = Name.Footer
        return properties


def _rewrite_stream(
    ctx: _Context,
    instructions: list[pikepdf.ContentStreamInstruction],
    resources: Dictionary | None,
    ctm: tuple[float, ...],
    key: int,
    depth: int = 0,
) -> tuple[list[pikepdf.ContentStreamInstruction] | None, tuple[float, float] | None]:
    """Artifact furniture sequences of one content stream.

    Returns the new instruction list (``None`` if nothing changed) and the first
    painted point of the stream, used to classify enclosing sequences.
    """
    mcids = ctx.furniture_mcids(key)
    result = list(instructions)
    changed = False
    first_point: tuple[float, float] | None = None
    frames: list[_Frame] = []
    gstack: list[tuple[float, ...]] = []
    tm = tlm = IDENTITY
    leading = 0.0

    def mark(point: tuple[float, float]) -> None:
        nonlocal first_point
        if first_point is None:
            first_point = point
        for frame in frames:
            if frame.mcid is not None and frame.point is None:
                frame.point = point

    for index, instruction in enumerate(instructions):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            mark(apply(ctm, 0.5, 0.5))
            continue
        op = str(instruction.operator)
        operands = list(instruction.operands)
        if op == "q":
            gstack.append(ctm)
        elif op == "Q":
            if gstack:
                ctm = gstack.pop()
        elif op == "cm":
            m = matrix(operands)
            if m is not None:
                ctm = mul(m, ctm)
        elif op == "BT":
            tm = tlm = IDENTITY
        elif op == "Tm":
            m = matrix(operands)
            if m is not None:
                tm = tlm = m
        elif op in ("Td", "TD") and matrix([1, 0, 0, 1, *operands]) is not None:
            tx, ty = float(operands[0]), float(operands[1])
            if op == "TD":
                leading = -ty
            tm = tlm = mul((1, 0, 0, 1, tx, ty), tlm)
        elif op == "TL" and operands:
            leading = float(operands[0])
        elif op == "T*":
            tm = tlm = mul((1, 0, 0, 1, 0, -leading), tlm)
        elif op in TEXT_SHOW:
            if op in ("'", '"'):
                tm = tlm = mul((1, 0, 0, 1, 0, -leading), tlm)
            mark(apply(mul(tm, ctm), 0, 0))
        elif op == "Do" and operands and resources is not None:
            xobject = resources.get("/XObject", Dictionary()).get(str(operands[0]))
            if isinstance(xobject, pikepdf.Stream):
                point = _draw_xobject(ctx, xobject, ctm, key, depth)
                if point is not None:
                    mark(point)
        elif op in ("BDC", "BMC"):
            mcid = mcid_of(operands, resources) if op == "BDC" else None
            frames.append(_Frame(index, mcid if mcid in mcids else None))
        elif op == "EMC" and frames:
            frame = frames.pop()
            if frame.mcid is not None:
                ctx.converted.add((key, frame.mcid))
                result[frame.index] = pikepdf.ContentStreamInstruction(
                    [Name.Artifact, ctx.artifact_properties(frame.point)], Operator("BDC")
                )
                ctx.count += 1
                changed = True
    return (result if changed else None), first_point


def _draw_xobject(
    ctx: _Context,
    xobject: pikepdf.Stream,
    ctm: tuple[float, ...],
    key: int,
    depth: int,
) -> tuple[float, float] | None:
    subtype = xobject.get("/Subtype")
    if subtype == Name.Image:
        return apply(ctm, 0.5, 0.5)
    if subtype != Name.Form or depth > 16:
        return None
    form_ctm = ctm
    m = matrix(xobject.get("/Matrix", Array(IDENTITY)))
    if m is not None:
        form_ctm = mul(m, ctm)
    form_key = int(xobject.StructParents) if "/StructParents" in xobject else key
    ident = xobject.objgen
    if ident in ctx.streams_done:
        # Already rewritten (or shared between contexts): only classify.
        try:
            x0, y0, x1, y1 = (float(v) for v in xobject.BBox)
        except (AttributeError, TypeError, ValueError):
            return None
        return apply(form_ctm, (x0 + x1) / 2, (y0 + y1) / 2)
    ctx.streams_done.add(ident)
    try:
        instructions = list(pikepdf.parse_content_stream(xobject))
    except pikepdf.PdfError:
        LOGGER.warning("cannot parse form XObject %s; left unchanged", ident)
        return None
    new, point = _rewrite_stream(
        ctx, instructions, xobject.get("/Resources"), form_ctm, form_key, depth + 1
    )
    if new is not None:
        xobject.write(pikepdf.unparse_content_stream(new))
    return point


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _page_bounds(page: pikepdf.Page) -> tuple[float, float]:
    box = page.obj.get("/CropBox", page.obj.get("/MediaBox"))
    try:
        y0, y1 = float(box[1]), float(box[3])
    except (TypeError, IndexError, ValueError):
        return 0.0, 842.0
    return min(y0, y1), max(y0, y1)


def _document_element(struct_root: Dictionary) -> Dictionary | None:
    elements = [kid for kid in kids(struct_root) if is_struct_elem(kid)]
    return elements[0] if len(elements) == 1 else None


def _adopt(pdf: pikepdf.Pdf, struct_root: Dictionary, orphan: Dictionary, reachable: set) -> None:
    """Insert an orphan subtree that holds annotations into the tree."""
    parent = orphan.get("/P")
    if not (is_struct_elem(parent) and parent.is_indirect and parent.objgen in reachable):
        parent = _document_element(struct_root)
    if parent is None:
        return
    page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    orphan_page = page_index.get(getattr(orphan.get("/Pg"), "objgen", None), len(page_index))
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

    converted: set[tuple[int, int]] = set()
    streams_done: set[tuple[int, int]] = set()
    total = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if not isinstance(key, int):
            continue
        ctx = _Context(
            parent_tree=parent_tree,
            reachable=reachable,
            bounds=_page_bounds(page),
            adopted=adopted,
            streams_done=streams_done,
            converted=converted,
        )
        if not ctx.furniture_mcids(int(key)) and not _forms_have_own_keys(page):
            continue
        instructions = list(pikepdf.parse_content_stream(page))
        new, _point = _rewrite_stream(
            ctx, instructions, page.obj.get("/Resources"), IDENTITY, int(key)
        )
        if new is not None:
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(new))
        total += ctx.count

    # Drop the ParentTree references to the converted elements; trailing
    # entries go, converted MCIDs in the middle of a page's array become null.
    for key in sorted({key for key, _mcid in converted}):
        entry = parent_tree.get(key)
        if not isinstance(entry, Array):
            continue
        values = [None if (key, mcid) in converted else ref for mcid, ref in enumerate(entry)]
        while values and values[-1] is None:
            values.pop()
        parent_tree[key] = Array(values)
    return total, bool(total or adopted)


def _forms_have_own_keys(page: pikepdf.Page) -> bool:
    xobjects = page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())
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
