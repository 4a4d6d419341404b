"""The output folder stays true to the project: outputs without a source are reported (and
removed with --prune), and a build of one format leaves no other format saying something
older (see `handoutkit.build.drift`)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from helpers import Outline, page_texts

EXTRA = "content/extra/handout.en.yaml"
EXTRA_OUTPUTS = ["extra/handout.en.standard.html", "extra/handout.en.standard.letter.pdf"]
RACK = "rack/rack.en.letter.pdf"
PDF = "demo/handout.en.standard.letter.pdf"
HTML = "demo/handout.en.standard.html"


@pytest.fixture
def project(mini: Path) -> Path:
    """The test project with a second handout, in topic `extra`."""
    demo = (mini / "content" / "demo" / "handout.en.yaml").read_text(encoding="utf-8")
    extra = mini / EXTRA
    extra.parent.mkdir()
    extra.write_text(
        demo.replace("demo-handout-en", "extra-handout-en")
        .replace("TEST-PH-EN", "TEST-PX-EN")
        .replace("A test handout", "An extra handout about something"),
        encoding="utf-8",
    )
    return mini


def build(run, project: Path, *args: str, code: int = 0) -> dict:
    """`build --format json` (plus the formats in `args`): the report, after its exit code."""
    formats = [a.split("=", 1)[1] for a in args if a.startswith("--format=")]
    rest = [a for a in args if not a.startswith("--format=")]
    result = run("build", "-j", "1", "--format", ",".join(["json", *formats]), *rest, cwd=project)
    assert "Traceback" not in result.text, result.text
    assert result.code == code, result.text
    return json.loads(result.out)


def manifest(project: Path) -> dict[str, dict]:
    data = json.loads((project / "dist" / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in data["outputs"]}


def outputs(project: Path) -> set[str]:
    dist = project / "dist"
    return {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}


def rule_of(report: dict, rule: str) -> list[dict]:
    return [d for d in report["diagnostics"] if d["rule"] == rule]


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return flat(" ".join(page_texts(path)))


# --------------------------------------------------------------------------- without a source


def test_a_deleted_document_s_outputs_are_reported_then_pruned(run, project: Path) -> None:
    build(run, project, "--format=pdf,html,rack")
    dist = project / "dist"
    assert {*EXTRA_OUTPUTS, RACK} <= outputs(project)
    assert "An extra handout" in pdf_text(dist / RACK)
    # what a person put there by hand, named otherwise
    (dist / "notes.txt").write_text("printing log\n")
    (dist / "demo" / "annotated-copy.pdf").write_bytes(b"%PDF-1.7 mine\n")
    (project / EXTRA).unlink()

    report = build(run, project)  # pdf only
    [warning] = rule_of(report, "orphan-output")
    assert warning["severity"] == "warning"
    assert warning["location"]["path"] == "handoutkit.yaml"
    assert "2 files in dist/ have no source any more" in warning["message"]
    assert warning["message"].endswith(": " + ", ".join(EXTRA_OUTPUTS))
    assert "handoutkit build --prune" in warning["hint"]
    assert report["ok"] is True and report["pruned"] == []
    # the manifest no longer lists them; the files stay until pruned
    assert not set(EXTRA_OUTPUTS) & manifest(project).keys()
    assert set(EXTRA_OUTPUTS) <= outputs(project)
    # the rack pack in the folder held the deleted handout: made again without it
    assert "An extra handout" not in pdf_text(dist / RACK)
    assert RACK in manifest(project)

    # text: one located line, and the exit codes with and without --strict
    result = run("build", "-j", "1", cwd=project)
    assert result.code == 0, result.text
    line = next(line for line in result.out.splitlines() if "no source" in line)
    assert line.startswith("handoutkit.yaml:1:1: warning: 2 files in dist/ have no source")
    assert "extra/handout.en.standard.letter.pdf" in line and "notes.txt" not in line
    assert "annotated-copy" not in line
    result = run("build", "-j", "1", "--strict", cwd=project)
    assert result.code == 1, result.text
    assert "warnings are errors with --strict" in flat(result.err)

    before = outputs(project)
    report = build(run, project, "--prune")
    assert report["pruned"] == EXTRA_OUTPUTS
    assert not rule_of(report, "orphan-output")
    assert outputs(project) == before - set(EXTRA_OUTPUTS)
    assert not (dist / "extra").exists()  # the folder it left empty
    assert (dist / "notes.txt").read_text() == "printing log\n"
    assert (dist / "demo" / "annotated-copy.pdf").read_bytes() == b"%PDF-1.7 mine\n"
    assert set(manifest(project)) == {
        name for name in outputs(project) if name not in ("notes.txt", "demo/annotated-copy.pdf")
    } - {".handoutkit.lock", "manifest.json"}
    result = run("build", "-j", "1", "--strict", cwd=project)
    assert result.code == 0, result.text
    assert "removed" not in result.err


def test_a_renamed_document_leaves_its_old_outputs_as_orphans(run, project: Path) -> None:
    build(run, project, "--format=pdf,html")
    (project / "content" / "extra").rename(project / "content" / "more")
    result = run("build", "-j", "1", "--format", "pdf,html", "--prune", cwd=project)
    assert result.code == 0, result.text
    for name in EXTRA_OUTPUTS:
        assert f"removed {name} (its source is gone)" in result.err
    assert "built dist/more/handout.en.standard.letter.pdf" in result.err
    assert not (project / "dist" / "extra").exists()


def test_a_removed_paper_size_and_its_rack_pack_are_orphans(run, project: Path) -> None:
    build(run, project, "--format=pdf,html,rack")
    config = project / "handoutkit.yaml"
    config.write_text(config.read_text().replace("paper_sizes: [letter]", "paper_sizes: [a4]"))
    report = build(run, project, "--format=pdf,html,rack", "--strict", code=1)
    [warning] = rule_of(report, "orphan-output")
    gone = sorted(n for n in outputs(project) if n.endswith(".letter.pdf"))
    assert RACK in gone and PDF in gone and len(gone) == 4  # 3 documents and the pack
    assert warning["message"].endswith(": " + ", ".join(gone))
    assert "rack/rack.en.a4.pdf" in manifest(project)
    report = build(run, project, "--format=pdf,html,rack", "--prune", "--strict")
    assert report["pruned"] == gone
    assert not [n for n in outputs(project) if n.endswith(".letter.pdf")]


def test_a_document_with_errors_is_not_an_orphan(run, project: Path) -> None:
    """Its source is there: its earlier output stays (and stays in the manifest)."""
    build(run, project, "--format=pdf,html")
    extra = project / EXTRA
    extra.write_text(extra.read_text().replace("[@smith2020]", "[@nobody]"), encoding="utf-8")
    report = build(run, project, "--format=pdf,html", "--prune", code=1)
    assert report["pruned"] == [] and not rule_of(report, "orphan-output")
    assert set(EXTRA_OUTPUTS) <= outputs(project) & manifest(project).keys()


def test_prune_refuses_a_folder_without_a_manifest(run, project: Path) -> None:
    other = project / "elsewhere"
    (other / "gone").mkdir(parents=True)
    (other / "gone" / "handout.en.standard.letter.pdf").write_bytes(b"%PDF-1.7 not ours?\n")
    result = run("build", "-j", "1", "--out", "elsewhere", "--prune", cwd=project)
    assert result.code == 2, result.text
    assert "has no manifest.json" in result.err and "nothing was removed" in result.err
    assert (other / "gone" / "handout.en.standard.letter.pdf").is_file()
    assert not (other / "manifest.json").exists()  # nothing was built either


# --------------------------------------------------------------------------- formats consistent


def change_the_handout(project: Path, words: str) -> None:
    """Its main message becomes `words`."""
    demo = project / "content" / "demo" / "handout.en.yaml"
    text = demo.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^main_message: .*$", f"main_message: {words} [@smith2020].", text)
    assert changed != text
    demo.write_text(changed, encoding="utf-8")


def test_an_html_build_rebuilds_the_pdf_and_pack_next_to_it(run, project: Path) -> None:
    build(run, project, "--format=pdf,html,rack")
    change_the_handout(project, "Ask your nurse first")
    report = build(run, project, "--format=html")
    statuses = {o["path"]: o["status"] for o in report["outputs"]}
    assert statuses[HTML] == statuses[PDF] == statuses[RACK] == "built"
    # what is up to date is not rebuilt, nor listed
    assert "demo/brief.en.standard.letter.pdf" not in statuses
    assert "extra/handout.en.standard.letter.pdf" not in statuses
    dist = project / "dist"
    html = Outline((dist / HTML).read_text(encoding="utf-8")).plain
    assert "Ask your nurse first" in html and "Ask your nurse first" in pdf_text(dist / PDF)
    assert "Ask your nurse first" in pdf_text(dist / RACK)
    assert "Talk to your care team" not in pdf_text(dist / PDF)
    # the manifest records the source each was made from: the same for both
    entries = manifest(project)
    assert entries[PDF]["source"] == entries[HTML]["source"]
    assert entries[RACK]["sources"]["content/demo/handout.en.yaml"] == entries[PDF]["source"]
    # and the next build has nothing to do
    assert {o["status"] for o in build(run, project, "--format=html")["outputs"]} == {"skipped"}


def test_a_build_of_named_documents_reports_the_pack_it_cannot_rebuild(run, project: Path) -> None:
    build(run, project, "--format=pdf,html,rack")
    change_the_handout(project, "Ask your nurse first")
    report = build(run, project, "content/demo/handout.en.yaml", "--format=html")
    statuses = {o["path"]: o["status"] for o in report["outputs"]}
    assert statuses == {HTML: "built", PDF: "built"}
    [warning] = rule_of(report, "stale-output")
    assert warning["message"] == (
        "dist/rack/rack.en.letter.pdf holds an earlier version of content/demo/handout.en.yaml "
        "than the document's own outputs"
    )
    assert "`handoutkit build --format rack --lang en --paper letter`" in warning["hint"]
    assert report["ok"] is True
    build(run, project, "content/demo/handout.en.yaml", "--strict", code=1)  # still stale
    report = build(run, project, "--format=rack")
    assert not rule_of(report, "stale-output")
    assert "Ask your nurse first" in pdf_text(project / "dist" / RACK)
    build(run, project, "content/demo/handout.en.yaml", "--strict")


def test_the_site_made_earlier_is_made_again_with_what_changed(run, project: Path) -> None:
    build(run, project, "--format=site", "--include-drafts")
    site = project / "dist" / "site"
    assert (site / "extra" / "handout.en.standard.html").is_file()
    change_the_handout(project, "Ask your nurse first")
    (project / EXTRA).unlink()
    report = build(run, project)  # pdf only, into a folder with a site
    statuses = {o["path"]: o["status"] for o in report["outputs"]}
    assert statuses["site/index.html"] == "built"
    assert statuses[HTML] == statuses[PDF] == statuses[RACK] == "built"
    assert "Ask your nurse first" in pdf_text(site / PDF)
    assert "Ask your nurse first" in pdf_text(site / RACK)
    assert "Ask your nurse first" in Outline((site / HTML).read_text(encoding="utf-8")).plain
    assert not (site / "extra").exists()  # the deleted document's pages
    assert "extra-handout-en" not in (site / "_site" / "data" / "catalog.js").read_text()
    # drafts stay included, as the site was made
    assert manifest(project)["site/index.html"]["include_drafts"] is True
    # a build of named documents cannot make the site: it says so
    change_the_handout(project, "Ask your doctor first")
    report = build(run, project, "content/demo/handout.en.yaml", "--format=html")
    hints = [d["hint"] for d in rule_of(report, "stale-output")]
    assert any("`handoutkit build --format site --include-drafts`" in h for h in hints), hints
    assert "Ask your nurse first" in pdf_text(site / PDF)


def test_a_new_document_gets_what_the_site_made_earlier_holds(run, project: Path) -> None:
    """A site is made again as it was made: a document added since gets its HTML edition
    (and its place in the pack) even from a build of PDFs only."""
    extra = (project / EXTRA).read_text(encoding="utf-8")
    (project / EXTRA).unlink()
    build(run, project, "--format=site", "--include-drafts")
    (project / EXTRA).write_text(extra, encoding="utf-8")
    report = build(run, project)  # pdf only
    statuses = {o["path"]: o["status"] for o in report["outputs"]}
    assert statuses[EXTRA_OUTPUTS[0]] == statuses[EXTRA_OUTPUTS[1]] == "built"
    assert statuses[RACK] == statuses["site/index.html"] == "built"
    site = project / "dist" / "site"
    page = Outline((site / EXTRA_OUTPUTS[0]).read_text(encoding="utf-8")).plain
    assert "An extra handout about something" in page
    assert "An extra handout about something" in pdf_text(site / RACK)


def test_a_no_op_build_is_not_replayed_past_an_output_put_in_or_taken_out(
    run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record of a no-op build (build.state) covers the output folder's outputs, and a
    build that found orphans is not recorded: its warning is found again, or goes away."""
    import handoutkit.content.loader

    loads: list[Path] = []
    real = handoutkit.content.loader.load_project

    def spy(root: Path, *args, **kwargs):
        loads.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(handoutkit.content.loader, "load_project", spy)
    hour_ago = time.time() - 3600  # inputs edited well before the build (else not recorded)
    for path in project.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    build(run, project)
    build(run, project)
    assert len(loads) == 1, "the no-op build was not replayed"
    stray = project / "dist" / "old" / "handout.en.standard.letter.pdf"
    stray.parent.mkdir()
    stray.write_bytes((project / "dist" / PDF).read_bytes())
    for _ in range(2):
        [warning] = rule_of(build(run, project), "orphan-output")
        assert warning["message"].endswith(": old/handout.en.standard.letter.pdf")
    assert len(loads) == 3
    stray.unlink()
    assert not rule_of(build(run, project), "orphan-output")


def test_prune_refuses_to_empty_the_folder_of_a_project_without_documents(
    run, project: Path
) -> None:
    build(run, project, "--format=pdf,html")
    before = outputs(project)
    config = project / "handoutkit.yaml"
    config.write_text(config.read_text() + "content: contents\n")  # a wrong folder
    (project / "contents").mkdir()
    result = run("build", "-j", "1", "--prune", cwd=project)
    assert result.code == 2, result.text
    assert "the project has no documents under contents/" in result.err
    assert outputs(project) == before


def test_an_orphan_that_cannot_be_removed_is_a_located_error(
    run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(run, project, "--format=pdf,html")
    (project / EXTRA).unlink()
    real = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path.name == "handout.en.standard.html" and path.parent.name == "extra":
            raise PermissionError(13, "Permission denied")
        real(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    report = build(run, project, "--prune", code=1)
    assert report["pruned"] == [EXTRA_OUTPUTS[1]]
    [error] = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert error["rule"] == "output"
    assert error["text"].startswith(
        "dist/extra/handout.en.standard.html:1:1: error: --prune: cannot remove it: "
        "Permission denied"
    )
    [warning] = rule_of(report, "orphan-output")  # still there, still reported
    assert warning["message"].endswith(": extra/handout.en.standard.html")
    assert {o["status"] for o in report["outputs"]} == {"skipped"}  # the rest still builds


def test_a_shard_leaves_the_other_shares_to_the_other_shards(run, project: Path) -> None:
    build(run, project, "--format=pdf,html,rack")
    change_the_handout(project, "Ask your nurse first")
    shares = []
    for shard in ("1/2", "2/2"):
        report = build(run, project, "--format=pdf,html", "--shard", shard)
        shares.append({o["path"] for o in report["outputs"] if o["status"] == "built"})
        # a pack holds every handout: a shard does not rebuild it, it says so
        [warning] = rule_of(report, "stale-output")
        assert warning["message"].startswith("dist/rack/rack.en.letter.pdf holds an earlier")
    assert not shares[0] & shares[1]
    assert shares[0] | shares[1] == {PDF, HTML}
