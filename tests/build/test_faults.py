"""Fault injection: a killed worker, a stopped build, a runaway document, a failing disk.

Each test runs real builds of the small test project (brief and handout × letter and A4: a
batch of 4 PDFs) and checks what an operator would: the exit status, which outputs exist and
are valid PDFs (`qpdf --check`), that the manifest lists exactly what is there with the right
checksums, that no temporary file is left, and that no process the build started (the worker
forkserver, the workers, the resource tracker) is still alive 5 seconds after it ended; those
are found by walking /proc for the build's descendants while it runs. Worker deaths and disk
errors are injected with `HANDOUTKIT_FAULTS` (see `handoutkit.build.faults`); signals and the
runaway document are real.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import REPO, TODAY

HANDOUTKIT = Path(sys.executable).parent / "handoutkit"
BATCH = sorted(
    f"demo/{doc}.en.standard.{paper}.pdf"
    for doc in ("brief", "handout")
    for paper in ("letter", "a4")
)
NEVER_ENDS = "{% for i in range(10 ** 15) %}{% endfor %}"


# --------------------------------------------------------------------------- running a build


@dataclass
class Build:
    code: int
    err: str
    seen: set[tuple[int, str]] = field(default_factory=set)  # (pid, start time) of descendants
    after_signal: float = 0.0  # seconds from the (first) signal to the build's exit

    def lines(self, prefix: str) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith(prefix)]

    @property
    def built(self) -> set[str]:
        return {line.split()[1].removeprefix("dist/") for line in self.lines("built dist/")}


def _stat(pid: int | str) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: state, ppid, ... (None: gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(root: int) -> set[tuple[int, str]]:
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(entry)) is not None:
            children.setdefault(int(fields[1]), []).append((int(entry), fields[19]))
    found: set[tuple[int, str]] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child[0])
    return found


def alive(process: tuple[int, str]) -> bool:
    fields = _stat(process[0])
    return fields is not None and fields[19] == process[1] and fields[0] not in ("Z", "X")


def build(
    project: Path,
    *args: str,
    jobs: int = 2,
    faults: str = "",
    on_line: Callable[[subprocess.Popen[str], str], bool] | None = None,
    on_poll: Callable[[subprocess.Popen[str], set[tuple[int, str]]], bool] | None = None,
) -> Build:
    """Run `handoutkit build -j JOBS ARGS` in a process of its own, watching its descendants.

    `on_line` sees each line of its stderr, `on_poll` the descendants seen so far every 50 ms,
    until one returns True (it has sent a signal)."""
    env = {**os.environ, "HANDOUTKIT_TODAY": TODAY, "HANDOUTKIT_FAULTS": faults}
    process = subprocess.Popen(
        [str(HANDOUTKIT), "build", "-j", str(jobs), *args],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    signalled: list[float] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if on_line is not None and not signalled and on_line(process, line):
                signalled.append(time.monotonic())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: set[tuple[int, str]] = set()
    deadline = time.monotonic() + 180
    while process.poll() is None:
        seen |= descendants(process.pid)
        if on_poll is not None and not signalled and on_poll(process, seen):
            signalled.append(time.monotonic())
        assert time.monotonic() < deadline, "the build did not finish in 180 s"
        time.sleep(0.05)
    ended = time.monotonic()
    reader.join(10)
    result = Build(process.returncode, "".join(lines), seen)
    if signalled:
        result.after_signal = ended - signalled[0]
    return result


def send(*signals: signal.Signals) -> Callable[[subprocess.Popen[str], str], bool]:
    """An `on_line` that sends the signals to the build once it has built an output."""

    def on_line(process: subprocess.Popen[str], line: str) -> bool:
        if not line.startswith("built dist/"):
            return False
        for number, signum in enumerate(signals):
            if number:
                time.sleep(0.2)
            process.send_signal(signum)
        return True

    return on_line


# --------------------------------------------------------------------------- what must hold


def assert_no_process_left(result: Build, *, workers: bool = True) -> None:
    """Every process the build started is gone within 5 s of its end."""
    if workers:
        assert result.seen, "no descendant of the build was seen: the walk of /proc is broken"
    deadline = time.monotonic() + 5
    while any(alive(p) for p in result.seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in result.seen if alive(p)]
    assert not left, f"processes left behind: {[_command(p[0]) for p in left]}"


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


def manifest(out: Path) -> dict[str, dict]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in data["outputs"]}


def assert_outputs_sound(out: Path, *, abandoned: bool = False) -> set[str]:
    """Every PDF is valid, no temporary file is left, and the manifest lists exactly the PDFs
    there with their checksums; returns the PDFs' names.

    `abandoned`: outputs in progress were abandoned, and one may have been written (whole, by
    its atomic rename) just before its worker was killed, too late to be reported: such a file
    may be missing from the manifest (the next build makes it again)."""
    pdfs = {path.relative_to(out).as_posix() for path in out.rglob("*.pdf")}
    for name in pdfs:
        checked = subprocess.run(["qpdf", "--check", str(out / name)], capture_output=True)
        assert checked.returncode == 0, f"{name}: {checked.stdout.decode()[-300:]}"
    assert not [p.name for p in out.rglob("*.tmp")], "temporary files left behind"
    if pdfs:
        entries = manifest(out)
        assert set(entries) <= pdfs if abandoned else set(entries) == pdfs
        for name, entry in entries.items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    return pdfs


@pytest.fixture
def batch(mini: Path) -> Path:
    """The test project with two paper sizes: 2 documents × 2 papers = 4 PDFs."""
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text().replace("paper_sizes: [letter]", "paper_sizes: [letter, a4]")
    )
    return mini


def both_editions(project: Path) -> None:
    config = project / "handoutkit.yaml"
    config.write_text(
        config.read_text().replace("editions: [standard]", "editions: [standard, large-print]")
    )


def add_config(project: Path, text: str) -> None:
    config = project / "handoutkit.yaml"
    config.write_text(config.read_text() + text)


# --------------------------------------------------------------------------- worker deaths


@pytest.mark.parametrize("killed", BATCH)
def test_a_worker_killed_at_any_output_retries_that_output_once(batch: Path, killed: str) -> None:
    result = build(batch, faults=f"kill={killed}")
    assert result.code == 0, result.err
    assert assert_outputs_sound(batch / "dist") == set(BATCH)
    retried = [line for line in result.err.splitlines() if "built again in a fresh worker" in line]
    document = f"content/{killed.split('.')[0]}.en.yaml"
    paper = killed.split(".")[-2]
    assert len(retried) == 1, result.err
    assert retried[0].strip().startswith(f"{document}:1:1: warning: the worker process printing")
    assert f"the standard {paper} PDF died (killed by SIGKILL)" in retried[0]
    assert_no_process_left(result)


def test_a_worker_that_dies_again_fails_only_its_output_and_keeps_the_earlier_one(
    batch: Path,
) -> None:
    first = build(batch)
    assert first.code == 0, first.err
    out = batch / "dist"
    killed = "demo/handout.en.standard.a4.pdf"
    earlier = (out / killed).read_bytes()
    result = build(batch, "--force", faults=f"kill-always={killed}")
    assert result.code == 1, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert result.built == set(BATCH) - {killed}
    [error] = result.lines("  content/demo/handout.en.yaml:1:1: error:")
    assert "the standard a4 PDF was not built: the worker process printing it died twice" in error
    assert "(killed by SIGKILL, then killed by SIGKILL)" in error
    assert (out / killed).read_bytes() == earlier
    assert assert_outputs_sound(out) == set(BATCH)  # the earlier file is still listed
    assert_no_process_left(result)


# --------------------------------------------------------------------------- stop signals


@pytest.mark.parametrize(
    ("signals", "code"),
    [
        ((signal.SIGTERM,), 143),
        ((signal.SIGHUP,), 129),
        ((signal.SIGINT,), 130),
    ],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_stopped_build_exits_cleanly_and_lists_what_it_completed(
    batch: Path, signals: tuple[signal.Signals, ...], code: int
) -> None:
    both_editions(batch)  # 8 outputs: the signal comes while most are still to do
    result = build(batch, on_line=send(*signals))
    assert result.code == code, result.err
    name = signals[0].name
    [summary] = result.lines(f"handoutkit: stopped by {name}: ")
    assert summary.endswith("not built; the manifest lists what was completed")
    assert result.after_signal < 5, "the build took more than 5 s to stop"
    out = batch / "dist"
    pdfs = assert_outputs_sound(out, abandoned=signals[0] != signal.SIGINT)
    assert result.built <= set(manifest(out)) <= pdfs
    assert len(pdfs) < 8, "the build was not stopped: every output was built"
    assert "Traceback" not in result.err
    assert_no_process_left(result)


def test_a_second_ctrl_c_abandons_the_outputs_in_progress(batch: Path) -> None:
    """After a first Ctrl+C the build waits for the outputs in progress: here both workers
    print a brief whose template loops for ever. A second Ctrl+C stops them at once."""
    never_ending(batch, "brief")
    busy_since: list[float] = []
    still_running: list[bool] = []

    def two_ctrl_c(process: subprocess.Popen[str], seen: set[tuple[int, str]]) -> bool:
        if len([p for p in seen if alive(p) and "forkserver" in _command(p[0])]) < 3:
            return False  # the server and two workers
        busy_since.append(time.monotonic())
        if time.monotonic() - busy_since[0] < 1:
            return False
        process.send_signal(signal.SIGINT)
        time.sleep(1)
        still_running.append(process.poll() is None)
        process.send_signal(signal.SIGINT)
        return True

    result = build(batch, on_poll=two_ctrl_c)
    assert still_running == [True], "the first Ctrl+C did not wait for the outputs in progress"
    assert result.code == 130, result.err
    assert result.after_signal < 5, "the second Ctrl+C did not stop the build at once"
    [summary] = result.lines("handoutkit: stopped by SIGINT: ")
    assert "0 built, 0 unchanged, 0 failed, 4 not built" in summary
    assert not assert_outputs_sound(batch / "dist")
    assert_no_process_left(result)


def test_a_killed_build_leaves_no_process_and_no_temporary_file(batch: Path) -> None:
    result = build(batch, on_line=send(signal.SIGKILL))
    assert result.code == -signal.SIGKILL
    assert_no_process_left(result)
    out = batch / "dist"
    assert not [p.name for p in out.rglob("*.tmp")]
    for path in out.rglob("*.pdf"):  # whatever was written is whole
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0


# --------------------------------------------------------------------------- limits


def override(project: Path, kind: str, block: str) -> None:
    """A project template for a kind of document whose content block starts with `block`."""
    (project / "templates").mkdir(exist_ok=True)
    template = (REPO / "templates" / f"{kind}.html.j2").read_text(encoding="utf-8")
    assert "{% block content %}\n" in template
    template = template.replace("{% block content %}\n", "{% block content %}\n" + block)
    (project / "templates" / f"{kind}.html.j2").write_text(template, encoding="utf-8")


def never_ending(project: Path, kind: str) -> None:
    override(project, kind, NEVER_ENDS)


@pytest.mark.parametrize("jobs", [2, 1])
def test_a_template_loop_that_never_ends_fails_at_the_time_limit(batch: Path, jobs: int) -> None:
    never_ending(batch, "brief")
    add_config(batch, "limits:\n  seconds: 5\n")  # generous: CI machines may be slow
    started = time.monotonic()
    result = build(batch, jobs=jobs)
    assert result.code == 1, result.err
    assert time.monotonic() - started < 60
    assert result.built == {name for name in BATCH if "handout" in name}
    errors = result.lines("  content/demo/brief.en.yaml:1:1: error: the standard ")
    assert len(errors) == 2, result.err
    assert all("took more than 5 s and was stopped" in line for line in errors)
    assert all("[time-limit]" not in line for line in errors)  # rule ids are in JSON only
    assert assert_outputs_sound(batch / "dist") == result.built
    assert_no_process_left(result, workers=jobs > 1)


def test_a_huge_document_fails_its_page_limit_and_keeps_its_earlier_output(
    run, batch: Path
) -> None:
    add_config(batch, "limits:\n  pages:\n    handout: {warning: 3, error: 6}\n")
    assert run("build", "-j", "1", cwd=batch).code == 0
    out = batch / "dist"
    earlier = (out / "demo" / "handout.en.standard.letter.pdf").read_bytes()
    handout = batch / "content" / "demo" / "handout.en.yaml"
    questions = "".join(f"  - Is question {n} about my own care plan?\n" for n in range(400))
    handout.write_text(
        handout.read_text().replace("  - What are my options?\n", questions), encoding="utf-8"
    )
    result = run("build", "--format", "json", "-j", "2", cwd=batch)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    outputs = {o["path"]: o for o in report["outputs"]}
    for paper in ("letter", "a4"):
        failed = outputs[f"demo/handout.en.standard.{paper}.pdf"]
        assert failed["status"] == "failed"
        [problem] = failed["problems"]
        assert problem["rule"] == "page-limit"
        assert problem["location"]["path"] == "content/demo/handout.en.yaml"
        assert problem["message"].startswith(f"the standard {paper} PDF has ")
        assert problem["message"].endswith(
            "pages, more than the 6 a handout may have: it is not written"
        )
    assert (out / "demo" / "handout.en.standard.letter.pdf").read_bytes() == earlier
    assert assert_outputs_sound(out) == set(BATCH)


def test_page_count_warnings_and_errors_per_kind_and_edition(run, batch: Path) -> None:
    """The brief prints 2 pages in the standard edition and more in large print; the handout
    fewer."""
    both_editions(batch)
    add_config(
        batch, "limits:\n  pages:\n    brief: {warning: 1, error: 2}\n  large_print_pages: 1\n"
    )
    result = run("build", "--format", "json", "-j", "1", "--paper", "letter", cwd=batch)
    assert result.code == 1
    outputs = {o["path"]: o for o in json.loads(result.out)["outputs"]}
    standard = outputs["demo/brief.en.standard.letter.pdf"]
    assert standard["status"] == "built"
    assert [(p["severity"], p["rule"]) for p in standard["problems"]] == [("warning", "page-limit")]
    assert "has 2 pages, more than the 1 a brief should have" in standard["problems"][0]["message"]
    large = outputs["demo/brief.en.large-print.letter.pdf"]
    assert large["status"] == "failed"
    assert re.fullmatch(
        r"the large-print letter PDF has \d+ pages, more than the 2 a brief may have: it is "
        r"not written",
        large["problems"][0]["message"],
    )
    for edition in ("standard", "large-print"):  # handouts keep the default limits
        assert outputs[f"demo/handout.en.{edition}.letter.pdf"]["problems"] == []


def test_the_memory_limit_stops_a_worker_that_grows_past_it(batch: Path) -> None:
    grows = (  # at most 600 MB if nothing stopped it
        "{% set ns = namespace(kept=[]) %}{% for i in range(600) %}"
        '{% set _ = ns.kept.append("x" * 1000000 ~ i) %}{% endfor %}'
    )
    override(batch, "brief", grows)
    add_config(batch, "limits:\n  memory_mb: 200\n")
    result = build(batch)
    assert result.code == 1, result.err
    assert result.built == {name for name in BATCH if "handout" in name}
    errors = result.lines("  content/demo/brief.en.yaml:1:1: error: printing the standard ")
    assert len(errors) == 2, result.err
    assert all("PDF used more than 200 MB of memory and was stopped" in e for e in errors)
    assert assert_outputs_sound(batch / "dist") == result.built
    assert_no_process_left(result)


def test_limits_are_validated_with_their_location(run, batch: Path) -> None:
    add_config(batch, "limits:\n  seconds: 0\n  pages:\n    brief: {warning: 9, error: 3}\n")
    result = run("check", cwd=batch)
    assert result.code == 1
    assert "handoutkit.yaml:11:12: error: 'limits.seconds': Input should be greater than 0" in (
        result.text
    )
    assert (
        "handoutkit.yaml:13:12: error: 'limits.pages.brief': warning must not be above error"
    ) in result.text


def test_default_limits() -> None:
    from handoutkit.models import ProjectConfig

    limits = ProjectConfig.model_validate({"organization": {"name": "X"}}).limits
    assert (limits.seconds, limits.memory_mb) == (60, 1024)
    assert limits.page_thresholds("handout", "standard") == (12, 40)
    assert limits.page_thresholds("handout", "large-print") == (30, 100)
    assert limits.page_thresholds("brief", "standard") == (10, 40)
    custom = ProjectConfig.model_validate(
        {"organization": {"name": "X"}, "limits": {"pages": {"handout": {"error": None}}}}
    ).limits
    assert custom.page_thresholds("handout", "standard") == (12, None)
    lower = ProjectConfig.model_validate(  # the default warning (12) gives way to error 5
        {"organization": {"name": "X"}, "limits": {"pages": {"handout": {"error": 5}}}}
    ).limits
    assert lower.page_thresholds("handout", "standard") == (None, 5)


# --------------------------------------------------------------------------- disk and folders


def test_a_full_disk_and_a_read_only_folder_fail_those_outputs_only(batch: Path) -> None:
    first = build(batch)
    assert first.code == 0, first.err
    out = batch / "dist"
    full, read_only = "demo/brief.en.standard.a4.pdf", "demo/handout.en.standard.letter.pdf"
    earlier = {name: (out / name).read_bytes() for name in (full, read_only)}
    result = build(batch, "--force", faults=f"enospc={full},erofs={read_only}")
    assert result.code == 1, result.err
    assert result.built == set(BATCH) - {full, read_only}
    assert f"  dist/{full}:1:1: error: cannot write 'dist/{full}': No space left on device" in (
        result.err
    )
    assert f"  dist/{read_only}:1:1: error: cannot write 'dist/{read_only}': Read-only file " in (
        result.err
    )
    assert {name: (out / name).read_bytes() for name in earlier} == earlier
    assert assert_outputs_sound(out) == set(BATCH)
    assert_no_process_left(result)


def test_a_write_error_in_one_process_builds_is_located_too(run, batch: Path, monkeypatch) -> None:
    """-j 1: the write fails in this process (monkeypatched), the manifest write too."""
    import errno
    import tempfile

    assert run("build", "-j", "1", cwd=batch).code == 0
    out = batch / "dist"
    before = (out / "manifest.json").read_text()
    real = tempfile.mkstemp

    def full_disk(*args, **kwargs):
        if "brief" in kwargs.get("prefix", "") or "manifest" in kwargs.get("prefix", ""):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    result = run("build", "-j", "1", "--force", cwd=batch)
    assert result.code == 1
    assert "dist/demo/brief.en.standard.letter.pdf:1:1: error: cannot write" in result.err
    assert "dist/manifest.json:1:1: error: cannot write 'dist/manifest.json': No space left" in (
        result.out + result.err
    )
    assert (out / "manifest.json").read_text() == before  # the earlier manifest stays
    assert not list(out.rglob("*.tmp"))


def test_an_output_path_that_is_a_folder_fails_that_output(run, batch: Path) -> None:
    (batch / "dist" / "demo" / "handout.en.standard.a4.pdf").mkdir(parents=True)
    result = run("build", "-j", "1", cwd=batch)
    assert result.code == 1
    assert (
        "dist/demo/handout.en.standard.a4.pdf:1:1: error: cannot write "
        "'dist/demo/handout.en.standard.a4.pdf': a folder has the output's name — remove or "
        "rename that folder"
    ) in result.err
    assert "3 built, 0 unchanged, 1 failed" in result.err
    assert (batch / "dist" / "demo" / "handout.en.standard.a4.pdf").is_dir()
    assert set(manifest(batch / "dist")) == set(BATCH) - {"demo/handout.en.standard.a4.pdf"}


def test_an_output_folder_that_vanishes_during_the_build_is_not_made_again(
    batch: Path, monkeypatch
) -> None:
    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    monkeypatch.chdir(batch)
    out = batch / "dist"
    seen: list[str] = []

    def vanish(result) -> None:
        seen.append(result.status)
        if len(seen) == 1:
            shutil.rmtree(out)

    report = build_project(
        load_project(batch), out, today=dt.date.fromisoformat(TODAY), progress=vanish
    )
    assert seen == ["built", "failed", "failed", "failed"]
    assert not out.exists()
    for result in report.failed:
        assert "the output folder 'dist' is gone — was it deleted or its disk unmounted" in str(
            result.problems[0]
        )
    [problem] = report.diagnostics.errors  # the manifest could not be written either
    assert problem.rule == "output"
    assert "cannot update the manifest: the output folder 'dist' is gone" in problem.message
    assert not report.ok


# --------------------------------------------------------------------------- stopping in-process


def test_a_stop_signal_during_the_check_stops_the_build_at_once(batch: Path, monkeypatch) -> None:
    import handoutkit.build.run as run_module
    from handoutkit.content.loader import load_project

    real = run_module.check_project

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # the handler raises before this ends
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "check_project", interrupted)
    started = time.monotonic()
    report = run_module.build_project(
        load_project(batch), batch / "dist", today=dt.date.fromisoformat(TODAY)
    )
    assert time.monotonic() - started < 5
    assert report.stopped_by == signal.SIGTERM and not report.ok
    assert [r.status for r in report.results] == ["stopped"] * 4
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the build's handler is gone


def test_sigterm_in_a_one_process_build_abandons_the_write_in_progress(
    batch: Path, monkeypatch
) -> None:
    """-j 1: SIGTERM arrives while the second output is being written (its temporary file
    exists): that write is abandoned and its temporary file removed, the first output is in
    the manifest, the others are stopped."""
    from handoutkit.build.run import build_project
    from handoutkit.content.loader import load_project

    real = os.fsync
    writes: list[int] = []

    def fsync(fd: int) -> None:
        writes.append(fd)
        if len(writes) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # the handler raises before this ends
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    report = build_project(
        load_project(batch), batch / "dist", today=dt.date.fromisoformat(TODAY), jobs=1
    )
    monkeypatch.setattr(os, "fsync", real)
    assert report.stopped_by == signal.SIGTERM
    assert [r.status for r in report.results] == ["built", "stopped", "stopped", "stopped"]
    first = report.results[0].spec.name
    assert assert_outputs_sound(batch / "dist") == {first}
