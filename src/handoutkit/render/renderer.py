"""Render stage: a validated document model → one HTML string (Jinja2, autoescaped).

The HTML is the single source for both the PDF and the HTML edition. Citations are numbered
in the order the template shows them; the reference list, rendered last, lists them in that
order (AMA). Template mistakes are reported as `template-path:line: message`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import babel
import jinja2
from babel import Locale
from babel.dates import format_date
from markupsafe import Markup

from handoutkit.config import BRAND_PROPERTIES
from handoutkit.content.approval import review_state
from handoutkit.content.project import Project, SourceDocument
from handoutkit.content.sampledata import sample_fields
from handoutkit.diagnostics import Diagnostic, Location, display_path
from handoutkit.errors import ContentError, HandoutkitError
from handoutkit.i18n import SOURCE_LANGUAGE, MissingTranslation, plural_translator, translator
from handoutkit.models import Audience, BrandColours, Brief, Document
from handoutkit.names import field_path
from handoutkit.render.htmledition import asset_data_uri, screen_stylesheet, self_contained_problems
from handoutkit.render.markdown import (
    WBR,
    ZWSP,
    Citer,
    MarkdownRenderer,
    strip_markdown,
    url_breaks,
)
from handoutkit.render.references import format_reference_html, short_source
from handoutkit.render.visuals import Visuals, palette
from handoutkit.resources import template_dirs

Medium = Literal["print", "screen"]


@dataclass(frozen=True)
class RenderedDocument:
    html: str
    cited: tuple[str, ...]  # reference keys in citation order


def css_string(value: object) -> Markup:
    """A CSS string literal for generated CSS in <style> (page furniture): no way out of it."""
    text = str(value)
    escaped = re.sub(r'[\\"<>&\x00-\x1f\x7f]', lambda m: f"\\{ord(m.group(0)):x} ", text)
    return Markup(f'"{escaped}"')


def make_environment(project_root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(project_root)]),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    return env


class Renderer:
    """Renders documents of one project; keeps the Jinja environment (and its cache)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env = make_environment(project.root)
        self.visuals = Visuals(palette(project.root, project.config.organization.colours))

    def base_context(
        self,
        *,
        kind: str,
        language: str,
        audience: Audience,
        edition: str,
        medium: Medium,
        approved: bool,
    ) -> BaseContext:
        """What every template is given (documents and the rack catalog alike): the
        organization (and whether it is sample data), the mandatory blocks in the reader's
        language, Markdown with a citation counter, the reference list in citation order, the
        medium's styles and assets, and whether what is printed is approved (if not, it is
        marked DRAFT on every page)."""
        project = self.project
        root = project.root
        gettext = translator(language)
        library = project.shared.references

        def describe(number: int, key: str) -> str:
            item = library.get(key)
            source = short_source(item) if item is not None else key
            return gettext("Reference {number}: {source}").format(number=number, source=source)

        citer = Citer(describe=describe)
        listed: list[int] = []  # citations counted when the reference list was rendered

        def references() -> list[dict[str, Any]]:
            listed.append(len(citer.order))
            library = project.shared.references
            return [
                {
                    "number": n,
                    "key": key,
                    "html": format_reference_html(library[key], breaks),
                    "language": source_language(library[key].language, language),
                }
                for n, key in enumerate(citer.order, start=1)
            ]

        brand = project.config.organization.colours
        region = project.config.region
        breaks = ZWSP if medium == "print" else WBR
        values = {
            "medium": medium,
            "screen_css": Markup(screen_stylesheet(root)) if medium == "screen" else "",
            "brand_css": Markup(brand_css(brand)),
            "asset_url": (lambda path: path) if medium == "print" else _screen_asset_url(root),
            "kind": kind,
            "lang": language,
            "edition": edition,
            "org": project.config.organization,
            "sample_org": bool(sample_fields(project.config.organization)),
            "approved": approved,
            "crisis": project.crisis_for(language),
            "crisis_placement": "prominent",  # a document's own in render()
            "disclaimer": project.disclaimer_for(audience, language),
            "md": MarkdownRenderer(citer, medium=medium),
            "visuals": self.visuals,
            "fillable": medium == "screen",  # a worksheet's write-in items as form fields
            "url_breaks": lambda text: url_breaks(text, breaks),  # an address that may wrap
            "references": references,
            # where each printed element's text comes from (see names.field_path)
            "field": _field_marker(medium),
            "field_path": field_path,
            "crisis_field": f"crisis:{field_path(region, language)}",
            "disclaimer_field": f"disclaimers:{field_path(audience, language)}",
        }
        return BaseContext(values, citer, listed)

    def render(
        self,
        document: SourceDocument,
        edition: str,
        medium: Medium = "print",
        fillable: bool = False,
    ) -> RenderedDocument:
        """The document's HTML for print (the PDF's source) or screen (the HTML edition);
        `fillable`: a worksheet's write-in items as form fields in print too (the PDF form)."""
        model = document.model
        language = model.language
        review = model.review
        state = review_state(self.project, model)
        due = review.due(self.project.config.review_interval_months)
        base = self.base_context(
            kind=model.type,
            language=language,
            audience=model.audience,
            edition=edition,
            medium=medium,
            approved=state.approved,
        )
        citer, listed = base.citer, base.listed
        # review dates and the reviewer are printed only for an approved document: a draft
        # must not claim a review that did not happen (templates check `approved`)
        context = {
            **base.values,
            "fillable": fillable or medium == "screen",
            "doc": model,
            "date": lambda day: _date(day, language),
            "related_handouts": self._related_handouts(model),
            "crisis_placement": self.project.crisis_placement(model),
            "review_status": state.effective,
            "changed_since_approval": state.changed,
            "reviewed": _date(review.last_reviewed, language) if review.last_reviewed else None,
            "next_review": _date(due, language) if due else None,
            "reviewed_iso": review.last_reviewed.isoformat()
            if state.approved and review.last_reviewed
            else None,
            "description": model.description or strip_markdown(_summary_text(model))[:300],
        }
        template_name = f"{model.type}.html.j2"
        html = render_template(self.env, template_name, context, language)
        if listed and listed[-1] != len(citer.order):
            raise ContentError(
                [
                    _template_diagnostic(
                        template_name,
                        1,
                        "citations appear after the reference list",
                        "render the reference list last",
                    )
                ]
            )
        missing = [key for key in citer.order if key not in self.project.shared.references]
        if missing:  # check has already reported these; never print a broken reference
            raise ContentError.at(
                Location(document.shown),
                f"unknown citations {', '.join(missing)}",
                "add them to the reference library",
                rule="citation",
            )
        if medium == "screen":  # nothing a template says may make the page fetch a file
            problems = self_contained_problems(html, document.shown)
            if problems:
                raise ContentError(problems)
        return RenderedDocument(html, tuple(citer.order))

    def _related_handouts(self, model: Document) -> list[dict[str, str]]:
        """The patient handouts a brief names (`check` has verified the ids): title, code and
        language, with the language's name in the brief's language when they differ."""
        if not isinstance(model, Brief):
            return []
        related = []
        for handout_id in model.patient_handouts:
            found = self.project.document_by_id(handout_id)
            if found is None:
                continue
            handout = found.model
            related.append(
                {
                    "title": handout.title,
                    "code": handout.code,
                    "lang": handout.language,
                    "language_name": _language_name(handout.language, model.language),
                }
            )
        return related


def source_language(declared: str | None, reader: str) -> dict[str, str] | None:
    """A reference's language when it is not the reader's: its code and its name in the
    reader's language ("inglés"), for a marker such as "(en inglés)". A reference without
    `language:` is taken to be in English, the language of nearly all medical literature."""
    code = declared or SOURCE_LANGUAGE
    if code == reader:
        return None
    return {"code": code, "name": _language_name(code, reader)}


def _language_name(code: str, reader: str) -> str:
    try:
        return str(Locale.parse(reader).languages.get(code, code))
    except (ValueError, babel.UnknownLocaleError):
        return code


@dataclass
class BaseContext:
    values: dict[str, Any]
    citer: Citer
    listed: list[int]


def brand_css(brand: BrandColours | None) -> str:
    """A `:root` rule that puts the organization's brand colours into the custom properties."""
    chosen = brand.model_dump(exclude_none=True) if brand else {}
    declarations = "".join(
        f" {prop}: {value};" for field, value in chosen.items() for prop in BRAND_PROPERTIES[field]
    )
    # html:root outranks the stylesheets' :root, whatever order they are applied in
    return f"html:root {{{declarations} }}" if declarations else ""


def _field_marker(medium: Medium) -> Any:
    """`field(*path)` for templates: ` data-field="sections.0.heading"` in print, where the
    print preflight reads it to locate what it finds; nothing on screen. (Markdown blocks are
    marked by `md.block(text, field_path(...))`, in print only too.)"""

    def field(*parts: str | int) -> Markup:
        if medium != "print":
            return Markup("")
        return Markup(' data-field="{}"').format(field_path(*parts))

    return field


class TemplateCallError(Exception):
    """A helper a template called was given a bad argument: the template's mistake."""


def _screen_asset_url(root: Path) -> Any:
    def asset_url(path: str) -> str:
        try:
            return asset_data_uri(root, path)
        except ContentError as exc:  # located at the template line that asked for it
            raise TemplateCallError(exc.diagnostics[0].message) from None

    return asset_url


def render_template(
    env: jinja2.Environment, name: str, context: dict[str, Any], language: str
) -> str:
    """Render a template with its labels in `language`; template mistakes (and labels without
    a translation) become located user errors."""
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translator(language), plural_translator(language), newstyle=False
    )
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise ContentError(
            [_template_diagnostic(exc.filename or exc.name or name, exc.lineno, exc.message or "")]
        ) from None
    except jinja2.TemplateNotFound as exc:
        frame = _template_frame(exc)  # an {% include %} or {% extends %} of a missing file
        raise ContentError(
            [
                _template_diagnostic(
                    *(frame or (str(exc.name or name), 0)),
                    f"template '{exc.name}' not found" if frame else "template not found",
                    "add it to the project's templates/ folder or restore the default",
                )
            ]
        ) from None
    except HandoutkitError:
        raise
    except MissingTranslation as exc:
        frame = _template_frame(exc) or (name, 1)
        hint = "add it to the catalog (docs/writing.md, Localization: pybabel update)"
        raise ContentError([_template_diagnostic(frame[0], frame[1], str(exc), hint)]) from None
    except Exception as exc:  # e.g. {{ 1/0 }}, a macro calling itself, {{ none.x }}
        frame = _template_frame(exc)
        known = isinstance(exc, jinja2.TemplateError | AttributeError | TypeError)
        known = known or isinstance(exc, TemplateCallError)
        if frame is None or not (known or _raised_in_template(exc)):
            raise  # a bug in handoutkit's own code, not in the template
        message = str(exc) or type(exc).__name__
        raise ContentError([_template_diagnostic(frame[0], frame[1], message)]) from None


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in an exception's traceback."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".j2", ".html"))
    ]
    if not frames:
        return None
    return frames[-1].filename, frames[-1].lineno or 0


def _raised_in_template(exc: BaseException) -> bool:
    """Whether the innermost frame is template code or Jinja's runtime (not handoutkit's)."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1].filename if frames else ""
    return last.endswith((".j2", ".html")) or f"{os.sep}jinja2{os.sep}" in last


def _template_diagnostic(path: str, line: int | None, message: str, hint: str = "") -> Diagnostic:
    shown = display_path(Path(path)) if Path(path).is_absolute() else f"templates/{path}"
    return Diagnostic.error_at(
        Location(shown, max(line or 1, 1), 1), f"template error: {message}", hint, rule="template"
    )


def _date(day: dt.date, language: str) -> str:
    return format_date(day, format="long", locale=language)


def _summary_text(model: Any) -> str:
    for name in ("main_message", "bottom_line", "intro"):
        if getattr(model, name, None):
            return str(getattr(model, name))
    return ""
