"""`handoutkit build --format site`: the library site in <out>/site/.

One build of the shipped pack (with --include-drafts: until documents carry a review status,
every one reads as a draft) serves most tests; the others call `build_site` on its outputs."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from handoutkit.build.manifest import read_manifest
from handoutkit.build.request import BuildRequest, run_build
from handoutkit.build.site import build_site
from handoutkit.build.site.status import review_status
from handoutkit.content.loader import load_project
from helpers import TODAY, copy_shipped_project

EXTERNAL = ("http:", "https:", "mailto:", "tel:", "data:")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for name in ("href", "src"):
            if found.get(name) is not None:
                self.links.append(str(found[name]))


def crawl(site: Path) -> tuple[list[str], set[Path]]:
    """Every broken link of the site's pages (a missing file, a missing #anchor, a way out of
    the folder), and every file a page links to."""
    parsed: dict[Path, _Links] = {}
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page.resolve()] = parser
    broken: list[str] = []
    reached: set[Path] = set()
    for page, parser in parsed.items():
        for link in parser.links:
            if link.startswith(EXTERNAL):
                continue
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                broken.append(f"{page.name}: {link} (not a file of the site)")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_relative_to(site.resolve()) or not target.is_file():
                broken.append(f"{page.relative_to(site.resolve())}: {link}")
                continue
            reached.add(target)
            if parts.fragment and parts.fragment not in parsed[target].ids:
                broken.append(f"{page.relative_to(site.resolve())}: {link} (no such anchor)")
    return broken, reached


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped pack built as a site, with its drafts; returns the output folder."""
    root = tmp_path_factory.mktemp("site")
    project = copy_shipped_project(root / "project")
    out = root / "out"
    request = BuildRequest(
        root=project,
        today=dt.date.fromisoformat(TODAY),
        formats=("site",),
        out=out,
        include_drafts=True,
        jobs=2,
    )
    outcome = run_build(request)
    assert outcome.report.ok, [p for r in outcome.report.results for p in r.problems]
    return out


def test_the_site_links_only_to_files_of_its_own_folder(built: Path) -> None:
    site = built / "site"
    broken, reached = crawl(site)
    assert not broken, broken
    project = load_project(built.parent / "project")
    # every output of the build is in the site and linked from a page
    manifest = read_manifest(built)
    pdfs = [name for name, entry in manifest.items() if entry["format"] in ("pdf", "rack")]
    per_document = len(project.config.editions) * len(project.config.paper_sizes)
    assert len([p for p in pdfs if not p.startswith("rack/")]) == 5 * per_document
    for name in pdfs:
        assert (site / name).resolve() in reached, name
        assert (site / name).read_bytes() == (built / name).read_bytes()
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    editions = {n for n, e in manifest.items() if e["format"] == "html"}
    assert (
        editions | {"index.html", "documents.html", "rack/rack.en.html", "rack/rack.es.html"}
        == pages
    )
    # what site.js loads by name is there too
    for name in ("catalog.js", "text.en.js", "text.es.js"):
        assert (site / "_site" / "data" / name).is_file()
    assert (site / "_site" / "vendor" / "search-lib.min.js").is_file()
    entry = manifest["site/index.html"]
    assert entry["kind"] == "site" and entry["include_drafts"] is True
    assert entry["pages"] == len(pages)


def test_the_crawler_finds_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<p id="here"><a href="b.html#nowhere">b</a> <a href="gone.pdf">x</a> <a href="#here">'
        '<img src="../outside.png"> <a href="https://example.org">ok</a>',
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text('<h1 id="top">B</h1><a href="a.html#here">a</a>')
    broken, _reached = crawl(tmp_path)
    assert broken == [
        "a.html: b.html#nowhere (no such anchor)",
        "a.html: gone.pdf",
        "a.html: ../outside.png",
    ]


def test_a_document_page_is_its_html_edition_with_the_site_panel(built: Path) -> None:
    site = built / "site"
    page = (site / "ketamine-bpd/handout.es.large-print.html").read_text(encoding="utf-8")
    edition = (built / "ketamine-bpd/handout.es.large-print.html").read_text(encoding="utf-8")
    # the document as built (its body), with the panel put in before its <main>
    assert edition.split("<main", 1)[1] in page
    panel = page[page.index('<aside class="hk-panel"') : page.index("<main")]
    assert 'lang="en"' in panel and "data-hk-print" in panel and "Print this page" in panel
    for paper, label in (("letter", "Letter"), ("a4", "A4")):
        for edition_name, edition_label in (
            ("standard", "Standard"),
            ("large-print", "Large print"),
        ):
            name = f"handout.es.{edition_name}.{paper}.pdf"
            assert f'href="../ketamine-bpd/{name}">PDF, {edition_label}, {label}</a>' in panel
    assert re.search(r"\(\d+ pages, \d+ KB\)", panel)
    assert 'href="../ketamine-bpd/handout.es.standard.html">Standard</a>' in panel
    for fact in ("HK-KBPD-PH-ES", "1.0", "Draft", "<dt>Last reviewed</dt><dd>not yet</dd>"):
        assert fact in panel, fact
    assert "Spanish (español)" in panel and "ketamine-bpd" in panel
    # the crisis block (in the edition), the banner of a draft, the panel hidden in print
    assert "988" in page and 'class="crisis"' in page
    assert page.index('class="hk-draft"') < page.index("<header")
    assert "@media print" in page and ".hk-panel { display: none; }" in page
    assert '<script src="../_site/site.js" defer></script>' in page


def test_an_online_url_gets_a_qr_code_and_its_address(tmp_path: Path, built: Path) -> None:
    project_dir = copy_shipped_project(tmp_path / "project")
    path = project_dir / "content/ketamine-bpd/handout.en.yaml"
    text = path.read_text(encoding="utf-8")
    url = "https://example.org/handouts/ketamine-bpd"
    path.write_text(text.replace("\nreview:", f"\nonline_url: {url}\nreview:", 1))
    project = load_project(project_dir)
    out = tmp_path / "out"
    shutil.copytree(built, out, ignore=shutil.ignore_patterns("site"))
    old = {d.model.id: d.shown for d in load_project(built.parent / "project").documents}
    new = {old[d.model.id]: d.shown for d in project.documents}  # where each document is now
    entries = [
        {**e, "document": new[e["document"]]} if "document" in e else e
        for n, e in read_manifest(out).items()
        if not n.startswith("site/")
    ]
    build_site(project, out, entries, include_drafts=True)
    page = (out / "site/ketamine-bpd/handout.en.standard.html").read_text(encoding="utf-8")
    assert f'alt="QR code for {url}"' in page and 'src="data:image/svg+xml' in page
    assert f'<a href="{url}">{url}</a>' in page


def test_drafts_are_left_out_unless_included(tmp_path: Path, built: Path, monkeypatch) -> None:
    project = load_project(built.parent / "project")
    out = tmp_path / "out"
    shutil.copytree(built, out)
    entries = [e for n, e in read_manifest(out).items() if not n.startswith("site/")]
    assert {review_status(project, d) for d in project.documents} == {"draft"}  # shipped

    made = build_site(project, out, entries, include_drafts=False)
    site = out / "site"
    assert made.catalog.documents == [] and len(made.catalog.left_out) == 5
    assert not list(site.glob("ketamine-bpd/*")) and not list(site.glob("rack/*"))  # removed
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "5 documents not approved" in home and "--include-drafts" in home
    assert made.removed > 0

    # approved documents are listed without a banner; a pack with a draft in it is left out
    # (the English pack holds the English handout and safety-plan worksheet)
    approved = {"ketamine-bpd-handout-en", "ketamine-bpd-brief-en", "ketamine-bpd-safety-plan-en"}
    monkeypatch.setattr(
        "handoutkit.build.site.catalog.review_status",
        lambda project, document: "approved" if document.model.id in approved else "draft",
    )
    made = build_site(project, out, entries, include_drafts=False)
    assert {d.model.id for d in made.catalog.documents} == approved
    assert [c.language for c in made.catalog.collections] == ["en"]  # the English pack
    page = (site / "ketamine-bpd/handout.en.standard.html").read_text(encoding="utf-8")
    assert (
        'class="hk-draft"' not in page
        and not (site / "ketamine-bpd/handout.es.standard.html").exists()
    )
    assert not (site / "ketamine-bpd/handout.es.standard.letter.pdf").exists()
    assert not (site / "rack/rack.es.letter.pdf").exists()
    catalog = (site / "_site/data/catalog.js").read_text(encoding="utf-8")
    assert "La ketamina" not in catalog and not (site / "_site/data/text.es.js").exists()


def test_a_new_kind_and_format_get_their_pages_without_site_changes(
    tmp_path: Path, built: Path
) -> None:
    """Worksheets with a fillable PDF come later: the site is driven by the manifest."""
    project = load_project(built.parent / "project")
    out = tmp_path / "out"
    shutil.copytree(built, out)
    entries = [e for n, e in read_manifest(out).items() if not n.startswith("site/")]
    source = next(e for e in entries if e["path"] == "ketamine-bpd/handout.en.standard.letter.pdf")
    fillable = {
        **source,
        "format": "fillable",
        "path": "ketamine-bpd/handout.en.standard.letter.fillable.pdf",
    }
    shutil.copy(out / source["path"], out / fillable["path"])
    # and a document without an HTML edition gets a page of the site's own
    brief = next(d.shown for d in project.documents if d.model.type == "brief")
    entries = [e for e in entries if e.get("document") != brief or e["format"] != "html"]
    build_site(project, out, [*entries, fillable], include_drafts=True)
    site = out / "site"
    page = (site / "ketamine-bpd/handout.en.standard.html").read_text(encoding="utf-8")
    assert ">Fillable PDF, Standard, Letter</a>" in page
    assert (site / fillable["path"]).is_file()
    own = (site / "ketamine-bpd/brief.en.html").read_text(encoding="utf-8")
    assert "Print or download" in own and 'class="hk-crisis"' in own and "988" in own
    assert "data-hk-print" not in own  # nothing on screen to print: the PDFs are listed
    broken, _ = crawl(site)
    assert not broken, broken
    catalog = (site / "_site/data/catalog.js").read_text(encoding="utf-8")
    assert '"fillable":"Fillable PDF"' in catalog


def test_the_search_data_holds_each_language_s_full_text(built: Path) -> None:
    data = built / "site/_site/data"
    text = (data / "text.es.js").read_text(encoding="utf-8")
    prefix = '(window.HKSearchText=window.HKSearchText||{})["es"]='
    assert text.startswith(prefix)
    rows = json.loads(text[len(prefix) :].rstrip().rstrip(";"))
    handouts = [row for row in rows if "La ketamina y el TLP" in row[1]]
    assert len(rows) == 2 and len(handouts) == 1  # the handout and the safety-plan worksheet
    assert "depresión" in handouts[0][2]
    # a document's own code is not text to search (the handout names the worksheet's)
    sheets = [row for row in rows if "Mi plan de seguridad" in row[1]]
    assert "HK-KBPD-PH-ES" not in handouts[0][2] and "HK-KBPD-WS-ES" not in sheets[0][2]
    catalog = (data / "catalog.js").read_text(encoding="utf-8")
    assert catalog.startswith("window.HKCatalog=") and '"large-print":"Large print"' in catalog
    home = (built / "site/index.html").read_text(encoding="utf-8")
    assert len(home.encode()) < 40_000 and "catalog.js" not in home  # loaded when first used
    for name in ("topic", "audience", "kind", "language", "edition", "paper", "status"):
        assert f'<select id="hk-f-{name}" name="{name}">' in home


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["content/ketamine-bpd/handout.en.yaml", "--format", "site"], "--format site"),
        (["--format", "site", "--shard", "1/2"], "--format site"),
        (["--include-drafts"], "--include-drafts: only the site"),
    ],
)
def test_usage_errors(run, tmp_path: Path, args: list[str], message: str) -> None:
    project = copy_shipped_project(tmp_path / "project")
    result = run("build", *args, "--out", str(tmp_path / "out"), cwd=project)
    assert result.code == 2 and message in result.text, result.text
