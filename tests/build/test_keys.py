"""Cache keys: an output's key changes exactly when something it is made from changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from handoutkit.build.keys import Inputs
from handoutkit.content.loader import load_project
from helpers import REPO


def _key(project: Path, fmt: str = "pdf") -> str:
    loaded = load_project(project)
    document = loaded.documents[0]
    return Inputs(loaded).output_key(document, fmt, "standard", "letter" if fmt == "pdf" else None)


def test_a_font_written_as_URL_is_part_of_its_outputs_key(mini: Path) -> None:
    """CSS function names are case-insensitive: `URL(x)` loads x (WeasyPrint and browsers do,
    and the HTML edition inlines it), so x must be in the key as surely as with `url(x)`."""
    styles = mini / "styles"
    shutil.copytree(REPO / "styles", styles)
    fonts_css = styles / "fonts.css"
    fonts_css.write_text(fonts_css.read_text().replace("url(fonts/", "URL(fonts/"))
    assert "URL(fonts/" in fonts_css.read_text() and "url(" not in fonts_css.read_text()
    font = styles / "fonts" / "atkinson-hyperlegible-next-latin-400-normal.ttf"
    before = {fmt: _key(mini, fmt) for fmt in ("pdf", "html")}
    font.write_bytes(font.read_bytes() + b"\0")  # another version of the font
    after = {fmt: _key(mini, fmt) for fmt in ("pdf", "html")}
    assert before["pdf"] != after["pdf"]
    assert before["html"] != after["html"]


def test_an_unrelated_file_leaves_the_key_alone(mini: Path) -> None:
    before = _key(mini)
    (mini / "notes.txt").write_text("not an input")
    assert _key(mini) == before
