"""Visual aids and worksheets in the HTML: a pictograph is one image whose alt text is
generated from its numbers, with the same numbers as visible text and its source cited;
icons beside text that says the same are hidden from screen readers, an icon on its own has
alt text; a worksheet's write-in items are labelled form fields on screen and in the fillable
PDF, lines to write on in print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handoutkit.content.loader import load_project
from handoutkit.figures import Pictograph
from handoutkit.render.renderer import Renderer
from handoutkit.render.visuals import ICON_NAMES, Visuals, palette
from helpers import MINI_WORKSHEET, add_icons, add_pictograph, add_worksheet

ALT = "7 people took part: 3 got the test, 4 got nothing"


def render(project: Path, stem: str, medium: str = "screen", fillable: bool = False) -> str:
    loaded = load_project(project)
    document = next(d for d in loaded.documents if d.stem == stem)
    return Renderer(loaded).render(document, "standard", medium, fillable=fillable).html  # type: ignore[arg-type]


@pytest.mark.parametrize("medium", ["print", "screen"])
def test_a_pictograph_has_generated_alt_text_and_a_visible_equivalent(
    mini: Path, medium: str
) -> None:
    add_pictograph(mini)
    html = render(mini, "handout.en", medium)
    images = re.findall(
        r'<img class="pictograph-image" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', html
    )
    assert images == [ALT]
    text = re.sub(r"<[^>]+>", "", html)
    assert re.search(
        r'<p class="pictograph-text"[^>]*>7 people took part:\u2060<sup class="cite">', html
    )
    assert "3 got the test" in text and "4 got nothing" in text
    assert 'class="pictograph-legend"' in html
    # the key's people are decorative: hidden from screen readers
    assert len(re.findall(r'<span class="icon icon-person" aria-hidden="true"', html)) == 2


def test_pictograph_text_and_limits() -> None:
    figure = Pictograph.model_validate(
        {
            "kind": "pictograph",
            "title": "Who was in the trial",
            "total_label": "adults took part",
            "groups": [
                {"count": 10, "label": "got ketamine"},
                {"count": 12, "label": "got midazolam"},
            ],
            "source": "fineberg2023",
        }
    )
    assert figure.total == 22
    assert figure.summary() == "22 adults took part: 10 got ketamine, 12 got midazolam"
    picture = Visuals(palette(Path("/nonexistent"), None)).pictograph(figure)
    assert picture.uri.startswith("data:image/svg+xml;base64,")
    assert picture.width_em == pytest.approx(12 * 1.45)


@pytest.mark.parametrize("medium", ["print", "screen"])
def test_crisis_icons_are_decorative(mini: Path, medium: str) -> None:
    add_icons(mini)
    html = render(mini, "handout.en", medium)
    crisis = html[
        html.index('<section class="crisis"') : html.index(
            "</section>", html.index('<section class="crisis"')
        )
    ]
    spans = re.findall(
        r'<span class="icon icon-([a-z-]+)" aria-hidden="true" '
        r'style="background-image: url\(data:image/svg\+xml;base64,',
        crisis,
    )
    assert spans == ["call", "text", "chat"]
    assert "<img" not in crisis


def test_an_icon_that_carries_meaning_has_alt_text() -> None:
    visuals = Visuals(
        {"--icon": "#1a1a1a", "--pictograph-1": "#14477d", "--pictograph-2": "#5c5c5c"}
    )
    assert set(ICON_NAMES) == {"call", "text", "chat", "emergency", "care-team"}
    for name in ICON_NAMES:
        html = str(visuals.icon(name, "Ask your care team"))
        assert re.fullmatch(
            r'<img class="icon icon-[a-z-]+" src="data:image/svg\+xml;base64,[^"]+" '
            r'alt="Ask your care team">',
            html,
        )
        assert "aria-hidden" in str(visuals.icon(name))
    with pytest.raises(ValueError, match="no icon 'phone'"):
        visuals.icon("phone")


def test_icons_use_the_project_colours(mini: Path) -> None:
    styles = mini / "styles"
    styles.mkdir()
    (styles / "colours.css").write_text(":root { --icon: #222222; }", encoding="utf-8")
    colours = palette(mini, None)
    assert colours["--icon"] == "#222222" and colours["--pictograph-1"] == "#14477d"


def test_worksheet_items_in_each_edition(mini: Path) -> None:
    add_worksheet(
        mini,
        MINI_WORKSHEET.replace(
            "  - heading: Second part\n", "  - heading: Second part\n    icon: care-team\n"
        ),
    )
    screen = render(mini, "worksheet.en", "screen")
    assert '<label for="p1-1">My name</label><input type="text" id="p1-1" name="p1-1">' in screen
    assert '<label for="p1-2-2">Sign 2</label>' in screen
    assert '<label for="p1-4">Anything else</label>' in screen and "<textarea" in screen
    fillable = render(mini, "worksheet.en", "print", fillable=True)
    assert '<input type="text" id="p1-2-1" name="p1-2-1" title="Sign 1">' in fillable
    assert '<textarea id="p1-4" name="p1-4" rows="3" title="Anything else">' in fillable
    assert "<form" in fillable and "<label" not in fillable
    printed = render(mini, "worksheet.en", "print")
    assert "<input" not in printed and "<form" not in printed
    # a line, 2 list entries, and the areas' 3 and 6 lines
    assert printed.count('<div class="ws-blank"></div>') == 3 + 3 + 6
    for html in (screen, fillable, printed):
        assert "Take your time." in html  # the note between items
        # a part's icon is decorative: its heading says the same
        assert re.search(
            r'<h2 id="part-2"[^>]*><span class="icon icon-care-team" aria-hidden="true"', html
        )
        assert '<section class="crisis"' in html and '<section class="references"' in html


def test_a_pictograph_in_a_brief_and_a_worksheet(mini: Path) -> None:
    from helpers import PICTOGRAPH

    brief = mini / "content" / "demo" / "brief.en.yaml"
    text = brief.read_text(encoding="utf-8")
    old = "    body: Therapy comes first [@jones2021].\n"
    assert old in text
    brief.write_text(text.replace(old, old + PICTOGRAPH), encoding="utf-8")
    add_worksheet(
        mini,
        MINI_WORKSHEET.replace(
            "    instructions: Write what you notice.\n",
            "    instructions: Write what you notice.\n" + PICTOGRAPH,
        ),
    )
    for stem in ("brief.en", "worksheet.en"):
        for medium in ("print", "screen"):
            html = render(mini, stem, medium)
            assert f'alt="{ALT}"' in html, (stem, medium)
            assert "3 got the test" in html
