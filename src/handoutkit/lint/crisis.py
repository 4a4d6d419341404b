"""Crisis block placement: a mental-health document keeps its crisis resources on page 1.

`crisis_block: compact` (project or document) moves the crisis box to the end, for topics such
as telehealth or diabetes where a large suicide-crisis box on page 1 is out of place. On a
document about mental health that would hide the crisis lines from the reader who needs them
most: `crisis-prominence` warns, naming the words that make it one (lexicon/mental-health.yaml).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from handoutkit.content.project import Project, SourceDocument
from handoutkit.diagnostics import Diagnostics, author_path
from handoutkit.lint.plainlanguage import fold
from handoutkit.models import walk_text
from handoutkit.resources import CONFIG_NAME

# where a document says what it is about (not "When to get help now", which names crises
# on any topic)
TOPIC_FIELDS = {"title", "subtitle", "description", "keywords", "main_message", "sections"}
TOPIC_FIELDS |= {"bottom_line", "clinical_question", "key_points", "context"}


@cache
def mental_health_words(language: str) -> re.Pattern[str] | None:
    """A pattern of the words that make a text about mental health, or None."""
    resource = resources.files("handoutkit.lint").joinpath("lexicon", "mental-health.yaml")
    words = (yaml.safe_load(resource.read_text(encoding="utf-8")) or {}).get(language) or []
    if not words:
        return None
    alternatives = sorted(
        (
            re.escape(fold(word.rstrip("*"))).replace(r"\ ", r"\s+")
            + (r"\w*" if word.endswith("*") else "")
            for word in words
        ),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def check_crisis_placement(
    project: Project, document: SourceDocument, diagnostics: Diagnostics
) -> None:
    model = document.model
    if project.crisis_placement(model) != "compact":
        return
    pattern = mental_health_words(model.language)
    if pattern is None:
        return
    for loc, text, _kind in walk_text(model):
        if loc[0] not in TOPIC_FIELDS:
            continue
        match = pattern.search(fold(text))
        if match is None:
            continue
        word = text[match.start() : match.end()]
        if model.crisis_block is not None:
            where, setting = document.source.locate(("crisis_block",)), "its crisis_block"
        else:
            where = project.config_source.locate(("crisis_block",))
            setting = f"crisis_block in {CONFIG_NAME}"
        diagnostics.warning(
            where,
            f"{document.shown} is about mental health ('{word}' in {author_path(loc)}), but "
            f"{setting} is compact: its crisis lines would not be on page 1",
            "keep the crisis block prominent for mental-health topics: set "
            "`crisis_block: prominent` in this document",
            rule="crisis-prominence",
        )
        return
