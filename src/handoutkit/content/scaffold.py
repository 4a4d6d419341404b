"""`handoutkit new DIR`: a project that builds clean out of the box.

The files come from `scaffold/` in the package (package data, not Python strings): the
configuration with marked placeholders, a reference library of real entries (a web page among
them), the US crisis resources and the disclaimers of the shipped pack, an example handout (on
writing handouts: bullets, bold, a link, a picture, a compact crisis box) and an example brief.
They check without errors; `check --strict` fails until the placeholders are replaced. Each
YAML file gets a first line pointing editors at its JSON Schema, copied
into the project's `.handoutkit/schemas/` (see `schema`). Templates and styles are not copied:
the defaults come from the package, and a project overrides them file by file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from handoutkit.content.schema import KINDS, PROJECT_SCHEMA_DIR, file_name, kind_of, modeline
from handoutkit.errors import UsageError
from handoutkit.resources import PACKAGE_DIR, default_root

SCAFFOLD = PACKAGE_DIR / "scaffold"
RENAMED = {"gitignore": ".gitignore"}  # dot files are awkward as package data
EMPTY_FOLDERS = ("assets",)
TODAY = "__TODAY__"  # in the example brief: the evidence is current to the day it is made


def scaffold_files() -> list[Path]:
    """The scaffold's files, relative to `SCAFFOLD`, in a stable order."""
    return sorted(
        path.relative_to(SCAFFOLD)
        for path in SCAFFOLD.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def shipped_schemas() -> Path:
    folder = default_root() / "schemas"
    if not all((folder / file_name(kind)).is_file() for kind in KINDS):
        raise UsageError(
            f"handoutkit's JSON Schemas are missing from {folder} — reinstall handoutkit"
        )
    return folder


def create_project(target: Path, today: dt.date) -> list[Path]:
    """Write a new project into `target` (missing or empty); return the files written."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file — give the name of a new or empty folder")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(
            f"{target} is not empty — give the name of a new or empty folder, so that nothing "
            "of yours is overwritten"
        )
    schemas = shipped_schemas()
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    schema_dir = target / PROJECT_SCHEMA_DIR
    schema_dir.mkdir(parents=True)
    for kind in KINDS:
        shutil.copyfile(schemas / file_name(kind), schema_dir / file_name(kind))
        written.append(schema_dir / file_name(kind))
    for relative in scaffold_files():
        destination = target / relative.with_name(RENAMED.get(relative.name, relative.name))
        text = (SCAFFOLD / relative).read_text(encoding="utf-8").replace(TODAY, today.isoformat())
        schema_kind = kind_of(relative)
        if schema_kind is not None:
            text = modeline(destination, schema_dir / file_name(schema_kind)) + "\n" + text
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    for folder in EMPTY_FOLDERS:
        (target / folder).mkdir(exist_ok=True)
    return written


def next_steps(shown: str, command: str = "handoutkit") -> str:
    """What to do after `new`, as printed; `command` runs handoutkit as installed."""
    return f"""\
Created a handoutkit project in {shown}:
  handoutkit.yaml                  your organization (placeholders to REPLACE), languages,
                                   editions, paper sizes
  content/references.yaml          your sources (CSL-YAML): real ones the examples cite, a web
                                   page among them
  content/crisis-resources.yaml    US crisis resources (988, 741741, 911): check before printing
  content/disclaimers.yaml         the disclaimers printed at the end of every document
  content/example/                 an example handout and brief: replace them with your own
  assets/                          images (the example's picture) and your logo
  {PROJECT_SCHEMA_DIR.as_posix()}/             JSON Schemas: editors complete and underline

Next steps:
  cd {shown}
  {command} build    (check, then make the PDFs in dist/)
  1. Replace the placeholders in handoutkit.yaml: organization name, phone, website, address.
  2. Rename content/example/ to your topic and write your own handout, brief and worksheet.
  3. Run `{command} check` as you write: it shows every problem as file:line:column.
     Cite each fact's source; for a web page, open it and add the day you read it.
  4. Have a clinician review each document and approve it with `{command} approve`; until
     then it prints DRAFT, and `{command} build --release` (for patients) refuses it.
{_path_tip(command)}"""


def _path_tip(command: str) -> str:
    if command == "handoutkit":
        return ""
    return (
        "\nTo type just `handoutkit`, run `scripts/setup --link` in the handoutkit folder: it\n"
        "links the command into ~/.local/bin, which Debian and Ubuntu put on your PATH.\n"
    )
