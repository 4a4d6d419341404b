"""A document's review status, as the site reads it: the one place that knows where it is.

`draft`, `in-review` or `approved`. The site lists approved documents only, unless the build has
`--include-drafts` (then the others are listed with a banner). Until the document model has
`review.status`, every document reads as a draft.
"""

from __future__ import annotations

from handoutkit.models import DocumentBase

STATUSES = ("draft", "in-review", "approved")
APPROVED = "approved"
LABELS = {"draft": "Draft", "in-review": "In review", "approved": "Approved"}


def review_status(model: DocumentBase) -> str:
    """draft, in-review or approved; "draft" while the model has no `review.status`."""
    status = getattr(model.review, "status", None)
    return str(status) if status in STATUSES else "draft"


def status_label(status: str) -> str:
    return LABELS.get(status, status.replace("-", " ").capitalize())
