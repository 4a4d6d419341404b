"""Keeping the output folder true to the project: outputs without a source, and outputs of
other formats that a build of one format would leave saying something else.

**Outputs without a source.** A file of the output folder named as handoutkit names outputs
(`<topic>/<kind>.<language>.<edition>[.<paper>].<pdf|html>`, `rack/rack.<language>.<paper>.pdf`,
with a known edition and paper size) that the project no longer makes (its document was
deleted or renamed; its language, edition, paper size or rack pack is no longer configured) is
an orphan: a clinic printing from the folder could print a withdrawn handout. What the project
makes is decided from the document files' names and the configuration, without loading them,
so a document with errors still has a source and its earlier output stays. Orphans are one
warning at the configuration (`orphan-output`, which `--strict` turns into a failure);
`build --prune` deletes them: only those files, only inside the output folder, and only when
it holds a manifest (else it is not known to be handoutkit's). Other files (a note someone
put there) are neither reported nor touched; the site's folder is the site's own (it deletes
what it no longer holds when it is made again). The manifest never lists an output whose
source is gone, and records each output's source fingerprint (`source`, `sources`).

**Formats consistent.** A build that makes a document's outputs also rebuilds, in the same
run, its other outputs already in the folder (other formats, editions and paper sizes) that
are out of date (`companions`), the rack packs there that hold it (when the whole project is
built) and the site made there before (`Tidy.site_to_remake`). What it cannot rebuild (a rack
pack or the site when documents are named, the site under `--shard`) is a warning
(`stale-output`) with the command that brings it up to date.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from handoutkit.build.fingerprint import file_matches
from handoutkit.build.manifest import read_manifest, write_manifest
from handoutkit.build.outputs import DocumentOutput, OutputSpec, Selection, SiteSpec
from handoutkit.build.plan import plan
from handoutkit.build.rack import EDITION as RACK_EDITION
from handoutkit.build.rack import KIND as RACK_KIND
from handoutkit.build.rack import plan_racks
from handoutkit.content.loader import discover_documents
from handoutkit.diagnostics import Diagnostic, Location, Severity, display_path
from handoutkit.errors import ContentError, UsageError
from handoutkit.fields import Edition, Paper
from handoutkit.fileio import locked
from handoutkit.names import (
    LANGUAGE,
    MANIFEST,
    NAME,
    RACK_FOLDER,
    SITE_FOLDER,
    STEM,
    document_stem,
    output_path,
    rack_path,
)

if TYPE_CHECKING:
    from handoutkit.build.keys import Inputs
    from handoutkit.build.report import OutputResult
    from handoutkit.content.project import Project, SourceDocument

_EDITIONS = "|".join(re.escape(e) for e in get_args(Edition))
_PAPERS = "|".join(re.escape(p) for p in get_args(Paper))
DOCUMENT_OUTPUT = re.compile(
    rf"^{NAME}/{STEM}\.(?:{_EDITIONS})(?:\.(?:{_PAPERS})\.pdf|\.html)$"
)  # ketamine-bpd/handout.en.standard.letter.pdf, ketamine-bpd/handout.en.standard.html
RACK_OUTPUT = re.compile(rf"^{RACK_FOLDER}/rack\.{LANGUAGE}\.(?:{_PAPERS})\.pdf$")
SITE_INDEX = SiteSpec().name


def named_as_output(name: str) -> bool:
    """Whether `name` (relative to the output folder) is named as handoutkit names outputs."""
    return bool(DOCUMENT_OUTPUT.match(name) or RACK_OUTPUT.match(name))


def source_names(project: Project) -> set[str]:
    """Every output name the project makes (in any format), from its document files' names and
    its configuration: what has a source."""
    config = project.config
    names: set[str] = set()
    rack_languages: set[str] = set()
    for path in discover_documents(project.root, config, ()):
        stem = document_stem(path.name)
        kind, language = stem.split(".")
        if language not in config.languages:
            continue
        if kind == RACK_KIND:
            rack_languages.add(language)
        for edition in config.editions:
            names.add(output_path(path.parent.name, stem, edition, None, "html"))
            for paper in config.paper_sizes:
                names.add(output_path(path.parent.name, stem, edition, paper, "pdf"))
    if RACK_EDITION in config.editions:
        names.update(
            rack_path(lang, paper) for lang in rack_languages for paper in config.paper_sizes
        )
    return names


def find_orphans(out_dir: Path, sources: set[str]) -> list[str]:
    """Files of the output folder named as outputs that have no source, by name. Outputs sit
    one folder deep; the site's folder and folders that are symbolic links are not searched."""
    found: list[str] = []
    try:
        folders = sorted(p for p in out_dir.iterdir() if p.name != SITE_FOLDER)
    except OSError:
        return found
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            files = sorted(folder.iterdir())
        except OSError:
            continue
        for path in files:
            name = f"{folder.name}/{path.name}"
            is_file = path.is_symlink() or path.is_file()
            if is_file and named_as_output(name) and name not in sources:
                found.append(name)
    return found


def forget_sourceless(out_dir: Path, sources: set[str]) -> list[str]:
    """Drop from the manifest the outputs whose source is gone; their names."""
    if not (out_dir / MANIFEST).is_file():
        return []
    with locked(out_dir):
        entries = read_manifest(out_dir)
        gone = [name for name in entries if named_as_output(name) and name not in sources]
        if gone:
            write_manifest(out_dir, [e for name, e in entries.items() if name not in gone])
    return gone


def prune(out_dir: Path, orphans: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """Delete the orphans (files, or symbolic links, never what they lead to) and the folders
    they leave empty: the names removed, and an error for each that could not be. Refused (a
    usage error) when the folder has no manifest."""
    if not orphans:
        return [], []
    if not (out_dir / MANIFEST).is_file():
        raise UsageError(
            f"--prune: {display_path(out_dir)} has no {MANIFEST}, so it is not known to be a "
            "handoutkit output folder: nothing was removed — check --out, or build into it once"
        )
    root = out_dir.resolve()
    removed: list[str] = []
    problems: list[Diagnostic] = []
    for name in orphans:
        folder, _slash, file_name = name.partition("/")
        path = root / folder / file_name
        if path.parent.is_symlink() or path.parent.resolve().parent != root:
            continue  # never outside the output folder
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(
                Diagnostic.error_at(
                    Location(display_path(out_dir / name)),
                    f"--prune: cannot remove it: {exc.strerror or exc}",
                    "check that the output folder is writable, or remove the file by hand",
                    rule="output",
                )
            )
            continue
        removed.append(name)
    for folder in sorted({name.partition("/")[0] for name in removed}):
        with contextlib.suppress(OSError):
            (root / folder).rmdir()  # only when it is empty now
    return removed, problems


def orphan_warning(project: Project, out_dir: Path, orphans: list[str]) -> Diagnostic:
    shown = display_path(out_dir)
    count = len(orphans)
    files = "file" if count == 1 else "files"
    return Diagnostic(
        project.config_source.locate(("output",), key=True),
        Severity.WARNING,
        f"{count} {files} in {shown}/ {'has' if count == 1 else 'have'} no source any more "
        "(a document deleted or renamed, or a language, edition, paper size or rack pack no "
        "longer configured), and could still be printed or published: " + ", ".join(orphans),
        f"remove {'it' if count == 1 else 'them'} with `handoutkit build --prune` (only these "
        f"{files} are removed), or move out of {shown}/ what you still need",
        rule="orphan-output",
    )


def up_to_date(
    out_dir: Path,
    spec: OutputSpec,
    key: str,
    entry: dict[str, Any] | None,
    *,
    thorough: bool = True,
) -> bool:
    """Whether the output's file is the one the manifest records, made with this key (not
    `thorough`: of its size, without reading it, for outputs this build was not asked for:
    whether one was altered by hand is for a build of its own format to find)."""
    if entry is None or entry.get("key") != key:
        return False
    path = out_dir / spec.relative_path
    if thorough:
        return file_matches(path, entry["bytes"], entry["sha256"])
    try:
        return bool(path.stat().st_size == entry["bytes"])
    except OSError:
        return False


def companions(
    project: Project,
    specs: list[OutputSpec],
    previous: dict[str, dict[str, Any]],
    inputs: Inputs,
    out_dir: Path,
    blocked: Iterable[str],
    *,
    planned: Iterable[OutputSpec] = (),
    site: SiteSpec | None = None,
    whole_project: bool,
) -> list[OutputSpec]:
    """The outputs to rebuild with `specs` so that none in the folder says something else:
    each other output of a document built here (any format, edition or paper size) that is in
    the folder and out of date, and, when the whole project is built, each rack pack in the
    folder that holds such a document and is out of date (unless one of its handouts cannot
    be built: then its earlier pack stays, and that handout's errors fail the build).
    `planned`: what the build's selection makes besides `specs` (a shard's other shares).
    `site`: a site made in the folder before, which will be made again: the outputs of these
    documents (and the packs) that it holds are made even when missing, as a `--format site`
    build makes them."""

    def wanted(output: OutputSpec) -> bool:
        if (out_dir / output.name).is_file():
            return True
        fields = {"format": output.fmt, "language": output.language, "edition": output.edition}
        return site is not None and site.holds({**fields, "paper": output.paper})

    config = project.config
    blocked = set(blocked)
    names = {spec.name for spec in (*specs, *planned)}
    documents: dict[str, SourceDocument] = {}
    for spec in specs:
        if isinstance(spec, DocumentOutput) and spec.document.shown not in blocked:
            documents.setdefault(spec.document.shown, spec.document)
    extra: list[OutputSpec] = []
    for document in documents.values():
        for edition in config.editions:
            options = [*((paper, "pdf") for paper in config.paper_sizes), (None, "html")]
            for paper, fmt in options:
                output = DocumentOutput(document, edition, paper, fmt)
                if output.name in names or not wanted(output):
                    continue
                key = output.cache_key(inputs)
                if not up_to_date(out_dir, output, key, previous.get(output.name), thorough=False):
                    extra.append(output)
    if not whole_project:
        return extra
    racks = plan_racks(project, Selection(formats=("rack",)), config.editions, config.paper_sizes)
    for rack in racks:
        members = {member.shown for member in rack.members}
        if rack.name in names or not wanted(rack) or not members & documents.keys():
            continue
        if members & blocked:
            continue
        key = rack.cache_key(inputs)
        if not up_to_date(out_dir, rack, key, previous.get(rack.name), thorough=False):
            extra.append(rack)
    return extra


def stale_racks(
    project: Project, out_dir: Path, inputs: Inputs, current: Iterable[str]
) -> list[Diagnostic]:
    """Rack packs in the folder that hold one of the `current` documents (whose outputs this
    build made or found up to date) as it was before it changed, by the source fingerprints
    the manifest records: after a build of named documents, which cannot rebuild a pack (a
    pack holds every handout of its language)."""
    wanted = set(current)
    documents = {d.shown: d for d in project.documents if d.shown in wanted}
    problems = []
    for name, entry in sorted(read_manifest(out_dir).items()):
        if entry.get("format") != "rack" or not (out_dir / name).is_file():
            continue
        held = [
            shown
            for shown, key in (entry.get("sources") or {}).items()
            if shown in documents and inputs.document_key(documents[shown]) != key
        ]
        if held:
            problems.append(
                stale_warning(
                    project,
                    f"{display_path(out_dir / name)} holds an earlier version of "
                    f"{', '.join(held)} than the document's own outputs",
                    f"handoutkit build --format rack --lang {entry.get('language')} "
                    f"--paper {entry.get('paper')}",
                )
            )
    return problems


def stale_warning(project: Project, what: str, command: str) -> Diagnostic:
    return Diagnostic(
        project.config_source.locate(("output",), key=True),
        Severity.WARNING,
        what,
        f"it could be printed or read instead of the current version: bring it up to date "
        f"with `{command}`",
        rule="stale-output",
    )


def site_out_of_date(out_dir: Path, site: SiteSpec, entries: dict[str, dict[str, Any]]) -> bool:
    """Whether the site folder carries a file that differs from the output of that name, or
    an output that has no manifest entry any more (its source is gone). A page made from an
    HTML edition, and an output the site leaves out (a draft), are not compared."""
    folder = out_dir / SITE_FOLDER
    for name, entry in entries.items():
        copy = folder / name
        if entry.get("format") == "html" or not site.holds(entry) or not copy.is_file():
            continue
        try:
            if os.path.samefile(copy, out_dir / name):
                continue
        except OSError:
            pass
        if not file_matches(copy, entry["bytes"], entry["sha256"]):
            return True
    return any(
        named_as_output(name) and name not in entries
        for name in (f"{p.parent.name}/{p.name}" for p in folder.glob("*/*"))
    )


@dataclass
class Tidy:
    """One build's care of its output folder (see the module docstring)."""

    project: Project
    out_dir: Path
    selection: Selection
    orphans: list[str]  # left in the folder, reported
    pruned: list[str]  # deleted (--prune)
    forgotten: list[str]  # dropped from the manifest
    site: SiteSpec | None  # the site made in this folder before, as it was made
    problems: list[Diagnostic] = field(default_factory=list)  # found before the build
    late_problems: list[Diagnostic] = field(default_factory=list)  # found after it

    @classmethod
    def survey(cls, project: Project, out_dir: Path, selection: Selection) -> Tidy:
        """Find the orphans (and delete them, with `prune`); forget what has no source."""
        sources = source_names(project)
        orphans = find_orphans(out_dir, sources)
        if selection.prune and orphans and not sources:  # e.g. `content:` names a wrong folder
            raise UsageError(
                f"--prune: the project has no documents under {project.config.content}/, so "
                f"every output in {display_path(out_dir)} would be removed: nothing was removed "
                "— check `content:` in handoutkit.yaml"
            )
        pruned, problems = prune(out_dir, orphans) if selection.prune else ([], [])
        try:
            forgotten = forget_sourceless(out_dir, sources)
        except ContentError as exc:  # the manifest cannot be written
            forgotten = []
            problems.extend(exc.diagnostics)
        left = [name for name in orphans if name not in pruned]
        if left:
            problems.append(orphan_warning(project, out_dir, left))
        entry = read_manifest(out_dir).get(SITE_INDEX)
        site = None
        if entry is not None and (out_dir / SITE_INDEX).is_file():
            chosen = entry.get("selection") or {}
            site = SiteSpec(
                bool(entry.get("include_drafts")),
                only_languages=tuple(chosen.get("languages") or ()),
                only_editions=tuple(chosen.get("editions") or ()),
                only_papers=tuple(chosen.get("papers") or ()),
            )
        return cls(project, out_dir, selection, left, pruned, forgotten, site, problems)

    def companions(
        self,
        specs: list[OutputSpec],
        previous: dict[str, dict[str, Any]],
        inputs: Inputs,
        blocked: Iterable[str],
        *,
        whole_project: bool,
    ) -> list[OutputSpec]:
        """See `companions`; a shard leaves to the other shards what they build."""
        planned: list[OutputSpec] = []
        if self.selection.shard is not None:
            planned = plan(self.project, replace(self.selection, shard=None))
        return companions(
            self.project,
            specs,
            previous,
            inputs,
            self.out_dir,
            blocked,
            planned=planned,
            site=self.site if whole_project and self.selection.shard is None else None,
            whole_project=whole_project and self.selection.shard is None,
        )

    def site_to_remake(
        self, results: list[OutputResult], inputs: Inputs, *, whole_project: bool
    ) -> SiteSpec | None:
        """After a build without the site: the site made here before, when this build's
        changes (or earlier ones) left it out of date and it can be made again now; when it
        cannot (documents were named, or --shard), a stale-output warning. Also warns about
        the rack packs that such a build left out of date."""
        built = [r.spec for r in results if r.status == "built"]
        if not whole_project or self.selection.shard is not None:  # packs were not rebuilt
            current = {
                r.spec.document.shown
                for r in results
                if isinstance(r.spec, DocumentOutput) and r.status in ("built", "skipped")
            }
            self.late_problems.extend(stale_racks(self.project, self.out_dir, inputs, current))
        site = self.site
        if site is None:
            return None
        changed = bool(built or self.pruned or self.forgotten)
        if not changed and not site_out_of_date(self.out_dir, site, read_manifest(self.out_dir)):
            return None
        if whole_project and self.selection.shard is None:
            return site
        command = "handoutkit build --format site" + " --include-drafts" * site.include_drafts
        self.late_problems.append(
            stale_warning(
                self.project,
                f"{display_path(self.out_dir / SITE_FOLDER)}/ shows outputs as they were before "
                "this build, not as they are now",
                command,
            )
        )
        return None
