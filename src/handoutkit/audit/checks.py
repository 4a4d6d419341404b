"""The checks `handoutkit audit` runs on one open PDF.

Each check that fails gives one located line per problem, ``path: page N: error: what is
wrong — how to fix`` (``path: error: …`` when the problem is not on one page), with the id of
its rule in `handoutkit.rules`:

1. tagged: ``/MarkInfo /Marked true`` and a ``/StructTreeRoot``;
2. ``/Lang`` on the catalog;
3. a title (XMP ``dc:title``, Info ``/Title``) shown in the window (``DisplayDocTitle``);
4. PDF/UA identification (XMP ``pdfuaid:part``);
5. every font used is embedded (Type0 through its descendant font; Type3 counts as embedded);
6. every ``Figure`` has ``/Alt`` (or ``/ActualText``);
7. every painting operator is inside an ``/Artifact`` or inside marked content whose MCID the
   page's ``/ParentTree`` entry maps to a structure element reachable from the root (the rule
   `handoutkit.pdf.tags` uses to find WeasyPrint's margin boxes), counted per page;
8. heading levels: H1 first, no level skipped on the way down;
9. text sizes as printed (Tf size × text matrix × CTM), with thresholds per edition;
10. page size, and one size for all pages;
11. what a screen reader gets (`handoutkit.audit.reading`): split tables and lists, link
    descriptions, header cell scope, citation numbers fused with digits;
12. form fields (`handoutkit.audit.forms`): tab order equal to the order they are read,
    each in a Form element with an accessible name;
13. veraPDF's PDF/UA-1 verdict, when veraPDF is installed (`handoutkit.audit.verapdf`, run
    once for all files by `handoutkit.audit.run`).

Checks 5, 7 and 9 read the content streams (`handoutkit.audit.scan`); the others read the
catalog, the metadata and the structure tree.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from handoutkit.audit.forms import form_problems
from handoutkit.audit.reading import reading_problems
from handoutkit.audit.report import FileAudit, PageSize, Problem, first_line, page_list, plural
from handoutkit.audit.scan import ContentScanner, FontUse
from handoutkit.pdf.read import inherited, is_struct_elem, kids

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
_STANDARD_ROLES = {f"/H{n}" for n in range(1, 7)} | {"/Figure", "/H"}


class Edition(StrEnum):
    """Which text-size rules apply; `auto` decides per file (keywords, then file name)."""

    auto = "auto"
    standard = "standard"
    large_print = "large-print"


# --------------------------------------------------------------------------- the checks


class PdfChecks:
    """Runs every check but veraPDF on one open PDF, filling in its `FileAudit`."""

    def __init__(self, pdf: pikepdf.Pdf, audit: FileAudit, path: Path, edition: Edition) -> None:
        self.pdf = pdf
        self.audit = audit
        self.path = path
        self.edition = edition
        self.page_numbers = {page.obj.objgen: i for i, page in enumerate(pdf.pages, 1)}
        self.page_text_sizes: dict[int, Counter[float]] = {}
        root = pdf.Root.get("/StructTreeRoot")
        self.struct_root = root if isinstance(root, Dictionary) else None
        self.metadata: pikepdf.models.metadata.PdfMetadata | None
        try:
            self.metadata = pdf.open_metadata()
        except Exception:  # broken XMP is reported as missing metadata below
            self.metadata = None

    def error(self, message: str, hint: str, page: int | None = None, *, check: str) -> None:
        self.audit.problems.append(Problem(self.audit.path, message, hint, page, check=check))

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
            self.audit.problems.extend(
                reading_problems(self.pdf, self.struct_root, self.audit.path)
            )
        self.audit.problems.extend(form_problems(self.pdf, self.audit.path))
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

    def scan_content(self) -> list[FontUse]:
        scanner = ContentScanner(self.struct_root)
        for number, page in enumerate(self.pdf.pages, 1):
            try:
                scan = scanner.scan_page(page, number)
            except pikepdf.PdfError as exc:
                self.error(
                    f"the page's content cannot be read ({first_line(exc)})",
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
        return list(scanner.fonts.values())

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
            f"{plural(total, 'text/graphics operation')} "
            f"{'is' if total == 1 else 'are'} neither tagged nor marked as "
            f"{'an artifact' if total == 1 else 'artifacts'}{detail}",
            "screen readers skip or misread such content; tag it as real content, or mark "
            "decoration, headers and footers as artifacts, in the authoring tool",
            page=page,
            check="untagged-content",
        )

    def check_fonts(self, fonts: list[FontUse]) -> None:
        self.audit.fonts = len(fonts)
        for use in sorted(fonts, key=lambda use: (use.page, use.name)):
            if _font_embedded(use.font):
                continue
            self.audit.unembedded_fonts.append(use.name)
            self.error(
                f"font '{use.name}' is not embedded",
                "embed all fonts when exporting (PDF/UA requires it, and the text may "
                "look and read differently on other computers otherwise)",
                page=use.page,
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
            chars = plural(count, "character")
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
                f"{page_list(pages)} {self.audit.page_sizes[pages[0] - 1].label(portrait=True)}"
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
    rotate = inherited(page.obj, "/Rotate")
    quarter = isinstance(rotate, int) and rotate % 180 == 90
    return PageSize(height, width) if quarter else PageSize(width, height)


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
    target: object = font
    if subtype == Name.Type0:
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, Array) or len(descendants) == 0:
            return False
        target = descendants[0]
    descriptor = target.get("/FontDescriptor") if isinstance(target, Dictionary) else None
    return isinstance(descriptor, Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )
