"""Character-level checks: what prints must be what was written.

Every text a reader gets, in the documents and in the shared data they print (crisis
resources, disclaimers, references, the organization), is checked for what would print
otherwise than it reads in the YAML file, or not at all:

- **bidirectional controls** (embeddings, overrides, isolates: U+202A-U+202E, U+2066-U+2069),
  which reorder the displayed text (the "Trojan Source" trick); right-to-left text displays
  correctly without them;
- **zero-width characters inside words** (zero-width space, word joiner, zero-width no-break
  space; joiners between Latin, Greek or Cyrillic letters), invisible on paper but splitting
  the word for search, copy and screen readers; joiners where scripts use them (Arabic, Indic,
  emoji sequences) are left alone;
- **lone combining marks** (an accent with no letter before it) and marks stacked more than
  four deep on one letter ("Zalgo" text, drawn over the lines around it);
- **raw HTML** pasted into Markdown or plain-text fields (`<b>`, `<script>`, comments): it is
  never interpreted, so it would print as literal tags;
- **Markdown nested too deep**: lists and quotes more than four levels deep (the parser
  drops everything past its limit of 20 levels, silently);
- **characters no font has** (`lint.fonts`): checked against the edition's stylesheet fonts and
  the fonts installed on this system, which is where the printer falls back to.

Each finding is located at the character (or tag) itself, `path:line:col` inside the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.html_re import HTML_TAG_RE

from handoutkit.content.markdown import strip_markdown
from handoutkit.content.project import Project
from handoutkit.content.sourcemap import PathKey, SourceMap
from handoutkit.diagnostics import Diagnostics, Location
from handoutkit.lint.fonts import font_hint, missing_characters
from handoutkit.models import TextKind, walk_text

# Metadata kept out of print (PDF properties only), and fields fixed in form: left out of the
# checks of what a reader sees (raw HTML, fonts); the invisible-character checks read all text.
NOT_SHOWN_TOP = frozenset({"type", "id", "language", "keywords", "description"})
NOT_SHOWN_LEAVES = frozenset({"path", "id", "type", "URL", "DOI", "PMID", "online_url"})
NOT_PRINTED_LEAVES = frozenset({"path", "id", "type", "alt"})  # alt: read aloud, never drawn

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u180e]")
NON_ASCII = re.compile("[^\x00-\x7f]")
JOINERS = frozenset("\u200c\u200d")
# Scripts written with spaces between words, where nothing zero-width belongs inside one.
SPACED_SCRIPTS = frozenset({"LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "GEORGIAN", "DIGIT"})
JOINING_SCRIPTS = frozenset({"ARABIC", "HEBREW", "SYRIAC"})  # no ZWSP inside their words either
MAX_STACKED_MARKS = 4
MAX_MARKDOWN_DEPTH = 4
SHOWN_CHARACTERS = 5  # fonts: reported per field; the rest are counted
_CONTAINERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open"})
_MAY_NEST = re.compile(r"^[ \t]*(?:[>*+-]|\d{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


@dataclass(frozen=True)
class Text:
    """One text value a reader gets, and where it is."""

    source: SourceMap
    loc: PathKey
    raw: str
    kind: TextKind

    @property
    def shown(self) -> bool:
        """Printed or read aloud (raw HTML there would be shown as text)."""
        return self._not_metadata and _leaf(self.loc) not in NOT_SHOWN_LEAVES

    @property
    def printed(self) -> bool:
        """Drawn on paper: every character needs a glyph."""
        return self._not_metadata and _leaf(self.loc) not in NOT_PRINTED_LEAVES

    @property
    def _not_metadata(self) -> bool:
        return self.kind != "citation" and not (self.loc and self.loc[0] in NOT_SHOWN_TOP)

    def visible(self) -> str:
        """The characters a reader sees (Markdown syntax, link targets and citations left out)."""
        return strip_markdown(self.raw) if self.kind == "markdown" else self.raw


def project_texts(project: Project) -> Iterator[Text]:
    """Every text value of the documents, the shared data they print and the organization."""
    for document in project.documents:
        for loc, raw, kind in walk_text(document.model):
            yield Text(document.source, loc, raw, kind)
    shared = project.shared
    if shared.crisis_source is not None:
        for region, blocks in shared.crisis.items():
            for language, block in blocks.items():
                for loc, raw, kind in walk_text(block, (region, language)):
                    yield Text(shared.crisis_source, loc, raw, kind)
    if shared.disclaimers_source is not None:
        for audience, texts in shared.disclaimers.items():
            for language, raw in texts.items():
                yield Text(shared.disclaimers_source, (audience, language), raw, "markdown")
    if shared.references_source is not None:
        for key, item in shared.references.items():
            where = shared.reference_loc(key)
            if where is not None:
                for loc, raw, kind in walk_text(item, where):
                    yield Text(shared.references_source, loc, raw, kind)
    for loc, raw, kind in walk_text(project.config.organization, ("organization",)):
        yield Text(project.config_source, loc, raw, kind)


def check_characters(project: Project, diagnostics: Diagnostics) -> None:
    """The invisible-character, raw HTML and nesting checks on every text, then the fonts."""
    texts = list(project_texts(project))
    for text in texts:
        if NON_ASCII.search(text.raw):
            check_bidi(text, diagnostics)
            check_zero_width(text, diagnostics)
            check_combining_marks(text, diagnostics)
        if text.shown and "<" in text.raw:
            check_raw_html(text, diagnostics)
        if text.kind == "markdown" and _MAY_NEST.search(text.raw):
            check_nesting(text, diagnostics)
    check_fonts(project, [t for t in texts if t.printed], diagnostics)


def check_fonts(project: Project, texts: list[Text], diagnostics: Diagnostics) -> None:
    """A located error for each character (up to 5 per field) no usable font has."""
    texts = [t for t in texts if not t.raw.isascii()]
    wanted = {c for text in texts for c in text.visible() if not c.isascii()}
    found = missing_characters(project.root, project.config.editions, wanted)
    if found is None or not found.characters:
        return
    for text in texts:
        chars = list(dict.fromkeys(c for c in text.visible() if c in found.characters))
        for number, char in enumerate(chars[:SHOWN_CHARACTERS], start=1):
            more = len(chars) - SHOWN_CHARACTERS
            rest = (
                f"; {more} more characters of this field have none either"
                if (number == SHOWN_CHARACTERS and more > 0)
                else ""
            )
            first = text.raw.find(char)
            diagnostics.error(
                locate_char(text, first if first >= 0 else None),
                f"no font has {describe(char)}: it would print as an empty box; fonts tried: "
                f"{found.tried(char)}{rest}",
                font_hint(char),
                rule="font-coverage",
            )


# --------------------------------------------------------------------------- invisible


def check_bidi(text: Text, diagnostics: Diagnostics) -> None:
    for match in BIDI.finditer(text.raw):
        diagnostics.error(
            locate_char(text, match.start()),
            f"bidirectional control character {describe(match.group())}: it reorders how the "
            "text around it is displayed, so the page would not show what the file says",
            "delete it; right-to-left text (Arabic, Hebrew) displays correctly without it",
            rule="bidi-control",
        )


def check_zero_width(text: Text, diagnostics: Diagnostics) -> None:
    raw = text.raw
    for match in ZERO_WIDTH.finditer(raw):
        start, end = match.span()
        before, after = raw[start - 1 : start], raw[end : end + 1]
        if not (before and after and before.isalnum() and after.isalnum()):
            continue
        scripts = {_script(before), _script(after)}
        allowed = SPACED_SCRIPTS if match.group() in JOINERS else SPACED_SCRIPTS | JOINING_SCRIPTS
        if not scripts <= allowed:
            continue  # a script that uses joiners or has no spaces between words
        word = _word_around(raw, start)
        diagnostics.error(
            locate_char(text, start),
            f"invisible {describe(match.group())} inside the word '{word}'",
            "delete it: it does not print, but it splits the word for search, copying and "
            "screen readers",
            rule="zero-width",
        )


def check_combining_marks(text: Text, diagnostics: Diagnostics) -> None:
    raw = text.raw
    stacked = 0
    for match in NON_ASCII.finditer(raw):
        index = match.start()
        if not unicodedata.category(match.group()).startswith("M"):
            continue
        previous = raw[index - 1] if index else ""
        stacked = stacked + 1 if previous and unicodedata.category(previous)[0] == "M" else 1
        if not previous or unicodedata.category(previous)[0] in "ZCP" or previous.isspace():
            diagnostics.error(
                locate_char(text, index),
                f"combining mark {describe(match.group())} has no letter to go on",
                "delete it, or type the accented letter itself (e.g. é, not e and an accent)",
                rule="combining-mark",
            )
        elif stacked == MAX_STACKED_MARKS + 1:
            base = index - MAX_STACKED_MARKS - 1
            diagnostics.error(
                locate_char(text, base),
                f"more than {MAX_STACKED_MARKS} combining marks are stacked on "
                f"'{raw[base] if base >= 0 else ''}': they print over the lines around it",
                "delete the extra marks",
                rule="combining-mark",
            )


# --------------------------------------------------------------------------- markup

_HTML_PARSER = MarkdownIt("commonmark", {"html": True})
HTML_HINTS = {
    ("b", "strong"): "use **bold**",
    ("i", "em"): "use *italic*",
    ("a",): "use [link text](https://…)",
    ("br",): "start a new line with a blank line between paragraphs, or end the line with \\",
    ("p", "div", "span"): "separate paragraphs with a blank line",
    ("ul", "ol", "li"): "write a list with '- ' (or '1. ') at the start of each line",
    ("h1", "h2", "h3", "h4", "h5", "h6"): "use a Markdown heading (## Heading) or a new section",
    ("script", "style", "iframe", "object", "embed", "link", "meta", "form", "input"): (
        "delete it: content cannot run scripts or change styles"
    ),
    ("img", "svg", "picture"): "delete it: add images to the handout's images: list",
}


def check_raw_html(text: Text, diagnostics: Diagnostics) -> None:
    """Tags and comments in Markdown (as the CommonMark parser sees them: not in code spans,
    not autolinks) or in plain text: they are printed as literal text, never run."""
    if text.kind == "markdown":
        found = _markdown_html(text.raw)
    else:
        found = [match.group() for match in HTML_TAG_RE.finditer(text.raw)]
    opened: set[str] = set()
    cursor = 0
    for chunk in found:
        tag = _first_tag(chunk)
        name = _TAG_NAME.match(tag)
        closing = bool(name and name.group(1))
        tag_name = name.group(2).lower() if name else ""
        index = text.raw.find(tag, cursor)
        if index >= 0:
            cursor = index + len(tag)
        if closing and tag_name in opened:
            continue
        opened.add(tag_name)
        diagnostics.error(
            locate_char(text, index if index >= 0 else None, tag),
            f"raw HTML is not allowed in content: `{_short(tag)}`",
            _html_hint(tag_name, tag, text.kind == "markdown"),
            rule="raw-html",
        )


def _markdown_html(raw: str) -> list[str]:
    found = []
    for token in _HTML_PARSER.parse(raw):
        if token.type == "html_block":
            found.append(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                found.append(child.content)
    return found


def _first_tag(chunk: str) -> str:
    match = HTML_TAG_RE.search(chunk)
    return match.group() if match else chunk.strip().split("\n", 1)[0]


def _html_hint(name: str, tag: str, markdown: bool) -> str:
    if tag.startswith("<!--"):
        return "delete the HTML comment (a comment in YAML starts with #)"
    if not markdown:
        return "delete it: this field is plain text, printed exactly as written"
    hint = next((h for names, h in HTML_HINTS.items() if name in names), None)
    return hint or "write it in Markdown, or as plain words"


def check_nesting(text: Text, diagnostics: Diagnostics) -> None:
    depth = 0
    for token in _HTML_PARSER.parse(text.raw):
        if token.type in _CONTAINERS:
            depth += 1
            if depth > MAX_MARKDOWN_DEPTH:
                line = text.raw.splitlines()[token.map[0]] if token.map else ""
                diagnostics.error(
                    _locate_line(text, line),
                    f"lists and quotes are nested {depth} levels deep here; at most "
                    f"{MAX_MARKDOWN_DEPTH} print readably, and past 10 the Markdown parser "
                    "drops the text",
                    "use fewer levels: split the list, or make the inner items sentences",
                    rule="markdown-nesting",
                )
                return
        elif token.type.endswith("_close") and token.type.replace("_close", "_open") in (
            _CONTAINERS
        ):
            depth -= 1


# --------------------------------------------------------------------------- locating


def locate_char(text: Text, index: int | None, needle: str | None = None) -> Location:
    """Where character `index` of the value (or the text `needle` at it) is in the file.

    The value is found again in its YAML source by the same n-th occurrence of the same
    characters; a character written as an escape (\\u202e) is found by its escape, and a
    needle with quotes (escaped in a quoted YAML string) by its part before the first quote.
    """
    source, raw = text.source, text.raw
    span = source.values.get(tuple(text.loc))
    if span is None or index is None:
        return source.locate(text.loc)
    written = source.text[span.start : span.end]
    needle = needle or raw[index]
    head = re.split(r"[\"'\\]", needle)[0]
    for candidate in dict.fromkeys((needle, head)):
        if len(candidate) < min(len(needle), 2):
            continue
        at = _nth(written, candidate, raw.count(candidate, 0, index))
        if at >= 0:
            return source.at_offset(span.start + at)
    if len(needle) == 1:
        code = ord(needle)
        pattern = rf"\\(?:u{code:04x}|U{code:08x}" + (rf"|x{code:02x})" if code < 0x100 else ")")
        found = list(re.finditer(pattern, written, re.IGNORECASE))
        if found:
            occurrence = raw.count(needle, 0, index)
            return source.at_offset(span.start + found[min(occurrence, len(found) - 1)].start())
    return source.at_offset(span.start)


def _nth(text: str, needle: str, occurrence: int) -> int:
    at = -1
    for _ in range(occurrence + 1):
        at = text.find(needle, at + 1)
        if at < 0:
            return -1
    return at


def _locate_line(text: Text, line: str) -> Location:
    needle = line.strip()[:40]
    if not needle:
        return text.source.locate(text.loc)
    return locate_char(text, max(text.raw.find(needle), 0), needle)


def describe(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', or with the character itself when it prints."""
    name = unicodedata.name(char, "unnamed character")
    shown = "" if unicodedata.category(char)[0] in "CMZ" else f"'{char}' "
    return f"{shown}(U+{ord(char):04X} {name})" if shown else f"U+{ord(char):04X} {name}"


def _script(char: str) -> str:
    if char.isdigit():
        return "DIGIT"
    return unicodedata.name(char, "?").split(" ", 1)[0]


def _word_around(raw: str, index: int) -> str:
    start, end = index, index + 1
    while start > 0 and (raw[start - 1].isalnum() or ZERO_WIDTH.match(raw[start - 1])):
        start -= 1
    while end < len(raw) and (raw[end].isalnum() or ZERO_WIDTH.match(raw[end])):
        end += 1
    return ZERO_WIDTH.sub("", raw[start:end])


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _leaf(loc: PathKey) -> str:
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
