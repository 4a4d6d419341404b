"""YAML problems in an author's words: PyYAML's parser messages ("expected <block end>, but
found '?'") become what went wrong on the line and how to fix it, located where the mistake
is (an unclosed quote where it opens, not where the file ends)."""

from __future__ import annotations

import re

import yaml

from handoutkit.content.sourcemap import SourceMap
from handoutkit.diagnostics import Diagnostic, Location


def _error(location: Location, message: str, hint: str, rule: str) -> Diagnostic:
    return Diagnostic.error_at(location, message, hint, rule=rule)


def reader_error(source: SourceMap, exc: yaml.reader.ReaderError) -> Diagnostic:
    character = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return _error(
        source.at_offset(exc.position),
        f"file contains the control character U+{character:04X}",
        "delete it (most editors do not show it); content files hold plain text",
        "yaml-encoding",
    )


def syntax_error(source: SourceMap, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    # by offset, so lines are counted like the rest (PyYAML also breaks lines at \r, U+2028)
    where = source.at_offset(min(mark.index, len(source.text))) if mark else Location(source.path)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if exc.context_mark is not None and (exc.context or "").startswith(
        ("while scanning a simple key", "while scanning a quoted scalar")
    ):  # the key or quote that never ended, not the end of the file where it was noticed
        where = source.at_offset(min(exc.context_mark.index, len(source.text)))
    lines = source.text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    unclosed = _unclosed_quote(lines[: where.line])
    if unclosed is not None and problem.startswith(("expected <block end>", "could not find")):
        line_number, col = unclosed
        return _error(
            Location(source.path, line_number, col),
            f"YAML syntax error: the quote opened here is not closed on line {line_number}",
            "close it with a quote at the end of the value, or remove the opening quote",
            "yaml-syntax",
        )
    problem, hint = _plain_syntax_problem(problem, str(exc), line, where.col)
    return _error(where, f"YAML syntax error: {problem}", hint, "yaml-syntax")


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[\w.-]+:\s+)?(["'])""")


def _unclosed_quote(lines: list[str]) -> tuple[int, int] | None:
    """(line, col) of the last quoted value before the error that does not end on its line:
    YAML lets it run on, and the parser stops lines later with a misleading message."""
    for number in range(len(lines), 0, -1):
        text = lines[number - 1]
        match = _QUOTED_VALUE.match(text)
        if match is None:
            continue
        quote, rest = match.group(1), text[match.end() :]
        closed = rest.count("'") % 2 == 1 if quote == "'" else _closes(rest)
        if not closed:
            return number, match.end()
    return None


def _closes(rest: str) -> bool:
    """Whether a double-quoted value closes on this line (a backslash escapes a quote)."""
    escaped = False
    for character in rest:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            return True
    return False


_KEY_ON_LINE = re.compile(r"^\s*(?:-\s+)?[\w.-]+:\s")


def _plain_syntax_problem(problem: str, whole: str, line: str, col: int) -> tuple[str, str]:
    """PyYAML's parser words ("expected <block end>, but found '?'") in an author's words."""
    if "'\\t'" in problem or "\\t" in problem or "tab" in problem:
        return "a tab character is used for indentation", "indent with spaces, not tabs"
    if "expected a single document" in whole:
        return (
            "more than one YAML document in the file",
            "remove the '---' separator; use one file per document",
        )
    if "found undefined alias" in problem:
        return problem, "define the anchor (&name) before using the alias (*name)"
    if problem == "mapping values are not allowed here":
        key = _KEY_ON_LINE.match(line)
        if key and key.end() < col:  # `title: Telehealth: what to know`
            value = line[key.end() :].strip()
            return (
                "a value containing ': ' must be quoted",
                f'put the value in quotes: {key.group().strip()} "{value}"',
            )
        return (
            "this line is indented as if it continued the line above",
            "line its key up with the keys above it",
        )
    if problem.startswith("expected <block end>, but found '?'"):
        return (
            "this key is not lined up with the other keys of its mapping",
            "indent it like its neighbours, or start it with '- ' if it is a list item",
        )
    if problem.startswith("expected <block end>, but found '<block sequence start>'"):
        return (
            "this list item ('- ') is not lined up with the items above it",
            "indent every '- ' of a list by the same number of spaces",
        )
    if problem.startswith("expected <block end>"):
        return (
            "this line is not lined up with the lines above it",
            "check its indentation against the lines above",
        )
    if problem == "could not find expected ':'":
        return (
            "this line has text but no 'key:'",
            "indent text that continues the value above it, or write the value as a block "
            "with `key: |` and indented lines",
        )
    if problem.startswith("expected ',' or ']'") or problem.startswith("expected ',' or '}'"):
        return (
            "a list or mapping written on one line ([...] or {...}) is not closed",
            "close it, or write each item on its own '- ' line",
        )
    if problem == "found unexpected end of stream":
        return "a quoted value is never closed", "add the closing quote"
    return problem, "check the indentation and quoting on this line"
