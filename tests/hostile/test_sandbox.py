"""The sandbox of templates and stylesheets: whatever a template or stylesheet says, the PDF
and the HTML edition load nothing from outside the project's assets/ and styles/, make no
network connection, and every mistake is located at its line. A leak would show as a line of
/etc/passwd inside an output."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from pathlib import Path

import pytest

from handoutkit.build.run import Selection, build_project
from handoutkit.content.loader import load_project
from helpers import (
    BRIEF_PDF,
    HANDOUT,
    HANDOUT_PDF,
    HTML_HINT,
    PASSWD,
    REPO,
    SANDBOX_HINT,
    TODAY,
    build,
    is_pdf,
    leaked,
    no_temporary_files,
    secret,
    seed,
)

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
        "  templates/handout.html.j2:5:1: error: template error: 'assets/logo.png' is outside "
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
    font = "atkinson-hyperlegible-next-latin-400-gone.ttf"  # in no styles folder
    css = mini / "styles" / "fonts.css"
    css.write_text(css.read_text().replace("latin-400-normal.ttf", "latin-400-gone.ttf"))
    earlier = seed(mini / HANDOUT_PDF, "handout")
    result = build(run, mini)
    assert result.code == 1
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
    from helpers import copy_shipped_project

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


def test_a_project_stylesheet_finds_the_default_fonts_it_names(run, mini: Path) -> None:
    """A project's fonts.css that names a font file it lacks takes handoutkit's (file by file,
    like templates and stylesheets), but never a file outside the styles folders."""
    (mini / "styles").mkdir()
    default = (REPO / "styles" / "fonts.css").read_text()
    (mini / "styles" / "fonts.css").write_text(default)
    result = build(run, mini, HANDOUT)
    assert result.code == 0, result.text
    (mini / "styles" / "fonts.css").write_text(
        default.replace("url(fonts/", "url(../../../../../../../../etc/")
    )
    refused = build(run, mini, HANDOUT, "--force")
    assert refused.code == 1 and "refused to load" in refused.err, refused.text
