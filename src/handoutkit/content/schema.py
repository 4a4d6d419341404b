"""JSON Schema of each kind of content file, generated from the models.

Editors that speak the YAML language server (VS Code's YAML extension, and others) read a
`# yaml-language-server: $schema=...` first line and then autocomplete keys, show the field
descriptions and underline mistakes as you type. The schemas come from the same pydantic
models `handoutkit check` validates with, by alias (CSL keys are hyphenated:
`container-title`), so the editor and `check` agree; `check` still does more (citations,
review dates, plain language, assets).

The repository commits them under `schemas/` and the wheel carries them (see setup.py); a test
fails when they no longer match the models. `handoutkit new` copies them into a project's
`.handoutkit/schemas/`, and each file it writes points there by a path relative to itself, so
completion works offline and matches the handoutkit version that made the project.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from handoutkit.models import (
    Brief,
    CrisisLibrary,
    CslItem,
    DisclaimerLibrary,
    Handout,
    LexiconLibrary,
    ProjectConfig,
    Worksheet,
)

# Draft 7: the newest draft the YAML language server fully supports. pydantic's output uses
# nothing newer ($defs is only where the definitions sit; every $ref is a JSON pointer).
DIALECT = "http://json-schema.org/draft-07/schema#"
PROJECT_SCHEMA_DIR = Path(".handoutkit", "schemas")  # in a project, made by `new`

# kind -> (type, title, description)
KINDS: dict[str, tuple[Any, str, str]] = {
    "config": (
        ProjectConfig,
        "handoutkit project configuration",
        "handoutkit.yaml at the project root: organization, region, languages, editions, "
        "paper sizes, output folder, review interval, plain-language limits and output limits.",
    ),
    "references": (
        list[CslItem],
        "handoutkit reference library",
        "content/references.yaml: a list of CSL-YAML items, as exported by Zotero and other "
        "reference managers. Documents cite them as [@id].",
    ),
    "crisis-resources": (
        CrisisLibrary,
        "handoutkit crisis resources",
        "content/crisis-resources.yaml: per region (us), per language (en, es): the crisis "
        "block printed on page 1 of every document and the crisis line of every page footer.",
    ),
    "disclaimers": (
        DisclaimerLibrary,
        "handoutkit disclaimers",
        "content/disclaimers.yaml: per audience (patient, clinician), per language: the "
        "disclaimer printed at the end of every document.",
    ),
    "lexicon": (
        LexiconLibrary,
        "handoutkit project lexicon",
        "content/lexicon.yaml (optional): per language (en, es), the project's own jargon and "
        "wordy words with the plain words to use instead, added to handoutkit's lists.",
    ),
    "handout": (
        Handout,
        "handoutkit patient handout",
        "content/<topic>/handout.<language>.yaml: a patient handout in plain language.",
    ),
    "brief": (
        Brief,
        "handoutkit clinician evidence brief",
        "content/<topic>/brief.<language>.yaml: a clinician evidence brief, bottom line first.",
    ),
    "worksheet": (
        Worksheet,
        "handoutkit patient worksheet",
        "content/<topic>/worksheet.<language>.yaml: a worksheet to fill in (printed, or as a "
        "fillable PDF form), e.g. a safety plan.",
    ),
}


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def generate(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file."""
    annotation, title, description = KINDS[kind]
    schema = TypeAdapter(annotation).json_schema(by_alias=True, mode="validation")
    _close_pattern_objects(schema)
    head = {"$schema": DIALECT, "title": title, "description": description}
    return head | {key: value for key, value in schema.items() if key not in head}


def schema_text(kind: str) -> str:
    """The schema as it is written to disk: stable key order, one trailing newline."""
    return json.dumps(generate(kind), indent=2, ensure_ascii=False) + "\n"


def schema_texts() -> dict[str, str]:
    """File name -> text, for every kind."""
    return {file_name(kind): schema_text(kind) for kind in KINDS}


def write_schemas(out_dir: Path) -> list[Path]:
    from handoutkit.fileio import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        write_atomic(out_dir, Path(name), text.encode()) for name, text in schema_texts().items()
    ]


def modeline(yaml_file: Path, schema_file: Path) -> str:
    """The first line that points an editor at a schema, by a path relative to the YAML file."""
    relative = Path(os.path.relpath(schema_file, yaml_file.parent)).as_posix()
    return f"# yaml-language-server: $schema={relative}"


def kind_of(relative: Path) -> str | None:
    """The schema kind of a project file, from its path relative to the project root."""
    from handoutkit.names import DOCUMENT_FILE
    from handoutkit.resources import CONFIG_NAME

    shared = {
        CONFIG_NAME: "config",
        "references.yaml": "references",
        "crisis-resources.yaml": "crisis-resources",
        "disclaimers.yaml": "disclaimers",
        "lexicon.yaml": "lexicon",
    }
    if relative.name in shared:
        return shared[relative.name]
    match = DOCUMENT_FILE.match(relative.name)
    if match and match["kind"] in KINDS:
        return match["kind"]
    return None


def _close_pattern_objects(node: Any) -> None:
    """Mappings keyed by a pattern (language codes) accept no other keys, as the models do.

    pydantic writes `dict[LanguageCode, X]` as `patternProperties` alone, which lets any other
    key through; the model rejects it, so the schema should underline it too.
    """
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_pattern_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_objects(value)
