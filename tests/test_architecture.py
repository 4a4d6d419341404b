"""The package's shape: one subpackage per stage, imports pointing down the pipeline only,
no import cycles, no module over 500 lines, every diagnostic rule registered and documented.

Imports are read from the source (every `import`, at module level or inside a function, and
under TYPE_CHECKING too), so a lazy import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from handoutkit.rules import RULES

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "handoutkit"
README = PACKAGE.parents[1] / "README.md"

LEAVES = "leaf"  # top-level modules every stage may use: diagnostics, errors, models, ...
# What each stage may import besides itself and the leaves.
ALLOWED: dict[str, set[str]] = {
    LEAVES: set(),
    "content": set(),
    "lint": {"content"},
    "render": {"content"},
    "pdf": set(),
    "audit": {"pdf"},
    "build": {"content", "lint", "render", "pdf", "audit"},
    "preview": {"content", "lint", "render", "build"},
    "cli": {"content", "lint", "render", "pdf", "audit", "build", "preview"},
}
ENTRY_POINTS = {"handoutkit.__main__"}  # `python -m handoutkit` runs the CLI
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()):
        return parts[1]
    return LEAVES


def imports(path: Path) -> set[str]:
    """Every handoutkit module `path` imports, wherever the import statement is."""
    found: set[str] = set()
    own = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("handoutkit"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from its own package
                package = own.split(".")[: -node.level or None]
                base = ".".join([*package, base] if base else package)
            if not base.startswith("handoutkit"):
                continue
            for alias in node.names:  # `from handoutkit.build import state` is a module
                candidate = f"{base}.{alias.name}"
                found.add(candidate if MODULES.get(candidate) else base)
    found.discard(own)
    return {name for name in found if name != "handoutkit"}


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports(path) for name, path in MODULES.items()}


def test_every_import_points_down_the_pipeline() -> None:
    upward = []
    for module, targets in sorted(GRAPH.items()):
        if module in ENTRY_POINTS:
            continue
        for target in sorted(targets):
            source_stage, target_stage = stage(module), stage(target)
            if source_stage == target_stage or target_stage == LEAVES:
                if source_stage == LEAVES and target_stage != LEAVES:
                    upward.append(f"{module} -> {target}")
                continue
            if target_stage not in ALLOWED[source_stage]:
                upward.append(f"{module} ({source_stage}) -> {target} ({target_stage})")
    assert not upward, "imports against the pipeline:\n" + "\n".join(upward)


def test_nothing_imports_the_command_line() -> None:
    importers = [m for m, targets in GRAPH.items() if stage(m) != "cli" for t in targets]
    offenders = [
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        for t in targets
        if stage(t) == "cli" and stage(m) != "cli" and m not in ENTRY_POINTS
    ]
    assert importers and not offenders, offenders


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over the whole module graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in GRAPH:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_the_graph_sees_imports() -> None:
    """The checks above would pass on an empty graph: make sure it is read."""
    assert "handoutkit.build.run" in GRAPH["handoutkit.build.request"] | set().union(
        *(GRAPH[m] for m in GRAPH if m.startswith("handoutkit.build.request"))
    )
    assert "handoutkit.content.project" in GRAPH["handoutkit.lint.checks"]
    assert stage("handoutkit.build.run") == "build" and stage("handoutkit.rules") == LEAVES


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p))
def test_modules_stay_under_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines: split it along a seam"


# --------------------------------------------------------------------------- rule ids


def _rule_ids_in_source() -> dict[str, list[str]]:
    """Rule ids written in the source: rule="x", check="x", or as a Diagnostic's argument."""
    used: dict[str, list[str]] = defaultdict(list)
    pattern = re.compile(r"""\b(?:rule|check)=["']([a-z0-9-]+)["']""")
    for path in PACKAGE.rglob("*.py"):
        if path.name == "rules.py":
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            used[match.group(1)].append(module_name(path))
    return used


def test_every_rule_id_in_the_source_is_registered() -> None:
    unknown = {rule: where for rule, where in _rule_ids_in_source().items() if rule not in RULES}
    assert not unknown, f"rule ids used but not in handoutkit/rules.py: {unknown}"


def test_every_registered_rule_is_used_and_documented() -> None:
    used = _rule_ids_in_source()
    readme = README.read_text(encoding="utf-8")
    unused = [rule for rule in RULES if rule not in used]
    undocumented = [rule for rule in RULES if f"| `{rule}` |" not in readme]
    assert not unused, f"registered rules that nothing reports: {unused}"
    assert not undocumented, f"rules missing from the README's rules table: {undocumented}"
