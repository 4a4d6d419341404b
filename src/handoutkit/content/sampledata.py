"""Sample organization data: placeholders that must never look real on paper.

The shipped project and `handoutkit new` print a made-up organization until it is replaced.
`sample_fields` finds such values in `organization:` (handoutkit.yaml): `build --release`
refuses them (`lint.release`), and every document that prints them says, where it prints
them, that they are sample details (`render.renderer`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handoutkit.models import Organization

# (what it is, pattern): each is a sure sign of a placeholder, not a real organization.
SAMPLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a REPLACE placeholder", re.compile(r"\bREPLACE\b")),
    ("a sample marker", re.compile(r"\bsample (?:data|details|organi[sz]ation|clinic)\b", re.I)),
    ("a placeholder name", re.compile(r"\byour (?:organi[sz]ation|clinic)\b", re.I)),
    ("a placeholder name", re.compile(r"\bnot a real (?:organi[sz]ation|clinic)\b", re.I)),
    # RFC 2606 / 6761: example.com, .net, .org (and their subdomains) are reserved for examples
    ("an example domain", re.compile(r"(?<![\w-])(?:[\w-]+\.)*example\.(?:com|net|org)\b", re.I)),
    ("a sample address", re.compile(r"\b\d+ Example (?:Street|St|Road|Avenue)\b", re.I)),
)
FIELDS = ("name", "phone", "website", "address")


@dataclass(frozen=True)
class SampleValue:
    field: str  # organization field: name, phone, website, address (or logo.alt)
    value: str
    reason: str  # what gives it away, e.g. "an example domain"
    start: int  # where the giveaway starts in the value


# NANP numbers 555-0100 to 555-0199 are reserved for fictional use: looked for in the digits
# alone, so that "(555) 010-0100" (digits 5550100100) counts as much as "555-0150"
FICTIONAL_PHONE = re.compile(r"55501\d\d")
_NOT_DIGIT = re.compile(r"\D+")


def sample_reason(text: str) -> tuple[str, int] | None:
    """What makes `text` sample data, and where, or None."""
    for reason, pattern in SAMPLE_PATTERNS:
        match = pattern.search(text)
        if match:
            return reason, match.start()
    at = fictional_phone(text)
    return None if at is None else (PHONE_REASON, at)


PHONE_REASON = "a fictional phone number (555-0100 to 555-0199)"


def fictional_phone(text: str) -> int | None:
    """Where a fictional phone number starts in `text`, or None."""
    # the digits alone first (check runs this on every value of a project); their offsets
    # only when they hold a fictional number
    match = FICTIONAL_PHONE.search(_NOT_DIGIT.sub("", text))
    if match is None:
        return None
    offsets = [index for index, char in enumerate(text) if char.isdecimal()]  # as \d matches
    return offsets[match.start()]


def sample_fields(organization: Organization) -> list[SampleValue]:
    """The organization's fields that hold sample data, in the order of `FIELDS`."""
    found = []
    values = [(name, getattr(organization, name)) for name in FIELDS]
    if organization.logo is not None:
        values.append(("logo.alt", organization.logo.alt))
    for name, value in values:
        if value is None:
            continue
        reason = sample_reason(value)
        if reason is not None:
            found.append(SampleValue(name, value, *reason))
    return found
