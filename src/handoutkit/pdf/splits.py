"""One structure element for each HTML element a page break split (the `tagging` finisher).

WeasyPrint 70 builds the structure tree page by page, so a table that runs over two pages is
two ``Table`` elements (the second with the repeated header), a list two ``L``s, a paragraph two
``P``s. Here, on the pydyf objects before they are written, the two pieces of one HTML element
that meet at a page break become one: the second piece's kids join the first's, in document
order, and where the last kid of the first and the first kid of the second are themselves
pieces of one element (the table's body, a list item, a cell), they are joined the same way,
down to the text. Marked-content ids of the later page become marked-content references with
their page (``/MCR``), the ``/ParentTree`` points at the joined element, and the cells below a
repeated header (which `pdf.structure` drew as an artifact and built no element for) name the
first header's cells in ``/Headers``.

The emptied element stays in the file as an empty dictionary that nothing refers to: pydyf
cannot drop an object once it has a number (its cross-reference stream counts them all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handoutkit.pdf.objects import resolve

if TYPE_CHECKING:
    from handoutkit.pdf.objects import Built, TagState

__all__ = ["merge_split_elements"]


def merge_split_elements(pdf: Any, state: TagState) -> int:
    """Join the pieces of split elements in the structure tree of `pdf`; return how many
    pieces were joined into an earlier one."""
    root = resolve(pdf, pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return 0
    merger = _Merger(pdf, state)
    for top in root["K"]:
        document = resolve(pdf, top)
        if document is not None:
            merger.merge_runs(document)
    for built in list(state.built.values()):  # links broken over lines, wherever they are
        kids = built.element.get("K")
        if isinstance(kids, list) and len(kids) > 1:
            merger.merge_runs(built.element)
    if merger.redirect:
        merger.update_parent_tree(resolve(pdf, root.get("ParentTree")))
    merger.relink_headers()
    state.joined = merger.redirect
    return len(merger.redirect)


class _Merger:
    def __init__(self, pdf: Any, state: TagState) -> None:
        self.pdf = pdf
        self.state = state
        self.redirect: dict[bytes, bytes] = {}  # reference of a joined piece → the element

    def source(self, reference: object) -> Built | None:
        if not isinstance(reference, bytes):
            return None
        return self.state.built.get(int(reference.split()[0]))

    def same_element(self, first: object, second: object) -> bool:
        """Pieces of one HTML element, the second on a later page (a link, a citation marker
        or a phrase in another language: or on a later line of the same page; a link gets an
        annotation per line)."""
        a, b = self.source(first), self.source(second)
        return (
            a is not None
            and b is not None
            and a.html is not None
            and a.html is b.html
            and a.html_tag == b.html_tag
            and a.element.get("S") == b.element.get("S")
            and (
                b.page > a.page
                or (
                    b.page == a.page
                    and (
                        a.element.get("S") == "/Link"
                        or "ActualText" in a.element
                        or "Lang" in a.element  # a phrase in another language, over lines
                    )
                )
            )
        )

    def merge_runs(self, parent: Any) -> None:
        """Join split pieces among the kids of `parent` (the document element: every page's
        elements are its kids, in page order)."""
        kids = parent["K"]
        index = 0
        while index + 1 < len(kids):
            if self.same_element(kids[index], kids[index + 1]):
                self.join(kids[index], kids.pop(index + 1))
            else:
                index += 1

    def join(self, first_ref: bytes, second_ref: bytes) -> None:
        """Move the kids of `second` to the end of `first`, then join at the seam."""
        first, second = resolve(self.pdf, first_ref), resolve(self.pdf, second_ref)
        kids = first["K"]
        seam = len(kids)
        same_page = first.get("Pg") == second.get("Pg")
        for kid in second["K"]:
            if isinstance(kid, int) and not same_page:  # an MCID of the later page
                import pydyf

                kid = pydyf.Dictionary({"Type": "/MCR", "Pg": second["Pg"], "MCID": kid})
            else:
                element = resolve(self.pdf, kid)
                if element is not None and element.get("Type") == "/StructElem":
                    element["P"] = first_ref
            kids.append(kid)
        for key in ("Lang", "ActualText", "Alt"):
            if key in second and key not in first:
                first[key] = second[key]
        self.redirect[second_ref] = first_ref
        for old, new in list(self.redirect.items()):
            if new == second_ref:
                self.redirect[old] = first_ref
        second.clear()
        if 0 < seam < len(kids) and self.same_element(kids[seam - 1], kids[seam]):
            self.join(kids[seam - 1], kids.pop(seam))

    def update_parent_tree(self, parent_tree: Any) -> None:
        """Marked content and annotations of joined pieces belong to the joined element."""
        if parent_tree is None:
            return
        numbers = parent_tree["Nums"]
        for index in range(1, len(numbers), 2):
            value = numbers[index]
            if isinstance(value, bytes):
                numbers[index] = self.redirect.get(value, value)
            elif isinstance(value, list):
                value[:] = [self.redirect.get(v, v) if isinstance(v, bytes) else v for v in value]

    def relink_headers(self) -> None:
        """Cells under a repeated header name the first header's cells, not the artifact's.

        WeasyPrint names a header cell ``<table element number>-<row>-<column>`` within each
        piece of the table; the repeated header's rows are the first rows of its piece, as the
        header's are in the first piece.
        """
        import pydyf

        if not self.state.placeholders:
            return
        known = {
            str(built.element["ID"].string)
            for built in self.state.built.values()
            if isinstance(built.element.get("ID"), pydyf.String)
        }
        renamed: dict[str, str | None] = {}
        for mark in self.state.placeholders:
            name = mark.get("ID")
            if not isinstance(name, pydyf.String):
                continue
            number, _, position = str(name.string).partition("-")
            piece = f"{number} 0 R".encode()
            target = self.redirect.get(piece)
            candidate = f"{target.split()[0].decode()}-{position}" if target else None
            renamed[str(name.string)] = candidate if candidate in known else None
        if not renamed:
            return
        for built in self.state.built.values():
            attributes = built.element.get("A")
            headers = attributes.get("Headers") if isinstance(attributes, dict) else None
            if not isinstance(headers, list):
                continue
            names = []
            for header in headers:
                text = str(header.string) if isinstance(header, pydyf.String) else ""
                if text in renamed:
                    if renamed[text] is not None:
                        names.append(pydyf.String(renamed[text]))
                else:
                    names.append(header)
            attributes["Headers"] = pydyf.Array(names)
