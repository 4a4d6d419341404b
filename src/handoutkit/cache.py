"""Incremental builds: a content-addressed key per output.

The key is a SHA-256 over everything an output is made from: the document's YAML, the
config, only the shared data it uses (the references it cites, its crisis block and
disclaimer), the templates it reaches, the stylesheets and fonts of its edition, its images,
handoutkit's own code and WeasyPrint's version, and the output options. An output whose key
and file are unchanged is skipped without importing WeasyPrint; a change to one reference
rebuilds exactly the documents that cite it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from pydantic import BaseModel

from handoutkit import __version__
from handoutkit.loader import CONFIG_NAME, Project, SourceDocument
from handoutkit.markdown import find_citations
from handoutkit.models import Handout, walk_text
from handoutkit.resources import PACKAGE_DIR, find_style, template_dirs

_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


class KeyBuilder:
    """Hashes labelled parts, so that moving bytes between parts changes the key."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, label: str, data: bytes | str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        self._hash.update(f"{label}\0{len(raw)}\0".encode())
        self._hash.update(raw)

    def add_json(self, label: str, value: Any) -> None:
        self.add(label, json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@functools.cache
def tool_fingerprint() -> str:
    """handoutkit's version and code (so a development change rebuilds) and WeasyPrint's."""
    key = KeyBuilder()
    key.add("handoutkit", __version__)
    for package in ("weasyprint", "pydyf", "jinja2", "markdown-it-py", "pikepdf"):
        try:
            key.add(package, metadata.version(package))
        except metadata.PackageNotFoundError:
            key.add(package, "<none>")
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".yaml", ".po") and "__pycache__" not in path.parts:
            key.add(path.relative_to(PACKAGE_DIR).as_posix(), path.read_bytes())
    return key.hexdigest()


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
        from handoutkit.printer import BASE_STYLES, EDITION_STYLES, PAPER_CSS
        from handoutkit.webpage import SCREEN_STYLES

        key = KeyBuilder()
        key.add("tool", tool_fingerprint())
        key.add_json("options", [fmt, edition, paper])
        key.add("document", self.document_key(document))
        if fmt == "pdf":
            styles = (*BASE_STYLES, *EDITION_STYLES[edition])
            key.add("paper", PAPER_CSS[paper or ""])
        else:
            styles = SCREEN_STYLES
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
            try:
                self._files[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._files[path] = "<missing>"
        return self._files[path]

    def _document_inputs(self, document: SourceDocument, key: KeyBuilder) -> None:
        project = self.project
        config = project.config
        model = document.model
        key.add(CONFIG_NAME, self.file(project.root / CONFIG_NAME))
        key.add("document", self.file(document.path))
        crisis = project.shared.crisis.get(config.region, {}).get(model.language)
        disclaimer = project.shared.disclaimers.get(model.audience, {}).get(model.language)
        key.add_json("crisis", crisis.model_dump(mode="json") if crisis else None)
        key.add_json("disclaimer", disclaimer)
        cited = cited_keys(document.model)
        if crisis is not None:
            cited |= cited_keys(crisis)
        cited |= {k for use in find_citations(disclaimer or "") for k in use.keys}
        for name in sorted(cited):
            item = project.shared.references.get(name)
            key.add_json(f"reference {name}", item.model_dump(mode="json") if item else None)
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


def cited_keys(model: BaseModel) -> set[str]:
    """Reference keys cited anywhere in a model's text."""
    keys: set[str] = set()
    for _loc, text, kind in walk_text(model):
        if kind == "citation":
            keys.add(text)
        elif kind == "markdown":
            keys.update(key for use in find_citations(text) for key in use.keys)
    return keys


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
        for match in _CSS_URL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            target = path.parent / match.group(2)
            if target.is_file():
                files.append(target)
    return files
