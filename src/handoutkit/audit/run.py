"""`handoutkit audit` as a library call: check files one by one, then veraPDF once for all.

A file that is not a PDF, needs a password or is damaged gets a problem, never an exception, so
one bad file in a batch does not hide the others' results.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pikepdf

from handoutkit.audit.checks import Edition, PdfChecks
from handoutkit.audit.report import AuditReport, FileAudit, Problem, first_line, plural
from handoutkit.audit.verapdf import RunError, Unavailable, Verapdf, find_verapdf, validate


def audit_files(
    paths: Sequence[Path],
    edition: Edition | str = Edition.auto,
    verapdf: bool | None = None,
    shown: Sequence[str] | None = None,
    flavours: Sequence[str] = ("ua1",),
) -> AuditReport:
    """Audit every file; run veraPDF once for all PDFs per validation profile in `flavours`
    (veraPDF's names: ua1, ua2, wt1a…; `verapdf`: None = when installed).

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
    files = [(Path(p), a) for p, a in zip(paths, audits, strict=True)]
    for flavour in dict.fromkeys(flavours):
        _add_verapdf(report, tool, files, flavour)
    return report


def _add_verapdf(
    report: AuditReport, tool: Verapdf, files: list[tuple[Path, FileAudit]], flavour: str
) -> None:
    report.verapdf_version = tool.version
    pdfs = [(path, audit) for path, audit in files if audit.is_pdf]
    try:
        verdicts = validate(tool, [path for path, _ in pdfs], flavour)
    except RunError as exc:
        report.notes.append(f"veraPDF not run ({flavour}): {exc}")
        return
    for path, audit in pdfs:
        verdict = verdicts.get(path.resolve())
        if verdict is None:
            continue
        verdict.flavour = flavour
        audit.verapdf_verdicts.append(verdict)
        if audit.verapdf is None:
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
                    f"veraPDF {'' if flavour == 'ua1' else flavour + ' '}{rule.rule_id} "
                    f"({rule.specification} clause {rule.clause}), "
                    f"{plural(rule.failed_checks, 'failed check')}: {rule.description}",
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
                f"not a readable PDF ({first_line(exc)})",
                "check that the file is a complete PDF (re-export or download it again)",
                check="file",
            )
        )
        return audit
    with pdf:
        audit.is_pdf = True
        try:
            PdfChecks(pdf, audit, path, Edition(edition)).run()
        except (pikepdf.PdfError, RecursionError) as exc:
            audit.problems.append(
                Problem(
                    name,
                    f"the PDF is damaged and could not be checked completely ({first_line(exc)})",
                    "re-export it from the original document",
                    check="file",
                )
            )
    return audit


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
