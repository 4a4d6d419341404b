"""Load stage: find the project, read its YAML and turn it into validated models.

Validation problems are turned into located diagnostics using the YAML source map, with a
plain-words explanation and a fix ("did you mean 'title'?"). Loading never stops at the first
problem: every file is read and every problem reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from handoutkit.content.project import Project, Shared, SourceDocument
from handoutkit.content.sourcemap import LoadedYaml, SourceMap
from handoutkit.content.validation import kind_of, validate_model
from handoutkit.content.yamlsource import load_yaml
from handoutkit.diagnostics import Diagnostics, Location, display_path
from handoutkit.errors import ContentError, UsageError
from handoutkit.models import (
    DOCUMENT_MODELS,
    Brief,
    CrisisBlock,
    CrisisLibrary,
    CslItem,
    DisclaimerLibrary,
    LexiconEntry,
    LexiconLibrary,
    ProjectConfig,
)
from handoutkit.names import DOCUMENT_FILE, TOPIC
from handoutkit.resources import CONFIG_NAME

__all__ = ["Project", "Shared", "SourceDocument", "discover_documents", "load_project"]


def load_project(root: Path, selected: Iterable[Path] = ()) -> Project:
    """Load config, shared data and documents (all of them, or those under `selected`)."""
    diagnostics = Diagnostics()
    config_path = root / CONFIG_NAME
    config_yaml = load_yaml(config_path)
    config = validate_model(ProjectConfig, config_yaml.data, config_yaml.source, diagnostics)
    if config is None:
        raise ContentError(diagnostics)
    shared = _load_shared(root, config, diagnostics)
    selected = list(selected)
    if not selected:
        _misnamed_documents(root, config, diagnostics)
    documents, unloaded = [], []
    for path in discover_documents(root, config, selected):
        document = load_document(path, root, config, diagnostics)
        if document is not None:
            documents.append(document)
        else:
            unloaded.append(display_path(path))
    project = Project(root, config, config_yaml.source, shared, documents, diagnostics, unloaded)
    if selected:
        project.referenced = _referenced_documents(root, config, documents)
    return project


def _referenced_documents(
    root: Path, config: ProjectConfig, documents: list[SourceDocument]
) -> dict[str, SourceDocument]:
    """The documents outside a selection that selected briefs name as their patient handouts,
    so a brief built on its own still prints their titles. Their own problems are reported
    when they are checked, not here."""
    loaded = {document.model.id for document in documents}
    wanted = {
        handout_id
        for document in documents
        if isinstance(document.model, Brief)
        for handout_id in document.model.patient_handouts
    } - loaded
    found: dict[str, SourceDocument] = {}
    if not wanted:
        return found
    loaded_paths = {document.path.resolve() for document in documents}
    for path in discover_documents(root, config, ()):
        if path.resolve() in loaded_paths:
            continue
        document = load_document(path, root, config, Diagnostics())
        if document is not None and document.model.id in wanted:
            found[document.model.id] = document
    return found


def _misnamed_documents(root: Path, config: ProjectConfig, diagnostics: Diagnostics) -> None:
    """YAML files in a topic folder that are not named like a document would be left out."""
    for path in sorted((root / config.content).glob("*/*.y*ml")):
        if path.is_file() and not DOCUMENT_FILE.match(path.name):
            diagnostics.warning(
                Location(display_path(path)),
                f"'{path.name}' is not named like a document (<kind>.<language>.yaml), so it is "
                "not checked or built",
                "rename it, e.g. handout.en.yaml, or move it out of the topic folder",
                rule="file-name",
            )


def discover_documents(root: Path, config: ProjectConfig, selected: Iterable[Path]) -> list[Path]:
    """Document files: content/<topic>/<kind>.<lang>.yaml, optionally narrowed to `selected`."""
    content = (root / config.content).resolve()
    found = sorted(
        path
        for path in content.glob("*/*.y*ml")
        if path.is_file() and DOCUMENT_FILE.match(path.name)
    )
    selected = [p.resolve() for p in selected]
    if not selected:
        return found
    chosen: list[Path] = []
    for wanted in selected:
        if not wanted.exists():
            raise UsageError(f"{display_path(wanted)}: no such file or folder — check the path")
        matches = [p for p in found if p == wanted or wanted in p.parents]
        if not matches:
            raise UsageError(
                f"{display_path(wanted)}: no documents here — documents live in "
                f"{config.content}/<topic>/<kind>.<language>.yaml"
            )
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def links_out(root: Path, path: Path) -> bool:
    """True if `path` lies in the project folder but is (or is under) a symlink leading out.

    Content must not pull in files from elsewhere (`content/x/handout.en.yaml ->
    ~/.ssh/config`); a path the trusted handoutkit.yaml itself points outside is allowed.
    """
    root = root.absolute()
    inside = Path(os.path.normpath(root / path)).is_relative_to(root)
    return inside and not path.resolve().is_relative_to(root.resolve())


def _linked_out(path: Path, diagnostics: Diagnostics) -> None:
    diagnostics.error(
        Location(display_path(path)),
        "this file is a symbolic link to a file outside the project",
        "copy the file into the project instead of linking to it",
        rule="symlink",
    )


def load_document(
    path: Path, root: Path, config: ProjectConfig, diagnostics: Diagnostics
) -> SourceDocument | None:
    if links_out(root, path):
        _linked_out(path, diagnostics)
        return None
    try:
        loaded = load_yaml(path)
    except ContentError as exc:
        diagnostics.extend(exc.diagnostics)
        return None
    source = loaded.source
    match = DOCUMENT_FILE.match(path.name)
    assert match  # discover_documents only yields matching names
    if not isinstance(loaded.data, dict):
        diagnostics.error(
            source.locate(()),
            "a document must be a mapping of fields (title:, language:, ...)",
            "start the file with `type: handout`, `type: brief` or `type: worksheet`",
            rule="document-type",
        )
        return None
    kind = loaded.data.get("type")
    if not isinstance(kind, str) or kind not in DOCUMENT_MODELS:  # `type: []` is unhashable
        where = source.locate(("type",)) if "type" in loaded.data else source.locate(())
        got = f"'{kind}'" if isinstance(kind, str) else kind_of(kind)
        diagnostics.error(
            where,
            f"document type must be one of {', '.join(sorted(DOCUMENT_MODELS))}, got {got}",
            "add `type: handout` (patients), `type: brief` (clinicians) or `type: worksheet` "
            "(patients)",
            rule="document-type",
        )
        return None
    model = validate_model(DOCUMENT_MODELS[kind], loaded.data, source, diagnostics)
    if model is None:
        return None
    if model.language != match["lang"]:
        diagnostics.error(
            source.locate(("language",)),
            f"language '{model.language}' does not match the file name '{path.name}'",
            f"rename the file to {match['kind']}.{model.language}.yaml or fix `language:`",
            rule="language",
        )
    if model.language not in config.languages:
        diagnostics.error(
            source.locate(("language",)),
            f"language '{model.language}' is not configured for this project",
            f"add it to `languages:` in {CONFIG_NAME}",
            rule="language",
        )
    topic = path.parent.name
    if not TOPIC.match(topic):
        diagnostics.error(
            Location(source.path),
            f"topic folder name '{topic}' is not a simple name",
            "use lower-case letters, digits and hyphens, e.g. ketamine-bpd",
            rule="topic-name",
        )
        return None
    return SourceDocument(model, path, topic, source)  # type: ignore[arg-type]


def _load_shared(root: Path, config: ProjectConfig, diagnostics: Diagnostics) -> Shared:
    shared = Shared()
    references = _load_optional(root, config.references, diagnostics)
    if references is not None:
        shared.references_source = references.source
        shared.references, shared.unreadable_references = _load_references(references, diagnostics)
    shared.crisis_source, shared.crisis = _load_library(
        root, config.crisis_resources, CrisisLibrary, diagnostics, hint_model=CrisisBlock
    )
    shared.disclaimers_source, shared.disclaimers = _load_library(
        root, config.disclaimers, DisclaimerLibrary, diagnostics
    )
    if (root / config.lexicon).is_file():  # optional: a project's own jargon and wordy words
        shared.lexicon_source, shared.lexicon = _load_library(
            root, config.lexicon, LexiconLibrary, diagnostics, hint_model=LexiconEntry
        )
    return shared


def _load_library(
    root: Path,
    configured: str,
    annotation: Any,
    diagnostics: Diagnostics,
    hint_model: type[BaseModel] | None = None,
) -> tuple[SourceMap | None, Any]:
    """A shared file validated as `annotation` (a mapping): its source map and its value,
    empty when the file is missing or invalid (the problems are in `diagnostics`)."""
    loaded = _load_optional(root, configured, diagnostics)
    if loaded is None:
        return None, {}
    value = validate_model(
        TypeAdapter(annotation), loaded.data, loaded.source, diagnostics, hint_model=hint_model
    )
    return loaded.source, value or {}


def _load_references(
    loaded: LoadedYaml, diagnostics: Diagnostics
) -> tuple[dict[str, CslItem], set[str]]:
    """CSL items one by one, so one bad entry does not hide the others; also the ids of the
    entries that did not validate."""
    if not isinstance(loaded.data, list):
        diagnostics.error(
            loaded.source.locate(()),
            "the reference library must be a list of CSL items",
            "export CSL-YAML or CSL-JSON from your reference manager (a list of `- id: ...`)",
            rule="shared-data",
        )
        return {}, set()
    references: dict[str, CslItem] = {}
    unreadable: set[str] = set()
    for index, data in enumerate(loaded.data):
        item = validate_model(CslItem, data, loaded.source, diagnostics, prefix=(index,))
        if item is None:
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                unreadable.add(data["id"])
            continue
        if item.id in references:
            diagnostics.error(
                loaded.source.locate((index, "id")),
                f"reference id '{item.id}' is used twice",
                "give each reference a unique id",
                rule="reference-id",
            )
        references[item.id] = item
    return references, unreadable


def _load_optional(root: Path, configured: str, diagnostics: Diagnostics) -> LoadedYaml | None:
    path = root / configured
    if not path.is_file():
        diagnostics.error(
            Location(display_path(path)),
            f"shared data file '{configured}' is missing",
            f"create it, or point {CONFIG_NAME} at the right file",
            rule="shared-data",
        )
        return None
    if links_out(root, path):
        _linked_out(path, diagnostics)
        return None
    try:
        return load_yaml(path)
    except ContentError as exc:
        diagnostics.extend(exc.diagnostics)
        return None
