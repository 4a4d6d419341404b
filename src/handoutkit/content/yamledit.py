"""Located edits of a YAML file: set some values of one mapping, touch nothing else.

`handoutkit approve` records an approval in a document's `review:` mapping. Content files are
written by people, with comments, folded text and their own layout, so the file is not dumped
again: each value that changes is replaced where it stands (at its place in the `SourceMap`),
and keys the mapping lacks are added after its last entry, at its indentation. Every other
byte stays as it was. The caller checks that the edited text reads back as the intended data
(`edited_data`) before writing anything.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from handoutkit.content.sourcemap import PathKey, SourceMap

Value = str | int | bool | dt.date | Mapping[str, Any]
# plain scalars that read back as the same text: words, and ISO dates (kept as text by the
# loader); YAML's own words (true, no, null, ...) are quoted
_PLAIN = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'-])*|\d{4}-\d\d-\d\d")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none"}


class EditError(Exception):
    """The mapping cannot be edited in place (e.g. it is not where the source map says)."""


def scalar(value: str | int | bool | dt.date) -> str:
    """A YAML scalar that reads back as `value` (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value == value.strip() and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar


def edited_data(data: Any, values: Mapping[str, Value]) -> Any:
    """`data` (a mapping) with `values` set, nested mappings merged: what the edit must give."""
    result = dict(data) if isinstance(data, Mapping) else {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            result[key] = edited_data(result.get(key), value)
        else:
            result[key] = value.isoformat() if isinstance(value, dt.date) else value
    return result


def set_values(
    source: SourceMap, loc: PathKey, values: Mapping[str, Value], current: Mapping[str, Any]
) -> str:
    """The source text with `values` set in the block mapping at `loc` (whose data is
    `current`); a mapping written in flow style ({...}) is written out again as a whole."""
    edits: list[tuple[int, int, str]] = []
    _edit_mapping(source, loc, values, current, edits)
    text = source.text
    # from the end of the text back; of two insertions at one place, the one made first (a
    # nested mapping's, before its parent's) comes first
    order = sorted(range(len(edits)), key=lambda i: (edits[i][0], i), reverse=True)
    for index in order:
        start, end, replacement = edits[index]
        text = text[:start] + replacement + text[end:]
    return text


def _edit_mapping(
    source: SourceMap,
    loc: PathKey,
    values: Mapping[str, Value],
    current: Mapping[str, Any],
    edits: list[tuple[int, int, str]],
) -> None:
    span = source.values.get(loc)
    if span is None:
        raise EditError(f"'{'.'.join(map(str, loc))}' is not in the file")
    text = source.text
    if text[span.start : span.start + 1] == "{":  # flow style: write the whole mapping out
        merged = edited_data(current, values)
        edits.append((span.start, span.end, _flow(merged)))
        return
    child_keys = [source.keys[(*loc, key)] for key in current if (*loc, key) in source.keys]
    if not child_keys:
        raise EditError(f"'{'.'.join(map(str, loc))}' is not a mapping")
    indent = source.at_offset(min(k.start for k in child_keys)).col - 1
    unit = max(indent - _column(source, loc), 2)
    appended: list[str] = []
    for key, value in values.items():
        where = (*loc, key)
        if where not in source.keys:
            appended.append(_block(key, value, indent, unit))
            continue
        old = current.get(key)
        value_span = source.values.get(where)
        if isinstance(value, Mapping) and isinstance(old, Mapping) and old:
            _edit_mapping(source, where, value, old, edits)
        elif value_span is None or value_span.end <= source.keys[where].end:
            key_span = source.keys[where]  # `key:` with nothing after it
            block = _block(key, value, indent, unit)[indent:]
            edits.append((key_span.start, key_span.end + 1, block))
        elif isinstance(value, Mapping):  # a scalar (or an empty mapping) becomes a mapping
            key_span = source.keys[where]
            end = _content_end(text, value_span.end)
            edits.append((key_span.start, end, _block(key, value, indent, unit)[indent:]))
        else:
            end = _content_end(text, value_span.end)
            edits.append((value_span.start, end, scalar(value)))
    if appended:  # after the line of the mapping's last value (not after comments that follow)
        last = max(_leaf_ends(source, loc, current), default=source.values[loc].start)
        line_end = text.find("\n", _content_end(text, last))
        line_end = len(text) if line_end < 0 else line_end
        edits.append((line_end, line_end, "".join("\n" + block for block in appended)))


def _leaf_ends(source: SourceMap, loc: PathKey, value: Any) -> list[int]:
    """Where the scalars in `value` (at `loc`) end: a mapping's own span runs on over the
    comments after it, up to the next key."""
    if isinstance(value, Mapping):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        span = source.values.get(loc)
        return [span.end] if span else []
    ends = [source.keys[(*loc, k)].end for k, _ in items if (*loc, k) in source.keys]
    for key, item in items:
        ends += _leaf_ends(source, (*loc, key), item)
    return ends


def _content_end(text: str, end: int) -> int:
    """`end` without the line breaks and spaces a block value's span carries at its end."""
    return len(text[:end].rstrip())


def _column(source: SourceMap, loc: PathKey) -> int:
    """The column (0-based) of the key of the mapping at `loc` (0 for the top level)."""
    if not loc or loc not in source.keys:
        return 0
    return source.at_offset(source.keys[loc].start).col - 1


def _block(key: str, value: Value, indent: int, unit: int) -> str:
    """`key: value` at `indent` spaces, a mapping as an indented block (no final line break)."""
    pad = " " * indent
    if not isinstance(value, Mapping):
        return f"{pad}{key}: {scalar(value)}"
    lines = [f"{pad}{key}:"]
    lines += [_block(k, v, indent + unit, unit) for k, v in value.items()]
    return "\n".join(lines)


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    return scalar(value)
