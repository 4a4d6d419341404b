"""The HTML edition's assets: screen stylesheets and images inlined into one file.

A clinic posts the HTML edition on its website or sends it by e-mail, so it must be a single
file that works offline: the screen stylesheets (with their fonts) go into a `<style>` element
and images become `data:` URIs. Like the printer, it only reads files inside the project's
asset and style folders (by real path); anything else is refused with a located error. The
finished page is checked too (`self_contained_problems`): anything a browser would fetch (a
`src`, a `<link>`, a CSS `url()` or `@import`) must be a `data:` URI, whatever a template says.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from handoutkit.content.yamlsource import read_text
from handoutkit.diagnostics import Diagnostic, Location, display_path
from handoutkit.errors import ContentError
from handoutkit.resources import (
    ASSET_FOLDER,
    CSS_URL,
    SCREEN_STYLES,
    asset_problem,
    find_style,
    layered_style_file,
    style_dirs,
)

_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


def data_uri(path: Path) -> str:
    mime = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    payload = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{mime or 'application/octet-stream'};base64,{payload}"


@functools.cache
def screen_stylesheet(project_root: Path) -> str:
    """The screen stylesheets of a project as one CSS text, fonts inlined."""
    parts = []
    allowed = style_dirs(project_root)
    for name in SCREEN_STYLES:
        path = find_style(project_root, name)
        if path is None:
            raise _problem(
                f"styles/{name}", f"stylesheet '{name}' is missing", "restore it in styles/"
            )
        shown = display_path(path) if path.is_relative_to(project_root.resolve()) else None
        shown = shown or f"styles/{name}"
        css = read_text(path, shown)

        def inline(
            match: re.Match[str], path: Path = path, css: str = css, shown: str = shown
        ) -> str:
            if match.group(2).strip().lower().startswith("data:"):
                return match.group(0)
            target = (path.parent / match.group(2)).resolve()
            if any(target.is_relative_to(d) for d in allowed) and not target.is_file():
                target = layered_style_file(project_root, target) or target
            if not any(target.is_relative_to(d) for d in allowed) or not target.is_file():
                raise _problem(
                    shown,
                    f"url({match.group(2)}) is not a file in the project's styles",
                    "keep fonts and images for stylesheets under styles/",
                    _line_col(css, match.start()),
                )
            return f'url("{data_uri(target)}")'

        inlined = CSS_URL.sub(inline, css)  # data: URIs hold no line breaks: lines stay put
        for line, col, kind, value in css_problems(inlined):
            if kind == "syntax":
                raise _problem(
                    shown,
                    f"CSS syntax error: {value}",
                    "fix the rule (browsers skip it)",
                    (line, col),
                )
            raise _problem(
                shown,
                f"'{value}' cannot be inlined into the HTML edition",
                "refer to files under styles/ with url(); @import is not supported",
                (line, col),
            )
        parts.append(f"/* {name} */\n{inlined}")
    # Nothing in a <style> element may close it early.
    return "\n".join(parts).replace("</", "<\\/")


def asset_data_uri(project_root: Path, relative: str) -> str:
    """An image under assets/ as a data: URI (check has already vetted the path)."""
    problem = asset_problem(project_root, relative)
    if problem is not None:
        raise _problem(relative, problem, f"put the image under {ASSET_FOLDER}/")
    return data_uri((project_root / relative).resolve())


def _problem(path: str, message: str, hint: str, where: tuple[int, int] = (1, 1)) -> ContentError:
    return ContentError(
        [Diagnostic.error_at(Location(path, *where), message, hint, rule="html-edition")]
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --------------------------------------------------------------------------- self-contained


def css_problems(css: str, *, declarations: bool = False) -> list[tuple[int, int, str, str]]:
    """(line, col, kind, text) of what in a CSS text would make a browser fetch something.

    kind "url": a url(), @import or image-set() target that is not a data: URI; "syntax": a
    CSS syntax error. Tokenised like a browser does (tinycss2), so `URL(...)`, escapes such as
    `u\\72l(...)` and `@import "x.css"` are all seen.
    """
    import tinycss2

    problems: list[tuple[int, int, str, str]] = []

    def fetched(node: Any, value: str) -> None:
        if not value.strip().lower().startswith("data:"):
            problems.append((node.source_line, node.source_column, "url", value))

    def walk(nodes: Iterable[Any] | None) -> None:
        for node in nodes or ():
            kind = node.type
            if kind == "error":
                problems.append((node.source_line, node.source_column, "syntax", node.message))
            elif kind == "url":
                fetched(node, node.value)
            elif kind == "function":
                if node.lower_name == "url" or node.lower_name.endswith("image-set"):
                    for argument in node.arguments:
                        if argument.type == "string":
                            fetched(argument, argument.value)
                walk(node.arguments)
            elif kind == "at-rule":
                if node.lower_at_keyword == "import":
                    for argument in node.prelude:
                        if argument.type == "string":
                            fetched(argument, argument.value)
                walk(node.prelude)
                walk(node.content)
            elif kind == "qualified-rule":
                walk(node.prelude)
                walk(node.content)
            elif kind == "declaration":
                walk(node.value)
            elif kind in ("() block", "[] block", "{} block"):
                walk(node.content)

    if declarations:
        walk(tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True))
    else:
        walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return problems


# Attributes a browser fetches from (on any element), and elements whose href it fetches.
_FETCHED_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "manifest", "icon"}
_FETCHED_HREF = {"link", "base", "image", "use", "feimage", "script"}


class _Fetches(HTMLParser):
    """What in an HTML page a browser would load: (where, url) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name in _FETCHED_ATTRIBUTES or (
                name in ("href", "xlink:href") and tag in _FETCHED_HREF
            ):
                candidates = re.split(r",\s+", value) if name == "srcset" else [value]
                self.found += [c for c in candidates if not _is_data(c)]
            elif name == "style":
                self._css(value, declarations=True)
            elif name == "http-equiv" and value.lower() == "refresh":
                self.found.append(dict(attrs).get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, css: str, declarations: bool = False) -> None:
        for _line, _col, kind, value in css_problems(css, declarations=declarations):
            self.found.append(value if kind == "url" else f"CSS with a syntax error ({value})")


def _is_data(url: str) -> bool:
    return url.strip().lower().startswith("data:")


def self_contained_problems(html: str, shown: str) -> list[Diagnostic]:
    """Why an HTML edition is not one offline file: every external fetch, located at `shown`."""
    parser = _Fetches()
    parser.feed(html)
    parser.close()
    return [
        Diagnostic.error_at(
            Location(shown),
            f"refused to load '{url if len(url) < 120 else url[:117] + '...'}'",
            "the HTML edition is one self-contained file: only data: URIs (images from "
            f"{ASSET_FOLDER}/, fonts and images from styles/) can be used",
            rule="sandbox",
        )
        for url in dict.fromkeys(parser.found)
    ]
