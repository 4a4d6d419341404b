"""The shared data every document draws on: the reference library (CSL items, as Zotero and
other reference managers export them), crisis resources per region and language, and
disclaimers per audience and language. Validated like the documents (`handoutkit.models`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from handoutkit.fields import Audience, CitationKey, LanguageCode, Markdown, Strict, Text


class CslName(Strict):
    family: Text | None = Field(None, description="Family name, e.g. Fineberg.")
    given: Text | None = Field(None, description="Given names or initials, e.g. Sarah K or SK.")
    literal: Text | None = Field(
        None, description="An organization as author, e.g. Centers for Disease Control."
    )
    suffix: Text | None = Field(None, description="Jr, III …")

    @model_validator(mode="after")
    def _has_a_name(self) -> CslName:
        if not (self.family or self.literal):
            raise ValueError(
                "an author needs 'family' (with 'given') or 'literal'; a name spelt like a YAML"
                ' keyword (Null, No, Yes, On, Off, True) must be quoted: family: "Null"'
            )
        return self


class CslDate(Strict):
    date_parts: list[list[int]] = Field(
        alias="date-parts",
        min_length=1,
        description="[[year, month, day]]: as much as is known, e.g. [[2023]] or [[2026, 12, 1]].",
    )
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def year(self) -> int | None:
        parts = self.date_parts[0]
        return parts[0] if parts else None


class CslItem(BaseModel):
    """One reference in CSL-JSON/CSL-YAML, the format Zotero and other managers export."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: CitationKey = Field(description="The key documents cite it by: [@fineberg2023].")
    type: Literal[
        "article-journal", "book", "report", "webpage", "chapter", "article", "document"
    ] = Field(description="article-journal, book, report, webpage (a page on a website), …")
    title: Text = Field(description="The title as published.")
    author: list[CslName] = Field(default_factory=list, description="Authors, in order.")
    editor: list[CslName] = Field(default_factory=list, description="Editors, in order.")
    container_title: Text | None = Field(
        default=None,
        alias="container-title",
        description="The journal, or the website a web page belongs to (e.g. MedlinePlus).",
    )
    container_title_short: Text | None = Field(
        default=None,
        alias="container-title-short",
        description="The journal's NLM abbreviation, e.g. Neuropsychopharmacology.",
    )
    issued: CslDate | None = Field(None, description="When it was published.")
    accessed: CslDate | None = Field(
        None, description="When you read it: needed for web pages, whose content changes."
    )
    volume: str | int | None = Field(None, description="Journal volume.")
    issue: str | int | None = Field(None, description="Journal issue.")
    page: Text | None = Field(None, description="Pages, e.g. 991-999.")
    number: Text | None = Field(None, description="Report or guideline number, e.g. CG78.")
    edition: str | int | None = Field(None, description="Edition of a book, e.g. 2.")
    publisher: Text | None = Field(None, description="Publisher of a book or report.")
    publisher_place: Text | None = Field(
        default=None, alias="publisher-place", description="Where the publisher is."
    )
    genre: Text | None = Field(None, description="Kind of report, e.g. Clinical guideline.")
    DOI: Text | None = Field(None, description="The DOI, e.g. 10.1038/s41386-023-01540-4.")
    PMID: str | int | None = Field(None, description="PubMed id.")
    URL: Text | None = Field(None, description="The address of a web page (https://…).")
    note: Text | None = Field(None, description="A note for the editors; not printed.")
    language: LanguageCode | None = Field(
        default=None,
        description="Language of the source (ISO 639, e.g. en). Unset means English; a "
        "document in another language marks the reference, e.g. '(en inglés)'.",
    )
    author_list_incomplete: bool = Field(
        default=False,
        alias="author-list-incomplete",
        description="Only the first authors are known (the source said 'et al.'): print 'et al.'.",
    )
    title_is_descriptive: bool = Field(
        default=False,
        alias="title-is-descriptive",
        description="The exact published title was not verified; print the title in [brackets].",
    )


class CrisisResource(Strict):
    name: Text = Field(description="The service, e.g. 988 Suicide & Crisis Lifeline.")
    how: Markdown = Field(description="How to reach it, in the reader's language.")
    when: Text | None = Field(None, description="When to use it, if not always.")
    icons: list[Literal["call", "text", "chat", "emergency", "care-team"]] = Field(
        default_factory=list,
        description="Icons printed before the name, for the ways to reach it (call, text, "
        "chat, emergency, care-team); decorative, so the text must say the same.",
    )


class CrisisBlock(Strict):
    heading: Text = Field(description="The crisis block's heading.")
    intro: Markdown | None = Field(
        None, description="A line before the list (handouts and worksheets only)."
    )
    footer_line: Text = Field(description="Short crisis line printed on every page.")
    resources: list[CrisisResource] = Field(min_length=1, description="The lines, in order.")


# region -> language -> block
CrisisLibrary = dict[str, dict[LanguageCode, CrisisBlock]]
# audience -> language -> markdown
DisclaimerLibrary = dict[Audience, dict[LanguageCode, Markdown]]


class LexiconEntry(BaseModel):
    """A word patients may not know (jargon) or a long word for a short one (wordy), with
    the plain words to use instead: handoutkit's lists and a project's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1, description="The word or phrase, e.g. 'telehealth'.")
    forms: tuple[str, ...] = Field(
        (), description="Other spellings and inflections, matched the same way."
    )
    plain: str = Field(min_length=1, description="What to say instead, e.g. 'a video visit'.")
    kind: Literal["jargon", "wordy"] = Field(
        "jargon",
        description="jargon: a word patients may not know (a glossary entry also answers it); "
        "wordy: a long word where a short one says the same (e.g. utilize: use).",
    )


# language -> entries: a project's own words (content/lexicon.yaml), added to handoutkit's
LexiconLibrary = dict[LanguageCode, list[LexiconEntry]]
