"""Packaging: the wheel carries the default templates, styles (fonts and their licence),
JSON Schemas and the `new` scaffold, so an installed handoutkit works outside the repository.

The repository keeps one copy of each default; setup.py's build hook copies them into the
build as handoutkit/defaults/. One wheel is built per test session, from a copy of the sources
(so a stale build/ folder in the working tree cannot leak into it), without build isolation
(offline: setuptools>=77 comes with the test extras). It takes a few seconds.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from helpers import REPO, TODAY

DEFAULT_FOLDERS = ("templates", "styles", "schemas")
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "src", *DEFAULT_FOLDERS)


def _setup_module():
    spec = importlib.util.spec_from_file_location("handoutkit_setup_py", REPO / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not __main__: defines the hook, does not call setup()
    return module


def _repo_defaults() -> list[str]:
    return sorted(
        p.relative_to(REPO).as_posix()
        for folder in DEFAULT_FOLDERS
        for p in (REPO / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_the_build_hook_takes_every_default_file() -> None:
    files = [p.as_posix() for p in _setup_module().default_files()]
    assert sorted(files) == _repo_defaults()
    for expected in (
        "templates/handout.html.j2",
        "templates/partials/crisis.html.j2",
        "styles/print.css",
        "styles/fonts/OFL.txt",
        "styles/fonts/atkinson-hyperlegible-next-latin-400-normal.ttf",
        "schemas/handout.schema.json",
    ):
        assert expected in files
    # no committed duplicate: the package folder exists only in a build
    assert not (REPO / "src" / "handoutkit" / "defaults").exists()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        setuptools_major = int(metadata.version("setuptools").split(".")[0])
    except metadata.PackageNotFoundError:
        setuptools_major = 0
    if setuptools_major < 77:
        pytest.skip("building the wheel offline needs setuptools>=77: pip install -e '.[test]'")
    tree = tmp_path_factory.mktemp("wheel-src")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=ignore)
        else:
            shutil.copy(source, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip, "--quiet", "--wheel-dir", str(out)],
        cwd=tree,
        check=True,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    [built] = out.glob("handoutkit-*.whl")
    return built


def test_the_wheel_carries_defaults_schemas_and_scaffold(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for relative in _repo_defaults():
        assert f"handoutkit/defaults/{relative}" in names, relative
    for relative in (
        "scaffold/handoutkit.yaml",
        "scaffold/gitignore",
        "scaffold/content/references.yaml",
        "scaffold/content/crisis-resources.yaml",
        "scaffold/content/disclaimers.yaml",
        "scaffold/content/example/handout.en.yaml",
        "scaffold/content/example/brief.en.yaml",
        "scaffold/content/example/worksheet.en.yaml",
    ):
        assert f"handoutkit/{relative}" in names, relative


def test_the_installed_wheel_makes_and_builds_a_project_anywhere(
    wheel: Path, tmp_path: Path
) -> None:
    """`new` then `build` with the wheel's own files: nothing read from the repository."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the editable install's path
    work = tmp_path / "work"
    work.mkdir()

    def handoutkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "handoutkit", "--today", TODAY, *args]
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)

    where = subprocess.run(
        [sys.executable, "-c", "import handoutkit.resources as r; print(r.default_root())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == site / "handoutkit" / "defaults"
    made = handoutkit("new", "clinic", cwd=work)
    assert made.returncode == 0, made.stderr
    # not --strict: a new project's placeholders are warnings until the author replaces them
    built = handoutkit("build", "--edition", "standard", cwd=work / "clinic")
    assert built.returncode == 0, built.stdout + built.stderr
    assert " 0 errors, " in built.stderr
    pdfs = sorted(p.name for p in (work / "clinic" / "dist" / "example").glob("*.pdf"))
    assert pdfs == [
        "brief.en.standard.letter.pdf",
        "handout.en.standard.letter.pdf",
        "worksheet.en.standard.letter.pdf",
    ]
