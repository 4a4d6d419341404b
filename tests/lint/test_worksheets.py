"""`check` on worksheets and pictographs: a clean worksheet passes; labels that two fields
would share, an item of two kinds, a pictograph too big to count or citing an unknown source
fail, located."""

from __future__ import annotations

from pathlib import Path

from helpers import MINI_WORKSHEET, add_pictograph, add_worksheet

WORKSHEET = "content/demo/worksheet.en.yaml"


def test_a_worksheet_checks_clean(run, mini: Path) -> None:
    add_worksheet(mini)
    add_pictograph(mini)
    result = run("check", "--strict", cwd=mini)
    assert result.code == 0, result.text
    assert "checked 3 documents: 0 errors, 0 warnings" in result.err


def test_two_fields_with_one_label_fail(run, mini: Path) -> None:
    add_worksheet(
        mini, MINI_WORKSHEET + "  - heading: Second part\n    items:\n      - line: My name\n"
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        f"{WORKSHEET}:27:15: error: the write-in label 'My name' is also used in part 1, item 1: "
        "a screen reader could not tell the two fields apart — give every line, area and list "
        "its own label (a list's lines are named '<item> 1', '<item> 2', …)"
    ) in result.out.splitlines()


def test_a_line_named_like_a_list_entry_fails(run, mini: Path) -> None:
    add_worksheet(mini, MINI_WORKSHEET.replace("      - line: My name", "      - line: Sign 2"))
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "error: the write-in label 'Sign 2' is also used in part 1, item 1" in result.out


def test_an_item_of_two_kinds_fails(run, mini: Path) -> None:
    add_worksheet(
        mini,
        MINI_WORKSHEET.replace("      - line: My name", "      - line: My name\n        area: Me"),
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "give exactly one of line, area, list or note (got line, area)" in result.out
    assert f"{WORKSHEET}:14:" in result.out


def test_lines_on_a_short_line_fail(run, mini: Path) -> None:
    add_worksheet(
        mini,
        MINI_WORKSHEET.replace("      - line: My name", "      - line: My name\n        lines: 2"),
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "lines: only an area or a list has a number of lines" in result.out


def test_a_worksheet_may_cite_nothing_but_a_handout_may_not(run, mini: Path) -> None:
    add_worksheet(mini, MINI_WORKSHEET.replace(" [@smith2020]", ""))
    result = run("check", cwd=mini)
    assert "worksheet.en.yaml:1:1: error: this document cites no references" not in result.out
    handout = mini / "content" / "demo" / "handout.en.yaml"
    handout.write_text(
        handout.read_text(encoding="utf-8").replace(" [@smith2020]", ""), encoding="utf-8"
    )
    result = run("check", cwd=mini)
    assert "handout.en.yaml:1:1: error: this document cites no references" in result.out


def test_a_pictograph_too_big_to_count_fails(run, mini: Path) -> None:
    add_pictograph(mini)
    handout = mini / "content" / "demo" / "handout.en.yaml"
    text = handout.read_text(encoding="utf-8").replace("count: 4,", "count: 58,")
    handout.write_text(text, encoding="utf-8")
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "a pictograph shows at most 60 people, one icon each; these groups add up to 61" in (
        result.out
    )


def test_a_pictograph_citing_an_unknown_source_fails(run, mini: Path) -> None:
    add_pictograph(mini)
    handout = mini / "content" / "demo" / "handout.en.yaml"
    text = handout.read_text(encoding="utf-8").replace("source: smith2020", "source: smiht2020")
    handout.write_text(text, encoding="utf-8")
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "handout.en.yaml:24:15: error: unknown citation 'smiht2020' — did you mean" in result.out
