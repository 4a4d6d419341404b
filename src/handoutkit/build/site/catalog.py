"""What the site shows: its documents and collections, from the build's manifest entries and
the document models.

The site is driven by the manifest: every entry with a `document` belongs to that document's
page (whatever its format: the HTML editions become the document's pages, every other file is
listed for download, e.g. PDFs or a future fillable PDF), and every other entry belongs to a
collection page per kind and language (e.g. a rack pack, with its Letter and A4 files). So a new
kind of document or a new output format gets its pages without a change here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from handoutkit.build.site.status import APPROVED, review_status
from handoutkit.content.project import Project, SourceDocument

PAGE_FORMAT = "html"  # an HTML edition becomes a page of the site; other formats are files


@dataclass(frozen=True)
class SiteFile:
    """One output the site carries, at the same path as in the output folder."""

    name: str  # e.g. ketamine-bpd/handout.en.large-print.letter.pdf
    fmt: str
    edition: str
    paper: str | None
    language: str
    pages: int
    size: int


@dataclass
class SiteDocument:
    source: SourceDocument
    status: str
    files: list[SiteFile]  # its HTML editions first, then the rest, in the configured order

    @property
    def model(self) -> Any:
        return self.source.model

    @property
    def editions(self) -> list[SiteFile]:
        """Its HTML editions: each is a page of the site."""
        return [f for f in self.files if f.fmt == PAGE_FORMAT]

    @property
    def downloads(self) -> list[SiteFile]:
        return [f for f in self.files if f.fmt != PAGE_FORMAT]

    @property
    def pages(self) -> list[str]:
        """Its pages: one per HTML edition, or one page of its own when it has none."""
        source = self.source
        return [f.name for f in self.editions] or [f"{source.topic}/{source.stem}.html"]

    @property
    def page(self) -> str:
        return self.pages[0]

    def page_of(self, edition: str) -> str:
        return next((f.name for f in self.editions if f.edition == edition), self.page)


@dataclass
class SiteCollection:
    """Outputs made of many documents (a rack pack): one page per kind and language."""

    kind: str
    language: str
    title: str
    files: list[SiteFile]
    members: list[str]  # document ids, in order
    left_out: list[str]
    review_due: str | None

    @property
    def page(self) -> str:
        folder = posixpath.dirname(self.files[0].name)
        return posixpath.join(folder, f"{self.kind}.{self.language}.html")


@dataclass
class Catalog:
    documents: list[SiteDocument]
    collections: list[SiteCollection]
    left_out: list[str] = field(default_factory=list)  # ids of documents not approved
    include_drafts: bool = False

    @property
    def files(self) -> list[SiteFile]:
        found = [f for d in self.documents for f in d.files]
        return found + [f for c in self.collections for f in c.files]

    def document(self, document_id: str) -> SiteDocument | None:
        return next((d for d in self.documents if d.model.id == document_id), None)


def make_catalog(
    project: Project, entries: Iterable[dict[str, Any]], *, include_drafts: bool
) -> Catalog:
    """The documents (approved ones, or all with `include_drafts`) and collections of `entries`
    (manifest entries of outputs that exist)."""
    config = project.config
    order = _order(config.editions, config.paper_sizes)
    by_shown = {d.shown: d for d in project.documents}
    files: dict[str, list[SiteFile]] = {}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in entries:
        site_file = SiteFile(
            entry["path"],
            entry["format"],
            entry.get("edition") or "",
            entry.get("paper"),
            entry.get("language") or "",
            int(entry.get("pages") or 0),
            int(entry.get("bytes") or 0),
        )
        if entry.get("document") in by_shown:
            files.setdefault(entry["document"], []).append(site_file)
        elif "document" not in entry:
            grouped.setdefault((entry.get("kind") or entry["format"], site_file.language), [])
            grouped[(entry.get("kind") or entry["format"], site_file.language)].append(entry)
    documents, left_out = [], []
    for shown, found in files.items():
        source = by_shown[shown]
        status = review_status(project, source)
        if status != APPROVED and not include_drafts:
            left_out.append(source.model.id)
            continue
        documents.append(SiteDocument(source, status, sorted(found, key=order)))
    documents.sort(key=lambda d: (d.source.topic, d.model.title.casefold(), d.model.id))
    listed = {d.model.id for d in documents}
    collections = []
    for (kind, language), group in sorted(grouped.items()):
        members = list(dict.fromkeys(m for e in group for m in e.get("members", [])))
        if any(m not in listed for m in members):
            continue  # it prints a document the site leaves out (a draft)
        group_files = [
            SiteFile(
                e["path"],
                e["format"],
                e.get("edition") or "",
                e.get("paper"),
                language,
                int(e.get("pages") or 0),
                int(e.get("bytes") or 0),
            )
            for e in group
        ]
        dues = [e["review_due"] for e in group if e.get("review_due")]
        collections.append(
            SiteCollection(
                kind,
                language,
                str(group[0].get("title") or kind),
                sorted(group_files, key=order),
                members,
                sorted({m for e in group for m in e.get("left_out", [])}),
                min(dues) if dues else None,
            )
        )
    return Catalog(documents, collections, sorted(left_out), include_drafts)


def _order(editions: Sequence[str], papers: Sequence[str]) -> Any:
    def key(site_file: SiteFile) -> tuple[int, str, int, int, str]:
        edition = editions.index(site_file.edition) if site_file.edition in editions else 99
        paper = papers.index(site_file.paper) if site_file.paper in papers else 99
        first = 0 if site_file.fmt == PAGE_FORMAT else 1
        return first, site_file.fmt if first else "", edition, paper, site_file.name

    return key
