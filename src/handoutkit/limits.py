"""`limits:` in handoutkit.yaml: what one output may cost, so one document can't stall a batch.

A batch of a thousand outputs must not depend on every one of them behaving. Each output is
held to a wall-clock time, its worker process to a memory ceiling, and each document to a page
count per kind of document (a "handout" of 120 pages is a mistake, not a handout). The build
enforces them (see `handoutkit.build.pool` and `handoutkit.build.worker`); this module only
says what they are, with their defaults.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Page thresholds per document kind (standard edition); keys given in handoutkit.yaml
# override them one by one. A patient handout past 12 pages is long for a waiting room; past
# 40 it is almost certainly pasted text, not a handout. A brief is read by clinicians between
# patients: past 10 pages it is no longer brief.
PAGE_DEFAULTS: dict[str, dict[str, int]] = {
    "handout": {"warning": 12, "error": 40},
    "brief": {"warning": 10, "error": 40},
    "worksheet": {"warning": 6, "error": 20},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageLimits(_Strict):
    """Page thresholds of one kind of document; null turns one off."""

    warning: int | None = Field(
        default=None, ge=1, description="Warn when an output has more pages than this."
    )
    error: int | None = Field(
        default=None,
        ge=1,
        description="Fail an output with more pages than this (it is not written; an earlier "
        "output stays).",
    )

    @model_validator(mode="after")
    def _warning_within_error(self) -> PageLimits:
        if self.warning is not None and self.error is not None and self.warning > self.error:
            raise ValueError("warning must not be above error")
        return self


class PageSettings(_Strict):
    """Page thresholds per kind of document, counted in standard-edition pages."""

    handout: PageLimits = Field(
        default_factory=lambda: PageLimits(**PAGE_DEFAULTS["handout"]),
        description="Patient handouts. Defaults: warning 12, error 40.",
    )
    brief: PageLimits = Field(
        default_factory=lambda: PageLimits(**PAGE_DEFAULTS["brief"]),
        description="Clinician briefs. Defaults: warning 10, error 40.",
    )
    worksheet: PageLimits = Field(
        default_factory=lambda: PageLimits(**PAGE_DEFAULTS["worksheet"]),
        description="Worksheets. Defaults: warning 6, error 20.",
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: object) -> object:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for kind, defaults in PAGE_DEFAULTS.items():
            given = data.get(kind)
            if given is None:
                merged[kind] = dict(defaults)
            elif isinstance(given, dict):
                both = {**defaults, **given}
                warning, error = both.get("warning"), both.get("error")
                if isinstance(warning, int) and isinstance(error, int) and warning > error:
                    # a default that contradicts the value given gives way to it
                    for key in ("warning", "error"):
                        if key not in given:
                            both[key] = None
                merged[kind] = both
        return merged

    def of(self, kind: str) -> PageLimits:
        limits = getattr(self, kind, None)
        return limits if isinstance(limits, PageLimits) else PageLimits()


class OutputLimits(_Strict):
    """`limits:` in handoutkit.yaml: time, memory and pages per output (docs/building.md,
    Faults and limits)."""

    seconds: float | None = Field(
        default=60,
        gt=0,
        description="Wall-clock seconds one output may take to render and print (a rack pack: "
        "this much per handout in it); past it the output fails and its worker is replaced. "
        "Default 60; null: no limit.",
    )
    memory_mb: int | None = Field(
        default=1024,
        ge=64,
        description="Resident memory (RSS, MB) a worker process may use while printing one "
        "output; past it the output fails and the worker is replaced. Applies to worker "
        "processes (-j 2 or more). Default 1024; null: no limit.",
    )
    pages: PageSettings = Field(
        default_factory=lambda: PageSettings.model_validate({}),
        description="Page thresholds per kind of document (standard edition).",
    )
    large_print_pages: float = Field(
        default=2.5,
        ge=1,
        description="The large-print edition may have this many times the page thresholds "
        "(18 pt text takes about 2 to 2.7 times the pages). Default 2.5.",
    )

    def page_thresholds(self, kind: str, edition: str) -> tuple[int | None, int | None]:
        """(warning, error) page counts for an output of this kind in this edition."""
        limits = self.pages.of(kind)
        factor = self.large_print_pages if edition == "large-print" else 1.0
        return (
            None if limits.warning is None else int(limits.warning * factor),
            None if limits.error is None else int(limits.error * factor),
        )
