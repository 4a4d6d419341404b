"""What a build did: one result per output and the report the CLI shows or prints as JSON.

Kept apart from `build` (which imports the loader, checks and cache) so that a replayed no-op
build (see `build.state`) can report without importing any of them.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutkit.diagnostics import Diagnostic, Diagnostics

if TYPE_CHECKING:
    from handoutkit.build.outputs import OutputSpec


@dataclass(frozen=True)
class RecordedOutput:
    """An output known by name only, from the record of an earlier build (see `build.state`)."""

    name: str


@dataclass
class OutputResult:
    spec: OutputSpec | RecordedOutput
    status: str  # "built", "skipped" (unchanged), "failed" or "stopped" (by a signal)
    path: Path | None = None
    pages: int = 0
    sha256: str = ""
    size: int = 0
    key: str = ""
    problems: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def paths(self) -> list[Path]:
        return [self.path] if self.path is not None and self.status != "failed" else []


@dataclass
class BuildReport:
    diagnostics: Diagnostics
    results: list[OutputResult]
    seconds: float = 0.0
    stopped_by: int | None = None  # the signal that stopped the build (see `build.stop`)
    strict: bool = False  # warnings fail the build (those found after the check, too)
    pruned: list[str] = field(default_factory=list)  # outputs without a source, deleted

    @property
    def failed(self) -> list[OutputResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        # a rack pack built without a handout that has errors carries them: not a success
        errors = any(p.severity.value == "error" for r in self.results for p in r.problems)
        # (and a document that did not load has no outputs to fail, only its diagnostics)
        return (
            not self.failed
            and bool(self.results)
            and not errors
            and not self.diagnostics.errors
            and not (self.strict and self.diagnostics.warnings)
            and self.stopped_by is None
        )

    @property
    def stopped_by_name(self) -> str | None:
        return None if self.stopped_by is None else signal.Signals(self.stopped_by).name

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "built": self.count("built"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "stopped": self.count("stopped"),
            "stopped_by": self.stopped_by_name,
            "pruned": self.pruned,
            "seconds": round(self.seconds, 3),
            "outputs": [
                {
                    "path": r.spec.name,
                    "status": r.status,
                    "pages": r.pages,
                    "sha256": r.sha256,
                    "problems": [p.to_json() for p in r.problems],
                }
                for r in self.results
            ],
            "diagnostics": [d.to_json() for d in self.diagnostics.sorted()],
        }


Progress = Callable[[OutputResult], None]
