"""Checks of what a screen reader gets, beyond what veraPDF tests (`handoutkit audit`).

- ``split-element``: a table or list that a page break cut into two structure elements, as
  WeasyPrint writes them page by page: two sibling ``Table``s on consecutive pages whose second
  repeats the first's header row (or has none and as many columns), or two sibling ``L``s on
  consecutive pages. A reader hears two tables, the header twice.
- ``link-description``: a link annotation whose ``/Contents`` is missing or is an internal id
  (the name of the destination it goes to, such as "ref-3"), which is what gets announced.
- ``table-scope``: a header cell (``TH``) without ``/Scope``: whether it heads a row or a
  column is left to guessing.
- ``fused-citation``: a citation link whose number is drawn right after a digit, with no
  ``/ActualText`` on its marked content: extraction and speech read "p = 0.03" and "1" as
  "p = 0.031". Told when the link goes inside the document, its text is a number, and the text
  drawn just before it on the same line ends with a digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.audit.report import Problem, plural
from handoutkit.pdf.read import is_struct_elem, kids
from handoutkit.pdf.text import PageText, page_text

__all__ = ["reading_problems"]

_INTERNAL_ID = re.compile(r"^#?[A-Za-z_][\w:.-]*$")
_CITATION_TEXT = re.compile(r"^\d+([,–-]\d+)*$")


@dataclass
class _Element:
    elem: Dictionary
    role: str
    depth: int


class ReadingChecks:
    """The four checks on one open, tagged PDF."""

    def __init__(self, pdf: pikepdf.Pdf, struct_root: Dictionary, path: str) -> None:
        self.pdf = pdf
        self.root = struct_root
        self.path = path
        self.pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages, 1)}
        role_map = struct_root.get("/RoleMap")
        self.role_map = role_map if isinstance(role_map, Dictionary) else Dictionary()
        self.problems: list[Problem] = []
        self._text: list[PageText | None] | None = None

    def role(self, elem: Dictionary) -> str:
        name = str(elem.get("/S", ""))
        for _ in range(16):
            if name not in self.role_map:
                break
            mapped = str(self.role_map.get(name))
            if mapped == name:
                break
            name = mapped
        return name

    def elements(self) -> Iterator[_Element]:
        seen: set[tuple[int, int]] = set()
        stack: list[tuple[object, int]] = [(kid, 0) for kid in reversed(kids(self.root))]
        while stack:
            node, depth = stack.pop()
            if not is_struct_elem(node):
                continue
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            yield _Element(node, self.role(node), depth)
            stack.extend((kid, depth + 1) for kid in reversed(kids(node)))

    def error(self, message: str, hint: str, page: int | None, *, check: str) -> None:
        self.problems.append(Problem(self.path, message, hint, page, check=check))

    def run(self) -> list[Problem]:
        elements = list(self.elements())
        self.check_splits(elements)
        self.check_links()
        self.check_scope(elements)
        self.check_citations(elements)
        return self.problems

    # pages -----------------------------------------------------------------------------------

    def page_span(self, elem: Dictionary) -> tuple[int | None, int | None]:
        """First and last page of the marked content under `elem`."""
        found: list[int] = []
        stack: list[tuple[object, object]] = [(elem, elem.get("/Pg"))]
        while stack:
            node, page = stack.pop()
            if isinstance(node, int):
                number = self.pages.get(page.objgen) if isinstance(page, Dictionary) else None
                if number is not None:
                    found.append(number)
            elif isinstance(node, Dictionary) and node.get("/Type") in (Name.MCR, Name.OBJR):
                pg = node.get("/Pg", page)
                number = self.pages.get(pg.objgen) if isinstance(pg, Dictionary) else None
                if number is not None:
                    found.append(number)
            elif is_struct_elem(node):
                here = node.get("/Pg", page)
                stack.extend((kid, here) for kid in kids(node))
        return (min(found), max(found)) if found else (None, None)

    # split-element ---------------------------------------------------------------------------

    def check_splits(self, elements: list[_Element]) -> None:
        """Two tables (or lists) in a row in reading order, on consecutive pages, with nothing
        read between them (only elements that hold no content of their own, such as the
        sections WeasyPrint opens again on the next page)."""
        for role in ("/Table", "/L"):
            previous: tuple[int, Dictionary] | None = None  # (end of its subtree, element)
            for index, element in enumerate(elements):
                if element.role != role:
                    continue
                end = self.subtree_end(elements, index)
                if previous is not None and previous[0] <= index:
                    between = elements[previous[0] : index]
                    if not any(self.has_content(e.elem) for e in between):
                        self.report_split(role, previous[1], element.elem)
                if previous is None or previous[0] <= index:
                    previous = (end, element.elem)

    @staticmethod
    def subtree_end(elements: list[_Element], index: int) -> int:
        depth = elements[index].depth
        end = index + 1
        while end < len(elements) and elements[end].depth > depth:
            end += 1
        return end

    @staticmethod
    def has_content(elem: Dictionary) -> bool:
        return any(not is_struct_elem(kid) for kid in kids(elem))

    def report_split(self, role: str, first: Dictionary, second: Dictionary) -> None:
        _start, end = self.page_span(first)
        start, _end = self.page_span(second)
        if end is None or start is None or start != end + 1:
            return
        if role == "/Table" and not self.continues(first, second):
            return
        what = "table" if role == "/Table" else "list"
        self.error(
            f"a {what} is split into two structure elements at the page break "
            f"(pages {end}–{start}): a screen reader announces two {what}s"
            + (" and reads the header row twice" if role == "/Table" else ""),
            f"tag it as one {role[1:]} element"
            + (" with one header row" if role == "/Table" else "")
            + "; handoutkit build joins the pieces, other tools may need them merged",
            start,
            check="split-element",
        )

    def continues(self, first: Dictionary, second: Dictionary) -> bool:
        """The second table goes on with the first: the same header row, or none (and no
        caption) and as many columns."""
        head_a, head_b = self.header_texts(first), self.header_texts(second)
        if head_b:
            return head_a == head_b
        has_caption = any(is_struct_elem(k) and self.role(k) == "/Caption" for k in kids(second))
        return not has_caption and self.columns(first) == self.columns(second)

    def rows(self, table: Dictionary) -> Iterator[tuple[Dictionary, str]]:
        for kid in kids(table):
            if not is_struct_elem(kid):
                continue
            role = self.role(kid)
            if role == "/TR":
                yield kid, "/TBody"
            elif role in ("/THead", "/TBody", "/TFoot"):
                yield from ((row, role) for row in kids(kid) if is_struct_elem(row))

    def header_texts(self, table: Dictionary) -> list[str]:
        return [self.text(row) for row, group in self.rows(table) if group == "/THead"]

    def columns(self, table: Dictionary) -> int:
        counts = [len([c for c in kids(row) if is_struct_elem(c)]) for row, _ in self.rows(table)]
        return max(counts, default=0)

    # text ------------------------------------------------------------------------------------

    def page_texts(self) -> list[PageText | None]:
        if self._text is None:
            fonts: dict[tuple[int, int], object] = {}
            self._text = []
            for page in self.pdf.pages:
                try:
                    self._text.append(page_text(page, fonts))  # type: ignore[arg-type]
                except pikepdf.PdfError:
                    self._text.append(None)
        return self._text

    def mcid_keys(self, elem: Dictionary) -> Iterator[tuple[int, tuple[int | None, int]]]:
        """(page number, (ParentTree key, MCID)) of the marked content under `elem`, in order."""
        stack: list[tuple[object, object]] = [(elem, elem.get("/Pg"))]
        while stack:
            node, page = stack.pop()
            mcid: object = None
            pg: object = page
            if isinstance(node, int):
                mcid = node
            elif isinstance(node, Dictionary) and node.get("/Type") == Name.MCR:
                mcid, pg = node.get("/MCID"), node.get("/Pg", page)
            elif is_struct_elem(node):
                here = node.get("/Pg", page)
                stack.extend((kid, here) for kid in reversed(kids(node)))
                continue
            if isinstance(mcid, int) and isinstance(pg, Dictionary) and pg.objgen in self.pages:
                key = pg.get("/StructParents")
                yield self.pages[pg.objgen], (int(key) if isinstance(key, int) else None, mcid)

    def text(self, elem: Dictionary) -> str:
        texts = self.page_texts()
        parts = []
        for number, key in self.mcid_keys(elem):
            found = texts[number - 1]
            parts.append(found.texts.get(key, "") if found is not None else "")
        return " ".join("".join(parts).split())

    # link-description ------------------------------------------------------------------------

    def check_links(self) -> None:
        names = _destination_names(self.pdf)
        bad: list[tuple[int, str]] = []
        for number, page in enumerate(self.pdf.pages, 1):
            annotations = page.obj.get("/Annots")
            for annotation in annotations if isinstance(annotations, Array) else []:
                if not isinstance(annotation, Dictionary):
                    continue
                if annotation.get("/Subtype") != Name.Link:
                    continue
                contents = " ".join(str(annotation.get("/Contents", "")).split())
                target = _internal_target(annotation)
                if not contents:
                    bad.append((number, "(none)"))
                elif target is not None and (
                    contents in (target, f"#{target}")
                    or (contents in names and _INTERNAL_ID.match(contents) is not None)
                ):
                    bad.append((number, contents))
        if bad:
            shown = ", ".join(dict.fromkeys(f"'{c}'" for _p, c in bad[:5]))
            self.error(
                f"{plural(len(bad), 'link')} {'is' if len(bad) == 1 else 'are'} described "
                f"by an internal id or not at all (/Contents {shown}): that is what a screen "
                "reader announces",
                "describe each link by what it is: its visible text, its address, or for a "
                "citation 'Reference 3: Author Year'",
                bad[0][0],
                check="link-description",
            )

    # table-scope -----------------------------------------------------------------------------

    def check_scope(self, elements: list[_Element]) -> None:
        missing: list[int | None] = []
        for element in elements:
            if element.role != "/TH":
                continue
            attributes = element.elem.get("/A")
            items = list(attributes) if isinstance(attributes, Array) else [attributes]
            if not any(isinstance(a, Dictionary) and "/Scope" in a for a in items):
                missing.append(self.page_span(element.elem)[0])
        if missing:
            self.error(
                f"{plural(len(missing), 'table header cell')} (TH) "
                f"{'has' if len(missing) == 1 else 'have'} no /Scope: a screen reader must "
                "guess whether each heads a row or a column",
                'set the scope of every header cell (HTML: <th scope="col"> or scope="row")',
                missing[0],
                check="table-scope",
            )

    # fused-citation --------------------------------------------------------------------------

    def check_citations(self, elements: list[_Element]) -> None:
        texts = self.page_texts()
        fused: list[tuple[int, str]] = []
        for element in elements:
            if element.role != "/Link" or not self.goes_inside(element.elem):
                continue
            if "/ActualText" in element.elem:
                continue
            keys = list(self.mcid_keys(element.elem))
            if not keys:
                continue
            number, key = keys[0]
            page = texts[number - 1]
            if page is None or key in page.actual or key[1] == 0:
                continue
            shown = page.texts.get(key, "").strip()
            before_key = (key[0], key[1] - 1)
            before = page.texts.get(before_key, "")
            if not _CITATION_TEXT.match(shown) or not before[-1:].isdigit():
                continue
            if before_key in page.actual:
                continue
            here, there = page.lines.get(key), page.lines.get(before_key)
            if here is None or there is None or abs(here[0] - there[1]) > 8:
                continue  # not on the same line
            fused.append((number, f"{before.split()[-1]}{shown}"))
        if fused:
            examples = ", ".join(f"'{text}'" for _page, text in fused[:3])
            self.error(
                f"{plural(len(fused), 'citation number')} run into the digits before "
                f"{'it' if len(fused) == 1 else 'them'}: extracted and spoken text reads "
                f"{examples}",
                "give each citation marker /ActualText such as ' [1]' (handoutkit build does), "
                "or move the citation off the number",
                fused[0][0],
                check="fused-citation",
            )

    def goes_inside(self, link: Dictionary) -> bool:
        for kid in kids(link):
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                annotation = kid.get("/Obj")
                if isinstance(annotation, Dictionary) and _internal_target(annotation) is not None:
                    return True
        return False


def _internal_target(annotation: Dictionary) -> str | None:
    """The destination of a link inside the document ("" when explicit), None otherwise."""
    destination = annotation.get("/Dest")
    action = annotation.get("/A")
    if destination is None and isinstance(action, Dictionary):
        if action.get("/S") != Name.GoTo:
            return None
        destination = action.get("/D")
    if isinstance(destination, pikepdf.String | Name):
        return str(destination).removeprefix("/")
    return "" if isinstance(destination, Array) else None


def _destination_names(pdf: pikepdf.Pdf) -> set[str]:
    names = pdf.Root.get("/Names")
    if isinstance(names, Dictionary) and "/Dests" in names:
        try:
            return {str(name) for name in pikepdf.NameTree(names.Dests)}
        except (pikepdf.PdfError, TypeError, ValueError):
            return set()
    return set()


def reading_problems(pdf: pikepdf.Pdf, struct_root: Dictionary, path: str) -> list[Problem]:
    """Every problem of the four checks above in `pdf`."""
    return ReadingChecks(pdf, struct_root, path).run()
