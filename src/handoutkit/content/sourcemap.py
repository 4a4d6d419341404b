"""Where each key and value of a loaded YAML file sits in its text, so every problem found
later (by the schema, the checks, the printer) can be located at path:line:col."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from handoutkit.diagnostics import Location

PathKey = tuple[str | int, ...]
_LINE_BREAK = re.compile("\n")


@dataclass(frozen=True)
class Span:
    start: int  # character offsets into the source text
    end: int


@dataclass
class SourceMap:
    """Where each path of a loaded YAML file sits in its text."""

    path: str
    text: str
    values: dict[PathKey, Span] = field(default_factory=dict)
    keys: dict[PathKey, Span] = field(default_factory=dict)
    empty: list[PathKey] = field(default_factory=list)  # `key:` with nothing after it
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(self.text)]

    def at_offset(self, offset: int) -> Location:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Location(self.path, line + 1, offset - self._line_starts[line] + 1)

    def locate(self, loc: PathKey, *, key: bool = False) -> Location:
        """The location of `loc`, or of its nearest ancestor that exists in the file."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.at_offset(self.keys[loc].start)
        while loc:
            if loc in self.values:
                return self.at_offset(self.values[loc].start)
            loc = loc[:-1]
        span = self.values.get(())
        return self.at_offset(span.start) if span else Location(self.path, 1, 1)

    def comment_after(self, loc: PathKey) -> str | None:
        """The comment on the line of key `loc` (its text after '#'), if any."""
        span = self.keys.get(tuple(loc))
        if span is None:
            return None
        end = self.text.find("\n", span.end)
        rest = self.text[span.end : end if end >= 0 else len(self.text)]
        before, hash_mark, comment = rest.partition("#")
        return comment.strip() if hash_mark and before.strip() in ("", ":") else None

    def locate_text(self, loc: PathKey, needle: str, occurrence: int = 0) -> Location:
        """The location of the n-th `needle` inside the value at `loc` (e.g. a citation)."""
        span = self.values.get(tuple(loc))
        if span is None:
            return self.locate(loc)
        source = self.text[span.start : span.end]
        index = -1
        for _ in range(occurrence + 1):
            index = source.find(needle, index + 1)
            if index < 0:
                return self.at_offset(span.start)
        return self.at_offset(span.start + index)


@dataclass
class LoadedYaml:
    data: Any
    source: SourceMap
