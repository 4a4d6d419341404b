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
from handoutkit.build.outputs import DocumentOutput, SiteSpec
from handoutkit.build.rack import RackSpec, pack_title
from handoutkit.content.approval import review_state
from handoutkit.errors import UsageError
from handoutkit.fileio import locked, write_atomic
from handoutkit.names import MANIFEST

if TYPE_CHECKING:
    from handoutkit.build.keys import Inputs
    from handoutkit.build.outputs import OutputSpec
    from handoutkit.build.report import OutputResult
    from handoutkit.content.project import Project, SourceDocument


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Entries of out_dir/manifest.json by output path; empty when absent or unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {entry["path"]: entry for entry in data["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def update_manifest(
    out_dir: Path, project: Project, results: list[OutputResult], inputs: Inputs | None = None
) -> Path:
    """Merge this build's outputs into the manifest, under a lock shared by concurrent builds.

    Entries whose file no longer exists are dropped; failed outputs keep their earlier entry
    only if the earlier file is still there (it is: writes are atomic). With the build's
    `inputs`, each entry records the fingerprint of the source it was made from (`source`: the
    document's own inputs, see `Inputs.document_key`; a rack pack's `sources`, per handout).
    """
    readings: dict[str, dict[str, Any] | None] = {}
    with locked(out_dir):
        entries = read_manifest(out_dir)
        for result in results:
            if result.status not in ("built", "skipped"):
                continue
            spec = result.spec
            if isinstance(spec, RackSpec):
                entries[spec.name] = rack_entry(project, spec, result)
                if inputs is not None:
                    entries[spec.name]["sources"] = {
                        m.shown: inputs.document_key(m)
                        for m in spec.members
                        if m.model.id in entries[spec.name]["members"]
                    }
            elif isinstance(spec, SiteSpec):
                entries[spec.name] = site_entry(project, spec, result)
            elif isinstance(spec, DocumentOutput):
                document = spec.document
                if document.shown not in readings:
                    readings[document.shown] = _reading(document)
                entries[spec.name] = document_entry(project, spec, result, readings[document.shown])
                if inputs is not None:
                    entries[spec.name]["source"] = inputs.document_key(document)
        entries = {name: entry for name, entry in entries.items() if (out_dir / name).is_file()}
        return write_manifest(out_dir, entries.values())


def write_manifest(out_dir: Path, entries: Iterable[dict[str, Any]]) -> Path:
    return write_atomic(
        out_dir, Path(MANIFEST), manifest_text(entries).encode(), make_out_dir=False
    )


def manifest_text(entries: Iterable[dict[str, Any]]) -> str:
    """The manifest as JSON, sorted and without timestamps, so equal builds give equal text."""
    manifest = {
        "generator": f"handoutkit {__version__}",
        "outputs": sorted(entries, key=lambda entry: entry["path"]),
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def output_fields(spec: OutputSpec, result: OutputResult) -> dict[str, Any]:
    """What every manifest entry has: where the output is, what it is, and its checksum."""
    return {
        "path": spec.name,
        "language": spec.language,
        "edition": spec.edition,
        "paper": spec.paper,
        "format": spec.fmt,
        "pages": result.pages,
        "bytes": result.size,
        "sha256": result.sha256,
        "key": result.key,
    }


def document_entry(
    project: Project, spec: DocumentOutput, result: OutputResult, reading: dict[str, Any] | None
) -> dict[str, Any]:
    """A document's PDF or HTML edition: what it is, its review date and reading level."""
    model = spec.document.model
    due = model.review.due(project.config.review_interval_months)
    return {
        **output_fields(spec, result),
        "document": spec.document.shown,
        "id": model.id,
        "title": model.title,
        "kind": model.type,
        "topic": spec.document.topic,
        "review_due": due.isoformat() if due else None,
        "review_status": review_state(project, spec.document).effective,
        "reading": reading,
        "online_url": getattr(model, "online_url", None),
        # the print preflight's warnings (a built output has no errors), shown again while the
        # output stays unchanged
        "preflight": [problem.to_json() for problem in result.problems],
    }


def rack_entry(project: Project, spec: RackSpec, result: OutputResult) -> dict[str, Any]:
    """A rack pack: what any output has, and which handouts it holds (and leaves out)."""
    left = {d.location.path for d in (*spec.left_out, *result.problems)}
    members = [m for m in spec.members if m.shown not in left]
    ids = {d.shown: d.model.id for d in project.documents}
    interval = project.config.review_interval_months
    dues = [m.model.review.due(interval) for m in members]
    due = min((d for d in dues if d is not None), default=None)
    return {
        **output_fields(spec, result),
        "title": pack_title(project, spec.language),
        "kind": "rack",
        "members": [m.model.id for m in members],
        "documents": [m.shown for m in members],
        "left_out": sorted(ids.get(path, path) for path in left),  # document ids
        "review_due": due.isoformat() if due else None,  # the earliest of its handouts
        "review_status": "approved"
        if all(review_state(project, m).approved for m in members)
        else "draft",  # a pack with any handout not approved is marked DRAFT
    }


def site_entry(project: Project, spec: SiteSpec, result: OutputResult) -> dict[str, Any]:
    """The library site: its home page (`pages`: how many pages it has; `bytes` and `sha256`:
    the home page's) and whether it lists drafts."""
    return {
        **output_fields(spec, result),
        "title": project.config.organization.name,
        "kind": "site",
        "include_drafts": spec.include_drafts,
        "selection": {
            "languages": list(spec.only_languages),
            "editions": list(spec.only_editions),
            "papers": list(spec.only_papers),
        },
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
