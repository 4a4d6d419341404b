"""Claims discipline: figures and comparisons cite their source, and no hype.

- `claim-citation`: a sentence with a number, a percentage or a comparison ("better than",
  "twice", "más que") is a claim and must carry a citation in the same sentence: a warning in
  patient handouts, an error in clinician briefs. Checked in Markdown fields, where a citation
  can go, except the brief's tables, whose rows carry their citations in `citations:` and
  `citation:`. Questions are not claims. What only looks like a figure is left alone: dates
  and years, phone numbers and the crisis numbers (988, 911, 741741, 838255), list numbering,
  "press 1", ages in eligibility ("18 or older"), times of day; the language's own phrases
  are in `lexicon/claims.<language>.yaml`.
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
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) or "(?!)"


@cache
def claim_rules(language: str) -> ClaimRules:
    """The compiled claim patterns of a language (numbers only, if it has no data file)."""
    data = ClaimsData.model_validate(_data(f"claims.{language}.yaml") or {})
    words = _alternatives(data.number_words)
    number_text = rf"(?:{_DIGITS}|(?:{words}))"
    months = _alternatives(data.months)

    def expand(pattern: str) -> str:
        return pattern.replace("{n}", number_text).replace("{month}", f"(?:{months})")

    # digits, but not inside a name such as COVID-19 or B12
    number = re.compile(
        rf"(?<![\w.,])(?<![^\W\d_]-){_DIGITS}(?:\s*%)?(?!\d)|\b(?:{words})\b", re.IGNORECASE
    )
    comparison = (
        re.compile("|".join(f"(?:{expand(p)})" for p in data.comparisons), re.IGNORECASE)
        if data.comparisons
        else None
    )
    not_claims = "|".join(f"(?:{expand(p)})" for p in (*NEUTRAL_NOT_CLAIMS, *data.not_claims))
    return ClaimRules(number, comparison, re.compile(not_claims, re.IGNORECASE))


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
        spans = list(sentence_spans(text))
        ends = [start for start, _ in spans[1:]] + [len(text)]
        quoted = [m.span() for m in _QUOTED.finditer(text)]
        spared = [m.span() for m in rules.not_claims.finditer(text)] if markdown else []
        for (start, end), until in zip(spans, ends, strict=True):
            if _is_question(text[start:end]):
                continue
            cited = in_table or bool(markdown and CITATION.search(raw, start, until))
            if markdown and not in_table and not cited:
                claim = find_claim(rules, text, start, end, spared)
                if claim is not None:
                    offset, what = claim
                    emit(
                        locate_offset(document.source, loc, raw, offset),
                        f'sentence with {what} cites no source: "{_snippet(text[start:end])}"',
                        "cite its source in the sentence with [@key], or say it without the "
                        "figure or comparison",
                        rule="claim-citation",
                    )
            for offset, stop, entry in find_hype(hype, text, start, end, quoted):
                if entry.unless_cited and cited:
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


def find_claim(
    rules: ClaimRules, text: str, start: int, end: int, spared: list[tuple[int, int]]
) -> tuple[int, str] | None:
    """(offset, what) of the first figure or comparison in text[start:end] that is not in a
    phrase that only looks like one (`spared`: the spans of `rules.not_claims`), or None."""
    found: list[tuple[int, str]] = []
    for match in rules.number.finditer(text, start, end):
        if not _inside(match.span(), spared):
            token = match.group(0)
            percent = "%" in token or "cent" in token.lower()
            what = "a percentage" if percent else "a figure"
            found.append((match.start(), f"{what} ('{_one_line(token)}')"))
            break
    if rules.comparison is not None:
        for match in rules.comparison.finditer(text, start, end):
            if not _inside(match.span(), spared):
                found.append((match.start(), f"a comparison ('{_one_line(match.group(0))}')"))
                break
    return min(found) if found else None


def find_hype(
    hype: Hype, text: str, start: int, end: int, quoted: list[tuple[int, int]]
) -> list[tuple[int, int, HypeEntry]]:
    """(start, end, entry) of each hype word in text[start:end], but not where its entry's
    exceptions allow it, nor in quotation marks."""
    if hype.pattern is None:
        return []
    folded = fold(text)
    found = []
    for match in hype.pattern.finditer(folded, start, end):
        entry = hype.by_form[re.sub(r"\s+", " ", match.group(0))]
        if _inside(match.span(), quoted):
            continue
        exceptions = hype.exceptions.get(entry.term)
        if exceptions is not None:
            allowed = [m.span() for m in exceptions.finditer(folded, start, end)]
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
