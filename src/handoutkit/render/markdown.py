"""CommonMark for content fields, with pandoc-style citations `[@key]` / `[@a; @b]`.

Raw HTML is disabled (content is untrusted text, escaped on output), images in Markdown are
disabled (images come from the `images:` field with required alt text) and only web, mail and
phone links are kept. Citations become superscript numbers, placed after adjacent punctuation
as AMA style requires, numbered by a `Citer` in order of first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup

CITATION = re.compile(
    r"\[(@[A-Za-z0-9_][A-Za-z0-9_:.-]*(?:\s*;\s*@[A-Za-z0-9_][A-Za-z0-9_:.-]*)*)\]"
)
_CITATION_WITH_SPACE = re.compile(r"[ \t]*" + CITATION.pattern)
ALLOWED_LINK = re.compile(r"^(https?://|mailto:|tel:|#)", re.IGNORECASE)
# Every link needs one of these: "[text](target)", a reference definition "[label]: target"
# (without which "[text]" is no link) or an autolink "<scheme:...>". Text without any of them
# has no links, and most content fields are such text, so `find_links` need not parse them.
_MAY_LINK = re.compile(r"\]\(|\]:|<")


@dataclass(frozen=True)
class CitationUse:
    keys: tuple[str, ...]
    marker: str  # the text as written, e.g. "[@a; @b]", to locate it in the source
    offset: int


def find_citations(text: str) -> list[CitationUse]:
    """Every citation marker in a Markdown string, in order."""
    return [
        CitationUse(
            tuple(key.strip().lstrip("@") for key in match.group(1).split(";")),
            match.group(0),
            match.start(),
        )
        for match in CITATION.finditer(text)
    ]


def find_links(text: str) -> list[str]:
    """Link targets as the Markdown parser sees them (to refuse javascript:, file:, ...)."""
    if not _MAY_LINK.search(text):
        return []
    hrefs: list[str] = []
    for token in _PERMISSIVE_PARSER.parse(text):
        for child in token.children or []:
            if child.type == "link_open":
                hrefs.append(str(child.attrGet("href") or ""))
    return hrefs


@dataclass
class Citer:
    """Numbers references in order of first citation (AMA) and remembers the order."""

    order: list[str] = field(default_factory=list)

    def number(self, key: str) -> int:
        if key not in self.order:
            self.order.append(key)
        return self.order.index(key) + 1

    def superscript(self, keys: Sequence[str]) -> Markup:
        numbers = sorted({self.number(key) for key in keys})
        links = [Markup('<a href="#ref-{0}">{0}</a>').format(n) for n in numbers]
        # a word joiner keeps the number on the line of the word or punctuation it follows
        return (
            Markup('\u2060<sup class="cite">')
            + Markup(",").join(_compress(numbers, links))
            + Markup("</sup>")
        )


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


# --------------------------------------------------------------------------- parser


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[" or not state.src.startswith("[@", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"keys": [k.strip().lstrip("@") for k in match.group(1).split(";")]}
    state.pos = match.end()
    return True


def _punctuation_before_citations(state: object) -> None:
    """'text [@a].' -> 'text.' + superscript, as AMA places citations after periods/commas.

    Whitespace or a line break between the word and the citation is dropped, so the number
    sits against the word (or the punctuation moved in front of it).
    """
    for block in state.tokens:  # type: ignore[attr-defined]
        children = block.children or []
        position = 0
        while position < len(children):
            i, position = position, position + 1
            if children[i].type != "citation":
                continue
            while i > 0 and children[i - 1].type in ("softbreak", "hardbreak"):
                del children[i - 1]
                i -= 1
                position -= 1
            before = children[i - 1] if i > 0 and children[i - 1].type == "text" else None
            if before is not None:
                before.content = before.content.rstrip()
            after = children[i + 1] if i + 1 < len(children) else None
            if after is not None and after.type == "text" and after.content[:1] in ".,;:":
                punctuation, after.content = after.content[0], after.content[1:]
                if before is not None:
                    before.content += punctuation
                else:
                    marker = Token("text", "", 0)
                    marker.content = punctuation
                    children.insert(i, marker)
                    position += 1


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_inline", "html_block"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.core.ruler.push("citation_punctuation", _punctuation_before_citations)
    md.validateLink = lambda url: bool(ALLOWED_LINK.match(url.strip()))  # type: ignore[method-assign]
    return md


_PARSER = _make_parser()
_PERMISSIVE_PARSER = _make_parser()
_PERMISSIVE_PARSER.validateLink = lambda url: True  # type: ignore[method-assign]


class MarkdownRenderer:
    """Renders content Markdown to safe HTML, numbering citations with the given Citer."""

    def __init__(self, citer: Citer, heading_offset: int = 2) -> None:
        self.citer = citer
        self.md = _make_parser()
        self.md.add_render_rule("citation", self._citation_rule())
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
            return str(citer.superscript(tokens[idx].meta["keys"]))

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


@lru_cache(maxsize=1024)  # the reading level, then the translation check, strip each field
def strip_markdown(text: str) -> str:
    """Reader-visible prose of a Markdown string (for reading-level checks and metadata)."""
    text = _CITATION_WITH_SPACE.sub("", text)
    out: list[str] = []
    for token in _PARSER.parse(text):
        if token.type == "inline":
            out.append(
                "".join(
                    " " if child.type in ("softbreak", "hardbreak") else child.content
                    for child in token.children or []
                    if child.type in ("text", "code_inline", "softbreak", "hardbreak")
                )
            )
        elif token.type in ("code_block", "fence"):
            out.append(token.content)
    return "\n".join(part.strip() for part in out if part.strip())
