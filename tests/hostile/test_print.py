"""Hostile content against the promise that what prints is what was written: CJK, Arabic, emoji,
combining marks, zero-width and bidi controls, a 3,000-character URL, deeply nested Markdown,
pasted HTML, a 60-word sentence, a low-resolution image, a heading forced to a page bottom.

One project holds one broken copy of the handout (or brief) per case, each in its own topic
folder with an earlier output in dist/, next to good documents; one build (two workers, in a
subprocess) tries them all. Every case is located (`path:line:col`), the build exits 1 with no
traceback, each earlier output stays byte for byte, and the good documents build. The fonts
are DejaVu only (`only_dejavu`), so no CJK font is installed whatever this machine has; a
project that adds one (`styles/fonts.css`) then builds its CJK handout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from helpers import (
    CJK_FONT,
    HANDOUT,
    MINI,
    TODAY,
    Result,
    build,
    is_pdf,
    no_temporary_files,
    only_dejavu,
    page_texts,
    seed,
)

BODY = "      This is a short test. It has a fact [@smith2020].\n"
LONG = "This paragraph is long enough to wrap over several lines of the page. " * 12
URL = "https://example.org/" + "/".join(f"part{n}.section" for n in range(200))
URL = URL[:3000]
NESTED = "".join("  " * n + f"- level {n + 1}\n" for n in range(12))

# name -> (file, (old, new) replacements, expected output lines: stdout (check) or stderr)
CASES: dict[str, tuple[str, list[tuple[str, str]], list[str]]] = {
    "CJK without a font for it": (
        "handout",
        [(BODY, BODY + "\n      Say 你好 to your care team.\n")],
        [
            "{doc}:18:11: error: no font has '你' (U+4F60 CJK UNIFIED IDEOGRAPH-4F60): it would "
            "print as an empty box; fonts tried: Atkinson Hyperlegible Next, DejaVu Sans, "
            "sans-serif and the {fonts} fonts installed on this system — install a font for its "
            "script, e.g. Debian's fonts-noto-cjk (Noto Sans CJK), or put the font file under "
            "styles/fonts/ with an @font-face rule in the project's styles/fonts.css (docs/"
            "building.md: Fonts for other scripts); or remove the character",
            "{doc}:18:12: error: no font has '好' (U+597D CJK UNIFIED IDEOGRAPH-597D)",
        ],
    ),
    "an emoji": (
        "handout",
        [("main_message: Talk to your care team", "main_message: Talk 👍 to your care team")],
        [
            "{doc}:12:20: error: no font has '👍' (U+1F44D THUMBS UP SIGN): it would print as "
            "an empty box; fonts tried: Atkinson Hyperlegible Next, DejaVu Sans, sans-serif and "
            "the {fonts} fonts installed on this system — write it in words: emoji are not in "
            "the print fonts",
        ],
    ),
    "Arabic with a right-to-left override": (
        "handout",
        [(BODY, BODY + "\n      Arabic مرحبا is fine, but \u202egnirts\u202c is not.\n")],
        [
            "{doc}:18:33: error: bidirectional control character U+202E RIGHT-TO-LEFT "
            "OVERRIDE: it reorders how the text around it is displayed, so the page would not "
            "show what the file says — delete it; right-to-left text (Arabic, Hebrew) displays "
            "correctly without it",
            "{doc}:18:40: error: bidirectional control character U+202C POP DIRECTIONAL",
        ],
    ),
    "a bidi isolate in a title": (
        "handout",
        [("title: A test handout", 'title: "A test \\u2067handout\\u2069"')],
        ["{doc}:4:16: error: bidirectional control character U+2067 RIGHT-TO-LEFT ISOLATE"],
    ),
    "a zero-width space inside a word": (
        "handout",
        [("Write down your questions.", "Write down your ques\u200btions.")],
        [
            "{doc}:18:25: error: invisible U+200B ZERO WIDTH SPACE inside the word 'questions' "
            "— delete it: it does not print, but it splits the word for search, copying and "
            "screen readers",
        ],
    ),
    "combining marks": (
        "handout",
        [("  - What are my options?", "  - What are my \u0301options? Cafe\u0301 is fine.")],
        [
            "{doc}:20:17: error: combining mark U+0301 COMBINING ACUTE ACCENT has no letter to "
            "go on — delete it, or type the accented letter itself (e.g. é, not e and an accent)"
        ],
    ),
    "pasted HTML of several kinds": (
        "handout",
        [
            (
                BODY,
                BODY + "\n      Some <b>bold</b>, <i>italic</i> and <script>alert(1)</script>."
                "\n\n      <style>body { display: none }</style>\n\n      <!-- a note -->\n\n"
                '      <iframe src="https://example.org"></iframe>\n',
            ),
            ("  - What are my options?", "  - What are <em>my</em> options?"),
        ],
        [
            "{doc}:18:12: error: raw HTML is not allowed in content: `<b>` — use **bold**",
            "{doc}:18:25: error: raw HTML is not allowed in content: `<i>` — use *italic*",
            "{doc}:18:43: error: raw HTML is not allowed in content: `<script>` — delete it: "
            "content cannot run scripts or change styles",
            "{doc}:20:7: error: raw HTML is not allowed in content: `<style>` — delete it: "
            "content cannot run scripts or change styles",
            "{doc}:22:7: error: raw HTML is not allowed in content: `<!-- a note -->` — delete "
            "the HTML comment (a comment in YAML starts with #)",
            '{doc}:24:7: error: raw HTML is not allowed in content: `<iframe src="https://'
            'example.org">` — delete it: content cannot run scripts or change styles',
            "{doc}:28:14: error: raw HTML is not allowed in content: `<em>` — delete it: this "
            "field is plain text, printed exactly as written",
        ],
    ),
    "deeply nested Markdown": (
        "handout",
        [(BODY, BODY + "\n" + "".join("      " + line + "\n" for line in NESTED.splitlines()))],
        [
            "{doc}:22:15: error: lists and quotes are nested 5 levels deep here; at most 4 print "
            "readably, and past 10 the Markdown parser drops the text — use fewer levels: split "
            "the list, or make the inner items sentences",
        ],
    ),
    "a 60-word sentence": (
        "handout",
        [
            (
                BODY,
                "      You can ask your care team about every option that you have, and you "
                "can ask them about how each option works, how long it takes, what it costs, "
                "who gives it, where it is given, what happens if it does not help, and what "
                "else you can try at home or work while you wait for it to start [@smith2020].\n",
            )
        ],
        [
            "{doc}:14:14: error: section 'What it is' (60 words) reads at grade 21.2 "
            "(Flesch-Kincaid), above the limit of 8 for patient handouts — use shorter sentences "
            "and shorter, everyday words in this section",
            '{doc}:16:7: error: sentence of 60 words is over the limit of 40: "You can ask your '
            'care team about every …" — split it into shorter sentences',
        ],
    ),
    "a 3,000-character URL in a table cell": (
        "brief",
        [
            (
                "    design: Pilot RCT",
                f"    design: Pilot RCT, see https://example.org/?id={'x' * 2975}",
            )
        ],
        [
            "  {doc}:32:52: error: {topic}/brief.en.standard.letter.pdf, page 1: the table (its "
            "cell 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' cannot wrap) runs ",
        ],
    ),
    "a heading forced to a page bottom": (
        "handout",
        [(BODY, BODY + "  - heading: A second section\n    body: |\n      - " + LONG * 5 + "\n")],
        [
            "  {doc}:17:14: error: {topic}/handout.en.standard.letter.pdf, page 2: the heading "
            "'A second section' is the last line of the page; its section starts on the next "
            "page — the first paragraph, list item or table after it cannot start on this page "
            "(it is kept whole and is taller than the space left): shorten it, or split it",
            "  {doc}:18:11: error: {topic}/handout.en.standard.letter.pdf, page 3: a list item "
            "splits across pages 3 and 4: it is taller than the space a page has for it — "
            "shorten it so that it fits on one page (it is kept whole where it fits)",
        ],
    ),
}


def _fonts_env(folder: Path, *extra: Path) -> dict[str, str]:
    config = only_dejavu(folder, *extra)
    return {**os.environ, "HANDOUTKIT_TODAY": TODAY, "FONTCONFIG_FILE": str(config)}


def _installed_fonts(env: dict[str, str]) -> int:
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=True)
    return len(listed.stdout.splitlines())


def _handoutkit(project: Path, env: dict[str, str], *args: str) -> Result:
    command = [str(Path(sys.executable).parent / "handoutkit"), *args]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Result, int]:
    project = tmp_path_factory.mktemp("print") / "project"
    shutil.copytree(MINI, project)
    good_url = project / "content" / "demo" / "handout.en.yaml"  # long URLs wrap: it builds
    good_url.write_text(good_url.read_text().replace(BODY, BODY + f"\n      Read <{URL}>.\n"))
    earlier = {}
    for number, (name, (kind, changes, _lines)) in enumerate(CASES.items(), start=1):
        topic = f"case-{number:02d}"
        source = project / "content" / topic / f"{kind}.en.yaml"
        source.parent.mkdir()
        text = (MINI / "content" / "demo" / f"{kind}.en.yaml").read_text()
        for old, new in changes:
            assert old in text, (name, old)
            text = text.replace(old, new)
        text = text.replace(f"id: demo-{kind}-en", f"id: {topic}-{kind}")
        text = text.replace("code: TEST-", f"code: C{number:02d}-")  # codes are unique too
        source.write_text(text)
        earlier[name] = seed(project / "dist" / topic / f"{kind}.en.standard.letter.pdf", topic)
    env = _fonts_env(tmp_path_factory.mktemp("fonts"))
    result = _handoutkit(project, env, "build", "-j", "2")
    return project, earlier, result, _installed_fonts(env)


def test_every_case_fails_and_the_good_documents_build(hostile) -> None:
    project, _earlier, result, _fonts = hostile
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    for name in ("handout.en", "brief.en"):
        assert is_pdf(project / "dist" / "demo" / f"{name}.standard.letter.pdf")
    text = "".join(page_texts(project / "dist" / "demo" / "handout.en.standard.letter.pdf"))
    address = "".join(text.split())  # it wraps over lines (and a page: footers in between)
    pieces = URL.split("/")
    assert all(piece in address for piece in pieces), "the 3,000-character address prints whole"
    no_temporary_files(project)


@pytest.mark.parametrize("name", CASES)
def test_hostile_case(hostile, name: str) -> None:
    project, earlier, result, fonts = hostile
    kind = CASES[name][0]
    number = list(CASES).index(name) + 1
    topic = f"case-{number:02d}"
    doc = f"content/{topic}/{kind}.en.yaml"
    output = result.out.splitlines() + result.err.splitlines()
    for line in CASES[name][2]:
        expected = line.format(doc=doc, topic=topic, fonts=fonts)
        assert any(o.startswith(expected) for o in output), f"missing: {expected}\n{result.text}"
    assert f"failed {topic}/{kind}.en.standard.letter.pdf" in result.err
    pdf = project / "dist" / topic / f"{kind}.en.standard.letter.pdf"
    assert pdf.read_bytes() == earlier[name], "the earlier output must stay"


def test_findings_are_in_the_json_report_with_their_rule(hostile) -> None:
    project, _earlier, _result, _fonts = hostile
    env = _fonts_env(project.parent / "fonts-json")
    report = json.loads(_handoutkit(project, env, "build", "-j", "1", "--format", "json").out)
    assert not report["ok"]
    check_rules = {d["rule"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert check_rules == {
        "font-coverage", "bidi-control", "zero-width", "combining-mark", "raw-html",
        "markdown-nesting", "sentence-limit", "section-reading-level",
    }  # fmt: skip
    print_rules = {
        problem["rule"] for output in report["outputs"] for problem in output["problems"]
    }
    assert {"overflow", "stranded-heading", "split"} <= print_rules
    problem = next(
        p for o in report["outputs"] for p in o["problems"] if p["rule"] == "stranded-heading"
    )
    assert problem["location"]["line"] == 17 and problem["severity"] == "error"


# --------------------------------------------------------------------------- fonts for a script


CJK = (BODY, BODY + "\n      Say 你好 to your care team.\n")


def _cjk_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    handout = project / HANDOUT
    handout.write_text(handout.read_text().replace(*CJK))
    return project


def test_a_script_builds_once_the_project_adds_a_font_for_it(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's recipe: the font file under styles/fonts/, and handoutkit's fonts.css
    copied into the project's styles/ with an @font-face rule for it added."""
    from handoutkit.resources import default_root

    project = _cjk_project(tmp_path)
    monkeypatch.setenv("FONTCONFIG_FILE", str(only_dejavu(tmp_path / "fc")))
    before = run("build", "-j", "1", cwd=project)
    assert before.code == 1
    assert "no font has '你' (U+4F60 CJK UNIFIED IDEOGRAPH-4F60)" in before.out
    fonts = project / "styles" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(CJK_FONT, fonts)
    default = (default_root() / "styles" / "fonts.css").read_text()  # copied as it is
    (project / "styles" / "fonts.css").write_text(
        default + '@font-face { font-family: "Handout Test CJK"; '
        'src: url(fonts/handout-test-cjk.otf) format("opentype"); }\n'
    )
    after = build(run, project, "--strict")
    assert after.code == 0, after.text
    pdf = project / "dist" / "demo" / "handout.en.standard.letter.pdf"
    assert "Say 你好 to your care team." in "\n".join(page_texts(pdf))


def test_a_script_builds_once_a_font_for_it_is_installed(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with the font installed on the system (here: a folder fontconfig reads)."""
    project = _cjk_project(tmp_path)
    monkeypatch.setenv("FONTCONFIG_FILE", str(only_dejavu(tmp_path / "fc", CJK_FONT.parent)))
    result = build(run, project, "--strict", HANDOUT)
    assert result.code == 0, result.text
    pdf = project / "dist" / "demo" / "handout.en.standard.letter.pdf"
    assert "Say 你好 to your care team." in "\n".join(page_texts(pdf))


# --------------------------------------------------------------------------- images


def test_a_low_resolution_image(run, mini: Path) -> None:
    """Warned, located at its path, and built; with --strict, failed and the earlier output
    kept; an unchanged rebuild still shows the warning (the manifest keeps it)."""
    (mini / "assets").mkdir()
    Image.new("RGB", (120, 90), "white").save(mini / "assets" / "photo.png")
    handout = mini / HANDOUT
    handout.write_text(
        handout.read_text() + "images:\n  - path: assets/photo.png\n    alt: A photo\n"
    )
    expected = (
        f"  {HANDOUT}:26:11: warning: demo/handout.en.standard.letter.pdf, page 1: the image "
        "'assets/photo.png' prints at 96 dpi (120 × 90 px over 1.2 × 0.9 in); it needs at least "
        "150 dpi to print sharply — use a larger image file (at least 188 × 141 px at this "
        "size), or print it smaller"
    )
    first = build(run, mini, HANDOUT)
    assert first.code == 0 and expected in first.err.splitlines(), first.text
    assert "1 built, 0 unchanged, 0 failed; 0 errors, 1 warning" in first.err
    again = build(run, mini, HANDOUT)
    assert "unchanged" in again.err and expected in again.err.splitlines(), again.text
    earlier = seed(mini / "dist" / "demo" / "handout.en.standard.letter.pdf", "handout")
    strict = build(run, mini, HANDOUT, "--strict", "--force")
    assert strict.code == 1 and expected in strict.err.splitlines(), strict.text
    assert (mini / "dist" / "demo" / "handout.en.standard.letter.pdf").read_bytes() == earlier
