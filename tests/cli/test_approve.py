"""Review status and `handoutkit approve`: the transitions draft → in review → approved →
changed since approval (by the document or by the shared data it prints) → approved again, what
`check` and `list` say at each step, and an approval that edits only the review block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handoutkit.content.approval import review_state
from handoutkit.content.loader import load_project
from helpers import TODAY, apply_case

HANDOUT = "content/demo/handout.en.yaml"
BRIEF = "content/demo/brief.en.yaml"
JANE = ("--reviewer", "Jane Doe", "--credentials", "MD", "--role", "Consultant psychiatrist")


def approve(run, project: Path, *documents: str, extra: tuple[str, ...] = JANE):
    result = run("approve", *documents, *extra, cwd=project)
    assert "Traceback" not in result.text
    return result


def statuses(run, project: Path) -> dict[str, tuple[str, bool]]:
    """document id → (review_status, changed_since_approval), as `list --format json` says."""
    result = run("list", "--format", "json", cwd=project)
    assert result.code == 0, result.text
    return {
        row["id"]: (row["review_status"], row["changed_since_approval"])
        for row in json.loads(result.out)["documents"]
    }


def test_a_document_without_status_is_a_draft(run, mini: Path) -> None:
    assert statuses(run, mini) == {
        "demo-brief-en": ("draft", False),
        "demo-handout-en": ("draft", False),
    }


def test_approve_records_who_when_which_version_and_a_hash(run, mini: Path) -> None:
    before = (mini / HANDOUT).read_text(encoding="utf-8").splitlines()
    result = approve(run, mini, HANDOUT)
    assert result.code == 0, result.text
    assert result.out.startswith(
        f"approved {HANDOUT}: version 1.0, by Jane Doe, MD (Consultant psychiatrist), {TODAY}; "
        "content sha256 "
    )
    after = (mini / HANDOUT).read_text(encoding="utf-8").splitlines()
    digest = effective_digest(mini)
    # only the review block (lines 8-11) changed
    assert after[:7] == before[:7] and after[18:] == before[11:]
    assert after[7:18] == [
        f"  last_reviewed: {TODAY}",
        "  reviewer:",
        "    name: Jane Doe",
        "    role: Consultant psychiatrist",
        "    credentials: MD",
        "  status: approved",
        "  approval:",
        '    by: "Jane Doe, MD"',
        f"    date: {TODAY}",
        '    version: "1.0"',
        f'    sha256: "{digest}"',
    ]
    assert statuses(run, mini)["demo-handout-en"] == ("approved", False)
    assert run("check", "--strict", cwd=mini).code == 0


def effective_digest(project: Path) -> str:
    loaded = load_project(project, [project / HANDOUT])
    return review_state(loaded, loaded.documents[0]).sha256


def test_status_transitions(run, mini: Path) -> None:
    apply_case(mini, {"file": HANDOUT, "replace": ["review:\n", "review:\n  status: in-review\n"]})
    assert statuses(run, mini)["demo-handout-en"] == ("in-review", False)
    assert approve(run, mini, "demo-handout-en").code == 0  # by id
    assert statuses(run, mini)["demo-handout-en"] == ("approved", False)
    # the document changes: it counts as in review, and `check` says so, located
    apply_case(mini, {"file": HANDOUT, "replace": ["It has a fact", "It has one fact"]})
    assert statuses(run, mini)["demo-handout-en"] == ("in-review", True)
    result = run("check", cwd=mini)
    assert result.code == 0  # a warning: it still builds, marked DRAFT
    [warning] = [line for line in result.out.splitlines() if "changed since approval" in line]
    assert warning.startswith(
        f"{HANDOUT}:15:5: warning: changed since approval by Jane Doe, MD on {TODAY} (version "
        "1.0): the document, or the shared data it prints (references, crisis block, "
        "disclaimer), changed; it is treated as in review (DRAFT banner) until it is approved "
        "again — have the change reviewed, then approve it again with `handoutkit approve "
        f"{HANDOUT} "
    )
    assert run("check", "--strict", cwd=mini).code == 1
    # approved again: approved
    assert approve(run, mini, HANDOUT).code == 0
    assert statuses(run, mini)["demo-handout-en"] == ("approved", False)
    # a new version is a change too, named as such
    apply_case(mini, {"file": HANDOUT, "replace": ['version: "1.0"', 'version: "1.1"']})
    assert "the version is 1.1, 1.0 was approved" in run("check", cwd=mini).out
    # set back to draft by hand: a draft, whatever the record says
    apply_case(mini, {"file": HANDOUT, "replace": ["status: approved", "status: draft"]})
    assert statuses(run, mini)["demo-handout-en"] == ("draft", False)


@pytest.mark.parametrize(
    ("case", "handout", "brief"),
    [
        # smith2020 is cited by both documents, jones2021 by the brief only
        (("content/references.yaml", "A trial of something", "A trial of anything"), True, True),
        (("content/references.yaml", "A book about tests", "A book about trials"), False, True),
        (("content/crisis-resources.yaml", "Get help now", "Get help right now"), True, True),
        (
            ("content/disclaimers.yaml", "clinician:\n  en: ", "clinician:\n  en: Note. "),
            False,
            True,
        ),
    ],
    ids=[
        "cited reference",
        "reference cited by the brief only",
        "crisis block",
        "brief disclaimer",
    ],
)
def test_a_change_to_the_shared_data_a_document_prints_undoes_its_approval(
    run, mini: Path, case: tuple[str, str, str], handout: bool, brief: bool
) -> None:
    assert approve(run, mini, HANDOUT, BRIEF).code == 0
    path, old, new = case
    apply_case(mini, {"file": path, "replace": [old, new]})
    assert statuses(run, mini) == {
        "demo-brief-en": ("in-review" if brief else "approved", brief),
        "demo-handout-en": ("in-review" if handout else "approved", handout),
    }


def test_approved_by_hand_without_a_record_is_an_error(run, mini: Path) -> None:
    apply_case(mini, {"file": HANDOUT, "replace": ["review:\n", "review:\n  status: approved\n"]})
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        f"{HANDOUT}:11:5: error: status is approved, but review.reviewer.credentials is missing: "
        "an approval names a reviewer with name, credentials and role" in result.out
    ), result.out
    apply_case(
        mini,
        {
            "file": HANDOUT,
            "replace": [
                "    role: Clinical reviewer",
                "    role: Psychiatrist\n    credentials: MD",
            ],
        },
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert f"{HANDOUT}:8:11: error: status is approved, but there is no approval record" in (
        result.out
    ), result.out
    assert statuses(run, mini)["demo-handout-en"] == ("in-review", False)
    # what `approve` is for: it writes the record (the review block's errors do not block it)
    assert approve(run, mini, HANDOUT).code == 0
    assert statuses(run, mini)["demo-handout-en"] == ("approved", False)


def test_a_forged_record_does_not_approve(run, mini: Path) -> None:
    assert approve(run, mini, HANDOUT).code == 0
    text = (mini / HANDOUT).read_text(encoding="utf-8")
    (mini / HANDOUT).write_text(
        text.replace('by: "Jane Doe, MD"', 'by: "Someone Else, MD"'), encoding="utf-8"
    )
    assert statuses(run, mini)["demo-handout-en"] == ("in-review", True)


def test_approve_needs_a_credentialed_reviewer(run, mini: Path) -> None:
    before = (mini / HANDOUT).read_bytes()
    result = approve(run, mini, HANDOUT, extra=("--reviewer", "Jane Doe"))
    assert result.code == 2
    assert (
        f"{HANDOUT}: --credentials needed — an approval names the reviewer with name, "
        "credentials and role" in result.err
    )
    assert (mini / HANDOUT).read_bytes() == before


def test_approve_takes_the_reviewer_from_the_document(run, mini: Path) -> None:
    apply_case(
        mini,
        {
            "file": HANDOUT,
            "replace": [
                "    role: Clinical reviewer",
                "    role: Psychiatrist\n    credentials: MD",
            ],
        },
    )
    result = approve(run, mini, HANDOUT, extra=())
    assert result.code == 0, result.text
    assert "by Test Reviewer, MD (Psychiatrist)" in result.out


def test_approve_refuses_a_document_with_errors_and_writes_nothing(run, mini: Path) -> None:
    apply_case(
        mini, {"file": HANDOUT, "replace": ["[@smith2020].\nsections", "[@nobody].\nsections"]}
    )
    before = (mini / HANDOUT).read_bytes()
    result = approve(run, mini, HANDOUT)
    assert result.code == 1
    assert f"{HANDOUT}:12:39: error: unknown citation '@nobody'" in result.out
    assert "nothing approved: fix these errors first" in result.err
    assert (mini / HANDOUT).read_bytes() == before
    assert approve(run, mini, BRIEF).code == 0  # another document's errors do not block it


def test_approve_refuses_a_future_date(run, mini: Path) -> None:
    result = approve(run, mini, HANDOUT, extra=(*JANE, "--date", "2027-01-01"))
    assert result.code == 2
    assert "--date: 2027-01-01 is in the future" in result.err


def test_approve_keeps_comments_and_a_flow_style_review(run, mini: Path) -> None:
    apply_case(
        mini,
        {
            "file": HANDOUT,
            "replace": [
                "review:\n  last_reviewed: 2026-11-01\n  reviewer:\n    name: Test Reviewer\n"
                "    role: Clinical reviewer\n",
                "# who reviewed it\nreview: {reviewer: {name: Test Reviewer}}  # flow\n",
            ],
        },
    )
    result = approve(run, mini, HANDOUT)
    assert result.code == 0, result.text
    text = (mini / HANDOUT).read_text(encoding="utf-8")
    assert "# who reviewed it\nreview: {" in text and "}  # flow\n" in text
    assert statuses(run, mini)["demo-handout-en"] == ("approved", False)
