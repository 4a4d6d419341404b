"""The site's search data: classic scripts that the home page loads when first used.

On `file://` a page can load nothing but classic `<script src>` files (no `fetch`, ES modules
or workers), so the data is JavaScript: `_site/data/catalog.js` (per document: title, page,
the filter values and its files) is loaded when the search box or a filter is first used, and
`_site/data/text.<lang>.js` (every document's full text in that language) when a search is first
typed; the browser then indexes it with the vendored MiniSearch (`_site/vendor/`), stemming per
language. Nothing is loaded before: the home page stays small however many documents there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from handoutkit.build.site.catalog import Catalog, SiteDocument
from handoutkit.build.site.labels import label
from handoutkit.content.markdown import strip_markdown
from handoutkit.models import walk_text

DATA = "_site/data"
FILTERS = ("topic", "audience", "kind", "language", "edition", "paper", "status")
# fields that are codes or file names, not text a reader would search for
_NOT_TEXT = {"id", "language", "type", "code", "version", "online_url", "path", "review"}
_TITLE_FIELDS = {"title", "subtitle", "keywords"}


def filter_values(document: SiteDocument) -> dict[str, list[str]]:
    """The values of each filter a document matches (edition and paper: of its files)."""
    model, source = document.model, document.source
    return {
        "topic": [source.topic],
        "audience": [model.audience],
        "kind": [model.type],
        "language": [model.language],
        "edition": list(dict.fromkeys(f.edition for f in document.files if f.edition)),
        "paper": list(dict.fromkeys(f.paper for f in document.files if f.paper)),
        "status": [document.status],
    }


def filter_options(catalog: Catalog, order: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each filter's values in the catalog: in the configured order where there is one."""
    found: dict[str, dict[str, None]] = {name: {} for name in FILTERS}
    for document in catalog.documents:
        for name, values in filter_values(document).items():
            found[name].update(dict.fromkeys(values))
    options = {}
    for name, seen in found.items():
        known = order.get(name, [])
        options[name] = sorted(seen, key=lambda v: (known.index(v) if v in known else 99, v))
    return options


def document_text(document: SiteDocument) -> tuple[str, str]:
    """(title words, body text) of a document: the reader-visible text of its model."""
    title: list[str] = []
    body: list[str] = []
    for loc, value, kind in walk_text(document.model):
        if kind == "citation" or any(part in _NOT_TEXT for part in loc if isinstance(part, str)):
            continue
        text = strip_markdown(value) if kind == "markdown" else value
        (title if loc[0] in _TITLE_FIELDS else body).append(text)
    return " ".join(title), " ".join(" ".join(body).split())


def catalog_script(catalog: Catalog, options: dict[str, list[str]]) -> str:
    """_site/data/catalog.js: the documents, their filter values and files, and the labels."""
    rows = []
    for document in catalog.documents:
        model = document.model
        prefix = f"{document.source.topic}/{document.source.stem}"
        rows.append(
            {
                "t": model.title,
                "s": model.subtitle or "",
                "u": document.page,
                "v": filter_values(document),
                "e": {f.edition: f.name for f in document.editions},
                # files: [name after the document's own prefix, format, edition, paper, pages,
                # bytes]; names that do not start with it are given whole
                "f": [
                    [
                        f.name[len(prefix) :] if f.name.startswith(prefix + ".") else f.name,
                        f.fmt,
                        f.edition,
                        f.paper or "",
                        f.pages,
                        f.size,
                    ]
                    for f in document.downloads
                ],
                "p": prefix,
            }
        )
    labels = {
        name: {value: label(name, value) for value in values} for name, values in options.items()
    }
    formats = {f.fmt for f in catalog.files}
    labels["format"] = {fmt: label("format", fmt) for fmt in sorted(formats)}
    languages = sorted({d.model.language for d in catalog.documents})
    data = {"docs": rows, "labels": labels, "languages": languages}
    return _script("HKCatalog", None, data)


def text_scripts(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """(file name, script) per language: [[document index, title words, text], ...]."""
    by_language: dict[str, list[list[Any]]] = {}
    for index, document in enumerate(catalog.documents):
        title, text = document_text(document)
        by_language.setdefault(document.model.language, []).append([index, title, text])
    for language, rows in sorted(by_language.items()):
        yield f"{DATA}/text.{language}.js", _script("HKSearchText", language, rows)


def _script(name: str, key: str | None, data: object) -> str:
    """A classic script that stores `data` on window (as window[name], or window[name][key])."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # JSON is JavaScript (U+2028/U+2029 are allowed in strings since ES2019); an external
    # script file has no </script> to worry about
    if key is None:
        return f"window.{name}={payload};\n"
    return f"(window.{name}=window.{name}||{{}})[{json.dumps(key)}]={payload};\n"
