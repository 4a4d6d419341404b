"""Located YAML edits (`handoutkit approve`): values set in place, keys added at the mapping's
indentation, every other byte kept; what the edit gives reads back as the intended data."""

from __future__ import annotations

import datetime as dt

import pytest

from handoutkit.content.yamledit import edited_data, scalar, set_values
from handoutkit.content.yamlsource import parse_yaml

UPDATE = {
    "status": "approved",
    "last_reviewed": dt.date(2026, 12, 1),
    "reviewer": {"name": "Jane O'Neil", "credentials": "PharmD, BCPP", "role": "Pharmacist"},
}


def edit(text: str) -> str:
    loaded = parse_yaml(text, "doc.yaml")
    result = set_values(loaded.source, ("review",), UPDATE, loaded.data["review"])
    assert parse_yaml(result, "doc.yaml").data == edited_data(loaded.data, {"review": UPDATE})
    return result


def test_values_are_replaced_where_they_stand_and_comments_stay() -> None:
    text = (
        "# a comment\n"
        "review:\n"
        "  # status comment\n"
        "  status: draft   # not yet\n"
        "  reviewer:\n"
        "    name: >-\n"
        "      Someone\n"
        "      Else\n"
        "    role: Nurse\n"
        "\n"
        "# the next key's comment\n"
        "title: Kept\n"
    )
    assert edit(text) == (
        "# a comment\n"
        "review:\n"
        "  # status comment\n"
        "  status: approved   # not yet\n"
        "  reviewer:\n"
        "    name: Jane O'Neil\n"
        "    role: Pharmacist\n"
        '    credentials: "PharmD, BCPP"\n'
        "  last_reviewed: 2026-12-01\n"
        "\n"
        "# the next key's comment\n"
        "title: Kept\n"
    )


def test_an_empty_or_scalar_value_becomes_a_mapping() -> None:
    assert edit("review:\n  reviewer:\n  status: draft\ntitle: x\n") == (
        'review:\n  reviewer:\n    name: Jane O\'Neil\n    credentials: "PharmD, BCPP"\n'
        "    role: Pharmacist\n  status: approved\n  last_reviewed: 2026-12-01\ntitle: x\n"
    )
    assert edit("review:\n  reviewer: null\ntitle: x\n").startswith(
        "review:\n  reviewer:\n    name: Jane O'Neil\n"
    )


def test_indentation_is_the_mapping_s_own() -> None:
    result = edit("review:\n    status: draft\n    reviewer:\n        name: A\ntitle: x\n")
    assert "\n        role: Pharmacist\n    last_reviewed: 2026-12-01\n" in result


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("approved", "approved"),
        ("in-review", "in-review"),
        ("yes", '"yes"'),
        ("Null", '"Null"'),
        ("1.0", '"1.0"'),
        ("a: b", '"a: b"'),
        ("José Núñez", "José Núñez"),
        ("trailing ", '"trailing "'),
        ("#hash", '"#hash"'),
        (dt.date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_scalars_read_back_as_written(value: object, written: str) -> None:
    assert scalar(value) == written  # type: ignore[arg-type]
    data = parse_yaml(f"key: {written}\n", "x.yaml").data
    assert data["key"] == (value.isoformat() if isinstance(value, dt.date) else value)
