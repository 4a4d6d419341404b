"""Check stage: rules that span files, run after every file has loaded into its model.

Loading already enforced the schema of each file. Here we check what a single file cannot
know: that citations resolve in the shared reference library, that the mandatory blocks
(crisis resources, disclaimer) exist for each document's region, audience and language, that
review dates and approvals hold (`review`), that assets stay inside the project, that the prose
is plain enough for its audience (`plainlanguage`: reading level, long sentences, jargon),
claims carry their sources (`claims`), and that what prints is what was written (`characters`:
invisible characters, raw HTML, Markdown nesting, fonts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.yamlsource import read_text
from handoutkit.diagnostics import Diagnostics, Location, did_you_mean, display_path
from handoutkit.errors import ContentError
from handoutkit.i18n import SOURCE_LANGUAGE, catalog_path
from handoutkit.lint import contrast
from handoutkit.lint.characters import check_characters
from handoutkit.lint.citations import (
    check_citation_topics,
    check_citations,
    check_references,
    check_shared_links,
    check_uncited_references,
)
from handoutkit.lint.claims import check_claims
from handoutkit.lint.crisis import check_crisis_placement
from handoutkit.lint.placeholders import check_placeholders
from handoutkit.lint.plainlanguage import check_plain_language
from handoutkit.lint.review import check_release, check_review
from handoutkit.lint.translation import check_translation
from handoutkit.lint.worksheets import check_worksheet
from handoutkit.models import Brief, Handout
from handoutkit.resources import (
    ASSET_FOLDER,
    COLOUR_STYLESHEET,
    CONFIG_NAME,
    asset_problem,
    find_style,
)


def check_project(
    project: Project, today: dt.date, *, whole_project: bool = True, release: bool = False
) -> Diagnostics:
    """Add cross-file diagnostics to `project.diagnostics` and return them all. A `release`
    check also refuses documents that are not approved, and sample organization data."""
    diagnostics = project.diagnostics
    cited: Counter[str] = Counter()
    citing: dict[str, set[str]] = {}  # document → the references it cites
    check_unique(project, diagnostics, "id", "give every document a unique id")
    # a document code identifies one printed document: two with the same code get mixed up on
    # the rack and in the manifest
    check_unique(
        project,
        diagnostics,
        "code",
        "give every document its own code, e.g. with the language at the end",
    )
    for document in project.documents:
        citing[document.shown] = check_citations(project, document, diagnostics)
        cited.update(citing[document.shown])
        check_mandatory_blocks(project, document, diagnostics)
        check_review(project, document, today, diagnostics)
        check_assets(project, document, diagnostics)
        check_cross_references(project, document, diagnostics)
        check_plain_language(project, document, diagnostics)
        check_claims(document, diagnostics)
        check_translation(project, document, diagnostics)
        check_crisis_placement(project, document, diagnostics)
        check_worksheet(document, diagnostics)
    if release:
        check_release(project, diagnostics)
    check_placeholders(project, diagnostics, release=release)
    check_logo(project, diagnostics)
    check_shared_links(project, diagnostics)
    check_references(project, diagnostics)
    check_characters(project, diagnostics)
    check_colours(project, diagnostics)
    check_citation_topics(project, citing, diagnostics)
    if whole_project and not project.unloaded:  # a document that did not load may cite them
        check_uncited_references(project, cited, diagnostics)
    return diagnostics


def check_unique(project: Project, diagnostics: Diagnostics, field: str, hint: str) -> None:
    """No two documents share the value of `field` (id, code): the second is an error."""
    seen: dict[str, SourceDocument] = {}
    for document in project.documents:
        value = str(getattr(document.model, field))
        earlier = seen.setdefault(value, document)
        if earlier is not document:
            diagnostics.error(
                document.source.locate((field,)),
                f"document {field} '{value}' is also used by {earlier.shown}",
                hint,
                rule="unique-id",
            )


def check_cross_references(
    project: Project, document: SourceDocument, diagnostics: Diagnostics
) -> None:
    """A brief's patient handouts are handouts of the project, and its summary of findings
    marks only footnotes it defines (each defined once, each used)."""
    model = document.model
    if not isinstance(model, Brief):
        return
    source = document.source
    for index, handout_id in enumerate(model.patient_handouts):
        found = project.document_by_id(handout_id)
        if found is None:
            known = [d.model.id for d in project.documents if isinstance(d.model, Handout)]
            suggestion = did_you_mean(handout_id, known) if known else ""
            hint = "name a patient handout of this project by its id"
            if suggestion.startswith("did you mean"):
                hint = f"{suggestion} Otherwise {hint}"
            diagnostics.error(
                source.locate(("patient_handouts", index)),
                f"no document with id '{handout_id}'",
                hint,
                rule="cross-reference",
            )
        elif not isinstance(found.model, Handout):
            diagnostics.error(
                source.locate(("patient_handouts", index)),
                f"'{handout_id}' is a {found.model.type}, not a patient handout",
                "name only patient handouts (type: handout) here",
                rule="cross-reference",
            )
    sof = model.summary_of_findings
    defined: set[str] = set()
    for index, note in enumerate(sof.footnotes):
        if note.id in defined:
            diagnostics.error(
                source.locate(("summary_of_findings", "footnotes", index, "id")),
                f"footnote '{note.id}' is defined more than once",
                "give each footnote its own id",
                rule="cross-reference",
            )
        defined.add(note.id)
    used: set[str] = set()
    for row_index, row in enumerate(sof.rows):
        for index, note_id in enumerate(row.footnotes):
            used.add(note_id)
            if note_id not in defined:
                diagnostics.error(
                    source.locate(("summary_of_findings", "rows", row_index, "footnotes", index)),
                    f"unknown footnote '{note_id}'",
                    _footnote_hint(note_id, defined),
                    rule="cross-reference",
                )
    for index, note in enumerate(sof.footnotes):
        if note.id not in used:
            diagnostics.warning(
                source.locate(("summary_of_findings", "footnotes", index, "id")),
                f"footnote '{note.id}' is not marked in any row",
                "mark it in a row's footnotes: or remove it",
                rule="cross-reference",
            )


def _footnote_hint(note_id: str, defined: set[str]) -> str:
    where = "add it under summary_of_findings.footnotes (id: and text:)"
    suggestion = did_you_mean(note_id, defined) if defined else ""
    return f"{suggestion} Otherwise {where}" if suggestion.startswith("did you mean") else where


def check_mandatory_blocks(
    project: Project, document: SourceDocument, diagnostics: Diagnostics
) -> None:
    """Crisis resources and the disclaimer must exist for the document's region and language."""
    model = document.model
    region = project.config.region
    language = model.language
    if project.crisis_for(language) is None:
        diagnostics.error(
            document.source.locate(("language",)),
            f"no crisis resources for region '{region}' in language '{language}'",
            f"add a `{language}:` block under `{region}:` in {project.config.crisis_resources}",
            rule="mandatory-block",
        )
    if project.disclaimer_for(model.audience, language) is None:
        diagnostics.error(
            document.source.locate(("language",)),
            f"no {model.audience} disclaimer in language '{language}'",
            f"add `{language}:` under `{model.audience}:` in {project.config.disclaimers}",
            rule="mandatory-block",
        )
    if language != SOURCE_LANGUAGE and not catalog_path(language).is_file():
        diagnostics.error(
            document.source.locate(("language",)),
            f"handoutkit has no labels in language '{language}' (References, Page X of Y, …)",
            f"add a catalog: pybabel init -i src/handoutkit/locales/handoutkit.pot "
            f"-d src/handoutkit/locales -D handoutkit -l {language}",
            rule="labels",
        )


def check_assets(project: Project, document: SourceDocument, diagnostics: Diagnostics) -> None:
    if not isinstance(document.model, Handout):
        return
    for index, image in enumerate(document.model.images):
        problem = asset_problem(project.root, image.path)
        if problem:
            diagnostics.error(
                document.source.locate(("images", index, "path")),
                problem,
                f"put the image under {ASSET_FOLDER}/ and give its path from the project root",
                rule="asset",
            )


def check_logo(project: Project, diagnostics: Diagnostics) -> None:
    logo = project.config.organization.logo
    if logo is None:
        return
    problem = asset_problem(project.root, logo.path)
    if problem:
        diagnostics.error(
            project.config_source.locate(("organization", "logo", "path")),
            problem,
            f"put the logo under {ASSET_FOLDER}/ and give its path from {CONFIG_NAME}'s folder",
            rule="asset",
        )


def check_colours(project: Project, diagnostics: Diagnostics) -> None:
    """WCAG contrast of the stylesheet's colours and of the organization's brand colours."""
    path = find_style(project.root, COLOUR_STYLESHEET)
    if path is None:
        return  # the printer reports a missing stylesheet
    shown = display_path(path)
    try:
        declared = contrast.custom_properties(read_text(path, shown))
    except ContentError as exc:  # not UTF-8, or too large: located
        diagnostics.extend(exc.diagnostics)
        return
    colours = contrast.values(declared)
    missing = sorted(
        {p for pair in contrast.PAIRS for p in (pair.foreground, *pair.backgrounds)}
        - colours.keys()
    )
    if missing:
        diagnostics.error(
            Location(shown, 1, 1),
            f"{COLOUR_STYLESHEET} does not define {', '.join(missing)}",
            "define every colour the templates use in its :root rule",
            rule="contrast",
        )
        return
    unreadable = False
    used = {p for pair in contrast.PAIRS for p in (pair.foreground, *pair.backgrounds)}
    for name in sorted(used):
        try:
            contrast.parse_colour(colours[name])
        except ValueError as exc:
            unreadable = True
            where = declared[name]
            diagnostics.error(
                Location(shown, where.line, where.column),
                f"{name}: {exc}",
                "write an opaque colour, e.g. #1a4d80",
                rule="contrast",
            )
    if unreadable:
        return
    for problem in contrast.contrast_problems(colours):
        where = declared[problem.pair.foreground]
        diagnostics.error(
            Location(shown, where.line, where.column),
            f"fails WCAG 2.2 contrast: {problem}",
            "choose colours with more contrast (WCAG 2.2)",
            rule="contrast",
        )
    brand_colours = project.config.organization.colours
    if brand_colours is None:
        return
    brand = brand_colours.model_dump(exclude_none=True)
    for field, (problems, suggestion) in contrast.brand_problems(colours, brand).items():
        diagnostics.error(
            project.config_source.locate(("organization", "colours", field)),
            f"brand colour {field} {brand[field]} has too little contrast (WCAG 2.2) for "
            + contrast.describe(problems),
            f"try {suggestion}, the nearest shade that passes"
            if suggestion
            else "choose a colour with more contrast",
            rule="contrast",
        )
