"""The library site in a real browser (the system Chromium, offline, from file://): axe-core on
every page at 1280 and 320 px, and a person's use of it with the keyboard only
(tests/browser/site-check.mjs): a Spanish search, the large-print filter, a PDF opened, the
print button pressed. `scripts/setup-browser` installs what it needs; under CI=true a missing
browser fails instead of skipping. HK_SITE_SHOTS=DIR keeps screenshots of the pages it used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import BROWSER, axe_check, copy_shipped_project, missing_piece


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = missing_piece()
    if missing:  # before building, so that a machine without a browser skips at once
        pytest.skip(f"browser check of the site: {missing}")
    import datetime as dt

    from handoutkit.build.request import BuildRequest, run_build
    from helpers import TODAY

    root = tmp_path_factory.mktemp("site-browser")
    project = copy_shipped_project(root / "project")
    request = BuildRequest(
        root=project,
        today=dt.date.fromisoformat(TODAY),
        formats=("site",),
        out=root / "out",
        include_drafts=True,  # the shipped documents have no review status yet: drafts
        jobs=2,
    )
    assert run_build(request).report.ok
    return root / "out" / "site"


def test_every_page_of_the_site_passes_axe_at_1280_and_320_px(site: Path) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert "index.html" in pages and len(pages) == 14, pages  # 5 documents × 2 editions, 2 packs
    code, summary, report = axe_check(*pages, cwd=site)
    assert [f["file"] for f in summary["files"]] == pages
    assert all(r["rules"] > 0 for f in summary["files"] for r in f["runs"])
    assert code == 0 and summary["ok"], "accessibility problems in the site:\n" + report


def test_search_filter_open_and_print_with_the_keyboard(site: Path) -> None:
    node = shutil.which("node")
    assert node
    shots = os.environ.get("HK_SITE_SHOTS")
    process = subprocess.run(
        [
            node,
            str(BROWSER / "site-check.mjs"),
            str(site),
            *([f"--shots={shots}"] if shots else []),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert process.returncode in (0, 1), process.stderr
    report = json.loads(process.stdout)
    steps = report["steps"]
    assert process.returncode == 0 and report["ok"], json.dumps(report["problems"], indent=1)
    # before any search the home page loads itself and the site's script, nothing else
    assert steps["home"]["files"] == ["index.html", "_site/site.js"]
    assert steps["home"]["bytes"] < 300_000
    assert steps["tab_order"][-1] == "hk-q"
    # "depresion", typed without its accent, finds the Spanish handout first
    first = steps["search"]["results"][0]
    assert first["lang"] == "es" and first["title"] == "La ketamina y el TLP", steps["search"]
    # filtered to large print: every PDF listed is a large-print one, the links go to it
    assert steps["filter"]["edition"] == "large-print" and steps["filter"]["results"]
    for item in steps["filter"]["results"]:
        assert item["page"].endswith(".large-print.html") and item["files"]
        assert all(".large-print." in f["href"] for f in item["files"])
    assert steps["pdf"]["is_pdf"] and steps["pdf"]["opened"]
    assert steps["print"]["printed"] == 1 and steps["print"]["in_print"]["panel"] == "none"
    assert all(t["search_ms"] is not None and t["search_ms"] < 100 for t in steps["timing"])
    # the axe runs of the pages in use (results and filtered list) found nothing either
    wheres = {a["where"] for a in report["axe"]}
    assert {"search results 320px", "filtered list 1280px"} <= wheres
    assert not any(a["violations"] for a in report["axe"])


def test_the_site_check_fails_on_a_broken_site(tmp_path: Path) -> None:
    """A check that cannot fail is no check: a home page without search fails it."""
    if missing_piece():
        pytest.skip(f"browser check of the site: {missing_piece()}")
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<input id="hk-q"></body></html>',
        encoding="utf-8",
    )
    node = shutil.which("node")
    assert node
    process = subprocess.run(
        [node, str(BROWSER / "site-check.mjs"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == 1, process.stderr
    problems = json.loads(process.stdout)["problems"]
    assert any("image-alt" in p for p in problems), problems
    assert any("html-has-lang" in p for p in problems), problems
    assert any("could not finish" in p or "skip link" in p for p in problems), problems
