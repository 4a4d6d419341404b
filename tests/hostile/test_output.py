"""The output folder and the command line: outputs go only into the output folder (symbolic
links are not followed out), builds do not depend on the folder, user or environment, and
bad options or odd file names are usage errors on one printable line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    BRIEF_PDF,
    HANDOUT,
    HANDOUT_PDF,
    REPO,
    TODAY,
    build,
    is_pdf,
    leaked,
    no_temporary_files,
    secret,
    seed,
)

# --------------------------------------------------------------------------- paths out


def test_topic_folder_name_must_be_simple(run, mini: Path) -> None:
    (mini / "content" / "demo").rename(mini / "content" / "Demo Topic")
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        "content/Demo Topic/handout.en.yaml:1:1: error: topic folder name 'Demo Topic' is not a "
        "simple name — use lower-case letters, digits and hyphens, e.g. ketamine-bpd"
    ) in result.out.splitlines()


def test_document_linked_from_outside_the_project_is_refused(
    run, mini: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "handout.en.yaml"
    outside.parent.mkdir()
    shutil.move(mini / HANDOUT, outside)
    (mini / HANDOUT).symlink_to(outside)
    (mini / "content" / "linked").symlink_to(outside.parent, target_is_directory=True)
    result = run("check", cwd=mini)
    assert result.code == 1
    for shown in (HANDOUT, "content/linked/handout.en.yaml"):
        assert (
            f"{shown}:1:1: error: this file is a symbolic link to a file outside the project — "
            "copy the file into the project instead of linking to it"
        ) in result.out.splitlines()


def test_shared_file_linked_from_outside_the_project_is_refused(
    run, mini: Path, tmp_path: Path
) -> None:
    disclaimers = mini / "content" / "disclaimers.yaml"
    outside = tmp_path / "disclaimers.yaml"
    shutil.move(disclaimers, outside)
    disclaimers.symlink_to(outside)
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        "content/disclaimers.yaml:1:1: error: this file is a symbolic link to a file outside the "
        "project — copy the file into the project instead of linking to it"
    ) in result.out.splitlines()


def test_shared_file_outside_the_project_named_by_the_config_is_allowed(
    run, mini: Path, tmp_path: Path
) -> None:
    """handoutkit.yaml is trusted: it may point at a reference library shared by projects."""
    shared = tmp_path / "library" / "references.yaml"
    shared.parent.mkdir()
    shutil.move(mini / "content" / "references.yaml", shared)
    config = mini / "handoutkit.yaml"
    config.write_text(config.read_text() + f"references: {os.path.relpath(shared, mini)}\n")
    result = run("check", cwd=mini)
    assert result.code == 0, result.text


def test_symlink_in_the_output_folder_is_not_followed_out(run, mini: Path, tmp_path: Path) -> None:
    """dist/demo -> elsewhere: nothing is written there; another topic still builds."""
    shutil.copytree(mini / "content" / "demo", mini / "content" / "other")
    for name in ("handout", "brief"):
        path = mini / "content" / "other" / f"{name}.en.yaml"
        text = path.read_text().replace(f"demo-{name}-en", f"othr-{name}-en")
        path.write_text(text.replace("code: TEST-", "code: OTHR-"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mini / "dist").mkdir()
    (mini / "dist" / "demo").symlink_to(elsewhere, target_is_directory=True)
    for jobs in ("2",):  # in worker processes: a refused write must not break the pool
        result = run("build", "-j", jobs, cwd=mini)
        assert result.code == 1, result.text
        assert "Traceback" not in result.text
        for kind in ("handout", "brief"):
            assert (
                f"  dist/demo/{kind}.en.standard.letter.pdf:1:1: error: refusing to write outside "
                f"the output folder: demo/{kind}.en.standard.letter.pdf — remove the symbolic "
                "link in the output folder that leads elsewhere"
            ) in result.err.splitlines(), result.err
        assert list(elsewhere.iterdir()) == []
        assert is_pdf(mini / "dist" / "other" / "handout.en.standard.letter.pdf")
        no_temporary_files(mini)


def test_symlink_at_an_output_name_is_replaced_not_followed(
    run, mini: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (mini / "dist" / "demo").mkdir(parents=True)
    (mini / HANDOUT_PDF).symlink_to(victim)
    result = build(run, mini)
    assert result.code == 0, result.text
    assert victim.read_text() == "keep me"
    assert not (mini / HANDOUT_PDF).is_symlink() and is_pdf(mini / HANDOUT_PDF)


def test_symlinked_out_folder_is_the_users_choice(run, mini: Path, tmp_path: Path) -> None:
    target = tmp_path / "published"
    target.mkdir()
    (tmp_path / "out-link").symlink_to(target, target_is_directory=True)
    result = build(run, mini, "--out", str(tmp_path / "out-link"))
    assert result.code == 0, result.text
    assert is_pdf(target / "demo" / "handout.en.standard.letter.pdf")


def test_output_folder_that_cannot_be_written_fails_located(run, mini: Path) -> None:
    earlier = seed(mini / BRIEF_PDF, "brief")
    (mini / "dist" / "demo" / "handout.en.standard.letter.pdf").mkdir()  # a folder in the way
    result = build(run, mini)
    assert result.code == 1
    assert (
        "  dist/demo/handout.en.standard.letter.pdf:1:1: error: cannot write "
        "'dist/demo/handout.en.standard.letter.pdf': a folder has the output's name — remove "
        "or rename that folder"
    ) in result.err.splitlines(), result.err
    assert is_pdf(mini / BRIEF_PDF) and (mini / BRIEF_PDF).read_bytes() != earlier
    no_temporary_files(mini)


# --------------------------------------------------------------------------- determinism


def test_pdfs_do_not_depend_on_folder_user_or_environment(run, mini: Path, tmp_path: Path) -> None:
    """Built from another working folder with --project, by another "user" (HOME, USER,
    TMPDIR), in another time zone and locale: the same bytes."""
    first = build(run, mini, "--format", "pdf,html")
    assert first.code == 0, first.text
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "USER": "someone-else",
        "LOGNAME": "someone-else",
        "TMPDIR": str(home / "tmp"),
        "TZ": "Pacific/Kiritimati",
        "LANG": "es_ES.UTF-8",
        "LC_ALL": "C.UTF-8",
        "SOURCE_DATE_EPOCH": "1",
        "HANDOUTKIT_TODAY": TODAY,
    }
    command = [
        str(Path(sys.executable).parent / "handoutkit"),
        "--project",
        str(mini),
        "build",
        "-j",
        "1",
        "--format",
        "pdf,html",
        "--out",
        str(tmp_path / "again"),
    ]
    done = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    outputs = sorted(
        p.relative_to(mini / "dist")
        for p in (mini / "dist").rglob("*.*")
        if p.suffix in (".pdf", ".html")
    )
    assert len(outputs) == 4
    for name in outputs:
        assert (mini / "dist" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["build", "--out", "afile"],
            "handoutkit: afile: cannot be the output folder: File exists — choose another --out",
        ),
        (
            ["build", "--out", "afile/sub"],
            "handoutkit: afile/sub: cannot be the output folder: Not a directory — choose "
            "another --out",
        ),
        (
            ["--project", "no-such-folder", "check"],
            "handoutkit: no-such-folder: no handoutkit.yaml in this folder — is it a handoutkit "
            "project?",
        ),
    ],
    ids=["--out is a file", "--out under a file", "--project is not a project"],
)
def test_bad_options_are_usage_errors(run, mini: Path, args: list[str], expected: str) -> None:
    (mini / "afile").write_text("not a folder")
    result = run(*args, cwd=mini)
    assert result.code == 2, result.text
    assert expected in result.err.splitlines(), result.err
    assert "Traceback" not in result.text and "internal error" not in result.text


@pytest.mark.parametrize(
    ("folder", "shown"),
    [(os.fsdecode(b"bad\xff"), "bad\\udcff"), ("two\nlines", "two\\u000alines")],
    ids=["undecodable byte", "line break"],
)
def test_odd_file_names_are_reported_on_one_printable_line(
    run, mini: Path, folder: str, shown: str
) -> None:
    topic = mini / "content" / folder
    topic.mkdir()
    source = topic / "handout.en.yaml"
    source.write_text((mini / HANDOUT).read_text().replace("demo-handout-en", "odd-handout-en"))
    expected = (
        f"content/{shown}/handout.en.yaml:1:1: error: topic folder name '{shown}' is not a simple "
        "name — use lower-case letters, digits and hyphens, e.g. ketamine-bpd"
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert expected in result.out.splitlines(), result.out
    result.out.encode("utf-8")  # no surrogates: a strict UTF-8 terminal can print it
    report = run("check", "--format", "json", cwd=mini)
    assert report.code == 1
    report.out.encode("utf-8")
    assert expected in [d["text"] for d in json.loads(report.out)["diagnostics"]]


def test_content_image_paths_cannot_leave_assets(run, mini: Path) -> None:
    (mini / "assets").mkdir()
    shutil.copy(REPO / "tests" / "data" / "pixel.png", mini / "assets" / "pixel.png")
    paths = [
        "../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "assets/../../../../etc/passwd",
    ]
    source = mini / HANDOUT
    first = len(source.read_text().splitlines()) + 2
    source.write_text(
        source.read_text()
        + "images:\n"
        + "".join(f"  - path: {path}\n    alt: x\n" for path in paths)
    )
    earlier = seed(mini / HANDOUT_PDF, "handout")
    result = build(run, mini)
    assert result.code == 1
    for index, path in enumerate(paths):
        assert (
            f"{HANDOUT}:{first + 2 * index}:11: error: '{path}' is outside the project's assets/ "
            "folder — put the image under assets/ and give its path from the project root"
        ) in result.out.splitlines(), result.out
    assert (mini / HANDOUT_PDF).read_bytes() == earlier
    assert is_pdf(mini / BRIEF_PDF)
    assert leaked(mini / "dist", secret()) == []
