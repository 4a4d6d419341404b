"""`handoutkit new DIR`: a project that checks and builds clean in an empty folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
import yaml

from handoutkit.content.scaffold import SCAFFOLD, scaffold_files
from handoutkit.content.schema import PROJECT_SCHEMA_DIR, schema_texts
from helpers import REPO, page_texts

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+\.schema\.json)$")


@pytest.fixture
def clinic(run, tmp_path: Path) -> Path:
    result = run("new", "clinic", cwd=tmp_path)
    assert result.code == 0, result.text
    assert "Next steps:" in result.out and "cd clinic" in result.out
    return tmp_path / "clinic"


def test_new_then_build_in_an_empty_folder(run, clinic: Path) -> None:
    check = run("check", "--strict", cwd=clinic)
    assert check.code == 0, check.text
    assert "checked 3 documents: 0 errors, 0 warnings" in check.err
    result = run("build", "--strict", "--format", "pdf,html", cwd=clinic)
    assert result.code == 0, result.text
    built = sorted(p.relative_to(clinic / "dist").as_posix() for p in clinic.glob("dist/*/*.*"))
    assert built == [
        f"example/{kind}.en.{edition}.{suffix}"
        for kind in ("brief", "handout", "worksheet")
        for edition in ("large-print", "standard")
        for suffix in ("html", "letter.pdf")
    ]
    pdf = clinic / "dist" / "example" / "handout.en.standard.letter.pdf"
    pages = page_texts(pdf)
    assert "Talk therapy is the main treatment for BPD" in "".join(pages)
    # a draft with sample organization data, and it says so
    assert all("DRAFT — not reviewed for patient use" in page for page in pages)
    assert "These are sample details, not a real organization." in " ".join("".join(pages).split())
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "en"


def test_a_new_project_is_not_for_release(run, clinic: Path) -> None:
    result = run("check", "--release", cwd=clinic)
    assert result.code == 1
    lines = result.out.splitlines()
    assert sum("not approved for release: it is a draft" in line for line in lines) == 3
    assert [line.split(":")[0] for line in lines if "is sample data" in line] == [
        "handoutkit.yaml"
    ] * 4  # name, phone, website, address


def test_new_marks_placeholders_and_drafts(clinic: Path) -> None:
    config = (clinic / "handoutkit.yaml").read_text(encoding="utf-8")
    assert "REPLACE" in config and "(replace in handoutkit.yaml)" in config
    data = yaml.safe_load(config)
    assert data["languages"] == ["en"]
    assert data["editions"] == ["standard", "large-print"]
    assert data["paper_sizes"] == ["letter"]
    assert data["region"] == "us"
    for name in ("handout", "brief"):
        text = (clinic / "content" / "example" / f"{name}.en.yaml").read_text(encoding="utf-8")
        assert "  status: draft\n" in text and "last_reviewed" not in text  # not reviewed yet
        assert "EXAMPLE" in text and "replace" in text.lower()
    assert (clinic / ".gitignore").read_text() == "dist/\n.handoutkit-cache/\n"
    assert (clinic / "assets").is_dir()


def test_every_yaml_file_points_at_its_schema_in_the_project(clinic: Path) -> None:
    expected = {
        "handoutkit.yaml": "config",
        "content/references.yaml": "references",
        "content/crisis-resources.yaml": "crisis-resources",
        "content/disclaimers.yaml": "disclaimers",
        "content/example/handout.en.yaml": "handout",
        "content/example/brief.en.yaml": "brief",
        "content/example/worksheet.en.yaml": "worksheet",
    }
    found = sorted(p.relative_to(clinic).as_posix() for p in clinic.rglob("*.yaml"))
    assert found == sorted(expected)
    shipped = schema_texts()
    for relative, kind in expected.items():
        path = clinic / relative
        match = MODELINE.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert match, relative
        schema = (path.parent / match[1]).resolve()  # relative to the YAML file, offline
        assert schema == (clinic / PROJECT_SCHEMA_DIR / f"{kind}.schema.json").resolve()
        assert schema.read_text(encoding="utf-8") == shipped[schema.name]


def test_new_accepts_an_empty_folder(run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("new", "empty", cwd=tmp_path)
    assert result.code == 0, result.text
    assert (tmp_path / "empty" / "handoutkit.yaml").is_file()


def test_new_refuses_a_folder_that_is_not_empty(run, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = run("new", "mine", cwd=tmp_path)
    assert result.code == 2
    assert "handoutkit: mine is not empty — give the name of a new or empty folder" in result.err
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    result = run("new", "file", cwd=tmp_path)
    assert result.code == 2
    assert "file is a file" in result.err


def test_branding_placeholders_in_the_config_pass_when_filled_in(run, clinic: Path) -> None:
    """Uncommenting the example logo and brand colours gives a project that still checks."""
    shutil.copy(REPO / "tests" / "data" / "pixel.png", clinic / "assets" / "logo.png")
    config = clinic / "handoutkit.yaml"
    text = re.sub(
        r"^  # (logo:|colours:|  path:|  alt:|  accent:|  panel_fill:)",
        r"  \1",
        config.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    config.write_text(text, encoding="utf-8")
    organization = yaml.safe_load(text)["organization"]
    assert organization["logo"] == {"path": "assets/logo.png", "alt": "Your Organization"}
    assert set(organization["colours"]) == {"accent", "panel_fill"}
    result = run("check", "--strict", cwd=clinic)
    assert result.code == 0, result.text


def test_scaffold_shared_data_is_copied_from_the_shipped_pack() -> None:
    """Crisis lines, disclaimers and references are never invented: they are the pack's own."""

    def data(path: Path) -> object:
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    content = SCAFFOLD / "content"
    for name in ("crisis-resources.yaml", "disclaimers.yaml"):
        assert data(content / name) == data(REPO / "content" / name), (
            f"src/handoutkit/scaffold/content/{name} must stay a copy of content/{name}"
        )
    shipped = {item["id"]: item for item in data(REPO / "content" / "references.yaml")}
    references = data(content / "references.yaml")
    assert 1 <= len(references) <= 2
    for item in references:
        assert item == shipped[item["id"]]


def test_scaffold_files_are_package_data() -> None:
    assert [p.as_posix() for p in scaffold_files()] == [
        "content/crisis-resources.yaml",
        "content/disclaimers.yaml",
        "content/example/brief.en.yaml",
        "content/example/handout.en.yaml",
        "content/example/worksheet.en.yaml",
        "content/references.yaml",
        "gitignore",
        "handoutkit.yaml",
    ]
