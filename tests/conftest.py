"""Shared fixtures: run the CLI in-process, and copies of the test and shipped projects."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from handoutkit.cli import main

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
MINI = TESTS / "data" / "mini"
TODAY = "2026-11-23"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `handoutkit ARGS` in-process in folder `cwd`; return exit code and output."""

    def runner(*args: str, cwd: Path, today: str | None = TODAY) -> Result:
        monkeypatch.chdir(cwd)
        argv = ["handoutkit", *(["--today", today] if today else []), *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main()
        captured = capsys.readouterr()
        return Result(int(exit_info.value.code or 0), captured.out, captured.err)

    return runner


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of the small test project."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def copy_shipped_project(target: Path) -> Path:
    """The repository's own project (config, content, templates, styles) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "handoutkit.yaml", target)
    for folder in ("content", "templates", "styles"):
        shutil.copytree(REPO / folder, target / folder)
    return target
