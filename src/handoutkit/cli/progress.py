"""How a build shows its progress: a progress bar on a terminal, plain lines otherwise, and a
summary table at the end. Kept out of the build itself, which only calls `step`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from handoutkit.build.report import BuildReport, OutputResult
from handoutkit.diagnostics import Diagnostics, display_path


class BuildDisplay:
    """Receives each finished output; `console` is stderr (stdout is for reports)."""

    def __init__(
        self,
        console: Console,
        *,
        verbose_skips: bool = False,
        report: Callable[[str], None] = print,
    ) -> None:
        self.console = console
        self.report = report  # located problems: stdout, one per line, for editors and CI
        self.verbose_skips = verbose_skips
        self.live = console.is_terminal
        self._progress: Progress | None = None
        self._task: Any = None
        self._shown: set[str] = set()  # problems already printed under an output
        self._reported = 0  # the build's own problems printed by `start`

    def start(self, total: int, diagnostics: Diagnostics | None = None) -> None:
        """The build is planned and checked: show the check's problems first (the outputs they
        stop then refer to them as "listed above"), then the progress."""
        for diagnostic in (diagnostics or Diagnostics()).sorted():
            self.report(str(diagnostic))
        self._reported = len(diagnostics or ())
        if self.live and total:
            self._progress = Progress(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self._task = self._progress.add_task("", total=total)
            self._progress.start()

    def step(self, result: OutputResult) -> None:
        line = self._line(result)
        if self._progress is not None:
            self._progress.advance(self._task)
            self._progress.update(self._task, description=result.spec.name)
            if line and result.status != "built":
                self._progress.console.print(line, markup=True, highlight=False)
        elif line:
            self.console.print(line, markup=True, highlight=False)
        for problem in result.problems:  # a failed output's, or a rack pack's left-out handouts
            text = str(problem)
            if text in self._shown:  # the same document's other outputs: said once
                continue
            self._shown.add(text)
            # one problem, one line (never wrapped), so editors and CI can jump to it
            self.console.print(f"  {text}", markup=False, highlight=False, soft_wrap=True)

    def _line(self, result: OutputResult) -> str:
        name = display_path(result.path) if result.path else result.spec.name
        if result.status == "built":
            pages = f" ({result.pages} page{'s' * (result.pages != 1)})" if result.pages else ""
            return f"[green]built[/] {name}{pages}"
        if result.status == "skipped":
            return f"[dim]unchanged[/] {name}" if self.verbose_skips or not self.live else ""
        if result.status == "stopped":  # the one-line summary says how many
            return ""
        return f"[red]failed[/] {result.spec.name}"

    def late_problems(self, report: BuildReport) -> None:
        """Problems found after the check, e.g. a manifest that could not be written."""
        for diagnostic in report.diagnostics[self._reported :]:
            self.report(str(diagnostic))

    def stopped(self, report: BuildReport, summary: str) -> None:
        """A build stopped by a signal: only the one-line summary."""
        if self._progress is not None:
            self._progress.stop()
        self.late_problems(report)
        self.console.print(f"[red]{summary}[/]", highlight=False, soft_wrap=True)

    def finish(self, report: BuildReport, summary: str) -> None:
        if self._progress is not None:
            self._progress.stop()
        self.late_problems(report)
        table = Table(title=None, show_edge=False, box=None, pad_edge=False)
        for column in ("built", "unchanged", "failed", "time"):
            table.add_column(column, justify="right")
        table.add_row(
            str(report.count("built")),
            str(report.count("skipped")),
            f"[red]{report.count('failed')}[/]" if report.failed else "0",
            f"{report.seconds:.1f} s",
        )
        self.console.print(table)
        colour = "green" if report.ok else "red"
        self.console.print(f"[{colour}]{summary}[/]", highlight=False)
