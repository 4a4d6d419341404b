"""`handoutkit check`: load and check the content, print every problem at once."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from handoutkit.cli.common import (
    FormatOpt,
    OutputFormat,
    PathsArg,
    StrictOpt,
    app,
    err,
    print_diagnostics,
    project_root,
    summary,
    today,
)
from handoutkit.errors import EXIT_CONTENT, EXIT_OK


@app.command()
def check(
    paths: PathsArg = None,
    strict: StrictOpt = False,
    fmt: FormatOpt = OutputFormat.text,
    release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="Also what `build --release` refuses: documents not approved, sample "
            "organization data.",
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Show the reading-level figures of every section, and what they mean.",
        ),
    ] = False,
) -> None:
    """Validate content: schema, citations, claims, mandatory blocks, reviews, plain language."""
    from handoutkit.content.loader import load_project
    from handoutkit.lint.checks import check_project
    from handoutkit.lint.readingreport import (
        LEGEND,
        readability_reports,
        readability_summaries,
        readability_tables,
    )

    root = project_root()
    project = load_project(root, paths or [])
    diagnostics = check_project(project, today(), whole_project=not paths, release=release)
    failed = diagnostics.has_errors(strict)
    if fmt is OutputFormat.json:
        report = {
            "ok": not failed,
            "documents": [d.shown for d in project.documents],
            "errors": len(diagnostics.errors),
            "warnings": len(diagnostics.warnings),
            "diagnostics": [d.to_json() for d in diagnostics.sorted()],
            "readability": readability_reports(project),
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_diagnostics(diagnostics)
        # the reading levels go to stderr, with the summary: stdout stays one
        # `path:line:col: severity: message` line per problem, for editors and grep
        if verbose:
            for table in readability_tables(project):
                err.print(table)
            err.print(LEGEND, highlight=False)
        elif project.documents:
            err.print("Reading level:", highlight=False)
            for line in readability_summaries(project):
                err.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
            err.print("  (`check --verbose`: each section, and what the figures mean)")
        colour = "red" if failed else ("yellow" if diagnostics.warnings else "green")
        count = len(project.documents) + len(project.unloaded)
        unread = f" ({len(project.unloaded)} could not be read)" if project.unloaded else ""
        err.print(f"[{colour}]checked {count} documents{unread}: {summary(diagnostics, strict)}[/]")
    raise typer.Exit(EXIT_CONTENT if failed else EXIT_OK)
