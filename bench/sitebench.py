"""The library site at scale (`build --format site`), for bench/run.py's site rows.

    .venv/bin/python bench/sitebench.py PROJECT      # in-process: time the site step, print JSON

`measure_site` (called by bench/run.py on the project of its memory run, whose PDFs are built):
builds the HTML editions (`--format html`, -j 2: their own output format, timed apart), then
times the site step alone (`build_site` on the manifest's PDFs and HTML editions, drafts
included: the synthetic handouts have no review status), then opens the site in Chromium
(tests/browser/site-check.mjs): what the home page loads before any search, and how long
searches take once the index is loaded (`HKSite.lastSearchMs`, the search itself, and the wall
time from typing to the list shown). Rack packs are left out: they are PDFs of the ordinary
build, not the site's cost.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SITE_CHECK = BENCH.parent / "tests" / "browser" / "site-check.mjs"


def measure_site(root: Path, env: dict[str, str], pdf_seconds: float, docs: int) -> dict[str, Any]:
    from run import handoutkit_build, run, say  # bench/run.py (the script's folder is on sys.path)

    say(f"site: HTML editions of {docs} documents …")
    html_run, _report, _probe = handoutkit_build(root, env, "-j", "2", "--format", "html,json")
    say("site: the site step …")
    step = run([sys.executable, str(BENCH / "sitebench.py"), str(root)], root, env)
    if step.returncode:
        sys.exit(f"bench/sitebench.py failed:\n{step.stderr[-4000:]}")
    made = json.loads(step.stdout)
    found: dict[str, Any] = {
        "docs": docs,
        "pdf_build_seconds": round(pdf_seconds, 3),
        "html_build_seconds": round(html_run.seconds, 3),
        **made,
        "ratio": made["seconds"] / pdf_seconds,
    }
    node = shutil.which("node")
    if node and (SITE_CHECK.parent / "node_modules" / "playwright-core").is_dir():
        say("site: in Chromium …")
        browser = subprocess.run(
            [node, str(SITE_CHECK), str(root / "dist" / "site"), "--timing-only"],
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        report = json.loads(browser.stdout) if browser.stdout.strip() else {}
        steps = report.get("steps", {})
        times = steps.get("timing", [])[1:]  # the first one loads and indexes the text
        found["browser"] = {
            "problems": report.get("problems", [browser.stderr[-2000:]])[:10],
            "home_bytes": steps.get("home", {}).get("bytes"),
            "home_files": steps.get("home", {}).get("files"),
            "first_search_wall_ms": (steps.get("timing") or [{}])[0].get("wall_ms"),
            "search_ms_max": max((t["search_ms"] for t in times), default=None),
            "search_ms_median": statistics.median(t["search_ms"] for t in times) if times else None,
            "search_wall_ms_max": max((t["wall_ms"] for t in times), default=None),
            "timing": steps.get("timing"),
        }
    else:
        found["browser"] = None
        say("site: no browser (scripts/setup-browser): the browser rows are left out")
    return found


def main() -> None:
    """Time `build_site` on a project whose PDFs and HTML editions are built (in `dist/`)."""
    from handoutkit.build.manifest import read_manifest
    from handoutkit.build.site import build_site
    from handoutkit.content.loader import load_project

    root = Path(sys.argv[1])
    project = load_project(root)
    out = root / project.config.output
    shutil.rmtree(out / "site", ignore_errors=True)
    entries = [e for name, e in read_manifest(out).items() if not name.startswith("site/")]
    started = time.perf_counter()
    made = build_site(project, out, entries, include_drafts=True)
    seconds = time.perf_counter() - started
    data = out / "site" / "_site" / "data"
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "pages": made.pages,
                "files": made.files,
                "catalog_bytes": (data / "catalog.js").stat().st_size,
                "text_bytes": sum(p.stat().st_size for p in data.glob("text.*.js")),
            }
        )
    )


if __name__ == "__main__":
    main()
