"""Replay of no-op builds: an unchanged project is not loaded or checked again.

Even when every output is unchanged, a build loads every document, checks it and computes
every output's key: about 25 ms per document, most of a no-op build. So after a build in which
nothing failed, `record` writes down what it read (the SHA-256 of every input file and the
result of every folder search, see `cache.project_inputs`), what it reported (diagnostics and
outputs) and the manifest's checksum, in `.handoutkit-cache/build-<request>.json` in the
project. The next build with the same request (options, folder, day, handoutkit version) calls
`replay`: if every input, search, output file and the manifest are byte for byte what was
recorded, it returns the recorded report, every output "unchanged", without importing the
loader, the checks or WeasyPrint. Anything else returns None and the build runs as usual.

The record is an optimisation only: missing, unreadable or unwritable, it is ignored. It is
not written when an input changed during the build (its modification time is after the build
started), since the outputs may then be older than the inputs it would vouch for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutkit.build.fingerprint import file_matches, file_sha256, search_folder, tool_fingerprint
from handoutkit.build.report import BuildReport, OutputResult, RecordedOutput
from handoutkit.diagnostics import Diagnostic, Diagnostics
from handoutkit.errors import ContentError
from handoutkit.fileio import write_atomic
from handoutkit.names import MANIFEST

if TYPE_CHECKING:
    from handoutkit.content.project import Project

FOLDER = ".handoutkit-cache"
FORMAT = 1
# Modification times may be rounded down by up to this much (FAT: 2 s), so an input whose
# time is this close to the build's start may have changed during the build.
MTIME_SLACK_NS = 2_000_000_000
UNTIDY = ("orphan-output", "stale-output")  # see `build.drift`


def record_path(root: Path, request: dict[str, Any]) -> Path:
    """Where the record of this request lives: one file per distinct request."""
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    return root / FOLDER / f"build-{digest[:16]}.json"


def record(
    root: Path,
    request: dict[str, Any],
    today: dt.date,
    project: Project,
    out_dir: Path,
    report: BuildReport,
    started_ns: int,
) -> bool:
    """Record a build that succeeded (see the module docstring); True if it was recorded."""
    from handoutkit.build.keys import project_inputs

    if not report.ok or report.failed:
        return False
    if any(d.rule in UNTIDY for d in report.diagnostics):  # found again until dealt with
        return False
    files, searches = project_inputs(project)
    searches.append((out_dir, "*/*"))  # an output put in or taken out by hand (see build.drift)
    for path in files:
        try:
            if path.stat().st_mtime_ns >= started_ns - MTIME_SLACK_NS:
                return False  # changed during the build (or just before it)
        except OSError:
            pass  # a missing file is recorded as missing
    state = {
        "format": FORMAT,
        "request": request,
        "today": today.isoformat(),
        "tool": tool_fingerprint(),
        "searches": [[str(f), pattern, search_folder(f, pattern)] for f, pattern in searches],
        "files": {str(path): file_sha256(path) for path in files},
        "out_dir": str(out_dir),
        "manifest": file_sha256(out_dir / MANIFEST),
        "outputs": [
            {
                "name": result.spec.name,
                "path": str(result.path),
                "pages": result.pages,
                "sha256": result.sha256,
                "bytes": result.size,
                "key": result.key,
                "problems": [problem.to_json() for problem in result.problems],
            }
            for result in report.results
        ],
        "diagnostics": [diagnostic.to_json() for diagnostic in report.diagnostics],
    }
    target = record_path(root, request)
    try:
        write_atomic(target.parent, Path(target.name), json.dumps(state, indent=1).encode())
    except ContentError:
        return False  # e.g. a read-only project: the next build is simply not replayed
    return True


def replay(root: Path, request: dict[str, Any], today: dt.date) -> BuildReport | None:
    """The recorded report of this request if nothing it depends on changed, else None."""
    started = time.perf_counter()
    try:
        state = json.loads(record_path(root, request).read_text(encoding="utf-8"))
        if (
            state["format"] != FORMAT
            or state["request"] != request
            or state["today"] != today.isoformat()
            or state["tool"] != tool_fingerprint()
        ):
            return None
        for folder, pattern, names in state["searches"]:
            if search_folder(Path(folder), pattern) != names:
                return None
        for path, digest in state["files"].items():
            if file_sha256(Path(path)) != digest:
                return None
        results = []
        for output in state["outputs"]:
            path = Path(output["path"])
            if not file_matches(path, output["bytes"], output["sha256"]):
                return None
            results.append(
                OutputResult(
                    RecordedOutput(output["name"]),
                    "skipped",
                    path,
                    output["pages"],
                    output["sha256"],
                    output["bytes"],
                    output["key"],
                    [Diagnostic.from_json(problem) for problem in output["problems"]],
                )
            )
        if file_sha256(Path(state["out_dir"], MANIFEST)) != state["manifest"]:
            return None
        diagnostics = Diagnostics(Diagnostic.from_json(d) for d in state["diagnostics"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return BuildReport(diagnostics, results, time.perf_counter() - started)
