"""Publish stage: check, then render and print the build matrix, in parallel and incrementally.

The matrix is documents × editions × paper sizes (× formats) from `handoutkit.yaml`, narrowed by
a `Selection`, plus the rack packs of `--format rack` (built by `build.rack`). Each output has a
content-addressed key (see `build.keys`): an output whose key and file are unchanged is skipped
without importing WeasyPrint. The rest are built in this process (`jobs=1`, by
`build.worker.Builder`) or by the worker processes of `build.pool`, forked from a server that
has imported WeasyPrint once; each worker keeps one `Printer` (fonts, parsed stylesheets) and
is replaced after `recycle_after` outputs, which bounds its memory.

A document with errors, an output whose rendering fails or passes a limit of `limits:` (time,
memory, pages), or whose worker dies twice, is reported and skipped; the others still build.
So is a PDF whose layout the print preflight (`pdf.preflight`) finds at fault: its findings
are located in the content (`build.preflight`) and the file is not written (warnings, such as
a low image resolution, fail it only with --strict). They are kept in the manifest, so an
unchanged output still shows its warnings in the next build. Outputs are written atomically
(temporary file, then rename), so a failure never leaves a partial file and an earlier good
output stays in place. The manifest (`manifest.json`, which also holds the cache keys) is
merged under a file lock, so two builds into the same folder never lose each other's entries.
A stop signal (see `build.stop`) ends the build early, with the manifest of what was completed.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from handoutkit.build import faults
from handoutkit.build.drift import Tidy, up_to_date
from handoutkit.build.keys import Inputs
from handoutkit.build.manifest import read_manifest, update_manifest
from handoutkit.build.outputs import DocumentOutput, OutputSpec, Selection, SiteSpec
from handoutkit.build.plan import plan
from handoutkit.build.pool import Task, WorkerPool
from handoutkit.build.rack import RackSpec
from handoutkit.build.report import BuildReport, OutputResult, Progress
from handoutkit.build.stop import Abandon, Stop, stop_signals
from handoutkit.build.worker import Builder
from handoutkit.content.project import Project, SourceDocument
from handoutkit.diagnostics import Diagnostic, Diagnostics, Location
from handoutkit.errors import ContentError, UsageError
from handoutkit.lint.checks import check_project

# Outputs per worker before it is replaced, which bounds WeasyPrint's caches. A worker grows by
# about 2 MB over 160 outputs (104 → 106 MB RSS), while a new one costs about 0.2 s to warm up
# (stylesheets, fonts, templates): 40 spent more on restarts than it saved in memory.
RECYCLE_AFTER = 200


# --------------------------------------------------------------------------- the build


def build_project(
    project: Project,
    out_dir: Path,
    *,
    today: dt.date,
    formats: Iterable[str] = ("pdf",),
    selection: Selection | None = None,
    strict: bool = False,
    release: bool = False,
    whole_project: bool = True,
    jobs: int = 1,
    force: bool = False,
    recycle_after: int = RECYCLE_AFTER,
    on_plan: Callable[[int, Diagnostics], None] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Check the project, then build (or skip, when unchanged) every selected output. A
    `release` build refuses documents that are not approved, and sample organization data
    (`lint.review.check_release`): their outputs, and the rack packs that would hold them,
    fail with located errors.

    SIGINT, SIGTERM and SIGHUP stop the build cleanly (see `build.stop`): the report's
    `stopped_by` names the signal, its outputs not built are "stopped", and the manifest lists
    what was completed.
    """
    import time

    started = time.perf_counter()
    with stop_signals() as stop:
        return _build(
            project,
            out_dir,
            stop,
            started,
            today=today,
            selection=selection or Selection(formats=tuple(formats)),
            strict=strict,
            release=release,
            whole_project=whole_project,
            jobs=jobs,
            force=force,
            recycle_after=recycle_after,
            on_plan=on_plan,
            progress=progress,
        )


def _build(
    project: Project,
    out_dir: Path,
    stop: Stop,
    started: float,
    *,
    today: dt.date,
    selection: Selection,
    strict: bool,
    release: bool,
    whole_project: bool,
    jobs: int,
    force: bool,
    recycle_after: int,
    on_plan: Callable[[int, Diagnostics], None] | None,
    progress: Progress | None,
) -> BuildReport:
    import time

    specs = plan(project, selection)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. --out names a file: a usage error (exit 2), not a bug
        raise UsageError(
            f"{out_dir}: cannot be the output folder: {exc.strerror} — choose another --out"
        ) from None
    tidy = Tidy.survey(project, out_dir, selection) if selection.tidy else None
    previous = read_manifest(out_dir)
    inputs = Inputs(project)
    keys = {  # the documents' keys now: they decide whether workers are needed at all
        index: spec.cache_key(inputs)
        for index, spec in enumerate(specs)
        if isinstance(spec, DocumentOutput)
    }
    stale = {
        index
        for index, key in keys.items()
        if force
        or not up_to_date(out_dir, specs[index], key, previous.get(specs[index].name))
        or (strict and _recorded_warnings(previous.get(specs[index].name)))  # fail them again
    }
    if jobs > 1 and len(stale) > 1:
        _start_forkserver()  # it imports WeasyPrint while this process checks the project
    try:  # a stop signal that abandons work stops the check too: nothing is built yet
        with stop.raising_here():
            diagnostics = check_project(
                project, today, whole_project=whole_project, release=release
            )
    except Abandon:
        stopped = [OutputResult(spec, "stopped") for spec in specs]
        report = BuildReport(Diagnostics(), stopped, time.perf_counter() - started)
        report.stopped_by = stop.signum
        report.pruned = tidy.pruned if tidy is not None else []
        return report
    blocked = _blocked_documents(project, diagnostics, strict)
    if tidy is not None:  # the out-of-date outputs of other formats of what is built
        extra = tidy.companions(specs, previous, inputs, blocked, whole_project=whole_project)
        at = len(specs) - isinstance(specs[-1], SiteSpec) if specs else 0
        specs[at:at] = extra
        for index, spec in enumerate(specs[at : at + len(extra)], start=at):
            if isinstance(spec, DocumentOutput):
                keys[index] = spec.cache_key(inputs)
                stale.add(index)
        diagnostics.extend(tidy.problems)
    results: dict[int, OutputResult] = {}
    to_build: list[tuple[int, str]] = []
    site = next((i for i, spec in enumerate(specs) if isinstance(spec, SiteSpec)), None)
    for index, spec in enumerate(specs):
        notes: list[Diagnostic] = []
        if index == site:
            continue  # made last, from the others
        if isinstance(spec, RackSpec):  # its members with errors are left out of it
            specs[index] = spec = spec.narrowed(blocked)
            reason, notes = spec.failure, list(spec.left_out)
        else:
            assert isinstance(spec, DocumentOutput)
            reason = blocked.get(spec.document.shown)
        if reason is not None:
            results[index] = OutputResult(spec, "failed", problems=[*notes, reason])
            continue
        if isinstance(spec, RackSpec):
            key = spec.cache_key(inputs)
            entry = previous.get(spec.name)
            changed = force or not up_to_date(out_dir, spec, key, entry)
        else:
            key, changed = keys[index], index in stale
        if changed:
            to_build.append((index, key))
        else:
            entry = previous[spec.name]
            results[index] = OutputResult(
                spec,
                "skipped",
                out_dir / spec.relative_path,
                entry["pages"],
                entry["sha256"],
                entry["bytes"],
                key,
                [*notes, *_recorded_warnings(entry)],
            )
    if on_plan is not None:
        on_plan(len(specs), diagnostics)
    for result in results.values():
        if progress is not None:
            progress(result)
    for index, result in _run(project, specs, to_build, out_dir, jobs, recycle_after, stop, strict):
        results[index] = result
        if progress is not None:
            progress(result)
    ordered = [results[i] for i in range(len(specs)) if i != site]
    if ordered:  # what was completed, even when the build was stopped
        _update_manifest(out_dir, project, ordered, diagnostics, inputs)
    remade = site is None and tidy is not None and stop.signum is None
    if remade:  # a site made earlier, which this build's changes would leave out of date
        assert tidy is not None
        site_spec = tidy.site_to_remake(ordered, inputs, whole_project=whole_project)
        if site_spec is not None:
            specs.append(site_spec)
            site = len(specs) - 1
        diagnostics.extend(tidy.late_problems)
    if site is not None:
        if stop.signum is not None:
            results[site] = OutputResult(specs[site], "stopped")
        else:
            results[site] = _build_site(project, out_dir, specs, site, remade)
            if progress is not None:
                progress(results[site])
            _update_manifest(out_dir, project, [results[site]], diagnostics)
        ordered = [results[i] for i in range(len(specs))]
    report = BuildReport(diagnostics, ordered, time.perf_counter() - started)
    report.stopped_by = stop.signum
    report.strict = strict
    report.pruned = tidy.pruned if tidy is not None else []
    return report


def _update_manifest(
    out_dir: Path,
    project: Project,
    results: list[OutputResult],
    diagnostics: Diagnostics,
    inputs: Inputs | None = None,
) -> None:
    try:
        update_manifest(out_dir, project, results, inputs)
    except ContentError as exc:  # e.g. the output folder is gone or the disk is full
        diagnostics.extend(exc.diagnostics)


def _build_site(
    project: Project, out_dir: Path, specs: list[OutputSpec], index: int, remade: bool = False
) -> OutputResult:
    """The library site, from the manifest entries of the build's other outputs (an output
    that failed this time is there in its last good version, if it has one)."""
    import time

    from handoutkit.build.site import build_site

    started = time.perf_counter()
    spec = specs[index]
    assert isinstance(spec, SiteSpec)
    manifest = read_manifest(out_dir)
    if remade:  # a site made earlier, made again: everything it holds that is in the folder
        entries = [entry for entry in manifest.values() if spec.holds(entry)]
    else:  # what this build made for it
        names = {s.name for i, s in enumerate(specs) if i != index}
        entries = [entry for name, entry in manifest.items() if name in names]
    try:
        made = build_site(project, out_dir, entries, include_drafts=spec.include_drafts)
    except ContentError as exc:
        return OutputResult(spec, "failed", problems=exc.diagnostics)
    return OutputResult(
        spec,
        "built" if made.written or made.removed else "skipped",
        out_dir / spec.relative_path,
        made.pages,
        hashlib.sha256(made.index).hexdigest(),
        len(made.index),
        seconds=time.perf_counter() - started,
    )


def _recorded_warnings(entry: dict[str, Any] | None) -> list[Diagnostic]:
    """The print preflight's warnings on an output, as the manifest recorded them."""
    return [Diagnostic.from_json(d) for d in (entry or {}).get("preflight", [])]


def _run(
    project: Project,
    specs: list[OutputSpec],
    to_build: list[tuple[int, str]],
    out_dir: Path,
    jobs: int,
    recycle_after: int,
    stop: Stop,
    strict: bool = False,
) -> Iterator[tuple[int, OutputResult]]:
    """Build outputs here (one job) or in worker processes; yields results as they finish."""
    if not to_build:
        return
    injected = faults.from_environment()
    if jobs <= 1 or len(to_build) == 1:
        builder = Builder(project, specs, out_dir.resolve(), injected, strict=strict)
        try:
            for position, (index, key) in enumerate(to_build):
                try:
                    if stop.signum is not None:  # a first Ctrl+C: start nothing more
                        raise Abandon(stop.signum)
                    with stop.raising_here():
                        result = builder.build(index, key)
                except Abandon:
                    for rest, rest_key in to_build[position:]:
                        yield rest, OutputResult(specs[rest], "stopped", key=rest_key)
                    return
                yield index, result
        finally:
            gc.unfreeze()  # frozen by Builder.build; this process may go on to other work
        return
    pool = WorkerPool(
        _start_forkserver(),
        min(jobs, len(to_build)),
        # a worker gets the project without its documents, and each task its own spec: the
        # whole project was pickled into every new worker (1,000 documents: 15 MB, 1.7 s and
        # 80 MB of memory per worker, every `recycle_after` outputs); only the documents that
        # others name (a brief prints its patient handouts' titles) go with it
        (
            replace(project, documents=[], referenced=project.named_documents()),
            out_dir.resolve(),
            injected,
            strict,
        ),
        out_dir.resolve(),
        project.config.limits,
        stop,
        recycle_after,
    )
    yield from pool.run([Task(index, key, specs[index]) for index, key in to_build])


def _start_forkserver() -> Any:
    """The forkserver context, its server started (once per process) with WeasyPrint imported.

    Starting returns at once; the server imports WeasyPrint (about 0.7 s) in parallel with
    whatever this process does next, and workers fork from it when the pool asks.
    """
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["weasyprint", "handoutkit.pdf.printer", "handoutkit.render.renderer"]
    )
    forkserver.ensure_running()
    return context


# --------------------------------------------------------------------------- helpers


def _blocked_documents(
    project: Project, diagnostics: Diagnostics, strict: bool
) -> dict[str, Diagnostic]:
    """Documents that must not build, with the reason shown for each of their outputs."""
    counts = {d.shown: 0 for d in project.documents}
    shared_problem = False
    for diagnostic in diagnostics:
        if diagnostic.severity.value == "warning" and not strict:
            continue
        if diagnostic.location.path in counts:
            counts[diagnostic.location.path] += 1
        elif diagnostic.location.path not in project.unloaded:  # a document that did not load
            shared_problem = True  # fails alone; a problem elsewhere concerns every document
    blocked = {}
    for document in project.documents:
        if counts[document.shown]:
            blocked[document.shown] = _located(
                document,
                f"not built: {_count(counts[document.shown], 'problem')} in this document",
                "fix the problems listed above",
            )
        elif shared_problem:
            blocked[document.shown] = _located(
                document,
                "not built: the project's shared data or configuration has problems",
                "fix the problems listed above",
            )
    return blocked


def _located(document: SourceDocument, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic.error_at(Location(document.shown), message, hint, rule="build")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"
