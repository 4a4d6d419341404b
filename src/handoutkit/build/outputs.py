"""What a build makes: the output-spec interface shared by every kind of output.

An output is a document printed in one edition on one paper size (`DocumentOutput`, PDF), its
HTML edition (`DocumentOutput` without paper), a worksheet's PDF form (`DocumentOutput` of
format `fillable`: the same pages with form fields to type in), a rack pack of many handouts
(`build.rack.RackSpec`), or the library site of all of them (`SiteSpec`, see `build.site`).
The build, the manifest, the report and the replay of no-op builds see every output through
`OutputSpec`: its name and path in the output folder, its format, edition, paper and language,
and its content-addressed cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from handoutkit.content.project import SourceDocument
from handoutkit.names import SITE_FOLDER, output_path

if TYPE_CHECKING:
    from handoutkit.build.keys import Inputs

FORMATS = ("pdf", "html", "rack", "fillable", "site")
SITE_NEEDS = ("pdf", "html", "rack", "fillable")  # what the site links to: built in the same run


class OutputSpec(Protocol):
    """One output of a build."""

    @property
    def fmt(self) -> str: ...
    @property
    def edition(self) -> str: ...
    @property
    def paper(self) -> str | None: ...  # None for the HTML edition
    @property
    def language(self) -> str: ...
    @property
    def relative_path(self) -> Path: ...  # inside the output folder
    @property
    def name(self) -> str: ...  # the relative path as text: the output's name everywhere
    def cache_key(self, inputs: Inputs) -> str: ...


@dataclass(frozen=True)
class DocumentOutput:
    """A document in one edition: on one paper size (PDF), or its HTML edition."""

    document: SourceDocument
    edition: str
    paper: str | None  # None for the HTML edition, which has no paper size
    fmt: str = "pdf"

    @property
    def language(self) -> str:
        return self.document.model.language

    @property
    def relative_path(self) -> Path:
        """ketamine-bpd/handout.en.standard.letter.pdf, or ketamine-bpd/handout.en.standard.html."""
        document = self.document
        return Path(output_path(document.topic, document.stem, self.edition, self.paper, self.fmt))

    @property
    def name(self) -> str:
        return self.relative_path.as_posix()

    def cache_key(self, inputs: Inputs) -> str:
        return inputs.output_key(self.document, self.fmt, self.edition, self.paper)


@dataclass(frozen=True)
class SiteSpec:
    """The library site (`<out>/site/`): made last, from the other outputs of the same build."""

    include_drafts: bool = False  # list documents that are not approved (with a banner)
    fmt: str = "site"
    edition: str = ""
    paper: str | None = None
    language: str = ""  # every language
    # what the site holds, as its build narrowed it (empty: everything), kept in the manifest
    # so that a later build that brings the site up to date keeps it so
    only_languages: tuple[str, ...] = ()
    only_editions: tuple[str, ...] = ()
    only_papers: tuple[str, ...] = ()

    @property
    def relative_path(self) -> Path:
        return Path(SITE_FOLDER, "index.html")

    @property
    def name(self) -> str:
        return self.relative_path.as_posix()

    def cache_key(self, inputs: Inputs) -> str:
        return ""  # made again by every build that asks for it (unchanged files are kept)

    def holds(self, entry: dict[str, Any]) -> bool:
        """Whether the site carries the output of this manifest entry."""
        if entry.get("format") not in SITE_NEEDS:
            return False
        return not (
            (self.only_languages and entry.get("language") not in self.only_languages)
            or (self.only_editions and entry.get("edition") not in self.only_editions)
            or (self.only_papers and entry.get("paper") not in (None, *self.only_papers))
        )


@dataclass(frozen=True)
class Selection:
    """Which part of the matrix to build; empty means everything configured."""

    languages: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("pdf",)
    shard: tuple[int, int] | None = None  # (k, n): the k-th of n shares, 1-based
    include_drafts: bool = False  # the site lists documents that are not approved
    # keep the output folder true to the project (see `build.drift`): report outputs without a
    # source, rebuild the out-of-date outputs of other formats of what is built; the preview,
    # which builds its formats one after the other into its own folder, does not
    tidy: bool = True
    prune: bool = False  # delete the outputs without a source
