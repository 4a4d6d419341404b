"""Fixed labels in the reader's language: gettext catalogs read with Babel.

Templates mark labels with `_("References")` (jinja2.ext.i18n); English is the source
language, so an English document prints the message ids themselves. Every other language
has `locales/<lang>/LC_MESSAGES/handoutkit.po`. A label without a translation (missing,
empty or fuzzy) is an error, never English text slipped into a Spanish handout.

Updating the catalogs after changing a label (docs/writing.md, Localization):
  pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
      -o src/handoutkit/locales/handoutkit.pot .
  pybabel update -i src/handoutkit/locales/handoutkit.pot -d src/handoutkit/locales \
      -D handoutkit --no-fuzzy-matching --ignore-obsolete --width 100
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import cast

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from handoutkit.diagnostics import Location
from handoutkit.errors import ContentError

SOURCE_LANGUAGE = "en"
DOMAIN = "handoutkit"
LOCALES = Path(__file__).resolve().parent / "locales"


class MissingTranslation(LookupError):
    """A label has no translation: a template (or code) uses a label the catalog lacks."""


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def load_catalog(language: str) -> Catalog | None:
    """The language's catalog; None for the source language."""
    if language == SOURCE_LANGUAGE:
        return None
    path = catalog_path(language)
    if not path.is_file():
        raise ContentError.at(
            Location(f"src/handoutkit/{path.relative_to(LOCALES.parent).as_posix()}"),
            f"no label catalog for language '{language}'",
            f"add one: pybabel init -i src/handoutkit/locales/{DOMAIN}.pot"
            f" -d src/handoutkit/locales -D {DOMAIN} -l {language}",
            rule="labels",
        )
    with path.open("rb") as stream:
        return read_po(stream, locale=language, domain=DOMAIN)


def translator(language: str) -> Callable[[str], str]:
    """`_` for one language: the translation of a label, or MissingTranslation."""
    catalog = load_catalog(language)

    def gettext(message: str) -> str:
        if catalog is None:
            return message
        return str(_entry(catalog, language, message))

    return gettext


def plural_translator(language: str) -> Callable[[str, str, int], str]:
    """`ngettext` for one language, for `{% trans count=n %}` blocks. Plural forms are
    chosen by the CLDR rule of the language ("one" or "other"), which is how gettext
    catalogs for English and Spanish are laid out."""
    catalog = load_catalog(language)
    locale = Locale.parse(language)

    def ngettext(singular: str, plural: str, count: int) -> str:
        if catalog is None:
            return singular if count == 1 else plural
        forms = _entry(catalog, language, singular)
        if not isinstance(forms, tuple):
            forms = (forms, forms)
        return str(forms[0 if locale.plural_form(count) == "one" else len(forms) - 1])

    return ngettext


def _entry(catalog: Catalog, language: str, message: str) -> str | tuple[str, ...]:
    entry = catalog.get(message)
    strings = entry.string if entry is not None else ""
    complete = all(strings) if isinstance(strings, tuple) else bool(strings)
    if entry is None or not complete or entry.fuzzy:
        raise MissingTranslation(
            f"no {language} translation for the label '{message}' in "
            f"{catalog_path(language).relative_to(LOCALES.parent)}"
        )
    return cast(str | tuple[str, ...], strings)
