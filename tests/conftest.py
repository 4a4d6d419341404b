"""Shared fixtures: run the CLI in-process, and copies of the test and shipped projects."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from handoutkit.cli import main
from helpers import MINI, TODAY, Result, copy_shipped_project


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/data/golden/ from the current templates (review the diff)",
    )


# --------------------------------------------------------------------------- in CI, skip = fail


def in_ci() -> bool:
    """CI sets CI=true: there every tool must be installed, so nothing may be skipped."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str | None:
    """Why a report was skipped, when it counts as a failure (under CI, not an xfail)."""
    if not (in_ci() and report.skipped) or hasattr(report, "wasxfail"):
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else longrepr
    reason = str(reason).removeprefix("Skipped: ")
    return f"skipped under CI={os.environ.get('CI')}, and in CI a skip is a failure: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    reason = _skip_reason(report)
    if reason:
        report.outcome = "failed"
        report.longrepr = reason
    return report


class _SkippedInCI(pytest.Item):
    """Stands for a module skipped as a whole (at import): fails with the skip reason."""

    def __init__(self, *, reason: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self) -> None:
        raise pytest.fail.Exception(self.reason, pytrace=False)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    reason = _skip_reason(report)
    if reason:  # a failing test in its place, so the other tests still run
        report.outcome = "passed"
        report.longrepr = None
        report.result = [_SkippedInCI.from_parent(collector, name="skipped", reason=reason)]
    return report


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


@pytest.fixture(scope="session")
def shipped_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped pack's PDFs (every document × edition × paper size), built once a session."""
    import datetime as dt

    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    project = copy_shipped_project(tmp_path_factory.mktemp("pack") / "project")
    out = project / "dist"
    report = build_project(load_project(project), out, today=dt.date.fromisoformat(TODAY))
    assert report.ok, [str(p) for r in report.failed for p in r.problems]
    return out


@pytest.fixture(scope="session")
def shipped_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped worksheets' fillable PDFs (`--format fillable`), built once a session."""
    import datetime as dt

    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    project = copy_shipped_project(tmp_path_factory.mktemp("forms") / "project")
    out = project / "dist"
    report = build_project(
        load_project(project),
        out,
        today=dt.date.fromisoformat(TODAY),
        formats=("fillable",),
        jobs=2,
    )
    assert report.ok, [str(p) for r in report.failed for p in r.problems]
    return out
