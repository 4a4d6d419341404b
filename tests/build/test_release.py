"""`build --release`: only approved documents, unchanged since approval, with real organization
data, are built; every refusal is a located error. Without --release the same documents build,
marked DRAFT. Rack packs in a release build leave out what is not approved."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from helpers import apply_case, build, page_texts

HANDOUT = "content/demo/handout.en.yaml"
BRIEF = "content/demo/brief.en.yaml"
HANDOUT_PDF = "dist/demo/handout.en.standard.letter.pdf"
BRIEF_PDF = "dist/demo/brief.en.standard.letter.pdf"
JANE = ("--reviewer", "Jane Doe", "--credentials", "MD", "--role", "Consultant psychiatrist")
BANNER = "DRAFT — not reviewed for patient use"
REFUSED_HINT = (
    "have a clinician review it and approve it with `handoutkit approve {path} ...`, or build "
    "without --release for a copy marked DRAFT"
)


@pytest.fixture
def clinic(mini: Path) -> Path:
    """The mini project with a real-looking organization: no sample data."""
    apply_case(
        mini,
        {"file": "handoutkit.yaml", "replace": ["phone: (555) 010-0199", "phone: (617) 555-2368"]},
    )
    return mini


def approve(run, project: Path, *documents: str) -> None:
    result = run("approve", *documents, *JANE, cwd=project)
    assert result.code == 0, result.text


def manifest(project: Path) -> dict[str, dict]:
    data = json.loads((project / "dist" / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in data["outputs"]}


def test_an_approved_project_builds_for_release(run, clinic: Path) -> None:
    approve(run, clinic, HANDOUT, BRIEF)
    result = build(run, clinic, "--release")
    assert result.code == 0, result.text
    assert "2 built, 0 unchanged, 0 failed; 0 errors, 0 warnings" in result.err
    entries = manifest(clinic)
    assert {e["review_status"] for e in entries.values()} == {"approved"}
    assert not any(BANNER in text for text in page_texts(clinic / HANDOUT_PDF))


def test_release_refuses_a_draft_and_builds_the_rest(run, clinic: Path) -> None:
    approve(run, clinic, BRIEF)
    result = build(run, clinic, "--release")
    assert result.code == 1
    assert (
        f"{HANDOUT}:8:3: error: not approved for release: it is a draft (review.status: draft) "
        f"— {REFUSED_HINT.format(path=HANDOUT)}" in result.out.splitlines()
    ), result.out
    assert not (clinic / HANDOUT_PDF).exists()
    assert (clinic / BRIEF_PDF).is_file()
    assert "1 built, 0 unchanged, 1 failed" in result.err
    # without --release, the draft builds, marked DRAFT on every page
    result = build(run, clinic)
    assert result.code == 0, result.text
    assert all(BANNER in text for text in page_texts(clinic / HANDOUT_PDF))
    assert manifest(clinic)["demo/handout.en.standard.letter.pdf"]["review_status"] == "draft"


def test_release_refuses_a_document_changed_since_approval(run, clinic: Path) -> None:
    approve(run, clinic, HANDOUT, BRIEF)
    assert build(run, clinic, "--release").code == 0
    released = (clinic / HANDOUT_PDF).read_bytes()
    apply_case(clinic, {"file": HANDOUT, "replace": ["It has a fact", "It has one fact"]})
    result = build(run, clinic, "--release")
    assert result.code == 1
    lines = result.out.splitlines()
    assert (
        f"{HANDOUT}:13:11: error: not approved for release: it changed after it was approved — "
        f"{REFUSED_HINT.format(path=HANDOUT)}" in lines
    ), result.out
    assert any(
        line.startswith(f"{HANDOUT}:15:5: warning: changed since approval") for line in lines
    )
    assert (clinic / HANDOUT_PDF).read_bytes() == released  # the earlier output stays
    # without --release it builds, marked DRAFT again until it is approved again
    assert build(run, clinic).code == 0
    assert all(BANNER in text for text in page_texts(clinic / HANDOUT_PDF))
    approve(run, clinic, HANDOUT)
    assert build(run, clinic, "--release").code == 0
    assert not any(BANNER in text for text in page_texts(clinic / HANDOUT_PDF))


def test_release_refuses_sample_organization_data(run, mini: Path) -> None:
    apply_case(
        mini,
        {
            "file": "handoutkit.yaml",
            "replace": ["name: Test Clinic", "name: Test Clinic\n  website: www.example.com"],
        },
    )
    approve(run, mini, HANDOUT, BRIEF)
    result = build(run, mini, "--release")
    assert result.code == 1
    lines = result.out.splitlines()
    hint = (
        "put your organization's real details in handoutkit.yaml: a release build never prints "
        "sample data"
    )
    assert (
        "handoutkit.yaml:3:12: error: organization website 'www.example.com' is sample data: an "
        f"example domain — {hint}" in lines
    ), result.out
    assert (
        "handoutkit.yaml:4:10: error: organization phone '(555) 010-0199' is sample data: a "
        f"fictional phone number (555-0100 to 555-0199) — {hint}" in lines
    ), result.out
    assert "0 built, 0 unchanged, 2 failed" in result.err
    assert not (mini / "dist" / "demo").exists()
    # `check --release` says the same, without building
    assert run("check", "--release", cwd=mini).out.count("is sample data") == 2


def test_a_recorded_build_is_replayed_only_for_the_same_release_choice(run, clinic: Path) -> None:
    old = time.time() - 3600  # inputs edited well before the build, so that it is recorded
    for path in clinic.rglob("*"):
        os.utime(path, (old, old))
    assert build(run, clinic).code == 0
    again = build(run, clinic)
    assert again.code == 0 and "0 built, 2 unchanged" in again.err
    refused = build(run, clinic, "--release")  # not the recorded request: loaded and checked
    assert refused.code == 1 and "not approved for release" in refused.out
    assert build(run, clinic).code == 0


def test_a_rack_pack_in_a_release_build_leaves_out_what_is_not_approved(run, clinic: Path) -> None:
    # a draft handout: without --release the pack is built, marked DRAFT on every page
    result = build(run, clinic, "--format", "rack")
    assert result.code == 0, result.text
    pack = clinic / "dist" / "rack" / "rack.en.letter.pdf"
    pages = page_texts(pack)
    # every page but the blank back of the catalog sheet (each handout starts on a new sheet)
    assert not pages[1].strip()
    assert all(BANNER in page for page in pages[:1] + pages[2:]), pages
    assert (
        "Some handouts in this pack have not been approved by a clinician: do not give them to "
        "patients."
    ) in " ".join(pages[0].split())
    # with --release it is left out, and the pack has nothing left to hold
    result = build(run, clinic, "--format", "rack", "--release")
    assert result.code == 1
    assert (
        f"{HANDOUT}:1:1: error: left out of rack/rack.en.letter.pdf: not built: 1 problem in "
        "this document — fix it and build again: the pack is printed without this handout until "
        "then" in result.err
    ), result.text
    assert "rack/rack.en.letter.pdf:1:1: error: not built: none of the handouts" in result.err
    assert f"{HANDOUT}:8:3: error: not approved for release" in result.out
    # approved: the pack builds for release, without a banner (the brief is not in the pack,
    # but a release build holds every document of the project to approval)
    approve(run, clinic, HANDOUT, BRIEF)
    result = build(run, clinic, "--format", "rack", "--release")
    assert result.code == 0, result.text
    assert not any(BANNER in page for page in page_texts(pack))
