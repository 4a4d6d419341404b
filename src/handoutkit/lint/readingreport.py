"""The readability figures of each document, for people: `check` prints one line per
document (its gate figure against the audience's target and limit, its longest sentence);
`check --verbose` prints a table per document (every section, every measure) and a legend
that says what FK, SMOG and INFLESZ mean; `check --format json` has them all.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from handoutkit.content.project import Project, SourceDocument
from handoutkit.lint.plainlanguage import gate, inflesz_band
from handoutkit.lint.readability import (
    FLESCH_KINCAID,
    MIN_SECTION_WORDS,
    SZIGRISZT_PAZOS,
    Counts,
    Measure,
    Reading,
    measure,
)

# --------------------------------------------------------------------------- report


def report(project: Project, document: SourceDocument, reading: Reading) -> dict[str, Any]:
    """The readability figures of a document for `check --format json` and the table."""
    limits = project.config.reading.limits(document.model.audience)
    found = gate(reading, limits)
    sections = []
    for part in reading.parts:
        where = document.source.locate(part.loc)
        sections.append(
            {
                "name": part.name,
                "location": {"path": where.path, "line": where.line, "col": where.col},
                "reliable": part.reliable,
                **_figures(reading, part.counts),
            }
        )
    return {
        "document": document.shown,
        "language": reading.language,
        "audience": document.model.audience,
        "gate": None
        if found is None
        else {"measure": found.measure.name, "target": found.target, "limit": found.limit},
        "max_sentence_words": limits.max_sentence_words,
        "min_section_words": MIN_SECTION_WORDS,
        "total": _figures(reading, reading.counts),
        "sections": sections,
    }


def _figures(reading: Reading, counts: Counts) -> dict[str, Any]:
    figures = reading.figures(counts)
    if figures.get(SZIGRISZT_PAZOS.name) is not None:
        figures["inflesz_band"] = inflesz_band(figures[SZIGRISZT_PAZOS.name])
    return figures


SHORT_LABELS = {
    "flesch_kincaid": "FK grade",
    "smog": "SMOG",
    "szigriszt_pazos": "INFLESZ",
    "fernandez_huerta": "F-Huerta",
}


def table(project: Project, document: SourceDocument, reading: Reading) -> Table:
    """A readability table for the terminal: one row per section and the whole document."""
    data = report(project, document, reading)
    measures = list(reading.measures)
    title = f"{data['document']} — {data['audience']}, {data['language']}"
    grid = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    grid.add_column("section", overflow="fold")
    for name in ("words", "sentences", "longest"):
        grid.add_column(name, justify="right")
    for item in measures:
        grid.add_column(SHORT_LABELS.get(item.name, item.name), justify="right")
    for section in data["sections"]:
        figures = [_figure(section[m.name], section["reliable"]) for m in measures]
        grid.add_row(
            section["name"],
            str(section["words"]),
            str(section["sentences"]),
            str(section["longest_sentence"]),
            *figures,
        )
    total = data["total"]
    grid.add_row(
        "[bold]whole document[/]",
        str(total["words"]),
        str(total["sentences"]),
        str(total["longest_sentence"]),
        *(f"[bold]{_figure(total[m.name], True)}[/]" for m in measures),
        end_section=True,
    )
    grid.caption = _caption(data, measures)
    grid.caption_justify = "left"
    return grid


def _figure(value: float | None, reliable: bool) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if reliable else f"({value:.1f})"


def _caption(data: dict[str, Any], measures: list[Measure]) -> str:
    notes = []
    found = data["gate"]
    if found:
        label = next(m.label for m in measures if m.name == found["measure"])
        sign = "≤" if found["measure"] == FLESCH_KINCAID.name else "≥"
        bounds = [
            f"{name} {sign} {value:g}"
            for name, value in (("target", found["target"]), ("limit", found["limit"]))
            if value is not None
        ]
        notes.append(f"gate on {label}, whole document: {', '.join(bounds)}")
    elif measures:
        notes.append("no reading-level gate")
    if data["max_sentence_words"]:
        notes.append(f"sentences ≤ {data['max_sentence_words']} words")
    if any(not s["reliable"] for s in data["sections"]):
        notes.append(f"(…) under {MIN_SECTION_WORDS} words, not reliable")
    return "; ".join(notes)


def readability_reports(project: Project) -> list[dict[str, Any]]:
    """`report` for every loaded document of the project."""
    return [report(project, doc, measure(doc.model)) for doc in project.documents]


def readability_tables(project: Project) -> list[Table]:
    """`table` for every loaded document of the project."""
    return [table(project, doc, measure(doc.model)) for doc in project.documents]


LEGEND = f"""\
What the figures mean:
  FK grade  Flesch-Kincaid: the US school grade a reader needs to follow
            the text (lower is easier; handouts aim at 6, at most 8).
  SMOG      another school grade, from words of three or more syllables;
            it runs about 3 grades above FK on patient handouts.
  INFLESZ   Szigriszt-Pazos score on the INFLESZ scale, for Spanish: 0-100,
            higher is easier (under 55 hard, 55-65 normal, over 65 easy).
  F-Huerta  Fernández-Huerta score, for Spanish: 0-100, higher is easier.
  longest   the number of words in the longest sentence.
  (…)       a section under {MIN_SECTION_WORDS} words: too short to measure reliably."""


def summary_line(project: Project, document: SourceDocument, reading: Reading) -> str:
    """One line for a document: its gate figure against target and limit, its longest
    sentence."""
    data = report(project, document, reading)
    total = data["total"]
    parts = []
    found = data["gate"]
    shown = reading.gate_measure
    if shown is not None and total.get(shown.name) is not None:
        value = total[shown.name]
        verdict = ""
        if found is not None and found["target"] is not None:
            harder = value > found["target"] if shown.higher_is_harder else value < found["target"]
            verdict = " (harder than the target)" if harder else " (on target)"
        if shown is SZIGRISZT_PAZOS:
            verdict = f", {inflesz_band(value)}{verdict}"
        parts.append(f"{SHORT_LABELS.get(shown.name, shown.label)} {value:.1f}{verdict}")
    parts.append(f"longest sentence {total['longest_sentence']} words")
    return f"{data['document']}: " + ", ".join(parts)


def readability_summaries(project: Project) -> list[str]:
    """`summary_line` for every loaded document of the project."""
    return [summary_line(project, doc, measure(doc.model)) for doc in project.documents]
