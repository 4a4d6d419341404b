"""How the site names things to its readers: editions, papers, kinds, audiences, languages,
formats, file sizes and dates. The site's own words are English (its readers are the staff
who print); each value it does not know is shown from its name ("fillable" → "Fillable")."""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from handoutkit.build.site.status import status_label

EDITIONS = {"standard": "Standard", "large-print": "Large print"}
PAPERS = {"letter": "Letter", "a4": "A4"}
KINDS = {
    "handout": "Patient handout",
    "brief": "Clinician brief",
    "worksheet": "Patient worksheet",
    "rack": "Rack pack",
}
AUDIENCES = {"patient": "Patients", "clinician": "Clinicians"}
FORMATS = {"pdf": "PDF", "html": "Web page", "fillable": "Fillable PDF"}


def named(value: str | None) -> str:
    return (value or "").replace("-", " ").replace("_", " ").capitalize()


def label(field: str, value: str) -> str:
    """The label of a filter value: label("edition", "large-print") == "Large print"."""
    if field == "language":
        return language_name(value)
    if field == "status":
        return status_label(value)
    if field == "topic":
        return value  # the topic's folder name, as everyone who files documents knows it
    table = {
        "edition": EDITIONS,
        "paper": PAPERS,
        "kind": KINDS,
        "audience": AUDIENCES,
        "format": FORMATS,
    }.get(field, {})
    return table.get(value) or named(value)


def language_name(code: str) -> str:
    """'es' → 'Spanish (español)'; 'en' → 'English'."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    english = locale.get_display_name("en") or code
    native = locale.get_display_name(code) or english
    return english if native.casefold() == english.casefold() else f"{english} ({native})"


def file_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def long_date(day: dt.date | str) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return format_date(day, format="long", locale="en")


def pages(count: int) -> str:
    return f"{count} page{'s' * (count != 1)}"
