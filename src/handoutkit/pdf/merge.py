"""Merging tagged PDFs into one tagged PDF/UA file (the rack pack's pages).

Each part keeps its pages, structure tree and links: the structure tree gets a `/Document`
with one `/Part` per file (with its `/Lang` and its title as `/T`); each file's `/ParentTree`
keys, and the `/StructParents` and `/StructParent` that point into it, are shifted past the
previous file's; `/RoleMap` and `/ClassMap` are merged, element `/ID`s get a per-file prefix
(and an `/IDTree`); links to named destinations are resolved to explicit ones (so names never
collide between files); subset font tags are made unique per file; each part's outline is
kept (closed after the first). The merged file's title, language and XMP metadata (with the
PDF/UA identification) are the first part's. Every part starts on an odd page (a new sheet in
duplex printing): a blank page is put before a part where needed.

PDF 2.0 parts (PDF/UA-2): the pack's `/Document` and every `/Part` are in the PDF 2.0
namespace (one `/Namespace` for the pack), bookmarks keep their structure destinations (`/SD`),
and the catalog's links to the handouts go to their `/Part` as well as to their first page.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pikepdf


@dataclass(frozen=True)
class Part:
    """One tagged PDF to put in the pack, with the title and language of its /Part."""

    pdf: bytes
    title: str
    language: str


_SUBSET = re.compile(r"^/?[A-Z]{6}\+(.+)$")


def merge_pdfs(
    parts: list[Part], language: str, targets: dict[str, int] | None = None
) -> tuple[bytes, list[int], int]:
    """Merge tagged PDFs, each starting on an odd page; return the PDF, the first page of each
    part (1-based) and the page count.

    The first part gives the pack its metadata (XMP, document information, title). `targets`
    maps named destinations of the first part to the index of a part: its links to them jump to
    that part's first page (the catalog's links to the handouts).
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    targets = targets or {}
    out = pikepdf.new()
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    struct_root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=document))
    document.P = struct_root
    nums: list[tuple[int, Any]] = []
    ids: dict[str, Any] = {}
    role_map: dict[str, Any] = {}
    class_map: dict[str, Any] = {}
    starts: list[int] = []
    outlines: list[tuple[int, list[Any]]] = []
    elements: list[Any] = []  # each part's /Part element in the pack
    namespace: Any = None  # PDF 2.0: the pack's one namespace of the standard structure types
    next_key = 0
    with contextlib.ExitStack() as stack:
        sources = []
        for index, part in enumerate(parts):
            src = stack.enter_context(pikepdf.open(io.BytesIO(part.pdf)))
            sources.append(src)
            if index and len(out.pages) % 2:
                last = out.pages[-1]
                box = [float(v) for v in last.mediabox]
                out.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
            first = len(out.pages)
            starts.append(first + 1)
            keep = set(targets) if index == 0 else set()
            holder, span = _prepare(src, index, part, next_key, keep)
            outlines.append((first, _outline(src)))
            for page in src.pages:
                out.pages.append(page)
            copied = out.copy_foreign(holder)
            element = copied.Part
            element.P = document
            document.K.append(element)
            elements.append(element)
            if "/NS" in element:  # a PDF 2.0 part: one namespace object for the whole pack
                namespace = namespace if namespace is not None else element.NS
                element.NS = namespace
            flat = list(copied.Nums)
            nums.extend((int(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2))
            flat = list(copied.IDs)
            ids.update((str(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2))
            for name, value in copied.RoleMap.items():
                role_map.setdefault(name, value)  # first wins: the same tool made every part
            for name, value in copied.ClassMap.items():
                class_map.setdefault(name, value)
            next_key += span

        struct_root.ParentTree = out.make_indirect(
            Dictionary(Nums=Array([item for key, value in sorted(nums) for item in (key, value)]))
        )
        struct_root.ParentTreeNextKey = next_key
        if role_map:
            struct_root.RoleMap = Dictionary(role_map)
        if class_map:
            struct_root.ClassMap = Dictionary(class_map)
        if ids:
            ordered = sorted(ids.items(), key=lambda item: item[0].encode("utf-8"))
            struct_root.IDTree = out.make_indirect(
                Dictionary(Names=Array([x for name, elem in ordered for x in (String(name), elem)]))
            )
        if namespace is not None:
            document.NS = namespace
            struct_root.Namespaces = Array([namespace])
        out.Root.StructTreeRoot = struct_root
        _link_targets(out, starts, parts, targets, elements if namespace is not None else None)
        _write_outline(out, outlines)

        head = sources[0]
        out.Root.Lang = String(language)
        out.Root.MarkInfo = Dictionary(Marked=True)
        out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        if "/Metadata" in head.Root:
            out.Root.Metadata = out.copy_foreign(head.Root.Metadata)
        for name, value in head.docinfo.items():  # title, author, subject, dates
            out.docinfo[name] = value
        buffer = io.BytesIO()
        out.save(
            buffer,
            deterministic_id=True,
            fix_metadata_version=False,
            min_version=head.pdf_version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        pages = len(out.pages)
    return buffer.getvalue(), starts, pages


def _prepare(
    src: pikepdf.Pdf, index: int, part: Part, offset: int, keep: set[str]
) -> tuple[pikepdf.Dictionary, int]:
    """Change one part, in memory, into what the pack takes over; return an indirect holder of
    its /Part element, shifted /ParentTree entries, IDs and role and class maps, and how many
    /ParentTree keys it uses."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    from handoutkit.pdf.read import is_struct_elem, kids, subtree

    struct_root = src.Root.get("/StructTreeRoot")
    if not isinstance(struct_root, Dictionary):
        raise ValueError(f"part {index} ({part.title}) is not a tagged PDF")
    entries: list[tuple[int, Any]] = []
    if "/ParentTree" in struct_root:
        entries = [(int(k), v) for k, v in pikepdf.NumberTree(struct_root.ParentTree).items()]
    span = max([k + 1 for k, _v in entries] + [int(struct_root.get("/ParentTreeNextKey", 0))])

    # the part's root element becomes a /Part of the pack's /Document
    top = [kid for kid in kids(struct_root) if is_struct_elem(kid)]
    if len(top) == 1 and str(top[0].S) == "/Document" and top[0].is_indirect:
        element = top[0]
    else:
        element = src.make_indirect(Dictionary(Type=Name.StructElem, K=Array(top)))
        for kid in top:
            kid.P = element
    element.S = Name.Part
    element.Lang = String(part.language)
    element.T = String(part.title)
    if "/P" in element:
        del element["/P"]

    # element identifiers get a per-part prefix, and so do the table headers that name them
    prefix = f"p{index}-"
    ids: list[Any] = []
    for node in subtree(element):
        if "/ID" in node:
            node.ID = String(prefix + str(node.ID))
            ids.extend((node.ID, node))
        attributes = node.get("/A")
        for attribute in attributes if isinstance(attributes, Array) else [attributes]:
            if isinstance(attribute, Dictionary) and isinstance(attribute.get("/Headers"), Array):
                attribute.Headers = Array(String(prefix + str(h)) for h in attribute.Headers)

    # /StructParents of pages and forms, /StructParent of annotations and objects: shifted
    dests = _named_destinations(src)
    done: set[tuple[int, int]] = set()
    for page in src.pages:
        _shift(page.obj, offset, done)
        for annotation in page.obj.get("/Annots", Array()):
            _shift(annotation, offset, done)
            _resolve_link(annotation, dests, keep)
        _walk_resources(page.obj.get("/Resources"), offset, done, index)

    holder = src.make_indirect(
        Dictionary(
            Part=element,
            Nums=Array([x for key, value in entries for x in (key + offset, value)]),
            IDs=Array(ids),
            RoleMap=struct_root.get("/RoleMap", Dictionary()),
            ClassMap=struct_root.get("/ClassMap", Dictionary()),
        )
    )
    return holder, span


def _shift(obj: Any, offset: int, done: set[tuple[int, int]]) -> None:
    import pikepdf

    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return
    if obj.is_indirect:
        if obj.objgen in done:
            return
        done.add(obj.objgen)
    for key in ("/StructParents", "/StructParent"):
        if key in obj:
            obj[key] = int(obj[key]) + offset


def _walk_resources(resources: Any, offset: int, done: set[tuple[int, int]], index: int) -> None:
    """Shift the keys of form XObjects and give subset fonts a tag of their own in the pack."""
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        _retag(font, index, done)
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if isinstance(xobject, pikepdf.Stream) and xobject.objgen not in done:
            _shift(xobject, offset, done)
            _walk_resources(xobject.get("/Resources"), offset, done, index)


def _retag(font: Any, index: int, done: set[tuple[int, int]]) -> None:
    """Different subsets in one file must have different tags (ISO 32000-1, 9.6.4): the same
    font subset differently by each part would otherwise share one name (viewers cache fonts
    by name). The new tag is derived from the old name and the part, so it is stable."""
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary) or (font.is_indirect and font.objgen in done):
        return
    if font.is_indirect:
        done.add(font.objgen)
    fonts = [font, *font.get("/DescendantFonts", pikepdf.Array())]
    for item in fonts:
        for holder, key in ((item, "/BaseFont"), (item.get("/FontDescriptor"), "/FontName")):
            if not isinstance(holder, pikepdf.Dictionary) or key not in holder:
                continue
            match = _SUBSET.match(str(holder[key]))
            if match:
                digest = hashlib.sha256(f"{index}:{holder[key]}".encode()).digest()
                tag = "".join(chr(65 + b % 26) for b in digest[:6])
                holder[key] = pikepdf.Name(f"/{tag}+{match.group(1)}")


def _named_destinations(src: pikepdf.Pdf) -> dict[str, Any]:
    import pikepdf

    found: dict[str, Any] = {}
    names = src.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        for name, value in pikepdf.NameTree(names.Dests).items():
            found[str(name)] = value
    old = src.Root.get("/Dests")  # PDF 1.1 style: a dictionary of names
    if isinstance(old, pikepdf.Dictionary):
        for name, value in old.items():
            found.setdefault(name[1:], value)
    return found


def _resolve_link(annotation: Any, dests: dict[str, Any], keep: set[str]) -> None:
    """A link to a named destination gets the explicit destination (names of different parts
    could collide in the pack); names in `keep` are left for `_link_targets`."""
    import pikepdf

    if not isinstance(annotation, pikepdf.Dictionary):
        return
    holders = [(annotation, "/Dest")]
    action = annotation.get("/A")
    if isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo:
        holders.append((action, "/D"))
    for holder, key in holders:
        value = holder.get(key)
        if isinstance(value, pikepdf.String | pikepdf.Name):
            name = str(value).removeprefix("/") if isinstance(value, pikepdf.Name) else str(value)
            if name in keep:
                continue
            target = dests.get(name)
            if isinstance(target, pikepdf.Dictionary):
                target = target.get("/D")
            if target is not None:
                holder[key] = target


def _link_targets(
    out: pikepdf.Pdf,
    starts: list[int],
    parts: list[Part],
    targets: dict[str, int],
    elements: list[Any] | None = None,
) -> None:
    """The first part's links to `targets` jump to the first page of the part they name, and
    say so to screen readers (the part's title, not the name of the destination); with
    `elements` (PDF 2.0), they go to its /Part element too (a structure destination)."""
    import pikepdf

    if not targets:
        return
    for page in out.pages[: starts[1] - 1 if len(starts) > 1 else len(out.pages)]:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            value = annotation.get("/Dest")
            if isinstance(value, pikepdf.String) and str(value) in targets:
                index = targets[str(value)]
                destination = pikepdf.Array([out.pages[starts[index] - 1].obj, pikepdf.Name.Fit])
                if elements is None:
                    annotation.Dest = destination
                else:
                    del annotation["/Dest"]
                    annotation.A = pikepdf.Dictionary(
                        S=pikepdf.Name.GoTo,
                        D=destination,
                        SD=pikepdf.Array([elements[index], pikepdf.Name.Fit]),
                    )
                annotation.Contents = pikepdf.String(parts[index].title)


@dataclass
class _Bookmark:
    title: str
    page: int | None  # index in its own file
    rest: list[Any]  # the destination after the page: /XYZ left top zoom, /Fit, ...
    children: list[_Bookmark]
    element: Any = None  # the structure element of a structure destination (/SD), if any


def _outline(src: pikepdf.Pdf) -> list[_Bookmark]:
    """The outline of one part, with destinations as page indexes."""
    import pikepdf

    pages = {page.obj.objgen: i for i, page in enumerate(src.pages)}
    dests = _named_destinations(src)

    def convert(items: Iterable[Any]) -> Iterator[_Bookmark]:
        for item in items:
            dest = item.destination
            if isinstance(dest, pikepdf.String | pikepdf.Name):
                dest = dests.get(str(dest).removeprefix("/"))
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
            element = None
            if item.action is not None:
                dest = item.action.get("/D") if dest is None else dest
                target = item.action.get("/SD")
                if isinstance(target, pikepdf.Array) and len(target):
                    element = target[0]
            page = None
            rest: list[Any] = []
            if (
                isinstance(dest, pikepdf.Array)
                and len(dest)
                and isinstance(dest[0], pikepdf.Dictionary)
            ):
                page = pages.get(dest[0].objgen)
                rest = list(dest)[1:]
            yield _Bookmark(item.title, page, rest, list(convert(item.children)), element)

    with src.open_outline() as outline:
        return list(convert(outline.root))


def _write_outline(out: pikepdf.Pdf, parts: list[tuple[int, list[_Bookmark]]]) -> None:
    """Each part's bookmarks, in order; a handout's are closed (its title shows, its sections
    open on a click)."""
    import pikepdf
    from pikepdf import OutlineItem

    def make(bookmark: _Bookmark, first: int, closed: bool) -> OutlineItem:
        destination = None
        if bookmark.page is not None:
            page = out.pages[first + bookmark.page].obj
            destination = pikepdf.Array([page, *(bookmark.rest or [pikepdf.Name.Fit])])
        if destination is not None and bookmark.element is not None:
            action = pikepdf.Dictionary(
                S=pikepdf.Name.GoTo,
                D=destination,
                SD=pikepdf.Array(
                    [out.copy_foreign(bookmark.element), *(bookmark.rest or [pikepdf.Name.Fit])]
                ),
            )
            item = OutlineItem(bookmark.title, action=action)
        else:
            item = OutlineItem(bookmark.title, destination=destination)
        item.children.extend(make(child, first, False) for child in bookmark.children)
        item.is_closed = closed and bool(bookmark.children)
        return item

    with out.open_outline() as outline:
        for index, (first, bookmarks) in enumerate(parts):
            outline.root.extend(make(b, first, index > 0) for b in bookmarks)
