"""Incremental builds: a content-addressed key per output.

The key is a SHA-256 over everything an output is made from: the document's YAML, the
config, only the shared data it uses (the references it cites, its crisis block and
disclaimer), the templates it reaches, the stylesheets and fonts of its edition, its images,
handoutkit's own code and WeasyPrint's version, and the output options. An output whose key
and file are unchanged is skipped without importing WeasyPrint; a change to one reference
rebuilds exactly the documents that cite it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import jinja2
from jinja2 import meta

from handoutkit.build.fingerprint import KeyBuilder, file_sha256, search_folder, tool_fingerprint
from handoutkit.content.markdown import cited_keys
from handoutkit.content.project import Project, SourceDocument
from handoutkit.models import Audience, Brief, Handout
from handoutkit.resources import (
    ASSET_FOLDER,
    CONFIG_NAME,
    css_urls,
    find_style,
    stylesheet_names,
    template_dirs,
)


class Inputs:
    """Keys of one project's outputs. Each input file is read and hashed once per build."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, str] = {}
        self._documents: dict[str, str] = {}
        self._templates: dict[str, list[Path]] = {}
        self._styles: dict[tuple[str, ...], list[Path]] = {}

    def output_key(
        self, document: SourceDocument, fmt: str, edition: str, paper: str | None
    ) -> str:
        from handoutkit.pdf.printer import PAPER_CSS

        key = KeyBuilder()
        key.add("tool", tool_fingerprint())
        key.add_json("options", [fmt, edition, paper])
        key.add("document", self.document_key(document))
        styles = stylesheet_names(fmt, edition)
        if fmt == "pdf":
            key.add("paper", PAPER_CSS[paper or ""])
            key.add("pdf standard", self.project.config.pdf_standard)
        if styles not in self._styles:
            self._styles[styles] = stylesheet_files(self.project.root, styles)
        for path in self._styles[styles]:
            key.add(f"style {path.name}", self.file(path))
        return key.hexdigest()

    def document_key(self, document: SourceDocument) -> str:
        """The document's own inputs, whatever the edition, paper and format."""
        if document.shown not in self._documents:
            key = KeyBuilder()
            self._document_inputs(document, key)
            self._documents[document.shown] = key.hexdigest()
        return self._documents[document.shown]

    def file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = file_sha256(path)
        return self._files[path]

    def _document_inputs(self, document: SourceDocument, key: KeyBuilder) -> None:
        project = self.project
        config = project.config
        model = document.model
        key.add(CONFIG_NAME, self.file(project.root / CONFIG_NAME))
        key.add("document", self.file(document.path))
        add_shared_data(key, project, model.audience, model.language, cited_keys(model))
        if isinstance(model, Brief):  # it prints its patient handouts' titles and codes
            for handout_id in model.patient_handouts:
                found = project.document_by_id(handout_id)
                shown = found and [found.model.title, found.model.code, found.model.language]
                key.add_json(f"handout {handout_id}", shown)
        images = [image.path for image in model.images] if isinstance(model, Handout) else []
        if config.organization.logo is not None:
            images.append(config.organization.logo.path)
        for relative in images:
            key.add(f"asset {relative}", self.file(project.root / relative))
        template = f"{model.type}.html.j2"
        if template not in self._templates:
            self._templates[template] = template_files(project.root, template)
        for path in self._templates[template]:
            key.add(f"template {path.name}", self.file(path))


def add_shared_data(
    key: KeyBuilder, project: Project, audience: Audience, language: str, cited: set[str]
) -> None:
    """The shared data an output prints (see `Project.printed_shared_data`)."""
    key.add_json("shared data", project.printed_shared_data(audience, language, cited))


def template_files(project_root: Path, name: str) -> list[Path]:
    """The template `name` and every template it extends, includes or imports, resolved the
    way Jinja resolves them (project first). A dynamic name means: all templates."""
    dirs = template_dirs(project_root)
    environment = jinja2.Environment()
    found: dict[str, Path] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        path = next((d / current for d in dirs if (d / current).is_file()), None)
        if path is None:
            continue  # rendering reports the missing template
        found[current] = path
        try:
            parsed = environment.parse(path.read_text(encoding="utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
            continue  # rendering reports it; the file's bytes are in the key anyway
        for referenced in meta.find_referenced_templates(parsed):
            if referenced is None:
                return sorted({*found.values(), *_all_templates(dirs)})
            pending.append(referenced)
    return sorted(found.values())


def _all_templates(dirs: Iterable[Path]) -> Iterator[Path]:
    for folder in dirs:
        yield from (p for p in folder.rglob("*") if p.is_file())


def stylesheet_files(project_root: Path, names: Iterable[str]) -> list[Path]:
    """Stylesheets by name (project first) and the files their url()s point at (fonts)."""
    files: list[Path] = []
    for name in names:
        path = find_style(project_root, name)
        if path is None:
            continue
        files.append(path)
        for _offset, url in css_urls(path.read_text(encoding="utf-8", errors="replace")):
            target = path.parent / url
            if target.is_file():
                files.append(target)
    return files


def project_inputs(project: Project) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every file a build of `project` may read, and the folder searches that found them.

    A superset of the inputs of all output keys: the config, the shared data files, every
    document (and every other YAML file in a topic folder, which `check` reports), every
    template, stylesheet, font and asset, project and defaults alike. The searches are
    (folder, pattern) pairs: a file added to one of them, e.g. a new document or a project
    template that now overrides a default, changes the search's result. `build.state` replays a
    no-op build only while all of these are unchanged.
    """
    from handoutkit.resources import default_root

    root, config = project.root, project.config
    searches = [(root / config.content, "*/*.y*ml"), (root / ASSET_FOLDER, "**/*")]
    for layer in (root, default_root()):
        searches += [(layer / "templates", "**/*"), (layer / "styles", "**/*")]
    files = [root / CONFIG_NAME]
    files += [root / name for name in (config.references, config.crisis_resources)]
    files.append(root / config.disclaimers)
    if config.organization.logo is not None:
        files.append(root / config.organization.logo.path)
    for folder, pattern in searches:
        files += (folder / name for name in search_folder(folder, pattern) or [])
    return list(dict.fromkeys(files)), searches
