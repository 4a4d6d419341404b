"""The errors handoutkit raises on purpose, and the exit code each one means.

- `ContentError` (exit 1): the project's content, templates or stylesheets have problems; it
  carries located diagnostics (`path:line:col: error: what — how to fix`).
- `UsageError` (exit 2): the command was given something it cannot use (a bad option, a path
  that does not exist, no project); it carries one message.

Anything else that escapes a command is a bug in handoutkit (exit 3, see `handoutkit.cli`).
"""

from __future__ import annotations

from collections.abc import Iterable

from handoutkit.diagnostics import Diagnostic, Location

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_HANGUP = 129  # the terminal closed (128 + SIGHUP)
EXIT_INTERRUPTED = 130  # Ctrl+C (128 + SIGINT)
EXIT_TERMINATED = 143  # stopped by `kill`, `timeout`, CI or a service manager (128 + SIGTERM)


class HandoutkitError(Exception):
    """A problem the user can fix: printed without a traceback, with its exit code."""

    exit_code = EXIT_CONTENT

    def lines(self) -> list[str]:
        return str(self).splitlines()


class ContentError(HandoutkitError):
    """Problems in what the user wrote, each located: exit 1."""

    exit_code = EXIT_CONTENT

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        if not self.diagnostics:
            raise ValueError("a ContentError needs at least one diagnostic")
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, location: Location, message: str, hint: str = "", *, rule: str) -> ContentError:
        """One located error."""
        return cls([Diagnostic.error_at(location, message, hint, rule=rule)])


class UsageError(HandoutkitError):
    """The command cannot be used like this (bad option, missing path, no project): exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def lines(self) -> list[str]:
        return [
            f"handoutkit: {line}" if i == 0 else line
            for i, line in enumerate(str(self).splitlines())
        ]
