"""The evidence parts of a clinician brief: what clinicians expect besides the bottom line.

A GRADE summary of findings (one row per outcome, with its plain-language statement and
footnoted reasons for downgrading), the included studies, the claims patients may bring to a
visit, and who wrote and reviewed the brief with their conflicts of interest. `models.Brief`
puts them together; `check` verifies the ids they refer to (footnotes, patient handouts).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from handoutkit.fields import Cite, Markdown, Strict, Text

# GRADE's four levels, and "not graded" for an outcome no included study reported (serious
# harms, say): there is no body of evidence to grade.
RowCertainty = Literal["high", "moderate", "low", "very low", "not graded"]
FootnoteId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,30}$")]


class SofFootnote(Strict):
    """A footnote of the summary of findings, e.g. why a certainty rating was downgraded."""

    id: FootnoteId = Field(description="Id the rows use in `footnotes:`, e.g. imprecision.")
    text: Markdown = Field(
        description="The footnote, e.g. 'Downgraded two levels for imprecision: ...'."
    )


class FindingRow(Strict):
    outcome: Text = Field(description="Outcome and time point.")
    participants: Text = Field(description="Participants (studies).")
    effect: Markdown = Field(
        description="The effect in words and numbers, e.g. 'No significant difference (p > "
        "0.05)'; no citation here (it goes in `citations`)."
    )
    certainty: RowCertainty = Field(
        description="GRADE certainty; 'not graded' for an outcome no study reported."
    )
    statement: Markdown = Field(
        description="GRADE plain-language statement, e.g. 'The evidence is very uncertain "
        "about the effect of ketamine on suicidal ideation.'"
    )
    comment: Markdown = Field(description="A short comment, e.g. 'Primary outcome negative'.")
    footnotes: list[FootnoteId] = Field(
        default_factory=list,
        description="Ids of the footnotes that explain the rating (reasons for downgrading).",
    )
    citations: list[Cite] = Field(
        min_length=1, description="Keys of the references the row comes from, e.g. [smith2020]."
    )


class SummaryOfFindings(Strict):
    caption: Text = Field(description="The table's caption: what is compared, in which studies.")
    population: Text = Field(description="Who was studied (GRADE: patients or population).")
    intervention: Text = Field(description="The treatment studied, with dose and duration.")
    comparison: Text = Field(description="What it was compared with (placebo, active control).")
    rows: list[FindingRow] = Field(
        min_length=1, description="One row per outcome, the most important first."
    )
    footnotes: list[SofFootnote] = Field(
        default_factory=list, description="Footnotes the rows refer to, lettered a, b, c..."
    )
    note: Markdown | None = Field(
        None,
        description="A note under the table, e.g. that confidence intervals were not available.",
    )

    def footnote_letters(self) -> dict[str, str]:
        """Footnote id -> its letter, in the order the footnotes are listed."""
        return {note.id: _letter(index) for index, note in enumerate(self.footnotes)}

    def marks(self, row: FindingRow) -> list[str]:
        """The letters of the footnotes a row marks, in alphabetical order ("a,b")."""
        order = {note.id: index for index, note in enumerate(self.footnotes)}
        known = sorted({order[note] for note in row.footnotes if note in order})
        return [_letter(index) for index in known]


def _letter(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: footnote letters, as GRADE tables mark them."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class Study(Strict):
    citation: Cite = Field(description="Key of the study's reference, e.g. fineberg2023.")
    label: Text = Field(description="Short label, e.g. 'Fineberg 2023'.")
    design: Markdown = Field(description="Study design, e.g. 'Double-blind pilot RCT'.")
    participants: Markdown = Field(description="Who took part: number, ages, condition.")
    intervention: Markdown = Field(description="What each group received.")
    outcomes: Markdown = Field(description="What was measured, and when.")


class PatientClaim(Strict):
    """A claim patients may bring (from a blog, a clinic's page, the news), and the evidence."""

    claim: Text = Field(description="The claim as patients may have read or heard it.")
    evidence: Markdown = Field(description="What the evidence says about it, cited.")


class Contributor(Strict):
    """A named, credentialed person who wrote or reviewed the brief."""

    name: Text = Field(description="Full name, as it should be printed.")
    credentials: Text = Field(description="Degrees or licences, e.g. MD, PhD.")
    role: Text = Field(description="Role and affiliation, e.g. 'Psychiatrist, City Hospital'.")
    conflicts_of_interest: Markdown = Field(
        description="Their declaration: 'None declared.' or the interests, in full."
    )


class Authorship(Strict):
    """Who wrote and who reviewed the brief. Left empty, the brief says so ("not yet named")."""

    authors: list[Contributor] = Field(
        default_factory=list, description="Who wrote the brief, with their conflicts of interest."
    )
    reviewers: list[Contributor] = Field(
        default_factory=list, description="Clinicians who reviewed the evidence and the brief."
    )
