"""A build as one typed request: options → `BuildRequest` → `run_build` → `BuildOutcome`.

The command line, the preview, the tests and the benchmark all build through `run_build`:
it checks the options against the project (unknown values are usage errors with a
suggestion), replays a recorded no-op build when nothing changed (see `build.state`), or
loads, checks and builds the project (see `build.run`) and records the result.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutkit.build import state
from handoutkit.build.outputs import FORMATS, SITE_NEEDS
from handoutkit.build.report import BuildReport, Progress
from handoutkit.content.project import Project
from handoutkit.diagnostics import Diagnostics, did_you_mean
from handoutkit.errors import UsageError

PDF_STANDARDS = ("ua-1", "ua-2")  # the values of ProjectConfig.pdf_standard


@dataclass(frozen=True)
class BuildRequest:
    """Everything that decides what a build makes, bar the files it reads."""

    root: Path  # the project folder
    today: dt.date
    paths: tuple[str, ...] = ()  # document files, topic folders or document ids; () = all
    out: Path | None = None  # default: the project's `output:`
    formats: tuple[str, ...] = ("pdf",)  # pdf, html, rack
    languages: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    shard: str | None = None  # "K/N"
    strict: bool = False
    release: bool = False  # refuse documents not approved, and sample organization data
    force: bool = False  # rebuild even unchanged outputs (and never replay)
    include_drafts: bool = False  # the site lists documents that are not approved
    prune: bool = False  # delete the outputs that have no source any more (see `build.drift`)
    tidy: bool = True  # report outputs without a source, rebuild stale ones of other formats
    pdf_standard: str | None = None  # ua-1 or ua-2; None: the project's `pdf_standard:`
    jobs: int | None = None  # worker processes; None: the CPU count
    cwd: str = field(default_factory=os.getcwd)  # relative paths are relative to it

    def identity(self) -> dict[str, Any]:
        """What a recorded build must match to be replayed (see `build.state`); not `jobs` or
        `force`, which change how the outputs are made, not what they are."""
        return {
            "root": str(self.root),
            "cwd": self.cwd,
            "paths": list(self.paths),
            "out": None if self.out is None else str(self.out),
            "formats": list(self.formats),
            "lang": list(self.languages),
            "edition": list(self.editions),
            "paper": list(self.papers),
            "shard": self.shard,
            "strict": self.strict,
            "include_drafts": self.include_drafts,
            "pdf_standard": self.pdf_standard,
            "release": self.release,
            "prune": self.prune,
            "tidy": self.tidy,
        }

    @property
    def planned_formats(self) -> tuple[str, ...]:
        """The formats asked for, and with the site everything it links to."""
        if "site" not in self.formats:
            return self.formats
        return (*dict.fromkeys((*SITE_NEEDS, *self.formats)),)


@dataclass
class BuildOutcome:
    report: BuildReport
    replayed: bool  # True: nothing changed, the recorded report was replayed
    out_dir: Path | None = None


def run_build(
    request: BuildRequest,
    *,
    on_plan: Callable[[int, Diagnostics], None] | None = None,
    progress: Progress | None = None,
) -> BuildOutcome:
    """Build what `request` asks for (or replay it, when nothing changed)."""
    check_choices(request.formats, FORMATS, "--format")
    if request.pdf_standard is not None:
        check_choices([request.pdf_standard], PDF_STANDARDS, "--pdf-standard")
    if "rack" in request.formats and request.paths:  # a pack is always complete
        raise UsageError(
            "--format rack: a rack pack holds every handout of a language: build it without "
            "naming documents"
        )
    if "site" in request.formats and (request.paths or request.shard):
        raise UsageError(
            "--format site: the site holds every document and links to all their outputs: "
            "build it without naming documents or --shard"
        )
    if request.include_drafts and "site" not in request.formats:
        raise UsageError("--include-drafts: only the site leaves drafts out: add --format site")
    # a site is made again every time (cheap; unchanged files are kept), never replayed: its
    # own stylesheets and script are not among a replay's recorded inputs
    if not request.force and "site" not in request.formats:
        replayed = state.replay(request.root, request.identity(), request.today)
        if replayed is not None:
            if on_plan is not None:
                on_plan(len(replayed.results), replayed.diagnostics)
            for result in replayed.results:
                if progress is not None:
                    progress(result)
            return BuildOutcome(replayed, True)
    started_ns = time.time_ns()
    project, out_dir, report = _load_and_build(request, on_plan, progress)
    state.record(
        request.root, request.identity(), request.today, project, out_dir, report, started_ns
    )
    return BuildOutcome(report, False, out_dir)


def _load_and_build(
    request: BuildRequest,
    on_plan: Callable[[int, Diagnostics], None] | None,
    progress: Progress | None,
) -> tuple[Project, Path, BuildReport]:
    """Load, check and build (what a replayed no-op build skips)."""
    from handoutkit.content.loader import load_project

    files, _ids = split_paths_and_ids(request.paths, Path(request.cwd))
    project = load_project(request.root, files)
    out_dir, report = build_loaded(request, project, on_plan=on_plan, progress=progress)
    return project, out_dir, report


def build_loaded(
    request: BuildRequest,
    project: Project,
    *,
    on_plan: Callable[[int, Diagnostics], None] | None = None,
    progress: Progress | None = None,
) -> tuple[Path, BuildReport]:
    """Check and build a project already loaded for `request` (the preview keeps its own)."""
    from handoutkit.build.outputs import Selection
    from handoutkit.build.run import build_project

    _files, ids = split_paths_and_ids(request.paths, Path(request.cwd))
    if request.pdf_standard is not None:
        standard = check_choices([request.pdf_standard], PDF_STANDARDS, "--pdf-standard")[0]
        project.config = project.config.model_copy(update={"pdf_standard": standard})
    config = project.config
    check_choices(ids, [d.model.id for d in project.documents], "ID", noun="document id")
    selection = Selection(
        languages=check_choices(request.languages, config.languages, "--lang"),
        editions=check_choices(request.editions, config.editions, "--edition"),
        papers=check_choices(request.papers, config.paper_sizes, "--paper"),
        ids=tuple(ids),
        formats=request.planned_formats,
        shard=parse_shard(request.shard),
        include_drafts=request.include_drafts,
        tidy=request.tidy,
        prune=request.prune,
    )
    out_dir = request.root / config.output if request.out is None else request.out
    report = build_project(
        project,
        out_dir,
        today=request.today,
        selection=selection,
        strict=request.strict,
        release=request.release,
        whole_project=not request.paths,
        jobs=request.jobs or os.cpu_count() or 1,
        force=request.force,
        on_plan=on_plan,
        progress=progress,
    )
    return out_dir, report


def check_choices(
    values: Iterable[str], allowed: Iterable[str], option: str, *, noun: str = "value"
) -> tuple[str, ...]:
    """The values, if each is one of `allowed`; else a usage error naming the option."""
    values, allowed = tuple(values), list(allowed)
    for value in values:
        if value not in allowed:
            hint = did_you_mean(value, allowed)
            if not hint.startswith("did you mean"):
                hint = "choose from: " + ", ".join(allowed)
            raise UsageError(f"{option}: unknown {noun} '{value}' — {hint}")
    return values


def split_paths_and_ids(arguments: Sequence[str], cwd: Path) -> tuple[list[Path], list[str]]:
    """Arguments that name files or folders are paths; the others are document ids."""
    paths, ids = [], []
    for argument in arguments:
        looks_like_path = "/" in argument or argument.endswith((".yaml", ".yml"))
        if looks_like_path or (cwd / argument).exists():
            paths.append(cwd / argument)
        else:
            ids.append(argument)
    return paths, ids


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """'2/4' → (2, 4): the second of four shares of the matrix."""
    if value is None:
        return None
    try:
        k, n = (int(part) for part in value.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise UsageError(f"--shard: '{value}' is not K/N with 1 <= K <= N, e.g. 1/4")
    return k, n
