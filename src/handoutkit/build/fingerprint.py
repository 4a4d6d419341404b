"""Hashing shared by the cache keys (`build.keys`) and the replay of no-op builds (`build.state`).

Light on purpose: a replayed build imports this and nothing heavier.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from handoutkit import __version__
from handoutkit.resources import PACKAGE_DIR

MISSING = "<missing>"


def file_sha256(path: Path) -> str:
    """The file's SHA-256, or MISSING when it cannot be read (so that creating it counts)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return MISSING


def file_matches(path: Path, size: int, sha256: str) -> bool:
    """Whether the file has exactly this size and SHA-256 (size first: a stat is cheap)."""
    try:
        return path.stat().st_size == size and file_sha256(path) == sha256
    except OSError:
        return False


def search_folder(folder: Path, pattern: str) -> list[str] | None:
    """Files in `folder` matching `pattern`, as sorted relative names; None if no folder."""
    if not folder.is_dir():
        return None
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob(pattern) if p.is_file())


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
