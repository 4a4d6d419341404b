"""Building one output: render, print, check its page count, write it; and a worker's life.

`Builder` holds one process's renderer and printer (fonts, parsed stylesheets), made on first
use and kept for its life. It runs in the build process itself (`-j 1`, or a single output)
or in a worker process of `build.pool`, where `serve` is the worker's main loop: it receives
one task at a time on its own pipe and answers with the `OutputResult`.

A worker must never outlive the build. Its parent is the multiprocessing forkserver, not the
build process, and the forkserver lives as long as any worker holds its "alive" pipe, so
neither notices when the build process is killed (SIGKILL included). Each worker therefore
watches a pipe whose only writer is the build process (the end of file means the build is
gone) and kills itself; and it asks Linux to kill it when the forkserver dies
(PR_SET_PDEATHSIG). Once the last worker is gone, the forkserver sees the end of its own pipe
and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import os
import signal
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from handoutkit.build import faults
from handoutkit.build.outputs import DocumentOutput, OutputSpec
from handoutkit.build.rack import RackSpec
from handoutkit.build.report import OutputResult
from handoutkit.build.stop import OutputTimedOut, alarm
from handoutkit.content.project import Project
from handoutkit.diagnostics import Diagnostic, Location, Severity
from handoutkit.errors import ContentError
from handoutkit.fileio import write_atomic
from handoutkit.names import FILLABLE

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Builder:
    """One process's renderer and printer, created on first use and kept for its life."""

    def __init__(
        self,
        project: Project,
        specs: list[OutputSpec],
        out_dir: Path,
        injected: faults.Faults | None = None,
        *,
        strict: bool = False,
        in_worker: bool = False,
    ) -> None:
        self.project = project
        self.specs = specs
        self.out_dir = out_dir
        self.faults = injected or {}
        self.strict = strict  # the print preflight's warnings fail an output too
        self.in_worker = in_worker
        self._renderer: Any = None
        self._printer: Any = None
        self._frozen = False
        self.current: Path | None = None  # the output being built (its path)
        self.attempt = 1  # of the output being built (see `build.faults`)

    def build(
        self, index: int, key: str, spec: OutputSpec | None = None, attempt: int = 1
    ) -> OutputResult:
        spec = self.specs[index] if spec is None else spec
        self.current = self.out_dir / spec.relative_path
        self.attempt = attempt
        limits = self.project.config.limits
        # a worker is timed by the pool, which can kill it whatever it is doing
        seconds = None if self.in_worker else limits.seconds and limits.seconds * weight(spec)
        try:
            with alarm(seconds):
                result = self._build(key, spec)
        except OutputTimedOut:
            self._renderer = self._printer = None  # interrupted anywhere: start afresh
            return OutputResult(spec, "failed", problems=[time_limit(spec, seconds)], key=key)
        except MemoryError:
            self._renderer = self._printer = None
            return OutputResult(spec, "failed", problems=[out_of_memory(spec, None)], key=key)
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

    def _build(self, key: str, spec: OutputSpec) -> OutputResult:
        from handoutkit.render.renderer import Renderer

        started = time.perf_counter()
        self._renderer = self._renderer or Renderer(self.project)
        if isinstance(spec, RackSpec):
            from handoutkit.build.rack import build_rack
            from handoutkit.pdf.printer import Printer

            self._printer = self._printer or Printer(self.project.root)
            return build_rack(spec, key, self.project, self.out_dir, self._renderer, self._printer)
        assert isinstance(spec, DocumentOutput)
        document = spec.document
        notes: list[Diagnostic] = []
        try:
            if spec.fmt == "html":
                data = self._renderer.render(document, spec.edition, "screen").html.encode()
                pages = 0
            else:
                from handoutkit.build.preflight import located_findings
                from handoutkit.pdf.printer import Printer

                self._printer = self._printer or Printer(self.project.root)
                forms = spec.fmt == FILLABLE  # a worksheet's PDF form
                html = self._renderer.render(document, spec.edition, fillable=forms).html
                assert spec.paper is not None
                printed = self._printer.print_pdf(
                    html,
                    spec.edition,
                    spec.paper,
                    document.shown,
                    self.project.config.pdf_standard,
                    forms=forms,
                )
                data, pages = printed.pdf, printed.pages
                found = located_findings(
                    printed.findings, spec.name, self.project, document, document.shown
                )
                notes = [*found, *page_problems(self.project, spec, pages)]
                if any(note.severity is Severity.ERROR for note in notes) or (
                    self.strict and found
                ):
                    return OutputResult(spec, "failed", problems=notes, key=key)
            with faults.on_write(self.faults, spec.name, self.attempt, self.in_worker):
                path = write_atomic(self.out_dir, spec.relative_path, data, make_out_dir=False)
        except ContentError as exc:
            return OutputResult(spec, "failed", problems=[*notes, *exc.diagnostics], key=key)
        return OutputResult(
            spec,
            "built",
            path,
            pages,
            _sha256(data),
            len(data),
            key,
            notes,
            seconds=time.perf_counter() - started,
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- limits


def weight(spec: OutputSpec) -> int:
    """How many documents an output prints: a rack pack prints each handout and a catalog."""
    return len(spec.members) + 1 if isinstance(spec, RackSpec) else 1


def page_problems(project: Project, spec: DocumentOutput, pages: int) -> list[Diagnostic]:
    """A warning or an error when a PDF has more pages than its kind of document should."""
    kind = spec.document.model.type
    warning, error = project.config.limits.page_thresholds(kind, spec.edition)
    where = Location(spec.document.shown)
    what = f"the {describe(spec)} has {pages} pages"
    hint = (
        f"shorten the {kind}, or split it into several; or raise limits.pages.{kind}"
        f".{{}} in handoutkit.yaml"
    )
    if error is not None and pages > error:
        message = f"{what}, more than the {error} a {kind} may have: it is not written"
        return [Diagnostic.error_at(where, message, hint.format("error"), rule="page-limit")]
    if warning is not None and pages > warning:
        message = f"{what}, more than the {warning} a {kind} should have"
        return [Diagnostic(where, Severity.WARNING, message, hint.format("warning"), "page-limit")]
    return []


def describe(spec: OutputSpec) -> str:
    """The output as a reader would name it: "large-print a4 PDF", "standard HTML edition"."""
    if isinstance(spec, RackSpec):
        return f"rack pack {spec.name}"
    if spec.paper is None:
        return f"{spec.edition} HTML edition"
    return f"{spec.edition} {spec.paper} PDF"


def located(spec: OutputSpec) -> Location:
    """Where a problem of this output is shown: its document, or the rack pack's name."""
    if isinstance(spec, DocumentOutput):
        return Location(spec.document.shown)
    return Location(spec.name)


def time_limit(spec: OutputSpec, seconds: float | None = None) -> Diagnostic:
    return Diagnostic.error_at(
        located(spec),
        f"the {describe(spec)} took more than {seconds or 0:g} s and was stopped",
        "look for a template loop that never ends or a runaway document; or raise "
        "limits.seconds in handoutkit.yaml",
        rule="time-limit",
    )


def out_of_memory(spec: OutputSpec, megabytes: int | None) -> Diagnostic:
    what = f"more than {megabytes} MB of memory" if megabytes else "more memory than there is"
    return Diagnostic.error_at(
        located(spec),
        f"printing the {describe(spec)} used {what} and was stopped",
        "look for a runaway document (a huge list or table, a huge image); or raise "
        "limits.memory_mb in handoutkit.yaml",
        rule="memory-limit",
    )


# --------------------------------------------------------------------------- a worker's life


def serve(conn: Connection, life: Connection, init: tuple[Any, ...]) -> None:
    """A worker process's main loop: (index, key, spec, attempt) in, ("done", result) out.

    None asks it to exit. An exception that is not a content problem is a bug in handoutkit:
    its traceback goes back to the build, which stops with an internal error.
    """
    project, out_dir, injected, strict = init
    builder = Builder(project, [], out_dir, injected, strict=strict, in_worker=True)
    _die_with_parent(life, builder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the build to handle
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, key, spec, attempt = task
        try:
            result = builder.build(index, key, spec, attempt)
        except Exception:  # a bug: tell the build, which reports it (exit 3)
            conn.send(("bug", traceback.format_exc()))
            return
        conn.send(("done", result))


def _die_with_parent(life: Connection, builder: Builder) -> None:
    """Exit when the build process or the forkserver goes away, however it goes; first remove
    the temporary file of the output in progress, which the build can no longer remove."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            pass

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            life.poll(None)  # nothing is ever sent: this returns at the end of file
        current = builder.current
        if current is not None:
            remove_temporary(current, os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="handoutkit-parent-watch", daemon=True).start()


def remove_temporary(target: Path, pid: int | None) -> None:
    """The temporary file process `pid` may have left for `target` (see `fileio.write_atomic`)."""
    try:
        for path in target.parent.glob(f".{target.name}.{pid}.*.tmp"):
            path.unlink(missing_ok=True)
    except OSError:
        pass
