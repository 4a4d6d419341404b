"""AMA (11th edition) reference list entries for CSL items, as safe HTML or plain text.

A reference is built once as a flat list of styled segments (plain, italic, link) and then
rendered; HTML and text output therefore cannot drift apart. Every rule that decides *what*
is printed lives in `reference_segments`; the renderers only decide *how*.

Missing fields are omitted, never guessed, and punctuation is added per element so a gap
never leaves doubled punctuation (". ." or ";;").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from markupsafe import Markup

from handoutkit.models import CslDate, CslItem, CslName

Style = Literal["plain", "italic", "link"]

MAX_AUTHORS = 6
"""AMA: list all authors up to 6; with more, list the first 3 followed by "et al"."""
AUTHORS_BEFORE_ET_AL = 3

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_TERMINAL = (".", "?", "!")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_SAFE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_INITIALS_AS_GIVEN = re.compile(r"^[A-Z]{2,3}$")


@dataclass(frozen=True, slots=True)
class Segment:
    """One run of reference text; `href` is set only for links."""

    text: str
    style: Style = "plain"
    href: str | None = None


@dataclass(frozen=True, slots=True)
class _Element:
    """One AMA element ("Title.", "Journal.", "2023;48(7):991-999.").

    `close` adds the element's period only if its text does not already end in terminal
    punctuation, which is what keeps "et al." or "Why?" from gaining a second mark.
    """

    segments: tuple[Segment, ...]
    close: bool = True


# --------------------------------------------------------------------------- public API


def format_reference_html(item: CslItem) -> Markup:
    """One reference as HTML; every field is escaped, so untrusted data cannot inject markup."""
    return Markup("").join(_segment_html(segment) for segment in reference_segments(item))


def format_reference_text(item: CslItem) -> str:
    """The same reference as plain text (italics dropped, links shown as their text)."""
    return "".join(segment.text for segment in reference_segments(item))


def reference_segments(item: CslItem) -> list[Segment]:
    """The styled segments of one AMA reference: the single source for every output format."""
    builder = {
        "article-journal": _journal_article,
        "book": _book,
        "webpage": _webpage,
    }.get(item.type, _report)
    return _join(builder(item))


# --------------------------------------------------------------------------- per type


def _journal_article(item: CslItem) -> list[_Element | None]:
    """Authors. Title. Journal. Year;Vol(Issue):Pages. doi:DOI. PMID: N"""
    journal = item.container_title_short or item.container_title
    return [
        *_authors(item.author, item.author_list_incomplete),
        _title(item, italic=False),
        _element(Segment(journal, "italic") if journal else None),
        _element(_plain(_journal_location(item))),
        *_links(item),
    ]


def _book(item: CslItem) -> list[_Element | None]:
    """Authors. Title. Edition. Publisher; Year. doi/URL (AMA 11 omits the place)."""
    return [
        *_authors(item.author, item.author_list_incomplete),
        _title(item, italic=True),
        _element(_plain(_edition(item.edition))),
        _element(_plain(_publisher_year(item))),
        *_links(item),
    ]


def _report(item: CslItem) -> list[_Element | None]:
    """Authors. Title. Genre Number. Publisher; Year. URL/doi; also used for unknown types."""
    return [
        *_authors(item.author, item.author_list_incomplete),
        _title(item, italic=True),
        _element(_plain(_genre_number(item.genre, item.number))),
        _element(_plain(_publisher_year(item))),
        *_links(item),
    ]


def _webpage(item: CslItem) -> list[_Element | None]:
    """Authors. Title. Site. Published Year. Accessed Month D, YYYY. URL"""
    year = _year(item.issued)
    return [
        *_authors(item.author, item.author_list_incomplete),
        _title(item, italic=False),
        _element(_plain(item.container_title)),
        _element(_plain(f"Published {year}" if year else None)),
        *_links(item),
    ]


def short_source(item: CslItem) -> str:
    """Who and when, for a citation link's description: "Fineberg 2023" (the first author's
    family name, or the publishing body, and the year)."""
    names = item.author or item.editor
    who = (names[0].family or names[0].literal) if names else None
    who = who or item.container_title_short or item.publisher or item.title
    year = _year(item.issued)
    return f"{who} {year}" if year else str(who)


# --------------------------------------------------------------------------- elements


def _authors(names: Sequence[CslName], incomplete: bool = False) -> list[_Element]:
    """AMA author list; more than 6 names become the first 3 and "et al".

    `incomplete` marks a list known to be cut short (the source said "et al."): it is never
    printed as if complete, so it is treated as longer than 6 names.
    """
    if not names:
        return []
    truncated = incomplete or len(names) > MAX_AUTHORS
    shown = names[:AUTHORS_BEFORE_ET_AL] if truncated else names
    text = ", ".join(_author_name(name) for name in shown)
    if truncated:
        text += ", et al."
    return [_Element((Segment(text),))]


def _author_name(name: CslName) -> str:
    """People as "Family Initials Suffix"; organizations (literal) print exactly as given."""
    if name.literal and not name.family:
        return name.literal
    parts = [name.family or "", _initials(name.given or ""), name.suffix or ""]
    return " ".join(part for part in parts if part)


def _initials(given: str) -> str:
    """AMA initials: no periods or spaces, hyphens kept ("Jean-Paul" -> "J-P").

    A token of 2-3 capitals ("SK", as PubMed exports store initials) is taken as initials
    already, so "SK" stays "SK" instead of collapsing to "S".
    """
    words: list[str] = []
    for token in given.split():
        if _INITIALS_AS_GIVEN.match(token):
            words.append(token)
            continue
        pieces = [_piece_initials(piece) for piece in token.split("-")]
        words.append("-".join(piece for piece in pieces if piece))
    return "".join(words)


def _piece_initials(piece: str) -> str:
    """Initials of one hyphen-free piece; "S.K." -> "SK", "Kathryn" -> "K"."""
    out = []
    for part in piece.split("."):
        letter = next((char for char in part if char.isalpha()), "")
        out.append(letter.upper())
    return "".join(out)


def _title(item: CslItem, *, italic: bool) -> _Element:
    """The title as given (no case conversion); unverified titles go in [brackets]."""
    style: Style = "italic" if italic else "plain"
    if not item.title_is_descriptive:
        return _Element((Segment(item.title, style),))
    title = item.title.rstrip(".").rstrip()  # "[Title.]." would double the period
    return _Element((Segment("["), Segment(title, style), Segment("]")))


def _journal_location(item: CslItem) -> str | None:
    """Year;Vol(Issue):Pages, degrading to the parts that exist ("2025", "2020:CD012955")."""
    text = str(_year(item.issued) or "")
    volume, issue = _clean(item.volume), _clean(item.issue)
    location = (volume or "") + (f"({issue})" if issue else "")
    if location:
        text += (";" if text else "") + location
    if item.page:
        text += (":" if text else "") + item.page
    return text or None


def _edition(edition: str | int | None) -> str | None:
    """From 2 or "2" make "2nd ed."; text editions keep their wording. AMA omits a 1st ed."""
    value = _clean(edition)
    if not value:
        return None
    if value.isdigit():
        number = int(value)
        return None if number <= 1 else f"{_ordinal(number)} ed."
    if re.search(r"\bed(?:\.|ition)?$", value, re.IGNORECASE):
        return value
    return f"{value} ed."


def _ordinal(number: int) -> str:
    """English ordinal: 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _genre_number(genre: str | None, number: str | None) -> str | None:
    """Genre plus number ("Clinical guideline CG78"), not repeating a number already in genre."""
    if genre and number and number not in genre:
        return f"{genre} {number}"
    return genre or number


def _publisher_year(item: CslItem) -> str | None:
    """Publisher; Year, or whichever of the two exists."""
    year = _year(item.issued)
    parts = [item.publisher, str(year) if year else None]
    return "; ".join(part for part in parts if part) or None


def _links(item: CslItem) -> list[_Element]:
    """The closing elements: DOI (preferred) or access date + URL, then PMID.

    AMA puts no period after a final DOI or URL, so only non-final elements are closed.
    The access date is printed only with a URL: AMA does not need one for DOIs.
    """
    tail: list[Segment] = []
    doi = _DOI_PREFIX.sub("", item.DOI).strip() if item.DOI else ""
    accessed: str | None = None
    if doi:
        href = "https://doi.org/" + quote(doi, safe="/:;()[]@!$&'*+,=-._~")
        tail.append(Segment(f"doi:{doi}", "link", href))
    elif item.URL:
        accessed = _accessed(item.accessed)
        # Only http(s) becomes a link, so a "javascript:" URL can never be clicked.
        style: Style = "link" if _SAFE_URL.match(item.URL) else "plain"
        tail.append(Segment(item.URL, style, item.URL if style == "link" else None))
    elif item.type == "webpage":
        accessed = _accessed(item.accessed)
    pmid = _clean(item.PMID)
    if pmid:
        tail.append(Segment(f"PMID: {pmid}"))
    elements = [_Element((Segment(accessed),))] if accessed else []
    elements += [
        _Element((segment,), close=index < len(tail) - 1) for index, segment in enumerate(tail)
    ]
    return elements


def _accessed(date: CslDate | None) -> str | None:
    """Accessed November 23, 2026 (English), or with as much of the date as is known."""
    if date is None or not date.date_parts[0]:
        return None
    parts = date.date_parts[0]
    year = parts[0]
    month = _MONTHS[parts[1] - 1] if len(parts) > 1 and 1 <= parts[1] <= 12 else None
    if month is None:
        return f"Accessed {year}"
    if len(parts) > 2:
        return f"Accessed {month} {parts[2]}, {year}"
    return f"Accessed {month} {year}"


# --------------------------------------------------------------------------- helpers


def _year(date: CslDate | None) -> int | None:
    """Year only, from date-parts[0][0]: AMA journal and book references need nothing more."""
    return date.year if date else None


def _clean(value: str | int | None) -> str | None:
    """A volume/issue/PMID-like field as stripped text, or None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _plain(text: str | None) -> Segment | None:
    return Segment(text) if text else None


def _element(segment: Segment | None) -> _Element | None:
    return _Element((segment,)) if segment else None


def _join(elements: Iterable[_Element | None]) -> list[Segment]:
    """Elements separated by one space, each closed by "." unless it already ends a sentence."""
    out: list[Segment] = []
    for element in elements:
        if element is None:
            continue
        segments = [segment for segment in element.segments if segment.text]
        if not segments:
            continue
        if out:
            out.append(Segment(" "))
        out.extend(segments)
        if element.close and not segments[-1].text.endswith(_TERMINAL):
            out.append(Segment("."))
    return _merge_plain(out)


def _merge_plain(segments: list[Segment]) -> list[Segment]:
    """Merge neighbouring plain segments so consumers see "Title. " not five tiny runs."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and segment.style == "plain" and merged[-1].style == "plain":
            merged[-1] = Segment(merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def _segment_html(segment: Segment) -> Markup:
    """Escape one segment; links contain text only, never nested elements."""
    if segment.style == "italic":
        return Markup("<i>{}</i>").format(segment.text)
    if segment.style == "link" and segment.href:
        return Markup('<a href="{}">{}</a>').format(segment.href, segment.text)
    return Markup.escape(segment.text)
