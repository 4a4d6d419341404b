"""A document's review status, as the site reads it.

`draft`, `in-review` or `approved`: the status the document is treated as
(`content.approval.review_state`), so an approved document changed since its approval reads as
in review. The site lists approved documents only, unless the build has `--include-drafts` (then
the others are listed with a banner).
"""

from __future__ import annotations

from handoutkit.content.approval import review_state
from handoutkit.content.project import Project, SourceDocument

STATUSES = ("draft", "in-review", "approved")
APPROVED = "approved"
LABELS = {"draft": "Draft", "in-review": "In review", "approved": "Approved"}


def review_status(project: Project, document: SourceDocument) -> str:
    """draft, in-review or approved, as the document is treated now."""
    return review_state(project, document).effective


def status_label(status: str) -> str:
    return LABELS.get(status, status.replace("-", " ").capitalize())
