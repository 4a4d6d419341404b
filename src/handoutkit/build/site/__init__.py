"""The library site: `handoutkit build --format site` writes `<out>/site/`, a static website for
the staff who print and the clinicians who look things up.

It works from a shared folder (`file://`), an intranet web server or any static host: plain
files, no server process, no database. A home page searches every document's full text in
each language and filters by topic, audience, kind, language, edition, paper and review status
(see `search` and `static/site.js`); each document has a page per HTML edition with its files,
print button, details, QR code and crisis block (`pages`); each collection (a rack pack) has a
page. The outputs it links to are those of the same build, carried inside the site folder under
their own names (`files`), so the folder can be copied anywhere whole.

Documents that are not approved (`status.review_status`) are left out, unless the build has
`--include-drafts`; they then carry a banner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutkit.build.site.catalog import PAGE_FORMAT, Catalog, make_catalog
from handoutkit.build.site.files import SiteFolder
from handoutkit.build.site.pages import SitePages
from handoutkit.build.site.search import catalog_script, text_scripts
from handoutkit.content.project import Project
from handoutkit.render.renderer import brand_css, make_environment
from handoutkit.resources import COLOUR_STYLESHEET, PACKAGE_DIR, find_style

FOLDER = "site"  # in the output folder
INDEX = f"{FOLDER}/index.html"
STATIC = PACKAGE_DIR / "build" / "site" / "static"
STYLESHEETS = ("site.css", "site-panel.css")  # from styles/: the project's own first


@dataclass
class SiteBuild:
    """What the site step made."""

    catalog: Catalog
    pages: int
    files: int  # files in the site
    written: int  # of those, written or linked this time
    removed: int  # files of an earlier site deleted
    index: bytes = b""
    names: list[str] = field(default_factory=list)


def build_site(
    project: Project, out_dir: Path, entries: Iterable[dict[str, Any]], *, include_drafts: bool
) -> SiteBuild:
    """Write the site for the outputs `entries` (manifest entries of files in `out_dir`)."""
    catalog = make_catalog(project, entries, include_drafts=include_drafts)
    folder = SiteFolder(out_dir, FOLDER)
    site_pages = SitePages(project, make_environment(project.root), catalog, stylesheets(project))
    editions = {
        f.name: (out_dir / f.name).read_text(encoding="utf-8")
        for d in catalog.documents
        for f in d.editions
    }
    # what the pages load and link to first, then the pages, the home page last: a site that
    # is being written over is never reachable with links to files that are not there yet
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            folder.write(f"_site/{path.relative_to(STATIC).as_posix()}", path.read_bytes())
    for site_file in catalog.files:
        if site_file.fmt != PAGE_FORMAT:
            folder.link(site_file.name)
    folder.write("_site/data/catalog.js", catalog_script(catalog, site_pages.options).encode())
    for name, script in text_scripts(catalog):
        folder.write(name, script.encode("utf-8"))
    pages = list(site_pages.pages(editions))
    index = b""
    for page in [*pages[1:], pages[0]]:  # pages[0] is the home page
        data = page.text.encode("utf-8")
        folder.write(page.name, data)
        if page.name == "index.html":
            index = data
    count = len(pages)
    removed = folder.remove_others()
    return SiteBuild(
        catalog, count, len(folder.kept), folder.written, removed, index, sorted(folder.kept)
    )


def stylesheets(project: Project) -> dict[str, str]:
    """The site's CSS, put into its pages (a stylesheet of another file:// page cannot be read
    by scripts, such as a browser's accessibility checker): `page`, for the site's own pages,
    is the colours (the project's own, with its brand colours) with `site.css` and
    `site-panel.css`; `panel`, for the documents' pages (which have their colours), is
    `site-panel.css`. Both from the project's styles/ first, then the defaults."""
    texts = {}
    for name in (COLOUR_STYLESHEET, *STYLESHEETS):
        path = find_style(project.root, name)
        texts[name] = path.read_text(encoding="utf-8") if path else ""
    brand = brand_css(project.config.organization.colours)
    page = "\n".join([texts[COLOUR_STYLESHEET], brand, *(texts[n] for n in STYLESHEETS)])
    # nothing in a <style> element may close it early
    return {
        "page": page.replace("</", "<\\/"),
        "panel": texts["site-panel.css"].replace("</", "<\\/"),
    }


__all__ = ["FOLDER", "INDEX", "SiteBuild", "build_site"]
