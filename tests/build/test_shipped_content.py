"""The shipped pack as printed, against the content review of December 2026: crisis lines,
tiered help, no citation running into a number, the brief's sections. Read from the PDFs'
text layer (pdftotext), as a reader or a screen reader gets it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers import page_texts

TOPIC = "ketamine-bpd"


def _text(pack: Path, name: str) -> str:
    """The text layer in reading order (table cells whole, not laid out side by side)."""
    return subprocess.run(
        ["pdftotext", str(pack / TOPIC / name), "-"], check=True, capture_output=True, text=True
    ).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def texts(shipped_pack: Path) -> dict[str, str]:
    pdfs = (shipped_pack / TOPIC).glob("*.pdf")
    return {path.name: _text(shipped_pack, path.name) for path in pdfs}


def test_crisis_lines_in_english(texts: dict[str, str]) -> None:
    english = _flat(texts["handout.en.standard.letter.pdf"])
    for line in ("Spanish: press 2, or text AYUDA to 988", "Veterans: press 1, or text 838255"):
        assert line in english
    assert "videophone (ASL) through 988lifeline.org" in english
    assert "Text HOME to 741741" in english


def test_crisis_lines_in_spanish(texts: dict[str, str]) -> None:
    spanish = _flat(texts["handout.es.standard.letter.pdf"])
    assert "Envíe AYUDA por texto al 741741" in spanish and "HOME" not in spanish
    assert "chatee en 988lifeline.org" in spanish
    assert "Veteranos: marque 1, o envíe un texto al 838255" in spanish
    assert "videollamada en lengua de señas (ASL)" in spanish


def test_free_is_said_of_the_lines_only_and_press_3_never(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        flat = _flat(text)
        assert not re.search(r"(press|marque) 3", flat), name
        for sentence in re.split(r"(?<=[.!?])\s+", flat):
            if re.search(r"\b(free|gratis)\b", sentence, re.IGNORECASE):
                # scoped to the lines it names, never "help is free" over a list with the ER
                assert "988" in sentence and "Crisis Text Line" in sentence, (name, sentence)
                assert not re.search(r"911|emergenc", sentence, re.IGNORECASE), (name, sentence)


@pytest.mark.parametrize(
    ("name", "tiers"),
    [
        (
            "handout.en.standard.letter.pdf",
            ("1. Use your safety plan.", "2. Still not safe? Call or text 988", "3. In danger"),
        ),
        (
            "handout.es.standard.letter.pdf",
            ("1. Use su plan de seguridad.", "2. ¿Sigue sin estar a salvo?", "3. ¿Hay peligro"),
        ),
    ],
)
def test_when_to_get_help_now_is_tiered(
    texts: dict[str, str], name: str, tiers: tuple[str, ...]
) -> None:
    flat = _flat(texts[name])
    positions = [flat.index(tier) for tier in tiers]
    assert positions == sorted(positions)


def test_no_citation_runs_into_a_number(texts: dict[str, str]) -> None:
    brief = _flat(texts["brief.en.standard.letter.pdf"])
    assert "Fineberg 2023 [1]" in brief and "p = 0.03" in brief
    assert "[[" not in brief  # a bracketed marker gets no second pair from its ActualText
    for name, text in texts.items():
        # a superscript after a figure would read "0.031" or "20231"
        assert not re.search(r"p = 0\.03\d|(?<!\d)20\d\d\d(?!\d)", _flat(text)), name


def test_the_brief_has_the_sections_clinicians_expect(texts: dict[str, str]) -> None:
    brief = _flat(texts["brief.en.standard.letter.pdf"])
    order = [
        "Bottom line",
        "Crisis resources to share with patients",
        "Clinical question",
        "Claims patients may bring",
        "Summary of findings",
        "Included studies",
        "For patients",
        "Methods",
        "Limitations",
        "Authors, reviewers and conflicts of interest",
        "References",
    ]
    positions = [brief.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "Evidence current to: November 16, 2026" in brief
    assert "Author: not yet named." in brief and "Clinical reviewer: not yet named." in brief
    assert "Patient handout: Ketamine and BPD (HK-KBPD-PH-EN)" in brief
    assert "Patient handout in Spanish: La ketamina y el TLP (HK-KBPD-PH-ES)" in brief
    assert "The evidence is very uncertain about the effect of ketamine on suicidal ideation" in (
        brief
    )
    assert "Confidence intervals were not available" in brief
    assert "IV ketamine for depression is off-label" in brief
    assert "indication" not in brief
    assert "with and without BPD or BPD traits" in brief


def test_the_crisis_box_follows_the_bottom_line_on_page_one(shipped_pack: Path) -> None:
    for path in sorted((shipped_pack / TOPIC).glob("brief.*.pdf")):
        first = _flat(page_texts(path)[0])
        assert first.index("Bottom line") < first.index("Crisis resources to share with")
        assert "911" in first, path.name


def test_spanish_references_are_marked_as_english(texts: dict[str, str]) -> None:
    spanish = texts["handout.es.standard.letter.pdf"]
    references = _flat(spanish[spanish.index("Referencias") :])
    assert references.count("(en inglés)") == 7


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_handout_points_to_the_safety_plan_worksheet(
    texts: dict[str, str], language: str
) -> None:
    """'What you can do' names the worksheet by its title and code, as printed on it; the
    worksheet has the six steps and ends with the crisis lines."""
    from handoutkit.content.loader import load_project
    from handoutkit.models import Worksheet
    from helpers import REPO

    worksheet = next(
        d.model
        for d in load_project(REPO).documents
        if isinstance(d.model, Worksheet) and d.model.language == language
    )
    handout = _flat(texts[f"handout.{language}.standard.letter.pdf"])
    assert worksheet.title in handout and worksheet.code in handout
    sheet = _flat(texts[f"worksheet.{language}.standard.letter.pdf"])
    assert worksheet.title in sheet and worksheet.code in sheet
    steps = [part.heading for part in worksheet.parts]
    assert len(steps) == 6 and all(step in sheet for step in steps)
    assert (
        sheet.index(steps[-1]) < sheet.index("741741") < sheet.index("911", sheet.index("741741"))
    )
    assert "Stanley B, Brown GK" in sheet and "doi" not in sheet.lower()  # DOI unverified
