"""How things are named: ids, topic folders, document files and output files.

One home for each naming pattern, so the loader, the build, the preview and the site agree on
what `content/<topic>/<kind>.<lang>.yaml` is and where its outputs go
(`<topic>/<kind>.<lang>.<edition>[.<paper>].<format>`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"  # document ids
NAME = r"[a-z0-9][a-z0-9-]*"  # topic folders, editions, paper sizes
KIND = r"[a-z][a-z0-9-]*"  # document kinds in file names
LANGUAGE = r"[a-z]{2,3}"  # ISO 639 codes
TOPIC = re.compile(rf"^{NAME}$")
DOCUMENT_FILE = re.compile(rf"^(?P<kind>{KIND})\.(?P<lang>{LANGUAGE})\.ya?ml$")
STEM = rf"{KIND}\.{LANGUAGE}"  # handout.en: a document file's name without .yaml

FILLABLE = "fillable"  # the format of a worksheet's PDF form (`build --format fillable`)
RACK_FOLDER = "rack"
SITE_FOLDER = "site"  # the library site of `build --format site`


def document_stem(file_name: str) -> str:
    """'handout.en.yaml' -> 'handout.en'."""
    return file_name.rsplit(".", 1)[0]


def output_path(topic: str, stem: str, edition: str, paper: str | None, fmt: str) -> str:
    """ketamine-bpd/handout.en.standard.letter.pdf; the HTML edition has no paper size; a
    worksheet's PDF form: ketamine-bpd/worksheet.en.standard.letter.fillable.pdf."""
    paper_part = f".{paper}" if paper else ""
    suffix = f"{fmt}.pdf" if fmt == FILLABLE else fmt
    return str(PurePosixPath(topic, f"{stem}.{edition}{paper_part}.{suffix}"))


def rack_path(language: str, paper: str) -> str:
    """rack/rack.en.letter.pdf."""
    return str(PurePosixPath(RACK_FOLDER, f"rack.{language}.{paper}.pdf"))


MANIFEST = "manifest.json"  # in the output folder: every output with its checksum and key

# Where a printed element's text comes from, as templates mark it (`data-field` in the print
# HTML) and the build reads it back to locate a print-stage finding: the model path of the
# field, dot-separated ("sections.2.body"), prefixed with the file it is in when that is not
# the document itself ("crisis:us.en.resources.0", "references:smith2020" (a citation key),
# "config:organization.name"). The print stage passes it through without reading it.
FIELD_SOURCES = ("document", "crisis", "disclaimers", "references", "config")


def field_path(*parts: str | int) -> str:
    """'sections', 2, 'body' -> 'sections.2.body'; a first part may carry a source prefix."""
    return ".".join(str(part) for part in parts)


def parse_field_path(text: str) -> tuple[str, tuple[str | int, ...]]:
    """'crisis:us.en.resources.0' -> ('crisis', ('us', 'en', 'resources', 0))."""
    source, colon, path = text.partition(":")
    if not colon or source not in FIELD_SOURCES:
        source, path = "document", text
    if source == "references":  # a citation key, which may hold dots itself
        return source, (path,)
    parts = tuple(int(p) if p.isdigit() else p for p in path.split(".") if p)
    return source, parts
