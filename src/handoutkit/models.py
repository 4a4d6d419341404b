"""Content model: what a project, its shared data and its documents may contain.

Every later stage (lint, render, print, publish) consumes these models and nothing else, so
the rules a content author must follow live here, in one place. Models forbid unknown keys so
that a typo ("titel") is an error with a suggestion instead of silently dropped text. The
field types they share are in `fields`; the parts of a clinician brief (summary of findings,
studies, claims, authorship) in `evidence`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, StringConstraints, model_validator

from handoutkit.config import (  # (re-exported: the content model, in one import)
    BrandColours,
    Logo,
    Organization,
    ProjectConfig,
    ReadingLimits,
    ReadingSettings,
)
from handoutkit.evidence import (
    Authorship,
    PatientClaim,
    Study,
    SummaryOfFindings,
)
from handoutkit.fields import (  # (re-exported: the content model, in one import)
    Audience,
    CitationKey,
    CitationRef,
    Cite,
    CrisisPlacement,
    Edition,
    HexColour,
    LanguageCode,
    Markdown,
    MarkdownText,
    Paper,
    Slug,
    Strict,
    Text,
)
from handoutkit.figures import Pictograph, PictographGroup
from handoutkit.library import (  # (re-exported: the content model, in one import)
    CrisisBlock,
    CrisisLibrary,
    CrisisResource,
    CslDate,
    CslItem,
    CslName,
    DisclaimerLibrary,
    LexiconEntry,
    LexiconLibrary,
)
from handoutkit.worksheet import WorksheetItem, WorksheetPart

__all__ = [
    "Audience",
    "Authorship",
    "BrandColours",
    "Brief",
    "CitationKey",
    "CitationRef",
    "Cite",
    "CrisisBlock",
    "CrisisLibrary",
    "CrisisPlacement",
    "CrisisResource",
    "CslDate",
    "CslItem",
    "CslName",
    "DisclaimerLibrary",
    "Document",
    "DocumentBase",
    "Edition",
    "GlossaryEntry",
    "Handout",
    "HexColour",
    "Image",
    "LanguageCode",
    "LexiconEntry",
    "LexiconLibrary",
    "Logo",
    "Markdown",
    "MarkdownText",
    "Organization",
    "Paper",
    "PatientClaim",
    "Pictograph",
    "PictographGroup",
    "ProjectConfig",
    "ReadingLimits",
    "ReadingSettings",
    "Review",
    "Reviewer",
    "Section",
    "Slug",
    "Strict",
    "Study",
    "SummaryOfFindings",
    "Text",
    "TextKind",
    "Worksheet",
    "WorksheetItem",
    "WorksheetPart",
    "add_months",
    "walk_text",
]


# --------------------------------------------------------------------------- documents


ReviewStatus = Literal["draft", "in-review", "approved"]
Version = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,2}$")]


class Reviewer(Strict):
    """The clinician who reviews the document; printed only once it is approved."""

    name: Text = Field(description="The reviewer's full name.")
    credentials: Text | None = Field(None, description="e.g. MD. Required for approval.")
    role: Text | None = Field(None, description="e.g. Psychiatrist. Required for approval.")


class Approval(Strict):
    """Recorded by `handoutkit approve` (see `content.approval`): do not edit by hand."""

    by: Text = Field(description="The reviewer approved: name and credentials.")
    date: dt.date = Field(description="The day of the approval (YYYY-MM-DD).")
    version: Version = Field(description="The document version that was approved.")
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="Hash of the approved content and the shared data it prints."
    )


class Review(Strict):
    status: ReviewStatus = Field(
        "draft", description="Only approved documents (`handoutkit approve`) lose the DRAFT mark."
    )
    last_reviewed: dt.date | None = Field(None, description="Date of the last approval.")
    reviewer: Reviewer | None = Field(
        None, description="The clinician who reviews it: name, credentials and role."
    )
    next_review_due: dt.date | None = Field(
        None, description="When the next review is due; default: last review + the interval."
    )
    interval_months: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="Months to the next review, instead of the project's review_interval_months.",
    )
    approval: Approval | None = Field(
        None, description="Written by `handoutkit approve`: who, when, which version, a hash."
    )

    @model_validator(mode="after")
    def _due_after_reviewed(self) -> Review:
        if self.next_review_due and self.next_review_due <= (self.last_reviewed or dt.date.min):
            raise ValueError("next_review_due must come after last_reviewed")
        if self.next_review_due and self.interval_months:
            raise ValueError("give next_review_due or interval_months, not both")
        return self

    def due(self, default_interval_months: int) -> dt.date | None:
        """Explicit, or last review + interval (project default); None if never reviewed."""
        if self.next_review_due:
            return self.next_review_due
        if self.last_reviewed is None:
            return None
        months = self.interval_months or default_interval_months
        return add_months(self.last_reviewed, months)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Section(Strict):
    """A titled part of a document."""

    heading: Text = Field(description="A heading that says what the section is about.")
    body: Markdown = Field(
        description="The section's text (Markdown: **bold**, - bullets, [links](https://…)); "
        "cite sources as [@key]."
    )
    figure: Pictograph | None = Field(
        None,
        description="A visual aid printed after the text: {kind: pictograph, groups: [...]}, "
        "a count of people drawn as icons with its text equivalent.",
    )


class GlossaryEntry(Strict):
    """A word the reader may not know, and what it means."""

    term: Text = Field(description="The word as it appears in the text, e.g. 'DBT'.")
    definition: Markdown = Field(description="What it means, in plain words.")


class Image(Strict):
    """A picture that carries meaning (decorative pictures belong in the stylesheet)."""

    path: Text = Field(description="Image file under the project's assets/ folder.")
    alt: Text = Field(description="What the image shows, for screen readers. Required.")
    caption: Text | None = Field(None, description="A caption printed under the image.")


class DocumentBase(Strict):
    id: Slug = Field(
        description="A unique name for the document: lower case, digits and hyphens, e.g. "
        "telehealth-handout-en."
    )
    language: LanguageCode = Field(description="Language code, as in the file name: en, es.")
    title: Text = Field(description="The title printed at the top, short and plain.")
    subtitle: Text | None = Field(None, description="An optional line under the title.")
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$")] = Field(
        description="Document code printed in the footer, unique in the project, e.g. "
        "HK-KBPD-PH-EN."
    )
    version: Version = Field(
        description='Version in quotes, e.g. "1.0"; raise it when the content changes.'
    )
    keywords: list[Text] = Field(
        default_factory=list, description="Words a search should find the document by."
    )
    description: Text | None = Field(
        None, description="One or two sentences for the PDF's metadata and search results."
    )
    review: Review = Field(description="Who reviewed the content, and when.")
    crisis_block: CrisisPlacement | None = Field(
        None,
        description="This document's crisis resources box: prominent (page 1) or compact (at "
        "the end); when left out, the project's crisis_block in handoutkit.yaml.",
    )

    @property
    def audience(self) -> Audience:
        raise NotImplementedError


class Handout(DocumentBase):
    """A patient handout in plain language."""

    type: Literal["handout"] = Field(description="The kind of document: handout.")
    main_message: Markdown = Field(
        description="The one thing the reader should take away, first, in one to three short "
        "sentences (printed in a box on page 1)."
    )
    sections: list[Section] = Field(
        min_length=1, description="The body: short sections, each with a heading."
    )
    what_you_can_do: list[Markdown] = Field(
        min_length=1, description="Actions the reader can take, one per item, as numbered steps."
    )
    questions: list[Text] = Field(
        min_length=1, description="Questions to ask the care team, printed as a checklist."
    )
    get_help_now: Markdown = Field(description="When to get help now (the crisis block follows).")
    glossary: list[GlossaryEntry] = Field(
        default_factory=list, description="Words to know: terms the reader may not know."
    )
    images: list[Image] = Field(
        default_factory=list, description="Pictures that carry meaning, each with alt text."
    )
    online_url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = Field(
        None,
        description="Where the document is online (https://…): printed, and as a QR code in "
        "rack packs.",
    )

    @property
    def audience(self) -> Audience:
        return "patient"


class Brief(DocumentBase):
    """A clinician evidence brief: bottom line first."""

    type: Literal["brief"] = Field(description="The kind of document: brief.")
    clinical_question: Markdown = Field(
        description="The question the brief answers (population, intervention, comparison, "
        "outcome)."
    )
    bottom_line: Markdown = Field(
        description="The answer first, in two or three cited sentences (printed in a box on "
        "page 1)."
    )
    key_points: list[Markdown] = Field(
        min_length=1, description="The main findings, one per item, each cited."
    )
    claims_patients_may_bring: list[PatientClaim] = Field(
        default_factory=list,
        description="Claims patients may bring (from blogs, clinics' pages), with the evidence.",
    )
    summary_of_findings: SummaryOfFindings = Field(
        description="The GRADE summary-of-findings table: one row per outcome."
    )
    studies: list[Study] = Field(
        min_length=1, description="The studies the brief draws on, one table row each."
    )
    context: list[Section] = Field(
        min_length=1, description="Background sections: guidelines, other treatments, safety."
    )
    practical_considerations: list[Markdown] = Field(
        min_length=1, description="What a clinician can do with this, one point per item, cited."
    )
    patient_handouts: list[Slug] = Field(
        default_factory=list,
        description="Ids of the patient handouts on the topic; printed by title and code.",
    )
    methods: Markdown = Field(description="How the evidence was found, selected and appraised.")
    evidence_current_to: dt.date = Field(
        description="The date up to which the evidence was looked for (printed)."
    )
    limitations: list[Markdown] = Field(min_length=1, description="Limitations of the brief.")
    authorship: Authorship = Field(
        default_factory=Authorship,
        description="Named, credentialed authors and reviewers with their conflicts of "
        "interest; while empty, the brief prints 'not yet named'.",
    )

    @property
    def audience(self) -> Audience:
        return "clinician"


class Worksheet(DocumentBase):
    """A patient worksheet to fill in, on paper or as a fillable PDF (e.g. a safety plan)."""

    type: Literal["worksheet"] = Field(description="The kind of document: worksheet.")
    intro: Markdown = Field(
        description="What the worksheet is for and how to use it, in one to three short "
        "sentences (printed first)."
    )
    parts: list[WorksheetPart] = Field(
        min_length=1,
        description="The steps, in order: each with a heading, instructions and write-in items.",
    )
    closing: Markdown | None = Field(
        None,
        description="A last word before the crisis resources, which end every worksheet, "
        "e.g. where to keep it.",
    )

    @property
    def audience(self) -> Audience:
        return "patient"


Document = Handout | Brief | Worksheet
DOCUMENT_MODELS: dict[str, type[DocumentBase]] = {
    "handout": Handout,
    "brief": Brief,
    "worksheet": Worksheet,
}

TextKind = Literal["text", "markdown", "citation"]


def walk_text(
    model: BaseModel, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str, TextKind]]:
    """Every string in a model with its path and kind, for checks that read all the text."""
    for name, key, kind in _text_fields(type(model)):
        yield from _walk_value(getattr(model, name), (*loc, key), kind)


@cache
def _text_fields(model_type: type[BaseModel]) -> tuple[tuple[str, str, TextKind], ...]:
    """(attribute, key, kind) of each field: fixed per class, and every check walks the text."""
    return tuple(
        (name, info.alias or name, _kind_of(info.annotation, info.metadata))
        for name, info in model_type.model_fields.items()
    )


def _walk_value(
    value: object, loc: tuple[str | int, ...], kind: TextKind
) -> Iterator[tuple[tuple[str | int, ...], str, TextKind]]:
    if isinstance(value, str):
        yield loc, value, kind
    elif isinstance(value, BaseModel):
        yield from walk_text(value, loc)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk_value(item, (*loc, index), kind)


def _kind_of(annotation: object, metadata: list[object]) -> TextKind:
    for marker in (*metadata, *_nested_metadata(annotation)):
        if isinstance(marker, MarkdownText):
            return "markdown"
        if isinstance(marker, CitationRef):
            return "citation"
    return "text"


def _nested_metadata(annotation: object) -> Iterator[object]:
    yield from getattr(annotation, "__metadata__", ())
    for arg in get_args(annotation):
        yield from _nested_metadata(arg)
