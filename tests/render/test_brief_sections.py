"""The brief's sections (methods, limitations, authorship, claims, GRADE footnotes, patient
handouts), citations that never run into a number, and references marked by language; rendered
to HTML without WeasyPrint."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from handoutkit.content.loader import load_project
from handoutkit.render.markdown import Citer, MarkdownRenderer
from handoutkit.render.renderer import Renderer
from helpers import MINI, copy_shipped_project

BRIEF = "content/demo/brief.en.yaml"


def _render(project: Path, stem: str, medium: str = "print") -> str:
    loaded = load_project(project)
    document = next(d for d in loaded.documents if d.stem == stem)
    return Renderer(loaded).render(document, "standard", medium).html  # type: ignore[arg-type]


def _text(html: str) -> str:
    """The page's words, tags dropped (what a reader and the text layer see)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("\u2060", "")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    return project


def _edit(project: Path, old: str, new: str) -> None:
    path = project / BRIEF
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --------------------------------------------------------------------------- citations


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("It was p = 0.03 [@a].", "It was p = 0.03.[1]"),
        ("In all, **n = 22** [@a].", "In all, n = 22.[1]"),
        ("Trials in 2023, [@a] then more.", "Trials in 2023,[1] then more."),
        ("Both groups [@a].", "Both groups.1"),
        ("The trial (n = 22) [@a].", "The trial (n = 22).1"),
    ],
)
def test_a_citation_after_a_number_is_bracketed(markdown: str, text: str) -> None:
    """ "p = 0.03" and citation 1 must not read as "p = 0.031", on paper or in the text layer."""
    html = MarkdownRenderer(Citer()).block(markdown)
    assert _text(html).strip() == text


def test_template_citations_after_a_number_are_bracketed() -> None:
    citer = Citer()
    assert _text(citer.superscript(["a"], after="Fineberg 2023")) == "[1]"
    assert _text(citer.superscript(["a", "b"], after="22 (1 RCT)")) == "1,2"


def test_the_brief_cites_studies_and_findings_off_their_numbers(mini: Path) -> None:
    text = _text(_render(mini, "brief.en"))
    assert "Smith 2020[1]" in text  # the study column: the label ends with its year
    assert "10 (1 RCT)1" in text  # the findings: in the participants column, after ")"
    assert "No difference1" not in text  # not after the effect


# --------------------------------------------------------------------------- sections


def test_an_unnamed_author_and_reviewer_are_said_to_be_missing(mini: Path) -> None:
    text = _text(_render(mini, "brief.en"))
    assert "Author: not yet named." in text
    assert "Clinical reviewer: not yet named." in text
    assert "Conflicts of interest: not yet declared." in text
    assert "No clinician has reviewed this brief yet." in text
    assert "Methods Evidence current to: October 1, 2026." in text
    assert "Limitations A single small trial." in text


def test_named_authors_and_reviewers_are_printed_with_their_interests(mini: Path) -> None:
    _edit(
        mini,
        "methods:",
        "authorship:\n"
        "  authors:\n"
        "    - {name: Ann Lee, credentials: MD, role: Psychiatrist, conflicts_of_interest:"
        " None declared.}\n"
        "  reviewers:\n"
        "    - {name: Bo Kim, credentials: PharmD, role: Pharmacist, conflicts_of_interest:"
        " Speaker fees from a maker of esketamine.}\n"
        "methods:",
    )
    text = _text(_render(mini, "brief.en"))
    assert "Author: Ann Lee, MD, Psychiatrist. Conflicts of interest: None declared." in text
    assert (
        "Clinical reviewer: Bo Kim, PharmD, Pharmacist. Conflicts of interest: Speaker fees" in text
    )
    assert "not yet named" not in text and "No clinician has reviewed" not in text


def test_claims_footnotes_and_ungraded_outcomes(mini: Path) -> None:
    _edit(
        mini,
        "      statement: The evidence is very uncertain about the effect on the main outcome.\n",
        "      statement: The evidence is very uncertain about the effect on the main outcome.\n"
        "      footnotes: [bias, imprecision]\n"
        "    - outcome: Serious harms\n"
        "      participants: 10 (1 RCT)\n"
        "      effect: Not reported\n"
        "      certainty: not graded\n"
        "      statement: The brief cannot say.\n"
        "      comment: Not reported.\n"
        "      citations: [smith2020]\n"
        "  footnotes:\n"
        "    - {id: imprecision, text: One small trial.}\n"
        "    - {id: bias, text: Abstract only.}\n"
        "  note: Confidence intervals were not available.\n",
    )
    _edit(
        mini,
        "methods:",
        "claims_patients_may_bring:\n"
        "  - claim: It works wonders.\n"
        "    evidence: One small trial found no difference [@smith2020].\n"
        "methods:",
    )
    html = _render(mini, "brief.en")
    text = _text(html)
    # footnotes are lettered in the order they are listed, whatever order a row marks them
    assert "Very low a,b" in text
    assert "a One small trial. b Abstract only." in text
    assert 'href="#sof-note-a"' in html and 'id="sof-note-a"' in html
    assert "Confidence intervals were not available." in text
    assert "Not graded" in text and "What this means" in text
    assert "Claims patients may bring Claim: It works wonders. The evidence: One small" in text


def test_the_bottom_line_comes_first_then_the_crisis_resources(mini: Path) -> None:
    text = _text(_render(mini, "brief.en"))
    bottom = text.index("Bottom line")
    crisis = text.index("Crisis resources to share with patients")
    assert bottom < crisis < text.index("Clinical question") < text.index("Summary of findings")
    assert "Evidence current to: October 1, 2026" in text[bottom:crisis]


def test_the_brief_names_its_patient_handouts_by_title_and_code(mini: Path) -> None:
    _edit(mini, "methods:", "patient_handouts: [demo-handout-en]\nmethods:")
    text = _text(_render(mini, "brief.en"))
    assert "For patients Patient handout: A test handout (TEST-PH-EN)" in text


def test_a_handout_in_another_language_is_named_with_its_language(tmp_path: Path) -> None:
    project = copy_shipped_project(tmp_path / "shipped")
    html = _render(project, "brief.en")
    assert 'Patient handout in Spanish: <cite lang="es">La ketamina y el TLP</cite>' in html
    assert 'Patient handout: <cite lang="en">Ketamine and BPD</cite> (HK-KBPD-PH-EN)' in html


# --------------------------------------------------------------------------- references


def test_references_in_another_language_are_marked_in_the_readers_language(
    tmp_path: Path,
) -> None:
    project = copy_shipped_project(tmp_path / "shipped")
    spanish = _render(project, "handout.es")
    items = re.findall(r'<li id="ref-\d+">(.*?)</li>', spanish, re.DOTALL)
    assert items and all(item.endswith("(en inglés)</span>") for item in items), items
    assert all(item.startswith('<span lang="en">') for item in items)
    english = _render(project, "handout.en")
    assert "(in English)" not in english and "source-language" not in english


def test_a_reference_in_the_readers_language_is_not_marked(tmp_path: Path) -> None:
    project = copy_shipped_project(tmp_path / "shipped")
    library = project / "content" / "references.yaml"
    text = library.read_text(encoding="utf-8")
    library.write_text(
        text.replace("- id: fineberg2023\n", "- id: fineberg2023\n  language: es\n"),
        encoding="utf-8",
    )
    spanish = _render(project, "handout.es")
    fineberg = next(
        item
        for item in re.findall(r'<li id="ref-\d+">(.*?)</li>', spanish, re.DOTALL)
        if "Fineberg" in item
    )
    assert "(en " not in fineberg
    english = _text(_render(project, "handout.en"))
    assert "Borderline Personality Disorder. Neuropsychopharmacology" in english
    assert "(in Spanish)" in english
