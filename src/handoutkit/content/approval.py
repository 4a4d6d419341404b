"""Approval bound to content: a document's review status as it stands, not only as declared.

A document is approved by `handoutkit approve`, which records in its `review.approval` who
approved it, when, the version, and the SHA-256 of what the document prints: its content (all
of its YAML but `review.status` and `review.approval`, so the reviewer, the dates and the
version are part of it) and the shared data it prints (the references it cites, its crisis
block and its disclaimer; `Project.printed_shared_data`). Whenever any of it changes, the
recorded hash no longer matches: the document is "changed since approval", and handoutkit
treats it as in review (DRAFT banner, refused by `build --release`) until it is approved
again. The hash detects change; it is not a signature.

The hash is taken over the data as written (`exclude_unset`), not over the model's defaults,
so a later handoutkit that adds an optional field does not un-approve every document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from handoutkit.content.markdown import cited_keys
from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.yamledit import EditError, edited_data, set_values
from handoutkit.content.yamlsource import parse_yaml
from handoutkit.errors import ContentError
from handoutkit.models import Approval, Document, Reviewer, ReviewStatus

# Changes when what the hash covers changes, so that old approvals fail to match, not pass.
HASH_FORMAT = "handoutkit-approval-1"


@dataclass(frozen=True)
class ReviewState:
    """Where a document stands: declared status, and the status it is treated as."""

    declared: ReviewStatus
    effective: ReviewStatus  # "approved" only when approved and unchanged since
    changed: bool  # declared approved with a record, but its content or shared data changed
    sha256: str | None  # the hash of its content and shared data now (if it has a record)

    @property
    def approved(self) -> bool:
        return self.effective == "approved"


def content_sha256(project: Project, model: Document) -> str:
    """SHA-256 of what the document prints (see the module docstring)."""
    content = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    review = dict(content.get("review") or {})
    review.pop("status", None)
    review.pop("approval", None)
    content["review"] = review
    shared = project.printed_shared_data(model.audience, model.language, cited_keys(model))
    payload: dict[str, Any] = {"format": HASH_FORMAT, "document": content, "shared": shared}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def review_state(project: Project, document: SourceDocument | Document) -> ReviewState:
    """The document's declared and effective review status (see `ReviewState`)."""
    model = document.model if isinstance(document, SourceDocument) else document
    review = model.review
    if review.status != "approved":
        return ReviewState(review.status, review.status, False, None)
    record = review.approval
    if record is None or not is_complete(review.reviewer) or review.last_reviewed is None:
        return ReviewState("approved", "in-review", False, None)  # `check` says what is missing
    digest = content_sha256(project, model)
    if record != expected_approval(model, digest):
        return ReviewState("approved", "in-review", True, digest)
    return ReviewState("approved", "approved", False, digest)


def is_complete(reviewer: Reviewer | None) -> bool:
    """A reviewer who can approve: a name, credentials and a role."""
    return reviewer is not None and bool(reviewer.credentials) and bool(reviewer.role)


def reviewer_line(reviewer: Reviewer) -> str:
    """'Jane Doe, MD': the reviewer as an approval records them."""
    return f"{reviewer.name}, {reviewer.credentials}" if reviewer.credentials else reviewer.name


def expected_approval(model: Document, sha256: str) -> Approval | None:
    """The approval record of the document as it is now, given the hash of its content; None
    when it names no complete reviewer or approval date."""
    review = model.review
    if not is_complete(review.reviewer) or review.last_reviewed is None:
        return None
    assert review.reviewer is not None
    return Approval(
        by=reviewer_line(review.reviewer),
        date=review.last_reviewed,
        version=model.version,
        sha256=sha256,
    )


def changes(model: Document, state: ReviewState) -> list[str]:
    """What differs from the approval record, in words, for `check`."""
    record = model.review.approval
    if record is None:
        return []
    found = []
    if record.version != model.version:
        found.append(f"the version is {model.version}, {record.version} was approved")
    reviewer = model.review.reviewer
    if reviewer is None or record.by != reviewer_line(reviewer):
        found.append(f"the reviewer is not {record.by}, who approved it")
    if record.date != model.review.last_reviewed:
        found.append(f"last_reviewed is not the approval date {record.date.isoformat()}")
    if record.sha256 != state.sha256 and not found:
        found.append(
            "the document, or the shared data it prints (references, crisis block, "
            "disclaimer), changed"
        )
    return found


# --------------------------------------------------------------------------- approving


def approved_text(
    project: Project, document: SourceDocument, reviewer: Reviewer, day: dt.date
) -> tuple[str, Approval]:
    """The document's YAML approved by `reviewer` on `day`, and the approval it records.

    Only the `review:` mapping changes (status, last_reviewed, reviewer, approval), in place
    (`content.yamledit`); the result must read back as exactly the intended data and count as
    approved, or nothing is returned (ContentError) and the caller writes nothing.
    """
    shown = document.shown
    where = document.source.locate(("review",))
    data = parse_yaml(document.source.text, shown).data
    update: dict[str, Any] = {
        "status": "approved",
        "last_reviewed": day,
        "reviewer": reviewer.model_dump(exclude_none=True),
    }
    model_type = type(document.model)
    try:
        model = model_type.model_validate(edited_data(data, {"review": update}))
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ContentError.at(
            where,
            f"cannot approve: {'.'.join(map(str, problem['loc']))}: {problem['msg']}",
            "fix the review block, then approve again",
            rule="review-status",
        ) from None
    record = expected_approval(model, content_sha256(project, model))
    assert record is not None  # a complete reviewer and a date were just given
    update["approval"] = record.model_dump(mode="json")
    try:
        text = set_values(document.source, ("review",), update, data.get("review") or {})
        written = parse_yaml(text, shown).data
        again = model_type.model_validate(written)
    except (EditError, ContentError, ValidationError):
        written, again = None, None
    if (
        written != edited_data(data, {"review": update})
        or again is None
        or not review_state(project, again).approved
    ):
        raise ContentError.at(
            where,
            "cannot record the approval in this file without changing more than its review "
            "block; nothing was written",
            "write `review:` as a plain block mapping (one `key: value` a line), then approve "
            "again",
            rule="review-status",
        )
    return text, record
