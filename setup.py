"""Build hook: the wheel carries the repository's top-level templates/, styles/ (fonts and
their OFL licence included) and schemas/ as handoutkit/defaults/..., where
`handoutkit.resources.default_root` finds them in an installed handoutkit. The repository keeps
one copy of each file; an editable install reads them from the repository root instead.

Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DEFAULTS = ("templates", "styles", "schemas")  # -> handoutkit/defaults/<name>/
TARGET = Path("handoutkit", "defaults")  # inside the build (and so the wheel)


def default_files(root: Path = ROOT) -> Iterator[Path]:
    """The files the wheel carries as defaults, relative to the repository root."""
    for folder in DEFAULTS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path.relative_to(root)


class BuildPyWithDefaults(build_py):
    """build_py, then copy the defaults into the build (never for an editable install)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / TARGET
        shutil.rmtree(target, ignore_errors=True)  # no stale files from an earlier build
        for relative in default_files():
            destination = target / relative
            self.mkpath(str(destination.parent))
            self.copy_file(str(ROOT / relative), str(destination))


if __name__ == "__main__":  # setuptools' build backend runs this file as __main__
    setup(cmdclass={"build_py": BuildPyWithDefaults})
