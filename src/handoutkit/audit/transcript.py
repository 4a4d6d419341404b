"""`handoutkit audit --transcript`: what a screen reader reads, in structure order.

The structure tree is walked from the root in document order; each block element (heading,
paragraph, list item, table row, figure…) is one line, indented by nesting, with the text of
its marked content (``/ActualText`` where given, as assistive technology reads it) and of its
inline elements. What is shown:

- ``H1:`` … ``H6:`` headings with their level; ``P:`` paragraphs; other blocks by their role;
- ``list, N items`` and ``item:`` lines (label and body);
- ``table, N rows`` with ``caption:``; a header row as ``header row: a | b``; every other row's
  cells with their headers (``/Headers``, else the column's header): ``Effect: …``;
- ``figure:`` and its alternative text;
- links inline as ``[link: description]`` (the annotation's ``/Contents``), after their text
  when the description says something else;
- a language change as ``[lang es]`` before a block, or ``[es: …]`` around an inline phrase.

Artifacts (headers, footers, repeated table headers) are not read and not shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.audit.report import first_line
from handoutkit.pdf.read import is_struct_elem, kids
from handoutkit.pdf.text import page_text

__all__ = ["Transcript", "read_transcript", "transcript", "transcript_lines"]

_INLINE = {
    "/Span",
    "/Quote",
    "/Note",
    "/Reference",
    "/BibEntry",
    "/Code",
    "/Link",
    "/Annot",
    "/Em",
    "/Strong",
    "/Sub",
    "/Ruby",
    "/RB",
    "/RT",
    "/RP",
    "/Warichu",
    "/WT",
    "/WP",
    "/Formula",
}
_STANDARD = (
    _INLINE
    | {
        "/Document",
        "/DocumentFragment",
        "/Part",
        "/Art",
        "/Sect",
        "/Div",
        "/Aside",
        "/BlockQuote",
        "/Caption",
        "/TOC",
        "/TOCI",
        "/Index",
        "/NonStruct",
        "/Private",
        "/P",
        "/H",
        "/Title",
        "/FENote",
        "/L",
        "/LI",
        "/Lbl",
        "/LBody",
        "/Table",
        "/TR",
        "/TH",
        "/TD",
        "/THead",
        "/TBody",
        "/TFoot",
        "/Figure",
        "/Form",
        "/Artifact",
    }
    | {f"/H{n}" for n in range(1, 7)}
)
_CONTAINERS = {
    "/Document",
    "/DocumentFragment",
    "/Part",
    "/Art",
    "/Sect",
    "/Div",
    "/Aside",
    "/BlockQuote",
    "/TOC",
    "/Index",
    "/NonStruct",
    "/Private",
    "/LBody",
    "/THead",
    "/TBody",
    "/TFoot",
}


def _words(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Transcript:
    """The lines of one file's transcript, and what the audit's checks read off the way."""

    lines: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (visible text, description)


class _Reader:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        root = pdf.Root.get("/StructTreeRoot")
        self.root = root if isinstance(root, Dictionary) else None
        role_map = self.root.get("/RoleMap") if self.root is not None else None
        self.role_map = role_map if isinstance(role_map, Dictionary) else Dictionary()
        self.keys = {page.obj.objgen: page.obj.get("/StructParents") for page in pdf.pages}
        self.texts: dict[tuple[int | None, int], str] = {}
        self.lines: dict[tuple[int | None, int], tuple[float, float]] = {}
        self.last_line: tuple[int | None, float] | None = None  # where the last text ended
        self.last_char = ""  # and its last character
        fonts: dict[tuple[int, int], object] = {}
        for page in pdf.pages:
            try:
                found = page_text(page, fonts)  # type: ignore[arg-type]
            except pikepdf.PdfError:
                continue
            self.texts.update(found.texts)
            self.lines.update(found.lines)
        self.ids: dict[str, Dictionary] = {}
        self.seen: set[tuple[int, int]] = set()
        self.result = Transcript()

    def role(self, elem: Dictionary) -> str:
        name = str(elem.get("/S", ""))
        for _ in range(16):
            if name in _STANDARD or name not in self.role_map:
                break
            name = str(self.role_map.get(name))
        return name

    def mcid_text(self, kid: object, page: object) -> str:
        """The text of a marked-content kid, after a space when it starts a new line."""
        found = self.mcid_key(kid, page)
        if found is None:
            return ""
        text = self.texts.get(found, "")
        line = self.lines.get(found)
        if line is not None and text:
            first, last = line
            before = self.last_line
            broke = before is not None and (before[0] != found[0] or abs(before[1] - first) > 1)
            if broke and self.last_char not in ("-", "/", "\u2010", "\u2013"):
                text = " " + text  # the line (or page) broke here, at a space
            self.last_line = (found[0], last)
            self.last_char = text[-1]
        return text

    def mcid_key(self, kid: object, page: object) -> tuple[int | None, int] | None:
        if isinstance(kid, int):
            key = self.keys.get(page.objgen) if isinstance(page, Dictionary) else None
            return (int(key) if key is not None else None, int(kid))
        if isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            stream = kid.get("/Stm")
            pg = kid.get("/Pg", page)
            if isinstance(stream, pikepdf.Stream):
                key = stream.get("/StructParents")
            else:
                key = self.keys.get(pg.objgen) if isinstance(pg, Dictionary) else None
            mcid = kid.get("/MCID")
            if isinstance(mcid, int):
                return (int(key) if key is not None else None, int(mcid))
        return None

    # inline text -------------------------------------------------------------------------

    def inline(self, elem: Dictionary, lang: str, page: object) -> str:
        """The text of an element read as a run of text (its block kids included)."""
        page = elem.get("/Pg", page)
        own_lang = str(elem.get("/Lang", "")) or lang
        role = self.role(elem)
        actual = elem.get("/ActualText")
        if role == "/Figure":
            text = f"[figure: {_words(str(elem.get('/Alt', '')))}]"
        elif actual is not None:
            text = str(actual) + "".join(
                f" [link: {desc}]" for desc in self.link_descriptions(elem, page)
            )
        else:
            parts = []
            for kid in kids(elem):
                if is_struct_elem(kid):
                    parts.append(self.inline(kid, own_lang, page))
                else:
                    parts.append(self.mcid_text(kid, page))
            text = "".join(parts)
        if role == "/Link":
            descriptions = self.link_descriptions(elem, page)
            description = descriptions[0] if descriptions else ""
            shown = _words(text)
            self.result.links.append((shown, description))
            if description and "".join(description.split()) != "".join(shown.split()):
                text = f"{text} [link: {description}]" if shown else f"[link: {description}]"
            else:
                text = f"[link: {description or shown}]"
        if own_lang != lang and _words(text):
            text = f"[{own_lang}: {text.strip()}]"
        return text

    def link_descriptions(self, elem: Dictionary, page: object) -> list[str]:
        found = []
        stack: list[object] = [elem]
        while stack:
            node = stack.pop()
            if not isinstance(node, Dictionary):
                continue
            if node.get("/Type") == Name.OBJR:
                annotation = node.get("/Obj")
                if isinstance(annotation, Dictionary) and annotation.get("/Subtype") == Name.Link:
                    found.append(_words(str(annotation.get("/Contents", ""))))
            elif is_struct_elem(node):
                stack.extend(reversed(kids(node)))
        return list(dict.fromkeys(found))

    # blocks --------------------------------------------------------------------------------

    def emit(self, depth: int, text: str) -> None:
        self.result.lines.append("  " * depth + text)
        self.last_line = None

    def block(self, elem: Dictionary, depth: int, lang: str, page: object) -> None:
        if elem.is_indirect:
            if elem.objgen in self.seen:
                return
            self.seen.add(elem.objgen)
        page = elem.get("/Pg", page)
        role = self.role(elem)
        own_lang = str(elem.get("/Lang", "")) or lang
        prefix = f"[lang {own_lang}] " if own_lang != lang else ""
        if role in _INLINE or role == "/Artifact":
            text = _words(self.inline(elem, lang, page))
            if text:
                self.emit(depth, prefix + text)
            return
        if role == "/Figure":
            alt = _words(str(elem.get("/Alt", "") or elem.get("/ActualText", "")))
            self.emit(depth, f"{prefix}figure: {alt or '(no alternative text)'}")
            return
        if role == "/L":
            items = [k for k in kids(elem) if is_struct_elem(k) and self.role(k) == "/LI"]
            self.emit(depth, f"{prefix}list, {len(items)} item{'s' * (len(items) != 1)}")
            self.kids(elem, depth + 1, own_lang, page)
            return
        if role == "/LI":
            self.flow(elem, depth, own_lang, page, f"{prefix}item: ")
            return
        if role == "/Table":
            self.table(elem, depth, own_lang, page, prefix)
            return
        label = {"/P": "P: ", "/Caption": "caption: ", "/H": "H: "}.get(role, "")
        if role.startswith("/H") and role[2:].isdigit():
            label = f"{role[1:]}: "
        if role in _CONTAINERS:
            if prefix:
                self.emit(depth, prefix.strip())
            self.kids(elem, depth, own_lang, page)
            return
        self.flow(elem, depth, own_lang, page, prefix + label)

    def kids(self, elem: Dictionary, depth: int, lang: str, page: object) -> None:
        """Kids of a container: runs of inline content become lines, blocks their own."""
        run: list[str] = []
        for kid in kids(elem):
            if is_struct_elem(kid) and self.role(kid) not in _INLINE:
                self.flush(run, depth)
                self.block(kid, depth, lang, elem.get("/Pg", page))
            elif is_struct_elem(kid):
                run.append(self.inline(kid, lang, elem.get("/Pg", page)))
            else:
                run.append(self.mcid_text(kid, elem.get("/Pg", page)))
        self.flush(run, depth)

    def flush(self, run: list[str], depth: int) -> None:
        text = _words("".join(run))
        if text:
            self.emit(depth, text)
        run.clear()

    def flow(self, elem: Dictionary, depth: int, lang: str, page: object, label: str) -> None:
        """A block read as one line; block kids other than labels and bodies follow, nested."""
        page = elem.get("/Pg", page)
        parts: list[str] = []
        nested: list[Dictionary] = []
        for kid in self.flatten(elem):
            if is_struct_elem(kid) and self.role(kid) in ("/L", "/Table"):
                nested.append(kid)
            elif is_struct_elem(kid):
                parts.append(self.inline(kid, lang, page))
            else:
                parts.append(self.mcid_text(kid, page))
        self.emit(depth, (label + _words("".join(parts))).rstrip())
        for kid in nested:
            self.block(kid, depth + 1, lang, page)

    def flatten(self, elem: Dictionary) -> Iterator[object]:
        """The kids of `elem`, with those of nested label, body and paragraph elements."""
        for kid in kids(elem):
            if is_struct_elem(kid) and self.role(kid) in ("/Lbl", "/LBody", "/P", "/Div"):
                if kid.is_indirect:
                    self.seen.add(kid.objgen)
                yield from self.flatten(kid)
            else:
                yield kid

    def table(self, elem: Dictionary, depth: int, lang: str, page: object, prefix: str) -> None:
        rows: list[tuple[Dictionary, bool]] = []  # (row, in the header)
        caption: Dictionary | None = None
        for kid in kids(elem):
            if not is_struct_elem(kid):
                continue
            role = self.role(kid)
            if role == "/Caption":
                caption = kid
            elif role == "/TR":
                rows.append((kid, False))
            elif role in ("/THead", "/TBody", "/TFoot"):
                rows.extend((r, role == "/THead") for r in kids(kid) if is_struct_elem(r))
        self.emit(depth, f"{prefix}table, {len(rows)} row{'s' * (len(rows) != 1)}")
        if caption is not None:
            self.flow(caption, depth + 1, lang, page, "caption: ")
        headers: dict[str, str] = {}
        columns: dict[int, str] = {}
        for row, _ in rows:
            for column, cell in enumerate(c for c in kids(row) if is_struct_elem(c)):
                if self.role(cell) == "/TH":
                    text = _words(self.cell_text(cell, lang, page))
                    if "/ID" in cell:
                        headers[str(cell.ID)] = text
                    if _scope(cell) in ("/Column", "/Both", None) and column not in columns:
                        columns[column] = text
        for row, in_head in rows:
            cells = [c for c in kids(row) if is_struct_elem(c)]
            if in_head or all(self.role(c) == "/TH" and _scope(c) == "/Column" for c in cells):
                texts = [_words(self.cell_text(c, lang, page)) for c in cells]
                self.emit(depth + 1, "header row: " + " | ".join(texts))
                continue
            read = []
            for column, cell in enumerate(cells):
                names = [headers[h] for h in _header_ids(cell) if h in headers]
                if not names and column in columns and self.role(cell) == "/TD":
                    names = [columns[column]]
                if self.role(cell) == "/TH" and column in columns:
                    names = [columns[column]]
                text = _words(self.cell_text(cell, lang, page))
                read.append(f"{' / '.join(names)}: {text}" if names else text)
            self.emit(depth + 1, "row: " + "; ".join(read))

    def cell_text(self, cell: Dictionary, lang: str, page: object) -> str:
        if cell.is_indirect:
            self.seen.add(cell.objgen)
        return "".join(
            self.inline(k, lang, cell.get("/Pg", page))
            if is_struct_elem(k)
            else self.mcid_text(k, cell.get("/Pg", page))
            for k in kids(cell)
        )


def _attributes(elem: Dictionary) -> list[Dictionary]:
    value = elem.get("/A")
    items = list(value) if isinstance(value, Array) else [value]
    return [a for a in items if isinstance(a, Dictionary)]


def _scope(cell: Dictionary) -> str | None:
    for attribute in _attributes(cell):
        if "/Scope" in attribute:
            return str(attribute.Scope)
    return None


def _header_ids(cell: Dictionary) -> list[str]:
    for attribute in _attributes(cell):
        headers = attribute.get("/Headers")
        if isinstance(headers, Array):
            return [str(h) for h in headers]
    return []


def transcript(pdf: pikepdf.Pdf) -> Transcript:
    """What a screen reader reads of `pdf`, line by line."""
    reader = _Reader(pdf)
    lang = str(pdf.Root.get("/Lang", "")).strip()
    title = str(pdf.docinfo.get("/Title", "")).strip()
    reader.emit(0, f"document: {title or '(no title)'} [lang {lang or 'not given'}]")
    if reader.root is None:
        reader.emit(0, "(no structure tree: a screen reader gets the text without structure)")
        return reader.result
    reader.kids(reader.root, 0, lang, None)
    return reader.result


def transcript_lines(pdf: pikepdf.Pdf) -> list[str]:
    return transcript(pdf).lines


def read_transcript(path: Path) -> tuple[list[str], str | None]:
    """The transcript of the PDF at `path`, or why it cannot be read (never raises for a bad
    file)."""
    try:
        with pikepdf.open(path) as pdf:
            return transcript_lines(pdf), None
    except pikepdf.PasswordError:
        return [], "the file needs a password to open"
    except (pikepdf.PdfError, OSError, ValueError, RecursionError) as exc:
        return [], f"not a readable PDF ({first_line(exc)})"
