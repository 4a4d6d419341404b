"""The kinds of field the content model is made of: plain text, Markdown (which may cite),
citation keys, codes and names, with the forms they must have. Shared by the documents
(`handoutkit.models`) and the shared data (`handoutkit.library`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from handoutkit.names import LANGUAGE, SLUG

Slug = Annotated[str, StringConstraints(pattern=SLUG)]
LanguageCode = Annotated[str, StringConstraints(pattern=f"^{LANGUAGE}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class MarkdownText:
    """Marks a field as CommonMark that may cite references as [@key] or [@a; @b]."""


class CitationRef:
    """Marks a field that holds a citation key directly (tables of the brief)."""


Markdown = Annotated[str, StringConstraints(min_length=1), MarkdownText()]
CitationKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_:.-]*$")]
Cite = Annotated[CitationKey, CitationRef()]
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]

Edition = Literal["standard", "large-print"]
Paper = Literal["letter", "a4"]
Audience = Literal["patient", "clinician"]
Certainty = Literal["high", "moderate", "low", "very low"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
