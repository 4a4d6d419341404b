"""Command line: a thin layer over the stages (load → check → render → print → publish).

Exit codes: 0 success (warnings allowed unless --strict), 1 content errors or failed
outputs, 2 usage errors (bad options, no project), 3 internal errors (a bug: rerun with
--debug for the traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import sys
import traceback
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from handoutkit import __version__
from handoutkit.diagnostics import Diagnostics
from handoutkit.errors import (
    EXIT_CONTENT,
    EXIT_INTERNAL,
    EXIT_OK,
    HandoutkitError,
    UsageError,
)

if TYPE_CHECKING:
    from handoutkit.build.report import BuildReport
    from handoutkit.cli.progress import BuildDisplay
    from handoutkit.content.project import Project


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


class AuditEdition(StrEnum):  # the values of handoutkit.audit.Edition (imported lazily)
    auto = "auto"
    standard = "standard"
    large_print = "large-print"


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
    from handoutkit.resources import CONFIG_NAME, find_project_root

    if state.project is not None:
        root = state.project
        if not (root / CONFIG_NAME).is_file():
            raise UsageError(
                f"{root}: no {CONFIG_NAME} in this folder — is it a handoutkit project?"
            )
        return root.resolve()
    return find_project_root()


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
    """Validate content: schema, citations, mandatory blocks, review dates, plain language."""
    from handoutkit.content.loader import load_project
    from handoutkit.lint.checks import check_project
    from handoutkit.lint.plainlanguage import readability_reports, readability_tables

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
            "readability": readability_reports(project),
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_diagnostics(diagnostics)
        # the readability tables go to stderr, with the summary: stdout stays one
        # `path:line:col: severity: message` line per problem, for editors and grep
        for table in readability_tables(project):
            err.print(table)
        colour = "red" if failed else ("yellow" if diagnostics.warnings else "green")
        count = len(project.documents)
        err.print(f"[{colour}]checked {count} documents: {_summary(diagnostics, strict)}[/]")
    raise typer.Exit(EXIT_CONTENT if failed else EXIT_OK)


ListOpt = Annotated[list[str] | None, typer.Option(show_default=False)]


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
            "language and paper, for duplex printing); json prints the build report as JSON.",
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
    shard: Annotated[
        str | None,
        typer.Option("--shard", help="Build only share K of N of the matrix, e.g. 2/4."),
    ] = None,
) -> None:
    """Check, then build every document × edition × paper size (unchanged outputs are skipped)."""
    import time

    from handoutkit.build import state as buildstate
    from handoutkit.cli.progress import BuildDisplay

    wanted = _comma_list([formats])
    report_json = "json" in wanted
    outputs = tuple(f for f in wanted if f != "json") or ("pdf",)
    if "rack" in outputs and paths:  # a pack is always complete: never a part of the project
        raise typer.BadParameter(
            "a rack pack holds every handout of a language: build it without naming documents",
            param_hint="--format rack",
        )
    root, today = _project_root(), _today()
    display = BuildDisplay(err)
    # everything that decides what this build does, bar the files it reads (see buildstate)
    request = {
        "root": str(root),
        "cwd": os.getcwd(),
        "paths": paths or [],
        "out": None if out is None else str(out),
        "formats": list(outputs),
        "lang": lang or [],
        "edition": edition or [],
        "paper": paper or [],
        "shard": shard,
        "strict": strict,
    }
    report = None if force else buildstate.replay(root, request, today)
    if report is None:
        started_ns = time.time_ns()
        project, out_dir, report = _build(
            request, today, jobs, force, None if report_json else display
        )
        buildstate.record(root, request, today, project, out_dir, report, started_ns)
    elif not report_json:
        display.start(len(report.results))
        for result in report.results:
            display.step(result)
    if report_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_diagnostics(report.diagnostics)
        display.finish(
            report,
            f"{report.count('built')} built, {report.count('skipped')} unchanged, "
            f"{len(report.failed)} failed; {_summary(report.diagnostics, strict)}",
        )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_CONTENT)


def _build(
    request: dict[str, Any],
    today: dt.date,
    jobs: int | None,
    force: bool,
    display: BuildDisplay | None,
) -> tuple[Project, Path, BuildReport]:
    """Load, check and build `request` (the part of `build` a replayed no-op build skips)."""
    from handoutkit.build.run import FORMATS, Selection, build_project
    from handoutkit.content.loader import load_project

    root = Path(request["root"])
    _check_choices(request["formats"], FORMATS, "--format")
    files, ids = _paths_and_ids(request["paths"])
    project = load_project(root, files)
    config = project.config
    known_ids = [d.model.id for d in project.documents]
    _check_choices(ids, known_ids, "ID", noun="document id")
    selection = Selection(
        languages=tuple(_check_choices(_comma_list(request["lang"]), config.languages, "--lang")),
        editions=tuple(
            _check_choices(_comma_list(request["edition"]), config.editions, "--edition")
        ),
        papers=tuple(_check_choices(_comma_list(request["paper"]), config.paper_sizes, "--paper")),
        ids=tuple(ids),
        formats=tuple(request["formats"]),
        shard=_parse_shard(request["shard"]),
    )
    out_dir = root / config.output if request["out"] is None else Path(request["out"])
    report = build_project(
        project,
        out_dir,
        today=today,
        selection=selection,
        strict=request["strict"],
        whole_project=not request["paths"],
        jobs=jobs or os.cpu_count() or 1,
        force=force,
        on_plan=display.start if display else None,
        progress=display.step if display else None,
    )
    return project, out_dir, report


@app.command("merge-manifests")
def merge_manifests_command(
    manifests: Annotated[
        list[Path],
        typer.Argument(help="manifest.json files, e.g. from --shard runs.", show_default=False),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The merged manifest to write.")],
) -> None:
    """Merge the manifests of several builds (e.g. CI shards) into one."""
    from handoutkit.build.fileio import write_atomic
    from handoutkit.build.manifest import manifest_text, merge_manifests

    entries = merge_manifests(manifests)
    write_atomic(out.parent, Path(out.name), manifest_text(entries).encode())
    err.print(f"[green]merged {len(manifests)} manifests: {len(entries)} outputs[/]")


@app.command("new")
def new_command(
    folder: Annotated[
        Path, typer.Argument(help="A new or empty folder for the project.", show_default=False)
    ],
) -> None:
    """Create a project that builds out of the box: config, examples, shared data, schemas."""
    from handoutkit.content.scaffold import create_project, next_steps

    create_project(folder, _today())
    typer.echo(next_steps(shlex.quote(folder.as_posix())))


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
            out = _project_root() / PROJECT_SCHEMA_DIR
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

    root = _project_root()
    project = load_project(root, paths or [])
    today = _today()
    rows = document_rows(project, today)
    unloaded = [d for d in project.diagnostics.sorted() if d.location.path in project.unloaded]
    if fmt is OutputFormat.json:
        report = {"today": today.isoformat(), "documents": rows, "not_loaded": project.unloaded}
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        width = None if sys.stdout.isatty() else 200  # piped: one line per row, unwrapped
        Console(highlight=False, width=width).print(table(rows))
        typer.echo(summary(rows, today))
    for diagnostic in unloaded:  # the documents that could not be listed, and why
        typer.echo(str(diagnostic), err=True)
    if project.unloaded:
        err.print(f"[red]{len(project.unloaded)} document(s) not listed: run `handoutkit check`[/]")
    raise typer.Exit(EXIT_CONTENT if project.unloaded else EXIT_OK)


def _comma_list(values: list[str] | None) -> list[str]:
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def _check_choices(
    values: list[str], allowed: Iterable[str], option: str, *, noun: str = "value"
) -> list[str]:
    from handoutkit.diagnostics import did_you_mean

    allowed = list(allowed)
    for value in values:
        if value not in allowed:
            raise typer.BadParameter(
                f"unknown {noun} '{value}' — {did_you_mean(value, allowed)}", param_hint=option
            )
    return values


def _paths_and_ids(arguments: list[str]) -> tuple[list[Path], list[str]]:
    """Arguments that name files or folders are paths; the others are document ids."""
    paths, ids = [], []
    for argument in arguments:
        looks_like_path = "/" in argument or argument.endswith((".yaml", ".yml"))
        if looks_like_path or Path(argument).exists():
            paths.append(Path(argument))
        else:
            ids.append(argument)
    return paths, ids


def _parse_shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        k, n = (int(part) for part in value.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise typer.BadParameter(
            f"'{value}' is not K/N with 1 <= K <= N, e.g. 1/4", param_hint="--shard"
        )
    return k, n


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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@app.command()
def preview(
    paths: PathsArg = None,
    port: Annotated[
        int,
        typer.Option("--port", help="Port on 127.0.0.1 (0 picks a free one).", min=0, max=65535),
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the preview in a web browser.")
    ] = True,
) -> None:
    """Preview while you write: a local server that rebuilds on change and reloads the page."""
    import signal
    import webbrowser

    from handoutkit.preview.server import Preview, PreviewError

    root = _project_root()
    for path in paths or []:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder — check the path")
    server = Preview(
        root,
        selected=paths or [],
        today=_today,
        port=port,
        debug=state.debug,
        report=typer.echo,
        status=lambda line: err.print(line, markup=False, soft_wrap=True),
    )
    try:
        server.start()
    except PreviewError as exc:
        raise UsageError(str(exc)) from None
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill`: stop as for Ctrl+C
    try:
        err.print(f"[green]preview at {server.url}[/] — rebuilds on change; Ctrl+C stops it")
        if open_browser:
            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()  # removes its temporary folder
    err.print("preview stopped")
    raise typer.Exit(EXIT_OK)


def main() -> NoReturn:
    """Console entry point: user errors without tracebacks, internal errors short unless --debug."""
    debug = "--debug" in sys.argv or bool(os.environ.get("HANDOUTKIT_DEBUG"))
    try:
        code = app(standalone_mode=False)  # returns the exit code of typer.Exit
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except HandoutkitError as exc:
        for line in exc.lines():
            typer.echo(line, err=True)
        sys.exit(exc.exit_code)
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
