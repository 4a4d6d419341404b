"""What PDF/UA-2 (ISO 14289-2) and WTPDF 1.0 ask beyond WeasyPrint 70's ``pdf/ua-2`` output.

veraPDF's ``ua2`` and ``wt1a`` profiles fail it on three points (`pdf.structure` fixes the
first where the lists are built, this module the others in the `tagging` finisher):

- 8.2.5.25-1: a list with labels needs ``/ListNumbering`` (`pdf.structure`);
- 8.8-1: a link or bookmark that goes inside the document needs a structure destination
  (``/SD``): the element it goes to, which WeasyPrint knew as it tagged the anchor's box;
- WTPDF 6.1.3-1: the XMP metadata declares the WTPDF conformance (``pdfd:declarations``).

Rack packs (`pdf.merge`) copy the structure destinations of each handout's links and bookmarks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handoutkit.pdf.objects import resolve

if TYPE_CHECKING:
    from handoutkit.pdf.objects import TagState

__all__ = ["WTPDF_DECLARATIONS", "declaration_xml", "declare_wtpdf", "structure_destinations"]

WTPDF_DECLARATIONS = (
    "http://pdfa.org/declarations/wtpdf#accessibility1.0",
    "http://pdfa.org/declarations/wtpdf#reuse1.0",
)
_SCALE = 0.75  # PDF points per CSS pixel (WeasyPrint at zoom 1)


def declaration_xml(uris: tuple[str, ...] = WTPDF_DECLARATIONS) -> bytes:
    """The XMP description declaring conformance to `uris` (PDF Association declarations)."""
    items = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfd:conformsTo>{uri}</pdfd:conformsTo></rdf:li>'
        for uri in uris
    )
    return (
        '<rdf:Description xmlns:pdfd="http://pdfa.org/declarations/" rdf:about="">'
        f"<pdfd:declarations><rdf:Bag>{items}</rdf:Bag></pdfd:declarations></rdf:Description>"
    ).encode()


def declare_wtpdf(pdf: Any) -> bool:
    """Add the WTPDF declaration to the XMP metadata WeasyPrint wrote; False when there is none."""
    metadata = resolve(pdf, pdf.catalog.get("Metadata"))
    if metadata is None or not metadata.stream:
        return False
    data = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in metadata.stream
    )
    if b"pdfd:declarations" in data or b"</rdf:RDF>" not in data:
        return False
    metadata.stream = [data.replace(b"</rdf:RDF>", declaration_xml() + b"</rdf:RDF>", 1)]
    return True


def structure_destinations(pdf: Any, document: Any, state: TagState) -> int:
    """Internal links and bookmarks go to the element too (``/A`` GoTo with ``/D`` and
    ``/SD``); return how many got one."""
    import pydyf

    pages = [ref for ref in pdf.page_references]
    names = _named_destinations(pdf)
    count = 0

    def element_reference(element: Any) -> bytes:
        reference: bytes = element.reference
        return state.joined.get(reference, reference)

    def go_to(holder: Any, destination: Any, element: Any) -> None:
        nonlocal count
        holder.pop("Dest", None)
        holder["A"] = pydyf.Dictionary(
            {
                "S": "/GoTo",
                "D": destination,
                "SD": pydyf.Array([element_reference(element), *list(destination)[1:]]),
            }
        )
        count += 1

    for page_ref in pages:
        page = resolve(pdf, page_ref)
        for annotation_ref in page.get("Annots", ()):
            annotation = resolve(pdf, annotation_ref)
            if annotation is None or annotation.get("Subtype") != "/Link":
                continue
            target = annotation.get("Dest")
            if not isinstance(target, pydyf.String):
                continue
            name = str(target.string)
            if name in names and name in state.anchors:
                go_to(annotation, names[name], state.anchors[name])

    for item in _outline_items(pdf):
        destination = item.get("Dest")
        if not isinstance(destination, list) or len(destination) < 4:
            continue
        element = _bookmark_element(destination, pages, document, state)
        if element is not None:
            go_to(item, destination, element)
    return count


def _named_destinations(pdf: Any) -> dict[str, Any]:
    import pydyf

    names = pdf.catalog.get("Names")
    dests = names.get("Dests") if isinstance(names, dict) else None
    dests = resolve(pdf, dests) if isinstance(dests, bytes) else dests
    flat = dests.get("Names", ()) if isinstance(dests, dict) else ()
    found: dict[str, Any] = {}
    for index in range(0, len(flat) - 1, 2):
        key = flat[index]
        found[str(key.string) if isinstance(key, pydyf.String) else str(key)] = flat[index + 1]
    return found


def _outline_items(pdf: Any) -> list[Any]:
    outlines = resolve(pdf, pdf.catalog.get("Outlines"))
    items: list[Any] = []
    stack = [outlines.get("First")] if outlines is not None else []
    seen: set[bytes] = set()
    while stack:
        reference = stack.pop()
        while isinstance(reference, bytes) and reference not in seen:
            seen.add(reference)
            item = resolve(pdf, reference)
            items.append(item)
            if "First" in item:
                stack.append(item["First"])
            reference = item.get("Next")
    return items


def _bookmark_element(
    destination: Any, pages: list[bytes], document: Any, state: TagState
) -> Any | None:
    """The element of the box whose bookmark this is: on its page, at its point."""
    if destination[0] not in pages:
        return None
    page = pages.index(destination[0])
    height = document.pages[page].height
    x, y = float(destination[2]) / _SCALE, height - float(destination[3]) / _SCALE
    candidates = [
        (abs(bx - x) + abs(by - y), index)
        for index, (bpage, bx, by, _element) in enumerate(state.bookmarks)
        if bpage == page
    ]
    if not candidates:
        return None
    distance, index = min(candidates)
    return state.bookmarks[index][3] if distance < 2 else None
