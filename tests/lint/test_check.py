"""`handoutkit check`: every rule fails, located, on a broken copy of the test project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import CASES, apply_case


def test_clean_project_passes(run, mini: Path) -> None:
    result = run("check", cwd=mini)
    assert result.code == 0, result.text
    assert "checked 2 documents: 0 errors, 0 warnings" in result.err


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rule(run, mini: Path, case: dict) -> None:
    apply_case(mini, case)
    result = run("check", *case.get("args", []), cwd=mini)
    lines = result.out.splitlines()
    for expected in case.get("expect", []):
        assert expected in lines, f"missing: {expected}\n--- got:\n{result.out}"
    for part in case.get("expect_prefix", []):
        assert any(part in line for line in lines), f"missing: {part}\n--- got:\n{result.out}"
    for part in case.get("absent", []):
        assert part not in result.out, f"unexpected: {part}\n--- got:\n{result.out}"
    assert result.code == case["exit"], result.text
    assert "Traceback" not in result.text


def test_all_problems_reported_at_once(run, mini: Path) -> None:
    apply_case(mini, {"file": "content/demo/handout.en.yaml", "replace": ["title:", "titel:"]})
    apply_case(mini, {"file": "content/demo/brief.en.yaml", "replace": ["[@jones2021]", "[@x]"]})
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "handout.en.yaml:4:1: error: unknown key 'titel'" in result.out
    assert "brief.en.yaml:38:32: error: unknown citation '@x'" in result.out


def test_json_format(run, mini: Path) -> None:
    apply_case(mini, {"file": "content/demo/handout.en.yaml", "replace": ["title:", "titel:"]})
    result = run("check", "--format", "json", cwd=mini)
    report = json.loads(result.out)
    assert result.code == 1
    assert report["ok"] is False
    first = report["diagnostics"][0]
    assert first["location"] == {"path": "content/demo/handout.en.yaml", "line": 4, "col": 1}
    assert first["severity"] == "error" and first["rule"] == "schema"
    assert any(d["message"] == "unknown key 'titel'" for d in report["diagnostics"])


def test_found_from_a_subfolder(run, mini: Path) -> None:
    result = run("check", cwd=mini / "content" / "demo")
    assert result.code == 0, result.text


def test_project_option(run, mini: Path, tmp_path: Path) -> None:
    result = run("--project", str(mini), "check", cwd=tmp_path)
    assert result.code == 0, result.text


def test_no_project_is_a_usage_error(run, tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.code == 2
    assert "no handoutkit.yaml found" in result.err
    assert "Traceback" not in result.text


def test_bad_option_is_a_usage_error(run, mini: Path) -> None:
    result = run("check", "--format", "xml", cwd=mini)
    assert result.code == 2


def test_check_selected_paths(run, mini: Path) -> None:
    apply_case(mini, {"file": "content/demo/brief.en.yaml", "replace": ["[@jones2021]", "[@x]"]})
    result = run("check", "content/demo/handout.en.yaml", cwd=mini)
    assert result.code == 0, result.text  # the broken brief is not selected
    assert "checked 1 documents" in result.err


def test_internal_error_is_short_without_debug(run, mini: Path, monkeypatch) -> None:
    import handoutkit.lint.checks

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(handoutkit.lint.checks, "check_project", broken)
    result = run("check", cwd=mini)
    assert result.code == 3
    assert "internal error: RuntimeError: boom" in result.err
    assert "Traceback" not in result.err
    result = run("--debug", "check", cwd=mini)
    assert result.code == 3
    assert "Traceback" in result.err


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_reported_problem_names_a_registered_rule(run, mini: Path, case: dict) -> None:
    """--format json gives each diagnostic's rule id, from the one registry (rules.py)."""
    from handoutkit.rules import RULES

    apply_case(mini, case)
    result = run("check", "--format", "json", *case.get("args", []), cwd=mini)
    if result.code == 2:  # a usage error: a message, not diagnostics
        assert not result.out and result.err.startswith("handoutkit: "), result.text
        return
    diagnostics = json.loads(result.out)["diagnostics"]
    assert diagnostics or case["exit"] == 0
    for diagnostic in diagnostics:
        assert diagnostic["rule"] in RULES, diagnostic


def test_a_document_that_does_not_load_still_counts(run, mini: Path) -> None:
    apply_case(mini, {"file": "content/demo/brief.en.yaml", "replace": ["type: brief", "type: ["]})
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "checked 2 documents (1 could not be read): 1 error, 0 warnings" in result.err
    assert "not cited" not in result.out  # the brief that did not load cites jones2021


def test_a_source_of_another_topic_is_questioned(run, mini: Path) -> None:
    """A new topic citing the only (unrelated) reference there is, just to pass the rule."""
    other = mini / "content" / "telehealth"
    other.mkdir()
    handout = (mini / "content" / "demo" / "handout.en.yaml").read_text()
    handout = handout.replace("id: demo-handout-en", "id: tele-handout-en")
    handout = handout.replace("code: TEST-PH-EN", "code: TELE-PH-EN")
    handout = handout.replace("title: A test handout", "title: Your video visit")
    (other / "handout.en.yaml").write_text(handout)
    result = run("check", cwd=mini)
    assert result.code == 0, result.text
    assert (
        "content/telehealth/handout.en.yaml:12:39: warning: 'smith2020' is a source of topic "
        "'demo', and its title shares no word with this document's title or keywords — cite a "
        "source about this topic (add it to the reference library)"
    ) in result.out.splitlines(), result.out
    # the demo documents cite it too, but they are its own topic: no warning for them
    assert "content/demo/" not in result.out
