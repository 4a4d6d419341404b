"""`handoutkit audit`: the preflight of any PDF (accessibility and print)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from handoutkit.cli.common import FormatOpt, OutputFormat, app, comma_list, err
from handoutkit.errors import EXIT_CONTENT, EXIT_OK, UsageError

FLAVOURS = ("ua1", "ua2", "wt1a", "wt1r")  # veraPDF's --flavour values handoutkit documents


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
    flavour: Annotated[
        list[str] | None,
        typer.Option(
            "--flavour",
            help="veraPDF validation profiles (repeat or comma-separate): ua1 (PDF/UA-1, the "
            "default), ua2 (PDF/UA-2), wt1a (WTPDF 1.0 accessibility), wt1r (WTPDF reuse).",
        ),
    ] = None,
    transcript: Annotated[
        bool,
        typer.Option(
            "--transcript",
            help="Print what a screen reader reads, in structure order, instead of auditing.",
        ),
    ] = False,
    fmt: FormatOpt = OutputFormat.text,
) -> None:
    """Preflight PDFs: tags, language, title, PDF/UA, fonts, alt text, headings, text sizes."""
    from handoutkit.audit import audit_files
    from handoutkit.audit.verapdf import RunError

    if transcript:
        _print_transcripts(pdfs, fmt)
        return
    flavours = comma_list(flavour) or ["ua1"]
    unknown = [f for f in flavours if f not in FLAVOURS]
    if unknown:
        raise UsageError(
            f"--flavour {unknown[0]}: not a veraPDF profile; choose from {', '.join(FLAVOURS)}"
        )
    try:
        report = audit_files(
            pdfs,
            edition=edition.value,
            verapdf=verapdf,
            shown=[p.as_posix() for p in pdfs],
            flavours=flavours,
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


def _print_transcripts(pdfs: list[Path], fmt: OutputFormat) -> None:
    """`audit --transcript`: each file's transcript (JSON: its lines), or why there is none."""
    from handoutkit.audit.transcript import read_transcript

    results = {}
    failed = False
    for path in pdfs:
        lines, problem = read_transcript(path)
        failed = failed or problem is not None
        results[path.as_posix()] = {"lines": lines, "error": problem}
        if fmt is OutputFormat.text:
            if problem is not None:
                err.print(f"[red]{path.as_posix()}: error: {problem}[/]")
                continue
            if len(pdfs) > 1:
                typer.echo(f"== {path.as_posix()}")
            typer.echo("\n".join(lines))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    raise typer.Exit(EXIT_CONTENT if failed else EXIT_OK)
