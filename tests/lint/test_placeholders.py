"""Placeholders (issue 6/8, point 3): what `new` or a sample leaves behind fails `--strict`
(a located warning) and a release build (an error); `organization.sample: true` says a
project is a demonstration, which quiets only the organization's warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

HANDOUT = Path("content") / "demo" / "handout.en.yaml"


def replace(project: Path, relative: Path | str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("written", "column", "reason"),
    [
        ("Call us at (555) 010-0150.", 19, "a fictional phone number (555-0100 to 555-0199)"),
        ("Read more at https://example.org/sleep.", 28, "an example domain"),
        ("REPLACE with the clinic's hours.", 7, "a REPLACE marker"),
        ("Our office: 100 Example Street.", 19, "a sample address"),
    ],
)
def test_a_placeholder_in_a_document_is_located_and_fails_strict(
    run, mini: Path, written: str, column: int, reason: str
) -> None:
    replace(mini, HANDOUT, "This is a short test.", written)
    result = run("check", cwd=mini)
    assert result.code == 0, result.text  # a warning ...
    lines = [line for line in result.out.splitlines() if "has a placeholder" in line]
    assert len(lines) == 1, result.out
    assert lines[0].startswith(
        f"content/demo/handout.en.yaml:16:{column}: warning: sections item 1.body has a "
        f"placeholder, {reason}:"
    ), lines[0]
    assert lines[0].endswith("(`build --release` refuses placeholders)")
    assert run("check", "--strict", cwd=mini).code == 1  # ... that --strict refuses
    release = run("check", "--release", cwd=mini)
    assert release.code == 1
    assert any(
        line.startswith(f"content/demo/handout.en.yaml:16:{column}: error: sections item 1.body")
        and "a release build never prints placeholders" in line
        for line in release.out.splitlines()
    ), release.out


def test_a_replace_with_value_from_the_scaffold_is_a_placeholder(run, mini: Path) -> None:
    replace(mini, HANDOUT, "name: Test Reviewer", 'name: "Replace with the reviewer\'s name"')
    result = run("check", cwd=mini)
    assert (
        "content/demo/handout.en.yaml:10:12: warning: review.reviewer.name has a placeholder, "
        "'Replace with…': 'Replace with the reviewer's name'" in result.out
    ), result.out


def test_ordinary_words_are_not_placeholders(run, mini: Path) -> None:
    replace(
        mini,
        HANDOUT,
        "This is a short test.",
        "Replace your filter each month. Call your clinic; see medlineplus.gov.",
    )
    assert "has a placeholder" not in run("check", cwd=mini).out


def test_sample_true_quiets_only_the_organization_and_never_a_release(run, mini: Path) -> None:
    # the test project declares itself a demonstration: its fictional phone is not warned about
    result = run("check", "--strict", cwd=mini)
    assert result.code == 0, result.text
    release = run("check", "--release", cwd=mini)
    assert (
        "handoutkit.yaml:3:10: error: organization phone '(555) 010-0199' is sample data"
        in release.out
    ), release.out
    # without the declaration, the same phone is a warning
    replace(mini, "handoutkit.yaml", "  sample: true", "  sample: false")
    result = run("check", cwd=mini)
    assert (
        "handoutkit.yaml:3:10: warning: organization phone '(555) 010-0199' is sample data: a "
        "fictional phone number (555-0100 to 555-0199)" in result.out
    ), result.out
    assert run("check", "--strict", cwd=mini).code == 1
    # ... and a placeholder in a document is warned about, demonstration or not
    replace(mini, "handoutkit.yaml", "  sample: false", "  sample: true")
    replace(mini, HANDOUT, "This is a short test.", "Call (555) 010-0150.")
    assert "has a placeholder" in run("check", cwd=mini).out
