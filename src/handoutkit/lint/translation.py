"""Untranslated content in a translated document is an error.

Two signs, both cheap and with few false alarms:
- a field with the same text as the same field of the English document of the topic (a
  copy that was never translated);
- a field of running text whose common function words are English rather than the
  document's language ("the", "and", "of" … against "el", "la", "de" …).
Names, codes and short labels are left alone: only fields of at least `MIN_WORDS` words count.
"""

from __future__ import annotations

import re

from handoutkit.content.markdown import strip_markdown
from handoutkit.content.project import Project, SourceDocument
from handoutkit.diagnostics import Diagnostics
from handoutkit.models import walk_text

MIN_WORDS = 6
NOT_TRANSLATED = frozenset({"type", "id", "language", "code", "version", "review", "path"})
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
        if len(words) < MIN_WORDS:
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
