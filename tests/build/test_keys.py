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


def test_a_briefs_key_follows_the_title_of_the_handout_it_names(mini: Path) -> None:
    """The brief prints its patient handouts' titles and codes: renaming one rebuilds it."""
    brief = mini / "content" / "demo" / "brief.en.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("methods:", "patient_handouts: [demo-handout-en]\nmethods:"))

    def brief_key() -> str:
        loaded = load_project(mini)
        document = next(d for d in loaded.documents if d.stem == "brief.en")
        return Inputs(loaded).output_key(document, "pdf", "standard", "letter")

    before = brief_key()
    handout = mini / "content" / "demo" / "handout.en.yaml"
    handout.write_text(
        handout.read_text(encoding="utf-8").replace(
            "title: A test handout", "title: A renamed handout"
        )
    )
    assert brief_key() != before
