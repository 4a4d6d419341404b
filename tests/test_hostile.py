"""Hostile input (issue 7/8): nothing a content file, stylesheet or template says may crash
handoutkit, leak a file or lose work.

Every bad input gives its exact located message (`path:line:col: error: … — fix`), exit 1
(content) or 2 (usage) and no traceback; a build writes no partial or temporary file, keeps
the earlier output of a failed document byte for byte, and still builds the other documents.
The sandbox is tried with hostile templates, stylesheets and content, for the PDF and for
the HTML edition; a leak would show as a line of /etc/passwd inside an output.

Most check-only cases live in data/check_cases.yaml; here they are also built, all in one
project (one broken copy of the handout per case, next to good documents).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from conftest import MINI, REPO, TODAY, Result
from handoutkit.build.run import Selection, build_project
from handoutkit.content.loader import load_project
from handoutkit.render.renderer import Renderer
from test_check import CASES, apply_case

HANDOUT = "content/demo/handout.en.yaml"
HANDOUT_PDF = "dist/demo/handout.en.standard.letter.pdf"
BRIEF_PDF = "dist/demo/brief.en.standard.letter.pdf"
PASSWD = Path("/etc/passwd")
SANDBOX_HINT = (
    "only files under the project's assets/ or styles/ folder and data: URIs can be used; "
    "copy the file there"
)
HTML_HINT = (
    "the HTML edition is one self-contained file: only data: URIs (images from assets/, "
    "fonts and images from styles/) can be used"
)


def secret() -> bytes:
    """A distinctive line of /etc/passwd: found in an output, it would be a leak."""
    if not PASSWD.is_file():
        pytest.skip("no /etc/passwd to try to leak")
    return PASSWD.read_bytes().splitlines()[0]


def leaked(folder: Path, needle: bytes) -> list[str]:
    """Outputs under `folder` holding `needle`: raw, in any decoded PDF stream (attachments
    are compressed) or in any base64 data: URI of an HTML file."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits = needle in data
        if path.suffix == ".pdf" and not hits and data.startswith(b"%PDF-1."):
            with pikepdf.open(path) as pdf:
                for obj in pdf.objects:
                    if isinstance(obj, pikepdf.Stream):
                        try:
                            hits = hits or needle in obj.read_bytes()
                        except pikepdf.PdfError:
                            hits = hits or needle in obj.read_raw_bytes()
        if path.suffix == ".html" and not hits:
            for payload in re.findall(rb"base64,([A-Za-z0-9+/=]+)", data):
                hits = hits or needle in base64.b64decode(payload + b"==")
        if hits:
            found.append(path.name)
    return found


def build(run, project: Path, *args: str) -> Result:
    result = run("build", "-j", "1", *args, cwd=project)
    assert "Traceback" not in result.text, result.text
    return result


def no_temporary_files(project: Path) -> None:
    assert not [p for p in project.rglob("*") if p.name.endswith(".tmp")]


def is_pdf(path: Path) -> bool:
    return path.read_bytes().startswith(b"%PDF-1.")


def seed(path: Path, label: str) -> bytes:
    """An earlier good output (any bytes will do: a failed build must not touch it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = f"%PDF-earlier good output of {label}\n".encode()
    path.write_bytes(data)
    return data


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
    good.write_text(good.read_text().replace("id: demo-handout-en", "id: good-handout-en"))
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
        final.write_bytes(
            final.read_bytes().replace(b"id: demo-handout-en", f"id: {topic}-handout".encode())
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
            "content/references.yaml:1:7: error: '[0].id': expected text, got a list — write a "
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
            "handoutkit.yaml:5:10: error: YAML syntax error: expected ',' or ']', but got ':' — "
            "check the indentation and quoting on this line",
        ),
        (
            "region: us",
            "regoin: us",
            "handoutkit.yaml:4:1: error: unknown key 'regoin' — did you mean 'region'?",
        ),
        (
            "languages: [en, es]",
            "languages: !!python/object/new:os.system [echo pwned]",
            "handoutkit.yaml:5:12: error: YAML tag 'tag:yaml.org,2002:python/object/new:os.system' "
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


# --------------------------------------------------------------------------- paths out


def test_topic_folder_name_must_be_simple(run, mini: Path) -> None:
    (mini / "content" / "demo").rename(mini / "content" / "Demo Topic")
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        "content/Demo Topic/handout.en.yaml:1:1: error: topic folder name 'Demo Topic' is not a "
        "simple name — use lower-case letters, digits and hyphens, e.g. ketamine-bpd"
    ) in result.out.splitlines()


def test_document_linked_from_outside_the_project_is_refused(
    run, mini: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "handout.en.yaml"
    outside.parent.mkdir()
    shutil.move(mini / HANDOUT, outside)
    (mini / HANDOUT).symlink_to(outside)
    (mini / "content" / "linked").symlink_to(outside.parent, target_is_directory=True)
    result = run("check", cwd=mini)
    assert result.code == 1
    for shown in (HANDOUT, "content/linked/handout.en.yaml"):
        assert (
            f"{shown}:1:1: error: this file is a symbolic link to a file outside the project — "
            "copy the file into the project instead of linking to it"
        ) in result.out.splitlines()


def test_shared_file_linked_from_outside_the_project_is_refused(
    run, mini: Path, tmp_path: Path
) -> None:
    disclaimers = mini / "content" / "disclaimers.yaml"
    outside = tmp_path / "disclaimers.yaml"
    shutil.move(disclaimers, outside)
    disclaimers.symlink_to(outside)
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        "content/disclaimers.yaml:1:1: error: this file is a symbolic link to a file outside the "
        "project — copy the file into the project instead of linking to it"
    ) in result.out.splitlines()


def test_shared_file_outside_the_project_named_by_the_config_is_allowed(
    run, mini: Path, tmp_path: Path
) -> None:
    """handoutkit.yaml is trusted: it may point at a reference library shared by projects."""
    shared = tmp_path / "library" / "references.yaml"
    shared.parent.mkdir()
    shutil.move(mini / "content" / "references.yaml", shared)
    config = mini / "handoutkit.yaml"
    config.write_text(config.read_text() + f"references: {os.path.relpath(shared, mini)}\n")
    result = run("check", cwd=mini)
    assert result.code == 0, result.text


def test_symlink_in_the_output_folder_is_not_followed_out(run, mini: Path, tmp_path: Path) -> None:
    """dist/demo -> elsewhere: nothing is written there; another topic still builds."""
    shutil.copytree(mini / "content" / "demo", mini / "content" / "other")
    for name in ("handout", "brief"):
        path = mini / "content" / "other" / f"{name}.en.yaml"
        path.write_text(path.read_text().replace(f"demo-{name}-en", f"othr-{name}-en"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mini / "dist").mkdir()
    (mini / "dist" / "demo").symlink_to(elsewhere, target_is_directory=True)
    for jobs in ("2",):  # in worker processes: a refused write must not break the pool
        result = run("build", "-j", jobs, cwd=mini)
        assert result.code == 1, result.text
        assert "Traceback" not in result.text
        for kind in ("handout", "brief"):
            assert (
                f"  dist/demo/{kind}.en.standard.letter.pdf:1:1: error: refusing to write outside "
                f"the output folder: demo/{kind}.en.standard.letter.pdf — remove the symbolic "
                "link in the output folder that leads elsewhere"
            ) in result.err.splitlines(), result.err
        assert list(elsewhere.iterdir()) == []
        assert is_pdf(mini / "dist" / "other" / "handout.en.standard.letter.pdf")
        no_temporary_files(mini)


def test_symlink_at_an_output_name_is_replaced_not_followed(
    run, mini: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (mini / "dist" / "demo").mkdir(parents=True)
    (mini / HANDOUT_PDF).symlink_to(victim)
    result = build(run, mini)
    assert result.code == 0, result.text
    assert victim.read_text() == "keep me"
    assert not (mini / HANDOUT_PDF).is_symlink() and is_pdf(mini / HANDOUT_PDF)


def test_symlinked_out_folder_is_the_users_choice(run, mini: Path, tmp_path: Path) -> None:
    target = tmp_path / "published"
    target.mkdir()
    (tmp_path / "out-link").symlink_to(target, target_is_directory=True)
    result = build(run, mini, "--out", str(tmp_path / "out-link"))
    assert result.code == 0, result.text
    assert is_pdf(target / "demo" / "handout.en.standard.letter.pdf")


def test_output_folder_that_cannot_be_written_fails_located(run, mini: Path) -> None:
    earlier = seed(mini / BRIEF_PDF, "brief")
    (mini / "dist" / "demo" / "handout.en.standard.letter.pdf").mkdir()  # a folder in the way
    result = build(run, mini)
    assert result.code == 1
    assert (
        "  dist/demo/handout.en.standard.letter.pdf:1:1: error: cannot write "
        "'dist/demo/handout.en.standard.letter.pdf': Is a directory — check that the output "
        "folder is writable and the disk is not full"
    ) in result.err.splitlines(), result.err
    assert is_pdf(mini / BRIEF_PDF) and (mini / BRIEF_PDF).read_bytes() != earlier
    no_temporary_files(mini)


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
    r"^\s*-?\s*(type|id|language|code|version|last_reviewed|certainty|citation|citations|"
    r"path|online_url|date-parts):"
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


def test_raw_html_is_printed_as_text_in_the_pdf(run, poisoned: Path) -> None:
    from pdfcheck import page_texts

    result = build(run, poisoned, "content/demo/handout.en.yaml")
    assert result.code == 0, result.text
    text = "\n".join(page_texts(poisoned / HANDOUT_PDF))
    assert "<script>alert(1)</script>" in text
    assert "</style><script>alert(2)</script>" in text


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


# --------------------------------------------------------------------------- hostile templates


def _template(project: Path, markup: str, name: str = "handout.html.j2") -> None:
    anchor = '<section class="main-message"' if name == "handout.html.j2" else "{% block content %}"
    target = project / "templates" / name
    target.parent.mkdir(exist_ok=True)
    text = (REPO / "templates" / name).read_text()
    assert anchor in text
    target.write_text(
        text.replace(
            anchor, f"{anchor}\n{markup}\n" if "block" in anchor else f"{markup}\n{anchor}", 1
        )
    )


HOSTILE_MARKUP = {
    "link attachment": ('<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd"),
    "a attachment": ('<a rel="attachment" href="file:///etc/passwd">x</a>', "file:///etc/passwd"),
    "metadata service image": (
        '<img src="http://169.254.169.254/latest/meta-data/" alt="x">',
        "http://169.254.169.254/latest/meta-data/",
    ),
    "style @import": ("<style>@import url(file:///etc/passwd);</style>", "file:///etc/passwd"),
    "style @import string": ('<style>@import "file:///etc/passwd";</style>', "file:///etc/passwd"),
    "inline style url": (
        '<div style="background: url(../../../../../../../../etc/passwd)">x</div>',
        "file:///etc/passwd",
    ),
    "object": ('<object data="file:///etc/passwd"></object>', "file:///etc/passwd"),
    "embed": ('<embed src="file:///etc/passwd">', "file:///etc/passwd"),
}
SCREEN_ONLY = {  # a browser would fetch these; WeasyPrint does not, so the PDF is safe anyway
    "iframe": ('<iframe src="file:///etc/passwd"></iframe>', "file:///etc/passwd"),
    "upper-case URL()": (
        '<div style="background: URL(http://169.254.169.254/)">x</div>',
        "http://169.254.169.254/",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_MARKUP))
def test_hostile_template_cannot_load_outside_files_into_the_pdf(
    run, mini: Path, name: str
) -> None:
    markup, url = HOSTILE_MARKUP[name]
    earlier = seed(mini / HANDOUT_PDF, "handout")
    _template(mini, markup)
    result = build(run, mini, *([] if name == "link attachment" else [HANDOUT]))
    assert result.code == 1, result.text
    assert (
        f"  {HANDOUT}:1:1: error: refused to load '{url}' — {SANDBOX_HINT}"
    ) in result.err.splitlines(), result.err
    assert (mini / HANDOUT_PDF).read_bytes() == earlier
    assert name != "link attachment" or is_pdf(mini / BRIEF_PDF), "the brief must build"
    assert leaked(mini / "dist", secret()) == []
    no_temporary_files(mini)


# <a rel=attachment href> is only a link in a browser (WeasyPrint embeds it: see above)
@pytest.mark.parametrize(
    "name", [*(n for n in HOSTILE_MARKUP if n != "a attachment"), *SCREEN_ONLY]
)
def test_hostile_template_cannot_make_the_html_edition_fetch(run, mini: Path, name: str) -> None:
    markup, url = {**HOSTILE_MARKUP, **SCREEN_ONLY}[name]
    if name == "inline style url":
        url = "../../../../../../../../etc/passwd"  # the page is not resolved against a folder
    _template(mini, markup)
    result = build(run, mini, "--format", "html")
    assert result.code == 1, result.text
    assert (
        f"  {HANDOUT}:1:1: error: refused to load '{url}' — {HTML_HINT}" in result.err.splitlines()
    )
    assert not (mini / "dist" / "demo" / "handout.en.standard.html").exists()
    assert (mini / "dist" / "demo" / "brief.en.standard.html").is_file()
    assert leaked(mini / "dist", secret()) == []


def test_a_leak_would_be_detected(run, mini: Path) -> None:
    """Positive control: a file the sandbox allows is embedded, and `leaked` finds it."""
    (mini / "assets").mkdir()
    shutil.copy(PASSWD, mini / "assets" / "copy.txt")
    _template(mini, '<link rel="attachment" href="assets/copy.txt">')
    assert build(run, mini, HANDOUT).code == 0
    assert leaked(mini / "dist", secret()) == ["handout.en.standard.letter.pdf"]


def test_symlink_in_assets_pointing_out_is_refused(run, mini: Path) -> None:
    (mini / "assets").mkdir()
    (mini / "assets" / "logo.png").symlink_to(PASSWD)
    _template(mini, '<img src="assets/logo.png" alt="logo">')
    pdf = build(run, mini, HANDOUT)
    assert pdf.code == 1
    link = (mini / "assets" / "logo.png").as_uri()  # the link, not where it leads
    assert f"  {HANDOUT}:1:1: error: refused to load '{link}' — {SANDBOX_HINT}" in (
        pdf.err.splitlines()
    )
    _template(mini, '<img src="{{ asset_url(\'assets/logo.png\') }}" alt="logo">')
    html = build(run, mini, HANDOUT, "--format", "html")
    assert html.code == 1
    assert (
        "  templates/handout.html.j2:4:1: error: template error: 'assets/logo.png' is outside "
        "the project's assets/ folder"
    ) in html.err.splitlines(), html.err
    source = mini / HANDOUT
    source.write_text(source.read_text() + "images:\n  - path: assets/logo.png\n    alt: Logo\n")
    check = run("check", cwd=mini)
    assert check.code == 1
    assert (
        f"{HANDOUT}:26:11: error: 'assets/logo.png' is outside the project's assets/ folder — "
        "put the image under assets/ and give its path from the project root"
    ) in check.out.splitlines()
    assert leaked(mini / "dist", secret()) == []


# --------------------------------------------------------------------------- hostile stylesheets


def _style(project: Path, name: str, extra: str, first: bool = False) -> Path:
    """A project override of a default stylesheet, with `extra` rules at its end (or start)."""
    styles = project / "styles"
    styles.mkdir(exist_ok=True)
    path = styles / name
    default = (REPO / "styles" / name).read_text()
    path.write_text(extra + default if first else default + extra)
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("extra", "found", "message"),
    [
        (  # loaded while the page is laid out: located at the document
            "body { background: url(../../../../../../../../etc/passwd); }\n",
            None,
            f"refused to load 'file:///etc/passwd' — {SANDBOX_HINT}",
        ),
        (  # loaded while the stylesheet is read: located in it
            "@import url(file:///etc/passwd);\n",
            "passwd",
            f"refused to load 'file:///etc/passwd' — {SANDBOX_HINT}",
        ),
        (
            "h2 { colr: red; }\n",
            "colr",
            "CSS: Ignored `colr: red`, unknown property — fix or remove it: WeasyPrint skips it, "
            "so the PDF would silently lose it",
        ),
        (
            "h2 { font-size: big; }\n",
            "font-size: big",
            "CSS: Ignored `font-size: big`, invalid value — fix or remove it: WeasyPrint skips "
            "it, so the PDF would silently lose it",
        ),
        (
            "}}} h2 { color: red; }\n",
            "}}} h2",
            "CSS: Invalid or unsupported selector, '}}} h2 ' — fix or remove it: WeasyPrint skips "
            "it, so the PDF would silently lose it",
        ),
    ],
    ids=["url out", "@import out", "unknown property", "invalid value", "broken selector"],
)
def test_hostile_or_broken_print_stylesheet_fails_located(
    run, mini: Path, extra: str, found: str | None, message: str
) -> None:
    """A hostile or broken rule in large-print.css fails the large-print edition, located;
    the standard edition, which does not use it, still builds."""
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text().replace("editions: [standard]", "editions: [standard, large-print]")
    )
    earlier = seed(mini / "dist/demo/handout.en.large-print.letter.pdf", "large print")
    path = _style(mini, "large-print.css", extra, first=extra.startswith("@import"))
    if found is None:
        where = f"{HANDOUT}:1:1"
    else:
        line = _line_of(path, found)
        col = path.read_text().splitlines()[line - 1].index(found) + 1
        where = f"styles/large-print.css:{line}:{col}"
    result = build(run, mini, HANDOUT)
    assert result.code == 1, result.text
    assert f"  {where}: error: {message}" in result.err.splitlines(), result.err
    assert (mini / "dist/demo/handout.en.large-print.letter.pdf").read_bytes() == earlier
    assert is_pdf(mini / HANDOUT_PDF), "the standard edition does not use large-print.css"
    assert leaked(mini / "dist", secret()) == []
    no_temporary_files(mini)


def test_missing_font_is_located_at_the_font_face(run, mini: Path) -> None:
    shutil.copytree(REPO / "styles", mini / "styles")
    font = "atkinson-hyperlegible-next-latin-400-normal.ttf"
    (mini / "styles" / "fonts" / font).unlink()
    earlier = seed(mini / HANDOUT_PDF, "handout")
    result = build(run, mini)
    assert result.code == 1
    css = mini / "styles" / "fonts.css"
    line = _line_of(css, font)
    col = css.read_text().splitlines()[line - 1].index(font) + 1
    assert (
        f"  styles/fonts.css:{line}:{col}: error: cannot load 'styles/fonts/{font}': the file "
        "does not exist — restore the file, or fix the reference to it"
    ) in result.err.splitlines(), result.err
    assert (mini / HANDOUT_PDF).read_bytes() == earlier


@pytest.mark.parametrize(
    ("extra", "found", "message"),
    [
        (
            "body { background: URL(../../../../../../../etc/passwd); }\n",
            "URL(",
            "url(../../../../../../../etc/passwd) is not a file in the project's styles — keep "
            "fonts and images for stylesheets under styles/",
        ),
        (
            '@import "https://tracker.example/x.css";\n',
            '"https',
            "'https://tracker.example/x.css' cannot be inlined into the HTML edition — refer to "
            "files under styles/ with url(); @import is not supported",
        ),
        (
            "body { background: u\\72l(/etc/passwd); }\n",
            "u\\72l",
            "'/etc/passwd' cannot be inlined into the HTML edition — refer to files under "
            "styles/ with url(); @import is not supported",
        ),
        (
            'body { background: image-set("../../../../etc/passwd" 1x); }\n',
            '"../',
            "'../../../../etc/passwd' cannot be inlined into the HTML edition — refer to files "
            "under styles/ with url(); @import is not supported",
        ),
        (
            "body { color: red ) }\n",
            ") }",
            "CSS syntax error: Unmatched ) — fix the rule (browsers skip it)",
        ),
    ],
    ids=["URL() out", "@import string", "escaped url", "image-set", "syntax error"],
)
def test_hostile_screen_stylesheet_fails_at_its_line(
    run, mini: Path, extra: str, found: str, message: str
) -> None:
    path = _style(mini, "screen.css", extra)
    line = _line_of(path, found)
    col = path.read_text().splitlines()[line - 1].index(found) + 1
    result = build(run, mini, "--format", "html")
    assert result.code == 1, result.text
    assert f"  styles/screen.css:{line}:{col}: error: {message}" in result.err.splitlines(), (
        result.err
    )
    assert not list((mini / "dist").rglob("*.html"))
    assert leaked(mini / "dist", secret()) == [] if (mini / "dist").exists() else True


def test_screen_stylesheet_may_use_data_uris(run, mini: Path) -> None:
    _style(
        mini,
        "screen.css",
        'body { background: url("data:image/gif;base64,R0lGODlhAQABAAAAACw="); }\n',
    )
    result = build(run, mini, "--format", "html")
    assert result.code == 0, result.text


def test_non_utf8_stylesheet_is_located(run, mini: Path) -> None:
    path = _style(mini, "colours.css", "")
    path.write_bytes(path.read_bytes() + b"/* caf\xe9 */\n")
    line = len(path.read_bytes().splitlines())
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        f"styles/colours.css:{line}:7: error: file is not valid UTF-8 (byte 0xe9) — save the "
        "file as UTF-8 in your editor"
    ) in result.out.splitlines()
    assert "Traceback" not in result.text


def test_colour_that_is_not_a_colour_is_located(run, mini: Path) -> None:
    path = _style(mini, "colours.css", ":root { --accent: url(file:///etc/passwd); }\n")
    line = _line_of(path, "url(file")
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        f"styles/colours.css:{line}:9: error: --accent: 'url(file:///etc/passwd)' is not a CSS "
        "colour — write an opaque colour, e.g. #1a4d80"
    ) in result.out.splitlines(), result.out


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        (
            "{{ doc.title | }}",
            "template error: expected token 'name', got 'end of print statement'",
        ),
        ("{{ 1 / 0 }}", "template error: division by zero"),
        (
            "{% include 'partials/nope.html.j2' %}",
            "template error: template 'partials/nope.html.j2' not found — add it to the project's "
            "templates/ folder or restore the default",
        ),
        (
            "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
            "template error: maximum recursion depth exceeded",
        ),
        (
            "{{ doc.no_such_field }}",
            "template error: 'handoutkit.models.Handout object' has no attribute 'no_such_field'",
        ),
    ],
    ids=["syntax error", "division by zero", "missing include", "endless macro", "undefined"],
)
def test_template_mistakes_are_located(run, mini: Path, markup: str, message: str) -> None:
    earlier = seed(mini / HANDOUT_PDF, "handout")
    _template(mini, markup)
    line = _line_of(mini / "templates" / "handout.html.j2", markup.split("}")[0])
    result = build(run, mini, *([] if "1 / 0" in markup else [HANDOUT]))
    assert result.code == 1
    located = [x for x in result.err.splitlines() if x.startswith("  templates/handout.html.j2:")]
    assert located, result.err
    assert located[0].startswith(f"  templates/handout.html.j2:{line}:1: error: {message}"), (
        located[0]
    )
    assert (mini / HANDOUT_PDF).read_bytes() == earlier
    assert "1 / 0" not in markup or is_pdf(mini / BRIEF_PDF)
    no_temporary_files(mini)


# --------------------------------------------------------------------------- no network


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_shipped_pack_builds_without_network(no_network: list[object], tmp_path: Path) -> None:
    from conftest import copy_shipped_project

    project = load_project(copy_shipped_project(tmp_path / "shipped"))
    report = build_project(
        project,
        tmp_path / "out",
        today=dt.date.fromisoformat(TODAY),
        selection=Selection(
            languages=("en",), editions=("standard",), papers=("letter",), formats=("pdf", "html")
        ),
        jobs=1,
    )
    assert report.ok, [str(p) for r in report.failed for p in r.problems]
    assert no_network == []


def test_hostile_url_is_refused_without_a_connection(
    run, mini: Path, no_network: list[object]
) -> None:
    _template(mini, '<img src="http://169.254.169.254/latest/meta-data/" alt="x">')
    _template(mini, '<img src="https://example.org/pixel.png" alt="x">', "brief.html.j2")
    result = build(run, mini, "--format", "pdf,html")
    assert result.code == 1
    assert "refused to load 'http://169.254.169.254/latest/meta-data/'" in result.err
    assert "refused to load 'https://example.org/pixel.png'" in result.err
    assert no_network == []


# --------------------------------------------------------------------------- determinism


def test_pdfs_do_not_depend_on_folder_user_or_environment(run, mini: Path, tmp_path: Path) -> None:
    """Built from another working folder with --project, by another "user" (HOME, USER,
    TMPDIR), in another time zone and locale: the same bytes."""
    first = build(run, mini, "--format", "pdf,html")
    assert first.code == 0, first.text
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "USER": "someone-else",
        "LOGNAME": "someone-else",
        "TMPDIR": str(home / "tmp"),
        "TZ": "Pacific/Kiritimati",
        "LANG": "es_ES.UTF-8",
        "LC_ALL": "C.UTF-8",
        "SOURCE_DATE_EPOCH": "1",
        "HANDOUTKIT_TODAY": TODAY,
    }
    command = [
        str(Path(sys.executable).parent / "handoutkit"),
        "--project",
        str(mini),
        "build",
        "-j",
        "1",
        "--format",
        "pdf,html",
        "--out",
        str(tmp_path / "again"),
    ]
    done = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    outputs = sorted(
        p.relative_to(mini / "dist")
        for p in (mini / "dist").rglob("*.*")
        if p.suffix in (".pdf", ".html")
    )
    assert len(outputs) == 4
    for name in outputs:
        assert (mini / "dist" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["build", "--out", "afile"],
            "handoutkit: afile: cannot be the output folder: File exists — choose another --out",
        ),
        (
            ["build", "--out", "afile/sub"],
            "handoutkit: afile/sub: cannot be the output folder: Not a directory — choose "
            "another --out",
        ),
        (
            ["--project", "no-such-folder", "check"],
            "handoutkit: no-such-folder: no handoutkit.yaml in this folder — is it a handoutkit "
            "project?",
        ),
    ],
    ids=["--out is a file", "--out under a file", "--project is not a project"],
)
def test_bad_options_are_usage_errors(run, mini: Path, args: list[str], expected: str) -> None:
    (mini / "afile").write_text("not a folder")
    result = run(*args, cwd=mini)
    assert result.code == 2, result.text
    assert expected in result.err.splitlines(), result.err
    assert "Traceback" not in result.text and "internal error" not in result.text


@pytest.mark.parametrize(
    ("folder", "shown"),
    [(os.fsdecode(b"bad\xff"), "bad\\udcff"), ("two\nlines", "two\\u000alines")],
    ids=["undecodable byte", "line break"],
)
def test_odd_file_names_are_reported_on_one_printable_line(
    run, mini: Path, folder: str, shown: str
) -> None:
    topic = mini / "content" / folder
    topic.mkdir()
    source = topic / "handout.en.yaml"
    source.write_text((mini / HANDOUT).read_text().replace("demo-handout-en", "odd-handout-en"))
    expected = (
        f"content/{shown}/handout.en.yaml:1:1: error: topic folder name '{shown}' is not a simple "
        "name — use lower-case letters, digits and hyphens, e.g. ketamine-bpd"
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert expected in result.out.splitlines(), result.out
    result.out.encode("utf-8")  # no surrogates: a strict UTF-8 terminal can print it
    report = run("check", "--format", "json", cwd=mini)
    assert report.code == 1
    report.out.encode("utf-8")
    assert expected in [d["text"] for d in json.loads(report.out)["diagnostics"]]


def test_content_image_paths_cannot_leave_assets(run, mini: Path) -> None:
    (mini / "assets").mkdir()
    shutil.copy(REPO / "tests" / "data" / "pixel.png", mini / "assets" / "pixel.png")
    paths = [
        "../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "assets/../../../../etc/passwd",
    ]
    source = mini / HANDOUT
    first = len(source.read_text().splitlines()) + 2
    source.write_text(
        source.read_text()
        + "images:\n"
        + "".join(f"  - path: {path}\n    alt: x\n" for path in paths)
    )
    earlier = seed(mini / HANDOUT_PDF, "handout")
    result = build(run, mini)
    assert result.code == 1
    for index, path in enumerate(paths):
        assert (
            f"{HANDOUT}:{first + 2 * index}:11: error: '{path}' is outside the project's assets/ "
            "folder — put the image under assets/ and give its path from the project root"
        ) in result.out.splitlines(), result.out
    assert (mini / HANDOUT_PDF).read_bytes() == earlier
    assert is_pdf(mini / BRIEF_PDF)
    assert leaked(mini / "dist", secret()) == []
