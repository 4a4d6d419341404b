"""The console entry point: runs a command and maps what escapes it to an exit code.

Exit codes: 0 success (warnings allowed unless --strict); 1 content errors or failed outputs
(`ContentError`); 2 usage errors (`UsageError`: bad options, no project); 130 interrupted
(Ctrl+C), and for a build stopped by a signal 128 + the signal (129 SIGHUP, 143 SIGTERM);
3 anything else, which is a bug in handoutkit (rerun with --debug for the traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any, NoReturn

import typer

from handoutkit.cli.common import app
from handoutkit.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, HandoutkitError

# Each module registers its commands on the app; `--help` lists them in this order.
COMMAND_MODULES = ("check", "build", "approve", "project", "audit", "preview")
for _module in COMMAND_MODULES:
    importlib.import_module(f"handoutkit.cli.{_module}")


def command() -> Any:
    """The app as a (click) command, its flags shown without a value placeholder in --help
    (`--strict`, not `--strict <bool>`: a flag takes no value)."""
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {}).values()
    for each in (group, *commands):
        for param in each.params:
            _no_placeholder(param)
        each.get_help_option = _help_option_without_placeholder(each.get_help_option)
    return group


def _no_placeholder(param: Any) -> Any:
    if param is not None and getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""
    return param


def _help_option_without_placeholder(get_help_option: Any) -> Any:
    """--help is made per call, not kept with the other options."""
    return lambda ctx: _no_placeholder(get_help_option(ctx))


def main() -> NoReturn:
    """Console entry point: user errors without tracebacks, internal errors short unless --debug."""
    debug = "--debug" in sys.argv or bool(os.environ.get("HANDOUTKIT_DEBUG"))
    try:
        code = command().main(standalone_mode=False)  # returns the exit code of typer.Exit
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except HandoutkitError as exc:
        for line in exc.lines():
            typer.echo(line, err=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("handoutkit: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # click usage errors are handled below; anything else is a bug
        # typer vendors its own click, so recognise its usage errors by class name
        if any(base.__name__ == "ClickException" for base in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if debug:
            traceback.print_exc()
        typer.echo(
            f"handoutkit: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in handoutkit, not in your content. Rerun with --debug for details.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
