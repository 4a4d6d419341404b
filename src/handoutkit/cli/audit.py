"""`handoutkit audit`: the preflight of any PDF (accessibility and print)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from handoutkit.cli.common import FormatOpt, OutputFormat, app, err
from handoutkit.errors import EXIT_CONTENT, EXIT_OK, UsageError


class AuditEdition(StrEnum):  # the values of handoutkit.audit.Edition (imported lazily)
    auto = "auto"
    standard = "standard"
    large_print = "large-print"


@app.command()
def audit(
    pdfs: Annotated[
        list[Path],
        typer.Argument(
            help="PDF files (any PDF, not only ours).", show_default=False, metavar="PDF"
        ),
    ],
    edition: Annotated[
        AuditEdition,
        typer.Option(
            "--edition",
            help="Text-size rules to apply; auto: large print when the PDF's keywords say "
            "'large print' or its file name contains 'large-print'.",
        ),
    ] = AuditEdition.auto,
    verapdf: Annotated[
        bool | None,
        typer.Option(
            "--verapdf/--no-verapdf",
            help="Validate with veraPDF (PDF/UA-1); default: when it is installed.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.text,
) -> None:
    """Preflight PDFs: tags, language, title, PDF/UA, fonts, alt text, headings, text sizes."""
    from handoutkit.audit import audit_files
    from handoutkit.audit.verapdf import RunError

    try:
        report = audit_files(
            pdfs, edition=edition.value, verapdf=verapdf, shown=[p.as_posix() for p in pdfs]
        )
    except RunError as exc:  # only when --verapdf was asked for and cannot run
        raise UsageError(str(exc)) from None
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for result in report.files:
            for problem in result.problems:
                typer.echo(str(problem))
            typer.echo(result.summary())
        for note in report.notes:
            typer.echo(f"note: {note}")
        failed = sum(not f.ok for f in report.files)
        colour = "red" if failed else "green"
        err.print(
            f"[{colour}]{len(report.files)} audited: "
            f"{len(report.files) - failed} pass, {failed} fail[/]"
        )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_CONTENT)
