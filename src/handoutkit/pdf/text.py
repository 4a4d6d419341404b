"""The text of each marked-content sequence of a page, as assistive technology gets it.

A `ContentVisitor` of `handoutkit.pdf.content` collects, per MCID, the text its text-showing
operators draw, decoded through the font's ``/ToUnicode`` CMap (``bfchar`` and ``bfrange``;
two-byte codes for Type0 fonts, one-byte otherwise, read as Latin-1 when a simple font has no
map). A marked-content sequence with ``/ActualText`` gives that text instead of what it draws,
as PDF text extraction does. A space is put between two runs of one sequence when the second
starts on a new line. This serves the transcript and the audit's checks of extracted text; it
is not a layout engine (no word spacing from glyph positions within a line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.pdf.content import (
    ContentStream,
    ContentVisitor,
    GraphicsState,
    Matrix,
    multiply,
    walk_page,
)

__all__ = ["PageText", "page_text"]

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = rb"<([0-9A-Fa-f\s]*)>"
_PAIR = re.compile(_HEX + rb"\s*" + _HEX)
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(" + _HEX + rb"|\[[^\]]*\])")


@dataclass
class _Font:
    width: int  # bytes per code
    unicode: dict[int, str]


def _hex(text: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", text).decode("ascii"))


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", "replace")


def _read_font(font: Dictionary | None) -> _Font:
    if font is None:
        return _Font(1, {})
    width = 2 if font.get("/Subtype") == Name.Type0 else 1
    mapping: dict[int, str] = {}
    cmap = font.get("/ToUnicode")
    if isinstance(cmap, pikepdf.Stream):
        try:
            data = cmap.read_bytes()
        except pikepdf.PdfError:
            data = b""
        for block in _BFCHAR.findall(data):
            for source, target in _PAIR.findall(block):
                mapping[int.from_bytes(_hex(source), "big")] = _utf16(_hex(target))
        for block in _BFRANGE.findall(data):
            for low, high, target, _inner in _RANGE.findall(block):
                start, end = int.from_bytes(_hex(low), "big"), int.from_bytes(_hex(high), "big")
                if end - start > 0xFFFF:
                    continue
                if target.startswith(b"["):
                    targets = [_utf16(_hex(t)) for t in re.findall(_HEX, target)]
                    for offset, text in enumerate(targets[: end - start + 1]):
                        mapping[start + offset] = text
                    continue
                first = _hex(target)
                base = int.from_bytes(first, "big")
                for offset in range(end - start + 1):
                    value = (base + offset).to_bytes(len(first), "big")
                    mapping[start + offset] = _utf16(value)
    return _Font(width, mapping)


@dataclass
class PageText:
    """Text by MCID on one page (and the forms it draws), keyed by ``(ParentTree key, MCID)``."""

    texts: dict[tuple[int | None, int], str] = field(default_factory=dict)
    actual: set[tuple[int | None, int]] = field(default_factory=set)  # from /ActualText
    lines: dict[tuple[int | None, int], tuple[float, float]] = field(default_factory=dict)
    """The baseline (device y) where each sequence's text starts and where it ends."""


@dataclass
class _Open:
    key: tuple[int | None, int] | None  # the MCID this sequence (or an outer one) adds text to
    actual: bool  # inside an /ActualText sequence: what is drawn is not read


@dataclass
class _Frame:
    """One stream being walked: its ParentTree key, its ``BDC``s with ``/ActualText``, and the
    marked-content sequences open in it (a form starts inside the one that draws it)."""

    key: int | None
    actual_texts: dict[int, object]
    opened: list[_Open]


class _TextVisitor(ContentVisitor):
    def __init__(self, fonts: dict[tuple[int, int], _Font]) -> None:
        self.fonts = fonts
        self.result = PageText()
        self.frames: list[_Frame] = []
        self.last_y: dict[tuple[int | None, int], float] = {}

    def enter_stream(self, stream: ContentStream) -> None:
        outer = self.frames[-1].opened[-1:] if self.frames else []
        self.frames.append(_Frame(stream.key, _actual_texts(stream), list(outer)))

    def leave_stream(self, stream: ContentStream) -> None:
        self.frames.pop()

    def begin_marked(self, index: int, tag: object, mcid: int | None) -> None:
        frame = self.frames[-1]
        outer = frame.opened[-1] if frame.opened else _Open(None, False)
        key = (frame.key, mcid) if mcid is not None else outer.key
        actual = outer.actual
        text = frame.actual_texts.get(index)
        if text is not None and not actual and key is not None:
            self._add(key, str(text))
            self.result.actual.add(key)
            actual = True
        frame.opened.append(_Open(key, actual))

    def end_marked(self, index: int) -> None:
        if self.frames[-1].opened:
            self.frames[-1].opened.pop()

    def show_text(
        self, operands: Sequence[object], state: GraphicsState, text_matrix: Matrix
    ) -> None:
        opened = self.frames[-1].opened
        if not opened or opened[-1].key is None or opened[-1].actual:
            return
        key = opened[-1].key
        font = self._font(state.font)
        shown = operands[-1] if operands else None
        parts = list(shown) if isinstance(shown, Array) else [shown]
        text = ""
        for part in parts:
            if isinstance(part, pikepdf.String):
                raw = bytes(part)
                for i in range(0, len(raw) - font.width + 1, font.width):
                    code = int.from_bytes(raw[i : i + font.width], "big")
                    text += font.unicode.get(code, chr(code) if font.width == 1 else "\ufffd")
            elif isinstance(part, int | float) and float(part) < -250:
                text += " "  # a wide negative adjustment in TJ is a space
        y = multiply(text_matrix, state.ctm)[5]
        first = self.result.lines.get(key, (y, y))[0]
        self.result.lines[key] = (first, y)
        previous = self.last_y.get(key)
        if previous is not None and abs(previous - y) > 1 and text and not text[0].isspace():
            self._add(key, " ")
        self.last_y[key] = y
        self._add(key, text)

    def _add(self, key: tuple[int | None, int], text: str) -> None:
        self.result.texts[key] = self.result.texts.get(key, "") + text

    def _font(self, font: Dictionary | None) -> _Font:
        if font is None:
            return _read_font(None)
        ident = font.objgen if font.is_indirect else (id(font), -1)
        if ident not in self.fonts:
            self.fonts[ident] = _read_font(font)
        return self.fonts[ident]


def page_text(page: pikepdf.Page, fonts: dict[tuple[int, int], _Font] | None = None) -> PageText:
    """The text of every MCID of `page` (`fonts`: a cache shared by the pages of one file).

    Raises `pikepdf.PdfError` when the page's content cannot be parsed."""
    visitor = _TextVisitor(fonts if fonts is not None else {})
    walk_page(page, visitor)
    return visitor.result


def _actual_texts(stream: ContentStream) -> dict[int, object]:
    """Index of each ``BDC`` in `stream` whose properties carry ``/ActualText`` → that text."""
    found: dict[int, object] = {}
    for index, instruction in enumerate(stream.instructions):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        if str(instruction.operator) != "BDC" or len(instruction.operands) != 2:
            continue
        properties: object = instruction.operands[1]
        if isinstance(properties, Name) and stream.resources is not None:
            named = stream.resources.get("/Properties", Dictionary())
            properties = named.get(str(properties)) if isinstance(named, Dictionary) else None
        if isinstance(properties, Dictionary) and "/ActualText" in properties:
            found[index] = properties.ActualText
    return found
