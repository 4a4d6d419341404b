"""The site's pages, rendered with the templates of `templates/site/` (a project's own override
them by name, like every template).

A document's page is its HTML edition as built, with the site's panel put in before its `<main>`
(files, print button, details, QR code; see `site/panel.html.j2`), a draft banner at the top when
it is not approved, and a link to the panel's stylesheet and script: the document stays as
built, and printing the page prints it without the panel. A document without an HTML edition
gets a page of the site's own (`site/document.html.j2`), with its crisis block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from handoutkit.build.site.catalog import Catalog, SiteCollection, SiteDocument, SiteFile
from handoutkit.build.site.labels import file_size, label, language_name, long_date, pages
from handoutkit.build.site.search import FILTERS, filter_options
from handoutkit.build.site.status import APPROVED, status_label
from handoutkit.content.project import Project
from handoutkit.render.markdown import Citer, MarkdownRenderer
from handoutkit.render.renderer import render_template

_HEAD_CLOSE = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_MAIN_OPEN = re.compile(r"<main\b", re.IGNORECASE)
FILTER_LABELS = {
    "topic": "Topic",
    "audience": "For",
    "kind": "Kind",
    "language": "Language",
    "edition": "Edition",
    "paper": "Paper",
    "status": "Review status",
}


@dataclass
class Page:
    name: str  # relative to the site folder
    text: str


class SitePages:
    """Renders the pages of one catalog."""

    def __init__(
        self,
        project: Project,
        env: jinja2.Environment,
        catalog: Catalog,
        stylesheets: dict[str, str],
    ) -> None:
        self.project = project
        self.stylesheets = stylesheets
        self.env = env
        self.catalog = catalog
        config = project.config
        order: dict[str, list[str]] = {
            "edition": list(config.editions),
            "paper": list(config.paper_sizes),
            "language": list(config.languages),
        }
        self.options = filter_options(catalog, order)
        self.site_name = f"{config.organization.name}: handouts and briefs"
        self.titles = {d.model.id: d for d in catalog.documents}

    # ----------------------------------------------------------------- pages

    def pages(self, editions: dict[str, str]) -> Iterator[Page]:
        """Every page; `editions` holds the text of each HTML edition by its name."""
        yield Page("index.html", self._home())
        yield Page("documents.html", self._documents())
        for document in self.catalog.documents:
            if not document.editions:
                yield Page(document.page, self._own_page(document))
            for edition in document.editions:
                yield Page(edition.name, self._edition_page(document, edition, editions))
        for collection in self.catalog.collections:
            yield Page(collection.page, self._collection(collection))

    def _home(self) -> str:
        filters = [
            {
                "name": name,
                "label": FILTER_LABELS[name],
                "options": [{"value": v, "label": label(name, v)} for v in self.options[name]],
            }
            for name in FILTERS
        ]
        left = len(self.catalog.left_out)
        return self._render(
            "site/home.html.j2",
            "index.html",
            title=self.site_name,
            filters=filters,
            topics=self._topics(),
            documents=self.catalog.documents,
            collections=[self._collection_view(c) for c in self.catalog.collections],
            left_out=f"{left} document{'s' * (left != 1)}" if left else "",
        )

    def _documents(self) -> str:
        return self._render(
            "site/documents.html.j2",
            "documents.html",
            title=f"All documents · {self.site_name}",
            topics=self._topics(),
            collections=[self._collection_view(c) for c in self.catalog.collections],
        )

    def _collection(self, collection: SiteCollection) -> str:
        view = self._collection_view(collection)
        return self._render(
            "site/collection.html.j2",
            collection.page,
            title=f"{view['title']} · {self.site_name}",
            pack=view,
        )

    def _own_page(self, document: SiteDocument) -> str:
        model = document.model
        return self._render(
            "site/document.html.j2",
            document.page,
            title=f"{model.title} · {self.site_name}",
            doc=self._document_view(document, None),
            crisis=self.project.crisis_for(model.language),
            md=MarkdownRenderer(Citer()),
        )

    def _edition_page(
        self, document: SiteDocument, edition: SiteFile, editions: dict[str, str]
    ) -> str:
        """The HTML edition with the site's panel (and banner, stylesheet and script) put in."""
        page = edition.name
        view = self._document_view(document, edition)
        root = _root(page)
        panel = self._render("site/panel.html.j2", page, doc=view, panel_element="aside", root=root)
        text = editions[edition.name]
        main = _MAIN_OPEN.search(text)
        at = main.start() if main else len(text)
        text = text[:at] + panel + text[at:]
        if document.status != "approved":
            banner = self._render("site/banner.html.j2", page, doc=view)
            body = _BODY_OPEN.search(text)
            at = body.end() if body else 0
            text = text[:at] + banner + text[at:]
        head = (
            f"<style>\n{self.stylesheets['panel']}</style>\n"
            f'<script src="{root}_site/site.js" defer></script>\n'
        )
        close = _HEAD_CLOSE.search(text)
        at = close.start() if close else 0
        return text[:at] + head + text[at:]

    # ----------------------------------------------------------------- views

    def _topics(self) -> list[dict[str, Any]]:
        topics: dict[str, list[dict[str, Any]]] = {}
        for document in self.catalog.documents:
            view = self._document_view(document, None)
            topics.setdefault(document.source.topic, []).append(view)
        return [
            {"name": name, "label": name, "count": len(docs), "documents": docs}
            for name, docs in topics.items()
        ]

    def _document_view(self, document: SiteDocument, shown: SiteFile | None) -> dict[str, Any]:
        """What the templates show of a document; `shown`: the edition on the page (its QR
        code is made for a document's own pages only)."""
        model = document.model
        review = model.review
        approved = document.status == APPROVED
        due = review.due(self.project.config.review_interval_months)
        url = getattr(model, "online_url", None)
        links = [
            {
                "name": f.name,
                "label": f"{label('edition', f.edition)} edition on screen",
                "detail": "",
            }
            for f in document.editions
        ] + [_file_view(f) for f in document.downloads]
        return {
            "title": model.title,
            "subtitle": model.subtitle,
            "lang": model.language,
            "page": document.page,
            "code": model.code,
            "version": model.version,
            "status": document.status,
            "status_label": status_label(document.status),
            # review dates only for an approved document: a draft claims no review
            "reviewed": long_date(review.last_reviewed)
            if approved and review.last_reviewed
            else "not yet",
            "review_due": long_date(due) if approved and due else "",
            "kind": label("kind", model.type),
            "audience": label("audience", model.audience),
            "language": language_name(model.language),
            "topic": document.source.topic,
            "links": links,
            "downloads": [_file_view(f) for f in document.downloads],
            "has_editions": bool(document.editions),
            "edition_label": label("edition", shown.edition) if shown else "",
            "other_editions": [
                {"page": f.name, "label": label("edition", f.edition)}
                for f in document.editions
                if shown is None or f.name != shown.name
            ],
            "online_url": url,
            "qr": _qr(url) if url and (shown is not None or not document.editions) else "",
        }

    def _collection_view(self, collection: SiteCollection) -> dict[str, Any]:
        members = []
        for member in collection.members:
            document = self.titles.get(member)
            members.append(
                {
                    "title": document.model.title if document else member,
                    "lang": document.model.language if document else collection.language,
                    "page": document.page if document else None,
                }
            )
        return {
            "title": f"{label('kind', collection.kind)}: {language_name(collection.language)}",
            "kind": label("kind", collection.kind),
            "language": language_name(collection.language),
            "page": collection.page,
            "files": [_file_view(f) for f in collection.files],
            "members": members,
            "left_out": collection.left_out,
            "review_due": long_date(collection.review_due) if collection.review_due else "",
        }

    def _render(self, template: str, page: str, **context: Any) -> str:
        crisis = self.project.crisis_for(self.project.config.languages[0])
        base = {
            "root": _root(page),
            "page": page,
            "site_name": self.site_name,
            "org": self.project.config.organization,
            "crisis_line": crisis.footer_line if crisis else "",
            "panel_element": "aside",
            "site_css": Markup(self.stylesheets["page"]),
        }
        return render_template(self.env, template, {**base, **context}, "en")


def _file_view(site_file: SiteFile) -> dict[str, str]:
    parts = [label("format", site_file.fmt)]
    parts += [label("edition", site_file.edition)] if site_file.edition else []
    parts += [label("paper", site_file.paper)] if site_file.paper else []
    detail = [pages(site_file.pages)] if site_file.pages else []
    detail.append(file_size(site_file.size))
    return {
        "name": site_file.name,
        "label": ", ".join(parts),
        "detail": f"({', '.join(detail)})",
    }


def _root(page: str) -> str:
    """The way from a page up to the site's folder: '' or '../'."""
    return "../" * page.count("/")


def _qr(url: str) -> str:
    import segno

    # quiet zone included (4 modules); black on white whatever the brand colours
    qr: str = segno.make(url, error="m").svg_data_uri(border=4, dark="#000", light="#fff")
    return qr
