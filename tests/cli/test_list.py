"""`handoutkit list`: documents with their review status and reading level."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

# The mini project's documents were last reviewed on 2026-11-01; the project's interval is
# 12 months, so their next review is due on 2027-11-01.
DUE = "2027-11-01"


def _json(run, project: Path, *args: str, today: str) -> dict:
    result = run("list", "--format", "json", *args, cwd=project, today=today)
    assert result.code == 0, result.text
    return json.loads(result.out)


@pytest.mark.parametrize(
    ("today", "status", "days"),
    [
        ("2026-11-23", "ok", 343),
        ("2027-10-01", "ok", 31),
        ("2027-10-02", "due-soon", 30),  # within 30 days
        ("2027-11-01", "due-soon", 0),  # due today: not yet overdue (as in `check`)
        ("2027-11-02", "overdue", -1),
    ],
)
def test_review_status_relative_to_today(
    run, mini: Path, today: str, status: str, days: int
) -> None:
    report = _json(run, mini, today=today)
    assert report["today"] == today
    assert [(d["id"], d["status"], d["days_until_due"]) for d in report["documents"]] == [
        ("demo-brief-en", status, days),
        ("demo-handout-en", status, days),
    ]


def test_json_row_has_every_column(run, mini: Path) -> None:
    report = _json(run, mini, today="2026-11-23")
    handout = report["documents"][1]
    reading = handout.pop("reading")
    assert handout == {
        "path": "content/demo/handout.en.yaml",
        "id": "demo-handout-en",
        "code": "TEST-PH-EN",
        "title": "A test handout",
        "kind": "handout",
        "topic": "demo",
        "language": "en",
        "editions": ["standard"],
        "last_reviewed": "2026-11-01",
        "next_review_due": DUE,
        "days_until_due": 343,
        "status": "ok",
        "review_status": "draft",  # no `status:`: a draft until approved
        "changed_since_approval": False,
        "reviewer": "Test Reviewer",
    }
    assert reading["measure"] == "flesch_kincaid" and reading["label"] == "Flesch-Kincaid grade"
    assert isinstance(reading["score"], float)
    assert report["not_loaded"] == []


def test_reading_level_is_the_gate_measure_of_the_language(run, mini: Path) -> None:
    """Flesch-Kincaid for English, Szigriszt-Pazos (INFLESZ) for Spanish; as `check` shows."""
    from handoutkit.content.loader import load_project
    from handoutkit.lint.readability import SZIGRISZT_PAZOS, measure

    spanish = mini / "content" / "demo" / "handout.es.yaml"
    spanish.write_text(
        (mini / "content" / "demo" / "handout.en.yaml")
        .read_text(encoding="utf-8")
        .replace("id: demo-handout-en", "id: demo-handout-es")
        .replace("language: en", "language: es")
        .replace("TEST-PH-EN", "TEST-PH-ES")
        .replace("Talk to your care team", "Hable con su equipo de atención médica"),
        encoding="utf-8",
    )
    report = _json(run, mini, "content/demo/handout.es.yaml", today="2026-11-23")
    [row] = report["documents"]
    assert row["language"] == "es"
    expected = measure(load_project(mini, [spanish]).documents[0].model).score(SZIGRISZT_PAZOS)
    assert row["reading"]["measure"] == "szigriszt_pazos"
    assert row["reading"]["score"] == round(expected, 1)


def test_text_table(run, mini: Path) -> None:
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text().replace("editions: [standard]", "editions: [standard, large-print]")
    )
    (mini / "content" / "demo" / "brief.en.yaml").write_text(
        (mini / "content" / "demo" / "brief.en.yaml")
        .read_text()
        .replace("last_reviewed: 2026-11-01", "last_reviewed: 2026-10-01")
    )
    result = run("list", cwd=mini, today="2027-10-15")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    # two lines a document: id, title, last review, approval, reading; then code, kind ·
    # language, next review due, review date status
    at = next(i for i, line in enumerate(lines) if line.startswith("demo-brief-en"))
    brief = lines[at] + " | " + lines[at + 1]
    at = next(i for i, line in enumerate(lines) if line.startswith("demo-handout-en"))
    handout = lines[at] + " | " + lines[at + 1]
    for expected in ("A test brief", "brief · en", "2026-10-01", "2027-10-01", "TEST-CB-EN"):
        assert expected in brief
    assert "draft" in brief and "overdue" in brief and "FK " in brief
    assert "due soon" in handout and DUE in handout
    assert lines[-3] == (
        "2 documents: 1 due within 30 days, 1 overdue (review status on 2027-10-15); 2 draft"
    )
    assert lines[-2] == "Each is built in: standard, large-print"
    assert lines[-1].startswith("Reading: FK = Flesch-Kincaid school grade (English; lower")


def test_the_table_fits_an_80_column_terminal(mini: Path) -> None:
    """Issue 6/8, point 9: Status and Reading were cut off at 80 columns."""
    from rich.console import Console

    from handoutkit.content.loader import load_project
    from handoutkit.lint.listing import document_rows, table

    handout = mini / "content" / "demo" / "handout.en.yaml"
    long_title = "A much longer title than usual, about telehealth visits and how to get ready"
    handout.write_text(handout.read_text().replace("title: A test handout", f"title: {long_title}"))
    rows = document_rows(load_project(mini), dt.date(2026, 12, 1))
    console = Console(width=80, record=True, color_system=None)
    console.print(table(rows, 80))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    header = " ".join(lines[:2])
    for column in ("Document", "Title", "Reviewed", "Approval", "Review", "Reading"):
        assert column in header
    text = "\n".join(lines)
    assert text.count("draft") == 2 and text.count("FK ") == 2
    assert "demo-handout-en " in text and "TEST-PH-EN" in text
    assert "telehealth" in text  # the title wraps, whole


def test_a_document_that_does_not_load_is_reported(run, mini: Path) -> None:
    broken = mini / "content" / "demo" / "handout.en.yaml"
    broken.write_text(broken.read_text().replace("title:", "titel:"))
    result = run("list", "--format", "json", cwd=mini)
    assert result.code == 1
    report = json.loads(result.out)
    assert [d["id"] for d in report["documents"]] == ["demo-brief-en"]
    assert report["not_loaded"] == ["content/demo/handout.en.yaml"]
    assert "content/demo/handout.en.yaml:4:1: error: unknown key 'titel'" in result.err
