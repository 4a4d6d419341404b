"""The build matrix: which outputs a selection asks for, in a stable order."""

from __future__ import annotations

from handoutkit.build.outputs import DocumentOutput, OutputSpec, Selection, SiteSpec
from handoutkit.build.rack import plan_racks
from handoutkit.content.project import Project
from handoutkit.models import Worksheet
from handoutkit.names import FILLABLE


def plan(project: Project, selection: Selection | None = None) -> list[OutputSpec]:
    """Documents × editions × papers (× formats; worksheets alone have a `fillable` PDF
    form), then the rack packs (see `build.rack`),
    narrowed by the selection and its shard; then the site, made from all of them."""
    selection = selection or Selection()
    config = project.config
    editions = [e for e in config.editions if not selection.editions or e in selection.editions]
    papers = [p for p in config.paper_sizes if not selection.papers or p in selection.papers]
    specs: list[OutputSpec] = []
    for document in project.documents:
        model = document.model
        if selection.languages and model.language not in selection.languages:
            continue
        if selection.ids and model.id not in selection.ids:
            continue
        for edition in editions:
            if "pdf" in selection.formats:
                specs.extend(DocumentOutput(document, edition, paper) for paper in papers)
            if "html" in selection.formats:
                specs.append(DocumentOutput(document, edition, None, "html"))
            if FILLABLE in selection.formats and isinstance(model, Worksheet):
                specs.extend(DocumentOutput(document, edition, p, FILLABLE) for p in papers)
    specs.extend(plan_racks(project, selection, editions, papers))
    if selection.shard is not None:
        k, n = selection.shard
        specs = [spec for index, spec in enumerate(specs) if index % n == k - 1]
    if "site" in selection.formats:
        specs.append(
            SiteSpec(
                selection.include_drafts,
                only_languages=selection.languages,
                only_editions=selection.editions,
                only_papers=selection.papers,
            )
        )
    return specs
