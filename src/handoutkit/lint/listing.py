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
SHORT_MEASURE = {FLESCH_KINCAID.name: "FK", SZIGRISZT_PAZOS.name: "INFLESZ"}
# the table fits an 80-column terminal: the same words, shorter
SHORT_STATUS = {**STATUS_TEXT, "due-soon": "due soon"}


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


def summary(rows: list[dict[str, Any]], today: dt.date, editions: list[str]) -> str:
    """The lines under the table: counts by review status, editions, what the figures mean."""
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUS_TEXT}
    by_status = ", ".join(f"{n} {STATUS_TEXT[status]}" for status, n in counts.items() if n)
    approvals = {s: sum(row["review_status"] == s for row in rows) for s in APPROVAL_TEXT}
    by_approval = ", ".join(f"{n} {APPROVAL_TEXT[s]}" for s, n in approvals.items() if n)
    return (
        f"{len(rows)} document{'s' * (len(rows) != 1)}{': ' + by_status if rows else ''} "
        f"(review status on {today.isoformat()}){'; ' + by_approval if rows else ''}\n"
        f"Each is built in: {', '.join(editions)}\n"
        "Reading: FK = Flesch-Kincaid school grade (English; lower is easier), INFLESZ = "
        "Szigriszt-Pazos score (Spanish; 0-100, higher is easier)"
    )


def table(rows: list[dict[str, Any]], width: int = 80) -> Table:
    """Two lines a document and five columns, sized so that `width` columns (a terminal's
    80) show them all: the title takes what the others leave and wraps."""
    figures = [_figure(row) for row in rows]
    widths = {
        "document": min(max((len(row["id"]) for row in rows), default=8), 30),
        "reviewed": 10,
        "status": 14,
        "reading": max((len(figure) for figure in figures), default=7),
    }
    # two spaces between columns: the box's separator and one more in each column's width
    widths = {name: size + (name != "reading") for name, size in widths.items()}
    title = max(12, width - sum(widths.values()) - 4 - 1)
    result = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0))
    result.add_column("Document\nCode", overflow="fold", width=widths["document"])
    result.add_column("Title\nKind · lang", overflow="fold", width=title)
    result.add_column("Reviewed\nNext due", no_wrap=True, width=widths["reviewed"])
    result.add_column("Approval\nReview", overflow="fold", width=widths["status"])
    result.add_column("Reading", no_wrap=True, justify="right", width=widths["reading"])
    for row, figure in zip(rows, figures, strict=True):
        document = Text(row["id"])
        document.append("\n" + row["code"], style="dim")
        heading = Text(row["title"])
        heading.append(f"\n{row['kind']} · {row['language']}", style="dim")
        result.add_row(
            document,
            heading,
            f"{row['last_reviewed'] or '–'}\n{row['next_review_due'] or '–'}",
            _status(row),
            figure,
        )
    return result


def _figure(row: dict[str, Any]) -> str:
    reading = row["reading"]
    if reading is None or reading["score"] is None:
        return "–"
    return f"{SHORT_MEASURE.get(reading['measure'], reading['label'])} {reading['score']}"


def _status(row: dict[str, Any]) -> Text:
    """Approval (draft, in review, approved; changed since) over the review date status."""
    approval, status = row["review_status"], row["status"]
    text = Text(APPROVAL_TEXT[approval], style=APPROVAL_STYLE[approval])
    if row["changed_since_approval"]:
        text.append(", changed", style="yellow")
    text.append("\n" + SHORT_STATUS[status], style=STATUS_STYLE[status])
    return text
