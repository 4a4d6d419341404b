"""Visual aids and worksheets in the PDF: the pictograph is a tagged Figure whose /Alt is its
generated text; decorative icons (the crisis block's, the pictograph's key) are artifacts, not
figures; an icon that carries meaning is a Figure with alt; the audit finds nothing untagged;
a worksheet's lines are taller in large print, in the print and the fillable edition."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from handoutkit.content.loader import load_project
from handoutkit.pdf.printer import Printer
from handoutkit.render.visuals import Visuals, palette
from helpers import add_icons, add_pictograph, add_worksheet, build, page_texts, struct_elements

ALT = "7 people took part: 3 got the test, 4 got nothing"


def figures(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [str(e.get("/Alt")) for e in struct_elements(pdf) if e.S == "/Figure"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from helpers import MINI

    project = tmp_path_factory.mktemp("visuals") / "mini"
    shutil.copytree(MINI, project)
    add_pictograph(project)
    add_icons(project)
    add_worksheet(project)
    config = project / "handoutkit.yaml"
    text = config.read_text(encoding="utf-8").replace("[standard]", "[standard, large-print]")
    config.write_text(text, encoding="utf-8")
    return project


def test_pictograph_and_icons_in_the_pdf(run, built: Path) -> None:
    result = build(
        run, built, "--strict", "--format", "pdf,fillable", "--edition", "standard,large-print"
    )
    assert result.code == 0, result.text
    for edition in ("standard", "large-print"):
        path = built / f"dist/demo/handout.en.{edition}.letter.pdf"
        assert figures(path) == [ALT]  # the icons are no figures
        text = " ".join(page_texts(path))
        assert "7 people took part:" in text and "3 got the test" in text
    audit = run(
        "audit",
        "--no-verapdf",
        *map(str, sorted(built.glob("dist/demo/*.pdf"))),
        cwd=built,
        today=None,
    )
    assert audit.code == 0, audit.text
    assert "untagged" not in audit.out


def test_an_icon_with_alt_is_a_figure(built: Path, tmp_path: Path) -> None:
    icon = Visuals(palette(built, None)).icon("care-team", "Ask your care team")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Icon</title></head>'
        f"<body><h1>Icon</h1><p>{icon} Questions?</p></body></html>"
    )
    printed = Printer(built).print_pdf(html, "standard", "letter", "icon.html")
    path = tmp_path / "icon.pdf"
    path.write_bytes(printed.pdf)
    assert figures(path) == ["Ask your care team"]


def _write_space(path: Path) -> float:
    """The height of the first write-in field (fillable) in points."""
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if annot.Subtype == "/Widget":
                    y1, y2 = float(annot.Rect[1]), float(annot.Rect[3])
                    return abs(y2 - y1)
    raise AssertionError("no field")


def test_large_print_gives_more_room_to_write(built: Path) -> None:
    standard = _write_space(built / "dist/demo/worksheet.en.standard.letter.fillable.pdf")
    large = _write_space(built / "dist/demo/worksheet.en.large-print.letter.fillable.pdf")
    # the widget is the box inside its frame (border and padding): 0.34 in and 0.5 in tall
    assert standard >= 0.25 * 72 and large >= 0.4 * 72 and large > standard * 1.3
    project = load_project(built)
    assert any(d.model.type == "worksheet" for d in project.documents)
