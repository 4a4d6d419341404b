"""Content Markdown to safe HTML, with citations as superscript numbers.

Parsing is `handoutkit.content.markdown`'s (raw HTML off, only web, mail and phone links);
here citations become superscript links to the reference list, numbered by a `Citer` in
order of first use (AMA), and Markdown headings sit below the template's own.

Addresses shown as text (autolinks, link text that is an address, web addresses in running
text) get break opportunities after `/`, `.` and the like, so a long one wraps instead of
running off the page: `<wbr>` on screen, and in print U+200B (WeasyPrint breaks a link holding
`<wbr>` elements at any letter once `overflow-wrap` is on; the zero-width space is drawn as
nothing and is not in the PDF's text). For print, each top-level block carries `data-field`
(the model path of the field it shows), with which the print preflight reports its findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token
from markupsafe import Markup, escape

from handoutkit.content.markdown import LANGUAGE_TAG, make_parser, strip_markdown

__all__ = ["WBR", "ZWSP", "Citer", "MarkdownRenderer", "strip_markdown", "url_breaks"]

WBR = Markup("<wbr>")  # a break opportunity on screen (copies as nothing)
ZWSP = Markup("\u200b")  # the same for the printer

# Where an address may break: after a run of slashes, after ? & = # _, and after a dot that a
# digit does not follow (not inside "10.1002" of a DOI); never at its end.
_BREAK_AFTER = re.compile(r"(/+|[?&=#_]|\.(?!\d))(?=.)")
_ADDRESS_IN_TEXT = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ADDRESS_LIKE = re.compile(r"^\S{12,}$")  # link text without spaces: probably an address


def url_breaks(text: str, breaks: Markup = WBR) -> Markup:
    """`text` escaped, with a break opportunity after each / . ? & = # _ inside it."""
    return breaks.join(Markup.escape(part) for part in _BREAK_AFTER.sub("\\1\0", text).split("\0"))


@dataclass
class Citer:
    """Numbers references in order of first citation (AMA) and remembers the order.

    `describe` gives a citation link its accessible name from the number and the key, e.g.
    "Reference 3: Fineberg 2023" (`aria-label`; the PDF's link annotation says the same), so
    a screen reader does not announce a bare "3" or the target's id.
    """

    order: list[str] = field(default_factory=list)
    describe: Callable[[int, str], str] | None = None

    def number(self, key: str) -> int:
        if key not in self.order:
            self.order.append(key)
        return self.order.index(key) + 1

    def superscript(self, keys: Sequence[str], after: str = "") -> Markup:
        """The citation numbers as a superscript; `after` is the text it follows, bracketed
        when that ends with a digit (templates pass the cell or label they cite after)."""
        numbers = sorted({self.number(key) for key in keys})
        links = [self._link(n) for n in numbers]
        inner = Markup(",").join(_compress(numbers, links))
        if after_number(after):
            inner = Markup("[") + inner + Markup("]")
        # a word joiner keeps the number on the line of the word or punctuation it follows
        return Markup('\u2060<sup class="cite">') + inner + Markup("</sup>")

    def _link(self, number: int) -> Markup:
        if self.describe is None:
            return Markup('<a href="#ref-{0}">{0}</a>').format(number)
        label = self.describe(number, self.order[number - 1])
        return Markup('<a href="#ref-{0}" aria-label="{1}">{0}</a>').format(number, label)


def after_number(text: str) -> bool:
    """Whether a citation placed after `text` would run into a number: right after a digit,
    or after a digit and the punctuation AMA puts before citations ("0.03.1", "22,1")."""
    return _ENDS_WITH_NUMBER.search(text) is not None


_ENDS_WITH_NUMBER = re.compile(r"\d[.,;:]?\s*$")


def _text_before(tokens: list[Token], idx: int) -> str:
    """The text a citation token follows in its paragraph, through closing emphasis and links
    ("**n = 22**.[@a]" follows "n = 22.")."""
    text = ""
    for token in reversed(tokens[:idx]):
        if token.type in ("text", "code_inline"):
            text = token.content + text
            if text.strip(".,;: "):
                break
        elif not token.type.endswith("_close"):
            break
    return text


def _render_foreign(_renderer: object, tokens: list[Token], idx: int, *_: object) -> str:
    """`[DBT]{lang=en}` → `<span lang="en">DBT</span>` (check refuses a malformed tag)."""
    token = tokens[idx]
    lang = str(token.meta["lang"])
    if not LANGUAGE_TAG.match(lang):
        return str(escape(token.content))
    return str(Markup('<span lang="{0}">{1}</span>').format(lang, token.content))


def _compress(numbers: list[int], links: list[Markup]) -> list[Markup]:
    """AMA ranges: 1,2,3,5 -> 1-3,5 (each end still a link)."""
    parts: list[Markup] = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(links[i] + Markup("&#8211;") + links[j])
        else:
            parts.extend(links[i : j + 1])
        i = j + 1
    return parts


class MarkdownRenderer:
    """Renders content Markdown to safe HTML, numbering citations with the given Citer."""

    def __init__(self, citer: Citer, heading_offset: int = 2, *, medium: str = "screen") -> None:
        self.citer = citer
        self.mark_fields = medium == "print"
        self.md = make_parser()
        breaks = ZWSP if medium == "print" else WBR
        self.md.core.ruler.push("url_breaks", lambda state: _url_breaks_rule(state, breaks))
        self.md.add_render_rule("citation", self._citation_rule())
        self.md.add_render_rule("foreign", _render_foreign)
        self.md.add_render_rule("heading_open", self._render_heading_open(heading_offset))
        self.md.add_render_rule("heading_close", self._render_heading_close(heading_offset))

    def block(self, text: str, field: str | None = None) -> Markup:
        """Block Markdown; with `field` (print), its top-level blocks are marked with it."""
        if field is None or not self.mark_fields:
            return Markup(self.md.render(text))
        env: dict[str, object] = {}
        tokens = self.md.parse(text, env)
        for token in tokens:
            if token.level == 0 and token.nesting >= 0 and token.type != "inline":
                token.attrSet("data-field", field)
        return Markup(self.md.renderer.render(tokens, self.md.options, env))

    def inline(self, text: str) -> Markup:
        """One paragraph without the <p> wrapper: list items, table cells."""
        html = self.md.render(text).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def _citation_rule(self) -> Callable[..., str]:
        # markdown-it binds render rules to its renderer, so close over the citer instead
        citer = self.citer

        def render(_renderer: object, tokens: list[Token], idx: int, *_: object) -> str:
            return str(citer.superscript(tokens[idx].meta["keys"], _text_before(tokens, idx)))

        return render

    @staticmethod
    def _render_heading_open(offset: int) -> Callable[..., str]:
        def render(_renderer: object, tokens: list[Token], idx: int, *_: object) -> str:
            level = min(int(tokens[idx].tag[1]) + offset, 6)
            return f"<h{level}>"

        return render

    @staticmethod
    def _render_heading_close(offset: int) -> Callable[..., str]:
        def render(_renderer: object, tokens: list[Token], idx: int, *_: object) -> str:
            level = min(int(tokens[idx].tag[1]) + offset, 6)
            return f"</h{level}>\n"

        return render


def _url_breaks_rule(state: object, breaks: Markup) -> None:
    """Split the text of addresses shown to the reader with `<wbr>` tokens (see `url_breaks`)."""
    for block in state.tokens:  # type: ignore[attr-defined]
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = False
        for child in block.children:
            if child.type == "link_open":
                in_link = True
            elif child.type == "link_close":
                in_link = False
            if child.type == "text" and (
                (in_link and _ADDRESS_LIKE.match(child.content))
                or (not in_link and _ADDRESS_IN_TEXT.search(child.content))
            ):
                children.extend(_split_address(child.content, breaks, whole=in_link))
            else:
                children.append(child)
        block.children = children


def _split_address(text: str, breaks: Markup, *, whole: bool) -> list[Token]:
    """Text tokens with `breaks` tokens at the break opportunities of its address(es)."""
    spans = [(0, len(text))] if whole else [m.span() for m in _ADDRESS_IN_TEXT.finditer(text)]
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        parts = _BREAK_AFTER.sub("\\1\0", text[start:end]).split("\0")
        pieces[-1] += parts[0]
        pieces.extend(parts[1:])
        position = end
    pieces[-1] += text[position:]
    tokens: list[Token] = []
    for index, piece in enumerate(pieces):
        if index:
            mark = Token("html_inline", "", 0)
            mark.content = str(breaks)
            tokens.append(mark)
        if piece:
            token = Token("text", "", 0)
            token.content = piece
            tokens.append(token)
    return tokens
