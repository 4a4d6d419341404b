"""The waiting-room rack pack: per language and paper size, one print-ready PDF of every patient
handout (standard edition), for a duplex printer.

The pack opens with a catalog page (`templates/rack-catalog.html.j2`): the handouts in order of
topic, then title, the pages each one takes in the pack, and a QR code (segno) to its online
version where it has an `online_url`; like every document, it carries the crisis block and the
(patient) disclaimer. Then each handout follows exactly as its standalone PDF prints it, starting
on an odd page, i.e. on a new sheet: a blank page is put before a handout where needed. Its own
"Page X of Y" footers and links stay right, because its pages are the standalone file's pages.

The files are merged with pikepdf into one tagged PDF/UA-1 file: the structure tree gets a
`/Document` with one `/Part` per file (with its `/Lang` and its title as `/T`); each file's
`/ParentTree` keys, and the `/StructParents` and `/StructParent` that point into it, are shifted
past the previous file's; `/RoleMap` and `/ClassMap` are merged, element `/ID`s get a per-file
prefix (and an `/IDTree`); links to named destinations are resolved to explicit ones (so names
never collide between files); subset font tags are made unique per file; each handout gets a
bookmark (its own outline, closed). The pack's title, language and XMP metadata (with the PDF/UA
identification) are the catalog's.

A handout that cannot be built (content errors, or printing fails) is left out of the pack, which
still builds from the others, and the omission is an error on the pack, so the build fails: the
clinic gets the current, correct handouts printed, and nobody misses that one is absent (the
catalog lists only what is in the pack). Keeping an old pack instead would keep printing old
versions of every other handout, whatever was corrected in them since.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handoutkit.diagnostics import Diagnostic, Location
from handoutkit.errors import ContentError

if TYPE_CHECKING:
    import pikepdf

    from handoutkit.build.keys import Inputs
    from handoutkit.build.run import OutputResult, Selection
    from handoutkit.content.project import Project, SourceDocument
    from handoutkit.pdf.printer import Printer
    from handoutkit.render.renderer import Renderer

EDITION = "standard"  # racks hold the standard edition; large print is printed on request
KIND = "handout"  # briefs are for clinicians, not for the waiting room
CATALOG_TEMPLATE = "rack-catalog.html.j2"
FOLDER = "rack"


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class RackSpec:
    """One rack pack: its language, paper size and member handouts, in pack order."""

    language: str
    paper: str
    members: tuple[SourceDocument, ...]
    left_out: tuple[Diagnostic, ...] = ()  # members that cannot be built, as errors on the pack
    edition: str = EDITION
    fmt: str = "rack"

    @property
    def relative_path(self) -> Path:
        """Stable output name: rack/rack.en.letter.pdf."""
        return Path(FOLDER, f"rack.{self.language}.{self.paper}.pdf")

    @property
    def name(self) -> str:
        return self.relative_path.as_posix()

    def narrowed(self, blocked: dict[str, Diagnostic]) -> RackSpec:
        """The pack without the members that must not build (each reported as left out)."""
        kept = tuple(m for m in self.members if m.shown not in blocked)
        left_out = tuple(
            left_out_problem(self, m, blocked[m.shown].message)
            for m in self.members
            if m.shown in blocked
        )
        return RackSpec(self.language, self.paper, kept, self.left_out + left_out)

    @property
    def failure(self) -> Diagnostic | None:
        """Why the pack cannot be built at all: none of its handouts can."""
        if self.members:
            return None
        return Diagnostic.error_at(
            Location(self.name),
            "not built: none of the handouts of this pack can be built",
            "fix the problems listed above",
            rule="build",
        )

    def cache_key(self, inputs: Inputs) -> str:
        """The members' own keys (standard PDF, this paper) and the catalog's inputs."""
        from handoutkit.build.fingerprint import KeyBuilder, tool_fingerprint
        from handoutkit.build.keys import add_shared_data, template_files
        from handoutkit.resources import CONFIG_NAME

        project = inputs.project
        key = KeyBuilder()
        key.add("tool", tool_fingerprint())
        key.add("segno", _version("segno"))
        key.add_json("options", [self.fmt, self.edition, self.paper, self.language])
        for member in self.members:
            key.add(f"member {member.shown}", inputs.output_key(member, "pdf", EDITION, self.paper))
        key.add_json("left out", [d.location.path for d in self.left_out])
        key.add(CONFIG_NAME, inputs.file(project.root / CONFIG_NAME))
        add_shared_data(key, project, "patient", self.language, set())
        for path in template_files(project.root, CATALOG_TEMPLATE):
            key.add(f"template {path.name}", inputs.file(path))
        return key.hexdigest()


def plan_racks(
    project: Project, selection: Selection, editions: Iterable[str], papers: Iterable[str]
) -> list[RackSpec]:
    """One pack per selected language × paper size that has handouts; none when the selection
    leaves out the standard edition. Members are every handout of the language (document ids
    do not narrow a pack: a pack is always complete), by topic, then title."""
    if "rack" not in selection.formats or EDITION not in editions:
        return []
    config = project.config
    specs = []
    for language in config.languages:
        if selection.languages and language not in selection.languages:
            continue
        members = tuple(
            sorted(
                (
                    d
                    for d in project.documents
                    if d.model.type == KIND and d.model.language == language
                ),
                key=lambda d: (d.topic, d.model.title.casefold(), d.model.title, d.model.id),
            )
        )
        if members:
            specs.extend(RackSpec(language, paper, members) for paper in papers)
    return specs


def left_out_problem(spec: RackSpec, member: SourceDocument, why: str) -> Diagnostic:
    return Diagnostic.error_at(
        Location(member.shown),
        f"left out of {spec.name}: {why}",
        "fix it and build again: the pack is printed without this handout until then",
        rule="rack",
    )


# --------------------------------------------------------------------------- making the pack


@dataclass
class Rack:
    pdf: bytes
    pages: int
    starts: list[int]  # first page of each included member, 1-based
    left_out: list[Diagnostic] = field(default_factory=list)  # members that failed to print


@dataclass
class _Member:
    document: SourceDocument
    pdf: bytes
    pages: int


def make_rack(spec: RackSpec, project: Project, renderer: Renderer, printer: Printer) -> Rack:
    """Print each member and the catalog, and merge them into the pack."""
    printed: list[_Member] = []
    left_out: list[Diagnostic] = []
    for member in spec.members:
        try:
            html = renderer.render(member, EDITION).html
            result = printer.print_pdf(html, EDITION, spec.paper, member.shown)
        except ContentError as exc:
            count = len(exc.diagnostics) or 1
            left_out.append(left_out_problem(spec, member, f"printing failed ({count} problem(s))"))
            continue
        printed.append(_Member(member, result.pdf, result.pages))
    if not printed:
        failure = RackSpec(spec.language, spec.paper, ()).failure
        raise ContentError([*left_out, *([failure] if failure else [])])
    catalog_pages = 1
    for _attempt in range(4):  # page numbers in the catalog depend on its own length
        starts = start_pages(catalog_pages, [m.pages for m in printed])
        html = render_catalog(spec, project, renderer, printed, starts)
        catalog = printer.print_pdf(html, EDITION, spec.paper, f"templates/{CATALOG_TEMPLATE}")
        if catalog.pages == catalog_pages:
            break
        catalog_pages = catalog.pages
    else:  # pragma: no cover - a catalog whose length never settles
        raise ContentError.at(
            Location(spec.name),
            "the catalog page count does not settle",
            "shorten the catalog template",
            rule="rack",
        )
    parts = [Part(catalog.pdf, _title(project, spec.language), spec.language)]
    parts += [Part(m.pdf, m.document.model.title, m.document.model.language) for m in printed]
    targets = {f"rack-{n}": n for n in range(1, len(printed) + 1)}
    pdf, merged_starts, pages = merge_pdfs(parts, spec.language, targets)
    assert merged_starts[1:] == starts, (merged_starts, starts)
    return Rack(pdf, pages, starts, left_out)


def start_pages(catalog_pages: int, member_pages: list[int]) -> list[int]:
    """Where each member starts (1-based): always on an odd page, i.e. the front of a sheet."""
    starts = []
    position = catalog_pages
    for pages in member_pages:
        position += position % 2  # a blank back before it when the previous part ends on a front
        starts.append(position + 1)
        position += pages
    return starts


def render_catalog(
    spec: RackSpec,
    project: Project,
    renderer: Renderer,
    members: list[_Member],
    starts: list[int],
) -> str:
    """The catalog page's HTML."""
    import segno

    from handoutkit.render.renderer import render_template

    language = spec.language
    entries = []
    for member, start in zip(members, starts, strict=True):
        model = member.document.model
        url = getattr(model, "online_url", None)
        end = start + member.pages - 1
        entries.append(
            {
                "title": model.title,
                "subtitle": model.subtitle,
                "code": model.code,
                "version": model.version,
                "pages": f"{start}\u2013{end}" if end > start else str(start),
                "url": url,
                # quiet zone included (4 modules); black on white whatever the brand colours
                "qr": segno.make(url, error="m").svg_data_uri(border=4, dark="#000", light="#fff")
                if url
                else None,
            }
        )
    latest = max(m.document.model.review.last_reviewed for m in members)
    base = renderer.base_context(
        kind=KIND, language=language, audience="patient", edition=EDITION, medium="print"
    )
    context = {
        **base.values,
        "title": _title(project, language),
        "description": "; ".join(e["title"] for e in entries),
        "date_iso": latest.isoformat(),
        "entries": entries,
        "any_online": any(e["url"] for e in entries),
    }
    return render_template(renderer.env, CATALOG_TEMPLATE, context, language)


def _title(project: Project, language: str) -> str:
    from handoutkit.i18n import translator

    _ = translator(language)
    return f"{_('Handouts in this pack')} · {project.config.organization.name}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "<none>"


# --------------------------------------------------------------------------- the manifest


def manifest_entry(project: Project, result: OutputResult) -> dict[str, Any]:
    """The pack's manifest entry: what any output has, and which handouts it holds."""
    spec: RackSpec = result.spec  # type: ignore[assignment]
    left = {d.location.path for d in (*spec.left_out, *result.problems)}
    members = [m for m in spec.members if m.shown not in left]
    ids = {d.shown: d.model.id for d in project.documents}
    interval = project.config.review_interval_months
    due = min((m.model.review.due(interval) for m in members), default=None)
    from handoutkit.build.manifest import output_fields

    return {
        **output_fields(result, spec.language),
        "title": _title(project, spec.language),
        "kind": "rack",
        "members": [m.model.id for m in members],
        "documents": [m.shown for m in members],
        "left_out": sorted(ids.get(path, path) for path in left),  # document ids
        "review_due": due.isoformat() if due else None,  # the earliest of its handouts
    }


# --------------------------------------------------------------------------- merging PDFs


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
        out.Root.StructTreeRoot = struct_root
        _link_targets(out, starts, parts, targets)
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


def _link_targets(out: pikepdf.Pdf, starts: list[int], parts: list[Part], targets: dict) -> None:
    """The first part's links to `targets` jump to the first page of the part they name, and
    say so to screen readers (the part's title, not the name of the destination)."""
    import pikepdf

    if not targets:
        return
    for page in out.pages[: starts[1] - 1 if len(starts) > 1 else len(out.pages)]:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            value = annotation.get("/Dest")
            if isinstance(value, pikepdf.String) and str(value) in targets:
                index = targets[str(value)]
                annotation.Dest = pikepdf.Array(
                    [out.pages[starts[index] - 1].obj, pikepdf.Name.Fit]
                )
                annotation.Contents = pikepdf.String(parts[index].title)


@dataclass
class _Bookmark:
    title: str
    page: int | None  # index in its own file
    rest: list[Any]  # the destination after the page: /XYZ left top zoom, /Fit, ...
    children: list[_Bookmark]


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
            if dest is None and item.action is not None:
                dest = item.action.get("/D")
            page = None
            rest: list[Any] = []
            if (
                isinstance(dest, pikepdf.Array)
                and len(dest)
                and isinstance(dest[0], pikepdf.Dictionary)
            ):
                page = pages.get(dest[0].objgen)
                rest = list(dest)[1:]
            yield _Bookmark(item.title, page, rest, list(convert(item.children)))

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
        item = OutlineItem(bookmark.title, destination=destination)
        item.children.extend(make(child, first, False) for child in bookmark.children)
        item.is_closed = closed and bool(bookmark.children)
        return item

    with out.open_outline() as outline:
        for index, (first, bookmarks) in enumerate(parts):
            outline.root.extend(make(b, first, index > 0) for b in bookmarks)


# --------------------------------------------------------------------------- the build's part


def build_rack(
    spec: RackSpec,
    key: str,
    project: Project,
    out_dir: Path,
    renderer: Renderer,
    printer: Printer,
) -> OutputResult:
    """Make and write one pack (in a build worker); the left-out members are its problems."""
    import time

    from handoutkit.build.fileio import write_atomic
    from handoutkit.build.run import OutputResult

    started = time.perf_counter()
    notes = list(spec.left_out)
    try:
        rack = make_rack(spec, project, renderer, printer)
        path = write_atomic(out_dir, spec.relative_path, rack.pdf)
    except ContentError as exc:
        return OutputResult(spec, "failed", problems=[*notes, *exc.diagnostics], key=key)
    return OutputResult(
        spec,
        "built",
        path,
        rack.pages,
        hashlib.sha256(rack.pdf).hexdigest(),
        len(rack.pdf),
        # a handout that failed to print here is left out; without its key in the manifest,
        # the next build makes the pack again (and reports the omission again)
        "" if rack.left_out else key,
        [*notes, *rack.left_out],
        time.perf_counter() - started,
    )
