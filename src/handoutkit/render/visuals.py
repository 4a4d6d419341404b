"""Visual aids drawn by handoutkit: an icon set and the person of a pictograph, as SVG.

The icons (call, text, chat, emergency, care team) are handoutkit's own simple shapes on a
24-unit grid, filled with one colour from the project's palette (`styles/colours.css`, where
the contrast checks hold `--icon` and the pictograph colours to 3:1 on every background they
are drawn on). Templates get them as `data:` URIs, so print and the HTML edition need no file:

- `icon(name)`: a decorative icon next to text that says the same thing: a CSS background on
  an `aria-hidden` span, which WeasyPrint draws as an artifact (screen readers skip it);
- `icon(name, alt)`: an icon that carries meaning on its own: an `<img>` with alt text, a
  tagged Figure in the PDF.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

from handoutkit.config import BRAND_PROPERTIES
from handoutkit.models import BrandColours, Pictograph
from handoutkit.resources import find_style

ICON_NAMES = ("call", "text", "chat", "emergency", "care-team")

_PATHS = {
    # a telephone handset
    "call": "M6.6 2.5 9.4 2l2 5-2.3 1.6a11.5 11.5 0 0 0 6.3 6.3L17 12.6l5 2-.5 2.8c-.2 1.5-1.5"
    " 2.6-3 2.6C10.4 20 4 13.6 4 5.5c0-1.5 1.1-2.8 2.6-3z",
    # a speech bubble with two lines of text
    "text": "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"
    "M6 7.2v1.6h12V7.2zm0 4v1.6h8v-1.6z",
    # two overlapping speech bubbles
    "chat": "M3 2h11a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H8l-4 3v-3H3a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z"
    "M18 7h3a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2h-1v3l-4-3h-6a2 2 0 0 1-2-2v-1h6a4 4 0 0 0 4-4z",
    # a warning triangle with an exclamation mark
    "emergency": "M12 1.5 23 21H1zm-1.3 7v6.5h2.6V8.5zm0 8.3v2.6h2.6v-2.6z",
    # a person with a question in a speech bubble
    "care-team": "M8 7a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zM1 23c0-4.4 3.1-7.5 7-7.5s7 3.1 7 "
    "7.5zM14 1h8a1.5 1.5 0 0 1 1.5 1.5v6A1.5 1.5 0 0 1 22 10h-3.5L16 12.5V10h-2a1.5 1.5 0 0 1"
    "-1.5-1.5v-6A1.5 1.5 0 0 1 14 1zm3 2.2v1.2h1.6c.4 0 .6.2.6.5 0 .4-.4.6-1 .9-.5.3-.8.7-.8"
    " 1.3v.4h1.4v-.3c0-.3.2-.4.7-.7.7-.4 1.2-.9 1.2-1.7 0-1-.8-1.6-2-1.6zm.4 4.7v1.3h1.4V7.9z",
}
_PERSON = "M12 1a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM5 23v-7.5C5 12.5 7.5 10.5 10 10.5h4c2.5 0 5 2 5 5V23z"


def svg(path: str, colour: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">'
        f'<path fill="{colour}" style="fill-rule: evenodd" d="{path}"/></svg>'
    )


def data_uri(text: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode("ascii")


class Visuals:
    """The icon and pictograph helpers templates call, in one project's colours."""

    def __init__(self, palette: dict[str, str]) -> None:
        self.palette = palette

    def icon(self, name: str, alt: str | None = None) -> Markup:
        if name not in _PATHS:
            raise ValueError(f"no icon '{name}': the icons are {', '.join(ICON_NAMES)}")
        uri = data_uri(svg(_PATHS[name], self.palette["--icon"]))
        if alt:
            return Markup('<img class="icon icon-{}" src="{}" alt="{}">').format(name, uri, alt)
        return Markup(
            '<span class="icon icon-{}" aria-hidden="true" style="background-image: url({})">'
            "</span>"
        ).format(name, uri)

    def _colour(self, group: int) -> str:
        """The groups alternate between two colours (each is its own labelled row too, so
        colour is never the only difference)."""
        return self.palette["--pictograph-1" if group % 2 == 0 else "--pictograph-2"]

    def person_icon(self, group: int) -> Markup:
        """A decorative person in a group's colour: the key to the picture's rows."""
        uri = data_uri(svg(_PERSON, self._colour(group)))
        return Markup(
            '<span class="icon icon-person" aria-hidden="true" style="background-image: url({})">'
            "</span>"
        ).format(uri)

    def pictograph(self, figure: Pictograph) -> PictographImage:
        """The picture: a row of people per group (wrapped every PER_ROW people), one SVG."""
        columns = min(PER_ROW, max(group.count for group in figure.groups))
        shapes: list[str] = []
        y = 0.0
        for index, group in enumerate(figure.groups):
            colour = self._colour(index)
            for n in range(group.count):
                if n and n % PER_ROW == 0:
                    y += 26
                x = (n % PER_ROW) * 26
                shapes.append(
                    f'<path transform="translate({x} {y})" fill="{colour}" d="{_PERSON}"/>'
                )
            y += 26 + 10  # a gap between groups
        width, height = columns * 26 - 2, y - 12
        text = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:g}" '
            f'width="{width}" height="{height:g}">{"".join(shapes)}</svg>'
        )
        return PictographImage(data_uri(text), round(columns * 1.45, 2))


PER_ROW = 12


@dataclass(frozen=True)
class PictographImage:
    uri: str
    width_em: float  # the picture's printed width: about 1.45 em a person


_PROPERTY = re.compile(r"(--[a-z0-9-]+)\s*:\s*(#[0-9a-fA-F]{6})\b")


def palette(project_root: Path, brand: BrandColours | None) -> dict[str, str]:
    """The colour custom properties of the project's colours.css (a project's own file
    overrides handoutkit's), with the organization's brand colours applied."""
    path = find_style(project_root, "colours.css")
    colours = dict(_defaults())
    if path is not None:
        colours.update(_PROPERTY.findall(path.read_text(encoding="utf-8", errors="replace")))
    chosen = brand.model_dump(exclude_none=True) if brand else {}
    for field, value in chosen.items():
        for prop in BRAND_PROPERTIES[field]:
            colours[prop] = value
    return colours


@cache
def _defaults() -> tuple[tuple[str, str], ...]:
    return (("--icon", "#1a1a1a"), ("--pictograph-1", "#14477d"), ("--pictograph-2", "#404040"))
