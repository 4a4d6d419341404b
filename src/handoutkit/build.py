"""Publish stage: check, then render and print every document × edition × paper size.

A document with errors, or whose rendering fails, is reported and skipped; the others still
build. Outputs are written atomically (temporary file, then rename in the same folder), so a
failure never leaves a partial file and an earlier good output stays in place.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handoutkit.checks import check_project
from handoutkit.diagnostics import Diagnostic, Diagnostics, Location, UserError
from handoutkit.loader import Project, SourceDocument

FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class OutputSpec:
    document: SourceDocument
    edition: str
    paper: str

    def relative_path(self, fmt: str) -> Path:
        """Stable output name, e.g. ketamine-bpd/handout.en.standard.letter.pdf.

        The HTML does not depend on the paper size, so it is named without it.
        """
        paper = "" if fmt == "html" else f".{self.paper}"
        return Path(self.document.topic, f"{self.document.stem}.{self.edition}{paper}.{fmt}")


@dataclass
class OutputResult:
    spec: OutputSpec
    status: str  # "built" or "failed"
    paths: list[Path] = field(default_factory=list)
    pages: int = 0
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass
class BuildReport:
    diagnostics: Diagnostics
    results: list[OutputResult]

    @property
    def failed(self) -> list[OutputResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and bool(self.results)


def plan(project: Project) -> list[OutputSpec]:
    config = project.config
    return [
        OutputSpec(document, edition, paper)
        for document in project.documents
        for edition in config.editions
        for paper in config.paper_sizes
    ]


def build_project(
    project: Project,
    out_dir: Path,
    *,
    today: dt.date,
    formats: Iterable[str] = ("pdf",),
    strict: bool = False,
    whole_project: bool = True,
) -> BuildReport:
    formats = tuple(formats)
    diagnostics = check_project(project, today, whole_project=whole_project)
    blocked = _blocked_documents(project, diagnostics, strict)
    results: list[OutputResult] = []
    specs = plan(project)
    if not specs:
        return BuildReport(diagnostics, results)
    from handoutkit.printer import Printer
    from handoutkit.render import Renderer

    renderer = Renderer(project)
    printer: Printer | None = None
    rendered: dict[tuple[str, str], str] = {}  # (document, edition) -> HTML; paper-independent
    for spec in specs:
        document = spec.document
        reason = blocked.get(document.shown)
        if reason is not None:
            results.append(OutputResult(spec, "failed", problems=[reason]))
            continue
        key = (document.shown, spec.edition)
        first_paper = key not in rendered
        outputs: dict[str, bytes] = {}
        pages = 0
        try:
            if first_paper:
                rendered[key] = renderer.render(document, spec.edition).html
            html = rendered[key]
            if "pdf" in formats:
                printer = printer or Printer(project.root)
                printed = printer.print_pdf(html, spec.edition, spec.paper, document.shown)
                outputs["pdf"] = printed.pdf
                pages = printed.pages
            if "html" in formats and first_paper:
                outputs["html"] = html.encode("utf-8")
        except UserError as exc:
            problems = exc.diagnostics or [_located(document, str(exc))]
            results.append(OutputResult(spec, "failed", problems=problems))
            continue
        paths = [
            write_atomic(out_dir, spec.relative_path(fmt), data) for fmt, data in outputs.items()
        ]
        results.append(OutputResult(spec, "built", paths, pages))
    return BuildReport(diagnostics, results)


def _blocked_documents(
    project: Project, diagnostics: Diagnostics, strict: bool
) -> dict[str, Diagnostic]:
    """Documents that must not build, with the reason shown for each of their outputs."""
    counts = {d.shown: 0 for d in project.documents}
    shared_problem = False
    for diagnostic in diagnostics:
        if diagnostic.severity.value == "warning" and not strict:
            continue
        if diagnostic.location.path in counts:
            counts[diagnostic.location.path] += 1
        else:
            shared_problem = True
    blocked = {}
    for document in project.documents:
        if counts[document.shown]:
            blocked[document.shown] = _located(
                document,
                f"not built: {counts[document.shown]} problem(s) in this document",
                "fix the problems listed above",
            )
        elif shared_problem:
            blocked[document.shown] = _located(
                document,
                "not built: the project's shared data or configuration has problems",
                "fix the problems listed above",
            )
    return blocked


def _located(document: SourceDocument, message: str, hint: str = "") -> Diagnostic:
    diagnostics = Diagnostics()
    diagnostics.error(Location(document.shown), message, hint, rule="build")
    return diagnostics[0]


def write_atomic(out_dir: Path, relative: Path, data: bytes) -> Path:
    """Write `data` to out_dir/relative via a temporary file and an atomic rename."""
    out_root = out_dir.resolve()
    target = (out_root / relative).resolve()
    if not target.is_relative_to(out_root):  # names are validated slugs; this is a backstop
        raise UserError(f"refusing to write outside the output folder: {relative}")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
