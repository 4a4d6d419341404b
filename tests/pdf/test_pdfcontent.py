"""handoutkit.pdf.content: the one content-stream walker, on small hand-written streams."""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from handoutkit.pdf.content import (
    MAX_FORM_DEPTH,
    ContentStream,
    ContentVisitor,
    GraphicsState,
    Matrix,
    Paint,
    multiply,
    transform,
    walk_page,
)


class Recorder(ContentVisitor):
    """Writes down every callback as one line."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def enter_stream(self, stream: ContentStream) -> None:
        self.events.append(f"enter key={stream.key} depth={stream.depth}")

    def leave_stream(self, stream: ContentStream) -> None:
        self.events.append("leave")

    def begin_marked(self, index: int, tag: object, mcid: int | None) -> None:
        self.events.append(f"begin {index} {tag} mcid={mcid}")

    def end_marked(self, index: int) -> None:
        self.events.append(f"end {index}")

    def show_text(
        self, operands: Sequence[object], state: GraphicsState, text_matrix: Matrix
    ) -> None:
        x, y = transform(multiply(text_matrix, state.ctm), 0, 0)
        self.events.append(
            f"text {bytes(operands[-1]).decode()} at {x:g},{y:g} {state.font_size:g}"
        )

    def paint(self, kind: Paint, state: GraphicsState) -> None:
        x, y = transform(state.ctm, 0.5, 0.5)
        self.events.append(f"paint {kind.value} at {x:g},{y:g}")

    def select_font(self, name: object, state: GraphicsState) -> None:
        base = state.font.get("/BaseFont") if state.font is not None else None
        self.events.append(f"font {name} {base}")


def page_with(content: bytes, **resources: object) -> tuple[pikepdf.Pdf, pikepdf.Page]:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(content)
    page.obj.Resources = Dictionary(**resources)
    page.obj.StructParents = 0
    return pdf, page


def form(pdf: pikepdf.Pdf, content: bytes, **entries: object) -> pikepdf.Stream:
    stream = pdf.make_stream(content)
    stream.Type, stream.Subtype = Name.XObject, Name.Form
    stream.BBox = Array([0, 0, 10, 10])
    for key, value in entries.items():
        stream[f"/{key}"] = value
    return stream


def walk(page: pikepdf.Page) -> list[str]:
    recorder = Recorder()
    walk_page(page, recorder)
    return recorder.events


def test_graphics_and_text_state() -> None:
    pdf, page = page_with(
        b"q 2 0 0 2 10 20 cm BT /F1 9 Tf 14 TL 1 0 0 1 5 5 Tm (a) Tj T* (b) Tj "
        b"3 4 Td (c) Tj 0 -6 TD (d) ' ET Q BT (e) Tj ET 0 0 1 1 re f",
    )
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helv))
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    assert walk(page) == [
        "enter key=0 depth=0",
        "font /F1 /Helv",
        "text a at 20,30 9",
        "text b at 20,2 9",  # T*: down one leading (14) in text space, ×2 on the page
        "text c at 26,10 9",
        "text d at 26,-14 9",  # TD: down 6, and the leading is 6; then ' moves down 6 more
        "text e at 0,0 0",  # Q restored the identity CTM and the font size
        "paint path at 0.5,0.5",
        "leave",
    ]


def test_marked_content_with_inline_and_named_properties() -> None:
    _pdf, page = page_with(
        b"/Span <</MCID 3>> BDC /P /MC0 BDC /Artifact BMC EMC EMC EMC EMC "
        b"BI /W 1 /H 1 /CS /G /BPC 8 ID \x00 EI",
        Properties=Dictionary(MC0=Dictionary(MCID=7)),
    )
    assert walk(page) == [
        "enter key=0 depth=0",
        "begin 0 /Span mcid=3",
        "begin 1 /P mcid=7",
        "begin 2 /Artifact mcid=None",
        "end 3",
        "end 4",
        "end 5",  # the fourth EMC closes nothing and is not reported
        "paint inline image at 0.5,0.5",
        "leave",
    ]


def test_forms_walked_with_their_matrix_resources_and_key() -> None:
    pdf, page = page_with(b"")
    image = pdf.make_stream(b"\x00", Type=Name.XObject, Subtype=Name.Image, Width=1, Height=1)
    inner = form(
        pdf,
        b"/Span <</MCID 0>> BDC /Im0 Do EMC",
        Matrix=Array([1, 0, 0, 1, 100, 0]),
        Resources=Dictionary(XObject=Dictionary(Im0=image)),
        StructParents=5,
    )
    outer = form(
        pdf, b"2 0 0 2 0 0 cm /Fm1 Do", Resources=Dictionary(XObject=Dictionary(Fm1=inner))
    )
    page.obj.Contents = pdf.make_stream(b"1 0 0 1 0 50 cm /Fm0 Do")
    page.obj.Resources = Dictionary(XObject=Dictionary(Fm0=outer))
    assert walk(page) == [
        "enter key=0 depth=0",
        "enter key=0 depth=1",  # no /StructParents: the page's key
        "enter key=5 depth=2",
        "begin 0 /Span mcid=0",
        "paint image at 201,51",  # /Matrix, then the form's cm, then the page's cm
        "end 2",
        "leave",
        "leave",
        "leave",
    ]


def test_forms_that_draw_themselves_or_nest_too_deep_stop() -> None:
    pdf, page = page_with(b"/Fm0 Do")
    looping = form(pdf, b"/Fm0 Do 0 0 1 1 re f")
    looping.Resources = Dictionary(XObject=Dictionary(Fm0=looping))
    page.obj.Resources = Dictionary(XObject=Dictionary(Fm0=looping))
    assert walk(page).count("paint path at 0.5,0.5") == 1

    deepest = form(pdf, b"0 0 1 1 re f")
    chain = deepest
    for _ in range(MAX_FORM_DEPTH + 3):
        chain = form(pdf, b"/Fm0 Do", Resources=Dictionary(XObject=Dictionary(Fm0=chain)))
    page.obj.Resources = Dictionary(XObject=Dictionary(Fm0=chain))
    events = walk(page)
    assert max(int(e.split("depth=")[1]) for e in events if "depth=" in e) == MAX_FORM_DEPTH
    assert not any(e.startswith("paint") for e in events)


def test_a_visitor_decides_which_forms_to_walk() -> None:
    class SkipForms(Recorder):
        def enter_form(self, form: pikepdf.Stream, state: GraphicsState) -> bool:
            x, y = transform(state.ctm, 0, 0)
            self.events.append(f"form at {x:g},{y:g}")
            return False

    pdf, page = page_with(b"3 0 0 3 0 0 cm /Fm0 Do")
    drawn = form(pdf, b"0 0 1 1 re f", Matrix=Array([1, 0, 0, 1, 4, 5]))
    page.obj.Resources = Dictionary(XObject=Dictionary(Fm0=drawn))
    recorder = SkipForms()
    walk_page(page, recorder)
    assert recorder.events == ["enter key=0 depth=0", "form at 12,15", "leave"]


def test_an_unreadable_form_raises_unless_the_visitor_handles_it() -> None:
    pdf, page = page_with(b"/Fm0 Do")
    damaged = form(pdf, b"not deflated", Filter=Name.FlateDecode)
    page.obj.Resources = Dictionary(XObject=Dictionary(Fm0=damaged))
    with pytest.raises(pikepdf.PdfError):
        walk(page)

    class Tolerant(Recorder):
        def unreadable_form(self, form: pikepdf.Stream, error: pikepdf.PdfError) -> None:
            self.events.append("unreadable")

    recorder = Tolerant()
    walk_page(page, recorder)
    assert recorder.events == ["enter key=0 depth=0", "unreadable", "leave"]
