"""Content Markdown: CommonMark with pandoc-style citations `[@key]` / `[@a; @b]` and
foreign phrases `[DBT]{lang=en}` (a phrase in another language than the document's, which the
HTML and the PDF mark with its language so screen readers pronounce it right).

The syntax every stage reads the same way: the parser (raw HTML and Markdown images disabled,
only web, mail and phone links kept), where citations and links are (for the checks), and the
prose a reader sees (for the reading level). Turning it into HTML is the renderer's
(`handoutkit.render.markdown`). Citations are moved after adjacent punctuation, as AMA style
requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from pydantic import BaseModel

from handoutkit.models import walk_text

CITATION = re.compile(
    r"\[(@[A-Za-z0-9_][A-Za-z0-9_:.-]*(?:\s*;\s*@[A-Za-z0-9_][A-Za-z0-9_:.-]*)*)\]"
)
_CITATION_WITH_SPACE = re.compile(r"[ \t]*" + CITATION.pattern)
FOREIGN = re.compile(r"\[([^\[\]\n]+)\]\{lang=([^}\s]*)\}")
"""A foreign phrase: `[phrase]{lang=tag}`."""
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
"""A BCP 47 language tag as documents use them: en, es, pt-BR, zh-Hant."""
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


@dataclass(frozen=True)
class ForeignPhrase:
    phrase: str
    lang: str
    marker: str  # as written, e.g. "[DBT]{lang=en}", to locate it in the source


def find_foreign_phrases(text: str) -> list[ForeignPhrase]:
    """Every foreign phrase marked in a Markdown string, in order."""
    if "]{lang=" not in text:
        return []
    return [ForeignPhrase(m.group(1), m.group(2), m.group(0)) for m in FOREIGN.finditer(text)]


def _foreign_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = FOREIGN.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("foreign", "", 0)
        token.content = match.group(1)
        token.meta = {"lang": match.group(2)}
    state.pos = match.end()
    return True


def cited_keys(model: BaseModel) -> set[str]:
    """Reference keys cited anywhere in a model's text (Markdown and citation fields)."""
    keys: set[str] = set()
    for _loc, text, kind in walk_text(model):
        if kind == "citation":
            keys.add(text)
        elif kind == "markdown":
            keys.update(key for use in find_citations(text) for key in use.keys)
    return keys


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


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_inline", "html_block"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("link", "foreign", _foreign_rule)
    md.core.ruler.push("citation_punctuation", _punctuation_before_citations)
    md.validateLink = lambda url: bool(ALLOWED_LINK.match(url.strip()))  # type: ignore[method-assign]
    return md


_PARSER = make_parser()
_PERMISSIVE_PARSER = make_parser()
_PERMISSIVE_PARSER.validateLink = lambda url: True  # type: ignore[method-assign]


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
                    if child.type in ("text", "code_inline", "softbreak", "hardbreak", "foreign")
                )
            )
        elif token.type in ("code_block", "fence"):
            out.append(token.content)
    return "\n".join(part.strip() for part in out if part.strip())
