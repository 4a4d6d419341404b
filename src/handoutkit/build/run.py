"""Publish stage: check, then render and print the build matrix, in parallel and incrementally.

The matrix is documents × editions × paper sizes (× formats) from `handoutkit.yaml`, narrowed by
a `Selection`, plus the rack packs of `--format rack` (built by `build.rack`). Each output has a
content-addressed key (see `build.keys`): an output whose key and file are unchanged is skipped
without importing WeasyPrint. The rest are built in this process (`jobs=1`) or by worker
processes forked from a server that has imported WeasyPrint once; each worker keeps one
`Printer` (fonts, parsed stylesheets) and is replaced after `recycle_after` outputs, which
bounds its memory.

A document with errors, or an output whose rendering fails, is reported and skipped; the
others still build. So is a PDF whose layout the print preflight (`pdf.preflight`) finds at
fault: its findings are located in the content (`build.preflight`) and the file is not
written (warnings, such as a low image resolution, fail it only with --strict). They are
kept in the manifest, so an unchanged output still shows its warnings in the next build.
Outputs are written atomically (temporary file, then rename), so a failure never leaves a
partial file and an earlier good output stays in place. The manifest (`manifest.json`, which
also holds the cache keys) is merged under a file lock, so two builds into the same folder
never lose each other's entries.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

from handoutkit.build.fingerprint import file_matches
from handoutkit.build.keys import Inputs
from handoutkit.build.manifest import read_manifest, update_manifest
from handoutkit.build.outputs import DocumentOutput, OutputSpec, Selection, SiteSpec
from handoutkit.build.plan import plan
from handoutkit.build.rack import RackSpec
from handoutkit.build.report import BuildReport, OutputResult, Progress
from handoutkit.content.project import Project, SourceDocument
from handoutkit.diagnostics import Diagnostic, Diagnostics, Location, Severity
from handoutkit.errors import ContentError, UsageError
from handoutkit.fileio import write_atomic
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
    fail with located errors."""
    import time

    started = time.perf_counter()
    selection = selection or Selection(formats=tuple(formats))
    specs = plan(project, selection)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. --out names a file: a usage error (exit 2), not a bug
        raise UsageError(
            f"{out_dir}: cannot be the output folder: {exc.strerror} — choose another --out"
        ) from None
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
        or not _unchanged(out_dir, specs[index], key, previous.get(specs[index].name))
        or (strict and _recorded_warnings(previous.get(specs[index].name)))  # fail them again
    }
    if jobs > 1 and len(stale) > 1:
        _start_forkserver()  # it imports WeasyPrint while this process checks the project
    diagnostics = check_project(project, today, whole_project=whole_project, release=release)
    blocked = _blocked_documents(project, diagnostics, strict)
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
            changed = force or not _unchanged(out_dir, spec, key, entry)
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
    for index, result in _run(project, specs, to_build, out_dir, jobs, recycle_after, strict):
        results[index] = result
        if progress is not None:
            progress(result)
    ordered = [results[i] for i in range(len(specs)) if i != site]
    if ordered:
        update_manifest(out_dir, project, ordered)
    if site is not None:
        results[site] = _build_site(project, out_dir, specs, site)
        if progress is not None:
            progress(results[site])
        update_manifest(out_dir, project, [results[site]])
        ordered = [results[i] for i in range(len(specs))]
    return BuildReport(diagnostics, ordered, time.perf_counter() - started)


def _build_site(
    project: Project, out_dir: Path, specs: list[OutputSpec], index: int
) -> OutputResult:
    """The library site, from the manifest entries of the build's other outputs (an output
    that failed this time is there in its last good version, if it has one)."""
    import time

    from handoutkit.build.site import build_site

    started = time.perf_counter()
    spec = specs[index]
    assert isinstance(spec, SiteSpec)
    names = {s.name for i, s in enumerate(specs) if i != index}
    entries = [e for name, e in read_manifest(out_dir).items() if name in names]
    try:
        made = build_site(project, out_dir, entries, include_drafts=spec.include_drafts)
    except ContentError as exc:
        return OutputResult(spec, "failed", problems=exc.diagnostics)
    return OutputResult(
        spec,
        "built" if made.written or made.removed else "skipped",
        out_dir / spec.relative_path,
        made.pages,
        _sha256(made.index),
        len(made.index),
        seconds=time.perf_counter() - started,
    )


def _recorded_warnings(entry: dict[str, Any] | None) -> list[Diagnostic]:
    """The print preflight's warnings on an output, as the manifest recorded them."""
    return [Diagnostic.from_json(d) for d in (entry or {}).get("preflight", [])]


def _unchanged(out_dir: Path, spec: OutputSpec, key: str, entry: dict[str, Any] | None) -> bool:
    if entry is None or entry.get("key") != key:
        return False
    return file_matches(out_dir / spec.relative_path, entry["bytes"], entry["sha256"])


def _run(
    project: Project,
    specs: list[OutputSpec],
    to_build: list[tuple[int, str]],
    out_dir: Path,
    jobs: int,
    recycle_after: int,
    strict: bool = False,
) -> Iterator[tuple[int, OutputResult]]:
    """Build outputs here (one job) or in forked workers; yields results as they finish."""
    if not to_build:
        return
    global _WORKER_STATE
    _WORKER_STATE = _Worker(project, specs, out_dir.resolve(), strict)
    if jobs <= 1 or len(to_build) == 1:
        try:
            for index, key in to_build:
                yield index, _WORKER_STATE.build(index, key)
        finally:
            gc.unfreeze()  # frozen by _Worker.build; this process may go on to other work
        return
    context = _start_forkserver()
    with _RecyclingPool(
        max_workers=min(jobs, len(to_build)),
        mp_context=context,
        initializer=_init_worker,
        # a worker gets the project without its documents, and each task its own spec: the
        # whole project was pickled into every new worker (1,000 documents: 15 MB, 1.7 s and
        # 80 MB of memory per worker, every `recycle_after` outputs); only the documents that
        # others name (a brief prints its patient handouts' titles) go with it
        initargs=(
            replace(project, documents=[], referenced=project.named_documents()),
            [],
            out_dir.resolve(),
            strict,
        ),
        max_tasks_per_child=recycle_after,
    ) as pool:
        futures = {
            pool.submit(_build_in_worker, index, key, specs[index]): index
            for index, key in to_build
        }
        for future in as_completed(futures):
            index = futures[future]
            # keep the parent's own spec (and document) objects, not the worker's copies
            yield index, replace(future.result(), spec=specs[index])


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


class _RecyclingPool(ProcessPoolExecutor):
    """A ProcessPoolExecutor that always replaces a worker retired by `max_tasks_per_child`.

    CPython gh-115634 (3.11 up to the fix in 3.13/3.14): the pool decides whether to replace a
    worker that exited at its task limit with a semaphore that counts completed tasks, not idle
    workers; a stale count means no replacement, and once every worker has retired the
    remaining outputs wait forever (a -j 2 build of more than about 2 × `recycle_after` outputs
    hung). As in the upstream fix, a worker that exited is replaced whenever the pool is short.
    """

    def _adjust_process_count(self) -> None:
        manager: object = self._executor_manager_thread
        if threading.current_thread() is manager:  # a worker exited
            if len(self._processes) < self._max_workers:  # type: ignore[attr-defined]
                self._spawn_process()  # type: ignore[attr-defined]
            return
        super()._adjust_process_count()


class _Worker:
    """One process's renderer and printer, created on first use and kept for its life."""

    def __init__(
        self, project: Project, specs: list[OutputSpec], out_dir: Path, strict: bool = False
    ) -> None:
        self.project = project
        self.specs = specs
        self.out_dir = out_dir
        self.strict = strict  # the print preflight's warnings fail an output too
        self._renderer: Any = None
        self._printer: Any = None
        self._frozen = False

    def build(self, index: int, key: str, spec: OutputSpec | None = None) -> OutputResult:
        result = self._build(index, key, spec)
        if not self._frozen:
            # WeasyPrint makes many short-lived objects, so the garbage collector runs often,
            # and each full collection also walks every object that lives for the whole build:
            # the loaded project, the modules, fonts and stylesheets. Freezing them (after the
            # first output has warmed the caches) made rendering 8-10 % faster in a process
            # holding 100 loaded documents.
            gc.collect()
            gc.freeze()
            self._frozen = True
        return result

    def _build(self, index: int, key: str, spec: OutputSpec | None) -> OutputResult:
        import time

        from handoutkit.render.renderer import Renderer

        started = time.perf_counter()
        spec = self.specs[index] if spec is None else spec
        self._renderer = self._renderer or Renderer(self.project)
        if isinstance(spec, RackSpec):
            from handoutkit.build.rack import build_rack
            from handoutkit.pdf.printer import Printer

            self._printer = self._printer or Printer(self.project.root)
            return build_rack(spec, key, self.project, self.out_dir, self._renderer, self._printer)
        assert isinstance(spec, DocumentOutput)
        document = spec.document
        found: list[Diagnostic] = []
        try:
            if spec.fmt == "html":
                data = self._renderer.render(document, spec.edition, "screen").html.encode()
                pages = 0
            else:
                from handoutkit.build.preflight import located_findings
                from handoutkit.pdf.printer import Printer

                self._printer = self._printer or Printer(self.project.root)
                html = self._renderer.render(document, spec.edition).html
                assert spec.paper is not None
                printed = self._printer.print_pdf(
                    html,
                    spec.edition,
                    spec.paper,
                    document.shown,
                    self.project.config.pdf_standard,
                )
                data, pages = printed.pdf, printed.pages
                found = located_findings(
                    printed.findings, spec.name, self.project, document, document.shown
                )
                if any(d.severity is Severity.ERROR for d in found) or (self.strict and found):
                    return OutputResult(spec, "failed", problems=found, key=key)
            path = write_atomic(self.out_dir, spec.relative_path, data)
        except ContentError as exc:
            return OutputResult(spec, "failed", problems=exc.diagnostics, key=key)
        return OutputResult(
            spec,
            "built",
            path,
            pages,
            _sha256(data),
            len(data),
            key,
            found,  # warnings only
            seconds=time.perf_counter() - started,
        )


_WORKER_STATE: _Worker | None = None


def _init_worker(
    project: Project, specs: list[OutputSpec], out_dir: Path, strict: bool = False
) -> None:
    global _WORKER_STATE
    _WORKER_STATE = _Worker(project, specs, out_dir, strict)


def _build_in_worker(index: int, key: str, spec: OutputSpec) -> OutputResult:
    assert _WORKER_STATE is not None
    return _WORKER_STATE.build(index, key, spec)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
