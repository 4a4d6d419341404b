"""What every command shares: the Typer app, global options, the project and today's date,
and how diagnostics and summaries are printed.

Commands are thin: they turn options into a call of a stage (`handoutkit.build.request`,
`handoutkit.lint`, `handoutkit.audit`…) and print its result; `handoutkit.cli.main` maps
errors to exit codes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from handoutkit import __version__
from handoutkit.diagnostics import Diagnostics
from handoutkit.errors import UsageError

app = typer.Typer(
    name="handoutkit",
    help="Print-ready, accessible health handouts and evidence briefs from YAML.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class State:
    project: Path | None = None
    debug: bool = False
    today: dt.date | None = None


state = State()

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Documents or topic folders (default: the whole project).", show_default=False
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="Report format.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"handoutkit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    project: Annotated[
        Path | None,
        typer.Option(
            "--project", "-p", help="Project folder (default: search upward for handoutkit.yaml)."
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    today: Annotated[
        str | None,
        typer.Option(
            "--today", hidden=True, envvar="HANDOUTKIT_TODAY", help="Pretend today is YYYY-MM-DD."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.project = project
    state.debug = debug
    if today:
        try:
            state.today = dt.date.fromisoformat(today)
        except ValueError:
            raise typer.BadParameter(
                f"'{today}' is not a date (YYYY-MM-DD)", param_hint="--today"
            ) from None


def today() -> dt.date:
    return state.today or dt.date.today()


def project_root() -> Path:
    """The project of --project, or the nearest folder at or above this one with a config."""
    from handoutkit.resources import CONFIG_NAME, find_project_root

    if state.project is not None:
        root = state.project
        if not (root / CONFIG_NAME).is_file():
            raise UsageError(
                f"{root}: no {CONFIG_NAME} in this folder — is it a handoutkit project?"
            )
        return root.resolve()
    return find_project_root()


def print_diagnostics(diagnostics: Diagnostics) -> None:
    """One `path:line:col: severity: message — fix` line each, on stdout, for editors."""
    for diagnostic in diagnostics.sorted():
        typer.echo(str(diagnostic))


def summary(diagnostics: Diagnostics, strict: bool) -> str:
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    text = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if strict and warnings and not errors:
        text += " (warnings are errors with --strict)"
    return text


def comma_list(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated option values as one list: --lang en,es --lang fr."""
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
