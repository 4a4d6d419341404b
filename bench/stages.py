"""Where the time of a `handoutkit build -j 1` goes, stage by stage, without a profiler.

    .venv/bin/python bench/stages.py PROJECT [--noop]

Runs `build_project(jobs=1, force=True)` in this process on PROJECT (e.g. a project kept by
`bench/run.py --keep`) with a wall-clock timer around each stage, and prints the total and
the time per output of each; with --noop, a rebuild without --force of a project already
built (everything unchanged). The stages nest: `print_pdf` holds WeasyPrint's layout, the
print preflight on it, `write_pdf` and handoutkit's PDF/UA post-processing (nested stages are
marked with a dot and are part of the stage above them); what `build_project` spends outside
the listed stages is shown as "rest". Shares are of the whole process, from its start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import time
from collections import defaultdict
from pathlib import Path

started = time.perf_counter()

TIMES: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
ORDER: list[str] = []  # rows in this order: parents before their nested stages


def timed(owner: object, name: str, label: str) -> None:
    original = getattr(owner, name)
    ORDER.append(label)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label] += time.perf_counter() - begin
            CALLS[label] += 1

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--out", type=Path, help="output folder (default: PROJECT/dist)")
    parser.add_argument("--noop", action="store_true", help="rebuild without --force")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    import handoutkit.build.manifest as manifest
    import handoutkit.build.run as build
    import handoutkit.build.worker as worker
    import handoutkit.cli  # noqa: F401  (what the command imports before it builds)
    import handoutkit.pdf.preflight as preflight
    import handoutkit.pdf.printer as printer
    import handoutkit.pdf.tags as pdftags
    import handoutkit.render.renderer as render
    import handoutkit.build.drift as drift
    from handoutkit.build.keys import Inputs
    from handoutkit.content.loader import load_project

    imported = time.perf_counter()
    project = load_project(args.project.resolve())
    loaded = time.perf_counter()
    timed(build, "check_project", "check (schema, citations, plain language)")
    timed(Inputs, "output_key", "cache key")
    timed(build, "up_to_date", "unchanged? (stat, read and hash the output)")
    timed(drift.Tidy, "survey", "outputs without a source (survey the output folder)")
    timed(drift.Tidy, "companions", "other formats kept in step")
    timed(render.Renderer, "render", "render HTML (Jinja2, Markdown)")
    if not args.noop:
        begin = time.perf_counter()
        import weasyprint.document

        TIMES["import WeasyPrint (once)"] = time.perf_counter() - begin
        CALLS["import WeasyPrint (once)"] = 1
        ORDER.append("import WeasyPrint (once)")
        timed(printer.Printer, "__init__", "Printer() (FontConfiguration)")
        timed(printer.Printer, "stylesheets", "  parse stylesheets (first use)")
        timed(printer.Printer, "print_pdf", "print_pdf")
        timed(printer.Printer, "layout", "  WeasyPrint layout (HTML.render)")
        timed(preflight, "check_layout", "  print preflight (layout checks)")
        timed(weasyprint.document.Document, "write_pdf", "  WeasyPrint write_pdf")
        timed(pdftags, "postprocess_pdf", "  pikepdf post-processing (links in margin boxes)")
    timed(worker, "_sha256", "  sha256")
    timed(worker, "write_atomic", "write file (atomic, fsync)")
    timed(build, "update_manifest", "manifest.json")
    timed(manifest, "_reading", "  reading level for the manifest")

    begin = time.perf_counter()
    report = build.build_project(
        project,
        args.out or args.project / "dist",
        today=dt.date(2026, 11, 23),
        jobs=1,
        force=not args.noop,
    )
    total = time.perf_counter() - begin
    outputs = report.count("skipped" if args.noop else "built")
    assert report.ok and outputs == len(report.results), report.to_json()

    rows = [
        ("imports (handoutkit, Typer, pydantic, …)", 1, imported - started),
        ("load project (YAML, models)", 1, loaded - imported),
    ]
    outside = total  # what build_project spends outside the top-level stages
    for label in sorted(TIMES, key=ORDER.index):
        if not label.startswith("  ") and label != "import WeasyPrint (once)":
            outside -= TIMES[label]
        rows.append((label, CALLS[label], TIMES[label]))
    rows.append(("rest of build_project", 0, outside))
    whole = time.perf_counter() - started
    result = {
        "outputs": outputs,
        "noop": args.noop,
        "seconds": whole,
        "load_after": os.getloadavg(),
        "stages": [
            {
                "stage": label,
                "calls": calls,
                "seconds": seconds,
                "per_output_ms": seconds / outputs * 1000,
            }
            for label, calls, seconds in rows
        ],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{outputs} outputs, {'no-op rebuild' if args.noop else 'full build -j 1'}: {whole:.2f} s"
        f" from the start of the process; load average at the end "
        f"{' '.join(f'{x:.2f}' for x in result['load_after'])}"
    )
    print(text_table(result))


def whole_seconds(result: dict) -> float:
    """The process's time from its start: the sum of the top-level rows (nested ones are
    part of the row above them)."""
    return sum(row["seconds"] for row in result["stages"] if not row["stage"].startswith("  "))


def text_table(result: dict) -> str:
    """The stages as a Markdown table (nested stages are indented with a dot)."""
    whole = whole_seconds(result)
    lines = ["| stage | calls | total | per output | share |", "|---|--:|--:|--:|--:|"]
    for row in result["stages"]:
        label = row["stage"]
        shown = "· " + label.strip() if label.startswith("  ") else label
        lines.append(
            f"| {shown} | {row['calls'] or ''} | {row['seconds']:.2f} s | "
            f"{row['per_output_ms']:.1f} ms | {row['seconds'] / whole:.1%} |"
        )
    lines.append(
        f"| **whole process** | | {whole:.2f} s | "
        f"{whole / result['outputs'] * 1000:.1f} ms | 100% |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
