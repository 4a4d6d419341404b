"""Stopping a build: SIGINT, SIGTERM and SIGHUP, and the time limit of an output built here.

While a build runs (in the main thread), the three stop signals no longer kill the process
half-way through a file. Instead:

- a first Ctrl+C (SIGINT) stops dispatching: the outputs in progress finish, the rest are
  "stopped", the manifest lists what was completed, and the command exits 130;
- a second Ctrl+C, or SIGTERM (`kill`, `timeout`, CI, a service manager) or SIGHUP (the
  terminal closed), also abandons the outputs in progress: their workers are killed and their
  temporary files removed; exit 143 or 129 (128 + the first signal).

A build in a worker pool polls `Stop` (see `build.pool`); a build in this process (`-j 1`)
lets the handler raise `Abandon` in the middle of the output, whose temporary file
`fileio.write_atomic` removes on its way out. Outside the main thread (the preview's builder)
signal handlers cannot be installed, and the build runs as before.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Abandon(BaseException):
    """Raised by the signal handler to abandon the output being built in this process.

    A BaseException, so that code catching Exception (templates, WeasyPrint) lets it through.
    """


class OutputTimedOut(BaseException):
    """Raised by the alarm when an output built in this process passes `limits.seconds`."""


class Stop:
    """Which stop signal the build received, and whether in-flight outputs are abandoned."""

    def __init__(self) -> None:
        self.signum: int | None = None  # the first stop signal received
        self.abandon = False  # in-flight outputs are abandoned, not finished
        self.raising = False  # the handler raises Abandon (builds in this process)

    def request(self, signum: int) -> None:
        second = self.signum is not None
        if not second:
            self.signum = signum
        if second or signum != signal.SIGINT:
            self.abandon = True
        if self.abandon and self.raising:
            self.raising = False  # once: the clean-up after it must not be interrupted
            raise Abandon(signum)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.request(signum)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum is not None else ""

    @contextlib.contextmanager
    def raising_here(self) -> Iterator[None]:
        """While the body runs, an abandoning signal raises `Abandon` in it at once."""
        if self.abandon:
            raise Abandon(self.signum)
        self.raising = True
        try:
            yield
        finally:
            self.raising = False


@contextlib.contextmanager
def stop_signals() -> Iterator[Stop]:
    """Handle the stop signals for the duration of a build (only in the main thread)."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {signum: signal.signal(signum, stop._handle) for signum in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def alarm(seconds: float | None) -> Iterator[None]:
    """Raise `OutputTimedOut` in the body after `seconds` (main thread only; else no limit).

    It interrupts Python code (a template loop that never ends); a call into a native library
    is interrupted when it returns. Worker processes are timed by the pool instead, which can
    kill them whatever they are doing.
    """
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    active = True

    def expired(_signum: int, _frame: FrameType | None) -> None:
        if active:
            raise OutputTimedOut()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
