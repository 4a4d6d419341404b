"""WCAG 2.2 contrast: the shipped colours, the formula, and brand colours in `check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2
import tinycss2.color3
from tinycss2.ast import Node

from handoutkit.lint import contrast
from helpers import REPO

COLOURS_CSS = REPO / "styles" / "colours.css"


def shipped_colours() -> dict[str, str]:
    return contrast.values(contrast.custom_properties(COLOURS_CSS.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),  # the largest possible ratio
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the well-known grey that just fails 4.5:1
        ("#767676", "#ffffff", 4.54),  # ... and the one that just passes
        ("#0000ff", "#ffffff", 8.59),  # pure blue: luminance 0.0722
    ],
)
def test_contrast_ratio_matches_wcag_examples(first: str, second: str, expected: float) -> None:
    assert contrast.contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)
    assert contrast.contrast_ratio(second, first) == pytest.approx(expected, abs=0.01)


def test_relative_luminance_by_hand() -> None:
    # #808080: 128/255 = 0.50196 → ((0.50196 + 0.055) / 1.055) ** 2.4 = 0.21586
    assert contrast.relative_luminance(contrast.parse_colour("#808080")) == pytest.approx(
        0.21586, abs=1e-5
    )


def test_shipped_colours_meet_wcag_2_2() -> None:
    colours = shipped_colours()
    problems = contrast.contrast_problems(colours)
    assert not problems, [str(p) for p in problems]
    ratios = {
        (pair.foreground, background): contrast.contrast_ratio(
            colours[pair.foreground], colours[background]
        )
        for pair in contrast.PAIRS
        for background in pair.backgrounds
    }
    # body text on every background it is printed on is AAA (7:1)
    assert min(r for (fg, _), r in ratios.items() if fg == "--text") >= 7


def test_every_colour_is_a_custom_property_of_colours_css() -> None:
    """Colours live in one place: the other stylesheets and templates only use var(--x)."""
    defined = set(shipped_colours())
    literal = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(")
    used: set[str] = set()
    for path in [*(REPO / "styles").glob("*.css"), *(REPO / "templates").rglob("*.j2")]:
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r"var\((--[\w-]+)\)", text))
        if path != COLOURS_CSS:
            assert not literal.search(text), f"{path.name} has a colour literal"
    # the icons and pictographs are SVG that render/visuals.py fills with palette colours
    visuals = REPO / "src" / "handoutkit" / "render" / "visuals.py"
    used.update(re.findall(r'palette\[[^\]]*?"(--[\w-]+)"', visuals.read_text(encoding="utf-8")))
    used.update(re.findall(r'"(--pictograph-\d)"', visuals.read_text(encoding="utf-8")))
    assert used <= defined, f"undefined colours: {used - defined}"
    paired = {p for pair in contrast.PAIRS for p in (pair.foreground, *pair.backgrounds)}
    assert used <= paired, f"colours without a contrast pairing in PAIRS: {used - paired}"
    assert paired <= used, f"PAIRS lists colours no stylesheet uses: {paired - used}"


# keywords that are not a colour of their own; every other colour keyword is a literal
NOT_A_COLOUR = {"transparent", "currentcolor", "inherit"}
COLOUR_FUNCTIONS = {"rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color"}


def colour_literals(css: str) -> list[str]:
    """Every colour in the declarations of `css` written as a value instead of `var(--x)`: hex,
    rgb()/hsl() and the other colour functions, and named colours (also as a var() fallback).
    Selectors are not values: `#hk-preview` is an id, not a colour."""
    found: list[str] = []

    def walk(tokens: list[Node]) -> None:
        for token in tokens:
            if token.type == "hash":
                found.append(f"#{token.value}")
            elif token.type == "function" and token.lower_name in COLOUR_FUNCTIONS:
                found.append(tinycss2.serialize([token]))
            elif token.type == "function":
                walk(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content)
            elif (
                token.type == "ident"
                and token.lower_value not in NOT_A_COLOUR
                and tinycss2.color3.parse_color(token.value) is not None
            ):
                found.append(token.value)

    def rules(nodes: list[Node]) -> None:
        for node in nodes:
            if node.type not in ("qualified-rule", "at-rule") or node.content is None:
                continue
            inner = tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True
            )
            for item in inner:
                if item.type == "declaration":
                    walk(item.value)
            rules([item for item in inner if item.type in ("qualified-rule", "at-rule")])

    rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def test_colour_literals_finds_every_kind_of_literal() -> None:
    css = (
        "#add .x { color: #abc; background: rgb(1 2 3); border: 1px solid red; }"
        "@media print { a { outline-color: hsl(0 0% 0%); fill: var(--accent, navy); } }"
        "p { color: var(--text); background: transparent; border-color: currentColor; "
        "outline-color: inherit; font: 16px/1.5 system-ui, sans-serif; }"
    )
    assert colour_literals(css) == ["#abc", "rgb(1 2 3)", "red", "hsl(0 0% 0%)", "navy"]


def test_the_preview_draws_only_with_colour_tokens() -> None:
    """The preview's hand-written CSS, like the stylesheets, only uses var(--x) of
    colours.css, each on a background that PAIRS holds to WCAG contrast."""
    from handoutkit.preview import pages

    used: set[str] = set()
    for css in (pages.TOOLBAR_CSS, pages.PAGE_CSS):
        assert not colour_literals(css), colour_literals(css)
        used.update(re.findall(r"var\((--[\w-]+)\)", css))
    assert used <= set(shipped_colours()), f"undefined colours: {used - set(shipped_colours())}"
    drawn = {name for pair in pages.COLOUR_PAIRS for name in pair}
    assert used == drawn, "COLOUR_PAIRS names each colour the preview's CSS uses, and no other"
    listed = {(pair.foreground, bg) for pair in contrast.PAIRS for bg in pair.backgrounds}
    unlisted = set(pages.COLOUR_PAIRS) - listed
    assert not unlisted, f"colour on a background that PAIRS does not check: {unlisted}"


def test_a_low_contrast_stylesheet_fails_check_at_its_line(run, mini: Path) -> None:
    styles = mini / "styles"
    styles.mkdir()
    text = COLOURS_CSS.read_text(encoding="utf-8").replace("--text: #1a1a1a;", "--text: #8a8a8a;")
    (styles / "colours.css").write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "--text: #8a8a8a" in row)
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        f"styles/colours.css:{line}:3: error: fails WCAG 2.2 contrast: body text #8a8a8a "
        "(--text) on #ffffff (--paper): contrast 3.45:1, needs 7:1" in result.out
    )


def test_suggested_brand_shades_pass(run, mini: Path) -> None:
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  phone: (555) 010-0199",
            '  phone: (555) 010-0199\n  colours:\n    accent: "#7fa7d9"\n    panel_fill: "#8fa3bf"',
        ),
        encoding="utf-8",
    )
    result = run("check", cwd=mini)
    suggested = dict(
        re.findall(
            r"brand colour (\w+) \S+ has too little contrast.*— try (#[0-9a-f]{6})", result.out
        )
    )
    assert set(suggested) == {"accent", "panel_fill"}, result.out
    fixed = contrast.with_brand(shipped_colours(), suggested)
    assert not contrast.contrast_problems(fixed)
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("#7fa7d9", suggested["accent"])
        .replace("#8fa3bf", suggested["panel_fill"]),
        encoding="utf-8",
    )
    assert run("check", cwd=mini).code == 0


def test_brand_colours_reach_the_printed_and_screen_html(mini: Path) -> None:
    from handoutkit.content.loader import load_project
    from handoutkit.render.renderer import Renderer

    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  phone: (555) 010-0199", '  phone: (555) 010-0199\n  colours:\n    accent: "#1d5a3a"'
        ),
        encoding="utf-8",
    )
    project = load_project(mini)
    renderer = Renderer(project)
    for medium in ("print", "screen"):
        html = renderer.render(project.documents[0], "standard", medium).html
        assert "html:root { --accent: #1d5a3a; --panel-border: #1d5a3a; }" in html


def test_a_colour_that_is_not_hex_is_a_located_error(run, mini: Path) -> None:
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  phone: (555) 010-0199", "  phone: (555) 010-0199\n  colours:\n    accent: navy"
        ),
        encoding="utf-8",
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert "handoutkit.yaml:5:13: error: 'organization.colours.accent': 'navy'" in result.err
    assert "#rrggbb" in result.err
