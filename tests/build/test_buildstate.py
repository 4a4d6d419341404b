"""Replayed no-op builds (`buildstate`): nothing is loaded while nothing changed, and any change
to an input, an output, the manifest, the options, the day or handoutkit itself builds again."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import REPO

RECORDS = ".handoutkit-cache"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every project load of the builds that follow (a replayed build has none)."""
    import handoutkit.content.loader

    calls: list[Path] = []
    real = handoutkit.content.loader.load_project

    def spy(root: Path, *args, **kwargs):
        calls.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(handoutkit.content.loader, "load_project", spy)
    return calls


def report(run, project: Path, *args: str, today: str = "2026-11-23") -> dict:
    result = run("build", "--format", "json,pdf", "-j", "1", *args, cwd=project, today=today)
    data = json.loads(result.out)
    data["code"] = result.code
    data.pop("seconds")
    return data


def age(*paths: Path) -> None:
    """Date files an hour back, as if edited well before the next build."""
    old = time.time() - 3600
    for path in paths:
        os.utime(path, (old, old))


def test_a_no_op_build_is_replayed_without_loading_and_reports_the_same(
    run, mini: Path, loads: list[Path]
) -> None:
    first = report(run, mini)
    assert first["built"] == 2 and first["ok"]
    assert len(list((mini / RECORDS).glob("build-*.json"))) == 1
    assert len(loads) == 1

    replayed = report(run, mini)
    assert len(loads) == 1, "the no-op build loaded the project"
    # the same report as a no-op build that loads, checks and compares every cache key
    for record in (mini / RECORDS).iterdir():
        record.unlink()
    loaded = report(run, mini)
    assert len(loads) == 2
    assert replayed == loaded
    assert replayed["skipped"] == 2 and replayed["code"] == 0


def test_warnings_are_replayed_and_strict_builds_are_never_recorded(
    run, mini: Path, loads: list[Path]
) -> None:
    stray = mini / "content" / "demo" / "notes.yaml"  # not named like a document: a warning
    stray.write_text("a: 1\n")
    age(stray)
    first = run("build", "-j", "1", cwd=mini)
    assert first.code == 0
    again = run("build", "-j", "1", cwd=mini)
    assert len(loads) == 1
    assert again.code == 0
    assert "content/demo/notes.yaml:1:1: warning: 'notes.yaml' is not named like" in again.text
    assert "0 built, 2 unchanged, 0 failed; 0 errors, 1 warning" in again.err

    for _ in range(2):  # a failed build is never replayed: it says why every time
        strict = run("build", "-j", "1", "--strict", cwd=mini)
        assert strict.code == 1
        assert "notes.yaml:1:1: warning" in strict.text
    assert len(loads) == 3


def _edit_document(project: Path) -> None:
    path = project / "content" / "demo" / "handout.en.yaml"
    path.write_text(path.read_text().replace("Talk to your care team", "Talk with your team"))


def _add_stray_file(project: Path) -> None:
    (project / "content" / "demo" / "notes.yaml").write_text("a: 1\n")


def _edit_reference(project: Path) -> None:
    path = project / "content" / "references.yaml"
    path.write_text(path.read_text().replace("A book about tests", "A book on tests"))


def _override_template(project: Path) -> None:
    (project / "templates").mkdir()
    brief = (REPO / "templates" / "brief.html.j2").read_text()
    (project / "templates" / "brief.html.j2").write_text(
        brief.replace("</section>", "</section>\n")
    )


def _edit_stylesheet(project: Path) -> None:
    (project / "styles").mkdir()
    css = (REPO / "styles" / "print.css").read_text()
    (project / "styles" / "print.css").write_text(css + "\n/* changed */\n")


def _delete_output(project: Path) -> None:
    (project / "dist" / "demo" / "brief.en.standard.letter.pdf").unlink()


def _alter_output(project: Path) -> None:
    path = project / "dist" / "demo" / "handout.en.standard.letter.pdf"
    path.write_bytes(path.read_bytes() + b"%")


def _edit_manifest(project: Path) -> None:
    path = project / "dist" / "manifest.json"
    path.write_text(path.read_text().replace('"generator"', '"generator" ', 1))


@pytest.mark.parametrize(
    ("change", "rebuilt"),
    [
        (_edit_document, {"demo/handout.en.standard.letter.pdf"}),
        (_add_stray_file, set()),
        (_edit_reference, {"demo/brief.en.standard.letter.pdf"}),
        (_override_template, {"demo/brief.en.standard.letter.pdf"}),
        (
            _edit_stylesheet,
            {"demo/brief.en.standard.letter.pdf", "demo/handout.en.standard.letter.pdf"},
        ),
        (_delete_output, {"demo/brief.en.standard.letter.pdf"}),
        (_alter_output, {"demo/handout.en.standard.letter.pdf"}),
        (_edit_manifest, set()),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else "",
)
def test_any_change_builds_again(
    run, mini: Path, loads: list[Path], change: Callable[[Path], None], rebuilt: set[str]
) -> None:
    report(run, mini)
    change(mini)
    after = report(run, mini)
    assert len(loads) == 2, "the build was replayed although something changed"
    assert {o["path"] for o in after["outputs"] if o["status"] == "built"} == rebuilt


def test_another_day_options_or_handoutkit_version_build_again(
    run, mini: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    report(run, mini)
    report(run, mini, today="2026-11-24")  # review dates are checked against today
    assert len(loads) == 2
    report(run, mini, "--force")  # never replayed
    assert len(loads) == 3
    report(run, mini, "--strict")  # another request, recorded apart
    report(run, mini)
    assert len(loads) == 4
    import handoutkit.build.state

    monkeypatch.setattr(handoutkit.build.state, "tool_fingerprint", lambda: "another version")
    report(run, mini)
    assert len(loads) == 5


def test_an_input_changed_during_the_build_is_not_vouched_for(
    run, mini: Path, loads: list[Path]
) -> None:
    handout = mini / "content" / "demo" / "handout.en.yaml"
    now = time.time()
    os.utime(handout, (now, now))  # as if saved while the build ran
    report(run, mini)
    assert not list((mini / RECORDS).glob("build-*.json"))
    report(run, mini)
    assert len(loads) == 2
    age(handout)
    report(run, mini)
    report(run, mini)
    assert len(loads) == 3


def test_an_unwritable_record_folder_does_not_fail_the_build(run, mini: Path) -> None:
    (mini / RECORDS).write_text("not a folder")
    first = report(run, mini)
    assert first["code"] == 0 and first["built"] == 2
    assert report(run, mini)["skipped"] == 2
