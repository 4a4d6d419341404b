"""Writing the site folder: pages and data only when they change, the outputs it carries as
hard links to the built files (a copy where the file system cannot link), and nothing else:
a file the site no longer has (a document removed, or now left out as a draft) is deleted, so
the folder can be published as it is."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from handoutkit.diagnostics import Location, display_path
from handoutkit.errors import ContentError
from handoutkit.fileio import write_atomic


class SiteFolder:
    """The site's folder (inside the output folder); remembers what this build put in it."""

    def __init__(self, out_dir: Path, folder: str) -> None:
        self.out_dir = out_dir.resolve()
        self.path = self.out_dir / folder
        self.kept: set[str] = set()
        self.written = 0  # files written or linked this time (unchanged ones are not)

    def write(self, name: str, data: bytes) -> None:
        """Write `name` (relative to the site) unless it already holds exactly `data`."""
        self.kept.add(name)
        target = self.path / name
        try:
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                return
        except OSError:
            pass
        write_atomic(self.path, Path(name), data)
        self.written += 1

    def link(self, name: str) -> None:
        """Put the output `name` of the output folder at the same name in the site."""
        self.kept.add(name)
        source = self.out_dir / name
        target = self.path / name
        folder = target.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not folder.resolve().is_relative_to(self.path.resolve()):
                raise _error(target, "refusing to write outside the site folder")
            if target.is_file() and not target.is_symlink() and os.path.samefile(source, target):
                return
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
            os.close(handle)
            os.unlink(temporary)
            try:
                os.link(source, temporary)
            except OSError:  # another file system, or one without hard links: copy it
                shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        except OSError as exc:
            raise _error(target, f"cannot write it: {exc.strerror or exc}") from None
        self.written += 1

    def remove_others(self) -> int:
        """Delete what this build did not put in the site (and folders left empty)."""
        removed = 0
        for folder, folders, files in os.walk(self.path, topdown=False):
            here = Path(folder)
            for name in files:
                relative = (here / name).relative_to(self.path).as_posix()
                if relative not in self.kept:
                    (here / name).unlink(missing_ok=True)
                    removed += 1
            for name in folders:
                with contextlib.suppress(OSError):
                    (here / name).rmdir()  # only when empty
        return removed


def _error(path: Path, message: str) -> ContentError:
    return ContentError.at(
        Location(display_path(path)),
        message,
        "check that the output folder is writable and holds no symbolic link that leads out",
        rule="output",
    )
