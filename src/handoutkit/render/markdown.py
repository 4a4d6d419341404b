"""Content Markdown to safe HTML, with citations as superscript numbers.

Parsing is `handoutkit.content.markdown`'s (raw HTML off, only web, mail and phone links);
here citations become superscript links to the reference list, numbered by a `Citer` in
order of first use (AMA), and Markdown headings sit below the template's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token
from markupsafe import Markup, escape

from handoutkit.content.markdown import LANGUAGE_TAG, make_parser, strip_markdown

__all__ = ["Citer", "MarkdownRenderer", "strip_markdown"]


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

    def __init__(self, citer: Citer, heading_offset: int = 2) -> None:
        self.citer = citer
        self.md = make_parser()
        self.md.add_render_rule("citation", self._citation_rule())
        self.md.add_render_rule("foreign", _render_foreign)
        self.md.add_render_rule("heading_open", self._render_heading_open(heading_offset))
        self.md.add_render_rule("heading_close", self._render_heading_close(heading_offset))

    def block(self, text: str) -> Markup:
        return Markup(self.md.render(text))

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
