"""Property-based tests (hypothesis) of the two paths untrusted text takes.

- The YAML loader (`yamlsource` + `loader`, then `checks`) on arbitrary text and bytes and on
  handout-shaped documents with random values, keys and damage: it raises nothing but
  `ContentError`, and every diagnostic points at a line and column inside the file.
- The Markdown renderer on arbitrary text: it never raises, its HTML holds no tag but the few
  the renderer itself writes, and no link but web, mail, phone and in-page ones.

Examples are derandomized and no example database is kept, so every run (and CI) tries the
same inputs.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoutkit.content.loader import Project, load_document, load_project
from handoutkit.content.markdown import ALLOWED_LINK, find_citations, find_links, strip_markdown
from handoutkit.content.yamlsource import load_yaml, parse_yaml
from handoutkit.diagnostics import Diagnostic, Diagnostics
from handoutkit.errors import ContentError
from handoutkit.lint.checks import check_project
from handoutkit.render.markdown import Citer, MarkdownRenderer
from helpers import MINI, TODAY

PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- the loader


def assert_located(diagnostics: list[Diagnostic], shown: str, text: str) -> None:
    """Every diagnostic of `text` (shown as `shown`) points at a place inside it."""
    assert diagnostics, "a ContentError must carry its located diagnostics"
    lines = text.split("\n")
    for diagnostic in diagnostics:
        where = diagnostic.location
        assert where.path == shown, diagnostic
        assert 1 <= where.line <= len(lines), (diagnostic, len(lines))
        assert 1 <= where.col <= len(lines[where.line - 1]) + 1, diagnostic
        assert "\n" not in str(diagnostic), diagnostic


# Pieces of YAML syntax, so random text often gets past the first character.
YAML_PIECES = st.sampled_from(
    [
        "a: b\n", "- x\n", "  ", "\t", ": ", "- ", "? ", "&a ", "*a", "!!python/object ",
        "!!str ", "!local ", "[", "]", "{", "}", ",", '"', "'", "\\", "\\e", "\\ud800", "#",
        "|\n", ">-\n", "---\n", "...\n", "%YAML 1.1\n", "<<: *a\n", "\r\n", "\u2028",
        "\ufeff", "\x00", "title: ", "2026-13-01", "yes", "~", "\n",
    ]
)  # fmt: skip
YAML_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(YAML_PIECES, st.text(max_size=8)), max_size=40).map("".join),
)


@PROPERTIES
@given(text=YAML_TEXT)
def test_yaml_text_gives_data_or_located_errors(text: str) -> None:
    try:
        parse_yaml(text, "f.yaml")
    except ContentError as exc:
        assert_located(exc.diagnostics, "f.yaml", text)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="handoutkit-properties-"))
    yield folder
    shutil.rmtree(folder)


@PROPERTIES
@given(
    raw=st.one_of(st.binary(max_size=200), YAML_TEXT.map(lambda t: t.encode("utf-8", "replace")))
)
def test_yaml_bytes_give_data_or_located_errors(scratch: Path, raw: bytes) -> None:
    path = scratch / "bytes.yaml"
    path.write_bytes(raw)
    try:
        load_yaml(path, "bytes.yaml")
    except ContentError as exc:
        text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
        assert_located(exc.diagnostics, "bytes.yaml", text)


# A handout as data, then damaged: values replaced by random YAML values, keys dropped or
# added, the whole dumped in random styles and, sometimes, random text spliced in.
HANDOUT = yaml.safe_load((MINI / "content" / "demo" / "handout.en.yaml").read_text())
HANDOUT["review"]["last_reviewed"] = "2026-11-01"  # safe_load made it a date

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["[@smith2020]", "[@nobody]", "2026-02-30", "<script>x</script>", ""]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def damaged_handouts(draw: st.DrawFn) -> str:
    data = yaml.safe_load(yaml.safe_dump(HANDOUT))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(_paths(data)))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(VALUES)
    text = yaml.safe_dump(
        data,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, True, None])),
        default_style=draw(st.sampled_from([None, '"', "'", "|"])),
        sort_keys=draw(st.booleans()),
    )
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(YAML_TEXT) + text[at:]
    return text


@pytest.fixture(scope="module")
def mini_project(scratch: Path) -> Project:
    root = scratch / "mini"
    shutil.copytree(MINI, root)
    return load_project(root)


@PROPERTIES
@given(text=damaged_handouts())
def test_damaged_handouts_load_and_check_with_located_errors(
    mini_project: Project, text: str
) -> None:
    """Loading and checking a damaged handout: a model, or diagnostics inside the file."""
    path = mini_project.root / "content" / "demo" / "handout.en.yaml"
    path.write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    document = load_document(path, mini_project.root, mini_project.config, diagnostics)
    if document is not None:
        project = Project(
            mini_project.root,
            mini_project.config,
            mini_project.config_source,
            mini_project.shared,
            [document],
            diagnostics,
        )
        check_project(project, dt.date.fromisoformat(TODAY), whole_project=False)
    else:
        assert diagnostics.errors
    own = [d for d in diagnostics if d.location.path.endswith("demo/handout.en.yaml")]
    if own:
        assert_located(own, own[0].location.path, text)


# --------------------------------------------------------------------------- Markdown

# What the renderer itself writes: CommonMark's elements (no images, no raw HTML), headings
# shifted down, the citation's <sup class="cite"><a href="#ref-N">, and <wbr> in addresses.
ALLOWED_TAGS = {
    "p", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "br", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "sup", "wbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {("a", "href"), ("ol", "start"), ("code", "class"), ("sup", "class")}
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[a-z]+=\"[^\"<>]*\")*)\s*/?>")
ATTRIBUTE = re.compile(r"\s+([a-z]+)=\"([^\"<>]*)\"")

MARKDOWN_PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>", "<style>body{display:none}</style>", "<iframe src=x>",
        "<img src=x onerror=alert(1)>", "</p>", "<!-- x -->", "<![CDATA[x]]>", "<?php ?>",
        "[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))", "[a](file:///etc/passwd)",
        "[a](data:text/html,<script>)", "[a](vbscript:x)", "[a](jav&#x61;script:x)",
        "[a](java\nscript:x)", "<javascript:alert(1)>", "<https://example.org>",
        "[a][r]\n\n[r]: javascript:alert(1)\n", "![i](https://example.org/x.png)",
        "[a](https://example.org \"t\" onmouseover=\"x\")", "```\" onclick=\"x\n", "```\n",
        "[@smith2020]", "[@a; @b]", "[@", "@x]", "[", "]", "(", ")", "<", ">", "&", "&amp;",
        "&#60;", "\"", "'", "`", "*", "_", "#", "# ", "> ", "- ", "1. ", "2) ", "\n", "\n\n",
        "  \n", "\t", "\\", "---\n", "| a | b |\n|---|---|\n", "\u2060", "\x00",
    ]
)  # fmt: skip
MARKDOWN = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=6)), max_size=30).map("".join),
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def assert_safe_html(html: str) -> None:
    """Only the renderer's own tags and attributes; every other `<` is escaped."""
    for match in re.finditer("<", html):
        tag = TAG.match(html, match.start())
        assert tag, (
            f"unescaped '<' at {match.start()}: {html[match.start() : match.start() + 40]!r}"
        )
        assert tag.group(2) in ALLOWED_TAGS, tag.group(0)
        for name, _value in ATTRIBUTE.findall(tag.group(3)):
            assert (tag.group(2), name) in ALLOWED_ATTRIBUTES, tag.group(0)
    parser = _Tags()
    parser.feed(html)
    for href in parser.hrefs:
        assert ALLOWED_LINK.match(href.strip()), href
        assert not href.strip().lower().startswith(("javascript:", "data:", "file:", "vbscript:"))


@PROPERTIES
@given(text=MARKDOWN)
def test_markdown_renders_only_safe_html(text: str) -> None:
    citer = Citer()
    renderer = MarkdownRenderer(citer)
    assert_safe_html(str(renderer.block(text)))
    assert_safe_html(str(renderer.inline(text)))
    assert citer.order == list(dict.fromkeys(citer.order))


@PROPERTIES
@given(text=MARKDOWN)
def test_markdown_helpers_never_raise(text: str) -> None:
    strip_markdown(text)
    for use in find_citations(text):
        assert use.marker in text and all(use.keys)
    links = find_links(text)
    assert all(isinstance(link, str) for link in links)
