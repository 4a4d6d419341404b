"""Pydantic validation errors, worded for content authors and located in their YAML.

"unknown key 'titel' — did you mean 'title'?", "'review.last_reviewed': '2026-13-01' is not a
valid date — write dates as YYYY-MM-DD": each at the line and column of the key or value.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from handoutkit.content.sourcemap import SourceMap
from handoutkit.diagnostics import Diagnostics, author_path, closest, did_you_mean
from handoutkit.names import SLUG

T = TypeVar("T")


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
            validated = model.validate_python(data)
        else:
            validated = cast(T, model.model_validate(data))  # type: ignore[attr-defined]
    except ValidationError as exc:
        target = hint_model or (model if isinstance(model, type) else None)
        errors = exc.errors()
        misspelt = _misspelt_required(errors, target)
        for error in errors:
            if error["type"] == "missing" and _clean_loc(error) in misspelt:
                continue  # "unknown key 'titel' — did you mean 'title'?" says it all
            _report_validation_error(error, source, prefix, target, diagnostics)
        return None
    _report_empty_values(source, prefix, diagnostics)
    return validated


def _report_empty_values(
    source: SourceMap, prefix: tuple[str | int, ...], diagnostics: Diagnostics
) -> None:
    """`key:` with nothing after it validates as "no value" for an optional field, but whoever
    wrote the key meant a value: often one YAML read as a comment (`accent: #376ec0`)."""
    for loc in source.empty:
        if loc[: len(prefix)] != prefix:
            continue
        comment = source.comment_after(loc)
        name = author_path(loc)
        if comment is not None:
            value = "#" + comment.split()[0] if comment else "#"
            diagnostics.warning(
                source.locate(loc, key=True),
                f"'{name}' is empty: YAML reads '{value}' after it as a comment",
                f'put the value in quotes (colours too): {loc[-1]}: "{value}"',
                rule="empty-value",
            )
        else:
            diagnostics.warning(
                source.locate(loc, key=True),
                f"'{name}' has no value, so it is ignored",
                "write its value after the colon, or remove the line",
                rule="empty-value",
            )


def _clean_loc(error: Any) -> tuple[Any, ...]:
    return tuple(part for part in error["loc"] if not _is_union_tag(part))


def _misspelt_required(errors: list[Any], model: type | None) -> set[tuple[Any, ...]]:
    """Locations of missing fields for which an unknown key beside them is the likely typo:
    adding the field as the error says would leave the misspelt key in place."""
    missing = {_clean_loc(e) for e in errors if e["type"] == "missing"}
    found = set()
    for error in errors:
        if error["type"] != "extra_forbidden":
            continue
        loc = _clean_loc(error)
        close = closest(str(loc[-1]), _allowed_keys(model, loc[:-1]))
        if close is not None and (*loc[:-1], close) in missing:
            found.add((*loc[:-1], close))
    return found


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
        parent = "the document" if len(loc) == 1 else f"'{author_path(loc[:-1])}'"
        diagnostics.error(
            source.locate(loc[:-1]),
            f"missing required field '{field_name}' in {parent}",
            f"add `{field_name}:` here",
            rule="schema",
        )
        return
    message, hint = _explain(kind, error, value)
    diagnostics.error(source.locate(loc), f"'{author_path(loc)}': {message}", hint, rule="schema")


def _explain(kind: str, error: Any, value: Any) -> tuple[str, str]:
    ctx = error.get("ctx") or {}
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{value}' is not a valid date", _date_hint(value)
    if kind == "string_type":
        if isinstance(value, bool | int | float):
            return (
                f"expected text, got the {type(value).__name__} {value!r}",
                f'put the value in quotes, e.g. "{value}"'
                if not isinstance(value, bool)
                else "put the value in quotes (yes/no/on/off are read as true/false)",
            )
        return f"expected text, got {kind_of(value)}", "write a single line or block of text"
    if kind == "string_too_short":
        return "must not be empty", "write the text, or remove the key if it is optional"
    if kind == "string_pattern_mismatch":
        return f"'{value}' has the wrong form", _pattern_hint(ctx.get("pattern", ""))
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {kind_of(value)}", "write each item on its own `- ` line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {kind_of(value)}", "write `key: value` lines"
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


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _date_hint(value: object) -> str:
    """What is wrong with a date: its form, or a day or month that does not exist."""
    import calendar
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value).strip())
    if match is None:
        return "write dates as YYYY-MM-DD, e.g. 2026-11-16"
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}: the month comes second, YYYY-MM-DD"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{_MONTHS[month - 1]} {year} has {days} days"
    return "write dates as YYYY-MM-DD, e.g. 2026-11-16"


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


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


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
