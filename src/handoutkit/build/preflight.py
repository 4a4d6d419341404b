"""What the print preflight found, located in the content: `path:line:col` diagnostics.

The print stage (`pdf.preflight`) reports each finding with its page and the `data-field` of
the element it is in: the model path of the field the element shows (`sections.2.body`), or of
the shared data it prints (`crisis:us.en.resources.0`, `references:smith2020`,
`config:organization.name`). Here that path is turned into a location in the document's YAML
file or in the shared data file, at the text the finding names when the field holds it, and
the message names the output (document, edition and paper) and the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.sourcemap import SourceMap
from handoutkit.diagnostics import Diagnostic, Location, Severity
from handoutkit.names import parse_field_path
from handoutkit.pdf.preflight import Finding

_TOKEN = re.compile(r"[^\s…'\"()]{4,}")


def located_findings(
    findings: Iterable[Finding],
    output: str,
    project: Project,
    document: SourceDocument | None,
    shown: str,
) -> list[Diagnostic]:
    """Diagnostics for the findings on `output` (its name in the output folder); `shown` is
    where a finding no field or text leads to (the document, or the catalog template)."""
    return [
        Diagnostic(
            locate_finding(finding, project, document, shown),
            Severity(finding.severity),
            f"{output}, page {finding.page}: {finding.message}",
            finding.hint,
            finding.rule,
        )
        for finding in findings
    ]


def locate_finding(
    finding: Finding, project: Project, document: SourceDocument | None, shown: str
) -> Location:
    """Where a finding's field (and the text it names, when the field holds it) is."""
    if finding.field:
        source, loc = _source_of(finding.field, project, document)
        if source is not None and loc is not None:
            return _at_text(source, loc, finding.text) or source.locate(loc)
    if finding.text:  # page furniture: the first place the text is written
        sources = [document.source] if document is not None else []
        shared = project.shared
        sources += [
            s
            for s in (shared.crisis_source, shared.disclaimers_source, project.config_source)
            if s is not None
        ]
        for source in sources:
            offset = source.text.find(finding.text)
            if offset >= 0:
                return source.at_offset(offset)
    return Location(shown)


def _source_of(
    field: str, project: Project, document: SourceDocument | None
) -> tuple[SourceMap | None, tuple[str | int, ...] | None]:
    kind, loc = parse_field_path(field)
    shared = project.shared
    if kind == "document":
        return (document.source if document is not None else None), loc
    if kind == "crisis":
        return shared.crisis_source, loc
    if kind == "disclaimers":
        return shared.disclaimers_source, loc
    if kind == "references":
        return shared.references_source, shared.reference_loc(str(loc[0])) if loc else None
    return project.config_source, loc


def _at_text(source: SourceMap, loc: tuple[str | int, ...], text: str) -> Location | None:
    """The text (a character, or the longest word of an excerpt) inside the field's value."""
    span = source.values.get(tuple(loc))
    if span is None or not text:
        return None
    written = source.text[span.start : span.end]
    if len(text) == 1:
        needle = text
    else:
        words = _TOKEN.findall(text)
        needle = max(words, key=len)[:30] if words else ""
    offset = written.find(needle) if needle else -1
    return source.at_offset(span.start + offset) if offset >= 0 else None
