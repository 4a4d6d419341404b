"""Golden HTML: the small test project rendered to HTML (print and screen, every edition)
without WeasyPrint, compared with tests/data/golden/. A template or renderer change shows up
here in milliseconds, as a readable diff.

After an intended change, refresh the files and review the diff before committing them:
    .venv/bin/python -m pytest tests/render/test_golden_html.py --update-golden
"""

from __future__ import annotations

import difflib
import re
import shutil
from hashlib import sha256
from pathlib import Path

import pytest

from handoutkit.content.loader import load_project
from handoutkit.render.renderer import Renderer
from helpers import DATA, MINI

GOLDEN = DATA / "golden"
EDITIONS = ("standard", "large-print")


def _outputs(project: Path) -> dict[str, str]:
    loaded = load_project(project)
    renderer = Renderer(loaded)
    pages = {}
    for document in loaded.documents:
        for edition in EDITIONS:
            for medium in ("print", "screen"):
                name = f"{document.stem}.{edition}.{medium}.html"
                pages[name] = _readable(renderer.render(document, edition, medium).html)
    return pages


def _readable(html: str) -> str:
    """The HTML with each inlined file (fonts, images: base64 data: URIs) as a short digest,
    so the golden files stay small and their diffs readable."""

    def digest(match: re.Match[str]) -> str:
        payload = match.group(2).encode()
        short = sha256(payload).hexdigest()[:12]
        return f"data:{match.group(1)};base64,<{len(payload)} bytes {short}>"

    return re.sub(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)", digest, html)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    project = tmp_path_factory.mktemp("golden") / "mini"
    shutil.copytree(MINI, project)
    return _outputs(project)


def test_rendered_html_matches_the_golden_files(
    rendered: dict[str, str], request: pytest.FixtureRequest
) -> None:
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        GOLDEN.mkdir(parents=True)
        for name, html in rendered.items():
            (GOLDEN / name).write_text(html, encoding="utf-8")
    assert sorted(p.name for p in GOLDEN.glob("*.html")) == sorted(rendered), (
        "documents or editions changed: run with --update-golden"
    )
    for name, html in rendered.items():
        golden = (GOLDEN / name).read_text(encoding="utf-8")
        if html != golden:
            diff = "\n".join(
                difflib.unified_diff(
                    golden.splitlines(),
                    html.splitlines(),
                    f"golden/{name}",
                    "rendered",
                    lineterm="",
                )
            )
            pytest.fail(f"{name} differs from its golden file (--update-golden to accept):\n{diff}")


def test_rendering_needs_no_weasyprint(tmp_path: Path) -> None:
    """The render stage stands alone: this tier (and `--format html`) never imports it."""
    import subprocess
    import sys

    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    code = (
        "import sys; from handoutkit.content.loader import load_project; "
        "from handoutkit.render.renderer import Renderer; "
        f"p = load_project(__import__('pathlib').Path({str(project)!r})); "
        "[Renderer(p).render(d, 'standard') for d in p.documents]; "
        "print('weasyprint' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
