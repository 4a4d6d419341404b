"""Command line: a thin layer over the stages (load → check → render → print → publish).

Exit codes: 0 success (warnings allowed unless --strict), 1 content errors or failed
outputs, 2 usage errors (bad options, no project), 3 internal errors (a bug: rerun with
--debug for the traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from handoutkit import __version__
from handoutkit.diagnostics import Diagnostics, UserError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

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


def _today() -> dt.date:
    return state.today or dt.date.today()


def _project_root() -> Path:
    from handoutkit.loader import CONFIG_NAME, find_project_root

    if state.project is not None:
        root = state.project
        if not (root / CONFIG_NAME).is_file():
            raise UsageProblem(
                f"{root}: no {CONFIG_NAME} in this folder — is it a handoutkit project?"
            )
        return root.resolve()
    try:
        return find_project_root()
    except UserError as exc:
        raise UsageProblem(str(exc)) from None


class UsageProblem(Exception):
    """Bad options or no project: exit 2."""


def _print_diagnostics(diagnostics: Diagnostics) -> None:
    for diagnostic in diagnostics.sorted():
        typer.echo(str(diagnostic))


def _summary(diagnostics: Diagnostics, strict: bool) -> str:
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    text = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if strict and warnings and not errors:
        text += " (warnings are errors with --strict)"
    return text


@app.command()
def check(
    paths: PathsArg = None, strict: StrictOpt = False, fmt: FormatOpt = OutputFormat.text
) -> None:
    """Validate content: schema, citations, mandatory blocks and review dates."""
    from handoutkit.checks import check_project
    from handoutkit.loader import load_project

    root = _project_root()
    project = load_project(root, paths or [])
    diagnostics = check_project(project, _today(), whole_project=not paths)
    failed = diagnostics.has_errors(strict)
    if fmt is OutputFormat.json:
        report = {
            "ok": not failed,
            "documents": [d.shown for d in project.documents],
            "errors": len(diagnostics.errors),
            "warnings": len(diagnostics.warnings),
            "diagnostics": [d.to_json() for d in diagnostics.sorted()],
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_diagnostics(diagnostics)
        colour = "red" if failed else ("yellow" if diagnostics.warnings else "green")
        count = len(project.documents)
        err.print(f"[{colour}]checked {count} documents: {_summary(diagnostics, strict)}[/]")
    raise typer.Exit(EXIT_CONTENT if failed else EXIT_OK)


@app.command()
def build(
    paths: PathsArg = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: from handoutkit.yaml)."),
    ] = None,
    strict: StrictOpt = False,
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated outputs: pdf, html.")
    ] = "pdf",
) -> None:
    """Check, then build every document × edition × paper size into the output folder."""
    from handoutkit.build import FORMATS, build_project
    from handoutkit.diagnostics import display_path
    from handoutkit.loader import load_project

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise typer.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; use {', '.join(FORMATS)}",
            param_hint="--format",
        )
    root = _project_root()
    project = load_project(root, paths or [])
    out_dir = out if out is not None else root / project.config.output
    report = build_project(
        project, out_dir, today=_today(), formats=wanted, strict=strict, whole_project=not paths
    )
    _print_diagnostics(report.diagnostics)
    for result in report.results:
        if result.status == "built":
            for path in result.paths:
                pdf = path.suffix == ".pdf"
                pages = f" ({result.pages} page{'s' * (result.pages != 1)})" if pdf else ""
                err.print(f"[green]built[/] {display_path(path)}{pages}", markup=True)
        else:
            name = result.spec.relative_path("pdf").as_posix()
            err.print(f"[red]failed[/] {name}")
            for problem in result.problems:
                if problem not in report.diagnostics:
                    typer.echo(f"  {problem}", err=True)
    built = len(report.results) - len(report.failed)
    colour = "green" if report.ok else "red"
    err.print(
        f"[{colour}]{built} built, {len(report.failed)} failed; "
        f"{_summary(report.diagnostics, strict)}[/]"
    )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_CONTENT)


def main() -> NoReturn:
    """Console entry point: user errors without tracebacks, internal errors short unless --debug."""
    debug = "--debug" in sys.argv or bool(os.environ.get("HANDOUTKIT_DEBUG"))
    try:
        code = app(standalone_mode=False)  # returns the exit code of typer.Exit
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except UserError as exc:
        for line in str(exc).splitlines():
            typer.echo(line, err=True)
        sys.exit(EXIT_CONTENT if exc.diagnostics else EXIT_USAGE)
    except UsageProblem as exc:
        typer.echo(f"handoutkit: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("handoutkit: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors are handled below; anything else is a bug
        # typer vendors its own click, so recognise its usage errors by class name
        if any(base.__name__ == "ClickException" for base in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if debug:
            traceback.print_exc()
        typer.echo(
            f"handoutkit: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in handoutkit, not in your content. Rerun with --debug for details.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
