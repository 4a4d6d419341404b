"""Golden transcripts: what a screen reader reads of every shipped output, in structure order
(`handoutkit audit --transcript`), and that it follows the order of the document's YAML.

The shipped content changes (its own issues): after an intended change, refresh them with

    .venv/bin/python -m pytest tests/audit/test_transcript.py --update-golden

and read the diff. One golden file per document and edition (letter) and per rack pack; the
A4 outputs must read the same, up to where lines break.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import pikepdf
import pytest
import yaml

from handoutkit.audit.transcript import transcript_lines
from handoutkit.content.markdown import strip_markdown
from helpers import DATA, TODAY, copy_shipped_project

GOLDEN = DATA / "transcripts"


@pytest.fixture(scope="module")
def shipped_outputs(shipped_pack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped pack's PDFs and its rack packs (in a folder of their own: the session's
    pack is shared with other tests)."""
    import shutil

    from handoutkit.build.outputs import Selection
    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    project = copy_shipped_project(tmp_path_factory.mktemp("racks") / "project")
    out = project / "dist"
    shutil.copytree(shipped_pack, out)
    report = build_project(
        load_project(project),
        out,
        today=dt.date.fromisoformat(TODAY),
        selection=Selection(formats=("rack",)),
    )
    assert report.ok, [str(p) for r in report.failed for p in r.problems]
    return out


def _transcript(path: Path) -> str:
    with pikepdf.open(path) as pdf:
        return "\n".join(transcript_lines(pdf)) + "\n"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pageless(text: str) -> str:
    """A squeezed transcript without the page numbers of a rack pack's catalog."""
    return re.sub(r"(Pages|Páginas):\d+(–\d+)?", r"\1:", text)


def test_golden_transcripts(shipped_outputs: Path, request: pytest.FixtureRequest) -> None:
    letters = sorted(shipped_outputs.glob("*/*.letter.pdf"))
    assert len(letters) == 10 + 2  # 5 documents × 2 editions, 2 rack packs
    made = {f"{p.parent.name}.{p.name.removesuffix('.letter.pdf')}.txt": p for p in letters}
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        for old in GOLDEN.glob("*.txt"):
            old.unlink()
        for name, path in made.items():
            (GOLDEN / name).write_text(_transcript(path), encoding="utf-8")
    assert sorted(p.name for p in GOLDEN.glob("*.txt")) == sorted(made), (
        "documents or editions changed: run with --update-golden"
    )
    for name, path in made.items():
        expected = (GOLDEN / name).read_text(encoding="utf-8")
        actual = _transcript(path)
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True), actual.splitlines(True), name, "built", n=1
                )
            )
            pytest.fail(f"{name} differs from its golden transcript (--update-golden):\n{diff}")
        a4 = path.with_name(path.name.replace(".letter.pdf", ".a4.pdf"))
        # a rack pack's catalog gives each handout's pages, which differ between paper sizes
        assert _pageless(_squeezed(_transcript(a4))) == _pageless(_squeezed(actual)), (
            f"{a4.name} reads differently"
        )


def test_transcripts_have_no_page_artifacts(shipped_outputs: Path) -> None:
    """One table, header row once, no internal ids, and the brief's p value not fused."""
    brief = _transcript(shipped_outputs / "ketamine-bpd" / "brief.en.standard.letter.pdf")
    assert "[link: ref-" not in brief
    assert not re.search(r"p = 0\.03\d", brief)
    for path in shipped_outputs.glob("*/*.pdf"):
        text = _transcript(path)
        assert "[link: ref-" not in text, path.name


_TEXT_KEYS = ("heading", "title", "term", "question", "body", "text", "caption")


def _probes(value: object) -> list[str]:
    """Text a reader hears from one YAML block, in order: headings and the start of prose."""
    found: list[str] = []
    if isinstance(value, str):
        text = strip_markdown(value).split("\n")[0]
        words = text.split()[:5]
        if len(words) >= 2:
            found.append(" ".join(words))
    elif isinstance(value, list):
        for item in value:
            found.extend(_probes(item))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in _TEXT_KEYS or isinstance(item, list | dict):
                found.extend(_probes(item))
    return found


_METADATA = {"type", "id", "language", "code", "version", "description", "keywords", "review"}


@pytest.mark.parametrize("edition", ["standard", "large-print"])
def test_transcript_follows_the_yaml_order(shipped_outputs: Path, edition: str) -> None:
    """Every block of the YAML, in the file's order, is read in that order (crisis resources,
    which the templates put first on every document, and metadata aside). Checked against the
    content present, whatever it says."""
    for source in sorted((shipped_outputs.parent / "content").glob("*/*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        pdf = shipped_outputs / source.parent.name / f"{source.stem}.{edition}.letter.pdf"
        text = re.sub(r"\[link: [^\]]*\]|\[\w\w: |\s\[[\d,–-]+\]", " ", _transcript(pdf))
        text = " ".join(text.replace("]", " ").split())
        position = 0
        checked = 0
        for key, value in data.items():
            if key in _METADATA or key in ("title", "subtitle", "get_help_now"):
                continue
            for probe in _probes(value):
                probe = " ".join(re.sub(r"\[[^\]]*\]\{lang=[^}]*\}", " ", probe).split())
                found = text.find(probe, position)
                assert found >= 0, f"{source.name}: '{probe}' ({key}) not read after {position}"
                position = found
                checked += 1
        assert checked >= 5, source.name
