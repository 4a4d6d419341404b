"""Command line: a thin layer over the stages; `handoutkit.cli:main` is the entry point.

One module per command group (check, build, project, audit, preview) on the app of `common`;
`main` runs it and turns errors into exit codes.
"""

from handoutkit.cli.main import main

__all__ = ["main"]
