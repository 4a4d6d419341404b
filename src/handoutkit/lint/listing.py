"""`handoutkit list`: the documents of a project, their review status and reading level.

One row per document file: id and code, title, kind, language, the editions it is built in,
when it was last reviewed and when its next review is due, the review status on `today`, its
approval (draft, in review, or approved and unchanged since: `content.approval`), and
the reading-level figure the plain-language gate uses (Flesch-Kincaid grade for English,
Szigriszt-Pazos on the INFLESZ scale for Spanish; see `readability`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from handoutkit.content.approval import review_state, reviewer_line
from handoutkit.content.project import Project, SourceDocument
from handoutkit.lint.readability import FLESCH_KINCAID, SZIGRISZT_PAZOS, measure

DUE_SOON_DAYS = 30
STATUS_TEXT = {
    "ok": "ok",
    "due-soon": "due within 30 days",
    "overdue": "overdue",
    "not-reviewed": "never reviewed",
}
STATUS_STYLE = {"ok": "green", "due-soon": "yellow", "overdue": "bold red", "not-reviewed": "dim"}
APPROVAL_TEXT = {"draft": "draft", "in-review": "in review", "approved": "approved"}
APPROVAL_STYLE = {"draft": "bold red", "in-review": "yellow", "approved": "green"}
SHORT_MEASURE = {FLESCH_KINCAID.name: "FK grade", SZIGRISZT_PAZOS.name: "INFLESZ"}


def review_status(due: dt.date | None, today: dt.date) -> str:
    """ok, due-soon (due today or within 30 days), overdue (due before today) or not-reviewed
    (no review date yet)."""
    if due is None:
        return "not-reviewed"
    if due < today:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due-soon"
    return "ok"


def document_row(project: Project, document: SourceDocument, today: dt.date) -> dict[str, Any]:
    model = document.model
    review = model.review
    due = review.due(project.config.review_interval_months)
    state = review_state(project, document)
    reading = measure(model)
    gate = reading.gate_measure
    score = reading.score(gate) if gate is not None else None
    return {
        "path": document.shown,
        "id": model.id,
        "code": model.code,
        "title": model.title,
        "kind": model.type,
        "topic": document.topic,
        "language": model.language,
        "editions": list(project.config.editions),
        "last_reviewed": review.last_reviewed.isoformat() if review.last_reviewed else None,
        "next_review_due": due.isoformat() if due else None,
        "days_until_due": (due - today).days if due else None,
        "status": review_status(due, today),
        "review_status": state.effective,  # draft, in-review or approved (and unchanged since)
        "changed_since_approval": state.changed,
        "reviewer": reviewer_line(review.reviewer) if review.reviewer else None,
        "reading": None
        if gate is None
        else {
            "measure": gate.name,
            "label": gate.label,
            "score": None if score is None else round(score, 1),
        },
    }


def document_rows(project: Project, today: dt.date) -> list[dict[str, Any]]:
    return [document_row(project, document, today) for document in project.documents]


def summary(rows: list[dict[str, Any]], today: dt.date) -> str:
    """The lines under the table: counts by review status, and what the figures mean."""
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUS_TEXT}
    by_status = ", ".join(f"{n} {STATUS_TEXT[status]}" for status, n in counts.items() if n)
    approvals = {s: sum(row["review_status"] == s for row in rows) for s in APPROVAL_TEXT}
    by_approval = ", ".join(f"{n} {APPROVAL_TEXT[s]}" for s, n in approvals.items() if n)
    return (
        f"{len(rows)} document{'s' * (len(rows) != 1)}{': ' + by_status if rows else ''} "
        f"(review status on {today.isoformat()}){'; ' + by_approval if rows else ''}\n"
        "Reading: Flesch-Kincaid grade (English; lower is easier), INFLESZ score (Spanish; "
        "0-100, higher is easier)"
    )


def table(rows: list[dict[str, Any]]) -> Table:
    result = Table(box=box.SIMPLE_HEAD, show_edge=False)
    result.add_column("Document", no_wrap=True)
    result.add_column("Title", overflow="fold", ratio=1, min_width=16)
    result.add_column("Kind")
    result.add_column("Lang")
    result.add_column("Editions")
    result.add_column("Reviewed", no_wrap=True)
    result.add_column("Next review", no_wrap=True)
    result.add_column("Status")
    result.add_column("Approval")
    result.add_column("Reading", no_wrap=True, justify="right")
    for row in rows:
        document = Text(row["id"])
        document.append("\n" + row["code"], style="dim")
        status = row["status"]
        reading = row["reading"]
        figure = "–"
        if reading is not None and reading["score"] is not None:
            figure = f"{SHORT_MEASURE.get(reading['measure'], reading['label'])} {reading['score']}"
        result.add_row(
            document,
            row["title"],
            row["kind"],
            row["language"],
            "\n".join(row["editions"]),
            row["last_reviewed"] or "–",
            row["next_review_due"] or "–",
            Text(STATUS_TEXT[status], style=STATUS_STYLE[status]),
            _approval(row),
            figure,
        )
    return result


def _approval(row: dict[str, Any]) -> Text:
    status = row["review_status"]
    text = Text(APPROVAL_TEXT[status], style=APPROVAL_STYLE[status])
    if row["changed_since_approval"]:
        text.append("\nchanged since approval", style="yellow")
    return text
