"""PDF forms: finish a fillable PDF that WeasyPrint wrote, and check what PDF/UA asks of one.

WeasyPrint 70 writes form fields (`pdf_forms`) with most of what PDF/UA-1 asks for: each
widget in a `Form` structure element, `/TU` from its `<label>`, `/Tabs /S` on the pages. What
it leaves: each page's `/Annots` in the order the fields were drawn, with links first, and
PDFium (Chromium's viewer) tabs through `/Annots` in array order, not the structure order that
`/Tabs /S` names. `finish_form` sorts them into structure order.

And one defect: a font that form fields use is embedded in full (so that a viewer can type any
of its characters), and WeasyPrint then writes its `/ToUnicode` map from the font's `cmap`
only. A glyph the text reached through an OpenType substitution (Atkinson Hyperlegible Next's
tabular figures, `one.tf`) has no `cmap` entry, so it maps to no character: veraPDF fails
PDF/UA-1 7.21.7-1 and the text does not extract. `finish_form` adds each such glyph, with
the characters of the glyph it substitutes (`unicode_of_glyphs`).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pikepdf


def finish_form(data: bytes) -> bytes:
    """Annotations in structure order on every page; complete Unicode maps of full fonts;
    each field widget described by its accessible name (`/Contents`, which PDF/UA-2 asks of a
    widget whose label is not tagged with it)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        complete_unicode_maps(pdf)
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Widget" and "/TU" in annot:
                    annot.Contents = annot.TU
        order = {objgen: index for index, objgen in enumerate(structure_order(pdf))}
        for page in pdf.pages:
            annots = page.obj.get("/Annots")
            if annots is None:
                continue
            ranked = sorted(annots, key=lambda a: order.get(a.objgen, len(order)))
            page.obj.Annots = pikepdf.Array(ranked)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def structure_order(pdf: Any) -> list[tuple[int, int]]:
    """The annotations (widgets and links) in structure-tree order, depth first: the order of
    keyboard focus under `/Tabs /S`."""
    return [objgen for objgen, _parent in _object_references(pdf)]


def structure_parents(pdf: Any) -> dict[tuple[int, int], Any]:
    """Each annotation the structure tree refers to -> the structure element that holds it."""
    return dict(_object_references(pdf))


def _object_references(pdf: Any) -> list[tuple[tuple[int, int], Any]]:
    found: list[tuple[tuple[int, int], Any]] = []
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return found
    stack: list[tuple[Any, Any]] = [(root.get("/K"), root)]
    seen: set[tuple[int, int]] = set()
    while stack:
        node, parent = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend((kid, parent) for kid in reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if node.get("/Type") == "/OBJR":
            target = node.get("/Obj")
            if target is not None:
                found.append((target.objgen, parent))
            continue
        stack.append((node.get("/K"), node))
    return found


# --------------------------------------------------------------------------- Unicode maps

_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def complete_unicode_maps(pdf: Any) -> int:
    """Add the glyphs a font reaches only through substitutions to the `/ToUnicode` map of
    every Identity-H font embedded in full (as form fields need); the number of glyphs added."""
    added = 0
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            if font.objgen in done or "/ToUnicode" not in font:
                continue
            done.add(font.objgen)
            program = _font_program(font)
            if program is None:
                continue
            stream = font.ToUnicode
            mapped = {int(g, 16): t for g, t in _BFCHAR.findall(stream.read_bytes())}
            extra = {
                glyph: text.encode("utf-16-be").hex().encode()
                for glyph, text in unicode_of_glyphs(program).items()
                if glyph not in mapped
            }
            if extra:
                mapped.update(extra)
                stream.write(_to_unicode_cmap(mapped))
                added += len(extra)
    return added


def _font_program(font: Any) -> bytes | None:
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
        return None
    descriptor = font.DescendantFonts[0].get("/FontDescriptor", {})
    program = descriptor.get("/FontFile2")
    return None if program is None else bytes(program.read_bytes())


def unicode_of_glyphs(program: bytes) -> dict[int, str]:
    """Glyph id -> the characters it stands for: from the `cmap`, then through the GSUB
    single, alternate and ligature substitutions (repeated, for chains of them)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(io.BytesIO(program))
    names = {name: index for index, name in enumerate(font.getGlyphOrder())}
    text: dict[str, str] = {}
    for code, name in sorted(font.getBestCmap().items(), reverse=True):
        text[name] = chr(code)  # the lowest code point wins
    lookups = font["GSUB"].table.LookupList.Lookup if "GSUB" in font else []
    for _ in range(3):
        for lookup in lookups:
            for table in lookup.SubTable:
                table = getattr(table, "ExtSubTable", table)
                for source, target in _substitutions(table):
                    if all(s in text for s in source) and target not in text:
                        text[target] = "".join(text[s] for s in source)
    return {names[name]: value for name, value in text.items() if name in names}


def _substitutions(table: Any) -> list[tuple[tuple[str, ...], str]]:
    if hasattr(table, "mapping"):  # single
        return [((source,), target) for source, target in table.mapping.items()]
    if hasattr(table, "alternates"):  # alternate
        return [((s,), t) for s, targets in table.alternates.items() for t in targets]
    if hasattr(table, "ligatures"):  # ligature
        return [
            ((first, *lig.Component), lig.LigGlyph)
            for first, ligatures in table.ligatures.items()
            for lig in ligatures
        ]
    return []


def _to_unicode_cmap(mapped: dict[int, bytes]) -> bytes:
    items = sorted(mapped.items())
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines.extend(b"<%04x> <%s>" % (glyph, value) for glyph, value in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
