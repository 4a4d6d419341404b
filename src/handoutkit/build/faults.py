"""Fault injection, for the fault-injection tests: a worker that dies, a disk that fails.

Some faults cannot be made on demand in a test: the out-of-memory killer picking a worker in
the middle of one particular document, a full disk, a read-only mount. The build honours
`HANDOUTKIT_FAULTS`, a comma-separated list of `ACTION=OUTPUT` (OUTPUT an output's name, as
in the manifest: `demo/handout.en.standard.letter.pdf`):

- `kill`: the worker process kills itself with SIGKILL in the middle of this output, when it
  has printed it and written half of it (its temporary file exists, not yet renamed), the
  first time only (so the retry in a fresh worker succeeds); `kill-always`: every time. Only
  in worker processes (`-j 2` or more): in a `-j 1` build it would kill the build itself.
- `enospc`: writing the output fails as on a full disk (`fsync` reports ENOSPC);
- `erofs`: creating its temporary file fails as on a read-only file system (EROFS).

The build process reads the variable when it starts its workers and hands the faults to them:
the worker forkserver is started once per process and keeps the environment it started with,
so a variable set later (as the tests do) would not reach it. Without the variable nothing
here runs. A disk fault replaces `os.fsync` or `tempfile.mkstemp` for the one write of that
output, in the process that writes it, so the real error path of `fileio.write_atomic`
(temporary file removed, a located error) is what the test sees; a kill replaces `os.fsync`
the same way, so the build must remove the temporary file its dead worker left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
from collections.abc import Iterator
from typing import Any

ENV = "HANDOUTKIT_FAULTS"
ACTIONS = ("kill", "kill-always", "enospc", "erofs")

Faults = dict[str, str]  # output name → action


def from_environment() -> Faults:
    """The faults `HANDOUTKIT_FAULTS` asks for; unknown actions are ignored."""
    faults: Faults = {}
    for item in os.environ.get(ENV, "").split(","):
        action, _, name = item.strip().partition("=")
        if action in ACTIONS and name:
            faults[name] = action
    return faults


@contextlib.contextmanager
def on_write(faults: Faults, name: str, attempt: int, in_worker: bool) -> Iterator[None]:
    """While an output is written: die, or fail as a full or read-only disk would."""
    action = faults.get(name)
    if in_worker and (action == "kill-always" or (action == "kill" and attempt == 1)):
        with _replaced(os, "fsync", _dying):
            yield
    elif action == "enospc":
        with _replaced(os, "fsync", _failing(errno.ENOSPC)):
            yield
    elif action == "erofs":
        with _replaced(tempfile, "mkstemp", _failing(errno.EROFS)):
            yield
    else:
        yield


def _dying(*_args: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _failing(code: int) -> Any:
    def fail(*_args: object, **_kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


@contextlib.contextmanager
def _replaced(module: Any, attribute: str, value: Any) -> Iterator[None]:
    original = getattr(module, attribute)
    setattr(module, attribute, value)
    try:
        yield
    finally:
        setattr(module, attribute, original)
