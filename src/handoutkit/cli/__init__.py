"""Command line: a thin layer over the stages; `handoutkit.cli:main` is the entry point."""

from handoutkit.cli.app import main

__all__ = ["main"]
