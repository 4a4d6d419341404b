"""Plain-language lint: reading level, long sentences and jargon, with limits per audience.

The limits come from `reading:` in handoutkit.yaml (`models.ReadingSettings`). Figures come
from `readability`. Every finding is located in the YAML: a long sentence at its first word,
a jargon term at the term itself, and a reading level that is too hard at the hardest
section (its heading, or the field), since that is where an editor should start. The level is
gated for the whole document (target and limit) and, past the limit only, for each section of
at least 30 words (`MIN_SECTION_WORDS`): grades of a few sentences are unreliable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.sourcemap import PathKey, SourceMap
from handoutkit.diagnostics import Diagnostics, Location
from handoutkit.lint.readability import (
    FLESCH_KINCAID,
    SZIGRISZT_PAZOS,
    Measure,
    Reading,
    mask_markup,
    measure,
)
from handoutkit.models import Handout, LexiconEntry, ReadingLimits, walk_text

AUDIENCE_DOCUMENTS = {"patient": "patient handouts", "clinician": "clinician briefs"}
# Fields that are not read as text by the reader (metadata) or that define jargon (terms).
NOT_READ = frozenset(
    {"type", "id", "language", "code", "version", "keywords", "description", "review"}
)
NOT_READ_LEAVES = frozenset({"path", "term", "online_url"})
LEXICON_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_plain_language(
    project: Project, document: SourceDocument, diagnostics: Diagnostics
) -> Reading:
    """Lint one document against its audience's limits; return its figures for the table."""
    limits = project.config.reading.limits(document.model.audience)
    reading = measure(document.model)
    check_reading_level(document, reading, limits, diagnostics)
    check_section_levels(document, reading, limits, diagnostics)
    check_long_sentences(document, reading, limits, diagnostics)
    if limits.jargon:
        check_jargon(project, document, diagnostics)
    return reading


# --------------------------------------------------------------------------- reading level


@dataclass(frozen=True)
class Gate:
    measure: Measure
    target: float | None
    limit: float | None


def gate(reading: Reading, limits: ReadingLimits) -> Gate | None:
    """The reading-level gate for the document's language, or None (not gated)."""
    if reading.gate_measure is FLESCH_KINCAID:
        found = Gate(FLESCH_KINCAID, limits.target_grade, limits.max_grade)
    elif reading.gate_measure is SZIGRISZT_PAZOS:
        found = Gate(SZIGRISZT_PAZOS, limits.target_inflesz, limits.min_inflesz)
    else:
        return None
    return found if (found.target, found.limit) != (None, None) else None


def inflesz_band(score: float) -> str:
    """INFLESZ band of a Szigriszt-Pazos score (Barrio-Cantalejo et al. 2008)."""
    for ceiling, band in ((40, "muy difícil"), (55, "algo difícil"), (65, "normal")):
        if score < ceiling:
            return band
    return "bastante fácil" if score < 80 else "muy fácil"


def check_reading_level(
    document: SourceDocument, reading: Reading, limits: ReadingLimits, diagnostics: Diagnostics
) -> None:
    found = gate(reading, limits)
    score = reading.score(found.measure) if found else None
    if found is None or score is None:
        return

    def harder(a: float, b: float) -> bool:
        return a > b if found.measure.higher_is_harder else a < b

    if found.limit is not None and harder(score, found.limit):
        emit, bound, kind = diagnostics.error, found.limit, "limit"
    elif found.target is not None and harder(score, found.target):
        emit, bound, kind = diagnostics.warning, found.target, "target"
    else:
        return
    audience = AUDIENCE_DOCUMENTS[document.model.audience]
    if found.measure is FLESCH_KINCAID:
        what = f"reading grade {score:.1f} (Flesch-Kincaid, whole document)"
        relation = "above"
    else:
        what = f"INFLESZ score {score:.1f} (Szigriszt-Pazos, whole document: {inflesz_band(score)})"
        relation = "below"
        kind = "minimum" if kind == "limit" else kind
    hardest = reading.hardest_part()
    advice = "use shorter sentences and shorter, everyday words"
    if hardest is not None:
        where = document.source.locate(hardest.loc)
        section_score = hardest.counts.score(found.measure)
        hint = f"hardest section: '{hardest.name}' ({section_score:.1f}); {advice}"
    else:
        where = document.source.locate(("title",))
        hint = advice[0].upper() + advice[1:]
    emit(
        where,
        f"{what} is {relation} the {kind} of {bound:g} for {audience}",
        hint,
        rule="reading-level",
    )


def check_section_levels(
    document: SourceDocument, reading: Reading, limits: ReadingLimits, diagnostics: Diagnostics
) -> None:
    """A section long enough for a reliable figure (30+ words) must be within the limit itself:
    an easy document must not hide one hard section."""
    found = gate(reading, limits)
    if found is None or found.limit is None:
        return
    audience = AUDIENCE_DOCUMENTS[document.model.audience]
    for part in reading.parts:
        score = part.counts.score(found.measure)
        if not part.reliable or score is None:
            continue
        if found.measure is FLESCH_KINCAID and score > found.limit:
            what = f"reads at grade {score:.1f} (Flesch-Kincaid)"
            bound = f"above the limit of {found.limit:g}"
        elif found.measure is SZIGRISZT_PAZOS and score < found.limit:
            what = f"has an INFLESZ score of {score:.1f} ({inflesz_band(score)})"
            bound = f"below the minimum of {found.limit:g}"
        else:
            continue
        diagnostics.error(
            document.source.locate(part.loc),
            f"section '{part.name}' ({part.counts.words} words) {what}, {bound} for {audience}",
            "use shorter sentences and shorter, everyday words in this section",
            rule="section-reading-level",
        )


# --------------------------------------------------------------------------- long sentences


def check_long_sentences(
    document: SourceDocument, reading: Reading, limits: ReadingLimits, diagnostics: Diagnostics
) -> None:
    warn, hard = limits.max_sentence_words, limits.max_sentence_words_error
    if hard is not None and warn is not None:
        hard = max(hard, warn)  # the hard limit is never below the warning's
    lowest = min((n for n in (warn, hard) if n is not None), default=None)
    if lowest is None:
        return
    values = dict(((loc, raw) for loc, raw, _ in walk_text(document.model)))
    for sentence in reading.sentences():
        if sentence.words <= lowest:
            continue
        if sentence.offset is None:
            where = document.source.locate(sentence.loc)
        else:
            where = locate_offset(
                document.source, sentence.loc, values[sentence.loc], sentence.offset
            )
        quoted = f'"{_snippet(sentence.text)}"'
        if hard is not None and sentence.words > hard:
            diagnostics.error(
                where,
                f"sentence of {sentence.words} words is over the limit of {hard}: {quoted}",
                "split it into shorter sentences",
                rule="sentence-limit",
            )
        else:
            diagnostics.warning(
                where,
                f"sentence of {sentence.words} words is longer than {warn}: {quoted}",
                "split it into shorter sentences",
                rule="long-sentence",
            )


def _snippet(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# --------------------------------------------------------------------------- jargon


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[LexiconEntry, ...]
    pattern: re.Pattern[str] | None
    by_form: dict[str, LexiconEntry]

    def find(self, text: str) -> list[tuple[int, int, LexiconEntry]]:
        """(start, end, entry) of every listed term in `text`: whole words, any case/accents."""
        if self.pattern is None:
            return []
        folded = fold(text)
        return [
            (m.start(), m.end(), self.by_form[_spaces(m.group(0))])
            for m in self.pattern.finditer(folded)
        ]


_ACCENTS = str.maketrans("áàâäéèêëíìîïóòôöúùûü", "aaaaeeeeiiiioooouuuu")


def fold(text: str) -> str:
    """Lower case without accents on vowels, keeping every character's offset."""
    lowered = text.lower()
    # Lowering the whole text at once is the same when no character lowers to two (e.g. "İ")
    # and there is no capital sigma, the one letter lowered by its context (final "ς").
    if len(lowered) != len(text) or "Σ" in text:
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_ACCENTS)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@cache
def shipped_entries(language: str) -> tuple[LexiconEntry, ...]:
    """The word list shipped for a language (`lexicon/<language>.yaml`), maybe empty."""
    resource = resources.files("handoutkit.lint").joinpath("lexicon", f"{language}.yaml")
    if not resource.is_file():
        return ()
    # libyaml when there is one: 30 times faster, and the same data for the shipped lists
    # (a test compares the two)
    data = yaml.load(resource.read_text(encoding="utf-8"), Loader=LEXICON_LOADER) or []
    return tuple(LexiconEntry.model_validate(item) for item in data)


def lexicon(language: str, own: tuple[LexiconEntry, ...] = ()) -> Lexicon:
    """handoutkit's word list for a language with a project's `own` words, which come first
    (a project's entry for a word replaces handoutkit's)."""
    return _lexicon(shipped_entries(language), own)


@cache
def _lexicon(shipped: tuple[LexiconEntry, ...], own: tuple[LexiconEntry, ...]) -> Lexicon:
    entries = (*own, *shipped)
    if not entries:
        return Lexicon((), None, {})
    by_form: dict[str, LexiconEntry] = {}
    for entry in entries:
        for form in (entry.term, *entry.forms):
            by_form.setdefault(_spaces(fold(form.strip())), entry)
    alternatives = sorted(by_form, key=len, reverse=True)
    body = "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in alternatives)
    return Lexicon(entries, re.compile(rf"(?<!\w)(?:{body})(?!\w)"), by_form)


def defined_terms(document: SourceDocument, words: Lexicon) -> set[str]:
    """Lexicon terms the document's glossary defines (named in a glossary `term:`)."""
    if not isinstance(document.model, Handout):
        return set()
    return {
        entry.term
        for glossary_entry in document.model.glossary
        for _, _, entry in words.find(glossary_entry.term)
    }


def check_jargon(project: Project, document: SourceDocument, diagnostics: Diagnostics) -> None:
    language = document.model.language
    words = lexicon(language, tuple(project.shared.lexicon.get(language, ())))
    if not words.entries:
        return
    defined = defined_terms(document, words)
    for loc, raw, kind in walk_text(document.model):
        if kind == "citation" or loc[0] in NOT_READ or _leaf(loc) in NOT_READ_LEAVES:
            continue
        text = mask_markup(raw) if kind == "markdown" else raw
        for start, end, entry in words.find(text):
            where = locate_offset(document.source, loc, raw, start)
            if entry.kind == "wordy":
                diagnostics.warning(
                    where,
                    f"'{raw[start:end]}' is a long word for a short one",
                    f'say "{entry.plain}" instead',
                    rule="wordy",
                )
            elif entry.term not in defined:
                diagnostics.warning(
                    where,
                    f"'{raw[start:end]}' is medical jargon",
                    f'say "{entry.plain}" instead, or define it in the glossary',
                    rule="jargon",
                )


def _leaf(loc: PathKey) -> str:
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "")


# --------------------------------------------------------------------------- locating

_WORD_AT = re.compile(r"[^\W_]+")


def locate_offset(source: SourceMap, loc: PathKey, raw: str, offset: int) -> Location:
    """The YAML location of character `offset` of the value at `loc` (its word's first letter).

    The value's text and its YAML source differ in folding and indentation, so the word is
    found again in the source as the same n-th occurrence of the same characters.
    """
    match = _WORD_AT.match(raw, offset)
    needle = match.group(0) if match else raw[offset : offset + 1]
    occurrence, index = 0, raw.find(needle)
    while 0 <= index < offset:
        occurrence += 1
        index = raw.find(needle, index + 1)
    return source.locate_text(loc, needle, occurrence)
