"""The faster ways `load` and `check` work give exactly what the plain ways give.

- YAML: libyaml composes good files; the Python parser decides everything else, so data,
  source positions and diagnostics are the same as with the Python parser alone.
- Reading level: sentences are found in the raw text by comparing words (not a regular
  expression per sentence), and syllables are textstat's, remembered per word.
- Jargon: text is folded to lower case in one go where that is the same as letter by letter.
- Links: text without any link syntax is not parsed for links.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoutkit.content import yamlsource
from handoutkit.content.markdown import _PERMISSIVE_PARSER, find_links, strip_markdown
from handoutkit.content.yamlsource import parse_yaml
from handoutkit.errors import ContentError
from handoutkit.lint import readability, syllables
from handoutkit.lint.plainlanguage import LEXICON_LOADER, fold
from handoutkit.lint.readability import Counts, find_sentence, measure, split_sentences
from helpers import MINI, REPO

PROPERTIES = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --------------------------------------------------------------------------- YAML


def outcome(text: str) -> tuple[Any, ...]:
    """Everything `parse_yaml` tells about a text: data and positions, or the diagnostics."""
    try:
        loaded = parse_yaml(text, "f.yaml")
    except ContentError as exc:
        return ("error", [str(d) for d in exc.diagnostics])
    source = loaded.source
    return ("data", repr(loaded.data), sorted(source.values.items()), sorted(source.keys.items()))


def python_outcome(text: str) -> tuple[Any, ...]:
    """The same with PyYAML's Python parser only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlsource, "_LIBYAML_LOADER", None)
        return outcome(text)


needs_libyaml = pytest.mark.skipif(
    yamlsource._LIBYAML_LOADER is None, reason="PyYAML is built without libyaml"
)

# Where libyaml reads differently from PyYAML: every one must take the Python path.
DISAGREEMENTS = [
    "a:\tb\n",  # tabs
    "key: value\t\n",
    "- [a\t, b]\n",
    "a: !\n",  # a non-specific tag
    "a: ! 12\n",
    "a: [b?c]\n",  # "?" in a plain scalar of a flow collection
    "a: [?b]\n",
    "a: [b: ]\n",  # an empty value in a flow collection
    "a: {b: }\n",
    "a: >#\n  x\n",  # a comment right after a block scalar's header
    "a: |-#\n  x\n",
    "%YAML 1.1\n---\na: b\n",  # directives
    "a: b\r\nc: d\r\n",  # other line breaks
    "a: b\u2028c: d\n",
    "a: b\x85c\n",
    "a: \ufeffb\n",
]


@needs_libyaml
@pytest.mark.parametrize("text", DISAGREEMENTS)
def test_yaml_libyaml_disagreements_take_the_python_path(text: str) -> None:
    assert yamlsource._parse_with_libyaml(text, "f.yaml") is None
    assert outcome(text) == python_outcome(text)


@needs_libyaml
@pytest.mark.parametrize(
    "path",
    sorted([*MINI.rglob("*.yaml"), *(REPO / "content").rglob("*.yaml"), REPO / "handoutkit.yaml"]),
    ids=lambda path: path.name,
)
def test_yaml_content_files_take_the_libyaml_path(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamlsource._parse_with_libyaml(text, "f.yaml") is not None
    assert outcome(text) == python_outcome(text)


# Lines of `key: value`, list items and complex keys, whose values hold what libyaml and
# PyYAML may read differently: most are good YAML, so the libyaml path is tried.
YAML_VALUE = st.lists(
    st.sampled_from(
        ["a", "b c", "?", ": ", ":", "[", "]", "{", "}", ", ", "!", "! ", "#", " #", "\t", "'",
         '"', "|", ">", "-", "%", "&x ", "*x", "é", "\r", "\\", "\ufeff", "1", "~", "\n  "]
    ),
    max_size=8,
).map("".join)  # fmt: skip
YAML_LINES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),
        st.sampled_from(["a", "b", "- a", "- ", "? a", "title"]),
        YAML_VALUE,
    ),
    min_size=1,
    max_size=6,
).map(lambda lines: "".join(f"{'  ' * indent}{key}: {value}\n" for indent, key, value in lines))


@needs_libyaml
@PROPERTIES
@given(YAML_LINES)
def test_yaml_libyaml_path_agrees_with_python_path(text: str) -> None:
    assert outcome(text) == python_outcome(text)


# --------------------------------------------------------------------------- reading level


def regex_find_sentence(raw: str, sentence: str, start: int = 0) -> int | None:
    """The definition: the sentence's first words in order, separated by non-letters."""
    words = re.findall(r"[^\W_]+", sentence)[:6]
    if not words:
        return None
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(re.escape(word) for word in words)
    match = re.compile(pattern).search(raw, start)
    return match.start() if match else None


SHORT_TEXT = st.text(alphabet="ab _.,-'\n²é\u0301", max_size=30)


@PROPERTIES
@given(SHORT_TEXT, SHORT_TEXT, st.integers(min_value=0, max_value=32))
def test_find_sentence_is_the_regex_search(raw: str, sentence: str, start: int) -> None:
    assert find_sentence(raw, sentence, start) == regex_find_sentence(raw, sentence, start)


@PROPERTIES
@given(st.data())
def test_find_sentence_finds_a_part_of_the_text(data: st.DataObject) -> None:
    raw = data.draw(SHORT_TEXT)
    first = data.draw(st.integers(min_value=0, max_value=len(raw)))
    sentence = raw[first : data.draw(st.integers(min_value=first, max_value=len(raw)))]
    assert find_sentence(raw, sentence) == regex_find_sentence(raw, sentence)


def textstat_count(sentence: str, language: str) -> Counts:
    """The definition: textstat's own counts of the sentence."""
    stats = syllables._textstat(language)
    words = stats.lexicon_count(sentence)
    if not words:
        return Counts()
    return Counts(words, 1, stats.syllable_count(sentence), stats.polysyllabcount(sentence), words)


def content_sentences() -> list[str]:
    sentences: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            sentences.extend(split_sentences(strip_markdown(value)))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((REPO / "content").rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sentences


ODD_WORDS = ["İstanbul", "DON'T", "o'clock", "'quoted'", "co-operate", "ΣΟΦΙΑ", "naïve", "x²"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_counts_are_textstats(language: str) -> None:
    sentences = [*content_sentences(), " ".join(ODD_WORDS), "", "—", "rock'n'roll it's"]
    for sentence in sentences:
        assert readability.count(sentence, language) == textstat_count(sentence, language)


def test_measuring_twice_gives_equal_new_readings() -> None:
    from handoutkit.content.loader import load_project

    model = load_project(MINI).documents[0].model
    first, second = measure(model), measure(model)
    assert first == second
    assert first is not second and first.parts[0] is not second.parts[0]


# --------------------------------------------------------------------------- jargon, links


def letterwise_fold(text: str) -> str:
    """The definition: each letter lowered on its own, unless that makes two letters."""
    accents = str.maketrans("áàâäéèêëíìîïóòôöúùûü", "aaaaeeeeiiiioooouuuu")
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).translate(accents)


@PROPERTIES
@given(st.text(max_size=40))
def test_fold_is_letterwise(text: str) -> None:
    assert fold(text) == letterwise_fold(text)


@pytest.mark.parametrize("text", ["ΟΔΟΣ ΣΑΣ", "İSTANBUL", "Ǆemal", "ß ẞ", "ÁÉÍÓÚ Ñ"])
def test_fold_special_letters(text: str) -> None:
    assert fold(text) == letterwise_fold(text)


MARKDOWN_PIECES = st.sampled_from(
    ["[", "]", "(", ")", ":", "<", ">", "a", " ", "\n", "\n\n", "[@k]", "https://x.org",
     "javascript:x", "mailto:a@b.c", "*", "`", "\\", "> ", "- ", "    ", "&#93;", "!"]
)  # fmt: skip


@PROPERTIES
@given(st.lists(MARKDOWN_PIECES, max_size=30).map("".join))
def test_find_links_is_the_parsers(text: str) -> None:
    parsed = [
        str(child.attrGet("href") or "")
        for token in _PERMISSIVE_PARSER.parse(text)
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert find_links(text) == parsed


def test_shipped_lexicons_read_the_same_with_libyaml() -> None:
    paths = sorted((REPO / "src" / "handoutkit" / "lint" / "lexicon").glob("*.yaml"))
    assert len(paths) >= 6  # jargon, claims and hype, English and Spanish
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=LEXICON_LOADER) == yaml.safe_load(text)
