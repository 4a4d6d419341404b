"""Print preflight: the laid-out document, checked before it becomes a PDF.

WeasyPrint lays a document out into pages of boxes (lines, blocks, images, table rows) with
their positions; this module reads that layout, once per document, and reports what would
break the promise that what prints is what was written, readable and whole:

- `overflow`: a line, table, image or block that extends past the page's text area (the page
  minus its margins) would be cut off on paper. Horizontally the outermost box is blamed (a
  container does not widen with its content: the line with the long word, the table);
  vertically the line or image itself (a container grows with its content);
- `split`: a list item, table row, the crisis block or a figure that splits across pages
  (the stylesheets keep them whole, so this happens only to one taller than a page);
- `stranded-heading`: a heading that is the last line of a page, its section on the next;
- `widow-orphan`: a paragraph split so that one page holds fewer than 2 of its lines;
- `sparse-page`: a page of a multi-page document with fewer than 3 lines and no image;
- `image-resolution`: a raster image printed below 150 dpi (warning) or 96 dpi (error);
- `glyph` (`missing_glyphs`): a character drawn as an empty box, which WeasyPrint reports
  while it draws (after this walk), located here on the laid-out text.

Findings carry the page and the `data-field` of the nearest marked element (templates mark
every element that shows a content field: `sections.2.body`, `crisis:us.en.resources.0`);
this stage does not read content, so the build turns that path into `path:line:col`.

The walk relies on WeasyPrint 70's box tree (`Page._page_box`, the box classes and their
geometry methods, `RasterImage.width`/`height`, the `.notdef` warning of `draw_first_line`),
all listed in `handoutkit.compat.PATCH_POINTS` and checked by the test suite.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

from handoutkit.compat import UpstreamChanged

EPS = 0.5  # CSS px: rounding noise in the layout's float arithmetic
PX_PER_INCH = 96
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
KEEP_WHOLE_TAGS = {"li": "a list item", "tr": "a table row", "figure": "a figure"}
KEEP_WHOLE_CLASSES = {"crisis": "the crisis block", "image": "a figure"}
MIN_LINES = 2  # on each side of a page break (widows and orphans)
SPARSE_LINES = 3  # a page with fewer lines (and no image) is nearly empty
DPI_WARNING, DPI_ERROR = 150, 96
NOTDEF_MESSAGE = ".notdef glyph rendered for Unicode string unsupported by fonts"

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem of a laid-out document, on a page, at a field (or None: page furniture)."""

    page: int  # 1-based
    field: str | None  # `data-field` of the element, see `handoutkit.names.field_path`
    message: str
    hint: str
    severity: Severity = "error"
    text: str = ""  # what was found (a character, a word), to locate it when `field` is None
    _: KW_ONLY
    rule: str  # an id of `handoutkit.rules.RULES`


@dataclass(slots=True)
class _Entry:
    """A box being walked, with what it inherits from its ancestors."""

    box: Any
    field: str | None
    heading: Any = None  # the heading box it is inside
    blamed: int = -1  # the overflow finding of an ancestor that overflows sideways
    repeated: bool = False  # inside a repeated table header or footer
    margin: bool = False  # inside a page margin box (running header or footer)


@dataclass
class _Document:
    """What the walk gathers across pages."""

    findings: list[Finding] = field(default_factory=list)
    sparse: list[Finding] = field(default_factory=list)
    # per sideways overflow of a container (by index in `findings`): its box and the widest
    # line inside it, which is what the author must change (the long word in a table cell)
    culprits: dict[int, tuple[_Entry, float, _Entry | None]] = field(default_factory=dict)
    pages_of: dict[int, tuple[Any, str | None, list[int]]] = field(default_factory=dict)
    lines_of: dict[int, tuple[Any, str | None, dict[int, int]]] = field(default_factory=dict)


def check_layout(document: Any) -> list[Finding]:
    """Every layout finding of a laid-out WeasyPrint document."""
    from weasyprint.formatting_structure import boxes

    gathered = _Document()
    pages = document.pages
    for number, page in enumerate(pages, start=1):
        _check_page(boxes, number, _page_box(page), gathered, last=number == len(pages))
    findings = gathered.findings
    for index, (entry, by, culprit) in gathered.culprits.items():
        findings[index] = _overflow(boxes, findings[index].page, entry, "right", by, culprit)
    findings += _splits(gathered)
    findings += _widows_and_orphans(gathered)
    if len(pages) > 1:
        findings += gathered.sparse
    return findings


def _page_box(page: Any) -> Any:
    box = getattr(page, "_page_box", None)
    if box is None:  # listed in compat.PATCH_POINTS: a bug to fix here, not a content error
        raise UpstreamChanged("weasyprint.document.Page no longer keeps its _page_box")
    return box


def _walk(boxes: Any, page_box: Any, *, text: bool = False) -> Iterator[_Entry]:
    """The page's boxes in document order, with their inherited field and heading; with
    `text`, its text boxes and the page margin boxes too (else neither: the checks of the
    layout look at lines, blocks and images)."""
    stack = [
        _Entry(child, None, margin=isinstance(child, boxes.MarginBox))
        for child in reversed(page_box.children)
        if text or not isinstance(child, boxes.MarginBox)
    ]
    text_box = boxes.TextBox
    while stack:
        entry = stack.pop()
        box = entry.box
        element = box.element
        if element is not None:
            marked = element.get("data-field")
            if marked:
                entry.field = marked
            if box.element_tag in HEADINGS:
                entry.heading = box
        if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
            entry.repeated = True
        yield entry
        children = getattr(box, "children", None)
        if children:
            inherited = (entry.field, entry.heading, entry.blamed, entry.repeated, entry.margin)
            stack.extend(
                _Entry(child, *inherited)
                for child in reversed(children)
                if text or child.__class__ is not text_box
            )


def _check_page(boxes: Any, number: int, page_box: Any, gathered: _Document, last: bool) -> None:
    x0, y0 = page_box.content_box_x(), page_box.content_box_y()
    x1, y1 = x0 + page_box.width, y0 + page_box.height
    last_leaf: _Entry | None = None
    lines = images = 0
    first_field: str | None = None
    for entry in _walk(boxes, page_box):
        box = entry.box
        is_line = isinstance(box, boxes.LineBox)
        is_image = isinstance(box, boxes.ReplacedBox)
        if is_line or is_image or isinstance(box, boxes.BlockLevelBox):
            left = box.border_box_x()
            right = left + box.border_width()
            if entry.blamed >= 0:  # inside a box that overflows: its widest line is the cause
                if (is_line or is_image) and entry.blamed in gathered.culprits:
                    blamed, by, culprit = gathered.culprits[entry.blamed]
                    if culprit is None or box.border_width() > culprit.box.border_width():
                        gathered.culprits[entry.blamed] = (blamed, by, entry)
            elif right > x1 + EPS or left < x0 - EPS:
                entry.blamed = len(gathered.findings)
                side, by = ("right", right - x1) if right > x1 + EPS else ("left", x0 - left)
                gathered.findings.append(_overflow(boxes, number, entry, side, by))
                if side == "right" and not is_image:  # what inside it is too wide?
                    gathered.culprits[entry.blamed] = (entry, by, None)
        if is_image or (is_line and not _holds_image(boxes, box)):
            top = box.border_box_y()
            bottom = top + box.border_height()
            if bottom > y1 + EPS and entry.blamed < 0:
                gathered.findings.append(_overflow(boxes, number, entry, "bottom", bottom - y1))
        if is_line or is_image:
            last_leaf = entry
        if is_image:
            images += 1
            found = _resolution(number, entry)
            if found is not None:
                gathered.findings.append(found)
        elif is_line and "::" not in box.element_tag and _has_text(boxes, box):
            lines += 1
            first_field = first_field or entry.field
        element = box.element
        tag = box.element_tag
        if element is None or entry.repeated or "::" in tag:  # list markers are not content
            continue
        if tag in KEEP_WHOLE_TAGS or (
            tag in ("section", "div") and KEEP_WHOLE_CLASSES.keys() & _classes(element)
        ):
            pages = gathered.pages_of.setdefault(id(element), (box, entry.field, []))[2]
            if number not in pages:
                pages.append(number)
        if isinstance(box, boxes.BlockContainerBox) and box.children:
            held = sum(isinstance(child, boxes.LineBox) for child in box.children)
            if held:
                counts = gathered.lines_of.setdefault(id(element), (box, entry.field, {}))[2]
                counts[number] = counts.get(number, 0) + held
    if lines < SPARSE_LINES and not images:
        gathered.sparse.append(
            Finding(
                number,
                first_field,
                f"the page holds only {lines} line{'s' * (lines != 1)}",
                "shorten the text before it by a few lines (or add to it), so that no page is "
                "nearly empty",
                rule="sparse-page",
            )
        )
    if not last and last_leaf is not None and last_leaf.heading is not None:
        heading = last_leaf.heading
        gathered.findings.append(
            Finding(
                number,
                _field_of(heading) or last_leaf.field,
                f"the heading {_quote(_text(boxes, heading))} is the last line of the page; "
                "its section starts on the next page",
                "the first paragraph, list item or table after it cannot start on this page "
                "(it is kept whole and is taller than the space left): shorten it, or split it",
                text="" if _field_of(heading) else _text(boxes, heading),
                rule="stranded-heading",
            )
        )


def _overflow(
    boxes: Any, number: int, entry: _Entry, side: str, by: float, culprit: _Entry | None = None
) -> Finding:
    """An overflow of `entry`'s box; `culprit`: the widest line inside it, its cause."""
    box = entry.box
    amount = f"{by / PX_PER_INCH:.2f} in ({by / PX_PER_INCH * 25.4:.0f} mm)"
    cause = culprit or entry
    excerpt = _text(boxes, cause.box)
    if isinstance(cause.box, boxes.ReplacedBox):
        box = cause.box
        what = f"the image {_quote(str(box.element.get('src') or ''))}"
        hint = "give the image a smaller size in the stylesheet (max-width: 100%)"
    elif box.element_tag == "table" or isinstance(box, boxes.TableBox):
        what = "the table" + (f" (its cell {_quote(excerpt)} cannot wrap)" if culprit else "")
        hint = "shorten the long word or address in that cell, or move it out of the table"
    elif isinstance(box, boxes.LineBox):
        what = f"a line ({_quote(_text(boxes, box))})"
        hint = (
            "the line cannot wrap there: shorten the long word or address (an address can go "
            "in the reference list), or move it out of the table"
        )
    else:
        what = f"a {box.element_tag} block" + (
            f" (its line {_quote(excerpt)} cannot wrap)" if culprit else ""
        )
        hint = "shorten the long word or address, or check the stylesheet's widths and margins"
    edge = {"right": "right edge", "left": "left edge", "bottom": "bottom"}[side]
    return Finding(
        number,
        cause.field,
        f"{what} runs {amount} past the {edge} of the text area, so it would be cut off",
        hint,
        text=excerpt,
        rule="overflow",
    )


def _resolution(number: int, entry: _Entry) -> Finding | None:
    """The effective resolution of a raster image at its printed size (the lower axis)."""
    box = entry.box
    image = getattr(box, "replacement", None)
    pixels_wide, pixels_high = getattr(image, "width", None), getattr(image, "height", None)
    if not hasattr(image, "mode") or not pixels_wide or not pixels_high:
        return None  # not a raster image (SVG has no pixels)
    width, height = box.width, box.height
    fit = box.style["object_fit"]
    if fit in ("contain", "cover", "scale-down"):
        scale = (max if fit == "cover" else min)(width / pixels_wide, height / pixels_high)
        if fit == "scale-down":
            scale = min(scale, 1)
        width, height = pixels_wide * scale, pixels_high * scale
    if width <= 0 or height <= 0:
        return None
    dpi = min(pixels_wide / (width / PX_PER_INCH), pixels_high / (height / PX_PER_INCH))
    if dpi >= DPI_WARNING:
        return None
    severity: Severity = "error" if dpi < DPI_ERROR else "warning"
    inches = f"{width / PX_PER_INCH:.1f} × {height / PX_PER_INCH:.1f} in"
    needed = (
        f"{round(width / PX_PER_INCH * DPI_WARNING)} × "
        f"{round(height / PX_PER_INCH * DPI_WARNING)} px"
    )
    source = str(box.element.get("src") or "") if box.element is not None else ""
    return Finding(
        number,
        entry.field,
        f"the image {_quote(source)} prints at {dpi:.0f} dpi ({pixels_wide} × {pixels_high} px "
        f"over {inches}); it needs at least {DPI_WARNING} dpi to print sharply"
        + (f" ({DPI_ERROR} at the very least)" if severity == "error" else ""),
        f"use a larger image file (at least {needed} at this size), or print it smaller",
        severity,
        text=source,
        rule="image-resolution",
    )


def _splits(gathered: _Document) -> list[Finding]:
    found = []
    for box, marked, pages in gathered.pages_of.values():
        if len(pages) < 2:
            continue
        tag = box.element_tag
        what = KEEP_WHOLE_TAGS.get(tag) or next(
            KEEP_WHOLE_CLASSES[c] for c in KEEP_WHOLE_CLASSES if c in _classes(box.element)
        )
        span = f"pages {pages[0]}–{pages[-1]}" if len(pages) > 2 else f"pages {pages[0]} and "
        span += "" if len(pages) > 2 else str(pages[1])
        found.append(
            Finding(
                pages[0],
                marked,
                f"{what} splits across {span}: it is taller than the space a page has for it",
                "shorten it so that it fits on one page (it is kept whole where it fits)",
                rule="split",
            )
        )
    return found


def _widows_and_orphans(gathered: _Document) -> list[Finding]:
    found = []
    for _box, marked, counts in gathered.lines_of.values():
        if len(counts) < 2:
            continue
        pages = sorted(counts)
        first, last = pages[0], pages[-1]
        if counts[first] < MIN_LINES:
            found.append(_orphaned(first, marked, counts[first], "at the bottom of", "orphan"))
        if counts[last] < MIN_LINES:
            found.append(_orphaned(last, marked, counts[last], "carried over to", "widow"))
    return found


def _orphaned(page: int, marked: str | None, lines: int, where: str, kind: str) -> Finding:
    return Finding(
        page,
        marked,
        f"a paragraph leaves {lines} line{'s' * (lines != 1)} {where} the page ({kind})",
        f"keep at least {MIN_LINES} lines on each page: the stylesheet's orphans and widows "
        f"must be {MIN_LINES} or more",
        rule="widow-orphan",
    )


# --------------------------------------------------------------------------- glyphs


def missing_codepoints(records: Iterable[logging.LogRecord]) -> list[int]:
    """The characters WeasyPrint drew as .notdef (empty boxes), from its warnings."""
    found: list[int] = []
    for record in records:
        if str(record.msg).startswith(NOTDEF_MESSAGE) and len(record.args or ()) == 2:
            code = record.args[1]  # type: ignore[index]
            if isinstance(code, int) and code not in found:
                found.append(code)
    return found


def missing_glyphs(document: Any, codepoints: list[int]) -> list[Finding]:
    """Where the characters drawn as empty boxes are: each on its first page, per field."""
    from weasyprint.formatting_structure import boxes

    wanted = {chr(code) for code in codepoints}
    seen: set[tuple[str, str | None]] = set()
    found = []
    for number, page in enumerate(document.pages, start=1):
        for entry in _walk(boxes, _page_box(page), text=True):
            box = entry.box
            if not isinstance(box, boxes.TextBox):
                continue
            for char in wanted.intersection(box.text):
                if (char, entry.field) in seen:
                    continue
                seen.add((char, entry.field))
                families = ", ".join(box.style["font_family"])
                where = " in the page header or footer" if entry.margin else ""
                found.append(
                    Finding(
                        number,
                        entry.field,
                        f"{_describe(char)}{where} has no glyph in any font and prints as an "
                        f"empty box; fonts tried: {families} and the fonts installed here",
                        "install a font for its script (docs/building.md: Fonts for other "
                        "scripts), or remove the character",
                        text=char,
                        rule="glyph",
                    )
                )
    return found


# --------------------------------------------------------------------------- helpers


def _has_text(boxes: Any, line: Any) -> bool:
    """Whether a line shows any text (not only spaces, a marker or an image)."""
    for child in line.children:
        if isinstance(child, boxes.TextBox):
            if not child.text.isspace():
                return True
        elif isinstance(child, boxes.InlineBox) and any(
            isinstance(c, boxes.TextBox) and not c.text.isspace() for c in child.children
        ):
            return True
    return False


def _holds_image(boxes: Any, line: Any) -> bool:
    for child in line.children:
        if isinstance(child, boxes.ReplacedBox):
            return True
        if isinstance(child, boxes.InlineBox) and any(
            isinstance(c, boxes.ReplacedBox) for c in child.children
        ):
            return True
    return False


def _text(boxes: Any, box: Any, limit: int = 50) -> str:
    if isinstance(box, boxes.TextBox):
        text = box.text
    else:
        text = "".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_of(box: Any) -> str | None:
    return box.element.get("data-field") if box.element is not None else None


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _quote(text: str) -> str:
    return f"'{text}'"


def _describe(char: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    shown = "" if unicodedata.category(char)[0] in "CMZ" else f"'{char}' "
    return f"{shown}(U+{ord(char):04X} {name})" if shown else f"U+{ord(char):04X} {name}"
