"""Safe YAML loading that remembers where every key and value came from.

PyYAML's composer gives nodes with source marks; we build plain Python data from them
ourselves so that we can (a) record a line/column for every path, (b) reject duplicate keys,
(c) refuse language-specific tags, (d) bound alias expansion ("billion laughs") and nesting
depth, and (e) refuse control characters and lone surrogates, which YAML escapes ("\\e",
"\\ud800") can smuggle into text. Timestamps stay strings, so an invalid date becomes a located
validation error later. Nothing in a file's text raises anything but `ContentError`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from handoutkit.content.sourcemap import LoadedYaml, PathKey, SourceMap, Span
from handoutkit.content.yamlerrors import reader_error, syntax_error
from handoutkit.diagnostics import Diagnostic, Diagnostics, Location, display_path
from handoutkit.errors import ContentError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64  # nesting of lists and mappings; content needs fewer than 10

# What YAML itself accepts unescaped (YAML 1.1 printable set); escapes in double-quoted
# strings can produce anything else, and none of it is text a reader can see.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

# libyaml composes about ten times faster than PyYAML's Python parser, with the same nodes and
# marks (character offsets) for ordinary content. It is used only where the two are known to
# agree: not for text with tabs, unusual line breaks, a byte order mark, something that may be
# a tag ("!" at the start of a token) or a directive ("%" at the start of a line), or a comment
# right after a block scalar's header ("|-#"), all of which they read differently; plain
# scalars in flow collections that they read differently are refused after composing (see
# `_Builder._agree`). Whatever libyaml rejects, and every file with a problem, is loaded
# again by the Python parser, so error messages and locations are exactly PyYAML's.
_LIBYAML_LOADER: type | None = getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None
_PYTHON_PARSER_ONLY = re.compile(
    r"[\t\r\x85\u2028\u2029\ufeff]|(?:^|[\s,\[\]{}])!|(?:^|\n)%|[|>][-+0-9]*#"
)


def read_text(path: Path, shown: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, with located errors for size and encoding problems."""
    shown = shown or display_path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ContentError.at(
                Location(shown),
                f"file is too large ({size:,} bytes; the limit is {max_bytes:,})",
                "split the content into smaller documents",
                rule="yaml-limits",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError.at(
            Location(shown), f"cannot read file: {exc.strerror}", rule="file-read"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ContentError.at(
            Location(shown, line, col),
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8 in your editor",
            rule="yaml-encoding",
        ) from None
    return text.removeprefix("\ufeff")


def load_yaml(path: Path, shown: str | None = None) -> LoadedYaml:
    """Load one YAML file safely; raise ContentError with located diagnostics if it is bad."""
    shown = shown or display_path(path)
    text = read_text(path, shown)
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str) -> LoadedYaml:
    fast = _parse_with_libyaml(text, shown)
    if fast is not None:
        return fast
    source = SourceMap(shown, text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise ContentError([syntax_error(source, exc)]) from None
    except yaml.reader.ReaderError as exc:  # a control character in the raw text
        raise ContentError([reader_error(source, exc)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks everything else
        raise ContentError.at(Location(shown), f"YAML error: {exc}", rule="yaml-syntax") from None
    except RecursionError:  # PyYAML's composer recurses once per nesting level
        raise ContentError([_too_deep(source, _first_too_deep(text))]) from None
    if root is None:
        raise ContentError.at(
            Location(shown),
            "file is empty",
            "add the document's fields, or delete it",
            rule="file-read",
        )
    builder = _Builder(source)
    data = builder.build(root, ())
    if builder.diagnostics:
        raise ContentError(builder.diagnostics)
    return LoadedYaml(data, source)


def _parse_with_libyaml(text: str, shown: str) -> LoadedYaml | None:
    """The faster libyaml path for a good file; None when the Python parser must decide.

    None for text outside what libyaml and PyYAML agree on, and for any file libyaml rejects
    or that has a problem, so that every diagnostic comes from the Python path.
    """
    if _LIBYAML_LOADER is None or _PYTHON_PARSER_ONLY.search(text):
        return None
    try:
        root = yaml.compose(text, Loader=_LIBYAML_LOADER)
    except Exception:  # any error: the Python parser gives its own message for it
        return None
    if root is None:
        return None
    source = SourceMap(shown, text)
    builder = _Builder(source, libyaml=True)
    try:
        data = builder.build(root, ())
    except _Disagreement:
        return None
    if builder.diagnostics:
        return None
    return LoadedYaml(data, source)


class _Disagreement(Exception):
    """libyaml read something PyYAML's Python parser reads differently."""


class _Builder:
    def __init__(self, source: SourceMap, *, libyaml: bool = False) -> None:
        self.source = source
        self.diagnostics = Diagnostics()
        self.nodes = 0
        self.constructor = SafeConstructor()
        self.open: list[Node] = []  # the lists and mappings being built, outermost first
        self.libyaml = libyaml  # nodes from libyaml: refuse what PyYAML would read otherwise

    def _agree(self, node: ScalarNode) -> None:
        """Refuse the plain scalars of a flow collection that libyaml reads differently: one
        with "?" inside (PyYAML ends the scalar there) or an empty one ("[a: ]": libyaml puts
        it at the next token, PyYAML right after the ":")."""
        if (
            not node.style  # plain: None from PyYAML, "" from libyaml
            and ("?" in node.value or not node.value)
            and self.open
            and getattr(self.open[-1], "flow_style", False)
        ):
            raise _Disagreement

    def _where(self, node: Node) -> Location:
        return self.source.at_offset(node.start_mark.index)

    def build(self, node: Node, loc: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.diagnostics.error(
                    self._where(node),
                    f"document expands to more than {MAX_NODES:,} values (anchors/aliases?)",
                    "write the content out instead of repeating it with aliases",
                    rule="yaml-limits",
                )
            return None
        self.source.values.setdefault(loc, Span(node.start_mark.index, node.end_mark.index))
        if isinstance(node, ScalarNode):
            if self.libyaml:
                self._agree(node)
            return self._scalar(node)
        if any(node is parent for parent in self.open):  # `&a [*a]`: an endless value
            self.diagnostics.error(
                self._where(node),
                "an alias is used inside its own anchor, so the value never ends",
                "write the content out instead of repeating it with aliases",
                rule="yaml-limits",
            )
            return None
        if len(self.open) >= MAX_DEPTH:
            self.diagnostics.append(_too_deep(self.source, node.start_mark.index))
            return None
        self.open.append(node)
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    return self._bad_tag(node)
                return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if node.tag != _MAP:
                    return self._bad_tag(node)
                return self._mapping(node, loc)
            raise AssertionError(f"unknown YAML node {node!r}")  # pragma: no cover
        finally:
            self.open.pop()

    def _mapping(self, node: MappingNode, loc: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if self.libyaml and isinstance(key_node, ScalarNode):
                self._agree(key_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.diagnostics.error(
                    self._where(key_node),
                    "only plain text keys are allowed here (no complex or merge keys)",
                    "write each key out as `name: value`",
                    rule="yaml-key",
                )
                continue
            if key_node.tag not in _SCALAR_TAGS and key_node.tag != _TIMESTAMP:
                self._bad_tag(key_node)
                continue
            if not self._printable(key_node):
                continue
            key = str(key_node.value)
            if key in result:
                first = self.source.keys[(*loc, key)]
                where = self.source.at_offset(first.start)
                self.diagnostics.error(
                    self._where(key_node),
                    f"duplicate key '{key}' (first defined at line {where.line})",
                    "remove or rename one of them",
                    rule="yaml-key",
                )
                continue
            self.source.keys[(*loc, key)] = Span(key_node.start_mark.index, key_node.end_mark.index)
            result[key] = self.build(value_node, (*loc, key))
            if (
                isinstance(value_node, ScalarNode)
                and value_node.tag == "tag:yaml.org,2002:null"
                and value_node.value == ""
            ):
                self.source.empty.append((*loc, key))
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value  # validated as a date by the model, with a located error
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node)
        if not self._printable(node):
            return None
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception:  # e.g. `!!bool maybe`, `!!int ""`: the schema reports the text
            return node.value

    def _printable(self, node: ScalarNode) -> bool:
        """False (with a located error) for text holding control characters or surrogates."""
        bad = _NOT_PRINTABLE.search(node.value)
        if bad is None:
            return True
        self.diagnostics.error(
            self._where(node),
            f"text contains the invisible character U+{ord(bad.group()):04X}",
            "remove the escape sequence (such as \\e, \\x1b or \\ud800) from the quoted text",
            rule="yaml-encoding",
        )
        return False

    def _bad_tag(self, node: Node) -> None:
        self.diagnostics.error(
            self._where(node),
            f"YAML tag '{node.tag}' is not allowed",
            "remove the tag; content files hold plain text, numbers, lists and mappings",
            rule="yaml-tag",
        )
        return None


def _error(location: Location, message: str, hint: str, rule: str) -> Diagnostic:
    return Diagnostic.error_at(location, message, hint, rule=rule)


def _first_too_deep(text: str) -> int:
    """Offset of the first list or mapping nested deeper than MAX_DEPTH (or 0)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.index if event.start_mark else 0
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return 0


def _too_deep(source: SourceMap, offset: int) -> Diagnostic:
    return _error(
        source.at_offset(offset),
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
        "check the indentation and brackets; content needs only a few levels",
        "yaml-limits",
    )
