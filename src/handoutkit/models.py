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
from handoutkit.library import (  # (re-exported: the content model, in one import)
    CrisisBlock,
    CrisisLibrary,
    CrisisResource,
    CslDate,
    CslItem,
    CslName,
    DisclaimerLibrary,
)
from handoutkit.limits import OutputLimits

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
    "Logo",
    "Markdown",
    "MarkdownText",
    "Organization",
    "Paper",
    "PatientClaim",
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
    "add_months",
    "walk_text",
]


# --------------------------------------------------------------------------- project config


class Logo(Strict):
    path: Text = Field(description="Image file under the project's assets/ folder.")
    alt: Text = Field(description="Alternative text read aloud by screen readers.")


# Brand colours (organization.colours in handoutkit.yaml) and the custom properties of
# styles/colours.css each one replaces.
BRAND_PROPERTIES: dict[str, tuple[str, ...]] = {
    "accent": ("--accent", "--panel-border"),
    "panel_fill": ("--panel-fill",),
}


class BrandColours(Strict):
    """Brand colours; `check` holds them to the same WCAG contrast as the default colours."""

    accent: HexColour | None = Field(None, description="Headings, links and panel borders.")
    panel_fill: HexColour | None = Field(
        None, description="Background of the main message and bottom line panels."
    )


class Organization(Strict):
    """The publisher: in every document's masthead and details, and the HTML edition's footer."""

    name: Text = Field(description="Organization name, as printed.")
    phone: Text | None = Field(None, description="Main phone number, as printed.")
    website: Text | None = Field(None, description="Website, as printed, e.g. example.org.")
    address: Text | None = Field(None, description="Postal address on one line.")
    logo: Logo | None = Field(None, description="Logo shown in the masthead, with alt text.")
    colours: BrandColours | None = Field(
        None, description="Brand colours, checked for WCAG contrast by `handoutkit check`."
    )


class ReadingLimits(Strict):
    """Plain-language limits for one audience, checked by `handoutkit check`; null turns one off.

    English documents are gated on the Flesch-Kincaid grade (higher is harder), Spanish ones on
    the Szigriszt-Pazos score read on the INFLESZ scale (0-100, lower is harder), both for the
    whole document. Above the target (below, for INFLESZ) is a warning, past the limit an error.
    """

    target_grade: float | None = Field(default=None, ge=0, description="Warn above this grade.")
    max_grade: float | None = Field(default=None, ge=0, description="Error above this grade.")
    target_inflesz: float | None = Field(
        default=None, ge=0, le=100, description="Warn below this INFLESZ score (Spanish)."
    )
    min_inflesz: float | None = Field(
        default=None, ge=0, le=100, description="Error below this INFLESZ score (Spanish)."
    )
    max_sentence_words: int | None = Field(
        default=25, ge=1, description="Warn about sentences longer than this."
    )
    jargon: bool = Field(
        default=False, description="Warn about listed medical terms the glossary does not define."
    )

    @model_validator(mode="after")
    def _target_within_limit(self) -> ReadingLimits:
        if None not in (self.target_grade, self.max_grade) and (
            self.target_grade > self.max_grade  # type: ignore[operator]
        ):
            raise ValueError("target_grade must not be above max_grade")
        if None not in (self.target_inflesz, self.min_inflesz) and (
            self.target_inflesz < self.min_inflesz  # type: ignore[operator]
        ):
            raise ValueError("target_inflesz must not be below min_inflesz")
        return self


# Defaults per audience; keys given in handoutkit.yaml override them one by one. Patients:
# grade 6 target, grade 8 ceiling (AMA, AAFP; CDC). Spanish: the INFLESZ bands of
# Barrio-Cantalejo et al. (An Sist Sanit Navar 2008;31(2):135-152): 65-80 "bastante fácil"
# (primary-school reading), 55-65 "normal" (lower secondary, ESO); treating those as the
# equivalents of US grades 6 and 8 is our assumption, not the paper's.
READING_DEFAULTS: dict[str, dict[str, object]] = {
    "patient": {
        "target_grade": 6,
        "max_grade": 8,
        "target_inflesz": 65,
        "min_inflesz": 55,
        "max_sentence_words": 25,
        "jargon": True,
    },
    "clinician": {"max_sentence_words": 25},
}


class ReadingSettings(Strict):
    """`reading:` in handoutkit.yaml: plain-language limits per audience."""

    # Keys left out take the defaults of READING_DEFAULTS (merged in below), so neither
    # audience is required; the default factories only tell the JSON Schema so.
    patient: ReadingLimits = Field(
        default_factory=lambda: ReadingLimits(**READING_DEFAULTS["patient"]),  # type: ignore[arg-type]
        description="Patient handouts. Defaults: target_grade 6, max_grade 8, target_inflesz "
        "65, min_inflesz 55, max_sentence_words 25, jargon true.",
    )
    clinician: ReadingLimits = Field(
        default_factory=lambda: ReadingLimits(**READING_DEFAULTS["clinician"]),  # type: ignore[arg-type]
        description="Clinician briefs. Defaults: no reading-level gate, max_sentence_words 25, "
        "jargon false.",
    )

    @model_validator(mode="before")
    @classmethod
    def _audience_defaults(cls, data: object) -> object:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for audience, defaults in READING_DEFAULTS.items():
            given = data.get(audience)
            if given is None:
                merged[audience] = dict(defaults)
            elif isinstance(given, dict):
                merged[audience] = {**defaults, **given}
        return merged

    def limits(self, audience: Audience) -> ReadingLimits:
        return self.patient if audience == "patient" else self.clinician


class ProjectConfig(Strict):
    """`handoutkit.yaml` at the project root."""

    organization: Organization
    region: Literal["us"] = Field("us", description="Region of the crisis resources printed.")
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en"], min_length=1, description="Languages documents may use."
    )
    editions: list[Edition] = Field(
        default_factory=lambda: list[Edition](["standard"]),
        min_length=1,
        description="Editions to build.",
    )
    paper_sizes: list[Paper] = Field(
        default_factory=lambda: list[Paper](["letter"]),
        min_length=1,
        description="Paper sizes to build.",
    )
    output: Text = Field("dist", description="Output folder of `handoutkit build`.")
    pdf_standard: Literal["ua-1", "ua-2"] = Field(
        "ua-1",
        description="The accessibility standard PDFs conform to: ua-1 (PDF/UA-1, PDF 1.7) or "
        "ua-2 (PDF/UA-2 and WTPDF 1.0, PDF 2.0).",
    )
    review_interval_months: int = Field(
        default=12, ge=1, le=60, description="Months from a document's last review to its next."
    )
    content: Text = "content"
    references: Text = "content/references.yaml"
    crisis_resources: Text = "content/crisis-resources.yaml"
    disclaimers: Text = "content/disclaimers.yaml"
    reading: ReadingSettings = Field(default_factory=lambda: ReadingSettings.model_validate({}))
    limits: OutputLimits = Field(
        default_factory=lambda: OutputLimits.model_validate({}),
        description="What one output may cost: seconds, worker memory, pages per kind.",
    )


# --------------------------------------------------------------------------- documents


ReviewStatus = Literal["draft", "in-review", "approved"]
Version = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,2}$")]


class Reviewer(Strict):
    """The clinician who reviews the document; printed only once it is approved."""

    name: Text
    credentials: Text | None = Field(None, description="e.g. MD. Required for approval.")
    role: Text | None = Field(None, description="e.g. Psychiatrist. Required for approval.")


class Approval(Strict):
    """Recorded by `handoutkit approve` (see `content.approval`): do not edit by hand."""

    by: Text = Field(description="The reviewer approved: name and credentials.")
    date: dt.date
    version: Version
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="Hash of the approved content and the shared data it prints."
    )


class Review(Strict):
    status: ReviewStatus = Field(
        "draft", description="Only approved documents (`handoutkit approve`) lose the DRAFT mark."
    )
    last_reviewed: dt.date | None = Field(None, description="Date of the last approval.")
    reviewer: Reviewer | None = None
    next_review_due: dt.date | None = None
    interval_months: int | None = Field(default=None, ge=1, le=60)
    approval: Approval | None = None

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

    @property
    def audience(self) -> Audience:
        raise NotImplementedError


class Handout(DocumentBase):
    """A patient handout in plain language."""

    type: Literal["handout"]
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

    type: Literal["brief"]
    clinical_question: Markdown
    bottom_line: Markdown
    key_points: list[Markdown] = Field(min_length=1)
    claims_patients_may_bring: list[PatientClaim] = Field(
        default_factory=list,
        description="Claims patients may bring (from blogs, clinics' pages), with the evidence.",
    )
    summary_of_findings: SummaryOfFindings
    studies: list[Study] = Field(min_length=1)
    context: list[Section] = Field(min_length=1)
    practical_considerations: list[Markdown] = Field(min_length=1)
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


Document = Handout | Brief
DOCUMENT_MODELS: dict[str, type[DocumentBase]] = {"handout": Handout, "brief": Brief}

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
