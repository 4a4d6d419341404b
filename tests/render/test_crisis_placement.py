"""Where the crisis resources box goes (issue 6/8, point 6): prominent on page 1 by default,
compact at the end when a project or a document chooses it; the crisis line and the
organization's own phone are in every page's footer either way; a document about mental health
is warned off the compact box."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import build, page_texts

HEADING = "Get help now"  # the test project's crisis heading
FOOTER = ("In crisis? Call or text 988", "Test Clinic: (555) 010-0199")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def set_project(mini: Path, line: str) -> None:
    config = mini / "handoutkit.yaml"
    config.write_text(config.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def set_document(mini: Path, line: str) -> None:
    handout = mini / "content" / "demo" / "handout.en.yaml"
    text = handout.read_text(encoding="utf-8")
    handout.write_text(text.replace("review:\n", f"{line}\nreview:\n", 1), encoding="utf-8")


def handout_pages(run, mini: Path) -> list[str]:
    result = build(run, mini, "--format", "pdf")
    assert result.code == 0, result.text
    pdf = mini / "dist" / "demo" / "handout.en.standard.letter.pdf"
    return [flat(page) for page in page_texts(pdf)]


def test_prominent_by_default_on_page_one_with_the_footer_on_every_page(run, mini: Path) -> None:
    pages = handout_pages(run, mini)
    assert HEADING in pages[0]
    text = " ".join(pages)
    assert text.index(HEADING) < text.index("What it is")  # before the first section
    for page in pages:
        assert all(line in page for line in FOOTER), page


def test_compact_goes_after_when_to_get_help_now(run, mini: Path) -> None:
    set_project(mini, "crisis_block: compact")
    pages = handout_pages(run, mini)
    text = " ".join(pages)
    assert text.count(HEADING) == 1
    assert text.index("When to get help now") < text.index(HEADING) < text.index("Words to know")
    for page in pages:  # the footer still carries the crisis line and the clinic's phone
        assert all(line in page for line in FOOTER), page
    html = build(run, mini, "--format", "html")
    assert html.code == 0, html.text
    screen = (mini / "dist" / "demo" / "handout.en.standard.html").read_text(encoding="utf-8")
    assert '<section class="crisis compact"' in screen


def test_a_document_overrides_the_project(run, mini: Path) -> None:
    set_project(mini, "crisis_block: compact")
    set_document(mini, "crisis_block: prominent")
    pages = handout_pages(run, mini)
    text = " ".join(pages)
    assert text.index(HEADING) < text.index("What it is")


def test_a_mental_health_document_is_warned_off_the_compact_box(run, mini: Path) -> None:
    handout = mini / "content" / "demo" / "handout.en.yaml"
    handout.write_text(
        handout.read_text(encoding="utf-8").replace(
            "This is a short test.", "This is about depression."
        ),
        encoding="utf-8",
    )
    assert "crisis-prominence" not in run("check", "--format", "json", cwd=mini).out
    set_project(mini, "crisis_block: compact")
    result = run("check", cwd=mini)
    assert result.code == 0, result.text  # a warning
    line = next(line for line in result.out.splitlines() if "is about mental health" in line)
    assert line.startswith("handoutkit.yaml:10:15: warning: content/demo/handout.en.yaml is about")
    assert "('depression' in sections item 1.body)" in line
    assert "set `crisis_block: prominent` in this document" in line
    set_document(mini, "crisis_block: compact")
    line = next(line for line in run("check", cwd=mini).out.splitlines() if "mental" in line)
    assert line.startswith("content/demo/handout.en.yaml:7:15: warning:")
    assert "but its crisis_block is compact" in line


def test_the_mental_health_words_cover_spanish_without_accents_and_leave_other_topics() -> None:
    from handoutkit.lint.crisis import mental_health_words
    from handoutkit.lint.plainlanguage import fold

    spanish = mental_health_words("es")
    assert spanish is not None
    for text in ("Trastorno límite de la personalidad", "pensamientos suicidas", "DEPRESIÓN"):
        assert spanish.search(fold(text)), text
    english = mental_health_words("en")
    assert english is not None
    for text in ("Log in 10 minutes early for your video visit.", "Check your blood sugar."):
        assert english.search(fold(text)) is None, text
    assert english.search(fold("Suicidal thoughts")) and english.search(fold("self-harm"))
