"""Where a project's files come from: templates, stylesheets, fonts and images.

A project's own `templates/` and `styles/` come first, so it can override the defaults file by
file (a file a stylesheet refers to, such as a font, too); the defaults shipped with handoutkit
come last. This is the one place that knows where
the defaults live, which stylesheets each edition prints with, how a stylesheet refers to
files (CSS `url()`), and which folder images come from (`assets/`, by real path, so a symbolic
link cannot lead out of it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from handoutkit.errors import UsageError

CONFIG_NAME = "handoutkit.yaml"  # a project is a folder that holds this file
ASSET_FOLDER = "assets"  # images and the logo, relative to the project root

# Stylesheets by output: the PDF's (a base, plus a layer per edition) and the HTML edition's.
PRINT_STYLES = ("colours.css", "fonts.css", "print.css")
EDITION_STYLES = {"standard": (), "large-print": ("large-print.css",)}
SCREEN_STYLES = ("colours.css", "fonts.css", "screen.css")
COLOUR_STYLESHEET = "colours.css"  # every colour, as custom properties (see lint.contrast)

# url(...) in CSS, in any letter case (CSS function names are case-insensitive: `URL(x)` loads
# x as surely as `url(x)` does); quoted or not.
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", re.IGNORECASE)
PACKAGE_DIR = Path(__file__).resolve().parent
# The defaults are the repository's top-level templates/ and styles/ (the repo is itself a
# handoutkit project); an installed wheel carries copies inside the package.
_CANDIDATE_ROOTS = (PACKAGE_DIR / "defaults", PACKAGE_DIR.parents[1])


def default_root() -> Path:
    for root in _CANDIDATE_ROOTS:
        if (root / "templates" / "handout.html.j2").is_file():
            return root
    raise FileNotFoundError("handoutkit's default templates are missing from the installation")


def stylesheet_names(fmt: str, edition: str) -> tuple[str, ...]:
    """The stylesheets an output is printed (pdf) or shown (html) with, in cascade order."""
    if fmt == "html":
        return SCREEN_STYLES
    return (*PRINT_STYLES, *EDITION_STYLES[edition])


def css_urls(css: str) -> Iterator[tuple[int, str]]:
    """(offset, target) of every url() in a stylesheet's text."""
    for match in CSS_URL.finditer(css):
        yield match.start(), match.group(2)


def asset_folder(project_root: Path) -> Path:
    return (project_root / ASSET_FOLDER).resolve()


def asset_problem(project_root: Path, relative: str) -> str | None:
    """Why an image path is unusable, or None. By real path: a symlink cannot point out."""
    target = (project_root / relative).resolve()
    if not target.is_relative_to(asset_folder(project_root)):
        return f"'{relative}' is outside the project's {ASSET_FOLDER}/ folder"
    if not target.is_file():
        return f"'{relative}' does not exist"
    return None


def template_dirs(project_root: Path) -> list[Path]:
    return _layered(project_root, "templates")


def style_dirs(project_root: Path) -> list[Path]:
    return _layered(project_root, "styles")


def _layered(project_root: Path, name: str) -> list[Path]:
    dirs = [(project_root / name).resolve(), (default_root() / name).resolve()]
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and folder not in unique:
            unique.append(folder)
    return unique


def layered_style_file(project_root: Path, path: Path) -> Path | None:
    """A file a stylesheet refers to that is missing from its styles folder, from the next
    styles folder that has it: a project that overrides `fonts.css` to add a font still finds
    the default fonts the copied rules name (`url(fonts/...)`), file by file like the rest."""
    dirs = style_dirs(project_root)
    for folder in dirs:
        if path.is_relative_to(folder):
            relative = path.relative_to(folder)
            for other in dirs:
                candidate = (other / relative).resolve()
                if candidate.is_relative_to(other) and candidate.is_file():
                    return candidate
    return None


def find_style(project_root: Path, name: str) -> Path | None:
    """A stylesheet by name, from the project first, then the defaults."""
    for folder in style_dirs(project_root):
        if (folder / name).is_file():
            return folder / name
    return None


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds handoutkit.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise UsageError(
        f"no {CONFIG_NAME} found in {here} or any parent folder — run handoutkit inside a "
        "project, pass --project DIR, or create one with `handoutkit new DIR`"
    )
