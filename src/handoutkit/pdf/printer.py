"""Print stage: HTML → tagged PDF/UA-1 with WeasyPrint, in process.

One `Printer` per worker keeps a FontConfiguration and the parsed stylesheets, so each
document costs only its own layout. Resource loading is sandboxed: only files inside the
project's asset and style folders (by real path) and `data:` URIs load; anything else is
refused and fails the document with a located error. WeasyPrint ERROR logs (missing alt
text, missing lang, failed loads) fail the document too: an inaccessible PDF is not output.
So do the CSS rules WeasyPrint would skip with a warning (a syntax error in a stylesheet
override), located at the stylesheet's line: a style the PDF silently loses is a defect.
"""

from __future__ import annotations

import logging
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutkit.diagnostics import Diagnostic, Diagnostics, Location, display_path
from handoutkit.errors import ContentError
from handoutkit.pdf import furniture, preflight, structure
from handoutkit.pdf.preflight import Finding
from handoutkit.resources import (
    ASSET_FOLDER,
    find_style,
    layered_style_file,
    style_dirs,
    stylesheet_names,
)

# `wide` pages (landscape) hold tables that are too wide for portrait in large print (ACB).
PAPER_CSS = {
    "letter": "@page { size: letter; } @page wide { size: letter landscape; }",
    "a4": "@page { size: A4; } @page wide { size: A4 landscape; }",
}
PDF_STANDARDS = {"ua-1": ("pdf/ua-1", "1.7"), "ua-2": ("pdf/ua-2", "2.0")}
"""`pdf_standard` → WeasyPrint's pdf_variant and the PDF version it writes."""


@dataclass
class PrintResult:
    pdf: bytes
    pages: int
    # what the print preflight found on the layout; the build locates them and decides
    findings: list[Finding] = field(default_factory=list)


class _Capture(logging.Handler):
    """Collects WeasyPrint's log records while one document renders."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Printer:
    """Turns HTML into PDF for one project; create one per worker process."""

    def __init__(self, project_root: Path) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.root = project_root.resolve()
        self.allowed = [(self.root / ASSET_FOLDER).resolve(), *style_dirs(self.root)]
        self.font_config = FontConfiguration()
        self._css_class: Any = CSS
        self._css: dict[tuple[str, str], list[object]] = {}
        self.refused: list[str] = []
        self.missing: list[str] = []  # inside the sandbox, but no such file
        self.fetcher = _sandbox_fetcher(
            self.allowed,
            self.refused,
            self.missing,
            lambda path: layered_style_file(self.root, path),
        )

    def stylesheets(self, edition: str, paper: str) -> list[object]:
        """Parsed stylesheets for an edition and paper size, parsed once per worker."""
        key = (edition, paper)
        if key not in self._css:
            sheets = []
            for name in stylesheet_names("pdf", edition):
                path = find_style(self.root, name)
                if path is None:
                    raise ContentError(
                        [
                            _diagnostic(
                                f"styles/{name}",
                                f"stylesheet '{name}' is missing",
                                "restore it in the project's styles/ folder",
                            )
                        ]
                    )
                shown = display_path(path) if path.is_relative_to(self.root) else f"styles/{name}"
                css = path.read_text(encoding="utf-8", errors="replace")
                with self._watch(shown, css) as watch:
                    sheets.append(
                        self._css_class(
                            filename=str(path),
                            url_fetcher=self.fetcher,
                            font_config=self.font_config,
                        )
                    )
                watch.check()
            sheets.append(self._css_class(string=PAPER_CSS[paper], font_config=self.font_config))
            self._css[key] = sheets
        return self._css[key]

    def print_pdf(
        self,
        html: str,
        edition: str,
        paper: str,
        shown: str,
        standard: str = "ua-1",
        forms: bool = False,
    ) -> PrintResult:
        """Render one document as PDF/UA-1 or PDF/UA-2 (`standard`); `shown` is the source
        path used to locate problems. `forms`: the HTML's form fields become PDF form fields
        (a worksheet's fillable edition), finished by `pdf.forms`.

        Problems of the files and stylesheets raise ContentError; what the print preflight
        finds on the layout (`pdf.preflight`) is returned with the PDF, for the build to
        locate in the content and to decide on.
        """
        variant, version = PDF_STANDARDS[standard]
        with self._watch(shown) as watch:
            document = self.layout(html, edition, paper, variant, forms)
            findings = preflight.check_layout(document)
            lang = str(document.metadata.lang or "")
            with (
                furniture.as_artifacts() as margin_boxes,
                structure.tagging(document, lang, version) as tags,
            ):
                pdf = document.write_pdf(pdf_variant=variant, finisher=tags.finish)
            missing = preflight.missing_codepoints(watch.records)
            if missing:
                findings += preflight.missing_glyphs(document, missing)
        watch.check()
        if margin_boxes.needs_postprocess:  # a link in a running header or footer
            from handoutkit.pdf.tags import postprocess_pdf

            pdf = postprocess_pdf(pdf)
        if forms:
            from handoutkit.pdf.forms import finish_form

            pdf = finish_form(pdf)
        return PrintResult(pdf, len(document.pages), findings)

    def layout(
        self, html: str, edition: str, paper: str, variant: str = "pdf/ua-1", forms: bool = False
    ) -> Any:
        """The laid-out WeasyPrint document (pages and boxes), before it becomes a PDF;
        `forms`: HTML form fields are laid out as PDF form fields (`appearance: auto`)."""
        from weasyprint import HTML

        stylesheets = self.stylesheets(edition, paper)
        return HTML(
            string=html, base_url=self.root.as_uri() + "/", url_fetcher=self.fetcher
        ).render(
            stylesheets=stylesheets,
            font_config=self.font_config,
            pdf_variant=variant,
            pdf_forms=forms or None,
        )

    @contextmanager
    def _watch(self, shown: str, css: str | None = None) -> Iterator[_Watch]:
        """Collect WeasyPrint problems while rendering; `check()` raises them as user errors.

        `css` is the text of the stylesheet being parsed, to locate problems at its lines.
        """
        logger = logging.getLogger("weasyprint")
        capture = _Capture()
        logger.addHandler(capture)
        self.refused.clear()
        self.missing.clear()
        problems = Diagnostics()
        try:
            yield _Watch(problems, capture.records)
        finally:
            logger.removeHandler(capture)
            for url in dict.fromkeys(self.missing):
                problems.error(
                    _locate_url(shown, css, url),
                    f"cannot load '{_file_shown(url)}': the file does not exist",
                    "restore the file, or fix the reference to it",
                    rule="print",
                )
            for url in dict.fromkeys(self.refused):
                problems.error(
                    _locate_url(shown, css, url),
                    f"refused to load '{_short(url)}'",
                    f"only files under the project's {ASSET_FOLDER}/ or styles/ folder and data: "
                    "URIs can be used; copy the file there",
                    rule="sandbox",
                )
            for record in capture.records:
                message = record.getMessage()
                if _is_css_problem(record) and "refused to load" not in message:
                    where, text = _css_problem(shown, css, message.splitlines()[0])
                    problems.error(
                        where,
                        f"CSS: {text}",
                        "fix or remove it: WeasyPrint skips it, so the PDF would silently lose it",
                        rule="css",
                    )
                elif record.levelno >= logging.ERROR or "cannot be loaded" in message:
                    if "refused to load" in message or "disallowed" in message:
                        continue  # already reported above
                    quoted = re.search(r"'([^']+)'", message)
                    problems.error(
                        _locate(shown, css, quoted.group(1)) if css and quoted else Location(shown),
                        f"WeasyPrint: {message.splitlines()[0]}",
                        _weasyprint_hint(message),
                        rule="print",
                    )


@dataclass
class _Watch:
    """What `Printer._watch` collects: problems as user errors, and WeasyPrint's log records."""

    problems: Diagnostics
    records: list[logging.LogRecord]

    def check(self) -> None:
        if self.problems:
            raise ContentError(self.problems)


def _sandbox_fetcher(
    allowed: list[Path],
    refused: list[str],
    missing: list[str],
    layered: Callable[[Path], Path | None],
) -> object:
    """A WeasyPrint URL fetcher that serves data: URIs and files under `allowed` only.

    Paths are resolved (symlinks followed) before the check, so a link inside assets/ that
    points elsewhere is refused. Everything else (http, https, ftp, other files, attachments)
    is recorded in `refused` and fails the document, without any connection being made; a
    file under `allowed` that does not exist (nor, for a stylesheet's file, in the next styles
    folder: `layered`) is recorded in `missing`.
    """
    from weasyprint.urls import URLFetcher

    class SandboxFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> object:
            parts = urllib.parse.urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(urllib.request.url2pathname(parts.path)).resolve()
                inside = any(path.is_relative_to(folder) for folder in allowed)
                if inside and path.is_file():
                    return super().fetch(path.as_uri(), headers)
                found = layered(path) if inside else None
                if found is not None:
                    return super().fetch(found.as_uri(), headers)
                if inside:
                    missing.append(url)
                    raise ValueError(f"no such file: {url}")
            refused.append(url)
            raise ValueError(f"refused to load {url}")

    return SandboxFetcher(allowed_protocols={"data", "file"}, timeout=1)


_POSITION = re.compile(r"^(?P<before>.*?) at (?P<line>\d+):(?P<col>\d+)(?P<after>.*)$")


def _is_css_problem(record: logging.LogRecord) -> bool:
    """A warning of WeasyPrint's CSS parser: a rule, declaration or selector it skips."""
    css_module = f"{os.sep}weasyprint{os.sep}css{os.sep}"
    return record.levelno == logging.WARNING and css_module in record.pathname


def _css_problem(shown: str, css: str | None, message: str) -> tuple[Location, str]:
    """Where a CSS warning points (in the stylesheet being parsed) and its text."""
    if css is None:  # a <style> in a template: its lines are not the template's
        return Location(shown), message
    match = _POSITION.match(message)
    if match:
        after = match["after"].strip(" ,.:")
        text = match["before"] + (f", {after}" if after else "")
        return Location(shown, int(match["line"]), int(match["col"])), text.rstrip(".")
    quoted = re.search(r"'([^']+)'", message)
    where = _locate(shown, css, quoted.group(1).strip()) if quoted else Location(shown)
    return where, message.rstrip(".")


def _locate_url(shown: str, css: str | None, url: str) -> Location:
    """A refused or missing URL, located at its file name in the stylesheet if there."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path).rsplit("/", 1)[-1]
    return _locate(shown, css, name) if css and name else Location(shown)


def _locate(shown: str, css: str, needle: str) -> Location:
    """The first place `needle` is written in the stylesheet: quoted if it is, else as is."""
    offset = css.find(f'"{needle}"')
    offset = offset if offset >= 0 else css.find(needle)
    if offset < 0:
        return Location(shown)
    line = css.count("\n", 0, offset) + 1
    return Location(shown, line, offset - (css.rfind("\n", 0, offset) + 1) + 1)


def _file_shown(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "file":
        return _short(url)
    return display_path(Path(urllib.request.url2pathname(parts.path)))


def _short(url: str) -> str:
    return url if len(url) < 120 else url[:117] + "..."


def _weasyprint_hint(message: str) -> str:
    if "alt" in message:
        return "give every image alternative text"
    if "lang" in message:
        return "templates must set <html lang>"
    if "Font-face" in message:
        return "a font file is missing or unreadable; restore it in styles/fonts/"
    if "stylesheet" in message.lower():
        return "fix or remove the stylesheet reference"
    return "fix the template or stylesheet that causes it"


def _diagnostic(path: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic.error_at(Location(path), message, hint, rule="print")
