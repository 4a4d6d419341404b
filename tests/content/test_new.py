"""`handoutkit new DIR`: a project that checks without errors and builds in an empty folder,
and whose placeholders fail `check --strict` until they are replaced."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
import yaml

from handoutkit.content.scaffold import SCAFFOLD, scaffold_files
from handoutkit.content.schema import PROJECT_SCHEMA_DIR, schema_texts
from helpers import REPO, page_texts, struct_elements

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+\.schema\.json)$")


@pytest.fixture
def clinic(run, tmp_path: Path) -> Path:
    result = run("new", "clinic", cwd=tmp_path)
    assert result.code == 0, result.text
    assert "Next steps:" in result.out and "cd clinic" in result.out
    return tmp_path / "clinic"


# what a new project still holds for its author to fill in: each a warning, so `--strict` fails
TITLE = "title has a placeholder, 'replace me'"
PLACEHOLDERS = [
    ("content/example/brief.en.yaml:11:24", "placeholder", TITLE),
    ("content/example/handout.en.yaml:11:26", "placeholder", TITLE),
    ("content/example/worksheet.en.yaml:14:28", "placeholder", TITLE),
    ("content/references.yaml:18:8", "reference-accessed", "web page 'cdc-ccindex' has no"),
    ("handoutkit.yaml:6:9", "sample-data", "organization name 'Your Organization (replace in"),
    ("handoutkit.yaml:7:10", "sample-data", "organization phone '(555) 010-0100' is sample data"),
    ("handoutkit.yaml:8:12", "sample-data", "organization website 'example.org' is sample data"),
    ("handoutkit.yaml:9:12", "sample-data", "organization address '100 Example Street, Springfi"),
]


def located(diagnostics: list[dict]) -> list[tuple[str, str, str]]:
    """Each diagnostic as (path:line:col, rule, message), the message cut to the expected."""
    return [
        (
            f"{d['location']['path']}:{d['location']['line']}:{d['location']['col']}",
            d["rule"],
            d["message"][: len(expected[2])],
        )
        for d, expected in zip(diagnostics, PLACEHOLDERS, strict=True)
    ]


def test_new_then_build_in_an_empty_folder(run, clinic: Path) -> None:
    check = run("check", "--strict", cwd=clinic)
    assert check.code == 1, check.text  # the placeholders: warnings, failing --strict
    assert "checked 3 documents: 0 errors, 8 warnings" in check.err
    report = json.loads(run("check", "--format", "json", cwd=clinic).out)
    assert {d["severity"] for d in report["diagnostics"]} == {"warning"}
    assert located(report["diagnostics"]) == PLACEHOLDERS
    result = run("build", "--format", "pdf,html", cwd=clinic)
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
    text = " ".join(" ".join(pages).split())
    # what the example teaches: bold, bullets, a link, a cited web page, a picture
    assert "Put the main message first. Then say what the reader can do. [1] A good" in text
    assert "• uses short sentences and everyday words;" in text
    assert "1. Centers for Disease Control and Prevention. The CDC Clear Communication" in text
    # not a mental-health topic: the crisis box is compact, after "When to get help now"
    assert text.index("When to get help now") < text.index("If you are in crisis, get help now")
    # a draft with sample organization data, and it says so
    assert all("DRAFT — not reviewed for patient use" in page for page in pages)
    assert "These are sample details, not a real organization." in text
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "en"
        links = [
            str(annot.get("/A", {}).get("/URI", ""))
            for page in document.pages
            for annot in page.get("/Annots", [])
        ]
        assert "https://www.cdc.gov/ccindex/" in links
        figures = [str(e.get("/Alt")) for e in struct_elements(document) if e.S == "/Figure"]
    assert figures == [
        "Four steps in a row: write the handout, check it, build the pages, then a review."
    ]


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
    report = json.loads(run("check", "--format", "json", cwd=clinic).out)
    assert report["errors"] == 0
    # only the placeholders still to fill in: nothing about the logo or the colours
    assert {d["rule"] for d in report["diagnostics"]} == {
        "placeholder",
        "reference-accessed",
        "sample-data",
    }


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
    references = {item["id"]: item for item in data(content / "references.yaml")}
    # the web page is the source standards.md names for clear communication (cdc.gov/ccindex)
    assert references.pop("cdc-ccindex") == {
        "id": "cdc-ccindex",
        "type": "webpage",
        "title": "The CDC Clear Communication Index",
        "author": [{"literal": "Centers for Disease Control and Prevention"}],
        "URL": "https://www.cdc.gov/ccindex/",
    }
    assert references  # the rest: the shipped pack's own entries, unchanged
    for item in references.values():
        assert item == shipped[item["id"]]


def test_scaffold_files_are_package_data() -> None:
    assert [p.as_posix() for p in scaffold_files()] == [
        "assets/example-steps.svg",
        "content/crisis-resources.yaml",
        "content/disclaimers.yaml",
        "content/example/brief.en.yaml",
        "content/example/handout.en.yaml",
        "content/example/worksheet.en.yaml",
        "content/references.yaml",
        "gitignore",
        "handoutkit.yaml",
    ]
