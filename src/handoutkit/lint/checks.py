"""Check stage: rules that span files, run after every file has loaded into its model.

Loading already enforced the schema of each file. Here we check what a single file cannot
know: that citations resolve in the shared reference library, that the mandatory blocks
(crisis resources, disclaimer) exist for each document's region, audience and language, that
review dates make sense, that assets stay inside the project, that the prose is plain
enough for its audience (`plainlanguage`: reading level, long sentences, jargon), and that
what prints is what was written (`characters`: invisible characters, raw HTML, Markdown
nesting, fonts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from handoutkit.content.markdown import ALLOWED_LINK, find_citations, find_links
from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.yamlsource import SourceMap, read_text
from handoutkit.diagnostics import Diagnostics, Location, did_you_mean, display_path
from handoutkit.errors import ContentError
from handoutkit.i18n import SOURCE_LANGUAGE, catalog_path
from handoutkit.lint import contrast
from handoutkit.lint.characters import check_characters
from handoutkit.lint.plainlanguage import check_plain_language
from handoutkit.lint.translation import check_translation
from handoutkit.models import Handout, walk_text
from handoutkit.resources import (
    ASSET_FOLDER,
    COLOUR_STYLESHEET,
    CONFIG_NAME,
    asset_problem,
    find_style,
)


def check_project(project: Project, today: dt.date, *, whole_project: bool = True) -> Diagnostics:
    """Add cross-file diagnostics to `project.diagnostics` and return them all."""
    diagnostics = project.diagnostics
    cited: Counter[str] = Counter()
    ids: dict[str, SourceDocument] = {}
    for document in project.documents:
        earlier = ids.setdefault(document.model.id, document)
        if earlier is not document:
            diagnostics.error(
                document.source.locate(("id",)),
                f"document id '{document.model.id}' is also used by {earlier.shown}",
                "give every document a unique id",
                rule="unique-id",
            )
        cited.update(check_citations(project, document, diagnostics))
        check_mandatory_blocks(project, document, diagnostics)
        check_review(project, document, today, diagnostics)
        check_assets(project, document, diagnostics)
        check_plain_language(project, document, diagnostics)
        check_translation(project, document, diagnostics)
    check_logo(project, diagnostics)
    check_shared_links(project, diagnostics)
    check_characters(project, diagnostics)
    check_colours(project, diagnostics)
    if whole_project and project.shared.references_source is not None:
        source = project.shared.references_source
        for index, key in enumerate(project.shared.references):
            if key not in cited:
                diagnostics.warning(
                    source.locate((index, "id")),
                    f"reference '{key}' is not cited by any document",
                    "cite it with [@" + key + "] or remove it from the library",
                    rule="uncited-reference",
                )
    return diagnostics


def check_citations(
    project: Project, document: SourceDocument, diagnostics: Diagnostics
) -> set[str]:
    """Every citation must resolve; a document that cites nothing is an error."""
    library = project.shared.references
    source = document.source
    used: set[str] = set()
    for loc, text, kind in walk_text(document.model):
        if kind == "citation":
            used.add(text)
            if text not in library:
                diagnostics.error(
                    source.locate(loc),
                    f"unknown citation '{text}'",
                    _citation_hint(text, library, project),
                    rule="citation",
                )
            continue
        uses = find_citations(text)
        if uses and kind == "text":
            diagnostics.error(
                source.locate_text(loc, uses[0].marker),
                f"citations are not allowed in '{loc[-1]}'",
                "move the citation into a text field such as the section body",
                rule="citation",
            )
            continue
        seen: Counter[str] = Counter()
        for use in uses:
            for key in use.keys:
                used.add(key)
                where = source.locate_text(loc, "@" + key, seen[key])
                seen[key] += 1
                if key not in library:
                    diagnostics.error(
                        where,
                        f"unknown citation '@{key}'",
                        _citation_hint(key, library, project),
                        rule="citation",
                    )
        if kind == "markdown":
            check_links(source, loc, text, diagnostics)
    if not used:
        diagnostics.error(
            Location(source.path, 1, 1),
            "this document cites no references",
            "cite the sources of its facts with [@key] from the reference library",
            rule="citation",
        )
    return used


def check_links(
    source: SourceMap, loc: tuple[str | int, ...], text: str, diagnostics: Diagnostics
) -> None:
    """Links in Markdown go to the web, e-mail or phone only (no javascript:, file:, data:)."""
    for href in find_links(text):
        if not ALLOWED_LINK.match(href.strip()):
            diagnostics.error(
                source.locate_text(loc, href),
                f"link target '{href}' is not allowed",
                "link only to https://, http://, mailto: or tel: addresses",
                rule="link",
            )


def check_shared_links(project: Project, diagnostics: Diagnostics) -> None:
    """The links in the crisis resources and disclaimers, which every document prints."""
    shared = project.shared
    if shared.crisis_source is not None:
        for region, blocks in shared.crisis.items():
            for language, block in blocks.items():
                for loc, text, kind in walk_text(block, (region, language)):
                    if kind == "markdown":
                        check_links(shared.crisis_source, loc, text, diagnostics)
    if shared.disclaimers_source is not None:
        for audience, texts in shared.disclaimers.items():
            for language, text in texts.items():
                check_links(shared.disclaimers_source, (audience, language), text, diagnostics)


def _citation_hint(key: str, library: Mapping[str, object], project: Project) -> str:
    suggestion = did_you_mean(key, library) if library else ""
    where = f"add an entry with id '{key}' to {project.config.references}"
    if suggestion.startswith("did you mean"):
        return f"{suggestion} Otherwise {where}"
    return where


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


def check_review(
    project: Project, document: SourceDocument, today: dt.date, diagnostics: Diagnostics
) -> None:
    review = document.model.review
    if review.last_reviewed > today:
        diagnostics.error(
            document.source.locate(("review", "last_reviewed")),
            f"last_reviewed {review.last_reviewed.isoformat()} is in the future",
            "give the date the content was actually reviewed",
            rule="review-date",
        )
    due = review.due(project.config.review_interval_months)
    if due < today:
        where = ("review", "next_review_due") if review.next_review_due else ("review",)
        diagnostics.warning(
            document.source.locate(where),
            f"review was due on {due.isoformat()}",
            "have the content reviewed, then update review.last_reviewed",
            rule="review-due",
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
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        diagnostics.error(
            project.config_source.locate(("organization", "colours", field)),
            f"brand colour {field} fails WCAG 2.2 contrast: {problems[0]}{more}",
            f"try {suggestion}, the nearest shade that passes"
            if suggestion
            else "choose a colour with more contrast",
            rule="contrast",
        )
