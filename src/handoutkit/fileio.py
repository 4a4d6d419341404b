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


def write_atomic(out_dir: Path, relative: Path, data: bytes, *, make_out_dir: bool = True) -> Path:
    """Write `data` to out_dir/relative via a temporary file and an atomic rename.

    Never writes outside out_dir: a symbolic link among the folders below it that leads out
    is refused, and a link at the file's own name is replaced, not followed. Problems
    (including OS errors such as a full disk) are located `ContentError`s.

    With `make_out_dir=False` (a build's outputs and manifest) out_dir itself must exist: one
    that vanished during the build (deleted, or a disk unmounted) is an error, not made again
    (it would fill the mount point). The temporary
    file's name carries this process's id, so a build can remove what a killed worker left.
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
    if make_out_dir:
        try:
            out_root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _write_error(target, _os_problem(target, exc)) from None
    if not out_root.is_dir():
        raise _write_error(
            target,
            f"cannot write '{display_path(target)}': the output folder "
            f"'{display_path(out_root)}' is gone",
            "was it deleted or its disk unmounted during the build? Build again",
        )
    if target.is_dir() and not target.is_symlink():
        raise _write_error(
            target,
            f"cannot write '{display_path(target)}': a folder has the output's name",
            "remove or rename that folder",
        )
    try:
        for parent in reversed([folder, *folder.parents]):  # below out_root, one at a time
            if parent.is_relative_to(out_root) and parent != out_root:
                parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=folder
        )
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
    """Hold the output folder's lock (for the manifest): concurrent builds take turns."""
    if not out_dir.is_dir():
        raise _write_error(
            out_dir,
            f"cannot update the manifest: the output folder '{display_path(out_dir)}' is gone",
            "was it deleted or its disk unmounted during the build? Build again",
        )
    try:
        handle = open(out_dir / LOCK, "a+b")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise _write_error(out_dir / LOCK, _os_problem(out_dir / LOCK, exc)) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
