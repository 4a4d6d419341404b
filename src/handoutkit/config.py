"""The project's configuration: `handoutkit.yaml` (organization, languages, editions, paper
sizes, reading limits, output limits, PDF standard). Part of the content model
(`handoutkit.models` re-exports it)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from handoutkit.fields import (
    Audience,
    CrisisPlacement,
    Edition,
    HexColour,
    LanguageCode,
    Paper,
    Strict,
    Text,
)
from handoutkit.limits import OutputLimits


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
    sample: bool = Field(
        False,
        description="true in a demonstration project whose organization is made up on purpose: "
        "`check` stops warning about its sample details (documents still print them marked as "
        "sample details, and `build --release` still refuses them).",
    )


class ReadingLimits(Strict):
    """Plain-language limits for one audience, checked by `handoutkit check`; null turns one off.

    English documents are gated on the Flesch-Kincaid grade (higher is harder), Spanish ones on
    the Szigriszt-Pazos score read on the INFLESZ scale (0-100, lower is harder), for the whole
    document: above the target (below, for INFLESZ) is a warning, past the limit an error. A
    section of 30 or more words past the limit is an error too.
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
    max_sentence_words_error: int | None = Field(
        default=40,
        ge=1,
        description="A sentence longer than this (and than max_sentence_words) is an error.",
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
        "max_sentence_words_error": 40,
        "jargon": True,
    },
    "clinician": {"max_sentence_words": 25, "max_sentence_words_error": 40},
}


class ReadingSettings(Strict):
    """`reading:` in handoutkit.yaml: plain-language limits per audience."""

    # Keys left out take the defaults of READING_DEFAULTS (merged in below), so neither
    # audience is required; the default factories only tell the JSON Schema so.
    patient: ReadingLimits = Field(
        default_factory=lambda: ReadingLimits(**READING_DEFAULTS["patient"]),  # type: ignore[arg-type]
        description="Patient handouts. Defaults: target_grade 6, max_grade 8, target_inflesz "
        "65, min_inflesz 55, max_sentence_words 25, max_sentence_words_error 40, jargon true.",
    )
    clinician: ReadingLimits = Field(
        default_factory=lambda: ReadingLimits(**READING_DEFAULTS["clinician"]),  # type: ignore[arg-type]
        description="Clinician briefs. Defaults: no reading-level gate, max_sentence_words 25, "
        "max_sentence_words_error 40, jargon false.",
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

    organization: Organization = Field(
        description="Who publishes the documents: printed in every document's details and "
        "page footer."
    )
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
    crisis_block: CrisisPlacement = Field(
        "prominent",
        description="Where the crisis resources box goes: prominent (boxed on page 1, the "
        "default: keep it for mental-health topics) or compact (a smaller box at the end). The "
        "crisis line is in every page's footer either way. A document can set its own.",
    )
    content: Text = Field("content", description="Folder of the topic folders and documents.")
    references: Text = Field(
        "content/references.yaml", description="The reference library (CSL-YAML)."
    )
    crisis_resources: Text = Field(
        "content/crisis-resources.yaml",
        description="Crisis resources per region and language, printed on every document.",
    )
    disclaimers: Text = Field(
        "content/disclaimers.yaml",
        description="Disclaimers per audience and language, printed on every document.",
    )
    lexicon: Text = Field(
        "content/lexicon.yaml",
        description="The project's own jargon and wordy words per language, added to "
        "handoutkit's (optional file).",
    )
    reading: ReadingSettings = Field(
        default_factory=lambda: ReadingSettings.model_validate({}),
        description="Plain-language limits per audience (patient, clinician): reading grades, "
        "sentence lengths.",
    )
    limits: OutputLimits = Field(
        default_factory=lambda: OutputLimits.model_validate({}),
        description="What one output may cost: seconds, worker memory, pages per kind.",
    )
