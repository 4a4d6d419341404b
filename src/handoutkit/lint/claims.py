"""Claims discipline: figures and comparisons cite their source, and no hype.

- `claim-citation`: a sentence with a number, a percentage or a comparison ("better than",
  "twice", "más que") is a claim and must carry a citation in the same sentence: a warning in
  patient handouts, an error in clinician briefs. Checked in Markdown fields, where a citation
  can go, except the brief's tables, whose rows carry their citations in `citations:` and
  `citation:`. Questions, and claims in quotation marks (mentions), are not claims. What only
  looks like a figure is left alone: dates and years, phone numbers and the crisis numbers
  (988, 911, 741741, 838255), list numbering, "press 1", ages in eligibility ("18 or older"),
  times of day; the language's own phrases are in `lexicon/claims.<language>.yaml`.
- `hype`: promotional words (breakthrough, miracle, cure, game-changer, revolutionary, ...)
  from `lexicon/hype.<language>.yaml`, each with a plain suggestion; some only without a
  citation in the sentence ("proven", an unqualified "safe"), some not in phrases where they
  are fine ("no cure", "feel safe"). Words in quotation marks are mentions, not claims.

Both are located at the word (line:column in the YAML). The text is read as the reader sees it,
with citation markers and link targets blanked and Markdown marks ignored, at the same offsets
as the YAML value, so every finding maps back to its place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from handoutkit.content.markdown import CITATION
from handoutkit.content.project import SourceDocument
from handoutkit.diagnostics import Diagnostics
from handoutkit.lint.plainlanguage import (
    LEXICON_LOADER,
    NOT_READ,
    NOT_READ_LEAVES,
    fold,
    locate_offset,
)
from handoutkit.lint.readability import TABLE_FIELDS, mask_markup, sentence_spans
from handoutkit.models import walk_text

_DIGITS = r"\d+(?:[.,]\d+)*"
# Language-neutral: never claims. Years (a four-digit number from 1900 to 2099 is read as a
# year), dates, phone numbers, the US crisis numbers, and list numbering at a line's start.
NEUTRAL_NOT_CLAIMS = (
    r"(?<![\d.,])(?:19|20)\d\d(?![\d.,]*\d)(?!\s*(?:%|por\s+ciento|percent|per\s+cent))",
    r"\b\d{4}-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    r"(?<!\d)(?:1[\s.-])?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)|(?<![\d-])\d{3}-\d{4}(?!\d)",
    r"(?<![\d.,])(?:988|911|711|211|741741|838255)(?![\d.,]*\d)",
    r"(?:^|(?<=\n))[ \t]*\d+[.)](?=\s)",
)
_SOFT_BREAK = re.compile(r"\n(?![ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t]|#|>|$))")
_MARKS = str.maketrans({"*": " ", "_": " ", "`": " ", "’": "'"})
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|«[^»\n]*»|‘[^’\n]*’')


# --------------------------------------------------------------------------- language data


class ClaimsData(BaseModel):
    """`lexicon/claims.<language>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number_words: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    comparisons: tuple[str, ...] = ()
    not_claims: tuple[str, ...] = ()


class HypeEntry(BaseModel):
    """One entry of `lexicon/hype.<language>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1)
    forms: tuple[str, ...] = ()
    plain: str = Field(min_length=1)
    unless_cited: bool = False
    except_: tuple[str, ...] = Field(default=(), alias="except")


@dataclass(frozen=True)
class ClaimRules:
    number: re.Pattern[str]
    comparison: re.Pattern[str] | None
    not_claims: re.Pattern[str]


@dataclass(frozen=True)
class Hype:
    entries: tuple[HypeEntry, ...]
    pattern: re.Pattern[str] | None  # every form, on folded text
    by_form: dict[str, HypeEntry]
    exceptions: dict[str, re.Pattern[str]]  # term -> where it is fine


def _data(name: str) -> Any:
    resource = resources.files("handoutkit.lint").joinpath("lexicon", name)
    if not resource.is_file():
        return None
    return yaml.load(resource.read_text(encoding="utf-8"), Loader=LEXICON_LOADER)


def _alternatives(words: tuple[str, ...]) -> str:
    """One of `words` (longest first; a space matches any run of spaces), behind a lookahead
    of their first letters, which spares the regex engine trying every word at every place."""
    if not words:
        return "(?!)"
    ordered = sorted(words, key=len, reverse=True)
    firsts = "".join(sorted({re.escape(w[0]) for w in words}))
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
    return f"(?=[{firsts}])(?:{body})"


@cache
def claim_rules(language: str) -> ClaimRules:
    """The compiled claim patterns of a language (numbers only, if it has no data file)."""
    data = ClaimsData.model_validate(_data(f"claims.{language}.yaml") or {})
    # all is matched on lower-case text (`_lower`), much faster than IGNORECASE: the words are
    # lowered here, and the data's patterns are written in lower case
    words = _alternatives(tuple(w.lower() for w in data.number_words))
    number_text = rf"(?:{_DIGITS}|{words})"
    months = _alternatives(tuple(m.lower() for m in data.months))

    def expand(pattern: str) -> str:
        return pattern.replace("{n}", number_text).replace("{month}", months)

    # digits, but not inside a name such as COVID-19 or B12
    number = re.compile(rf"(?<![\w.,])(?<![^\W\d_]-){_DIGITS}(?:\s*%)?(?!\d)|\b{words}\b")
    comparison = (
        re.compile("|".join(f"(?:{expand(p)})" for p in data.comparisons))
        if data.comparisons
        else None
    )
    not_claims = "|".join(f"(?:{expand(p)})" for p in (*NEUTRAL_NOT_CLAIMS, *data.not_claims))
    return ClaimRules(number, comparison, re.compile(not_claims))


@cache
def hype_lexicon(language: str) -> Hype:
    """The hype words of a language (none, if it has no data file)."""
    entries = tuple(HypeEntry.model_validate(item) for item in _data(f"hype.{language}.yaml") or [])
    by_form: dict[str, HypeEntry] = {}
    for entry in entries:
        for form in (entry.term, *entry.forms):
            by_form.setdefault(re.sub(r"\s+", " ", fold(form.strip())), entry)
    pattern = None
    if by_form:
        body = _alternatives(tuple(by_form))
        pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
    exceptions = {
        entry.term: re.compile("|".join(f"(?:{p})" for p in entry.except_))
        for entry in entries
        if entry.except_
    }
    return Hype(entries, pattern, by_form, exceptions)


# --------------------------------------------------------------------------- the checks


def reader_text(raw: str, markdown: bool) -> str:
    """The value as the reader sees it, at the same offsets: citations and link targets
    blanked, Markdown marks ignored, lines of a paragraph joined (each paragraph and list item
    stays a line of its own)."""
    text = mask_markup(raw) if markdown else raw
    return _SOFT_BREAK.sub(" ", text.translate(_MARKS))


def check_claims(document: SourceDocument, diagnostics: Diagnostics) -> None:
    """`claim-citation` and `hype` findings of one document."""
    model = document.model
    rules = claim_rules(model.language)
    hype = hype_lexicon(model.language)
    emit = diagnostics.warning if model.audience == "patient" else diagnostics.error
    for loc, raw, kind in walk_text(model):
        if kind == "citation" or loc[0] in NOT_READ or _leaf(loc) in NOT_READ_LEAVES:
            continue
        markdown = kind == "markdown"
        in_table = loc[0] in TABLE_FIELDS  # rows carry their citations in their own fields
        text = reader_text(raw, markdown)
        claims = find_claims(rules, text) if markdown and not in_table else []
        hyped = find_hype(hype, text)
        if not claims and not hyped:  # most fields: no sentence needs to be looked at
            continue
        spans = list(sentence_spans(text))
        ends = [start for start, _ in spans[1:]] + [len(text)]
        for (start, end), until in zip(spans, ends, strict=True):
            if _is_question(text[start:end]):
                continue
            cited = in_table or bool(markdown and CITATION.search(raw, start, until))
            claim = next((c for c in claims if start <= c[0] < end), None)
            if claim is not None and not cited:
                offset, what = claim
                emit(
                    locate_offset(document.source, loc, raw, offset),
                    f'sentence with {what} cites no source: "{_snippet(text[start:end])}"',
                    "cite its source in the sentence with [@key], or say it without the "
                    "figure or comparison",
                    rule="claim-citation",
                )
            for offset, stop, entry in hyped:
                if not start <= offset < end or (entry.unless_cited and cited):
                    continue
                word = raw[offset:stop]
                message = (
                    f"'{word}' without a citation oversells"
                    if entry.unless_cited
                    else f"'{word}' is hype: it oversells"
                )
                diagnostics.warning(
                    locate_offset(document.source, loc, raw, offset),
                    message,
                    entry.plain,
                    rule="hype",
                )


# A phrase that is not a claim starts at most this many characters before the figure it spares
# ("adults aged 18 to 65") and ends at most this many after it.
_SPARED_BEFORE, _SPARED_AFTER = 60, 40


def find_claims(rules: ClaimRules, text: str) -> list[tuple[int, str]]:
    """(offset, what) of each figure and comparison in `text`, in order, but not those in a
    phrase that only looks like one (`rules.not_claims`, looked for around each of them), nor
    in quotation marks (a claim quoted is a mention, e.g. one patients may bring)."""
    lowered = _lower(text)
    found = [(m.start(), m.end()) for m in rules.number.finditer(lowered)]
    compared = [] if rules.comparison is None else list(rules.comparison.finditer(lowered))
    found += [m.span() for m in compared]
    if not found:
        return []
    spared = [m.span() for m in _QUOTED.finditer(text)]
    for low, high in _windows(sorted(found), len(lowered)):
        spared += [m.span() for m in rules.not_claims.finditer(lowered, low, high)]
    claims = []
    for start, end in sorted(found):
        if _inside((start, end), spared):
            continue
        token = _one_line(text[start:end])
        is_comparison = any(m.start() == start and m.end() == end for m in compared)
        claims.append((start, f"a comparison ('{token}')" if is_comparison else _figure(token)))
    return claims


def _windows(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The stretches of text around `spans` (sorted) where a sparing phrase may be, merged."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        low, high = max(0, start - _SPARED_BEFORE), min(length, end + _SPARED_AFTER)
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _lower(text: str) -> str:
    """Lower case at the same offsets (a letter that lowers to two is kept as it is)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _figure(token: str) -> str:
    percent = "%" in token or "cent" in token.lower()
    return f"{'a percentage' if percent else 'a figure'} ('{token}')"


def find_hype(hype: Hype, text: str) -> list[tuple[int, int, HypeEntry]]:
    """(start, end, entry) of each hype word in `text`, but not where its entry's exceptions
    allow it, nor in quotation marks."""
    if hype.pattern is None:
        return []
    folded = fold(text)
    found = []
    quoted: list[tuple[int, int]] | None = None
    for match in hype.pattern.finditer(folded):
        entry = hype.by_form[re.sub(r"\s+", " ", match.group(0))]
        if quoted is None:
            quoted = [m.span() for m in _QUOTED.finditer(text)]
        if _inside(match.span(), quoted):
            continue
        exceptions = hype.exceptions.get(entry.term)
        if exceptions is not None:
            allowed = [m.span() for m in exceptions.finditer(folded)]
            if _inside(match.span(), allowed):
                continue
        found.append((match.start(), match.end(), entry))
    return found


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _is_question(sentence: str) -> bool:
    return sentence.rstrip(" \"'”»)").endswith("?")


def _leaf(loc: tuple[str | int, ...]) -> str:
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _snippet(text: str, words: int = 10) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
