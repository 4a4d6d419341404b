"""What a screen reader gets: the structure tree fixed where WeasyPrint builds it.

WeasyPrint 70 builds the structure tree page by page (upstream issue 2903) and knows the HTML
of each element as it does. Inside `tagging` (one document at a time) handoutkit wraps three of
its internals (`compat` lists them) and passes a finisher to ``write_pdf``; no PDF is parsed or
saved again, so this costs a few milliseconds per document, not the tens a pikepdf pass would:

- ``tags._build_box_tree`` (each element as it is built, with its box and HTML element):
  ``/Scope`` on ``TH`` from the ``scope`` attribute; ``/Lang`` wherever the HTML ``lang``
  differs from the enclosing one; ``/ListNumbering`` on lists (from ``list-style-type``); a
  link annotation's ``/Contents`` says what the link is (its ``aria-label``, else its visible
  text, else its address); a citation marker (``<sup class="cite">``) is a ``Span`` whose
  ``/ActualText`` reads " [1]"; a table header repeated on a later page builds no element.
- ``Stream.marked`` (each text's marked content as it is drawn): the pieces of a citation marker
  carry the same ``/ActualText`` in the content stream, which is what text extraction (poppler)
  reads, so "p = 0.03¹" extracts as "p = 0.03 [1]"; a repeated table header is drawn as an
  ``/Artifact``.
- the finisher (`handoutkit.pdf.splits`): elements a page break split (tables, lists,
  paragraphs, sections) become one element, in document order, with one ``THead``; for PDF/UA-2,
  links and bookmarks get structure destinations and the XMP a WTPDF declaration
  (`handoutkit.pdf.ua2`).

A repeated header and a citation are found by one walk over the laid-out boxes before drawing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from handoutkit.pdf import splits, ua2
from handoutkit.pdf.objects import Built, TagState, resolve

__all__ = ["CITATION_CLASS", "Tagging", "link_description", "tagging"]

CITATION_CLASS = "cite"
"""The class of the ``<sup>`` that holds a citation marker (`handoutkit.render.markdown`)."""

_SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}
_NUMBERING = {
    "disc": "/Disc",
    "circle": "/Circle",
    "square": "/Square",
    "decimal": "/Decimal",
    "decimal-leading-zero": "/Decimal",
    "lower-roman": "/LowerRoman",
    "upper-roman": "/UpperRoman",
    "lower-alpha": "/LowerAlpha",
    "lower-latin": "/LowerAlpha",
    "upper-alpha": "/UpperAlpha",
    "upper-latin": "/UpperAlpha",
    "none": "/None",
}


class Tagging(TagState):
    """What one ``write_pdf`` call built, and the fixes to finish it with."""

    def finish(self, document: Any, pdf: Any) -> None:
        """The ``write_pdf`` finisher: merge split elements, then what PDF/UA-2 needs."""
        splits.merge_split_elements(pdf, self)
        if self.version >= "2.0":
            ua2.structure_destinations(pdf, document, self)
            ua2.declare_wtpdf(pdf)


class _State:
    installed = False
    active: Tagging | None = None


@contextmanager
def tagging(document: Any, lang: str, version: str = "1.7") -> Iterator[Tagging]:
    """Within this block, WeasyPrint tags `document` as described above; pass
    ``finisher=tagging.finish`` to its ``write_pdf``."""
    _install()
    if _State.active is not None:
        raise RuntimeError("tagging() blocks do not nest")
    state = Tagging(lang=lang, version=version, langs=[lang])
    _survey(document, state)
    _State.active = state
    try:
        yield state
    finally:
        _State.active = None


def _classes(element: Any) -> list[str]:
    return str(element.get("class") or "").split() if element is not None else []


def _survey(document: Any, state: Tagging) -> None:
    """One walk over the laid-out boxes: repeated table headers and citation markers."""
    from weasyprint.formatting_structure import boxes

    headers: set[int] = set()  # id() of thead elements drawn already
    citations: dict[int, list[Any]] = {}  # id(sup element) → its boxes (a line may split it)
    for page in document.pages:
        stack: list[Any] = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableRowGroupBox) and box.is_header:
                if id(box.element) in headers:
                    state.repeated_groups.add(id(box))
                    state.repeated.update(id(b) for b in _descendants(box))
                    continue
                headers.add(id(box.element))
            elif (
                isinstance(box, boxes.InlineBox)
                and box.element_tag == "sup"
                and CITATION_CLASS in _classes(box.element)
            ):
                citations.setdefault(id(box.element), []).append(box)
                continue
            children = getattr(box, "children", None)
            if children:
                stack.extend(reversed(children))  # in document order
    for fragments in citations.values():
        _citation(fragments, state)


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _descendants(child)


def _citation(fragments: list[Any], state: Tagging) -> None:
    """ " [1,2]" for the marker, split over its pieces: the first piece of text says " [1", the
    last "2]" (extraction joins the pieces; each is its own marked content). A marker broken
    over two lines is two boxes (`fragments`), joined into one element by the finisher."""
    from weasyprint.formatting_structure import boxes

    pieces = [
        b for sup in fragments for b in _descendants(sup) if isinstance(b, boxes.TextBox) and b.text
    ]
    if not pieces:
        return
    marker = "".join(piece.text for piece in pieces).strip()
    # a marker printed in brackets already (after a number: "2023[1]") gets none more
    opening, closing = ("", "") if marker.startswith("[") and marker.endswith("]") else "[]"
    for sup in fragments:
        state.citations[id(sup)] = f" {opening}{marker}{closing}"
    if len(pieces) == 1:
        state.actual_text[id(pieces[0])] = f" {opening}{marker}{closing}"
        return
    state.actual_text[id(pieces[0])] = f" {opening}{pieces[0].text}"
    state.actual_text[id(pieces[-1])] = f"{pieces[-1].text}{closing}"


def link_description(element: Any, target: str) -> str:
    """What a link is, for its annotation's /Contents: its aria-label, else its title, else its
    visible text, else where it goes."""
    if element is not None:
        for attribute in ("aria-label", "title"):
            value = " ".join(str(element.get(attribute) or "").split())
            if value:
                return value
        text = " ".join("".join(element.itertext()).split())
        if text:
            return text
    return target


def _install() -> None:
    """Wrap WeasyPrint's tagging and marking (once per process; inert outside `tagging`)."""
    if _State.installed:
        return
    import pydyf

    from handoutkit import compat

    problems = compat.patch_point_problems("weasyprint")
    if problems:
        raise compat.UpstreamChanged("; ".join(problems))
    build_box_tree = compat.original("weasyprint.pdf.tags", "_build_box_tree")
    marked = compat.original("weasyprint.pdf.stream", "Stream.marked")
    artifact = compat.original("weasyprint.pdf.stream", "Stream.artifact")

    @contextmanager
    def marked_with_fixes(self: Any, box: Any, tag: str) -> Iterator[None]:
        state = _State.active
        if state is None or self._tags is None:
            with marked(self, box, tag):
                yield
            return
        if id(box) in state.repeated:  # a table header repeated on a later page
            with artifact(self):
                yield
            return
        text = state.actual_text.get(id(box))
        if text is None:
            with marked(self, box, tag):
                yield
            return
        # as WeasyPrint's Stream.marked, with /ActualText in the property list
        mcid = len(self._tags)
        self._tags[box] = {"tag": tag, "mcid": mcid}
        properties = pydyf.Dictionary({"MCID": mcid, "ActualText": pydyf.String(text)})
        pydyf.Stream.begin_marked_content(self, tag, properties)
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    def build_with_fixes(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        state = _State.active
        if state is None:
            yield from build_box_tree(box, parent, *args)
            return
        if id(box) in state.repeated_groups:
            _placeholder_marks(box, state)
            return
        html = getattr(box, "element", None)
        lang = html.get("lang") if html is not None and hasattr(html, "get") else None
        if lang:
            state.langs.append(str(lang))
        enclosing = state.langs[-2] if lang else state.langs[-1]
        try:
            for element in build_box_tree(box, parent, *args):
                if element.number not in state.built:
                    _fix(element, box, html, lang, enclosing, args, state)
                yield element
        finally:
            if lang:
                state.langs.pop()

    compat.replace("weasyprint.pdf.stream", "Stream.marked", marked_with_fixes)
    compat.replace("weasyprint.pdf.tags", "_build_box_tree", build_with_fixes)
    _State.installed = True


def _placeholder_marks(group: Any, state: Tagging) -> None:
    """A repeated header builds no element, but WeasyPrint's header mapping of its table reads
    the ``mark`` of every header cell: give them marks that go nowhere (the finisher points the
    cells below at the first header's cells)."""
    import pydyf

    for row in group.children:
        for cell in row.children:
            cell.mark = pydyf.Dictionary({"A": pydyf.Dictionary()})
            state.placeholders.append(cell.mark)


def _fix(
    element: Any, box: Any, html: Any, lang: Any, enclosing: str, args: Any, state: Tagging
) -> None:
    """Record what `element` was built from and add what WeasyPrint leaves out (`args`: those
    of ``_build_box_tree`` after the box and its parent: pdf, page number…)."""
    import pydyf

    pdf, page = args[0], args[1]
    state.built[element.number] = Built(element, html, str(box.element_tag or ""), page)
    role = element.get("S")
    if lang and str(lang) != enclosing:
        element["Lang"] = pydyf.String(str(lang))
    if role == "/TH" and box.element_tag == "th":
        scope = _SCOPES.get(str(html.get("scope") or "").lower())
        if scope is None:  # no scope: a header in a header row names a column, else a row
            scope = "/Column" if _in_thead(pdf, element) else "/Row"
        element["A"]["Scope"] = scope
    elif role == "/L" and box.element_tag in ("ul", "ol"):
        style = box.style["list_style_type"]
        numbering = _NUMBERING.get(style) if isinstance(style, str) else None
        if numbering is None:
            numbering = "/Unordered" if state.version >= "2.0" else "/None"
            if box.element_tag == "ol":
                numbering = "/Ordered" if state.version >= "2.0" else "/Decimal"
        element["A"] = pydyf.Dictionary({"O": "/List", "ListNumbering": numbering})
    elif id(box) in state.citations:
        element["S"] = "/Span"
        element["ActualText"] = pydyf.String(state.citations[id(box)])
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:
        target = annotation.get("Contents")
        target_text = target.string if isinstance(target, pydyf.String) else ""
        annotation["Contents"] = pydyf.String(link_description(html, str(target_text)))
    anchor = box.style["anchor"] if box.style is not None else None
    if anchor and anchor not in state.anchors:
        state.anchors[anchor] = element
    if box.bookmark_label and box.style["bookmark_level"] != "none":
        x, y, _width, _height = box.hit_area()
        state.bookmarks.append((page, float(x), float(y), element))


def _in_thead(pdf: Any, cell: Any) -> bool:
    """Whether a TH element is in a row of the table's THead."""
    row = resolve(pdf, cell.get("P"))
    group = resolve(pdf, row.get("P")) if row is not None else None
    return group is not None and group.get("S") == "/THead"
