"""Citations and links: every source a document cites exists, and every link is safe.

Every factual sentence of a handout or brief cites the reference library (`[@key]`); here the
citations resolve (with a suggestion for a misspelt key), web pages carry the date they were
read, a reference from an unrelated topic pack is questioned, and links go to the web, e-mail or
phone only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from handoutkit.content.markdown import (
    ALLOWED_LINK,
    LANGUAGE_TAG,
    find_citations,
    find_foreign_phrases,
    find_links,
)
from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.sourcemap import SourceMap
from handoutkit.diagnostics import Diagnostics, Location, did_you_mean
from handoutkit.models import Worksheet, walk_text

_WORD = re.compile(r"[^\W\d_]{4,}")
# words too common in health titles to say that a source is about a document's topic
_COMMON = frozenset(
    [
        "about",
        "after",
        "also",
        "among",
        "care",
        "clinical",
        "from",
        "health",
        "into",
        "medical",
        "patient",
        "patients",
        "people",
        "review",
        "study",
        "systematic",
        "their",
        "these",
        "this",
        "trial",
        "treatment",
        "treatments",
        "what",
        "when",
        "with",
        "your",
        "guideline",
        "guidelines",
        "practice",
        "management",
    ]
)


def check_citations(
    project: Project, document: SourceDocument, diagnostics: Diagnostics
) -> set[str]:
    """Every citation must resolve; a document that cites nothing is an error."""
    library = project.shared.references
    source = document.source
    used: set[str] = set()
    for loc, text, kind in walk_text(document.model):
        if kind == "citation":
            used.add(text)
            if text not in library and text not in project.shared.unreadable_references:
                diagnostics.error(
                    source.locate(loc),
                    f"unknown citation '{text}'",
                    _citation_hint(text, library, project),
                    rule="citation",
                )
            continue
        uses = find_citations(text)
        if uses and kind == "text":
            diagnostics.error(
                source.locate_text(loc, uses[0].marker),
                f"citations are not allowed in '{loc[-1]}'",
                "move the citation into a text field such as the section body",
                rule="citation",
            )
            continue
        seen: Counter[str] = Counter()
        for use in uses:
            for key in use.keys:
                used.add(key)
                where = source.locate_text(loc, "@" + key, seen[key])
                seen[key] += 1
                if key not in library and key not in project.shared.unreadable_references:
                    diagnostics.error(
                        where,
                        f"unknown citation '@{key}'",
                        _citation_hint(key, library, project),
                        rule="citation",
                    )
        if kind == "markdown":
            check_links(source, loc, text, diagnostics)
            check_foreign_phrases(source, loc, text, document.model.language, diagnostics)
    # a worksheet is a tool to fill in: one that states no facts has none to source (its
    # reference list says so); a figure or comparison in it is a claim all the same
    if not used and not isinstance(document.model, Worksheet):
        diagnostics.error(
            Location(source.path, 1, 1),
            "this document cites no references",
            "cite the sources of its facts with [@key] from the reference library",
            rule="citation",
        )
    return used


def check_links(
    source: SourceMap, loc: tuple[str | int, ...], text: str, diagnostics: Diagnostics
) -> None:
    """Links in Markdown go to the web, e-mail or phone only (no javascript:, file:, data:)."""
    for href in find_links(text):
        if not ALLOWED_LINK.match(href.strip()):
            diagnostics.error(
                source.locate_text(loc, href),
                f"link target '{href}' is not allowed",
                "link only to https://, http://, mailto: or tel: addresses",
                rule="link",
            )


def check_foreign_phrases(
    source: SourceMap,
    loc: tuple[str | int, ...],
    text: str,
    language: str,
    diagnostics: Diagnostics,
) -> None:
    """`[phrase]{lang=tag}` names a well-formed language tag other than the document's."""
    for found in find_foreign_phrases(text):
        where = source.locate_text(loc, found.marker)
        if not LANGUAGE_TAG.match(found.lang):
            diagnostics.error(
                where,
                f"'{found.lang}' is not a language tag",
                "write the phrase's language as a BCP 47 tag, e.g. [DBT]{lang=en} or {lang=pt-BR}",
                rule="foreign-phrase",
            )
        elif found.lang.split("-")[0].lower() == language.split("-")[0].lower():
            diagnostics.warning(
                where,
                f"'{found.phrase}' is marked as {found.lang}, the document's own language",
                "mark only phrases in another language; remove the {lang=…} mark",
                rule="foreign-phrase",
            )


def check_shared_links(project: Project, diagnostics: Diagnostics) -> None:
    """The links in the crisis resources and disclaimers, which every document prints."""
    shared = project.shared
    if shared.crisis_source is not None:
        for region, blocks in shared.crisis.items():
            for language, block in blocks.items():
                for loc, text, kind in walk_text(block, (region, language)):
                    if kind == "markdown":
                        check_links(shared.crisis_source, loc, text, diagnostics)
    if shared.disclaimers_source is not None:
        for audience, texts in shared.disclaimers.items():
            for language, text in texts.items():
                check_links(shared.disclaimers_source, (audience, language), text, diagnostics)


def _citation_hint(key: str, library: Mapping[str, object], project: Project) -> str:
    suggestion = did_you_mean(key, library) if library else ""
    where = f"add an entry with id '{key}' to {project.config.references}"
    if suggestion.startswith("did you mean"):
        return f"{suggestion} Otherwise {where}"
    return where


def check_uncited_references(
    project: Project, cited: Counter[str], diagnostics: Diagnostics
) -> None:
    source = project.shared.references_source
    if source is None:
        return
    for index, key in enumerate(project.shared.references):
        if key not in cited:
            diagnostics.warning(
                source.locate((index, "id")),
                f"reference '{key}' is not cited by any document",
                "cite it with [@" + key + "] or remove it from the library",
                rule="uncited-reference",
            )


def check_references(project: Project, diagnostics: Diagnostics) -> None:
    """A web page's content changes: AMA style (and a reader checking it) needs the date it
    was read."""
    source = project.shared.references_source
    if source is None:
        return
    for index, item in enumerate(project.shared.references.values()):
        if item.type == "webpage" and item.URL and item.accessed is None:
            diagnostics.warning(
                source.locate((index, "URL")),
                f"web page '{item.id}' has no accessed date",
                "add the day you read it, e.g. `accessed: {date-parts: [[2026, 12, 1]]}`",
                rule="reference-accessed",
            )


def check_citation_topics(
    project: Project, citing: dict[str, set[str]], diagnostics: Diagnostics
) -> None:
    """A reference that is another topic pack's own source (cited by several documents of one
    other topic, by no other topic and by no other document of this one), and shares no word
    with this document's title and keywords, was probably borrowed to satisfy the citation
    rule. A source cited across topics is general (a guideline, say) and is not questioned."""
    citers: dict[str, dict[str, int]] = {}  # reference → topic → documents citing it
    for document in project.documents:
        for key in citing.get(document.shown, ()):
            by_topic = citers.setdefault(key, {})
            by_topic[document.topic] = by_topic.get(document.topic, 0) + 1
    library = project.shared.references
    for document in project.documents:
        words = _words(" ".join([document.model.title, *document.model.keywords]))
        for key in sorted(citing.get(document.shown, ())):
            by_topic = citers.get(key, {})
            others = {t: n for t, n in by_topic.items() if t != document.topic}
            if by_topic.get(document.topic) != 1 or len(others) != 1 or key not in library:
                continue
            if next(iter(others.values())) < 2:  # one document each: whose source is it?
                continue
            if words & _words(library[key].title):
                continue
            diagnostics.warning(
                document.source.locate_text(*_first_use(document, key)),
                f"'{key}' is a source of topic '{sorted(others)[0]}', and its title shares no "
                "word with this document's title or keywords",
                "cite a source about this topic (add it to the reference library)",
                rule="citation-topic",
            )


def _words(text: str) -> set[str]:
    return {w for w in (m.casefold() for m in _WORD.findall(text)) if w not in _COMMON}


def _first_use(document: SourceDocument, key: str) -> tuple[tuple[str | int, ...], str]:
    for loc, text, kind in walk_text(document.model):
        if kind == "citation" and text == key:
            return loc, text
        if kind == "markdown" and f"@{key}" in text:
            return loc, f"@{key}"
    return (), ""
