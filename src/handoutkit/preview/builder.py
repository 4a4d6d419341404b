"""The preview's builder thread and file watcher.

The **builder** checks and builds the project with the ordinary in-process build (one job;
its content-addressed cache keeps rebuilds incremental): first the HTML editions (fast: the
page is up to date in about a second), then the PDFs. A change during the PDF pass interrupts
it (what was built is kept) and starts a new round. After each step it publishes a new
snapshot for the pages, and prints the problems compiler-style when they changed.

The **watcher** (watchfiles) watches the content folder, templates/, styles/, assets/, the
shared data files and handoutkit.yaml, and wakes the builder.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from handoutkit.diagnostics import Diagnostic, Severity, one_line
from handoutkit.errors import ContentError, HandoutkitError
from handoutkit.names import DOCUMENT_FILE
from handoutkit.preview.state import Doc, Output, OutputFolder, PreviewState, counted
from handoutkit.resources import CONFIG_NAME

if TYPE_CHECKING:  # imported when first built: `handoutkit preview` starts without them
    from handoutkit.build.report import OutputResult
    from handoutkit.content.project import Project

WATCHED_FOLDERS = ("templates", "styles", "assets")  # besides the content folder and files


class Interrupted(Exception):
    """A change (or the end of the preview) arrived while the PDFs were being built."""


@dataclass(frozen=True)
class BuildStep:
    """What one call of the build gave: its outputs so far and, unless it was interrupted
    before the end, the project's diagnostics."""

    results: tuple[OutputResult, ...]
    diagnostics: tuple[Diagnostic, ...] | None  # None: interrupted, the old ones still hold
    interrupted: bool


def build_format(
    project: Project,
    folder: OutputFolder,
    fmt: str,
    *,
    today: dt.date,
    whole_project: bool,
    should_stop: Callable[[], bool],
) -> BuildStep:
    """The preview's one call into the build: check, then build one format with one job.

    Gives up as soon as `should_stop()` holds after an output; the outputs built until then
    are kept in the manifest (the cache), so the next round skips them.
    """
    from handoutkit.build.manifest import update_manifest
    from handoutkit.build.request import BuildRequest, build_loaded

    done: list[OutputResult] = []

    def progress(result: OutputResult) -> None:
        done.append(result)
        if should_stop():
            raise Interrupted

    try:
        request = BuildRequest(
            root=project.root,
            today=today,
            paths=() if whole_project else tuple(d.shown for d in project.documents),
            out=folder.path,
            formats=(fmt,),
            jobs=1,
            tidy=False,  # the formats are built one after the other, into the preview's folder
        )
        _out, report = build_loaded(request, project, progress=progress)
    except Interrupted:
        if done:
            update_manifest(folder.path, project, done)
        return BuildStep(tuple(done), None, interrupted=True)
    return BuildStep(tuple(report.results), tuple(report.diagnostics), interrupted=False)


@dataclass(frozen=True)
class ProjectPaths:
    """Where the last loaded handoutkit.yaml puts things, for the watcher (replaced whole)."""

    content: str = "content"
    data_files: tuple[str, ...] = ()  # references, crisis resources, disclaimers
    output: str = "dist"  # the project's own output folder: never watched


class Builder:
    """Builds in rounds while the preview runs: `run()` is the builder thread."""

    def __init__(
        self,
        root: Path,
        folder: OutputFolder,
        state: PreviewState,
        *,
        selected: Sequence[Path],
        today: Callable[[], dt.date],
        debug: bool,
        report: Callable[[str], None],
        status_line: Callable[[str], None],
    ) -> None:
        self.root = root
        self.folder = folder
        self.state = state
        self.selected = list(selected)
        self.today = today
        self.debug = debug
        self._report = report  # problem lines (stdout)
        self._status_line = status_line  # summaries and internal errors (stderr)
        self.paths = ProjectPaths()
        self._printed: list[str] | None = None
        self._round_printed = False
        self._last_internal = ""

    def run(self) -> None:
        """Build whenever woken, until the preview closes; a bug is reported, not fatal."""
        state = self.state
        while True:
            state.wake.wait()
            if state.closing.is_set():
                return
            state.wake.clear()
            try:
                self._round()
            except Interrupted:
                pass
            except Exception as exc:  # a bug in handoutkit: report it once, keep serving
                self.internal_error(exc)

    def _round(self) -> None:
        from handoutkit.render.htmledition import screen_stylesheet

        started = time.perf_counter()
        self._round_printed = False
        self.state.publish(status="building…")
        screen_stylesheet.cache_clear()  # cached per process: this one lives on
        counts = {"built": 0, "skipped": 0, "failed": 0}
        # 1. check, and the HTML editions: quick, so the page is soon up to date
        if not self._step("html", counts, give_way=False):
            return
        self._print_problems()  # now, not after the PDFs
        self.state.publish(status="building the PDFs…")
        # 2. the PDFs, given up as soon as something changes (what was built is kept)
        if self._step("pdf", counts, give_way=True):
            self._site()
            self._finish(counts, time.perf_counter() - started)

    def _step(self, fmt: str, counts: dict[str, int], *, give_way: bool) -> bool:
        """Load, check and build one format; False when the project did not load.

        Raises `Interrupted` when the preview closes or, with `give_way`, when something
        changed meanwhile, after publishing the outputs built until then.
        """
        project = self._load()
        if project is None:
            return False
        state = self.state
        step = build_format(
            project,
            self.folder,
            fmt,
            today=self.today(),
            whole_project=not self.selected,
            should_stop=lambda: state.closing.is_set() or (give_way and state.wake.is_set()),
        )
        self._take(project, step, fmt, counts)
        if step.interrupted:
            raise Interrupted
        return True

    def _site(self) -> None:
        """The library site of what is built (drafts included, with their banner), served at
        /site/ (see `build.site`); the last good one stays when it cannot be made."""
        from handoutkit.build.manifest import read_manifest
        from handoutkit.build.site import FOLDER, build_site

        project = self._load()
        if project is None:
            return
        entries = [e for n, e in read_manifest(self.folder.path).items() if "/" in n]
        entries = [e for e in entries if not e["path"].startswith(f"{FOLDER}/")]
        try:
            build_site(project, self.folder.path, entries, include_drafts=True)
        except ContentError as exc:
            for problem in exc.diagnostics:
                self._status_line(f"site: {problem}")

    def _load(self) -> Project | None:
        """The project, or None after publishing why it did not load."""
        from handoutkit.content.loader import load_project

        try:
            project = load_project(self.root, self.selected)
        except HandoutkitError as exc:  # handoutkit.yaml itself, or a PATH, is wrong
            diagnostics = tuple(exc.diagnostics) if isinstance(exc, ContentError) else ()
            messages = () if diagnostics else tuple(str(exc).splitlines())
            snapshot = replace(
                self.state.snapshot, diagnostics=diagnostics, messages=messages, internal=""
            )
            self.state.publish(snapshot)
            self._finish({}, None)
            return None
        config = project.config
        self.paths = ProjectPaths(
            config.content,
            (config.references, config.crisis_resources, config.disclaimers),
            config.output,
        )
        return project

    def _take(self, project: Project, step: BuildStep, fmt: str, counts: dict[str, int]) -> None:
        """Publish a build step's documents, problems and outputs."""
        old = self.state.snapshot
        titles = {d.shown: d.title for d in old.docs}
        docs = [
            Doc(d.shown, d.topic, d.stem, d.model.title, d.model.language, d.model.type, True)
            for d in project.documents
        ]
        for shown in project.unloaded:
            docs.append(_unloaded_doc(shown, titles.get(shown)))
        docs.sort(key=lambda d: (d.topic, d.stem))
        outputs = dict(old.outputs)
        if not step.interrupted:  # the step planned every output of its format: forget others
            outputs = {name: o for name, o in outputs.items() if not name.endswith(f".{fmt}")}
        for result in step.results:
            outputs[result.spec.name] = Output(result.status, tuple(result.problems))
            counts[result.status] = counts.get(result.status, 0) + 1
        config = project.config
        self.state.publish(
            replace(
                old,
                name=config.organization.name,
                editions=tuple(config.editions),
                papers=tuple(config.paper_sizes),
                docs=tuple(docs),
                outputs=outputs,
                diagnostics=old.diagnostics if step.diagnostics is None else step.diagnostics,
                messages=(),
                internal="",
                built_once=old.built_once or not step.interrupted,
            )
        )

    def _print_problems(self) -> bool:
        """Print the problems, compiler-style, when they changed since last printed."""
        snapshot = self.state.snapshot
        lines = [str(d) for d in snapshot.problems()] + list(snapshot.messages)
        if lines == self._printed:
            return False
        for line in lines:
            self._report(line)
        self._printed = lines
        self._round_printed = True
        return True

    def _finish(self, counts: dict[str, int], seconds: float | None) -> None:
        """Console: the problems when they changed, and a summary; the pages: the status."""
        printed = self._print_problems() or self._round_printed
        snapshot = self.state.snapshot
        diagnostics = snapshot.problems()
        error_count = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = len(diagnostics) - error_count
        errors = error_count + len(snapshot.messages)
        summary = f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
        if seconds is not None:
            built = f"{counts.get('built', 0)} built, {counts.get('skipped', 0)} unchanged"
            summary = f"{built}, {counts.get('failed', 0)} failed; {summary}"
        if printed or counts.get("built") or counts.get("failed"):
            when = time.strftime("%H:%M:%S")
            took = f" in {seconds:.1f} s" if seconds is not None else ""
            self._status_line(f"{when} preview rebuilt{took}: {summary}")
        self._last_internal = ""
        verdict = "up to date" if not errors else "problems: see below"
        self.state.publish(status=f"{verdict} — {summary} ({time.strftime('%H:%M:%S')})")

    def internal_error(self, exc: BaseException, during: str = "while building") -> None:
        """A bug in handoutkit (in any thread): printed once, not at every rebuild; a build's
        is also shown in the pages, beside the last good output."""
        text = one_line(f"internal error {during}: {type(exc).__name__}: {exc}")
        if text != self._last_internal:
            self._last_internal = text
            if self.debug:
                traceback.print_exception(exc)
            self._status_line(
                f"handoutkit preview: {text}\nThis is a bug in handoutkit, not in your content; "
                "the preview goes on. Rerun with --debug for details."
            )
        if during == "while building":
            self.state.publish(replace(self.state.snapshot, internal=text), status="internal error")


def _unloaded_doc(shown: str, title: str | None) -> Doc:
    """A document that did not load, named from its file name (and its last good title)."""
    path = Path(shown)
    match = DOCUMENT_FILE.match(path.name)
    kind, language = (match["kind"], match["lang"]) if match else ("?", "?")
    stem = path.name.rsplit(".", 1)[0]
    return Doc(shown, path.parent.name, stem, title or path.name, language, kind, False)


class Watcher:
    """Wakes the builder when a watched file changes: `run()` is the watcher thread."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.state = builder.state

    def targets(self) -> tuple[Path, ...]:
        """Existing folders and files whose change means a rebuild (none inside another)."""
        root, paths = self.builder.root, self.builder.paths
        names = [paths.content, *WATCHED_FOLDERS, CONFIG_NAME, *paths.data_files]
        found: list[Path] = []
        for name in names:
            path = Path(os.path.normpath(root / name))
            if path.exists() and path not in found:
                found.append(path)
        folders = [p for p in found if p.is_dir()]
        return tuple(
            sorted(p for p in found if not any(f != p and p.is_relative_to(f) for f in folders))
        )

    def run(self) -> None:
        """Watch until the preview closes, starting again whenever what to watch changes."""
        import watchfiles

        state = self.state
        restarted = False
        while not state.closing.is_set():
            targets = self.targets()
            if not targets:  # even handoutkit.yaml is gone: wait for it to come back
                state.closing.wait(0.5)
                restarted = True
                continue
            files = {str(p) for p in targets if not p.is_dir()}
            output = os.path.normpath(self.builder.root / self.builder.paths.output)
            ignored = [str(self.builder.folder.path), output]
            ready = False
            try:
                for changes in watchfiles.watch(
                    *targets,
                    watch_filter=watchfiles.DefaultFilter(ignore_paths=ignored),
                    stop_event=state.closing,
                    rust_timeout=500,
                    yield_on_timeout=True,
                    raise_interrupt=False,
                ):
                    if not ready:
                        ready = True
                        state.watching.set()
                        if restarted:  # changes while no watcher ran: look again
                            state.wake.set()
                    if changes:
                        state.wake.set()
                        if files & {path for _change, path in changes}:
                            break  # a watched file was replaced (editors do): watch the new one
                    if self.targets() != targets:
                        break  # a folder appeared or went, or the config moved content
            except Exception as exc:  # e.g. a folder removed while the watcher started
                if state.closing.is_set():
                    return
                if not isinstance(exc, OSError):
                    self.builder.internal_error(exc, "while watching files")
                state.closing.wait(0.5)
            restarted = True
