"""Field types every content model is built from: plain text, Markdown, citation keys, ids,
and the fixed choices (editions, papers, audiences).

Shared by `models` (project and documents), `library` (the shared data: references, crisis
resources, disclaimers) and `evidence` (the parts of a clinician brief). The Markdown and
citation markers tell the checks that read every string of a model (`models.walk_text`) which
fields hold prose that may cite, and which hold a citation key.
"""

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
CrisisPlacement = Literal["prominent", "compact"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
