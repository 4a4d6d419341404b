"""conftest.py: under CI=true a skipped test is a failure that shows the skip reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import TESTS

SAMPLE = """
import pytest

def test_skips():
    pytest.skip("java not found: install a JRE")

@pytest.mark.skipif(True, reason="no browser")
def test_marked():
    pass

@pytest.mark.xfail(reason="known bug")
def test_expected_failure():
    assert False

def test_passes():
    pass
"""

MODULE_SKIP = """
import pytest
pytest.skip("node is not installed", allow_module_level=True)
"""


def _pytest(folder: Path, ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(TESTS)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-q",
         "-p", "no:hypothesispytest",  # a second of start-up, unused here
         "-ra", "--rootdir", str(folder), str(folder)],
        capture_output=True, text=True, env=env, cwd=folder, timeout=120,
    )  # fmt: skip


def test_skips_fail_under_ci_only(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "test_module.py").write_text(MODULE_SKIP)

    local = _pytest(tmp_path, "")
    assert local.returncode == 0, local.stdout
    assert "1 passed, 3 skipped, 1 xfailed" in local.stdout

    ci = _pytest(tmp_path, "true")
    assert ci.returncode == 1, ci.stdout
    # a skip while setting up (skipif mark, fixture) fails the set-up: pytest calls it an error
    assert "2 failed, 1 passed, 1 xfailed, 1 error" in ci.stdout
    prefix = "skipped under CI=true, and in CI a skip is a failure: "
    for reason in ("java not found: install a JRE", "no browser", "node is not installed"):
        assert prefix + reason in ci.stdout, ci.stdout

    assert _pytest(tmp_path, "false").returncode == 0
