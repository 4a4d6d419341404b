"""Batch builds: the matrix and its selection, the cache, the manifest, shards, workers."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from helpers import REPO

ALL_PDFS = {
    f"demo/{doc}.{edition}.{paper}.pdf"
    for doc in ("handout.en", "brief.en")
    for edition in ("standard", "large-print")
    for paper in ("letter", "a4")
}


@pytest.fixture
def matrix(mini: Path) -> Path:
    """The test project with two editions and two paper sizes: 2 × 2 × 2 = 8 PDFs."""
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text()
        .replace("editions: [standard]", "editions: [standard, large-print]")
        .replace("paper_sizes: [letter]", "paper_sizes: [letter, a4]")
    )
    return mini


def manifest(out: Path) -> dict[str, dict]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in data["outputs"]}


def statuses(result) -> dict[str, str]:
    report = json.loads(result.out)
    return {output["path"]: output["status"] for output in report["outputs"]}


def build_json(run, project: Path, *args: str, formats: str = "pdf") -> dict[str, str]:
    result = run("build", "--format", f"json,{formats}", "-j", "1", *args, cwd=project)
    assert result.code == 0, result.text
    return statuses(result)


# --------------------------------------------------------------------------- the matrix


def test_full_matrix(run, matrix: Path) -> None:
    assert set(build_json(run, matrix)) == ALL_PDFS
    assert set(manifest(matrix / "dist")) == ALL_PDFS


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--edition", "large-print"), {p for p in ALL_PDFS if ".large-print." in p}),
        (("--paper", "a4"), {p for p in ALL_PDFS if p.endswith(".a4.pdf")}),
        (
            ("--paper", "a4,letter", "--edition", "standard"),
            {p for p in ALL_PDFS if "standard" in p},
        ),
        (("demo-brief-en",), {p for p in ALL_PDFS if "brief" in p}),
        (
            ("content/demo/handout.en.yaml", "--paper", "letter"),
            {p for p in ALL_PDFS if "handout" in p and "letter" in p},
        ),
        (("--lang", "es"), set()),  # configured, but no Spanish document in this project
    ],
)
def test_selection_narrows_the_matrix(run, matrix: Path, args, expected) -> None:
    result = run("build", "--format", "json", "-j", "1", *args, cwd=matrix)
    assert set(statuses(result)) == expected
    assert result.code == (0 if expected else 1)  # building nothing is not a success


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lang", "fr"), "unknown value 'fr'"),
        (("--edition", "large"), "did you mean 'large-print'?"),
        (("--paper", "legal"), "unknown value 'legal'"),
        (("demo-brief",), "unknown document id 'demo-brief' — did you mean 'demo-brief-en'?"),
        (("--shard", "3/2"), "'3/2' is not K/N with 1 <= K <= N"),
        (("--format", "docx"), "unknown value 'docx'"),
    ],
)
def test_bad_selection_is_a_usage_error(run, matrix: Path, args, message) -> None:
    result = run("build", *args, cwd=matrix)
    assert result.code == 2, result.text
    assert message in result.err
    assert not (matrix / "dist").exists()


def test_shards_split_the_matrix_and_their_manifests_merge(run, matrix: Path) -> None:
    shares = []
    for k in (1, 2, 3):
        out = f"shard{k}"
        names = build_json(run, matrix, "--shard", f"{k}/3", "--out", out)
        assert names == build_json(run, matrix, "--shard", f"{k}/3", "--out", out + "again")
        shares.append(set(names))
    assert set.union(*shares) == ALL_PDFS and sum(map(len, shares)) == len(ALL_PDFS)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    manifests = [str(matrix / f"shard{k}" / "manifest.json") for k in (1, 2, 3)]
    result = run("merge-manifests", *manifests, "--out", "merged.json", cwd=matrix)
    assert result.code == 0, result.text
    merged = json.loads((matrix / "merged.json").read_text())["outputs"]
    assert {entry["path"] for entry in merged} == ALL_PDFS


# --------------------------------------------------------------------------- the cache


def test_unchanged_outputs_are_skipped_and_changes_rebuild_exactly_their_outputs(
    run, matrix: Path
) -> None:
    assert set(build_json(run, matrix).values()) == {"built"}
    assert set(build_json(run, matrix).values()) == {"skipped"}

    def rebuilt() -> set[str]:
        return {path for path, status in build_json(run, matrix).items() if status == "built"}

    # a reference cited only by the brief
    references = matrix / "content" / "references.yaml"
    references.write_text(references.read_text().replace("A book about tests", "A book on tests"))
    assert rebuilt() == {p for p in ALL_PDFS if "brief" in p}
    # a template only briefs use (a project override of the default)
    (matrix / "templates").mkdir()
    brief = (REPO / "templates" / "brief.html.j2").read_text()
    (matrix / "templates" / "brief.html.j2").write_text(
        brief.replace("</section>", "</section>\n", 1)
    )
    assert rebuilt() == {p for p in ALL_PDFS if "brief" in p}
    # the large-print stylesheet
    (matrix / "styles").mkdir()
    large = (REPO / "styles" / "large-print.css").read_text()
    (matrix / "styles" / "large-print.css").write_text(large + "\n/* changed */\n")
    assert rebuilt() == {p for p in ALL_PDFS if "large-print" in p}
    # one document
    handout = matrix / "content" / "demo" / "handout.en.yaml"
    handout.write_text(handout.read_text().replace("Talk to your care team", "Talk with your team"))
    assert rebuilt() == {p for p in ALL_PDFS if "handout" in p}
    # the config touches everything
    config = matrix / "handoutkit.yaml"
    config.write_text(config.read_text().replace("Test Clinic", "Test Health Clinic"))
    assert rebuilt() == ALL_PDFS
    assert rebuilt() == set()


def test_a_deleted_or_altered_output_is_rebuilt_and_force_rebuilds_all(run, matrix: Path) -> None:
    build_json(run, matrix)
    out = matrix / "dist"
    (out / "demo" / "brief.en.standard.a4.pdf").unlink()
    altered = out / "demo" / "handout.en.standard.letter.pdf"
    altered.write_bytes(altered.read_bytes() + b"%")
    result = build_json(run, matrix)
    assert {p for p, s in result.items() if s == "built"} == {
        "demo/brief.en.standard.a4.pdf",
        "demo/handout.en.standard.letter.pdf",
    }
    assert set(build_json(run, matrix, "--force").values()) == {"built"}


def test_a_no_op_build_does_not_import_weasyprint(matrix: Path) -> None:
    code = (
        "import sys\n"
        "from handoutkit.cli import main\n"
        "sys.argv = ['handoutkit', '--today', '2026-11-23', 'build', '-j', '2']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "from multiprocessing import forkserver\n"
        "print('weasyprint' in sys.modules, forkserver._forkserver._forkserver_pid is not None)\n"
    )

    def build() -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=matrix, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done

    first = build()
    assert "8 built, 0 unchanged" in first.stderr
    assert first.stdout.strip() == "False True"  # WeasyPrint is imported by the forkserver only
    second = build()  # replayed from the record of the first (see test_buildstate.py)
    assert "0 built, 8 unchanged" in second.stderr
    assert second.stdout.strip() == "False False", "a no-op build imported WeasyPrint"
    shutil.rmtree(matrix / ".handoutkit-cache")
    third = build()  # loads, checks and compares every cache key
    assert "0 built, 8 unchanged" in third.stderr
    assert third.stdout.strip() == "False False", "a no-op build imported WeasyPrint"


# --------------------------------------------------------------------------- the manifest


def test_manifest_describes_every_output(run, matrix: Path) -> None:
    build_json(run, matrix, formats="pdf,html")
    out = matrix / "dist"
    entries = manifest(out)
    assert set(entries) == ALL_PDFS | {
        f"demo/{d}.{e}.html"
        for d in ("handout.en", "brief.en")
        for e in ("standard", "large-print")
    }
    for path, entry in entries.items():
        data = (out / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["language"] == "en"
        assert entry["edition"] in path and entry["format"] == path.rsplit(".", 1)[1]
        assert entry["review_due"] == "2027-11-01"  # last reviewed 2026-11-01, 12 months
        if entry["format"] == "pdf":
            assert entry["paper"] in path
            with pikepdf.open(out / path) as pdf:
                assert entry["pages"] == len(pdf.pages)
        else:
            assert entry["paper"] is None
    handout = entries["demo/handout.en.standard.letter.pdf"]
    assert handout["reading"]["measure"] == "flesch_kincaid"
    assert isinstance(handout["reading"]["score"], float)
    assert handout["title"] == "A test handout" and handout["id"] == "demo-handout-en"


def test_failures_are_isolated_and_keep_earlier_outputs(run, matrix: Path) -> None:
    build_json(run, matrix)
    out = matrix / "dist"
    before = (out / "demo" / "brief.en.standard.letter.pdf").read_bytes()
    brief = matrix / "content" / "demo" / "brief.en.yaml"
    brief.write_text(brief.read_text().replace("[@jones2021]", "[@nobody2000]"))
    handout = matrix / "content" / "demo" / "handout.en.yaml"
    handout.write_text(handout.read_text().replace("Talk to your care team", "Talk with your team"))
    result = run("build", "--format", "json", "-j", "2", cwd=matrix)
    assert result.code == 1
    got = statuses(result)
    assert {p for p, s in got.items() if s == "failed"} == {p for p in ALL_PDFS if "brief" in p}
    assert {p for p, s in got.items() if s == "built"} == {p for p in ALL_PDFS if "handout" in p}
    assert (out / "demo" / "brief.en.standard.letter.pdf").read_bytes() == before
    assert set(manifest(out)) == ALL_PDFS  # the earlier brief outputs are still listed
    assert not list(out.rglob("*.tmp"))


# --------------------------------------------------------------------------- workers


def test_one_and_two_workers_give_byte_identical_pdfs(run, matrix: Path) -> None:
    build_json(run, matrix, "--out", "one")
    result = run("build", "-j", "2", "--out", "two", cwd=matrix)
    assert result.code == 0, result.text
    for name in ALL_PDFS:
        assert (matrix / "one" / name).read_bytes() == (matrix / "two" / name).read_bytes(), name
    assert (matrix / "one" / "manifest.json").read_text() == (
        matrix / "two" / "manifest.json"
    ).read_text()


def test_retired_workers_are_replaced(matrix: Path) -> None:
    """More outputs than workers × recycle_after: each retired worker must be replaced, else
    the build hangs once all have retired (as ProcessPoolExecutor did: CPython gh-115634)."""
    code = (
        "import datetime as dt\n"
        "from pathlib import Path\n"
        "from handoutkit.build.run import build_project\n"
        "from handoutkit.content.loader import load_project\n"
        "report = build_project(load_project(Path.cwd()), Path('dist'),"
        " today=dt.date(2026, 11, 23), jobs=2, recycle_after=2)\n"
        "print(report.count('built'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=matrix, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "8"


def test_concurrent_builds_into_one_folder_stay_consistent(matrix: Path) -> None:
    env = {**os.environ, "HANDOUTKIT_TODAY": "2026-11-23"}
    command = [str(Path(sys.executable).parent / "handoutkit"), "build", "-j", "1"]
    runs = [
        subprocess.Popen([*command, *extra], cwd=matrix, env=env, stderr=subprocess.PIPE)
        for extra in ((), ("--force",), ("--paper", "a4", "--force"))
    ]
    for process in runs:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors.decode()
    out = matrix / "dist"
    entries = manifest(out)
    assert set(entries) == ALL_PDFS
    for path, entry in entries.items():
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == entry["sha256"]
        with pikepdf.open(out / path) as pdf:
            assert len(pdf.pages) == entry["pages"]
    assert not list(out.rglob("*.tmp"))


def test_plain_progress_lines_and_summary_when_not_a_terminal(run, matrix: Path) -> None:
    first = run("build", "-j", "1", "--paper", "letter", cwd=matrix)
    assert "built dist/demo/handout.en.standard.letter.pdf (" in first.err
    assert "4 built, 0 unchanged, 0 failed" in first.err
    second = run("build", "-j", "1", "--paper", "letter", cwd=matrix)
    assert "unchanged dist/demo/handout.en.standard.letter.pdf" in second.err
    assert "0 built, 4 unchanged, 0 failed" in second.err
    shutil.rmtree(matrix / "dist")
