"""`handoutkit approve`: record a clinician's approval of documents, bound to their content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from handoutkit.cli.common import app, err, print_diagnostics, project_root, today
from handoutkit.errors import EXIT_CONTENT, EXIT_OK, UsageError


@app.command("approve")
def approve_command(
    documents: Annotated[
        list[str],
        typer.Argument(help="Document files or ids to approve.", show_default=False),
    ],
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="The reviewer's full name (default: review.reviewer)."),
    ] = None,
    credentials: Annotated[
        str | None,
        typer.Option("--credentials", help="Their credentials, e.g. MD or 'PharmD, BCPP'."),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Their role, e.g. 'Consultant psychiatrist'."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="The approval date, YYYY-MM-DD (default: today)."),
    ] = None,
) -> None:
    """Approve documents: record who approved which version of what content, and when.

    Only the document's `review:` block changes (status, last_reviewed, reviewer, approval),
    in place, comments and layout kept. A document with errors is not approved. When the
    document, or the references, crisis block or disclaimer it prints, change afterwards,
    `check` reports it as changed since approval and it prints DRAFT again.
    """
    from handoutkit.build.request import check_choices, split_paths_and_ids
    from handoutkit.content.approval import approved_text
    from handoutkit.content.loader import load_project
    from handoutkit.diagnostics import Diagnostics
    from handoutkit.fileio import write_atomic
    from handoutkit.lint.checks import check_project
    from handoutkit.models import Reviewer

    root = project_root()
    day = today() if date is None else _date(date)
    if day > today():
        raise UsageError(f"--date: {day.isoformat()} is in the future — give the review's date")
    files, ids = split_paths_and_ids(documents, Path.cwd())
    project = load_project(root)
    check_choices(ids, [d.model.id for d in project.documents], "DOCUMENT", noun="document id")
    chosen = [d for d in project.documents if d.model.id in ids]
    for path in files:
        wanted = path.resolve()
        found = [d for d in project.documents if wanted in (d.path, *d.path.parents)]
        if not found:
            raise UsageError(f"{path}: no document of this project here — check the path")
        chosen += [d for d in found if d not in chosen]
    # errors in the chosen documents, or in the shared data and configuration, block approval;
    # not those of their review blocks, which approving rewrites
    diagnostics = check_project(project, today(), whole_project=False)
    others = {d.shown for d in project.documents if d not in chosen} | set(project.unloaded)
    blocking = [
        d
        for d in diagnostics.errors
        if d.location.path not in others and d.rule not in ("review-status", "review-date")
    ]
    if blocking:
        print_diagnostics(Diagnostics(blocking))
        err.print("[red]nothing approved: fix these errors first[/]")
        raise typer.Exit(EXIT_CONTENT)
    for document in chosen:
        given = document.model.review.reviewer
        fields = {
            "name": reviewer or (given.name if given else None),
            "credentials": credentials or (given.credentials if given else None),
            "role": role or (given.role if given else None),
        }
        flags = {"name": "--reviewer", "credentials": "--credentials", "role": "--role"}
        missing = [flags[name] for name, value in fields.items() if not value]
        if missing:
            raise UsageError(
                f"{document.shown}: {', '.join(missing)} needed — an approval names the "
                "reviewer with name, credentials and role"
            )
        person = Reviewer.model_validate(fields)
        text, record = approved_text(project, document, person, day)
        if document.path.read_text(encoding="utf-8").removeprefix("\ufeff") != (
            document.source.text
        ):
            raise UsageError(f"{document.shown}: the file changed while approving — run it again")
        write_atomic(document.path.parent, Path(document.path.name), text.encode("utf-8"))
        typer.echo(
            f"approved {document.shown}: version {record.version}, by {record.by} "
            f"({person.role}), {record.date.isoformat()}; content sha256 {record.sha256[:12]}…"
        )
    raise typer.Exit(EXIT_OK)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date: '{text}' is not a date (YYYY-MM-DD)") from None
