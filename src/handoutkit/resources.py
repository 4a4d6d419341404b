"""Where templates, styles and label catalogs come from.

A project's own `templates/` and `styles/` come first, so it can override the defaults file by
file; the defaults shipped with handoutkit come last. This is the one place that knows where
the defaults live.
"""

from __future__ import annotations

from pathlib import Path

from handoutkit.errors import UsageError

CONFIG_NAME = "handoutkit.yaml"  # a project is a folder that holds this file
PACKAGE_DIR = Path(__file__).resolve().parent
# The defaults are the repository's top-level templates/ and styles/ (the repo is itself a
# handoutkit project); an installed wheel carries copies inside the package.
_CANDIDATE_ROOTS = (PACKAGE_DIR / "defaults", PACKAGE_DIR.parents[1])


def default_root() -> Path:
    for root in _CANDIDATE_ROOTS:
        if (root / "templates" / "handout.html.j2").is_file():
            return root
    raise FileNotFoundError("handoutkit's default templates are missing from the installation")


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
