"""veraPDF: find the cached Greenfield CLI, run it once for many files, read its report.

``scripts/verapdf --fetch`` downloads veraPDF from Maven Central into
``${VERAPDF_CACHE:-~/.cache/handoutkit/verapdf}/<VERAPDF_VERSION or 1.30.2>/lib`` and
marks the folder complete with a ``.complete`` file; this module finds that cache the same
way, runs ``org.verapdf.apps.GreenfieldCliWrapper`` with the machine-readable XML report and
turns the report into `FileVerdict`s.  ``handoutkit audit`` uses it, and so does
``scripts/verapdf``, which runs this file directly (``python3 src/handoutkit/audit/verapdf.py
summarise REPORT STATUS``) to print its summary: the report is read in one place only.

Standard library only, so the script can use it with any Python 3 and no virtual environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_VERSION = "1.30.2"
MAIN_CLASS = "org.verapdf.apps.GreenfieldCliWrapper"
FETCH_HINT = "run scripts/verapdf --fetch once (needs Java 11+ and Maven)"
#: veraPDF takes a few seconds per file; this bounds a hung JVM, not a normal run.
TIMEOUT_S = 1800


@dataclass(frozen=True)
class Verapdf:
    """A runnable veraPDF: the java binary and the cached ``lib`` folder."""

    java: str
    lib: Path
    version: str
    java_opts: tuple[str, ...] = ()

    def command(self, *args: str) -> list[str]:
        return [self.java, *self.java_opts, "-cp", str(self.lib / "*"), MAIN_CLASS, *args]


@dataclass(frozen=True)
class Unavailable:
    """Why veraPDF cannot run here, and how to get it."""

    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.reason} — {self.fix}"


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``<cache>/<version>``: where scripts/verapdf --fetch puts veraPDF."""
    root = env.get("VERAPDF_CACHE") or str(Path.home() / ".cache" / "handoutkit" / "verapdf")
    return Path(root).expanduser() / (env.get("VERAPDF_VERSION") or DEFAULT_VERSION)


def find_verapdf(env: Mapping[str, str] = os.environ) -> Verapdf | Unavailable:
    """The cached veraPDF and a java to run it with, or why there is none."""
    dest = cache_dir(env)
    version = dest.name
    lib = dest / "lib"
    if not (dest / ".complete").is_file() or not any(lib.glob("*.jar")):
        return Unavailable(f"veraPDF {version} is not in {lib}", FETCH_HINT)
    java_name = env.get("JAVA") or "java"
    java = shutil.which(java_name)
    if java is None:
        return Unavailable(
            f"java not found ({java_name})",
            "install a Java runtime 11+ (Debian: default-jre-headless) or set JAVA",
        )
    opts = tuple((env.get("VERAPDF_JAVA_OPTS") or "").split())
    return Verapdf(java=java, lib=lib, version=version, java_opts=opts)


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class FailedRule:
    """One failed rule of the validation profile."""

    specification: str  # e.g. "ISO 14289-1:2014"
    clause: str  # e.g. "7.1"
    test: str  # e.g. "3"
    failed_checks: int
    description: str
    message: str = ""  # the first failed check's error message
    context: str = ""  # where the first failed check is, in veraPDF's notation

    @property
    def rule_id(self) -> str:
        return f"{self.clause}-{self.test}"

    @property
    def page(self) -> int | None:
        """1-based page of the first failed check, when veraPDF names one."""
        marker = "/pages["
        start = self.context.find(marker)
        if start < 0:
            return None
        end = self.context.find("]", start)
        number = self.context[start + len(marker) : end]
        return int(number) + 1 if number.isdigit() else None

    def sort_key(self) -> list[int]:
        return [int(n) if n.isdigit() else 0 for n in [*self.clause.split("."), self.test]]

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "specification": self.specification,
            "clause": self.clause,
            "test": self.test,
            "failed_checks": self.failed_checks,
            "description": self.description,
            "message": self.message,
            "context": self.context,
            "page": self.page,
        }


@dataclass
class FileVerdict:
    """veraPDF's verdict on one file: compliant, not compliant (failed rules) or an error."""

    name: str
    compliant: bool | None  # None: veraPDF could not validate the file (see error)
    profile: str = ""
    failed_rules: list[FailedRule] = field(default_factory=list)
    error: str = ""
    flavour: str = ""  # the --flavour it was validated with (ua1, ua2, wt1a…)

    def to_json(self) -> dict[str, object]:
        return {
            "flavour": self.flavour or None,
            "compliant": self.compliant,
            "profile": self.profile,
            "failed_rules": [rule.to_json() for rule in self.failed_rules],
            "error": self.error or None,
        }


class ReportError(Exception):
    """veraPDF's output is not a report we can read."""


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def parse_report(xml_text: str | bytes) -> list[FileVerdict]:
    """The per-file verdicts of a veraPDF ``--format xml`` report, in report order."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise ReportError(f"cannot read veraPDF's report ({exc})") from None
    verdicts = []
    for job in root.findall("./jobs/job"):
        name = job.findtext("./item/name", "?")
        report = job.find("validationReport")
        if report is None:
            problem = job.find("taskException")
            message = "no validation report"
            if problem is not None:
                message = f"{problem.get('type', 'error')}: " + _words(
                    problem.findtext("exceptionMessage")
                )
            verdicts.append(FileVerdict(name, None, error=message))
            continue
        rules = []
        for rule in report.iter("rule"):
            if rule.get("status") != "failed":
                continue
            check = rule.find("check")
            count = rule.get("failedChecks", "")
            rules.append(
                FailedRule(
                    specification=rule.get("specification", ""),
                    clause=rule.get("clause", ""),
                    test=rule.get("testNumber", ""),
                    failed_checks=int(count) if count.isdigit() else 0,
                    description=_words(rule.findtext("description")),
                    message=_words(check.findtext("errorMessage")) if check is not None else "",
                    context=(check.findtext("context") or "").strip() if check is not None else "",
                )
            )
        rules.sort(key=FailedRule.sort_key)
        verdicts.append(
            FileVerdict(
                name,
                report.get("isCompliant") == "true",
                profile=report.get("profileName", ""),
                failed_rules=rules,
            )
        )
    return verdicts


class RunError(Exception):
    """veraPDF did not run or gave no readable report."""


def validate(
    tool: Verapdf, paths: Sequence[Path], flavour: str = "ua1", timeout: float = TIMEOUT_S
) -> dict[Path, FileVerdict]:
    """Validate `paths` in ONE veraPDF run (the JVM starts slowly); verdicts by resolved path.

    A file missing from the report gets a verdict with an error.  Raises `RunError` when
    veraPDF cannot be started or its output is not a report.
    """
    if not paths:
        return {}
    wanted = [Path(p).resolve() for p in paths]
    command = tool.command("--format", "xml", "--flavour", flavour, *map(str, wanted))
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RunError(f"veraPDF did not run: {exc}") from None
    try:
        verdicts = parse_report(done.stdout)
    except ReportError as exc:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RunError(f"{exc}; exit status {done.returncode}; {' '.join(tail)}") from None
    by_name = {Path(v.name).resolve(): v for v in verdicts}
    return {
        path: by_name.get(path) or FileVerdict(str(path), None, error="not in veraPDF's report")
        for path in wanted
    }


# --------------------------------------------------------------------------- text summary


def summary_lines(verdicts: Iterable[FileVerdict]) -> list[str]:
    """scripts/verapdf's summary: PASS/FAIL/ERROR per file, then each failed rule."""
    lines = []
    for verdict in verdicts:
        if verdict.compliant is None:
            lines.append(f"ERROR {verdict.name}: {verdict.error}")
            continue
        if verdict.compliant:
            lines.append(f"PASS {verdict.name} [{verdict.profile}]")
            continue
        checks = sum(rule.failed_checks for rule in verdict.failed_rules)
        lines.append(
            f"FAIL {verdict.name} [{verdict.profile}] "
            f"({len(verdict.failed_rules)} rules / {checks} checks failed)"
        )
        for rule in verdict.failed_rules:
            lines.append(
                f"  {rule.rule_id:<10} {rule.specification} clause {rule.clause}, "
                f"{rule.failed_checks} failed check(s)"
            )
            lines.append(
                textwrap.fill(
                    rule.description,
                    width=100,
                    initial_indent="      ",
                    subsequent_indent="      ",
                )
            )
            if rule.message:
                lines.append(f"      e.g. {rule.message}")
            if rule.context:
                lines.append(f"      at {rule.context}")
    return lines


def exit_status(verdicts: Sequence[FileVerdict], verapdf_status: int) -> int:
    """0 all compliant, 1 a file is not compliant, 2 a file could not be validated."""
    if not verdicts or any(v.compliant is None for v in verdicts):
        return 2
    if not all(v.compliant for v in verdicts):
        return 1
    return 0 if verapdf_status in (0, 1) else 2


def _summarise(report_path: str, verapdf_status: int) -> int:
    data = Path(report_path).read_bytes()
    try:
        verdicts = parse_report(data)
    except ReportError as exc:
        sys.stdout.write(data.decode("utf-8", "replace"))
        print(f"verapdf: {exc}; exit status {verapdf_status}", file=sys.stderr)
        return 2
    if not verdicts:
        print(f"verapdf: veraPDF processed no file (exit status {verapdf_status})", file=sys.stderr)
        return 2
    for line in summary_lines(verdicts):
        print(line)
    status = exit_status(verdicts, verapdf_status)
    if status == 2 and all(v.compliant is not None for v in verdicts):
        print(f"verapdf: veraPDF exit status {verapdf_status}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """``verapdf.py summarise REPORT.xml VERAPDF_EXIT_STATUS`` (used by scripts/verapdf)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3 or args[0] != "summarise" or not args[2].lstrip("-").isdigit():
        print("usage: verapdf.py summarise REPORT.xml VERAPDF_EXIT_STATUS", file=sys.stderr)
        return 2
    return _summarise(args[1], int(args[2]))


if __name__ == "__main__":
    sys.exit(main())
