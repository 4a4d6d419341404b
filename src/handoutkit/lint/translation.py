"""Untranslated content in a translated document is an error.

Two signs, both cheap and with few false alarms:
- a field with the same text as the same field of the English document of the topic (a
  copy that was never translated);
- a field of running text whose common function words are English rather than the
  document's language ("the", "and", "of" … against "el", "la", "de" …).
- a short line (under `MIN_WORDS` words, e.g. "Log in 10 minutes early.") whose words are all
  English dictionary words (the CMU Pronouncing Dictionary the reading level already uses)
  and that has no mark of the document's language (its function words, accents, ñ, ¿ ¡).
Names, codes and one-word labels are left alone.
"""

from __future__ import annotations

import re

from handoutkit.content.markdown import strip_markdown
from handoutkit.content.project import Project, SourceDocument
from handoutkit.diagnostics import Diagnostics
from handoutkit.models import walk_text

MIN_WORDS = 6
NOT_TRANSLATED = frozenset(
    {"type", "id", "language", "code", "version", "review", "path", "kind", "icon", "icons"}
)  # names of things (an icon, a kind of figure), not text to translate
FUNCTION_WORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "is",
            "are",
            "you",
            "your",
            "with",
            "for",
            "that",
            "this",
            "it",
            "be",
            "or",
            "not",
            "can",
            "in",
            "on",
            "at",
            "by",
            "from",
            "what",
            "when",
            "how",
            "who",
            "if",
            "has",
            "have",
            "was",
            "were",
            "will",
            "do",
            "does",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "que",
            "y",
            "en",
            "un",
            "una",
            "es",
            "son",
            "su",
            "sus",
            "con",
            "para",
            "por",
            "no",
            "se",
            "lo",
            "al",
            "como",
            "qué",
            "cuándo",
            "cómo",
            "usted",
            "le",
            "si",
            "más",
            "pero",
            "muy",
        ]
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


def check_translation(project: Project, document: SourceDocument, diagnostics: Diagnostics) -> None:
    model = document.model
    language = model.language
    if language == "en" or language not in FUNCTION_WORDS:
        return
    english = _english_sibling(project, document)
    english_texts = dict(_fields(english)) if english is not None else {}
    for loc, text in _fields(document):
        words = _WORD.findall(strip_markdown(text).lower())
        if len(words) < 2:
            continue
        if english_texts.get(loc) == text:
            assert english is not None
            diagnostics.error(
                document.source.locate(loc),
                f"this text is the same as in {english.shown}: it has not been translated",
                f"translate it into the document's language ({language})",
                rule="untranslated",
            )
            continue
        if len(words) < MIN_WORDS:
            if _short_and_english(words, language):
                diagnostics.error(
                    document.source.locate(loc),
                    f"this line reads as English, not {language}: '{strip_markdown(text)}'",
                    f"translate it into the document's language ({language})",
                    rule="untranslated",
                )
            continue
        ours = sum(word in FUNCTION_WORDS[language] for word in words)
        theirs = sum(word in FUNCTION_WORDS["en"] for word in words)
        if theirs >= 3 and theirs > 2 * ours:
            diagnostics.error(
                document.source.locate(loc),
                f"this text reads as English, not {language}: "
                f"'{' '.join(strip_markdown(text).split()[:8])} …'",
                f"translate it into the document's language ({language})",
                rule="untranslated",
            )


_NOT_ENGLISH_LETTERS = re.compile("[áéíóúüñ¿¡àèìòùâêîôûçãõ]")


def _short_and_english(words: list[str], language: str) -> bool:
    """Three to five words, every one an English word and none a mark of `language`."""
    from handoutkit.lint.syllables import bundled_cmudict

    if len(words) < 3 or any(_NOT_ENGLISH_LETTERS.search(word) for word in words):
        return False
    if any(word in FUNCTION_WORDS[language] for word in words):
        return False
    english = bundled_cmudict()
    return all(word in english for word in words)


def _fields(document: SourceDocument) -> list[tuple[tuple[str | int, ...], str]]:
    return [
        (loc, text)
        for loc, text, kind in walk_text(document.model)
        if kind != "citation" and not NOT_TRANSLATED.intersection(str(part) for part in loc)
    ]


def _english_sibling(project: Project, document: SourceDocument) -> SourceDocument | None:
    for other in project.documents:
        model = other.model
        if (
            other.topic == document.topic
            and model.type == document.model.type
            and model.language == "en"
        ):
            return other
    return None
