"""WCAG 2.2 contrast of the colours handoutkit prints.

The colours live in one place, the custom properties of `styles/colours.css`. Which colour is
drawn on which background, and for what (body text, other text, borders), is written down
once here in `PAIRS`; the test suite checks the shipped stylesheet against it, and `check`
checks an organization's brand colours from `handoutkit.yaml` the same way. The preview's
own pages draw with the same properties, only on pairings listed here (see `preview.pages`).

Thresholds (WCAG 2.2): body text 7:1 (1.4.6 AAA), all other text 4.5:1 (1.4.3 AA, and
1.4.6 AAA for large text), borders, rules and icons 3:1 (1.4.11 AA).
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import tinycss2
import tinycss2.color3

from handoutkit.config import BRAND_PROPERTIES

BODY_TEXT, OTHER_TEXT, NON_TEXT = 7.0, 4.5, 3.0


@dataclass(frozen=True)
class Pair:
    foreground: str  # custom property, e.g. "--text"
    backgrounds: tuple[str, ...]
    minimum: float
    use: str  # what the colour is drawn as, for messages


PAIRS: tuple[Pair, ...] = (
    Pair("--text", ("--paper", "--panel-fill", "--crisis-fill"), BODY_TEXT, "body text"),
    Pair("--text-muted", ("--paper",), OTHER_TEXT, "secondary text (document line, footer)"),
    Pair(
        "--accent", ("--paper", "--panel-fill", "--crisis-fill"), OTHER_TEXT, "headings and links"
    ),
    Pair("--crisis-heading", ("--paper", "--crisis-fill"), OTHER_TEXT, "crisis heading"),
    Pair("--crisis-border", ("--paper", "--crisis-fill"), NON_TEXT, "crisis box border"),
    Pair("--panel-border", ("--paper", "--panel-fill"), NON_TEXT, "panel border"),
    Pair("--rule", ("--paper", "--panel-fill"), NON_TEXT, "table rules and separators"),
    Pair("--focus", ("--paper", "--panel-fill", "--crisis-fill"), NON_TEXT, "focus outline"),
    Pair("--icon", ("--paper", "--panel-fill", "--crisis-fill"), NON_TEXT, "icons"),
    Pair("--pictograph-1", ("--paper", "--panel-fill"), NON_TEXT, "pictograph people"),
    Pair("--pictograph-2", ("--paper", "--panel-fill"), NON_TEXT, "pictograph people"),
)

# The backgrounds in a content author's words (messages about brand colours name no CSS).
SURFACES = {
    "--paper": "the page",
    "--panel-fill": "the main-message panel",
    "--crisis-fill": "the crisis box",
}


@dataclass(frozen=True)
class ContrastProblem:
    pair: Pair
    background: str
    colours: tuple[str, str]  # foreground and background values
    ratio: float

    def __str__(self) -> str:
        foreground, background = self.colours
        return (
            f"{self.pair.use} {foreground} ({self.pair.foreground}) on {background} "
            f"({self.background}): contrast {self.ratio:.2f}:1, needs {self.pair.minimum:g}:1"
        )


def describe(problems: list[ContrastProblem]) -> str:
    """Every failing use of one colour, in words: 'headings and links: 2.1:1 on the page,
    2.0:1 on the main-message panel (needs 4.5:1); panel border: 1.9:1 on the page (needs 3:1)'."""
    by_use: dict[str, list[ContrastProblem]] = {}
    for problem in problems:
        by_use.setdefault(problem.pair.use, []).append(problem)
    parts = []
    for use, group in by_use.items():
        ratios = ", ".join(
            f"{p.ratio:.1f}:1 on {SURFACES.get(p.background, p.background)}" for p in group
        )
        parts.append(f"{use}: {ratios} (needs {group[0].pair.minimum:g}:1)")
    return "; ".join(parts)


def parse_colour(text: str) -> tuple[float, float, float]:
    """sRGB channels 0..1 of an opaque CSS colour; ValueError for anything else."""
    colour = tinycss2.color3.parse_color(text.strip())
    if colour is None or isinstance(colour, str):  # None: not a colour; str: currentColor
        raise ValueError(f"'{text}' is not a CSS colour")
    if colour.alpha != 1:
        raise ValueError(f"'{text}' is transparent; contrast needs an opaque colour")
    return colour.red, colour.green, colour.blue


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.2 relative luminance."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(parse_colour(first)), relative_luminance(parse_colour(second))),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Declared:
    value: str
    line: int
    column: int


def custom_properties(css: str) -> dict[str, Declared]:
    """`--name: value` declarations of the `:root` rules of a stylesheet, with their lines."""
    found: dict[str, Declared] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        for declaration in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if declaration.type == "declaration" and declaration.name.startswith("--"):
                value = tinycss2.serialize(declaration.value).strip()
                found[declaration.name] = Declared(
                    value, declaration.source_line, declaration.source_column
                )
    return found


def values(declared: dict[str, Declared]) -> dict[str, str]:
    return {name: item.value for name, item in declared.items()}


def contrast_problems(colours: dict[str, str]) -> list[ContrastProblem]:
    """Every pair in `PAIRS` below its minimum. A missing property raises KeyError."""
    problems = []
    for pair in PAIRS:
        for background in pair.backgrounds:
            values = (colours[pair.foreground], colours[background])
            ratio = contrast_ratio(*values)
            if ratio < pair.minimum:
                problems.append(ContrastProblem(pair, background, values, ratio))
    return problems


def with_brand(colours: dict[str, str], brand: dict[str, str]) -> dict[str, str]:
    """The stylesheet's colours with an organization's brand colours put in."""
    merged = dict(colours)
    for field, value in brand.items():
        for prop in BRAND_PROPERTIES[field]:
            merged[prop] = value
    return merged


def nearest_passing(colour: str, passes: Callable[[str], bool]) -> str | None:
    """The shade of `colour` nearest in lightness that `passes`, to suggest as a fix.

    Keeps the brand's hue and saturation and only moves the lightness, darker or lighter.
    """
    hue, lightness, saturation = colorsys.rgb_to_hls(*parse_colour(colour))
    steps = 200
    start = round(lightness * steps)
    for distance in range(1, steps + 1):
        for step in (start - distance, start + distance):
            if 0 <= step <= steps:
                red, green, blue = colorsys.hls_to_rgb(hue, step / steps, saturation)
                candidate = "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))
                if passes(candidate):
                    return candidate
    return None


def brand_problems(
    colours: dict[str, str], brand: dict[str, str]
) -> dict[str, tuple[list[ContrastProblem], str | None]]:
    """Per failing brand colour: its contrast problems, worst first, and the nearest shade
    that passes.

    Colours are judged in order, each against the ones before it as they would be after
    the suggested fixes, so applying every suggestion gives a passing set.
    """

    def failing(field: str, value: str, base: dict[str, str]) -> list[ContrastProblem]:
        replaced = BRAND_PROPERTIES[field]
        problems = contrast_problems(with_brand(base, {field: value}))
        own = [p for p in problems if p.pair.foreground in replaced or p.background in replaced]
        return sorted(own, key=lambda p: p.ratio / p.pair.minimum)

    found: dict[str, tuple[list[ContrastProblem], str | None]] = {}
    accepted: dict[str, str] = {}
    for field, value in brand.items():
        base = with_brand(colours, accepted)
        accepted[field] = value
        problems = failing(field, value, base)
        if problems:
            suggestion = nearest_passing(value, partial(_passes, failing, field, base))
            found[field] = (problems, suggestion)
            accepted[field] = suggestion or value
    return found


def _passes(
    failing: Callable[[str, str, dict[str, str]], list[ContrastProblem]],
    field: str,
    base: dict[str, str],
    candidate: str,
) -> bool:
    return not failing(field, candidate, base)
