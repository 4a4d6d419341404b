"""Located problems reported to content authors.

Every user-facing problem is a `Diagnostic` printed compiler-style,
`path:line:col: severity: what is wrong — how to fix`, so editors and CI can jump to it.
Internal bugs are ordinary exceptions and are never dressed up as diagnostics.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from handoutkit.rules import RULES


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    severity: Severity
    message: str
    hint: str = ""
    rule: str = ""  # an id of `handoutkit.rules.RULES`; required

    def __post_init__(self) -> None:
        if self.rule not in RULES:  # a bug in handoutkit, caught by its tests
            raise ValueError(f"diagnostic without a registered rule id: {self.rule!r}")

    @classmethod
    def error_at(cls, location: Location, message: str, hint: str = "", *, rule: str) -> Diagnostic:
        """One error, for stages that stop at their first problem."""
        return cls(location, Severity.ERROR, message, hint, rule)

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        return one_line(f"{text} — {self.hint}" if self.hint else text)

    def to_json(self) -> dict[str, object]:
        data = {k: one_line(v) if isinstance(v, str) else v for k, v in asdict(self).items()}
        data["location"] = {**asdict(self.location), "path": one_line(self.location.path)}
        data["severity"] = self.severity.value
        data["text"] = str(self)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        """The inverse of `to_json` (for diagnostics replayed from a recorded build)."""
        where = data["location"]
        location = Location(where["path"], where["line"], where["col"])
        return cls(
            location, Severity(data["severity"]), data["message"], data["hint"], data["rule"]
        )


class Diagnostics(list[Diagnostic]):
    """An ordered collection with helpers for the two severities."""

    def error(self, location: Location, message: str, hint: str = "", *, rule: str) -> None:
        self.append(Diagnostic.error_at(location, message, hint, rule=rule))

    def warning(self, location: Location, message: str, hint: str = "", *, rule: str) -> None:
        self.append(Diagnostic(location, Severity.WARNING, message, hint, rule))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.WARNING]

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(self, key=lambda d: (d.location, d.severity != Severity.ERROR))


# control characters, line separators, and the surrogates Python makes of undecodable bytes
# in file names (which a strict UTF-8 terminal or JSON encoder cannot write)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """Control characters and surrogates (from file names or quoted input) escaped: one
    problem, one printable line."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells: the same word in other letter case
    ('url' for 'URL'), else the nearest by spelling; None when nothing is close."""
    options = sorted(set(choices))
    same = [option for option in options if option.casefold() == word.casefold()]
    if same:
        return same[0]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:  # 'accesed' for 'accessed', 'Title' for 'title': compare folded too
        folded = {option.casefold(): option for option in options}
        close = [folded[c] for c in difflib.get_close_matches(word.casefold(), folded, n=1)]
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str], noun: str = "keys") -> str:
    """A 'did you mean' hint for a misspelt key or name, and otherwise the valid choices."""
    options = sorted(set(choices))
    close = closest(word, options)
    if close is not None:
        return f"did you mean '{close}'?"
    return f"valid {noun} here: " + ", ".join(options)


def display_path(path: Path) -> str:
    """The path as the user would type it from the current folder, so editors can jump to it."""
    try:
        return Path(os.path.relpath(path.absolute(), Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def author_path(loc: tuple[Any, ...]) -> str:
    """A field's path as an author counts: `glossary item 2.term` for ('glossary', 1, 'term')
    (lists count from 1, as in the file), `item 3` for the third entry of a list file."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f" item {part + 1}" if text else f"item {part + 1}"
        else:
            text += f".{part}" if text else str(part)
    return text or "document"
