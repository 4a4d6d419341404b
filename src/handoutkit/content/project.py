"""The loaded project: its configuration, shared data and documents, as every later stage
sees them.

The shared data (crisis resources, disclaimers) is looked up here and only here, so the checks,
the renderer, the cache keys and the rack catalog agree on which block a document prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutkit.content.markdown import cited_keys, find_citations
from handoutkit.content.sourcemap import SourceMap
from handoutkit.diagnostics import Diagnostics
from handoutkit.models import (
    Audience,
    Brief,
    CrisisBlock,
    CrisisLibrary,
    CrisisPlacement,
    CslItem,
    DisclaimerLibrary,
    Document,
    DocumentBase,
    LexiconLibrary,
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
    # ids of library entries that did not validate (their errors are reported): citing one is
    # not a second, "unknown citation" error
    unreadable_references: set[str] = field(default_factory=set)
    crisis: CrisisLibrary = field(default_factory=dict)
    crisis_source: SourceMap | None = None
    disclaimers: DisclaimerLibrary = field(default_factory=dict)
    disclaimers_source: SourceMap | None = None
    lexicon: LexiconLibrary = field(default_factory=dict)  # the project's own words
    lexicon_source: SourceMap | None = None

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
    # documents outside a selection that a selected one refers to (a brief's handouts), by id
    referenced: dict[str, SourceDocument] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    def crisis_for(self, language: str) -> CrisisBlock | None:
        """The crisis block documents in `language` print (this project's region)."""
        return self.shared.crisis.get(self.config.region, {}).get(language)

    def crisis_placement(self, document: DocumentBase) -> CrisisPlacement:
        """Where the document's crisis box goes: its own choice, else the project's."""
        return document.crisis_block or self.config.crisis_block

    def disclaimer_for(self, audience: Audience, language: str) -> str | None:
        """The disclaimer (Markdown) of an audience in a language."""
        return self.shared.disclaimers.get(audience, {}).get(language)

    def document_by_id(self, document_id: str) -> SourceDocument | None:
        """A document of the project by id: loaded, or referred to by a loaded one."""
        for document in self.documents:
            if document.model.id == document_id:
                return document
        return self.referenced.get(document_id)

    def named_documents(self) -> dict[str, SourceDocument]:
        """The documents that documents name by id (a brief's patient handouts), by id: what
        a build worker, which gets the project without its documents, needs to render them."""
        named: dict[str, SourceDocument] = {}
        for document in self.documents:
            if isinstance(document.model, Brief):
                for handout_id in document.model.patient_handouts:
                    found = self.document_by_id(handout_id)
                    if found is not None:
                        named[handout_id] = found
        return named

    def printed_shared_data(
        self, audience: Audience, language: str, cited: set[str]
    ) -> dict[str, Any]:
        """The shared data a document prints, as JSON data: its crisis block and disclaimer,
        and every reference it cites (`cited`, plus those the two blocks cite). Cache keys and
        approvals (`content.approval`) are both taken over it."""
        crisis = self.crisis_for(language)
        disclaimer = self.disclaimer_for(audience, language)
        cited = set(cited)
        if crisis is not None:
            cited |= cited_keys(crisis)
        cited |= {key for use in find_citations(disclaimer or "") for key in use.keys}
        references = {}
        for name in sorted(cited):
            item = self.shared.references.get(name)
            references[name] = item.model_dump(mode="json") if item else None
        return {
            "crisis": crisis.model_dump(mode="json") if crisis else None,
            "disclaimer": disclaimer,
            "references": references,
        }
