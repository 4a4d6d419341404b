"""The HTML edition in a real browser: axe-core (WCAG 2.x A to AAA, best practices), reflow at a
phone's width, and no network. The checker is tests/browser/axe-check.mjs (Node, playwright-core,
the system Chromium); `scripts/setup-browser` installs what it needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import BROWSER, FIX, SCRIPT, axe_check, copy_shipped_project, missing_piece

FIXTURES = BROWSER / "fixtures"


def test_shipped_html_edition_has_no_accessibility_violations(run, tmp_path: Path) -> None:
    missing = missing_piece()
    if missing:  # before building, so that a machine without a browser skips at once
        pytest.skip(f"browser accessibility check: {missing}")
    project = copy_shipped_project(tmp_path / "project")
    out = tmp_path / "out"
    result = run("build", "--format", "html", "--out", str(out), cwd=project)
    assert result.code == 0, result.text
    from handoutkit.content.loader import load_project

    loaded = load_project(project)
    pages = sorted(p.relative_to(out).as_posix() for p in out.glob("*/*.html"))
    assert len(pages) == len(loaded.documents) * len(loaded.config.editions) > 0, pages

    code, summary, report = axe_check(*pages, cwd=out)
    assert [f["file"] for f in summary["files"]] == pages
    assert all(r["rules"] > 0 for f in summary["files"] for r in f["runs"])
    assert code == 0 and summary["ok"], "accessibility problems in the HTML edition:\n" + report


def test_checker_reports_a_broken_page_and_passes_a_clean_one() -> None:
    code, summary, report = axe_check("broken.html", "clean.html", cwd=FIXTURES)
    assert code == 1, report
    broken, clean = summary["files"]
    assert clean["ok"], report
    assert clean["violations"] == [] and clean["blocked"] == [] and clean["errors"] == []

    assert not broken["ok"]
    found = {(v["id"], n["target"]) for v in broken["violations"] for n in v["nodes"]}
    assert ("image-alt", "#no-alt") in found, report
    assert ("color-contrast", "#low-contrast") in found, report  # 2.3:1, fails AA
    assert ("color-contrast-enhanced", "#aa-only") in found, report  # 4.5:1, fails AAA only
    assert any(v == "reflow" and "too-wide" in t for v, t in found), report
    violations = {v["id"]: v for v in broken["violations"]}
    assert violations["reflow"]["where"] == ["320px"], report
    assert violations["image-alt"]["impact"] == "critical"
    image = violations["image-alt"]["nodes"][0]
    assert image["html"].startswith('<img id="no-alt"') and image["summary"], report
    assert broken["blocked"] == ["http://127.0.0.1:9/tracker.png"], report
    assert "FAIL broken.html" in report and "PASS clean.html" in report
    assert "image-alt [critical]" in report and "- #low-contrast" in report


def test_checker_usage_errors_exit_2(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"browser accessibility check: node is not installed; {FIX}")
    for args in ([], ["--bogus", str(FIXTURES / "clean.html")], [str(tmp_path / "none.html")]):
        process = subprocess.run(
            [node, str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert process.returncode == 2, (args, process.stderr)
        assert "usage:" in process.stderr
