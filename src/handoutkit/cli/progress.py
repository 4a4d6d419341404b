"""How a build shows its progress: a progress bar on a terminal, plain lines otherwise, and a
summary table at the end. Kept out of the build itself, which only calls `step`."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from handoutkit.build.report import BuildReport, OutputResult
from handoutkit.diagnostics import display_path


class BuildDisplay:
    """Receives each finished output; `console` is stderr (stdout is for reports)."""

    def __init__(self, console: Console, *, verbose_skips: bool = False) -> None:
        self.console = console
        self.verbose_skips = verbose_skips
        self.live = console.is_terminal
        self._progress: Progress | None = None
        self._task: Any = None

    def start(self, total: int) -> None:
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
        if result.problems:  # a failed output's, or the handouts left out of a rack pack
            for problem in result.problems:
                # one problem, one line (never wrapped), so editors and CI can jump to it
                self.console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)

    def _line(self, result: OutputResult) -> str:
        name = display_path(result.path) if result.path else result.spec.name
        if result.status == "built":
            pages = f" ({result.pages} page{'s' * (result.pages != 1)})" if result.pages else ""
            return f"[green]built[/] {name}{pages}"
        if result.status == "skipped":
            return f"[dim]unchanged[/] {name}" if self.verbose_skips or not self.live else ""
        return f"[red]failed[/] {result.spec.name}"

    def finish(self, report: BuildReport, summary: str) -> None:
        if self._progress is not None:
            self._progress.stop()
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
