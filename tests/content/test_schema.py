"""`handoutkit schema`: JSON Schemas generated from the models, committed, and never stale."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handoutkit.content.schema import KINDS, kind_of, schema_texts
from handoutkit.content.yamlsource import load_yaml
from helpers import MINI, REPO

COMMITTED = REPO / "schemas"
UPDATE = "run `handoutkit schema --out schemas` at the repository root and commit the result"


def stale_schemas(folder: Path) -> list[str]:
    """Schema files in `folder` that differ from the models (or are missing, or extra)."""
    expected = schema_texts()
    found = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.json")}
    return sorted(
        name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name)
    )


def test_committed_schemas_match_the_models() -> None:
    stale = stale_schemas(COMMITTED)
    assert not stale, f"schemas/ is stale ({', '.join(stale)}): {UPDATE}"


def test_a_stale_schema_is_noticed(run, tmp_path: Path) -> None:
    assert run("schema", "--out", "s", cwd=tmp_path).code == 0
    assert stale_schemas(tmp_path / "s") == []
    handout = tmp_path / "s" / "handout.schema.json"
    handout.write_text(handout.read_text().replace('"Title"', '"Titel"'))  # a model change
    (tmp_path / "s" / "old.schema.json").write_text("{}")
    (tmp_path / "s" / "brief.schema.json").unlink()
    assert stale_schemas(tmp_path / "s") == [
        "brief.schema.json",
        "handout.schema.json",
        "old.schema.json",
    ]


def _validator(kind: str) -> Any:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="install the test extras: pip install -e '.[test]'"
    )
    schema = json.loads(schema_texts()[f"{kind}.schema.json"])
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _content_files(root: Path) -> list[Path]:
    return sorted(
        [root / "handoutkit.yaml", *root.glob("content/*.yaml"), *root.glob("content/*/*.yaml")]
    )


@pytest.mark.parametrize(
    "path",
    [*_content_files(REPO), *_content_files(MINI)],
    ids=lambda p: p.relative_to(REPO).as_posix(),
)
def test_shipped_content_validates_against_its_schema(path: Path) -> None:
    kind = kind_of(Path(path.name))
    assert kind is not None
    data = load_yaml(path).data  # as handoutkit reads it: dates stay text, as in an editor
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(kind).iter_errors(data)
    ]
    assert not errors, errors


@pytest.mark.parametrize(
    ("kind", "data", "problem"),
    [
        (
            "config",
            {"organization": {"name": "X"}, "languages": ["en"], "lnguages": []},
            "lnguages",
        ),
        ("config", {"organization": {"name": "X", "colours": {"accent": "blue"}}}, "blue"),
        ("crisis-resources", {"us": {"english": {}}}, "english"),
        ("disclaimers", {"patients": {"en": "x"}}, "patients"),
        (
            "references",
            [{"id": "a", "type": "book", "title": "T", "container_title": "J"}],
            "container_title",
        ),
        ("handout", {"type": "handout", "titel": "x"}, "titel"),
    ],
)
def test_the_schema_underlines_what_check_rejects(kind: str, data: object, problem: str) -> None:
    messages = " ".join(e.message for e in _validator(kind).iter_errors(data))
    assert problem in messages


def test_reading_limits_are_optional_per_audience() -> None:
    """Only the keys given override the defaults, in the schema as in the model."""
    config = {"organization": {"name": "X"}, "reading": {"patient": {"max_grade": 7}}}
    assert not list(_validator("config").iter_errors(config))


def test_csl_keys_are_hyphenated_and_dates_are_dates() -> None:
    references = json.loads(schema_texts()["references.schema.json"])
    item = references["$defs"]["CslItem"]["properties"]
    assert "container-title" in item and "container_title" not in item
    handout = json.loads(schema_texts()["handout.schema.json"])
    assert handout["additionalProperties"] is False
    review = handout["$defs"]["Review"]["properties"]
    # optional: a draft has not been reviewed
    assert {"format": "date", "type": "string"} in review["last_reviewed"]["anyOf"]
    assert review["status"]["enum"] == ["draft", "in-review", "approved"]
    assert review["status"]["default"] == "draft"

    def date_errors(value: str) -> list[str]:
        errors = _validator("handout").iter_errors({"review": {"last_reviewed": value}})
        return [e.message for e in errors if list(e.absolute_path) == ["review", "last_reviewed"]]

    assert date_errors("2026-02-28") == []
    assert date_errors("2026-02-30") == ["'2026-02-30' is not valid under any of the given schemas"]


def test_schema_command_writes_every_kind(run, tmp_path: Path) -> None:
    result = run("schema", "--out", "out", cwd=tmp_path)
    assert result.code == 0, result.text
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()}
    assert written == schema_texts()
    assert sorted(written) == sorted(f"{kind}.schema.json" for kind in KINDS)
    assert result.out.split() == [f"out/{kind}.schema.json" for kind in KINDS]


def test_schema_command_defaults_to_the_project(run, mini: Path) -> None:
    result = run("schema", cwd=mini / "content")
    assert result.code == 0, result.text
    assert sorted(p.name for p in (mini / ".handoutkit" / "schemas").iterdir()) == sorted(
        schema_texts()
    )


def test_schema_command_outside_a_project_needs_out(run, tmp_path: Path) -> None:
    result = run("schema", cwd=tmp_path)
    assert result.code == 2
    assert "no handoutkit.yaml found" in result.err


def test_schemas_are_draft_7_for_the_yaml_language_server() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for text in schema_texts().values():
        schema = json.loads(text)
        assert jsonschema.validators.validator_for(schema) is jsonschema.Draft7Validator
        jsonschema.Draft7Validator.check_schema(schema)


def _properties(node: object, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every property of a JSON Schema, with a dotted path to it, however deeply nested."""
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            if isinstance(value, dict):
                yield f"{path}.{key}", value
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}" if key == "$defs" else path)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value, path)


def test_every_property_of_every_schema_has_a_description() -> None:
    """Editors show the description on hover and completion: a field without one teaches
    nothing (issue 6/8, point 10)."""
    undescribed = [
        f"{name}: {path}"
        for name, text in schema_texts().items()
        for path, prop in _properties(json.loads(text))
        if not str(prop.get("description", "")).strip()
    ]
    assert not undescribed, "add description= to these fields:\n" + "\n".join(undescribed)
    # and the check sees nested definitions (a reviewer's name sits in $defs)
    handout = json.loads(schema_texts()["handout.schema.json"])
    assert any(path.endswith(".name") for path, _ in _properties(handout))
