"""The build manifest: `manifest.json` in the output folder lists every output with its
checksum, pages, language, edition, paper, review due date and reading level, and keeps each
output's cache key, so the next build can skip what has not changed.

Builds merge their outputs into it under a lock, so concurrent builds (or `--shard` runs into
one folder) never lose each other's entries; `merge_manifests` joins manifests made elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutkit import __version__
from handoutkit.build.fileio import locked, write_atomic
from handoutkit.errors import UsageError

if TYPE_CHECKING:
    from handoutkit.build.report import OutputResult
    from handoutkit.content.project import Project, SourceDocument

MANIFEST = "manifest.json"


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Entries of out_dir/manifest.json by output path; empty when absent or unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {entry["path"]: entry for entry in data["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def update_manifest(out_dir: Path, project: Project, results: list[OutputResult]) -> Path:
    """Merge this build's outputs into the manifest, under a lock shared by concurrent builds.

    Entries whose file no longer exists are dropped; failed outputs keep their earlier entry
    only if the earlier file is still there (it is: writes are atomic).
    """
    readings: dict[str, dict[str, Any] | None] = {}
    with locked(out_dir):
        entries = read_manifest(out_dir)
        for result in results:
            if result.status in ("built", "skipped") and result.spec.fmt == "rack":
                from handoutkit.build.rack import manifest_entry as rack_entry

                entries[result.spec.name] = rack_entry(project, result)
            elif result.status in ("built", "skipped"):
                document = result.spec.document  # type: ignore[union-attr]
                if document.shown not in readings:
                    readings[document.shown] = _reading(document)
                entries[result.spec.name] = manifest_entry(
                    project, result, readings[document.shown]
                )
        entries = {name: entry for name, entry in entries.items() if (out_dir / name).is_file()}
        return write_manifest(out_dir, entries.values())


def write_manifest(out_dir: Path, entries: Iterable[dict[str, Any]]) -> Path:
    return write_atomic(out_dir, Path(MANIFEST), manifest_text(entries).encode())


def manifest_text(entries: Iterable[dict[str, Any]]) -> str:
    """The manifest as JSON, sorted and without timestamps, so equal builds give equal text."""
    manifest = {
        "generator": f"handoutkit {__version__}",
        "outputs": sorted(entries, key=lambda entry: entry["path"]),
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def output_fields(result: OutputResult, language: str) -> dict[str, Any]:
    """What every manifest entry has: where the output is, what it is, and its checksum."""
    spec = result.spec
    return {
        "path": spec.name,
        "language": language,
        "edition": spec.edition,
        "paper": spec.paper,
        "format": spec.fmt,
        "pages": result.pages,
        "bytes": result.size,
        "sha256": result.sha256,
        "key": result.key,
    }


def manifest_entry(
    project: Project, result: OutputResult, reading: dict[str, Any] | None
) -> dict[str, Any]:
    spec = result.spec
    model = spec.document.model
    return {
        **output_fields(result, model.language),
        "document": spec.document.shown,
        "id": model.id,
        "title": model.title,
        "kind": model.type,
        "topic": spec.document.topic,
        "review_due": model.review.due(project.config.review_interval_months).isoformat(),
        "reading": reading,
        "online_url": getattr(model, "online_url", None),
    }


def _reading(document: SourceDocument) -> dict[str, Any] | None:
    """The reading-level figure `check` gates on (e.g. Flesch-Kincaid grade), if any."""
    from handoutkit.lint.readability import measure

    reading = measure(document.model)
    gate = reading.gate_measure
    if gate is None:
        return None
    score = reading.score(gate)
    return {"measure": gate.name, "score": None if score is None else round(score, 1)}


def merge_manifests(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Entries of several manifests (e.g. from `--shard` runs), the later winning per path."""
    entries: dict[str, dict[str, Any]] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            outputs = data["outputs"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"{path}: not a handoutkit manifest ({exc}) — pass manifest.json files"
            ) from None
        for entry in outputs:
            entries[entry["path"]] = entry
    return list(entries.values())
