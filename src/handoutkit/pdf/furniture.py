"""Page furniture drawn as PDF/UA pagination artifacts by WeasyPrint itself.

WeasyPrint 70 tags the text of ``@page`` margin boxes (running headers and footers) like body
text, as Spans whose structure elements it leaves out of the tree (see `pdf.tags`). Rewriting
every page's content stream afterwards with pikepdf cost about 35 ms per document, a tenth of
the render, so inside `as_artifacts` three wrapped WeasyPrint internals do it as they draw:

- ``draw.draw_stacking_context`` draws a margin box inside
  ``/Artifact <</Type /Pagination /Subtype /Header>> BDC … EMC`` (``/Footer`` for the bottom
  boxes, no subtype for ``@left-middle`` and ``@right-middle``), and while it does,
- ``Stream.marked`` and ``Stream.artifact`` mark nothing (no MCID is given out, and nothing
  nests in the artifact), and
- ``tags._build_box_tree`` builds no structure element for such a margin box.

A margin box holding a link or a form field is left to WeasyPrint (a PDF/UA annotation needs a
structure element), and `Furniture.needs_postprocess` then says so: `pdf.tags.postprocess_pdf`
attaches it to the tree and turns the rest into artifacts, as before. WeasyPrint is pinned to 70.x
(pyproject.toml), whose internals these are; `tests/test_furniture.py` checks the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Furniture", "as_artifacts"]


class _State:
    installed = False
    active: Furniture | None = None  # set inside `as_artifacts`; WeasyPrint as usual outside
    depth = 0  # > 0 while a margin box is being drawn as an artifact


class Furniture:
    """What happened to the margin boxes of one `write_pdf` call."""

    def __init__(self) -> None:
        self.artifacts = 0  # margin boxes drawn as artifacts
        self.kept_tagged = 0  # margin boxes with links, left to WeasyPrint

    @property
    def needs_postprocess(self) -> bool:
        """Whether margin boxes are left that only `pdf.tags.postprocess_pdf` can fix."""
        return self.kept_tagged > 0


@contextmanager
def as_artifacts() -> Iterator[Furniture]:
    """Within this block, WeasyPrint draws margin boxes as artifacts (one document at a time)."""
    _install()
    if _State.active is not None:
        raise RuntimeError("as_artifacts() blocks do not nest")
    _State.active = furniture = Furniture()
    try:
        yield furniture
    finally:
        _State.active = None


def subtype(at_keyword: str) -> str | None:
    """'/Header', '/Footer' or None for a margin box, e.g. '@bottom-right' → '/Footer'."""
    parts = at_keyword.lstrip("@").split("-")  # top-left-corner, left-top, bottom-center…
    edge = parts[0] if parts[0] in ("top", "bottom") else parts[-1]
    return {"top": "/Header", "bottom": "/Footer"}.get(edge)


def _holds_annotations(box: Any) -> bool:
    """A link or form field anywhere in the box (each needs a structure element)."""
    if getattr(box, "link", None) or box.is_input():
        return True
    return any(_holds_annotations(child) for child in getattr(box, "children", ()))


def _install() -> None:
    """Wrap WeasyPrint's drawing and tagging (once per process; inert outside `as_artifacts`)."""
    if _State.installed:
        return
    import pydyf

    from handoutkit import compat

    problems = compat.patch_point_problems("weasyprint")
    if problems:  # drawing furniture through changed internals could tag it wrongly
        raise compat.UpstreamChanged("; ".join(problems))
    margin_box = compat.original("weasyprint.formatting_structure.boxes", "MarginBox")
    draw_stacking_context = compat.original("weasyprint.draw", "draw_stacking_context")
    build_box_tree = compat.original("weasyprint.pdf.tags", "_build_box_tree")
    marked = compat.original("weasyprint.pdf.stream", "Stream.marked")
    artifact = compat.original("weasyprint.pdf.stream", "Stream.artifact")

    def is_furniture(box: Any) -> bool:
        return isinstance(box, margin_box) and not _holds_annotations(box)

    def draw_as_artifact(stream: Any, stacking_context: Any) -> None:
        box, active = stacking_context.box, _State.active
        if active is None or stream._tags is None or _State.depth:
            draw_stacking_context(stream, stacking_context)
            return
        if isinstance(box, margin_box):
            # the stacking context's copy lacks the children that are contexts of their own
            # (e.g. a running element): judge the page's own margin box, as tagging will
            box = next(
                (
                    b
                    for b in stacking_context.page.children
                    if isinstance(b, margin_box) and b.at_keyword == box.at_keyword
                ),
                box,
            )
        if not is_furniture(box):
            active.kept_tagged += isinstance(box, margin_box)
            draw_stacking_context(stream, stacking_context)
            return
        active.artifacts += 1
        properties = pydyf.Dictionary({"Type": "/Pagination"})
        if (kind := subtype(box.at_keyword)) is not None:
            properties["Subtype"] = kind
        pydyf.Stream.begin_marked_content(stream, "Artifact", properties)
        _State.depth += 1
        try:
            draw_stacking_context(stream, stacking_context)
        finally:
            _State.depth -= 1
            pydyf.Stream.end_marked_content(stream)

    @contextmanager
    def marked_outside_furniture(self: Any, box: Any, tag: str) -> Iterator[None]:
        if _State.depth:
            yield
        else:
            with marked(self, box, tag):
                yield

    @contextmanager
    def artifact_outside_furniture(self: Any) -> Iterator[None]:
        if _State.depth:
            yield
        else:
            with artifact(self):
                yield

    def build_tree_without_furniture(box: Any, *args: Any) -> Iterator[Any]:
        if _State.active is not None and is_furniture(box):
            return iter(())
        tree: Iterator[Any] = build_box_tree(box, *args)
        return tree

    compat.replace("weasyprint.draw", "draw_stacking_context", draw_as_artifact)
    compat.replace("weasyprint.pdf.stream", "Stream.marked", marked_outside_furniture)
    compat.replace("weasyprint.pdf.stream", "Stream.artifact", artifact_outside_furniture)
    compat.replace("weasyprint.pdf.tags", "_build_box_tree", build_tree_without_furniture)
    _State.installed = True
