"""What `handoutkit audit` reports: located problems, what was measured in each file, and their
text and JSON forms (the JSON is a public format: scripts and CI read it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from handoutkit.audit.verapdf import FileVerdict
from handoutkit.rules import RULES

PAPERS = (  # name, width × height in pt (portrait), unit to show the size in
    ("Letter", 612.0, 792.0, "in"),
    ("Legal", 612.0, 1008.0, "in"),
    ("Tabloid", 792.0, 1224.0, "in"),
    ("A5", 419.53, 595.28, "mm"),
    ("A4", 595.28, 841.89, "mm"),
    ("A3", 841.89, 1190.55, "mm"),
)


@dataclass(frozen=True)
class Problem:
    """One located problem (``severity`` is ``error``, or ``note`` for information).

    ``check`` is the id of the audit rule it breaks, from `handoutkit.rules` (JSON consumers and
    the README's rules table key on it), so an id the registry does not know is a bug.
    """

    path: str
    message: str
    hint: str = ""
    page: int | None = None
    check: str = field(kw_only=True)
    severity: str = "error"

    def __post_init__(self) -> None:
        rule = RULES.get(self.check)
        if rule is None or rule.stage != "audit":  # a bug in handoutkit, caught by its tests
            raise ValueError(f"audit problem without a registered audit rule id: {self.check!r}")

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
    """A page as it prints: crop box × /UserUnit, turned by /Rotate, in pt."""

    width_pt: float
    height_pt: float

    @property
    def paper(self) -> tuple[str, str] | None:
        """(name, unit) of a known paper size in either orientation."""
        short, long = sorted((self.width_pt, self.height_pt))
        for name, width, height, unit in PAPERS:
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
            return f"{paper[0]} {number(width / 72)}×{number(height / 72)} in"
        size = f"{width / 72 * 25.4:.0f}×{height / 72 * 25.4:.0f} mm"
        return f"{paper[0]} {size}" if paper is not None else size


def number(value: float) -> str:
    """A size without trailing zeros: 8.5, 11."""
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
    verapdf: FileVerdict | None = None  # the first validation profile's verdict
    verapdf_verdicts: list[FileVerdict] = field(default_factory=list)  # every profile's
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
            label += f" ({page_list(turned)} landscape)"
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
        verdict = "PASS" if self.ok else f"FAIL ({plural(len(self.errors), 'problem')})"
        if not self.is_pdf:
            return f"{self.path}: {verdict}"
        if not self.pages:
            return f"{self.path}: {verdict} — no pages"
        parts = [plural(self.pages, "page"), self.page_size]
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
        for result in self.verapdf_verdicts:
            flavour = f" {result.flavour}" if len(self.verapdf_verdicts) > 1 else ""
            if result.compliant:
                parts.append(f"veraPDF{flavour} compliant")
            elif result.compliant is None:
                parts.append(f"veraPDF{flavour} could not validate it")
            else:
                rules = plural(len(result.failed_rules), "rule")
                parts.append(f"veraPDF{flavour}: {rules} failed")
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
            verapdf_profiles=[verdict.to_json() for verdict in self.verapdf_verdicts],
        )
        return data


@dataclass
class AuditReport:
    """Every file's audit, with veraPDF's version and notes (why it did not run)."""

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


def plural(count: int, word: str) -> str:
    """'1 page', '2 pages'."""
    return f"{count} {word}{'s' * (count != 1)}"


def page_list(pages: Sequence[int]) -> str:
    """'page 3', 'pages 1–2', 'pages 1, 4'."""
    if len(pages) == 1:
        return f"page {pages[0]}"
    if list(pages) == list(range(pages[0], pages[-1] + 1)):
        return f"pages {pages[0]}–{pages[-1]}"
    return "pages " + ", ".join(map(str, pages))


def first_line(exc: BaseException) -> str:
    """The first line of an error from pikepdf or qpdf, short enough for a problem message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
