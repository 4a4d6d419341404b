"""What the preview's threads share: the snapshot the pages show, and the signals between them.

The builder thread replaces the snapshot whole after each build step, so the server's threads
read it without a lock; a version number counts the changes, so `/events` can sleep until the
next one. The outputs live in one private folder that the builder writes and the server reads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from handoutkit.diagnostics import Diagnostic, Severity, one_line


@dataclass(frozen=True)
class Doc:
    """A document as the pages list it, also when it did not load (from its file name)."""

    shown: str  # content/demo/handout.en.yaml (as check prints it)
    topic: str
    stem: str  # handout.en
    title: str
    language: str
    kind: str
    loaded: bool


@dataclass(frozen=True)
class Output:
    """How the last build of one output went, with its own problems (e.g. a template error)."""

    status: str  # built, skipped (unchanged) or failed
    problems: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """What the pages show; replaced whole after each build step (readers need no lock)."""

    name: str = "handoutkit project"
    editions: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    docs: tuple[Doc, ...] = ()
    outputs: dict[str, Output] = field(default_factory=dict)  # by output name
    diagnostics: tuple[Diagnostic, ...] = ()
    messages: tuple[str, ...] = ()  # problems that have no location (e.g. a bad PATH)
    internal: str = ""
    built_once: bool = False

    def doc(self, topic: str, stem: str) -> Doc | None:
        return next((d for d in self.docs if d.topic == topic and d.stem == stem), None)

    def problems(self, doc: Doc | None = None, edition: str = "") -> list[Diagnostic]:
        """The problems of the project, or those that concern a document (or one edition of
        it): its own, the errors of shared files (they stop it building), and those of its
        outputs (e.g. a template error); sorted, each once. A shared file's warnings (sample
        organization data, an uncited reference) are the project's: the index page shows
        them, not every document. The build's "not built" notes are left out."""
        shown = {d.shown for d in self.docs}
        found = [
            d
            for d in self.diagnostics
            if doc is None
            or d.location.path == doc.shown
            or (d.location.path not in shown and d.severity is Severity.ERROR)
        ]
        prefix = f"{doc.topic}/{doc.stem}.{edition + '.' if edition else ''}" if doc else ""
        for name, output in sorted(self.outputs.items()):
            if name.startswith(prefix):
                found.extend(p for p in output.problems if p.rule != "build")
        unique = {str(d): d for d in found}
        return sorted(unique.values(), key=lambda d: (d.location, d.severity != Severity.ERROR))


class OutputFolder:
    """The preview's private output folder (never the project's `dist/`): the builder writes
    it, the server reads from it only by names it has checked against the snapshot."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    def read(self, name: str) -> bytes | None:
        """An output by its checked name; None when absent or (by real path) outside."""
        folder = self.path.resolve()
        path = (folder / name).resolve()
        if not path.is_relative_to(folder):
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None


class PreviewState:
    """The snapshot and status line on view, and the signals between the threads: `wake`
    (something changed on disk: build again), `closing` (every thread ends) and `watching`
    (the watcher runs: tests wait for it)."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()
        self.status = "starting…"
        self.version = 0  # counts changes of snapshot or status, for /events
        self._changed = threading.Condition()
        self.wake = threading.Event()
        self.closing = threading.Event()
        self.watching = threading.Event()

    def publish(self, snapshot: Snapshot | None = None, status: str | None = None) -> None:
        with self._changed:
            if snapshot is not None:
                self.snapshot = snapshot
            if status is not None:
                self.status = one_line(status)
            self.version += 1
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until the version passes `seen`, the preview closes or `timeout` passes."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.version != seen or self.closing.is_set(), timeout=timeout
            )
            return self.version

    def close(self) -> None:
        """Tell every thread to end: the builder and the event streams are woken for it."""
        self.closing.set()
        self.wake.set()
        with self._changed:
            self._changed.notify_all()


def counted(number: int, noun: str) -> str:
    """`1 error`, `2 errors`: the words of the console summary and of the pages."""
    return f"{number} {noun}{'s' * (number != 1)}"
