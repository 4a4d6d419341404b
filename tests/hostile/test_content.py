"""Hostile content: nothing a document or shared data file says may crash handoutkit, leak a
file or lose work. Every bad input gives its exact located message, exit 1 and no traceback;
the earlier output of a failed document stays byte for byte and the other documents build.
Most check-only cases live in data/check_cases.yaml; here they are also built, all in one
project (one broken copy of the handout per case, next to good documents)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from handoutkit.content.loader import load_project
from handoutkit.render.renderer import Renderer
from helpers import (
    BRIEF_PDF,
    CASES,
    HANDOUT,
    HANDOUT_PDF,
    MINI,
    TODAY,
    Result,
    apply_case,
    build,
    is_pdf,
    no_temporary_files,
    seed,
)

# --------------------------------------------------------------------------- bad content, built

# Cases of data/check_cases.yaml that break one handout and nothing shared; each is built in
# its own topic folder of one project, so one build tries them all.
DOCUMENT_CASES = [
    "YAML syntax error, located where the parser stops",
    "an unclosed flow list",
    "a tab used for indentation",
    "duplicate keys",
    "wrong type, a list where text belongs",
    "a number where text belongs",
    "a mapping where text belongs",
    "unknown key with a suggestion",
    "nested unknown key",
    "empty file",
    "a file with only a comment is empty",
    "a list instead of a document",
    "a list where a mapping belongs",
    "a mapping where a list belongs",
    "a document type that is a list",
    "non-UTF-8 bytes",
    "a raw control character",
    "an escape that smuggles in a terminal control sequence",
    "an escape that makes a lone surrogate",
    "an alias inside its own anchor",
    "language-specific tag",
    "a language-specific tag on a key",
    "two YAML documents in one file",
    "id that would escape the output folder",
    "an id with a path in it",
    "an absolute path as id",
    "invalid date",
    "unknown citation is located at the citing line",
    "citation in a plain-text field",
    "missing crisis resources for the language",
    "javascript link refused",
    "javascript autolink refused",
    "javascript reference-style link refused",
]
BY_NAME = {case["name"]: case for case in CASES}


def _generated_cases() -> list[dict]:
    """Cases whose content is too big or too regular to write out in check_cases.yaml."""
    good = (MINI / HANDOUT).read_text()
    bomb = BY_NAME["alias bomb is bounded"]["content"]
    deep = good.replace(
        "questions:\n  - What are my options?", "questions: " + "[" * 100 + "x" + "]" * 100
    )
    large = good + "# " + "x" * 1_000_000 + "\n"
    return [
        {
            "name": "a file over the size limit",
            "content": large,
            "expect": [
                f"{HANDOUT}:1:1: error: file is too large ({len(large.encode()):,} bytes; the "
                "limit is 1,000,000) — split the content into smaller documents"
            ],
        },
        {
            "name": "lists nested too deep",
            "content": deep,
            "expect": [
                f"{HANDOUT}:19:75: error: lists and mappings are nested more than 64 levels deep"
                " — check the indentation and brackets; content needs only a few levels"
            ],
        },
        {
            "name": "an alias bomb, bounded",
            "content": bomb,
            "expect": [
                f"{HANDOUT}:1:56: error: document expands to more than 200,000 values "
                "(anchors/aliases?) — write the content out instead of repeating it with aliases"
            ],
        },
    ]


GENERATED = _generated_cases()


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One project: a broken copy of the handout per case, each in its own topic folder with
    an earlier output already in dist/, next to the good brief and a good handout."""
    project = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(MINI, project)
    shutil.copytree(project / "content" / "demo", project / "content" / "good")
    good = project / "content" / "good" / "handout.en.yaml"
    good.write_text(
        good.read_text()
        .replace("id: demo-handout-en", "id: good-handout-en")
        .replace("code: TEST-PH-EN", "code: TEST-PH-GD")  # codes are unique too
    )
    (project / "content" / "good" / "brief.en.yaml").unlink()
    cases = [dict(BY_NAME[name]) for name in DOCUMENT_CASES] + GENERATED
    expected: dict[str, tuple[list[str], list[str], str, bytes]] = {}
    for number, case in enumerate(cases, start=1):
        topic = f"case-{number:02d}"  # "case-01-handout" is as long as "demo-handout-en"
        source = project / "content" / topic / "handout.en.yaml"
        source.parent.mkdir()
        shutil.copy(MINI / HANDOUT, source)
        moved = {**case, "file": f"content/{topic}/handout.en.yaml"}
        if "rename" in case:
            moved["rename"] = case["rename"].replace("/demo/", f"/{topic}/")
        apply_case(project, moved)
        final = project / moved.get("rename", moved["file"])
        final.write_bytes(  # same lengths, so the expected columns stay right
            final.read_bytes()
            .replace(b"id: demo-handout-en", f"id: {topic}-handout".encode())
            .replace(b"code: TEST-PH-EN", f"code: TEST-PH-{number:02d}".encode())
        )
        stem = final.name.rsplit(".", 1)[0]
        output = f"{topic}/{stem}.standard.letter.pdf"
        lines = [
            line.replace("content/demo/", f"content/{topic}/") for line in case.get("expect", [])
        ]
        prefixes = [
            p.replace("content/demo/", f"content/{topic}/") for p in case.get("expect_prefix", [])
        ]
        earlier = seed(project / "dist" / output, topic)
        expected[case["name"]] = (lines, prefixes, output, earlier)
    return project, expected


@pytest.fixture(scope="module")
def broken_build(broken_project: tuple[Path, dict]) -> tuple[Path, dict, Result, set[str]]:
    """The broken project, built once with two workers (in a subprocess: the run fixture is
    per test), and the topics whose document loaded (the others have no outputs to fail)."""
    project, expected = broken_project
    env = {**os.environ, "HANDOUTKIT_TODAY": TODAY}
    command = [str(Path(sys.executable).parent / "handoutkit"), "build", "-j", "2"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    cases = [project / "content" / f"case-{n:02d}" for n in range(1, len(DOCUMENT_CASES) + 1)]
    loaded = {document.path.parent.name for document in load_project(project, cases).documents}
    return project, expected, Result(done.returncode, done.stdout, done.stderr), loaded


def test_bad_documents_fail_located_and_the_others_build(broken_build) -> None:
    project, _expected, result, _loaded = broken_build
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    assert is_pdf(project / BRIEF_PDF), "the good brief must be built"
    assert is_pdf(project / "dist" / "good" / "handout.en.standard.letter.pdf")
    no_temporary_files(project)


@pytest.mark.parametrize("name", [*DOCUMENT_CASES, *(c["name"] for c in GENERATED)])
def test_bad_document(broken_build, name: str) -> None:
    project, expected, result, loaded = broken_build
    lines, prefixes, output, earlier = expected[name]
    out = result.out.splitlines()
    for line in lines:
        assert line in out, f"missing: {line}\n--- got:\n{result.out}"
    for prefix in prefixes:
        assert any(prefix in line for line in out), prefix
    if output.split("/")[0] in loaded:  # one that did not load has no outputs to list
        assert f"failed {output}" in result.err
    assert (project / "dist" / output).read_bytes() == earlier, "the earlier output must stay"


# --------------------------------------------------------------------------- shared data, config


def test_missing_disclaimer_fails_its_audience_only(run, mini: Path) -> None:
    earlier = seed(mini / BRIEF_PDF, "brief")
    apply_case(mini, BY_NAME["missing disclaimer for the audience"])
    result = build(run, mini)
    assert result.code == 1
    assert (
        "content/demo/brief.en.yaml:3:11: error: no clinician disclaimer in language 'en' — add "
        "`en:` under `clinician:` in content/disclaimers.yaml"
    ) in result.out.splitlines()
    assert (mini / BRIEF_PDF).read_bytes() == earlier
    assert is_pdf(mini / HANDOUT_PDF), "the handout has its disclaimer and must build"
    no_temporary_files(mini)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"file": "content/crisis-resources.yaml", "delete": True},
            "content/crisis-resources.yaml:1:1: error: shared data file "
            "'content/crisis-resources.yaml' is missing — create it, or point handoutkit.yaml "
            "at the right file",
        ),
        (
            {"file": "content/disclaimers.yaml", "content": "- patient\n"},
            "content/disclaimers.yaml:1:1: error: 'document': expected a mapping of fields, got "
            "a list — write `key: value` lines",
        ),
        (
            {"file": "content/references.yaml", "replace": ["- id: smith2020", "- id: [x]"]},
            "content/references.yaml:1:7: error: 'item 1.id': expected text, got a list — write a "
            "single line or block of text",
        ),
    ],
    ids=["missing crisis file", "disclaimers as a list", "reference id as a list"],
)
def test_bad_shared_data_keeps_every_earlier_output(
    run, mini: Path, change: dict, expected: str
) -> None:
    earlier = {name: seed(mini / name, name) for name in (HANDOUT_PDF, BRIEF_PDF)}
    apply_case(mini, change)
    result = build(run, mini)
    assert result.code == 1
    assert expected in result.out.splitlines(), result.out
    for name, data in earlier.items():
        assert (mini / name).read_bytes() == data
    no_temporary_files(mini)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "region: us",
            "region: [us",
            "handoutkit.yaml:6:10: error: YAML syntax error: a list or mapping written on one "
            "line ([...] or {...}) is not closed — close it, or write each item on its own '- ' "
            "line",
        ),
        (
            "region: us",
            "regoin: us",
            "handoutkit.yaml:5:1: error: unknown key 'regoin' — did you mean 'region'?",
        ),
        (
            "languages: [en, es]",
            "languages: !!python/object/new:os.system [echo pwned]",
            "handoutkit.yaml:6:12: error: YAML tag 'tag:yaml.org,2002:python/object/new:os.system' "
            "is not allowed — remove the tag; content files hold plain text, numbers, lists and "
            "mappings",
        ),
    ],
    ids=["syntax error", "unknown key", "python tag"],
)
def test_bad_config_is_located(run, mini: Path, old: str, new: str, expected: str) -> None:
    earlier = seed(mini / HANDOUT_PDF, "handout")
    apply_case(mini, {"file": "handoutkit.yaml", "replace": [old, new]})
    for command in ("check", "build"):
        result = run(command, cwd=mini)
        assert result.code == 1, result.text
        assert expected in result.err.splitlines(), result.err
        assert "Traceback" not in result.text
    assert (mini / HANDOUT_PDF).read_bytes() == earlier


# --------------------------------------------------------------------------- untrusted text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    '<iframe src="file:///etc/passwd"></iframe>',
    '<img src=x onerror="alert(1)">',
    "</style><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
]
PAYLOAD = " ".join(PAYLOADS)
# Fields whose form is fixed (ids, codes, dates, citation keys, choices) cannot hold it.
FIXED = re.compile(
    r"^\s*-?\s*(type|id|language|code|version|last_reviewed|evidence_current_to|certainty|"
    r"citation|citations|path|online_url|date-parts):"
)


def _poison(path: Path) -> None:
    """Append the payload to every free-text value of a YAML file (plain or Markdown)."""
    lines = []
    for line in path.read_text().splitlines():
        match = re.match(r"^(\s*(?:- )?[A-Za-z_-]+: )(.+)$", line) or re.match(
            r"^(\s*- )([^\[].*)$", line
        )
        if match and not FIXED.match(line) and not match.group(2).startswith(("|", "[")):
            text = match.group(2).strip("\"'")
            value = f"{text} {PAYLOAD}".replace("\\", "\\\\").replace('"', '\\"')
            line = f'{match.group(1)}"{value}"'
        lines.append(line)
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def poisoned(mini: Path) -> Path:
    config = mini / "handoutkit.yaml"  # the payload makes hard reading: not what is tested
    config.write_text(config.read_text() + "reading:\n  patient:\n    max_grade: null\n")
    brief = mini / "content/demo/brief.en.yaml"  # every text field a brief prints
    brief.write_text(
        brief.read_text() + "authorship:\n  authors:\n    - name: Ann Lee\n      credentials: MD\n"
        "      role: Psychiatrist\n      conflicts_of_interest: None declared.\n"
        "claims_patients_may_bring:\n  - claim: It works.\n    evidence: Not shown.\n"
        "patient_handouts: [demo-handout-en]\n"
    )
    for name in (HANDOUT, "content/demo/brief.en.yaml"):
        _poison(mini / name)
    for name in ("content/crisis-resources.yaml", "content/disclaimers.yaml"):
        _poison(mini / name)
    body = mini / HANDOUT
    body.write_text(body.read_text().replace("body: |\n", f"body: |\n      {PAYLOAD}\n"))
    return mini


class _Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]


def _visible_text(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]*>", "", html))


def test_raw_html_in_every_text_field_is_escaped(poisoned: Path) -> None:
    project = load_project(poisoned)
    assert not project.diagnostics.errors, [str(d) for d in project.diagnostics]
    renderer = Renderer(project)
    for document in project.documents:
        for medium in ("print", "screen"):
            html = renderer.render(document, "standard", medium).html
            elements = _Elements(html)
            assert elements.tags.count("style") == 1, "only the template's own <style>"
            for tag in ("script", "iframe", "img", "svg", "object", "embed"):
                assert tag not in elements.tags, (document.shown, medium, tag)
            assert not [a for a in elements.attributes if a.startswith("on")]
            text = _visible_text(html)
            occurrences = text.count(PAYLOADS[0])
            assert occurrences >= 10, (document.shown, medium, occurrences)  # shown as text


def test_raw_html_is_refused_at_each_tag_and_never_printed(run, poisoned: Path) -> None:
    """Raw HTML in any text field is an error at the tag itself (never literal tags on paper,
    never escaped tags in the HTML edition); the earlier output stays."""
    earlier = seed(poisoned / HANDOUT_PDF, "handout")
    result = run("check", "--format", "json", cwd=poisoned)
    assert result.code == 1
    report = json.loads(result.out)
    problems = [d for d in report["diagnostics"] if d["rule"] == "raw-html"]
    # (the payloads hold figures too, e.g. "alert(1)": in the brief an uncited one is an error)
    errors = {d["rule"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert errors - {"claim-citation"} == {"raw-html"}
    files = {d["location"]["path"] for d in problems}
    assert files == {
        HANDOUT,
        "content/demo/brief.en.yaml",
        "content/crisis-resources.yaml",
        "content/disclaimers.yaml",
    }
    for problem in problems:  # each points at the tag: a "<" in the file, at line:col
        where = problem["location"]
        line = (poisoned / where["path"]).read_text().splitlines()[where["line"] - 1]
        assert line[where["col"] - 1] == "<", problem["text"]
        assert problem["message"].startswith("raw HTML is not allowed in content: `<")
    assert any(
        p["message"] == "raw HTML is not allowed in content: `<script>`"
        and p["hint"] == "delete it: content cannot run scripts or change styles"
        for p in problems
        if p["location"]["path"] == HANDOUT and p["location"]["line"] > 15
    ), "the Markdown body"
    built = build(run, poisoned, "content/demo/handout.en.yaml")
    assert built.code == 1
    assert (poisoned / HANDOUT_PDF).read_bytes() == earlier


def test_links_with_dangerous_schemes_are_never_links(mini: Path) -> None:
    """Even when check is skipped, the renderer writes no javascript:, file: or data: href."""
    source = mini / HANDOUT
    links = (
        "[a](javascript:alert(1)) [b](file:///etc/passwd) [c](data:text/html,x) "
        "[d](vbscript:x) [e](JAVASCRIPT:x) <javascript:alert(1)> [f](jav&#x61;script:x)"
    )
    source.write_text(source.read_text().replace("This is a short test.", links))
    project = load_project(mini)
    document = next(d for d in project.documents if d.stem == "handout.en")
    for medium in ("print", "screen"):
        html = Renderer(project).render(document, "standard", medium).html
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert hrefs and all(h.startswith(("#", "https://", "http://", "mailto:")) for h in hrefs)
