"""Placeholders: text left from `handoutkit new` or the shipped sample that must not print.

- `sample-data`: the organization in handoutkit.yaml is made up (`content.sampledata`). A
  warning (so `check --strict` fails) unless the project declares itself a demonstration with
  `organization: {sample: true}`; always an error in a release build.
- `placeholder`: a document or shared file still holds a placeholder: a REPLACE marker,
  "replace me", a value that starts "Replace with", an example domain, a fictional phone
  number or an "Example Street" address. A warning; an error in a release build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from handoutkit.content.project import Project
from handoutkit.content.sampledata import (
    PHONE_REASON,
    fictional_phone,
    sample_fields,
    sample_reason,
)
from handoutkit.content.sourcemap import PathKey, SourceMap
from handoutkit.diagnostics import Diagnostics, author_path
from handoutkit.resources import CONFIG_NAME

# Markers an author leaves for themselves; "your clinic" is not one here, since handouts
# rightly say "call your clinic".
MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a REPLACE marker", re.compile(r"\bREPLACE\b")),
    ("'replace me'", re.compile(r"\breplace me\b", re.I)),
    ("'Replace with…'", re.compile(r"(?:^|[(\"'])\s*replace with\b", re.I)),
)
# what else gives away sample data in running text (not the organization-name markers)
TEXT_REASONS = ("an example domain", "a sample address", "a fictional phone number")


# every marker and text reason but the phone number holds one of these words: a value without
# them needs only the phone number's check (check reads every value of a project)
_CANDIDATE = re.compile(r"replace|example", re.I)


def placeholder_reason(text: str) -> tuple[str, int] | None:
    """Why `text` is a placeholder, and where in it, or None."""
    if _CANDIDATE.search(text) is None:
        at = fictional_phone(text)
        return None if at is None else (PHONE_REASON, at)
    for reason, pattern in MARKERS:
        match = pattern.search(text)
        if match:
            return reason, match.end() - len(match.group().lstrip("(\"' "))
    found = sample_reason(text)
    if found is not None and found[0].startswith(TEXT_REASONS):
        return found
    return None


def excerpt(text: str, offset: int) -> str:
    """The words around `offset` on its line, to quote in a message."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end >= 0 else len(text)]
    at = offset - start
    left = line.rfind(" ", 0, max(at - 25, 0)) + 1 if at > 30 else 0
    right = line.find(" ", at + 30) if len(line) > at + 35 else -1
    shown = line[left : right if right >= 0 else len(line)].strip().strip("\"'")
    return ("…" if left else "") + shown + ("…" if right >= 0 else "")


def check_placeholders(project: Project, diagnostics: Diagnostics, *, release: bool) -> None:
    report = diagnostics.error if release else diagnostics.warning
    organization = project.config.organization
    if release or not organization.sample:
        for sample in sample_fields(organization):
            report(
                project.config_source.locate(("organization", *sample.field.split("."))),
                f"organization {sample.field} '{sample.value}' is sample data: {sample.reason}",
                f"put your organization's real details in {CONFIG_NAME}"
                + (
                    ": a release build never prints sample data"
                    if release
                    else " (until then every document prints them marked as sample details)"
                ),
                rule="sample-data",
            )
    shared = project.shared
    sources = [document.source for document in project.documents]
    sources += [
        source
        for source in (shared.references_source, shared.crisis_source, shared.disclaimers_source)
        if source is not None
    ]
    for source in sources:
        for loc, text in leaf_values(source):
            found = placeholder_reason(text)
            if found is None:
                continue
            reason, offset = found
            report(
                source.at_offset(source.values[loc].start + offset),
                f"{author_path(loc)} has a placeholder, {reason}: '{excerpt(text, offset)}'",
                "write the real text"
                + (
                    ": a release build never prints placeholders"
                    if release
                    else " before you print (`build --release` refuses placeholders)"
                ),
                rule="placeholder",
            )


def leaf_values(source: SourceMap) -> Iterator[tuple[PathKey, str]]:
    """Each scalar value of a YAML file, as written (quotes and all), with its path."""
    parents = {loc[:-1] for loc in source.values if loc}
    for loc, span in source.values.items():
        if loc and loc not in parents:
            yield loc, source.text[span.start : span.end]
