"""Review checks: dates, approvals bound to content, and what a release build refuses.

- `review-date`, `review-due`: the last review is not in the future; the next is not overdue.
- `review-status`: a document declared approved names its reviewer (name, credentials, role)
  and carries the approval record `handoutkit approve` writes; otherwise it is an error, since
  it would claim a review that did not happen.
- `approval-changed`: an approved document whose content, or shared data it prints, changed
  after approval (`content.approval`); it is treated as in review until approved again.
- `release-status` (release builds only): every document is approved and unchanged since.
  (Sample data and placeholders, which a release also refuses, are `lint.placeholders`.)
"""

from __future__ import annotations

import datetime as dt

from handoutkit.content.approval import changes, is_complete, review_state
from handoutkit.content.project import Project, SourceDocument
from handoutkit.diagnostics import Diagnostics

STATUS_WORDS = {"draft": "a draft", "in-review": "in review", "approved": "approved"}


def check_review(
    project: Project, document: SourceDocument, today: dt.date, diagnostics: Diagnostics
) -> None:
    review = document.model.review
    source = document.source
    if review.last_reviewed is not None and review.last_reviewed > today:
        diagnostics.error(
            source.locate(("review", "last_reviewed")),
            f"last_reviewed {review.last_reviewed.isoformat()} is in the future",
            "give the date the content was actually reviewed",
            rule="review-date",
        )
    due = review.due(project.config.review_interval_months)
    if due is not None and due < today:
        where = ("review", "next_review_due") if review.next_review_due else ("review",)
        diagnostics.warning(
            source.locate(where),
            f"review was due on {due.isoformat()}",
            "have the content reviewed, then approve it again with `handoutkit approve`",
            rule="review-due",
        )
    if review.status == "approved":
        check_approval(project, document, diagnostics)


def check_approval(project: Project, document: SourceDocument, diagnostics: Diagnostics) -> None:
    """An approved document names a credentialed reviewer and matches its approval record."""
    model = document.model
    review = model.review
    source = document.source
    approve = f"`handoutkit approve {document.shown} --reviewer NAME --credentials ... --role ...`"
    if not is_complete(review.reviewer):
        missing = (
            "review.reviewer"
            if review.reviewer is None
            else " and ".join(
                f"review.reviewer.{name}"
                for name in ("credentials", "role")
                if not getattr(review.reviewer, name)
            )
        )
        diagnostics.error(
            source.locate(("review", "reviewer") if review.reviewer else ("review", "status")),
            f"status is approved, but {missing} is missing: an approval names a reviewer with "
            "name, credentials and role",
            f"give them, or set `status: draft`; then approve with {approve}",
            rule="review-status",
        )
        return
    if review.approval is None or review.last_reviewed is None:
        what = "approval record" if review.approval is None else "review.last_reviewed"
        diagnostics.error(
            source.locate(("review", "status")),
            f"status is approved, but there is no {what}: no approval is on record",
            f"approve it with {approve} (it records who, when, the version and a content "
            "hash), or set `status: draft`",
            rule="review-status",
        )
        return
    state = review_state(project, document)
    if state.changed:
        record = review.approval
        diagnostics.warning(
            source.locate(("review", "approval")),
            f"changed since approval by {record.by} on {record.date.isoformat()} (version "
            f"{record.version}): {'; '.join(changes(model, state))}; it is treated as in "
            "review (DRAFT banner) until it is approved again",
            f"have the change reviewed, then approve it again with {approve}",
            rule="approval-changed",
        )


def check_release(project: Project, diagnostics: Diagnostics) -> None:
    """What a release build refuses: documents not approved, or changed since approval."""
    for document in project.documents:
        state = review_state(project, document)
        if state.approved:
            continue
        review = document.model.review
        if state.changed:
            why = "it changed after it was approved"
        elif review.status == "approved":
            why = "its approval is incomplete (see above)"
        else:
            why = f"it is {STATUS_WORDS[review.status]} (review.status: {review.status})"
        where = ("review", "status") if ("review", "status") in document.source.values else ()
        diagnostics.error(
            document.source.locate(where or ("review",)),
            f"not approved for release: {why}",
            "have a clinician review it and approve it with `handoutkit approve "
            f"{document.shown} ...`, or build without --release for a copy marked DRAFT",
            rule="release-status",
        )
