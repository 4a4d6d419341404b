"""The worker pool of a parallel build, made so that no one output can take the batch down.

Each worker is a process forked from the forkserver (which has imported WeasyPrint once) with
its own pipe to the build. The build sends it at most two outputs: it prints them in order and
answers each before it reads the next, so the one in progress is always the oldest without an
answer, and the second only spares the worker a wait for the build between two outputs. So
when a worker dies (a signal, the out-of-memory killer, a crash in a native library) the build
knows which output it was printing: that output is tried once more in a fresh worker,
and fails with an error naming the document, edition and paper and how the worker died if
that one dies too; every other output still builds. (With `ProcessPoolExecutor`, one dead
worker broke the whole pool and nothing said which output had killed it.)

While it waits, the build enforces the limits of `limits:` in handoutkit.yaml: an output that
takes longer than `seconds` (a rack pack: per handout), or whose worker's resident memory
passes `memory_mb`, fails, and its worker is killed and replaced; a dead or killed worker's
temporary file is removed (its name carries the worker's process id). Workers are replaced
after `recycle_after` outputs, which bounds WeasyPrint's caches. A stop signal (see
`build.stop`) stops dispatching, and an abandoning one kills the workers at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from handoutkit.build.outputs import OutputSpec
from handoutkit.build.report import OutputResult
from handoutkit.build.stop import Stop
from handoutkit.build.worker import (
    describe,
    located,
    out_of_memory,
    remove_temporary,
    serve,
    time_limit,
    weight,
)
from handoutkit.diagnostics import Diagnostic, Severity
from handoutkit.limits import OutputLimits

POLL = 0.2  # seconds between checks of the stop signals, deadlines and memory
DEPTH = 2  # outputs sent to a worker at once: the one in progress and the next
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Task:
    index: int
    key: str
    spec: OutputSpec
    attempt: int = 1
    died: str = ""  # how the worker of the first attempt died


@dataclass
class _Slot:
    """One worker process and the outputs sent to it: the first is in progress, the next one
    waits in its pipe, so that the worker never waits for the build between two outputs."""

    process: Any  # multiprocessing.Process
    conn: Connection
    tasks: deque[Task] = field(default_factory=deque)
    deadline: float | None = None  # of the output in progress
    served: int = 0

    @property
    def task(self) -> Task | None:
        """The output in progress (a worker reads its next one only when it has answered)."""
        return self.tasks[0] if self.tasks else None


class WorkerBug(RuntimeError):
    """A worker raised an exception that is not a content problem: a bug in handoutkit."""


class WorkerPool:
    """Runs tasks in up to `jobs` worker processes; yields (index, result) as they finish."""

    def __init__(
        self,
        context: Any,
        jobs: int,
        init: tuple[Any, ...],
        out_dir: Path,
        limits: OutputLimits,
        stop: Stop,
        recycle_after: int,
    ) -> None:
        self.context = context
        self.jobs = jobs
        self.init = init
        self.out_dir = out_dir
        self.limits = limits
        self.stop = stop
        self.recycle_after = recycle_after
        self.slots: list[_Slot] = []
        self.pending: deque[Task] = deque()
        self.retired: list[Any] = []
        self._memory_checked = 0.0
        # the workers' parent-death watch: the build holds the only writing end
        self._life_r, self._life_w = context.Pipe(duplex=False)

    def run(self, tasks: list[Task]) -> Iterator[tuple[int, OutputResult]]:
        self.pending.extend(tasks)
        try:
            while self.pending or self._busy():
                if self.stop.signum is not None:
                    yield from self._stopping()
                    if not self._busy():
                        break
                else:
                    self._dispatch()
                yield from self._collect()
                yield from self._enforce_limits()
        finally:
            self._shut_down()

    def _busy(self) -> bool:
        return any(slot.tasks for slot in self.slots)

    # ----------------------------------------------------------------- dispatching

    def _dispatch(self) -> None:
        for slot in list(self.slots):  # workers at their `recycle_after`, once idle
            if not slot.tasks and slot.served >= self.recycle_after:
                self._retire(slot)
        while self.pending and (free := self._next_slot()) is not None:
            self._send(free, self.pending.popleft())

    def _next_slot(self) -> _Slot | None:
        """An idle worker, else a new one, else one with a single output in progress."""
        for depth in range(DEPTH):
            for slot in self.slots:
                if len(slot.tasks) == depth and slot.served + depth < self.recycle_after:
                    return slot
            if depth == 0 and len(self.slots) < self.jobs:
                return self._spawn()
        return None

    def _spawn(self) -> _Slot:
        forkserver.ensure_running()  # started by the build; restarted if something killed it
        conn, child = self.context.Pipe()
        process = self.context.Process(
            target=serve, args=(child, self._life_r, self.init), name="handoutkit-worker"
        )
        process.daemon = True
        process.start()
        child.close()
        slot = _Slot(process, conn)
        self.slots.append(slot)
        return slot

    def _send(self, slot: _Slot, task: Task) -> None:
        if not slot.tasks:
            slot.deadline = self._deadline(task)
        slot.tasks.append(task)
        # if it died before reading, `_collect` sees the death and retries the task
        with contextlib.suppress(OSError):
            slot.conn.send((task.index, task.key, task.spec, task.attempt))

    def _deadline(self, task: Task) -> float | None:
        seconds = self.limits.seconds
        return None if seconds is None else time.monotonic() + seconds * weight(task.spec)

    def _retire(self, slot: _Slot) -> None:
        with contextlib.suppress(OSError):
            slot.conn.send(None)
        slot.conn.close()
        self.slots.remove(slot)
        self.retired.append(slot.process)

    # ----------------------------------------------------------------- results and deaths

    def _collect(self, timeout: float = POLL) -> Iterator[tuple[int, OutputResult]]:
        busy = [slot for slot in self.slots if slot.tasks]
        waiting: list[Any] = [slot.conn for slot in busy]
        waiting += [slot.process.sentinel for slot in self.slots]
        now = time.monotonic()
        deadlines = [slot.deadline - now for slot in busy if slot.deadline is not None]
        ready = set(wait(waiting, timeout=max(0.0, min([timeout, *deadlines]))))
        for slot in list(self.slots):
            if slot.tasks and slot.conn in ready:
                try:
                    kind, payload = slot.conn.recv()
                except (EOFError, OSError):
                    yield from self._died(slot)
                    continue
                task = slot.tasks.popleft()
                if kind == "bug":
                    raise WorkerBug(f"while building {task.spec.name}:\n{payload}")
                slot.served += 1
                slot.deadline = self._deadline(slot.tasks[0]) if slot.tasks else None
                yield task.index, self._finished(task, payload)
            elif slot.process.sentinel in ready:
                yield from self._died(slot)

    def _finished(self, task: Task, result: OutputResult) -> OutputResult:
        # keep the build's own spec (and document) objects, not the worker's copies
        result = replace(result, spec=task.spec)
        if task.died:
            result.problems.insert(0, self._retried(task))
        return result

    def _died(self, slot: _Slot) -> Iterator[tuple[int, OutputResult]]:
        """A worker exited without being asked: retry its output once in a fresh worker."""
        how = self._reap(slot)
        task = self._take_back(slot)
        if task is None:  # it died between outputs: nothing is lost
            return
        if self.stop.signum is not None:
            yield task.index, OutputResult(task.spec, "stopped", key=task.key)
        elif task.attempt == 1:
            retry = replace(task, attempt=2, died=how)
            self._send(self._spawn(), retry)
        else:
            problems = [self._twice(task, how)]
            yield task.index, OutputResult(task.spec, "failed", problems=problems, key=task.key)

    def _reap(self, slot: _Slot) -> str:
        """Remove a finished worker from the pool; how it ended, in words."""
        self.slots.remove(slot)
        slot.conn.close()
        slot.process.join(5)
        return how_it_died(slot.process.exitcode)

    def _take_back(self, slot: _Slot) -> Task | None:
        """After a worker's end: the outputs it had not started go back to the pending ones,
        the temporary file of the one in progress is removed; returns that one."""
        if not slot.tasks:
            return None
        task, *waiting = slot.tasks
        self.pending.extendleft(reversed(waiting))
        slot.tasks.clear()
        remove_temporary(self.out_dir / task.spec.relative_path, slot.process.pid)
        return task

    def _retried(self, task: Task) -> Diagnostic:
        return Diagnostic(
            located(task.spec),
            Severity.WARNING,
            f"the worker process printing the {describe(task.spec)} died ({task.died}); "
            "the output was built again in a fresh worker",
            f"nothing to do if it does not happen again: {CAUSES}",
            "worker",
        )

    def _twice(self, task: Task, how: str) -> Diagnostic:
        return Diagnostic.error_at(
            located(task.spec),
            f"the {describe(task.spec)} was not built: the worker process printing it died "
            f"twice ({task.died}, then {how})",
            f"{CAUSES}; try `-j 1` to see an error, and report a crash",
            rule="worker",
        )

    def _failed(self, task: Task, problem: Diagnostic) -> OutputResult:
        problems = [self._retried(task)] if task.died else []
        return OutputResult(task.spec, "failed", problems=[*problems, problem], key=task.key)

    # ----------------------------------------------------------------- limits and stopping

    def _enforce_limits(self) -> Iterator[tuple[int, OutputResult]]:
        now = time.monotonic()
        megabytes = self.limits.memory_mb
        measure = megabytes is not None and now - self._memory_checked >= POLL
        if measure:
            self._memory_checked = now
        for slot in list(self.slots):
            if not slot.tasks:
                continue
            if slot.deadline is not None and now > slot.deadline:
                task = self._kill(slot)
                assert task is not None and self.limits.seconds is not None
                seconds = self.limits.seconds * weight(task.spec)
                yield task.index, self._failed(task, time_limit(task.spec, seconds))
            elif measure and megabytes and resident_mb(slot.process.pid) > megabytes:
                task = self._kill(slot)
                assert task is not None
                yield task.index, self._failed(task, out_of_memory(task.spec, megabytes))

    def _stopping(self) -> Iterator[tuple[int, OutputResult]]:
        """Stop dispatching; when abandoning, kill the workers of the outputs in progress.
        (An output already waiting in a worker's pipe is in progress too.)"""
        if self.stop.abandon:
            yield from self._collect(timeout=0)  # results already sent are kept
            for slot in list(self.slots):
                busy = self._kill(slot) if slot.tasks else None
                if busy is not None:
                    yield busy.index, OutputResult(busy.spec, "stopped", key=busy.key)
        while self.pending:
            task = self.pending.popleft()
            yield task.index, OutputResult(task.spec, "stopped", key=task.key)

    def _kill(self, slot: _Slot) -> Task | None:
        """Kill a worker; returns the output it was printing (the others go back to wait)."""
        slot.process.kill()
        self._reap(slot)
        return self._take_back(slot)

    def _shut_down(self) -> None:
        """Ask idle workers to exit, kill busy ones (the build is leaving), wait for all."""
        for slot in list(self.slots):
            if slot.tasks:
                self._kill(slot)
            else:
                self._retire(slot)
        for process in self.retired:
            process.join(5)
            if process.exitcode is None:
                process.kill()
                process.join(5)
        self.retired.clear()
        self._life_w.close()
        self._life_r.close()


CAUSES = (
    "SIGKILL is most often the system's out-of-memory killer (see `dmesg`), SIGSEGV or "
    "SIGABRT a crash in a native library"
)


def how_it_died(exitcode: int | None) -> str:
    """A worker's end in words: "killed by SIGKILL", "crashed with SIGSEGV", …"""
    if exitcode is None:
        return "did not exit"
    if exitcode >= 0:
        return f"exited with status {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    if name in ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGILL", "SIGFPE"):
        return f"crashed with {name}"
    return f"killed by {name}"


def resident_mb(pid: int | None) -> float:
    """A process's resident memory (RSS) in MB, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE / (1024 * 1024)
    except (OSError, IndexError, ValueError):
        return 0.0
