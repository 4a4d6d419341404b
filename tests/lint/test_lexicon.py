"""Words patients stumble on (issue 6/8, point 9): "utilize" is wordy, not medical jargon;
a project adds its own words in content/lexicon.yaml, located like every other file."""

from __future__ import annotations

from pathlib import Path

from handoutkit.content.schema import kind_of

HANDOUT = Path("content") / "demo" / "handout.en.yaml"


def write_body(mini: Path, sentence: str) -> None:
    path = mini / HANDOUT
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("This is a short test.", sentence), encoding="utf-8")


def lines_of(result, rule_words: str) -> list[str]:
    return [line for line in result.out.splitlines() if rule_words in line]


def test_utilize_is_wordy_not_jargon(run, mini: Path) -> None:
    write_body(mini, "You can utilize the portal.")
    result = run("check", "--format", "json", cwd=mini)
    found = [d for d in result_json(result)["diagnostics"] if "utilize" in d["message"]]
    assert [(d["rule"], d["message"], d["hint"]) for d in found] == [
        ("wordy", "'utilize' is a long word for a short one", 'say "use" instead')
    ]
    assert (found[0]["location"]["line"], found[0]["location"]["col"]) == (16, 15)
    # a glossary entry explains jargon; it does not make a long word short
    glossary = mini / HANDOUT
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace(
            "  - term: Test\n", "  - term: utilize\n    definition: To use.\n  - term: Test\n"
        ),
        encoding="utf-8",
    )
    again = result_json(run("check", "--format", "json", cwd=mini))
    assert [d["rule"] for d in again["diagnostics"] if "'utilize'" in d["message"]] == ["wordy"]


def test_a_project_adds_its_own_words(run, mini: Path) -> None:
    write_body(mini, "Join the telehealth visit. We will facilitate it.")
    assert not lines_of(run("check", cwd=mini), "telehealth")
    (mini / "content" / "lexicon.yaml").write_text(
        "en:\n"
        "  - term: telehealth\n"
        "    forms: [telemedicine]\n"
        "    plain: a video or phone visit\n"
        "  - term: facilitate\n"
        "    plain: help\n"
        "    kind: wordy\n",
        encoding="utf-8",
    )
    result = run("check", cwd=mini)
    assert (
        "content/demo/handout.en.yaml:16:16: warning: 'telehealth' is medical jargon — say "
        '"a video or phone visit" instead, or define it in the glossary' in result.out
    ), result.out
    assert (
        "content/demo/handout.en.yaml:16:42: warning: 'facilitate' is a long word for a short "
        'one — say "help" instead' in result.out
    ), result.out
    assert run("check", "--strict", cwd=mini).code == 1


def test_a_mistake_in_the_project_lexicon_is_located(run, mini: Path) -> None:
    (mini / "content" / "lexicon.yaml").write_text(
        "en:\n  - term: telehealth\n    plian: a video visit\n", encoding="utf-8"
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "content/lexicon.yaml:3:5: error: unknown key 'plian' — did you mean 'plain'?" in (
        result.out
    ), result.out


def test_editors_get_the_lexicon_schema() -> None:
    assert kind_of(Path("content/lexicon.yaml")) == "lexicon"


def result_json(result) -> dict:
    import json

    return json.loads(result.out)
