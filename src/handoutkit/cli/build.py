"""`handoutkit build` and `handoutkit merge-manifests`."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from handoutkit.cli.common import (
    StrictOpt,
    app,
    comma_list,
    err,
    project_root,
    summary,
    today,
)
from handoutkit.diagnostics import Diagnostics
from handoutkit.errors import (
    EXIT_CONTENT,
    EXIT_HANGUP,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
)

if TYPE_CHECKING:
    from handoutkit.build.report import BuildReport
    from handoutkit.cli.progress import BuildDisplay

NOTES = ("build", "rack")  # why an output was not built: the problems counted already


@app.command()
def build(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Documents or topic folders, or document ids (default: the whole project).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: from handoutkit.yaml)."),
    ] = None,
    strict: StrictOpt = False,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            help="Comma-separated: pdf, html, rack (outputs; rack: one pack of all handouts per "
            "language and paper, for duplex printing), site (a static library website in "
            "<out>/site/, with everything it links to); json prints the build report as JSON.",
        ),
    ] = "pdf",
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Only these languages (repeat or comma-separate)."),
    ] = None,
    edition: Annotated[
        list[str] | None, typer.Option("--edition", help="Only these editions.")
    ] = None,
    paper: Annotated[
        list[str] | None, typer.Option("--paper", help="Only these paper sizes.")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Worker processes (default: CPU count).", min=1),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild outputs even when unchanged.")
    ] = False,
    release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="For patient use: refuse documents not approved (or changed since approval) "
            "and sample organization data; without it, such documents build marked DRAFT.",
        ),
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option("--shard", help="Build only share K of N of the matrix, e.g. 2/4."),
    ] = None,
    include_drafts: Annotated[
        bool,
        typer.Option(
            "--include-drafts",
            help="--format site: also list documents that are not approved, with a banner.",
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Delete the outputs in the output folder whose source is gone (a document "
            "deleted or renamed, a language, edition, paper size or rack pack no longer "
            "configured); without it they are reported.",
        ),
    ] = False,
    pdf_standard: Annotated[
        str | None,
        typer.Option(
            "--pdf-standard",
            help="ua-1 (PDF/UA-1) or ua-2 (PDF/UA-2 and WTPDF, PDF 2.0); default: the "
            "project's pdf_standard (ua-1).",
        ),
    ] = None,
) -> None:
    """Check, then build every document × edition × paper size (unchanged outputs are skipped)."""
    from handoutkit.build.request import BuildRequest, run_build
    from handoutkit.cli.progress import BuildDisplay

    wanted = comma_list([formats])
    report_json = "json" in wanted
    request = BuildRequest(
        root=project_root(),
        today=today(),
        paths=tuple(paths or ()),
        out=out,
        formats=tuple(f for f in wanted if f != "json") or ("pdf",),
        languages=tuple(comma_list(lang)),
        editions=tuple(comma_list(edition)),
        papers=tuple(comma_list(paper)),
        shard=shard,
        strict=strict,
        release=release,
        force=force,
        pdf_standard=pdf_standard,
        jobs=jobs,
        include_drafts=include_drafts,
        prune=prune,
    )
    display = None if report_json else BuildDisplay(err, report=typer.echo)
    outcome = run_build(
        request,
        on_plan=display.start if display else None,
        progress=display.step if display else None,
    )
    report = outcome.report
    if report.stopped_by is not None:
        raise typer.Exit(_stopped(report, display))
    if display is None:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:  # (the check's problems were printed before the progress, by display.start)
        for name in report.pruned:
            err.print(f"removed {name} (its source is gone)", markup=False, highlight=False)
        # the summary counts the outputs' own problems too (the print stage's), but not the
        # "not built" notes
        counted = Diagnostics(report.diagnostics)
        counted += [p for r in report.results for p in r.problems if p.rule not in NOTES]
        display.finish(
            report,
            f"{report.count('built')} built, {report.count('skipped')} unchanged, "
            f"{len(report.failed)} failed; {summary(counted, strict)}",
        )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_CONTENT)


def _stopped(report: BuildReport, display: BuildDisplay | None) -> int:
    """A build stopped by SIGINT, SIGTERM or SIGHUP: one line, and 128 + the signal."""
    line = (
        f"handoutkit: stopped by {report.stopped_by_name}: {report.count('built')} built, "
        f"{report.count('skipped')} unchanged, {len(report.failed)} failed, "
        f"{report.count('stopped')} not built; the manifest lists what was completed"
    )
    try:  # after SIGHUP the terminal may be gone: the exit status still tells
        if display is None:
            typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            display.stopped(report, line)
    except OSError:
        pass
    codes = {signal.SIGINT: EXIT_INTERRUPTED, signal.SIGTERM: EXIT_TERMINATED}
    return codes.get(signal.Signals(report.stopped_by or signal.SIGHUP), EXIT_HANGUP)


@app.command("merge-manifests")
def merge_manifests_command(
    manifests: Annotated[
        list[Path],
        typer.Argument(help="manifest.json files, e.g. from --shard runs.", show_default=False),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The merged manifest to write.")],
) -> None:
    """Merge the manifests of several builds (e.g. CI shards) into one."""
    from handoutkit.build.manifest import manifest_text, merge_manifests
    from handoutkit.fileio import write_atomic

    entries = merge_manifests(manifests)
    write_atomic(out.parent, Path(out.name), manifest_text(entries).encode())
    err.print(f"[green]merged {len(manifests)} manifests: {len(entries)} outputs[/]")
