"""The waiting-room rack pack: per language and paper size, one print-ready PDF of every patient
handout and worksheet (standard edition, the worksheets' print edition), for a duplex printer.
Below, "handout" means either.

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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from handoutkit.diagnostics import Diagnostic, Location
from handoutkit.errors import ContentError
from handoutkit.names import rack_path
from handoutkit.pdf.merge import Part, merge_pdfs

if TYPE_CHECKING:
    from handoutkit.build.keys import Inputs
    from handoutkit.build.outputs import Selection
    from handoutkit.build.report import OutputResult
    from handoutkit.content.project import Project, SourceDocument
    from handoutkit.pdf.printer import Printer
    from handoutkit.render.renderer import Renderer

EDITION = "standard"  # racks hold the standard edition; large print is printed on request
KIND = "handout"  # briefs are for clinicians, not for the waiting room
# what a pack holds, in this order within a topic: handouts, then worksheets (print edition)
MEMBER_KINDS = ("handout", "worksheet")
CATALOG_TEMPLATE = "rack-catalog.html.j2"


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
        return Path(rack_path(self.language, self.paper))

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
    do not narrow a pack: a pack is always complete) and every worksheet (its print edition),
    by topic, then handouts before worksheets, then title."""
    if "rack" not in selection.formats or EDITION not in editions:
        return []
    config = project.config
    specs: list[RackSpec] = []
    for language in config.languages:
        if selection.languages and language not in selection.languages:
            continue
        members = tuple(
            sorted(
                (
                    d
                    for d in project.documents
                    if d.model.type in MEMBER_KINDS and d.model.language == language
                ),
                key=lambda d: (
                    d.topic,
                    MEMBER_KINDS.index(d.model.type),
                    d.model.title.casefold(),
                    d.model.title,
                    d.model.id,
                ),
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
    standard = project.config.pdf_standard
    for member in spec.members:
        kind = member.model.type
        _warning, most_pages = project.config.limits.page_thresholds(kind, EDITION)
        try:
            html = renderer.render(member, EDITION).html
            result = printer.print_pdf(html, EDITION, spec.paper, member.shown, standard)
        except ContentError as exc:
            count = len(exc.diagnostics) or 1
            problems = f"{count} problem{'s' * (count != 1)}"
            left_out.append(left_out_problem(spec, member, f"printing failed ({problems})"))
            continue
        faults = [f for f in result.findings if f.severity == "error"]
        why = None
        if faults:  # located on the handout's own PDF of this edition and paper
            count = len(faults)
            why = f"the print preflight found {count} problem{'s' * (count != 1)} in its layout"
        elif most_pages is not None and result.pages > most_pages:  # as its own PDF fails
            why = f"{result.pages} pages, more than the {most_pages} a {kind} may have"
        if why is not None:
            left_out.append(left_out_problem(spec, member, why))
            continue
        printed.append(_Member(member, result.pdf, result.pages))
    if not printed:
        failure = RackSpec(spec.language, spec.paper, ()).failure
        raise ContentError([*left_out, *([failure] if failure else [])])
    catalog_pages = 1
    for _attempt in range(4):  # page numbers in the catalog depend on its own length
        starts = start_pages(catalog_pages, [m.pages for m in printed])
        html = render_catalog(spec, project, renderer, printed, starts)
        catalog = printer.print_pdf(
            html, EDITION, spec.paper, f"templates/{CATALOG_TEMPLATE}", standard
        )
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
    faults = [f for f in catalog.findings if f.severity == "error"]
    if faults:
        from handoutkit.build.preflight import located_findings

        shown = f"templates/{CATALOG_TEMPLATE}"
        raise ContentError(located_findings(faults, spec.name, project, None, shown))
    parts = [Part(catalog.pdf, pack_title(project, spec.language), spec.language)]
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
                "topic": member.document.topic,
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
    from handoutkit.content.approval import review_state

    states = [review_state(project, m.document) for m in members]
    approved = all(state.approved for state in states)
    dates = [m.document.model.review.last_reviewed for m in members]
    latest = max((d for d in dates if d is not None), default=None) if approved else None
    base = renderer.base_context(
        kind=KIND,
        language=language,
        audience="patient",
        edition=EDITION,
        medium="print",
        approved=approved,
    )
    context = {
        **base.values,
        "title": pack_title(project, language),
        "description": "; ".join(str(e["title"]) for e in entries),
        "date_iso": latest.isoformat() if latest else None,
        "entries": entries,
        "topics": sorted({str(e["topic"]) for e in entries}),
        "any_online": any(e["url"] for e in entries),
    }
    return render_template(renderer.env, CATALOG_TEMPLATE, context, language)


def pack_title(project: Project, language: str) -> str:
    from handoutkit.i18n import translator

    _ = translator(language)
    return f"{_('Handouts in this pack')} · {project.config.organization.name}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "<none>"


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

    from handoutkit.build.report import OutputResult
    from handoutkit.fileio import write_atomic

    started = time.perf_counter()
    notes = list(spec.left_out)
    try:
        rack = make_rack(spec, project, renderer, printer)
        path = write_atomic(out_dir, spec.relative_path, rack.pdf, make_out_dir=False)
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
