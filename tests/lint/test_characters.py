"""Character-level checks (lint.characters, lint.fonts): what is refused, located at the
character, and what is left alone (joiners where scripts use them, accents typed as marks,
HTML shown as code, autolinks, "<5 mg"). The hostile build of each is in
tests/hostile/test_print.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import HANDOUT, apply_case, only_dejavu

BODY = "      This is a short test. It has a fact [@smith2020].\n"


def check_body(run, mini: Path, text: str) -> list[str]:
    """`check` with `text` as a second paragraph of the section body (line 18)."""
    apply_case(mini, {"file": HANDOUT, "replace": [BODY, f"{BODY}\n      {text}\n"]})
    result = run("check", cwd=mini)
    assert "Traceback" not in result.text
    return [line for line in result.out.splitlines() if line.startswith(HANDOUT)]


@pytest.mark.parametrize(
    "text",
    [
        "Symbol sequences such as ☺\u200d❤\ufe0f keep their joiner.",  # ZWJ between symbols
        "Persian می\u200cخواهم keeps its non-joiner.",  # ZWNJ inside an Arabic-script word
        "Arabic ل\u200dل keeps its joiner.",  # ZWJ in a joining script
        "A zero-width space between words\u200b is not inside one.",
        "Cafe\u0301 and n\u0303 are accents typed as marks.",
        "Ta\u0301\u0300\u0302\u0303 has four marks, the most allowed [@smith2020].",
        "Show `<b>` as code, link <https://medlineplus.gov>, and take <5 mg or a<b [@smith2020].",
        "Arabic مرحبا and Hebrew שלום need no control characters.",
    ],
)
def test_left_alone(run, mini: Path, text: str) -> None:
    assert check_body(run, mini, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "medi\u200bcation",
            "18:11: error: invisible U+200B ZERO WIDTH SPACE inside the word 'medication'",
        ),
        ("wo\u2060rd", "18:9: error: invisible U+2060 WORD JOINER inside the word 'word'"),
        ("pa\u200dtient", "18:9: error: invisible U+200D ZERO WIDTH JOINER inside the word"),
        ("\ufeffStart", None),  # not inside a word: the YAML loader may have kept it, fine
        ("x \u2066y\u2069", "18:9: error: bidirectional control character U+2066 LEFT-TO-RIGHT"),
        ("\u0301alone", "18:7: error: combining mark U+0301 COMBINING ACUTE ACCENT has no"),
        (
            "Za\u0301\u0300\u0302\u0303\u0304lgo",
            "18:8: error: more than 4 combining marks are stacked on 'a'",
        ),
        ("> > > > > quoted", "18:7: error: lists and quotes are nested 5 levels deep here"),
        ("<br>", "18:7: error: raw HTML is not allowed in content: `<br>` — start a new line"),
        ("<p>x</p>", "18:7: error: raw HTML is not allowed in content: `<p>` — separate"),
        ("a <a href='https://x.org'>b</a>", "18:9: error: raw HTML is not allowed in content:"),
        ("<img src=x onerror=alert(1)>", "18:7: error: raw HTML is not allowed in content: `<img"),
    ],
)
def test_refused_at_the_character(run, mini: Path, text: str, expected: str | None) -> None:
    found = check_body(run, mini, text)
    if expected is None:
        assert found == []
    else:
        assert any(line.startswith(f"{HANDOUT}:{expected}") for line in found), found


def test_shared_data_is_checked_too(run, mini: Path) -> None:
    apply_case(
        mini,
        {
            "file": "content/crisis-resources.yaml",
            "replace": ["Call or text 988.", "Call or text <b>988</b>."],
        },
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert any(
        line.startswith("content/crisis-resources.yaml:") and "`<b>` — use **bold**" in line
        for line in result.out.splitlines()
    ), result.out


def test_characters_no_font_has(run, mini: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FONTCONFIG_FILE", str(only_dejavu(tmp_path / "fc")))
    found = check_body(run, mini, "Say 你好, 안녕 and مرحبا; write 😀 and 🦀.")
    assert [line.split(": error: ")[0] for line in found] == [
        f"{HANDOUT}:18:11",
        f"{HANDOUT}:18:12",
        f"{HANDOUT}:18:15",
        f"{HANDOUT}:18:16",
        f"{HANDOUT}:18:41",
    ]  # 你 好 안 녕 🦀: DejaVu Sans has Arabic and 😀
    assert "no font has '안' (U+C548 HANGUL SYLLABLE AN)" in found[2]
    assert found[2].endswith("— install a font for its script, e.g. Debian's fonts-noto-cjk (Noto "
                             "Sans CJK), or put the font file under styles/fonts/ with an "
                             "@font-face rule in the project's styles/fonts.css (docs/building.md: "
                             "Fonts for other scripts); or remove the character")  # fmt: skip


def test_a_font_check_that_cannot_ask_fontconfig_stays_quiet(
    run, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the fontconfig tools nothing is reported here: the printer still finds tofu."""
    monkeypatch.setenv("PATH", "/nonexistent")
    assert check_body(run, mini, "Say 你好 and write 🦀.") == []
