"""`handoutkit new`, `handoutkit schema` and `handoutkit list`: starting and surveying a
project."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from handoutkit.cli.common import (
    FormatOpt,
    OutputFormat,
    PathsArg,
    app,
    err,
    project_root,
    today,
)
from handoutkit.errors import EXIT_CONTENT, EXIT_OK, UsageError


@app.command("new")
def new_command(
    folder: Annotated[
        Path, typer.Argument(help="A new or empty folder for the project.", show_default=False)
    ],
) -> None:
    """Create a project that builds out of the box: config, examples, shared data, schemas."""
    from handoutkit.content.scaffold import create_project, next_steps

    create_project(folder, today())
    typer.echo(next_steps(shlex.quote(folder.as_posix()), command=how_to_run()))


def how_to_run() -> str:
    """What the user types to run this handoutkit: `handoutkit` when that name on PATH is this
    very program, else its full path (the next steps start with `cd`, so not a relative one)."""
    script = Path(sys.argv[0]).absolute()
    found = shutil.which("handoutkit")
    if found is not None and Path(found).resolve() == script.resolve():
        return "handoutkit"
    if script.name == "handoutkit" and script.is_file():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m handoutkit"


@app.command("schema")
def schema_command(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder to write to (default: .handoutkit/schemas in the project, where "
            "`handoutkit new` points each file's schema line).",
        ),
    ] = None,
) -> None:
    """Write the JSON Schema of each kind of content file, for editor completion and checks."""
    from handoutkit.content.schema import PROJECT_SCHEMA_DIR, write_schemas
    from handoutkit.diagnostics import display_path

    if out is None:
        try:
            out = project_root() / PROJECT_SCHEMA_DIR
        except UsageError:
            raise UsageError(
                "no handoutkit.yaml found here or above — pass --out DIR, or run inside a project"
            ) from None
    for path in write_schemas(out):
        typer.echo(display_path(path))


@app.command("list")
def list_command(paths: PathsArg = None, fmt: FormatOpt = OutputFormat.text) -> None:
    """List documents: languages, editions, review dates and status, reading level."""
    from handoutkit.content.loader import load_project
    from handoutkit.lint.listing import document_rows, summary, table

    root = project_root()
    project = load_project(root, paths or [])
    day = today()
    rows = document_rows(project, day)
    unloaded = [d for d in project.diagnostics.sorted() if d.location.path in project.unloaded]
    if fmt is OutputFormat.json:
        report = {"today": day.isoformat(), "documents": rows, "not_loaded": project.unloaded}
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
        console.print(table(rows, console.width))  # piped: 200 columns, titles unwrapped
        typer.echo(summary(rows, day, list(project.config.editions)))
    for diagnostic in unloaded:  # the documents that could not be listed, and why
        typer.echo(str(diagnostic), err=True)
    if project.unloaded:
        err.print(f"[red]{len(project.unloaded)} document(s) not listed: run `handoutkit check`[/]")
    raise typer.Exit(EXIT_CONTENT if project.unloaded else EXIT_OK)
