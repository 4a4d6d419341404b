"""Visual aids that content can ask for: a pictograph of a small count of people.

`figure: {kind: pictograph, groups: [...]}` on a section (handouts, briefs) or a worksheet
part draws one person icon per person, a row per group, with a visible text equivalent and
alternative text generated from the same numbers (`Pictograph.summary`), so the picture, its
text and what a screen reader reads can never disagree. The numbers are claims: the figure
cites its source, and the citation is printed with the text equivalent.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from handoutkit.fields import Cite, Strict, Text

MAX_PEOPLE = 60  # one icon per person: beyond this a pictograph is no longer countable


class PictographGroup(Strict):
    """One row of people: how many, and what they have in common."""

    count: int = Field(ge=1, le=MAX_PEOPLE, description="How many people (one icon each).")
    label: Text = Field(
        description="What these people have in common, read after the number, e.g. "
        "'got ketamine' (printed as '10 got ketamine')."
    )


class Pictograph(Strict):
    """A count of people drawn as person icons, one row per group, with its text equivalent."""

    kind: Literal["pictograph"] = Field(description="The kind of figure: pictograph.")
    title: Text = Field(
        description="What the figure shows, printed above it, e.g. 'Who was in the trial'."
    )
    total_label: Text = Field(
        description="Who all of them are, read after the total, e.g. 'people took part' "
        "(printed as '22 people took part')."
    )
    groups: list[PictographGroup] = Field(
        min_length=1, max_length=6, description="The groups, one row each, in order."
    )
    source: Cite = Field(description="The reference the numbers come from: a citation key.")

    @model_validator(mode="after")
    def _countable(self) -> Pictograph:
        if self.total > MAX_PEOPLE:
            raise ValueError(
                f"a pictograph shows at most {MAX_PEOPLE} people, one icon each; "
                f"these groups add up to {self.total}: give the numbers in the text instead"
            )
        return self

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    def summary(self, separator: str = ", ") -> str:
        """'22 people took part: 10 got ketamine, 12 got midazolam' (alt text and visible
        text equivalent alike)."""
        parts = separator.join(f"{group.count} {group.label}" for group in self.groups)
        return f"{self.total} {self.total_label}: {parts}"
