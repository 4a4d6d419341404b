"""veraPDF: every shipped PDF is PDF/UA-1 compliant (one veraPDF run for all of them), and
veraPDF's report is read in one place (handoutkit.verapdf) for both the audit and the script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint
import yaml

from handoutkit.audit.verapdf import (
    Unavailable,
    find_verapdf,
    main,
    parse_report,
    summary_lines,
)
from helpers import REPO

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<report><jobs>
  <job><item size="3855"><name>/tmp/untagged.pdf</name></item>
    <validationReport profileName="PDF/UA-1 validation profile" isCompliant="false">
      <details passedRules="99" failedRules="2" passedChecks="45" failedChecks="3">
        <rule specification="ISO 14289-1:2014" clause="7.1" testNumber="3" status="failed"
              failedChecks="2">
          <description>Content shall be marked as Artifact or tagged as real content</description>
          <check status="failed">
            <context>root/document[0]/pages[1](6 0 obj PDPage)/contentStream[0]</context>
            <errorMessage>Content is neither marked as Artifact nor tagged as real
              content</errorMessage>
          </check>
        </rule>
        <rule specification="ISO 14289-1:2014" clause="6.2" testNumber="1" status="failed"
              failedChecks="1">
          <description>The document catalog dictionary shall include a MarkInfo
            dictionary</description>
          <check status="failed"><context>root</context>
            <errorMessage>MarkInfo dictionary is not present</errorMessage></check>
        </rule>
      </details>
    </validationReport></job>
  <job><item size="39673"><name>/tmp/good.pdf</name></item>
    <validationReport profileName="PDF/UA-1 validation profile" isCompliant="true">
      <details passedRules="106" failedRules="0" passedChecks="19035" failedChecks="0"/>
    </validationReport></job>
  <job><item size="6"><name>/tmp/notpdf.pdf</name></item>
    <taskException type="PARSE" isExecuted="true" isSuccess="false">
      <exceptionMessage>Exception: Couldn't parse stream</exceptionMessage>
    </taskException></job>
</jobs></report>
"""


def test_report_is_parsed_per_file_with_sorted_failed_rules() -> None:
    untagged, good, broken = parse_report(REPORT)
    assert (untagged.compliant, good.compliant, broken.compliant) == (False, True, None)
    assert [rule.rule_id for rule in untagged.failed_rules] == ["6.2-1", "7.1-3"]
    rule = untagged.failed_rules[1]
    assert rule.failed_checks == 2 and rule.page == 2
    assert rule.message == "Content is neither marked as Artifact nor tagged as real content"
    assert untagged.failed_rules[0].page is None
    assert broken.error == "PARSE: Exception: Couldn't parse stream"


def test_summary_lines_for_the_script() -> None:
    lines = summary_lines(parse_report(REPORT))
    assert lines[0] == (
        "FAIL /tmp/untagged.pdf [PDF/UA-1 validation profile] (2 rules / 3 checks failed)"
    )
    assert "  6.2-1      ISO 14289-1:2014 clause 6.2, 1 failed check(s)" in lines
    assert "PASS /tmp/good.pdf [PDF/UA-1 validation profile]" in lines
    assert lines[-1] == "ERROR /tmp/notpdf.pdf: PARSE: Exception: Couldn't parse stream"


def test_script_summary_runs_without_the_package(tmp_path: Path) -> None:
    """scripts/verapdf runs the module as a file with any python3 (standard library only)."""
    report = tmp_path / "report.xml"
    report.write_text(REPORT)
    module = REPO / "src" / "handoutkit" / "audit" / "verapdf.py"
    done = subprocess.run(
        [sys.executable, "-I", str(module), "summarise", str(report), "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr  # a file veraPDF could not process
    assert done.stdout.splitlines() == summary_lines(parse_report(REPORT))
    assert main(["summarise", str(report)]) == 2  # usage


def test_find_verapdf_explains_what_is_missing(tmp_path: Path) -> None:
    missing = find_verapdf({"VERAPDF_CACHE": str(tmp_path)})
    assert isinstance(missing, Unavailable)
    assert str(missing) == (
        f"veraPDF 1.30.2 is not in {tmp_path}/1.30.2/lib — run scripts/verapdf --fetch once "
        "(needs Java 11+ and Maven)"
    )
    lib = tmp_path / "2.0" / "lib"
    lib.mkdir(parents=True)
    (lib / "cli.jar").write_bytes(b"")
    (lib.parent / ".complete").write_text("version=2.0\n")
    no_java = find_verapdf(
        {"VERAPDF_CACHE": str(tmp_path), "VERAPDF_VERSION": "2.0", "JAVA": "no-such-java"}
    )
    assert isinstance(no_java, Unavailable) and no_java.reason == "java not found (no-such-java)"
    found = find_verapdf(
        {"VERAPDF_CACHE": str(tmp_path), "VERAPDF_VERSION": "2.0", "JAVA": sys.executable}
    )
    assert not isinstance(found, Unavailable) and found.lib == lib and found.version == "2.0"


def _expected_pdf_count() -> int:
    config = yaml.safe_load((REPO / "handoutkit.yaml").read_text(encoding="utf-8"))
    documents = list((REPO / "content").glob("*/*.*.yaml"))
    assert documents
    return len(documents) * len(config["editions"]) * len(config["paper_sizes"])


def test_verapdf_finds_every_shipped_pdf_compliant(run, shipped_pack: Path, tmp_path: Path):
    """Every document × edition × paper size, and an untagged PDF as a control: one run."""
    tool = find_verapdf()
    if isinstance(tool, Unavailable):
        pytest.skip(f"veraPDF cannot run here: {tool}")
    pdfs = sorted(shipped_pack.glob("*/*.pdf"))
    assert len(pdfs) == _expected_pdf_count()
    control = tmp_path / "untagged.pdf"
    weasyprint.HTML(string="<p>Untagged</p>").write_pdf(control)
    paths = [*map(str, pdfs), str(control)]
    result = run("audit", "--verapdf", "--format", "json", *paths, cwd=tmp_path)
    report = json.loads(result.out)
    assert report["verapdf"]["version"] == tool.version
    *shipped, untagged = report["files"]
    for data in shipped:
        verdict = data["verapdf"]
        assert verdict["compliant"] is True, (data["path"], verdict["failed_rules"])
        assert verdict["profile"] == "PDF/UA-1 validation profile"
        assert "veraPDF compliant" in data["summary"]
    assert untagged["verapdf"]["compliant"] is False
    rules = {rule["rule"] for rule in untagged["verapdf"]["failed_rules"]}
    assert {"6.2-1", "7.1-3", "7.1-11"} <= rules
    texts = [p["text"] for p in untagged["problems"] if p["check"] == "verapdf"]
    assert any(
        t.startswith(f"{control}: error: veraPDF 7.1-3 (ISO 14289-1:2014 clause 7.1), ")
        and "first failure: page 1: Content is neither marked as Artifact" in t
        for t in texts
    ), texts


def test_verapdf_finds_every_fillable_worksheet_compliant(
    run, shipped_forms: Path, tmp_path: Path
) -> None:
    """The fillable worksheets (both languages, editions and papers) pass PDF/UA-1; a copy
    whose page lost /Tabs /S fails 7.18.3-1, and one whose field lost its /TU fails 7.18.1."""
    import pikepdf

    tool = find_verapdf()
    if isinstance(tool, Unavailable):
        pytest.skip(f"veraPDF cannot run here: {tool}")
    forms = sorted(shipped_forms.glob("*/*.fillable.pdf"))
    assert len(forms) == 8
    no_tabs, no_name = tmp_path / "no-tabs.pdf", tmp_path / "no-name.pdf"
    with pikepdf.open(forms[0]) as pdf:
        del pdf.pages[0].obj["/Tabs"]
        pdf.save(no_tabs)
    with pikepdf.open(forms[0]) as pdf:
        for annot in pdf.pages[0].Annots:
            if annot.Subtype == "/Widget":
                del annot.TU
                if "/Contents" in annot:
                    del annot.Contents
                break
        pdf.save(no_name)
    paths = [*map(str, forms), str(no_tabs), str(no_name)]
    result = run("audit", "--verapdf", "--format", "json", *paths, cwd=tmp_path)
    report = json.loads(result.out)
    *good, tabs, name = report["files"]
    for data in good:
        assert data["verapdf"]["compliant"] is True, (data["path"], data["verapdf"])
    assert {r["rule"] for r in tabs["verapdf"]["failed_rules"]} == {"7.18.3-1"}
    assert {r["rule"] for r in name["verapdf"]["failed_rules"]} == {"7.18.1-3"}


def test_verapdf_finds_a_ua2_fillable_worksheet_compliant(run, tmp_path: Path) -> None:
    """With `--pdf-standard ua-2` the fillable worksheet passes PDF/UA-2 and WTPDF (its
    widgets carry /Contents, its labels are paragraphs)."""
    from helpers import copy_shipped_project

    tool = find_verapdf()
    if isinstance(tool, Unavailable):
        pytest.skip(f"veraPDF cannot run here: {tool}")
    project = copy_shipped_project(tmp_path / "project")
    built = run(
        "build",
        "-j",
        "1",
        "--pdf-standard",
        "ua-2",
        "--format",
        "pdf,fillable",
        "--edition",
        "standard",
        "--paper",
        "letter",
        "content/ketamine-bpd/worksheet.en.yaml",
        cwd=project,
    )
    assert built.code == 0, built.text
    pdfs = sorted(str(p) for p in (project / "dist/ketamine-bpd").glob("worksheet.*.pdf"))
    assert len(pdfs) == 2
    result = run("audit", "--flavour", "ua2,wt1a", "--format", "json", *pdfs, cwd=project)
    report = json.loads(result.out)
    for data in report["files"]:
        profiles = data["verapdf_profiles"]
        assert sorted(p["flavour"] for p in profiles) == ["ua2", "wt1a"], profiles
        assert all(p["compliant"] for p in profiles), (data["path"], profiles)
