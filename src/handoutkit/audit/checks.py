"""Verify stage: `handoutkit audit`, a preflight of any PDF for accessibility and print.

It reads the finished file only (our own output or anybody else's), so it needs no
handoutkit project.  Each check that fails gives one located line per problem,
``path: page N: error: what is wrong — how to fix`` (``path: error: …`` when the problem is
not on one page):

1. tagged: ``/MarkInfo /Marked true`` and a ``/StructTreeRoot``;
2. ``/Lang`` on the catalog;
3. a title (XMP ``dc:title``, Info ``/Title``) shown in the window (``DisplayDocTitle``);
4. PDF/UA identification (XMP ``pdfuaid:part``);
5. every font used is embedded (Type0 through its descendant font; Type3 counts as embedded);
6. every ``Figure`` has ``/Alt`` (or ``/ActualText``);
7. every painting operator is inside an ``/Artifact`` or inside marked content whose MCID the
   page's ``/ParentTree`` entry maps to a structure element reachable from the root (the rule
   `pdftags` uses to find WeasyPrint's margin boxes), counted per page;
8. heading levels: H1 first, no level skipped on the way down;
9. text sizes as printed (Tf size × text matrix × CTM), with thresholds per edition;
10. page size, and one size for all pages;
11. veraPDF's PDF/UA-1 verdict, when veraPDF is installed (see `handoutkit.verapdf`).

Text sizes are measured here rather than with pdfminer.six: the same content-stream walk
that finds untagged content knows the font size, text matrix and CTM of every text-showing
operator, so no second parser (or dependency) is needed.  The size of a run is
``|Tf size| × length of the text-space y axis in device space``, rounded to 0.1 pt; glyphs are
counted per code (two bytes for Type0 fonts, one otherwise).  Invisible text (render modes 3
and 7, e.g. the OCR layer of a scan) is not counted.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.audit.verapdf import (
    FileVerdict,
    RunError,
    Unavailable,
    Verapdf,
    find_verapdf,
    validate,
)
from handoutkit.pdf.read import (
    IDENTITY,
    TEXT_SHOW,
    Matrix,
    is_struct_elem,
    kids,
    matrix,
    mcid_of,
    mul,
    reachable_elements,
)

MIN_STANDARD_BODY_PT = 12.0
"""Body text of a standard-print document: at least 12 pt (APH Guidelines for Print Document
Design, 2011; shared/facts/standards.md)."""

MIN_STANDARD_TEXT_PT = 8.0
"""Smallest text allowed in a standard-print document.  Footers, citation numbers and table
notes may be smaller than the 12 pt body, and no guideline we follow sets a floor for them, so
the audit only reports their size; below 8 pt, though, text is unreadable for many older
patients, so it fails."""

LARGE_PRINT_MIN_PT = 18.0
"""Large print: 18 pt is the floor for ALL text, footers and footnotes included (ACB Large
Print Guidelines, 2022)."""

_SIZE_TOLERANCE = 0.05  # sizes are rounded to 0.1 pt; 17.999 pt is 18 pt
_PAINT_PATH = frozenset({"f", "F", "f*", "B", "B*", "b", "b*", "S", "s"})
_INVISIBLE = {3, 7}  # text render modes that paint nothing
_MAX_FORM_DEPTH = 16
_STANDARD_ROLES = {f"/H{n}" for n in range(1, 7)} | {"/Figure", "/H"}

_PAPERS = (  # name, width × height in pt (portrait), unit to show the size in
    ("Letter", 612.0, 792.0, "in"),
    ("Legal", 612.0, 1008.0, "in"),
    ("Tabloid", 792.0, 1224.0, "in"),
    ("A5", 419.53, 595.28, "mm"),
    ("A4", 595.28, 841.89, "mm"),
    ("A3", 841.89, 1190.55, "mm"),
)


class Edition(StrEnum):
    auto = "auto"
    standard = "standard"
    large_print = "large-print"


class _Mark(IntEnum):
    """What encloses a painting operator; the strongest enclosing sequence wins."""

    NONE = 0  # no marked content, or marked content that is neither tagged nor an artifact
    ORPHAN = 1  # an MCID that no structure element in the tree claims
    OK = 2  # an artifact, or an MCID of a structure element in the tree


@dataclass(frozen=True)
class Problem:
    """One located problem (``severity`` is ``error``, or ``note`` for information)."""

    path: str
    message: str
    hint: str = ""
    page: int | None = None
    check: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}: page {self.page}" if self.page else self.path
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "page": self.page,
            "severity": self.severity,
            "check": self.check,
            "message": self.message,
            "hint": self.hint,
            "text": str(self),
        }


@dataclass
class PageSize:
    width_pt: float
    height_pt: float

    @property
    def paper(self) -> tuple[str, str] | None:
        """(name, unit) of a known paper size in either orientation."""
        short, long = sorted((self.width_pt, self.height_pt))
        for name, width, height, unit in _PAPERS:
            if abs(short - width) <= 2 and abs(long - height) <= 2:
                return name, unit
        return None

    @property
    def landscape(self) -> bool:
        return self.width_pt > self.height_pt + 1

    @property
    def key(self) -> str:
        """The same for both orientations of one paper size."""
        paper = self.paper
        if paper is not None:
            return paper[0]
        short, long = sorted((self.width_pt, self.height_pt))
        return f"{short:.0f}x{long:.0f}"

    def label(self, portrait: bool = False) -> str:
        width, height = self.width_pt, self.height_pt
        if portrait and width > height:
            width, height = height, width
        paper = self.paper
        if paper is not None and paper[1] == "in":
            return f"{paper[0]} {_number(width / 72)}×{_number(height / 72)} in"
        size = f"{width / 72 * 25.4:.0f}×{height / 72 * 25.4:.0f} mm"
        return f"{paper[0]} {size}" if paper is not None else size


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class FileAudit:
    """Everything measured in one file, and its problems."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    is_pdf: bool = False
    pages: int = 0
    page_sizes: list[PageSize] = field(default_factory=list)
    edition: str = ""
    edition_from: str = ""
    text_sizes: Counter[float] = field(default_factory=Counter)  # pt → glyphs
    smallest_page: int | None = None
    headings: list[int] = field(default_factory=list)  # levels in reading order
    tagged: bool = False
    lang: str = ""
    title: str = ""
    display_doc_title: bool = False
    pdfua_part: str = ""
    fonts: int = 0
    unembedded_fonts: list[str] = field(default_factory=list)
    figures: int = 0
    figures_without_alt: int = 0
    untagged_operations: dict[int, int] = field(default_factory=dict)  # page → count
    verapdf: FileVerdict | None = None
    verapdf_note: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def body_pt(self) -> float | None:
        """The size with the most glyphs (ties: the larger size)."""
        if not self.text_sizes:
            return None
        return max(self.text_sizes.items(), key=lambda item: (item[1], item[0]))[0]

    @property
    def smallest_pt(self) -> float | None:
        return min(self.text_sizes) if self.text_sizes else None

    @property
    def page_size(self) -> str:
        if not self.page_sizes:
            return ""
        if len({size.key for size in self.page_sizes}) > 1:
            return "mixed page sizes"
        label = self.page_sizes[0].label(portrait=True)
        turned = [i for i, size in enumerate(self.page_sizes, 1) if size.landscape]
        if turned and len(turned) < len(self.page_sizes):
            label += f" ({_page_list(turned)} landscape)"
        elif turned:
            label += " landscape"
        return label

    @property
    def heading_range(self) -> str:
        if not self.headings:
            return "no headings"
        low, high = min(self.headings), max(self.headings)
        return f"headings H{low}–H{high}" if high > low else f"headings H{low} only"

    def summary(self) -> str:
        verdict = "PASS" if self.ok else f"FAIL ({_plural(len(self.errors), 'problem')})"
        if not self.is_pdf:
            return f"{self.path}: {verdict}"
        if not self.pages:
            return f"{self.path}: {verdict} — no pages"
        parts = [_plural(self.pages, "page"), self.page_size]
        if self.text_sizes:
            parts.append(f"body {self.body_pt:.1f} pt")
            parts.append(f"smallest {self.smallest_pt:.1f} pt")
        else:
            parts.append("no text")
        parts[-1] += f" ({self.edition.replace('-', ' ')} edition)"
        parts.append(self.heading_range)
        parts.append(f"PDF/UA-{self.pdfua_part}" if self.pdfua_part else "not PDF/UA")
        if self.verapdf is None:
            parts.append("veraPDF not run")
        elif self.verapdf.compliant:
            parts.append("veraPDF compliant")
        elif self.verapdf.compliant is None:
            parts.append("veraPDF could not validate it")
        else:
            parts.append(f"veraPDF: {_plural(len(self.verapdf.failed_rules), 'rule')} failed")
        return f"{self.path}: {verdict} — {', '.join(parts)}"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "path": self.path,
            "ok": self.ok,
            "pdf": self.is_pdf,
            "summary": self.summary(),
            "problems": [p.to_json() for p in self.problems],
        }
        if not self.is_pdf:
            return data
        data.update(
            pages=self.pages,
            page_size=self.page_size,
            page_sizes=[
                {
                    "page": i,
                    "width_pt": round(s.width_pt, 2),
                    "height_pt": round(s.height_pt, 2),
                    "label": s.label(),
                }
                for i, s in enumerate(self.page_sizes, 1)
            ],
            edition=self.edition,
            edition_from=self.edition_from,
            text={
                "body_pt": self.body_pt,
                "smallest_pt": self.smallest_pt,
                "smallest_page": self.smallest_page,
                "glyphs_by_size_pt": {
                    f"{size:.1f}": count for size, count in sorted(self.text_sizes.items())
                },
            },
            headings={"levels": self.headings, "summary": self.heading_range},
            tagged=self.tagged,
            lang=self.lang or None,
            title=self.title or None,
            display_doc_title=self.display_doc_title,
            pdfua_part=self.pdfua_part or None,
            fonts={"count": self.fonts, "unembedded": self.unembedded_fonts},
            figures={"count": self.figures, "without_alt": self.figures_without_alt},
            untagged_operations={str(page): n for page, n in self.untagged_operations.items()},
            verapdf=self.verapdf.to_json() if self.verapdf is not None else None,
        )
        return data


@dataclass
class AuditReport:
    files: list[FileAudit]
    notes: list[str] = field(default_factory=list)
    verapdf_version: str = ""

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "files": [f.to_json() for f in self.files],
            "verapdf": {"version": self.verapdf_version or None, "notes": self.notes},
        }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _page_list(pages: Sequence[int]) -> str:
    """'page 3', 'pages 1–2', 'pages 1, 4'."""
    if len(pages) == 1:
        return f"page {pages[0]}"
    if list(pages) == list(range(pages[0], pages[-1] + 1)):
        return f"pages {pages[0]}–{pages[-1]}"
    return "pages " + ", ".join(map(str, pages))


# --------------------------------------------------------------------------- entry points


def audit_files(
    paths: Sequence[Path],
    edition: Edition | str = Edition.auto,
    verapdf: bool | None = None,
    shown: Sequence[str] | None = None,
) -> AuditReport:
    """Audit every file; run veraPDF once for all PDFs (`verapdf`: None = when installed).

    `shown` are the paths as the user gave them (used in messages); default: ``str(path)``.
    Raises `RunError` only when veraPDF was asked for (`verapdf=True`) and is unavailable.
    """
    names = list(shown) if shown is not None else [str(p) for p in paths]
    audits = [audit_file(path, name, edition) for path, name in zip(paths, names, strict=True)]
    report = AuditReport(audits)
    if verapdf is False:
        return report
    tool = find_verapdf()
    if isinstance(tool, Unavailable):
        if verapdf:
            raise RunError(f"veraPDF is not available: {tool}")
        report.notes.append(f"veraPDF not run: {tool.reason} — {tool.fix}, or pass --no-verapdf")
        return report
    _add_verapdf(report, tool, [(Path(p), a) for p, a in zip(paths, audits, strict=True)])
    return report


def _add_verapdf(report: AuditReport, tool: Verapdf, files: list[tuple[Path, FileAudit]]) -> None:
    report.verapdf_version = tool.version
    pdfs = [(path, audit) for path, audit in files if audit.is_pdf]
    try:
        verdicts = validate(tool, [path for path, _ in pdfs])
    except RunError as exc:
        report.notes.append(f"veraPDF not run: {exc}")
        return
    for path, audit in pdfs:
        verdict = verdicts.get(path.resolve())
        if verdict is None:
            continue
        audit.verapdf = verdict
        if verdict.compliant is None:
            audit.problems.append(
                Problem(
                    audit.path,
                    f"veraPDF could not validate the file ({verdict.error})",
                    "open it in a PDF editor and save it again, then rerun the audit",
                    check="verapdf",
                )
            )
            continue
        for rule in verdict.failed_rules:
            where = f"page {rule.page}: " if rule.page else ""
            hint = f"first failure: {where}{rule.message}" if rule.message else ""
            audit.problems.append(
                Problem(
                    audit.path,
                    f"veraPDF {rule.rule_id} ({rule.specification} clause {rule.clause}), "
                    f"{_plural(rule.failed_checks, 'failed check')}: {rule.description}",
                    hint,
                    check="verapdf",
                )
            )


def audit_file(path: Path, shown: str | None = None, edition: Edition | str = "auto") -> FileAudit:
    """Audit one file (every check except veraPDF); never raises for a bad file."""
    name = shown if shown is not None else str(path)
    audit = FileAudit(name)
    problem = _not_a_pdf(path)
    if problem:
        audit.problems.append(Problem(name, *problem, check="file"))
        return audit
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        audit.problems.append(
            Problem(
                name,
                "the file needs a password to open",
                "audit the unprotected original: assistive technology cannot read it either",
                check="file",
            )
        )
        return audit
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        audit.problems.append(
            Problem(
                name,
                f"not a readable PDF ({_first_line(exc)})",
                "check that the file is a complete PDF (re-export or download it again)",
                check="file",
            )
        )
        return audit
    with pdf:
        audit.is_pdf = True
        try:
            _PdfAudit(pdf, audit, path, Edition(edition)).run()
        except (pikepdf.PdfError, RecursionError) as exc:
            audit.problems.append(
                Problem(
                    name,
                    f"the PDF is damaged and could not be checked completely ({_first_line(exc)})",
                    "re-export it from the original document",
                    check="file",
                )
            )
    return audit


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _not_a_pdf(path: Path) -> tuple[str, str] | None:
    if not path.exists():
        return "no such file", "check the path"
    if path.is_dir():
        return "is a folder, not a PDF file", "give the PDF files in it (e.g. folder/*.pdf)"
    try:
        with path.open("rb") as stream:
            head = stream.read(1024)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})", "check the file's permissions"
    if b"%PDF-" not in head:
        return (
            "not a PDF file (it does not start with %PDF-)",
            "audit checks PDF files only; export or print the document to PDF first",
        )
    return None


# --------------------------------------------------------------------------- the checks


class _PdfAudit:
    def __init__(self, pdf: pikepdf.Pdf, audit: FileAudit, path: Path, edition: Edition) -> None:
        self.pdf = pdf
        self.audit = audit
        self.path = path
        self.edition = edition
        self.page_numbers = {page.obj.objgen: i for i, page in enumerate(pdf.pages, 1)}
        self.page_text_sizes: dict[int, Counter[float]] = {}
        root = pdf.Root.get("/StructTreeRoot")
        self.struct_root = root if isinstance(root, Dictionary) else None
        try:
            self.metadata = pdf.open_metadata()
        except Exception:  # broken XMP is reported as missing metadata below
            self.metadata = None

    def error(self, message: str, hint: str, page: int | None = None, check: str = "") -> None:
        self.audit.problems.append(Problem(self.audit.path, message, hint, page, check))

    def xmp(self, key: str) -> str:
        if self.metadata is None:
            return ""
        try:
            value = self.metadata.get(key)
        except Exception:
            return ""
        return str(value).strip() if value else ""

    def run(self) -> None:
        self.audit.pages = len(self.pdf.pages)
        if not self.audit.pages:
            self.error("the PDF has no pages", "export the document again", check="file")
            return
        self.check_tagged()
        self.check_lang()
        self.check_title()
        self.check_pdfua()
        self.decide_edition()
        fonts = self.scan_content()
        self.check_fonts(fonts)
        if self.struct_root is not None:
            self.check_structure()
        self.check_text_sizes()
        self.check_page_sizes()

    # 1-4: document-level entries ------------------------------------------------------

    def check_tagged(self) -> None:
        mark_info = self.pdf.Root.get("/MarkInfo")
        marked = isinstance(mark_info, Dictionary) and mark_info.get("/Marked") is True
        self.audit.tagged = marked and self.struct_root is not None
        if self.struct_root is None:
            self.error(
                "not a tagged PDF: there is no structure tree (/StructTreeRoot), so screen "
                "readers get no headings, lists, tables or reading order",
                "export it again with tagging on ('Create tagged PDF', 'Document structure "
                "tags for accessibility'); handoutkit build tags every PDF",
                check="tagged",
            )
        if not marked:
            self.error(
                "the PDF is not marked as tagged (/MarkInfo /Marked true is missing)",
                "export it again with tagging on (PDF/UA needs /MarkInfo << /Marked true >>)",
                check="tagged",
            )

    def check_lang(self) -> None:
        lang = self.pdf.Root.get("/Lang")
        self.audit.lang = str(lang).strip() if isinstance(lang, pikepdf.String) else ""
        if not self.audit.lang:
            self.error(
                "no document language (/Lang): screen readers will guess how to pronounce it",
                'set the document language when exporting (HTML: <html lang="en">)',
                check="lang",
            )

    def check_title(self) -> None:
        info_title = str(self.pdf.docinfo.get("/Title", "")).strip()
        xmp_title = self.xmp("dc:title")
        self.audit.title = xmp_title or info_title
        prefs = self.pdf.Root.get("/ViewerPreferences")
        self.audit.display_doc_title = (
            isinstance(prefs, Dictionary) and prefs.get("/DisplayDocTitle") is True
        )
        if not self.audit.title:
            self.error(
                "no document title (XMP dc:title and Info /Title are empty)",
                "give the document a title in its properties (HTML: <title>)",
                check="title",
            )
        elif not xmp_title:
            self.error(
                "the title is only in the document information dictionary, not in the XMP "
                "metadata (dc:title) that PDF/UA requires",
                "export it again as PDF/UA, or add dc:title to the XMP metadata",
                check="title",
            )
        if not self.audit.display_doc_title:
            self.error(
                "the window shows the file name, not the title "
                "(/ViewerPreferences /DisplayDocTitle is not true)",
                "turn on 'show document title' in the export's initial view settings",
                check="title",
            )

    def check_pdfua(self) -> None:
        self.audit.pdfua_part = self.xmp("pdfuaid:part")
        if not self.audit.pdfua_part:
            self.error(
                "the PDF does not claim PDF/UA conformance (no pdfuaid:part in the XMP metadata)",
                "export it as PDF/UA (handoutkit build does), after fixing the other problems",
                check="pdfua",
            )

    def decide_edition(self) -> None:
        if self.edition is not Edition.auto:
            self.audit.edition, self.audit.edition_from = self.edition.value, "option"
            return
        keywords = f"{self.pdf.docinfo.get('/Keywords', '')} {self.xmp('pdf:Keywords')}"
        if re.search(r"large[\s-]print", keywords, re.IGNORECASE):
            self.audit.edition, self.audit.edition_from = "large-print", "keywords"
        elif "large-print" in self.path.name.lower():
            self.audit.edition, self.audit.edition_from = "large-print", "file name"
        else:
            self.audit.edition, self.audit.edition_from = "standard", "default"

    # 5, 7, 9: content streams --------------------------------------------------------------

    def scan_content(self) -> dict[tuple[int, int], tuple[str, int, Dictionary]]:
        scanner = _Scanner(self.struct_root)
        for number, page in enumerate(self.pdf.pages, 1):
            try:
                scan = scanner.scan_page(page, number)
            except pikepdf.PdfError as exc:
                self.error(
                    f"the page's content cannot be read ({_first_line(exc)})",
                    "re-export the document",
                    page=number,
                    check="content",
                )
                continue
            for size, count in scan.sizes.items():
                self.audit.text_sizes[size] += count
            self.page_text_sizes[number] = scan.sizes
            if self.struct_root is not None and (scan.untagged or scan.orphaned):
                self.report_untagged(number, scan.untagged, scan.orphaned)
        return scanner.fonts

    def report_untagged(self, page: int, untagged: int, orphaned: int) -> None:
        total = untagged + orphaned
        self.audit.untagged_operations[page] = total
        detail = ""
        if untagged and orphaned:
            detail = (
                f" ({untagged} outside any tag, {orphaned} with marked-content ids that no "
                "structure element in the tree claims)"
            )
        elif orphaned:
            detail = " (tagged with marked-content ids no structure element in the tree claims)"
        self.error(
            f"{_plural(total, 'text/graphics operation')} "
            f"{'is' if total == 1 else 'are'} neither tagged nor marked as "
            f"{'an artifact' if total == 1 else 'artifacts'}{detail}",
            "screen readers skip or misread such content; tag it as real content, or mark "
            "decoration, headers and footers as artifacts, in the authoring tool",
            page=page,
            check="untagged-content",
        )

    def check_fonts(self, fonts: dict[tuple[int, int], tuple[str, int, Dictionary]]) -> None:
        self.audit.fonts = len(fonts)
        for name, page, font in sorted(fonts.values(), key=lambda item: (item[1], item[0])):
            if _font_embedded(font):
                continue
            self.audit.unembedded_fonts.append(name)
            self.error(
                f"font '{name}' is not embedded",
                "embed all fonts when exporting (PDF/UA requires it, and the text may "
                "look and read differently on other computers otherwise)",
                page=page,
                check="fonts",
            )

    def check_text_sizes(self) -> None:
        audit = self.audit
        if not audit.text_sizes:
            self.error(
                "the PDF has no text: its pages are images only (a scan?)",
                "screen readers need real text; export from the original document or run OCR",
                check="text-size",
            )
            return
        smallest = audit.smallest_pt
        audit.smallest_page = next(
            (page for page, sizes in self.page_text_sizes.items() if smallest in sizes), None
        )
        body = audit.body_pt
        large = audit.edition == "large-print"
        body_floor = LARGE_PRINT_MIN_PT if large else MIN_STANDARD_BODY_PT
        if body is not None and body < body_floor - _SIZE_TOLERANCE:
            edition = "large print" if large else "standard print"
            self.error(
                f"body text is {body:.1f} pt (the size of most of the text); {edition} needs "
                f"at least {body_floor:.0f} pt",
                f"set the body text to {body_floor:.0f} pt or more"
                + (" (ACB Large Print Guidelines 2022)" if large else " (APH guidelines)"),
                check="text-size",
            )
        floor = LARGE_PRINT_MIN_PT if large else MIN_STANDARD_TEXT_PT
        for page, sizes in self.page_text_sizes.items():
            small = {size: n for size, n in sizes.items() if size < floor - _SIZE_TOLERANCE}
            if not small:
                continue
            count = sum(small.values())
            chars = _plural(count, "character")
            if large:
                message = (
                    f"{chars} smaller than 18 pt (smallest {min(small):.1f} pt); large print "
                    "needs 18 pt for all text, footers and footnotes included"
                )
                hint = "raise all text on the page to 18 pt (ACB Large Print Guidelines 2022)"
            else:
                message = f"{chars} smaller than {floor:.0f} pt (smallest {min(small):.1f} pt)"
                hint = f"make all text at least {floor:.0f} pt; such small print is unreadable"
            self.error(message, hint, page=page, check="text-size")

    # 6, 8: the structure tree ----------------------------------------------------------------

    def check_structure(self) -> None:
        assert self.struct_root is not None
        role_map = self.struct_root.get("/RoleMap")
        headings: list[tuple[int, int | None]] = []
        for elem, page in _walk_structure(self.struct_root, self.page_numbers):
            role = _standard_role(elem.get("/S"), role_map)
            if role == "/Figure":
                self.audit.figures += 1
                alt = str(elem.get("/Alt", "")).strip() or str(elem.get("/ActualText", "")).strip()
                if not alt:
                    self.audit.figures_without_alt += 1
                    self.error(
                        "an image (Figure) has no alternative text (/Alt)",
                        "describe the image in its alt text, or mark it as decorative "
                        "(an artifact) if it carries no information",
                        page=page,
                        check="figure-alt",
                    )
            elif re.fullmatch(r"/H[1-6]", role):
                headings.append((int(role[2]), page))
        self.audit.headings = [level for level, _page in headings]
        self.check_headings(headings)

    def check_headings(self, headings: list[tuple[int, int | None]]) -> None:
        hint = "tag the document title as H1 and each section one level below its parent"
        if not headings:
            self.error(
                "no headings are tagged (H1–H6): screen-reader users cannot jump between sections",
                hint,
                check="headings",
            )
            return
        first, page = headings[0]
        if first != 1:
            has_h1 = any(level == 1 for level, _ in headings)
            self.error(
                f"the first heading is H{first}, not H1"
                + ("" if has_h1 else " (there is no H1 at all)"),
                hint,
                page=page,
                check="headings",
            )
        for (previous, _), (level, page) in itertools.pairwise(headings):
            if level > previous + 1:
                self.error(
                    f"heading level skipped: H{level} follows H{previous}",
                    f"make it H{previous + 1}, or tag the heading before it one level deeper",
                    page=page,
                    check="headings",
                )

    # 10: page sizes --------------------------------------------------------------------------

    def check_page_sizes(self) -> None:
        for page in self.pdf.pages:
            self.audit.page_sizes.append(_page_size(page))
        groups: dict[str, list[int]] = {}
        for number, size in enumerate(self.audit.page_sizes, 1):
            groups.setdefault(size.key, []).append(number)
        if len(groups) > 1:
            described = "; ".join(
                f"{_page_list(pages)} {self.audit.page_sizes[pages[0] - 1].label(portrait=True)}"
                for pages in groups.values()
            )
            self.error(
                f"the pages have different paper sizes: {described}",
                "use one paper size for the whole document, so it prints on one kind of paper",
                check="page-size",
            )


def _page_size(page: pikepdf.Page) -> PageSize:
    box = [float(v) for v in page.cropbox]
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    unit = page.obj.get("/UserUnit")
    if isinstance(unit, int | float | Decimal):
        width, height = width * float(unit), height * float(unit)
    rotate = _inherited(page.obj, "/Rotate")
    quarter = isinstance(rotate, int) and rotate % 180 == 90
    return PageSize(height, width) if quarter else PageSize(width, height)


def _inherited(node: Dictionary, key: str) -> object | None:
    """An inheritable page attribute (/Resources, /Rotate …) from the page or its parents."""
    for _ in range(64):
        if key in node:
            return node.get(key)
        parent = node.get("/Parent")
        if not isinstance(parent, Dictionary):
            return None
        node = parent
    return None


def _standard_role(role: object, role_map: object) -> str:
    name = str(role) if role is not None else ""
    seen = set()
    while (
        isinstance(role_map, Dictionary)
        and name not in _STANDARD_ROLES
        and name in role_map
        and name not in seen
    ):
        seen.add(name)
        name = str(role_map.get(name))
    return name


def _walk_structure(
    struct_root: Dictionary, page_numbers: dict[tuple[int, int], int]
) -> Iterable[tuple[Dictionary, int | None]]:
    """Structure elements reachable from the root in reading order, with their page."""

    def page_of(obj: object) -> int | None:
        pg = obj.get("/Pg") if isinstance(obj, Dictionary) else None
        return page_numbers.get(pg.objgen) if isinstance(pg, Dictionary) else None

    seen: set[tuple[int, int]] = set()
    stack: list[tuple[object, int | None]] = [(kid, None) for kid in reversed(kids(struct_root))]
    while stack:
        node, inherited = stack.pop()
        if not is_struct_elem(node):
            continue
        assert isinstance(node, Dictionary)
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        page = page_of(node) or inherited
        if page is None:  # no /Pg here or above: the first marked-content reference's
            page = next((p for p in map(page_of, kids(node)) if p is not None), None)
        yield node, page
        stack.extend((kid, page) for kid in reversed(kids(node)))


def _font_embedded(font: Dictionary) -> bool:
    subtype = font.get("/Subtype")
    if subtype == Name.Type3:
        return True  # glyphs are content streams in the file
    target = font
    if subtype == Name.Type0:
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, Array) or len(descendants) == 0:
            return False
        target = descendants[0]
    descriptor = target.get("/FontDescriptor") if isinstance(target, Dictionary) else None
    return isinstance(descriptor, Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


# --------------------------------------------------------------------------- content walk


@dataclass
class _PageScan:
    untagged: int = 0
    orphaned: int = 0
    sizes: Counter[float] = field(default_factory=Counter)  # pt (0.1) → glyphs


@dataclass
class _State:
    """The parts of the graphics state that matter here (saved by q, restored by Q)."""

    ctm: Matrix = IDENTITY
    font: Dictionary | None = None
    font_size: float = 0.0
    render_mode: int = 0

    def copy(self) -> _State:
        return _State(self.ctm, self.font, self.font_size, self.render_mode)


class _Scanner:
    """Walks page content (and the forms it draws) for marks, text sizes and fonts."""

    def __init__(self, struct_root: Dictionary | None) -> None:
        self.tree: pikepdf.NumberTree | None = None
        self.reachable: set[tuple[int, int]] = set()
        if struct_root is not None:
            self.reachable = reachable_elements(struct_root)
            parent_tree = struct_root.get("/ParentTree")
            if isinstance(parent_tree, Dictionary):
                self.tree = pikepdf.NumberTree(parent_tree)
        self._claimed: dict[int, set[int]] = {}
        # font id → (name, first page, font dictionary)
        self.fonts: dict[tuple[int, int], tuple[str, int, Dictionary]] = {}
        self.page = 0

    def claimed_mcids(self, key: int | None) -> set[int]:
        """MCIDs of ParentTree entry `key` that map to an element in the tree."""
        if key is None or self.tree is None:
            return set()
        if key not in self._claimed:
            try:
                entry = self.tree.get(key)
            except (pikepdf.PdfError, TypeError, ValueError):
                entry = None
            claimed = set()
            if isinstance(entry, Array):
                for mcid, ref in enumerate(entry):
                    if is_struct_elem(ref) and ref.is_indirect and ref.objgen in self.reachable:
                        claimed.add(mcid)
            self._claimed[key] = claimed
        return self._claimed[key]

    def element_in_tree(self, key: int) -> bool:
        if self.tree is None:
            return False
        try:
            ref = self.tree.get(key)
        except (pikepdf.PdfError, TypeError, ValueError):
            return False
        return is_struct_elem(ref) and ref.is_indirect and ref.objgen in self.reachable

    def scan_page(self, page: pikepdf.Page, number: int) -> _PageScan:
        self.page = number
        scan = _PageScan()
        key = page.obj.get("/StructParents")
        resources = _inherited(page.obj, "/Resources")
        instructions = pikepdf.parse_content_stream(page)
        self.walk(
            instructions,
            resources if isinstance(resources, Dictionary) else None,
            _State(),
            int(key) if isinstance(key, int) else None,
            _Mark.NONE,
            scan,
            [],
        )
        return scan

    def walk(
        self,
        instructions: Iterable[object],
        resources: Dictionary | None,
        state: _State,
        key: int | None,
        base: _Mark,
        scan: _PageScan,
        forms: list[tuple[int, int]],
    ) -> None:
        claimed = self.claimed_mcids(key)
        marks = [base]  # the effective mark of each open sequence
        saved: list[_State] = []
        state = state.copy()
        text_matrix = IDENTITY

        def paint(count: int = 1) -> None:
            if marks[-1] is _Mark.NONE:
                scan.untagged += count
            elif marks[-1] is _Mark.ORPHAN:
                scan.orphaned += count

        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                paint()
                continue
            operands, operator = instruction  # type: ignore[misc]
            op = str(operator)
            if op in TEXT_SHOW:
                paint()
                self.measure(operands, op, state, text_matrix, scan)
            elif op in _PAINT_PATH or op == "sh":
                paint()
            elif op == "q":
                saved.append(state.copy())
            elif op == "Q":
                if saved:
                    state = saved.pop()
            elif op == "cm":
                m = matrix(operands)
                if m is not None:
                    state.ctm = mul(m, state.ctm)
            elif op == "BT":
                text_matrix = IDENTITY
            elif op == "Tm":
                text_matrix = matrix(operands) or text_matrix
            elif op == "Tf" and len(operands) == 2:
                self.set_font(operands, resources, state)
            elif op == "Tr" and operands:
                render_mode = operands[0]
                if isinstance(render_mode, int):
                    state.render_mode = render_mode
            elif op in ("BDC", "BMC"):
                own = _Mark.NONE
                if operands and operands[0] == Name.Artifact:
                    own = _Mark.OK
                elif op == "BDC":
                    mcid = mcid_of(list(operands), resources)
                    if mcid is not None:
                        own = _Mark.OK if mcid in claimed else _Mark.ORPHAN
                marks.append(max(marks[-1], own))
            elif op == "EMC":
                if len(marks) > 1:
                    marks.pop()
            elif op == "Do" and operands and resources is not None:
                self.draw(operands[0], resources, state, key, marks[-1], scan, forms, paint)

    def draw(
        self,
        name: object,
        resources: Dictionary,
        state: _State,
        key: int | None,
        mark: _Mark,
        scan: _PageScan,
        forms: list[tuple[int, int]],
        paint: Callable[[], None],
    ) -> None:
        xobjects = resources.get("/XObject")
        xobject = xobjects.get(str(name)) if isinstance(xobjects, Dictionary) else None
        if not isinstance(xobject, pikepdf.Stream):
            return
        subtype = xobject.get("/Subtype")
        if subtype == Name.Image:
            paint()
            return
        if subtype != Name.Form or xobject.objgen in forms or len(forms) >= _MAX_FORM_DEPTH:
            return
        inner = state.copy()
        form_matrix = matrix(xobject.get("/Matrix", Array(IDENTITY)))
        if form_matrix is not None:
            inner.ctm = mul(form_matrix, inner.ctm)
        form_key = key
        if isinstance(xobject.get("/StructParents"), int):
            form_key = int(xobject.StructParents)
        parent_key = xobject.get("/StructParent")
        if isinstance(parent_key, int) and self.element_in_tree(parent_key):
            mark = _Mark.OK  # the whole form is one content item of an element in the tree
        form_resources = xobject.get("/Resources")
        self.walk(
            pikepdf.parse_content_stream(xobject),
            form_resources if isinstance(form_resources, Dictionary) else resources,
            inner,
            form_key,
            mark,
            scan,
            [*forms, xobject.objgen],
        )

    def set_font(self, operands: object, resources: Dictionary | None, state: _State) -> None:
        name, size = operands[0], operands[1]  # type: ignore[index]
        try:
            state.font_size = float(size)
        except (TypeError, ValueError):
            state.font_size = 0.0
        fonts = resources.get("/Font") if resources is not None else None
        font = fonts.get(str(name)) if isinstance(fonts, Dictionary) else None
        state.font = font if isinstance(font, Dictionary) else None
        if state.font is not None:
            ident = font.objgen if font.is_indirect else (id(font), 0)
            if ident not in self.fonts:
                base = str(font.get("/BaseFont", name)).lstrip("/")
                self.fonts[ident] = (base, self.page, font)

    def measure(
        self, operands: object, op: str, state: _State, text_matrix: Matrix, scan: _PageScan
    ) -> None:
        if state.render_mode in _INVISIBLE:
            return
        items = list(operands)  # type: ignore[call-overload]
        shown = items[-1] if items else None
        strings = list(shown) if isinstance(shown, Array) else [shown]
        width = 2 if state.font is not None and state.font.get("/Subtype") == Name.Type0 else 1
        glyphs = sum(len(bytes(s)) // width for s in strings if isinstance(s, pikepdf.String))
        if not glyphs:
            return
        _a, _b, c, d, _e, _f = mul(text_matrix, state.ctm)
        size = round(abs(state.font_size) * math.hypot(c, d), 1)
        scan.sizes[size] += glyphs
