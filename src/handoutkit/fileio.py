"""Writing outputs safely: atomic replacement, and a lock shared by concurrent builds."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from handoutkit.diagnostics import Location, display_path
from handoutkit.errors import ContentError

LOCK = ".handoutkit.lock"


def write_atomic(out_dir: Path, relative: Path, data: bytes) -> Path:
    """Write `data` to out_dir/relative via a temporary file and an atomic rename.

    Never writes outside out_dir: a symbolic link among the folders below it that leads out
    is refused, and a link at the file's own name is replaced, not followed. Problems
    (including OS errors such as a full disk) are located `ContentError`s.
    """
    out_root = out_dir.resolve()
    folder = (out_root / relative).parent.resolve()
    target = folder / relative.name
    if not folder.is_relative_to(out_root) or relative.name in ("", ".", ".."):
        raise _write_error(
            out_root / relative,
            f"refusing to write outside the output folder: {relative.as_posix()}",
            "remove the symbolic link in the output folder that leads elsewhere",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(target, _os_problem(target, exc)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(target, _os_problem(target, exc)) from None
        raise
    return target


def _os_problem(target: Path, exc: OSError) -> str:
    return f"cannot write '{display_path(target)}': {exc.strerror or exc}"


def _write_error(path: Path, message: str, hint: str = "") -> ContentError:
    hint = hint or "check that the output folder is writable and the disk is not full"
    return ContentError.at(Location(display_path(path)), message, hint, rule="output")


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    with open(out_dir / LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
