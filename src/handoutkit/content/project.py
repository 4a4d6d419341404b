"""The loaded project: its configuration, shared data and documents, as every later stage
sees them.

The shared data (crisis resources, disclaimers) is looked up here and only here, so the checks,
the renderer, the cache keys and the rack catalog agree on which block a document prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handoutkit.content.yamlsource import SourceMap
from handoutkit.diagnostics import Diagnostics
from handoutkit.models import (
    Audience,
    CrisisBlock,
    CrisisLibrary,
    CslItem,
    DisclaimerLibrary,
    Document,
    ProjectConfig,
)
from handoutkit.names import document_stem


@dataclass
class SourceDocument:
    """A document model together with where it came from."""

    model: Document
    path: Path
    topic: str
    source: SourceMap

    @property
    def stem(self) -> str:
        """Output name stem, e.g. 'handout.en' for content/ketamine-bpd/handout.en.yaml."""
        return document_stem(self.path.name)

    @property
    def shown(self) -> str:
        return self.source.path


@dataclass
class Shared:
    """Data every document draws on: references, crisis resources, disclaimers."""

    references: dict[str, CslItem] = field(default_factory=dict)
    references_source: SourceMap | None = None
    crisis: CrisisLibrary = field(default_factory=dict)
    crisis_source: SourceMap | None = None
    disclaimers: DisclaimerLibrary = field(default_factory=dict)
    disclaimers_source: SourceMap | None = None

    def reference_loc(self, key: str) -> tuple[int] | None:
        """Where the reference `key` is in the library file: `(index,)` of its list item."""
        source = self.references_source
        if source is None:
            return None
        index = 0
        while (index,) in source.values:
            span = source.values.get((index, "id"))
            if span is not None and source.text[span.start : span.end].strip("'\" ") == key:
                return (index,)
            index += 1
        return None


@dataclass
class Project:
    root: Path
    config: ProjectConfig
    config_source: SourceMap
    shared: Shared
    documents: list[SourceDocument]
    diagnostics: Diagnostics
    # documents found but not loaded (their problems are theirs alone, not the project's)
    unloaded: list[str] = field(default_factory=list)

    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    def crisis_for(self, language: str) -> CrisisBlock | None:
        """The crisis block documents in `language` print (this project's region)."""
        return self.shared.crisis.get(self.config.region, {}).get(language)

    def disclaimer_for(self, audience: Audience, language: str) -> str | None:
        """The disclaimer (Markdown) of an audience in a language."""
        return self.shared.disclaimers.get(audience, {}).get(language)
