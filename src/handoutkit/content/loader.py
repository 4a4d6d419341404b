"""Load stage: find the project, read its YAML and turn it into validated models.

Validation problems are turned into located diagnostics using the YAML source map, with a
plain-words explanation and a fix ("did you mean 'title'?"). Loading never stops at the first
problem: every file is read and every problem reported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from handoutkit.content.yamlsource import LoadedYaml, SourceMap, load_yaml
from handoutkit.diagnostics import Diagnostics, Location, did_you_mean, display_path
from handoutkit.errors import ContentError, UsageError
from handoutkit.models import (
    DOCUMENT_MODELS,
    SLUG,
    CrisisBlock,
    CrisisLibrary,
    CslItem,
    DisclaimerLibrary,
    Document,
    ProjectConfig,
)
from handoutkit.resources import CONFIG_NAME

DOCUMENT_FILE = re.compile(r"^(?P<kind>[a-z][a-z0-9-]*)\.(?P<lang>[a-z]{2,3})\.ya?ml$")

T = TypeVar("T")


@dataclass
class SourceDocument:
    """A document model together with where it came from."""

    model: Document
    path: Path
    topic: str
    source: SourceMap

    @property
    def stem(self) -> str:
        """Output name stem, e.g. 'handout.en' for content/ketamine-bpd/handout.en.yaml."""
        return self.path.name.rsplit(".", 1)[0]

    @property
    def shown(self) -> str:
        return self.source.path


@dataclass
class Shared:
    """Data every document draws on: references, crisis resources, disclaimers."""

    references: dict[str, CslItem] = field(default_factory=dict)
    references_source: SourceMap | None = None
    crisis: CrisisLibrary = field(default_factory=dict)
    crisis_source: SourceMap | None = None
    disclaimers: DisclaimerLibrary = field(default_factory=dict)
    disclaimers_source: SourceMap | None = None


@dataclass
class Project:
    root: Path
    config: ProjectConfig
    config_source: SourceMap
    shared: Shared
    documents: list[SourceDocument]
    diagnostics: Diagnostics
    # documents found but not loaded (their problems are theirs alone, not the project's)
    unloaded: list[str] = field(default_factory=list)

    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()


# --------------------------------------------------------------------------- discovery


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
    return Project(root, config, config_yaml.source, shared, documents, diagnostics, unloaded)


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


# --------------------------------------------------------------------------- models


def validate_model(
    model: type[T] | TypeAdapter[T],
    data: Any,
    source: SourceMap,
    diagnostics: Diagnostics,
    *,
    prefix: tuple[str | int, ...] = (),
    hint_model: type[BaseModel] | None = None,
) -> T | None:
    """Validate YAML data against a model; on failure add located diagnostics and return None.

    `prefix` is where `data` sits in the file; `hint_model` names the model whose keys are
    suggested for unknown keys when `model` is a container type.
    """
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        target = hint_model or (model if isinstance(model, type) else None)
        for error in exc.errors():
            _report_validation_error(error, source, prefix, target, diagnostics)
        return None


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
            "start the file with `type: handout` or `type: brief`",
            rule="document-type",
        )
        return None
    kind = loaded.data.get("type")
    if not isinstance(kind, str) or kind not in DOCUMENT_MODELS:  # `type: []` is unhashable
        where = source.locate(("type",)) if "type" in loaded.data else source.locate(())
        got = f"'{kind}'" if isinstance(kind, str) else _kind_of(kind)
        diagnostics.error(
            where,
            f"document type must be one of {', '.join(sorted(DOCUMENT_MODELS))}, got {got}",
            "add `type: handout` (patients) or `type: brief` (clinicians)",
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
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", topic):
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
        shared.references = _load_references(references, diagnostics)
    crisis = _load_optional(root, config.crisis_resources, diagnostics)
    if crisis is not None:
        shared.crisis_source = crisis.source
        shared.crisis = (
            validate_model(
                TypeAdapter(CrisisLibrary),
                crisis.data,
                crisis.source,
                diagnostics,
                hint_model=CrisisBlock,
            )
            or {}
        )
    disclaimers = _load_optional(root, config.disclaimers, diagnostics)
    if disclaimers is not None:
        shared.disclaimers_source = disclaimers.source
        shared.disclaimers = (
            validate_model(
                TypeAdapter(DisclaimerLibrary), disclaimers.data, disclaimers.source, diagnostics
            )
            or {}
        )
    return shared


def _load_references(loaded: LoadedYaml, diagnostics: Diagnostics) -> dict[str, CslItem]:
    """CSL items one by one, so one bad entry does not hide the others."""
    if not isinstance(loaded.data, list):
        diagnostics.error(
            loaded.source.locate(()),
            "the reference library must be a list of CSL items",
            "export CSL-YAML or CSL-JSON from your reference manager (a list of `- id: ...`)",
            rule="shared-data",
        )
        return {}
    references: dict[str, CslItem] = {}
    for index, data in enumerate(loaded.data):
        item = validate_model(CslItem, data, loaded.source, diagnostics, prefix=(index,))
        if item is None:
            continue
        if item.id in references:
            diagnostics.error(
                loaded.source.locate((index, "id")),
                f"reference id '{item.id}' is used twice",
                "give each reference a unique id",
                rule="reference-id",
            )
        references[item.id] = item
    return references


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


# --------------------------------------------------------------------------- error wording


def _report_validation_error(
    error: Any,
    source: SourceMap,
    prefix: tuple[str | int, ...],
    model: type | None,
    diagnostics: Diagnostics,
) -> None:
    relative = tuple(part for part in error["loc"] if not _is_union_tag(part))
    loc = (*prefix, *relative)
    kind = error["type"]
    field_name = str(loc[-1]) if loc else "document"
    value = error.get("input")
    if kind == "extra_forbidden":
        choices = _allowed_keys(model, relative[:-1])
        diagnostics.error(
            source.locate(loc, key=True),
            f"unknown key '{field_name}'",
            did_you_mean(field_name, choices) if choices else "remove it",
            rule="schema",
        )
        return
    if kind == "missing":
        parent = "the document" if len(loc) == 1 else f"'{_dotted(loc[:-1])}'"
        diagnostics.error(
            source.locate(loc[:-1]),
            f"missing required field '{field_name}' in {parent}",
            f"add `{field_name}:` here",
            rule="schema",
        )
        return
    message, hint = _explain(kind, error, value)
    diagnostics.error(source.locate(loc), f"'{_dotted(loc)}': {message}", hint, rule="schema")


def _explain(kind: str, error: Any, value: Any) -> tuple[str, str]:
    ctx = error.get("ctx") or {}
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{value}' is not a valid date", "write dates as YYYY-MM-DD, e.g. 2026-11-16"
    if kind == "string_type":
        if isinstance(value, bool | int | float):
            return (
                f"expected text, got the {type(value).__name__} {value!r}",
                f'put the value in quotes, e.g. "{value}"'
                if not isinstance(value, bool)
                else "put the value in quotes (yes/no/on/off are read as true/false)",
            )
        return f"expected text, got {_kind_of(value)}", "write a single line or block of text"
    if kind == "string_too_short":
        return "must not be empty", "write the text, or remove the key if it is optional"
    if kind == "string_pattern_mismatch":
        return f"'{value}' has the wrong form", _pattern_hint(ctx.get("pattern", ""))
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {_kind_of(value)}", "write each item on its own `- ` line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {_kind_of(value)}", "write `key: value` lines"
    if kind == "too_short":
        return "needs at least one item", "add an item, starting with `- `"
    if kind == "literal_error":
        return f"'{value}' is not allowed", f"use one of: {ctx.get('expected', '')}"
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing"):
        return f"expected a number, got {value!r}", "write a whole number without quotes"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"expected true or false, got {value!r}", "write true or false"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), "fix the value"
    if kind in ("greater_than_equal", "less_than_equal"):
        return error["msg"].lower(), "change the number"
    return error["msg"], "see the documentation for this field"


def _pattern_hint(pattern: str) -> str:
    hints = {
        SLUG: "use lower-case letters, digits and hyphens, e.g. ketamine-bpd",
        "^[a-z]{2,3}$": "use a two-letter language code such as en or es",
        "^#[0-9a-fA-F]{6}$": "write colours as #rrggbb, e.g. #1a4d80",
        "^https://\\S+$": "use a full https:// address",
    }
    if pattern in hints:
        return hints[pattern]
    if "A-Z0-9" in pattern:
        return "use capitals, digits and hyphens, e.g. HK-KBPD-PH-EN"
    if "[0-9]+(" in pattern:
        return 'use a version number in quotes, e.g. "1.0"'
    return f"it must match {pattern}"


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the union member's type name (e.g. 'str', 'function-after[...]') to loc
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "list[...]"})


def _allowed_keys(model: type | None, loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts at `loc`, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", {})
        by_name = {(f.alias or name): f for name, f in fields.items()}
        if part not in by_name:
            continue  # a free-form key such as a region or language code
        current = _model_in(by_name[part].annotation)
    if current is None or not hasattr(current, "model_fields"):
        return []
    return [(f.alias or name) for name, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
