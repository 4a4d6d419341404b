"""Batch build benchmark: handoutkit build against raw WeasyPrint, and worker memory.

    .venv/bin/python bench/run.py [--docs N] [--memory-docs 1000] [--quick] [--repeat R]
                                  [--sample K] [--wait-load L] [--json FILE] [--markdown FILE]

Makes a temporary copy of the shipped project with N synthetic handouts (copies of
content/ketamine-bpd/handout.en.yaml with their own id, code, title and a word changed; the
config narrowed to English, standard edition, letter: N documents = N PDFs; `handoutkit check`
must be clean), then measures, by wall clock, in fresh processes:

  1. full build -j 1 (`handoutkit build -j 1 --force`)
  2. full build -j 2
  3. no-op rebuild (nothing changed, `-j 2`): must not import WeasyPrint nor start workers
  4. raw in-process WeasyPrint (bench/raw_weasyprint.py) on the same HTML handoutkit renders:
     one process, WeasyPrint imported once, one FontConfiguration, stylesheets parsed once
  5. a loop of the `weasyprint` command over the same HTML files (a sample, per document)
  6. memory: a build of --memory-docs documents with -j 2, sampling every worker's RSS, PSS and
     USS (/proc/PID/smaps_rollup)

and prints a table with the targets. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = Path(sys.executable).parent
HANDOUTKIT = [sys.executable, str(BENCH / "_build.py")]  # = the console script, plus a probe
WEASYPRINT = VENV_BIN / "weasyprint"
TODAY = "2026-11-23"
SOURCE = Path("content", "ketamine-bpd", "handout.en.yaml")  # in the snapshot of the tree
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024

TARGETS = {
    "command_loop_speedup": 8.0,  # command loop per doc ÷ -j 2 per doc, at least
    "over_raw": 0.10,  # -j 1 per doc over raw in-process per doc, at most
    "scaling": 1.6,  # -j 1 ÷ -j 2, at least
    "noop_ratio": 0.03,  # no-op ÷ full build (-j 2), at most
    "worker_mb": 150.0,  # peak per worker, at most
    "site_ratio": 0.10,  # the site step ÷ the PDF build of the same documents, at most
    "site_home_bytes": 300_000,  # the home page before any search, less than
    "site_search_ms": 100.0,  # a search in Chromium (index loaded), less than
    "flat": 0.10,  # last-quarter workers' peak over first-quarter workers' peak, at most
    "preflight": 0.05,  # the print preflight's share of a -j 1 build (stages.py), at most
}


# --------------------------------------------------------------------------- the project


def make_project(tree: Path, root: Path, count: int) -> Path:
    """A copy of the shipped project (from the snapshot `tree`) with `count` synthetic
    handouts and nothing else."""
    root.mkdir(parents=True)
    shutil.copy(tree / "handoutkit.yaml", root)
    for folder in ("content", "templates", "styles"):
        shutil.copytree(tree / folder, root / folder)
    for topic in (root / "content").iterdir():  # drop the shipped documents
        if topic.is_dir():
            shutil.rmtree(topic)
    source = (tree / SOURCE).read_text(encoding="utf-8")
    words = ["care team", "health care team", "treatment team", "doctor or nurse"]
    for i in range(1, count + 1):
        text = _replace_once(source, "id: ketamine-bpd-handout-en", f"id: bench-{i:04d}-handout-en")
        text = _replace_once(text, "code: HK-KBPD-PH-EN", f"code: HK-BENCH-{i:04d}-EN")
        text = _replace_once(text, "title: Ketamine and BPD", f"title: Ketamine and BPD ({i})")
        text = _replace_once(
            text, "Ask your care team about", f"Ask your {words[i % len(words)]} about"
        )
        folder = root / "content" / f"bench-{i:04d}"
        folder.mkdir()
        (folder / "handout.en.yaml").write_text(text, encoding="utf-8")
    config = root / "handoutkit.yaml"
    text = config.read_text(encoding="utf-8")
    for key, value in (
        ("languages", "[en]"),
        ("editions", "[standard]"),
        ("paper_sizes", "[letter]"),
    ):
        text, n = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
        assert n == 1, key
    config.write_text(text, encoding="utf-8")
    _drop_uncited_references(root / "content")
    return root


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, f"{old!r} not in {SOURCE}"
    return text.replace(old, new, 1)


def _drop_uncited_references(content: Path) -> None:
    """Remove library entries no remaining document cites (else `check` warns about them)."""
    cited: set[str] = set()
    for path in content.rglob("*.yaml"):
        if path.name != "references.yaml":
            cited |= set(
                re.findall(r"@([A-Za-z0-9_][A-Za-z0-9_:.-]*[A-Za-z0-9_])", path.read_text())
            )
    library = content / "references.yaml"
    head, *entries = re.split(r"(?m)^(?=- id: )", library.read_text(encoding="utf-8"))
    kept = [e for e in entries if re.match(r"- id: (\S+)", e)[1] in cited]  # type: ignore[index]
    library.write_text(head + "".join(kept), encoding="utf-8")


def check_clean(root: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [*HANDOUTKIT, "--today", TODAY, "check", "--format", "json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout.split("\n@@probe", 1)[0])
    if done.returncode != 0 or report["errors"] or report["warnings"]:
        sys.exit(f"synthetic project is not clean:\n{done.stdout}\n{done.stderr}")
    return report


# --------------------------------------------------------------------------- measuring


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def _busy_ticks() -> int:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq + steal


def _stat(pid: int) -> tuple[int, int, int, int] | None:
    """(ppid, utime+stime ticks, start tick, rss bytes) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    rest = data[data.rindex(b")") + 2 :].split()
    return int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[19]), int(rest[21]) * PAGE


def _memory(pid: int) -> dict[str, int] | None:
    """RSS, PSS and USS (private clean + dirty) in bytes, from /proc/PID/smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            text = handle.read()
    except OSError:
        return None
    kb = {m[1]: int(m[2]) * 1024 for m in re.finditer(r"^(\w+):\s+(\d+) kB", text, re.M)}
    if "Rss" not in kb:
        return None
    return {
        "rss": kb["Rss"],
        "pss": kb.get("Pss", 0),
        "uss": kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0),
    }


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


@dataclass
class WorkerTrace:
    pid: int
    first_seen: float
    last_seen: float = 0.0
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)  # t, rss, pss, uss

    def peak(self, kind: str) -> int:
        index = {"rss": 1, "pss": 2, "uss": 3}[kind]
        return max((s[index] for s in self.samples), default=0)


class Monitor(threading.Thread):
    """Follows the process tree of one command: CPU time of each process (to tell our own CPU
    use from other users' during the measurement) and, with `memory`, each build worker's
    memory. Build workers are the children of the multiprocessing forkserver."""

    def __init__(self, root: int, memory: bool = False, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.memory = memory
        self.interval = interval
        self.stop = threading.Event()
        self.cpu: dict[tuple[int, int], int] = {}  # (pid, start tick) → last utime+stime
        self.workers: dict[tuple[int, int], WorkerTrace] = {}
        self.roles: dict[tuple[int, int], str] = {}
        self.root_peak_rss = 0
        self.started = time.perf_counter()

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        now = time.perf_counter() - self.started
        children: dict[int, list[int]] = {}
        stats: dict[int, tuple[int, int, int, int]] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    stats[int(entry.name)] = stat
                    children.setdefault(stat[0], []).append(int(entry.name))
        pending, tree = [self.root], []
        while pending:
            pid = pending.pop()
            if pid in stats:
                tree.append(pid)
                pending.extend(children.get(pid, []))
        forkservers = set()
        for pid in tree:
            ppid, ticks, start, rss = stats[pid]
            ident = (pid, start)
            self.cpu[ident] = ticks
            if ident not in self.roles:
                cmd = _cmdline(pid)
                if pid == self.root:
                    role = "build"
                elif b"multiprocessing.forkserver" in cmd and ppid == self.root:
                    role = "forkserver"
                elif b"resource_tracker" in cmd:
                    role = "tracker"
                else:
                    role = "other"
                self.roles[ident] = role
            if self.roles[ident] == "forkserver":
                forkservers.add(pid)
            if pid == self.root:
                self.root_peak_rss = max(self.root_peak_rss, rss)
        for pid in tree:
            ppid, _ticks, start, _rss = stats[pid]
            ident = (pid, start)
            # a worker is forked by the forkserver without exec, so it has its command line;
            # other children of it (e.g. `ldconfig -p` run while it imports WeasyPrint) do not
            if ppid in forkservers and b"multiprocessing.forkserver" in _cmdline(pid):
                self.roles[ident] = "worker"
                if self.memory:
                    memory = _memory(pid)
                    if memory is None:
                        continue
                    trace = self.workers.setdefault(ident, WorkerTrace(pid, now))
                    trace.last_seen = now
                    trace.samples.append((now, memory["rss"], memory["pss"], memory["uss"]))

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values()) / TICK


@dataclass
class Run:
    """One command run: wall time, load averages, and the CPU other users took meanwhile."""

    command: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    own_cpu: float  # seconds of CPU used by the command's process tree
    others_cpu: float  # seconds of CPU used by every other process on the machine
    monitor: Monitor

    @property
    def others_cores(self) -> float:
        """Average number of cores other users kept busy during the run."""
        return self.others_cpu / self.seconds if self.seconds else 0.0


def run(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    memory: bool = False,
    timeout: float = 900,
) -> Run:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errors:
        load_before = load()
        bench_before = time.process_time()
        busy_before = _busy_ticks()
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=errors, start_new_session=True
        )
        monitor = Monitor(process.pid, memory=memory, interval=0.2 if memory else 0.1)
        monitor.start()
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # a hung build: stop it and its workers
            os.killpg(process.pid, signal.SIGKILL)
            returncode = process.wait()
            errors.write(f"\nbench: killed after {timeout:.0f} s\n")
        seconds = time.perf_counter() - started
        monitor.stop.set()
        monitor.join()
        busy = (_busy_ticks() - busy_before) / TICK
        bench_cpu = time.process_time() - bench_before
        load_after = load()
        out.seek(0)
        errors.seek(0)
        stdout, stderr = out.read(), errors.read()
    own = monitor.cpu_seconds
    return Run(
        command,
        seconds,
        returncode,
        stdout,
        stderr,
        load_before,
        load_after,
        own,
        max(busy - own - bench_cpu, 0.0),
        monitor,
    )


def handoutkit_build(
    root: Path, env: dict[str, str], *args: str, memory: bool = False
) -> tuple[Run, dict, dict]:
    """`handoutkit build ARGS --format json`: the run, its report and the probe's findings."""
    documents = sum(1 for _ in (root / "content").glob("*/*.yaml"))
    result = run(
        [*HANDOUTKIT, "--today", TODAY, "build", "--format", "json", *args],
        root,
        env,
        memory=memory,
        timeout=300 + 10 * documents,
    )
    report_text, _, probe_text = result.stdout.partition("\n@@probe ")
    if result.returncode != 0:
        sys.exit(f"build {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    probe = json.loads(probe_text)
    assert probe.pop("handoutkit").startswith(env["PYTHONPATH"]), "not the snapshot's code"
    return result, json.loads(report_text), probe


# --------------------------------------------------------------------------- steps


def snapshot_tree(work: Path) -> Path:
    """A copy of the working tree's project and code (src/handoutkit, templates, styles,
    content, handoutkit.yaml) taken once: every measured process imports this handoutkit
    (PYTHONPATH) and the projects are made from it, so edits others make to the working tree
    during the run change neither the code measured nor the cache keys (they hash
    handoutkit's own code: an edit would make the no-op rebuild a full one)."""
    tree = work / "tree"
    shutil.copytree(
        REPO / "src" / "handoutkit",
        tree / "src" / "handoutkit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for folder in ("templates", "styles", "content"):  # defaults live next to src/
        shutil.copytree(REPO / folder, tree / folder)
    shutil.copy(REPO / "handoutkit.yaml", tree)
    sys.path.insert(0, str(tree / "src"))
    return tree


def env_for(pycache: Path, source: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(source)
    # Bytecode is cached (in a private folder) as in any installed copy; this sandbox sets
    # PYTHONDONTWRITEBYTECODE, which would make every process compile handoutkit again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["HANDOUTKIT_TODAY"] = TODAY
    env.pop("CI", None)
    return env


def render_html(root: Path, html_dir: Path) -> dict[str, str]:
    """The HTML handoutkit prints for each document, written to html_dir/<id>.html."""
    from handoutkit.content.loader import load_project
    from handoutkit.render.renderer import Renderer

    project = load_project(root)
    renderer = Renderer(project)
    html_dir.mkdir()
    names = {}
    for document in project.documents:
        html = renderer.render(document, "standard").html
        (html_dir / f"{document.model.id}.html").write_text(html, encoding="utf-8")
        names[document.model.id] = f"{document.topic}/{document.stem}.standard.letter.pdf"
    return names


def stylesheets(root: Path) -> list[str]:
    """The stylesheet files handoutkit's Printer uses for standard / letter, in its order."""
    from handoutkit.pdf.printer import PAPER_CSS
    from handoutkit.resources import find_style, stylesheet_names

    paths = [str(find_style(root, name)) for name in stylesheet_names("pdf", "standard")]
    paper = root / "bench-paper-letter.css"
    paper.write_text(PAPER_CSS["letter"], encoding="utf-8")
    return [*paths, str(paper)]


def weasyprint_facts(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json, weasyprint, pydyf\n"
        "from weasyprint.text import ffi\n"
        "print(json.dumps({'weasyprint': weasyprint.__version__, 'pydyf': pydyf.__version__,"
        " 'pango': '{}.{}.{}'.format(*divmod(ffi.pango.pango_version() // 100, 100),"
        " ffi.pango.pango_version() % 100),"
        " 'harfbuzz_subset': ffi.harfbuzz_subset is not None"
        " and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def machine_facts(env: dict[str, str]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PHYS_PAGES") * PAGE / 1024**3, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "pikepdf": metadata.version("pikepdf"),
    }
    facts.update(weasyprint_facts(env))
    return facts


def code_facts() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    changed = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "src_changes": changed}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def wait_for_low_load(limit: float | None, longest: float) -> None:
    if limit is None:
        return
    deadline = time.monotonic() + longest
    while load()[0] >= limit:
        if time.monotonic() > deadline:
            print(
                f"load average still {load()[0]:.2f} ≥ {limit}: measuring anyway", file=sys.stderr
            )
            return
        print(
            f"waiting for the load average to drop below {limit} (now {load()[0]:.2f})",
            file=sys.stderr,
        )
        time.sleep(20)


# --------------------------------------------------------------------------- the benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, help="documents for the speed rows (100)")
    parser.add_argument("--memory-docs", type=int, help="documents for memory (1000; 0: skip)")
    parser.add_argument("--sample", type=int, help="files for the weasyprint-command loop (10)")
    parser.add_argument("--repeat", type=int, help="runs of each speed row, fastest kept (2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="for development: 12 docs, 120 for memory, 3 samples, 1 run",
    )
    parser.add_argument(
        "--wait-load",
        type=float,
        default=None,
        metavar="L",
        help="wait until the 1-minute load average is below L before starting",
    )
    parser.add_argument("--wait-max", type=float, default=1800, help="longest wait, seconds")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--markdown", type=Path, help="write the table as Markdown to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    parser.add_argument(
        "--report", type=Path, metavar="JSON", help="measure nothing: show the run saved by --json"
    )
    parser.add_argument(
        "--no-stages",
        dest="stages",
        action="store_false",
        help="skip the per-stage breakdown (bench/stages.py) of a -j 1 build and a no-op",
    )
    args = parser.parse_args()
    if args.report:  # only show (and write) the report of an earlier run
        results = json.loads(args.report.read_text(encoding="utf-8"))
        results["verdicts"] = verdicts(results)
        show(results)
        if args.markdown:
            args.markdown.write_text(markdown(results), encoding="utf-8")
        return
    defaults = (12, 120, 3, 1) if args.quick else (100, 1000, 10, 2)
    for name, default in zip(("docs", "memory_docs", "sample", "repeat"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.sample = min(args.sample, args.docs)

    work = Path(tempfile.mkdtemp(prefix="handoutkit-bench-"))
    tree = snapshot_tree(work)
    env = env_for(work / "pycache", tree / "src")
    results: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "command": " ".join([".venv/bin/python", "bench/run.py", *sys.argv[1:]]),
        "docs": args.docs,
        "memory_docs": args.memory_docs,
        "repeat": args.repeat,
        "sample": args.sample,
    }
    try:
        results["machine"] = machine_facts(env)
        results["code"] = code_facts()
        say(f"machine: {results['machine']}")
        root = make_project(tree, work / "project", args.docs)
        check_clean(root, env)
        say(f"{args.docs} synthetic handouts in {root}: check clean")
        names = render_html(root, root / "bench-html")
        css = stylesheets(root)
        wait_for_low_load(args.wait_load, args.wait_max)
        results["load_at_start"] = load()
        results["runs"] = measure_speed(root, env, names, css, args)
        if args.stages:
            results["stages"] = measure_stages(root, env)
        if args.memory_docs:
            memory_root = make_project(tree, work / "memory", args.memory_docs)
            check_clean(memory_root, env)
            say(f"{args.memory_docs} synthetic handouts for the memory run: check clean")
            results["memory"] = measure_memory(memory_root, env, args.memory_docs)
            from sitebench import measure_site

            results["site"] = measure_site(
                memory_root, env, results["memory"]["seconds"], args.memory_docs
            )
        results["load_at_end"] = load()
        results["verdicts"] = verdicts(results)
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    show(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(results), encoding="utf-8")
    if not all(v["pass"] for v in results["verdicts"]):
        sys.exit(1)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary(result: Run, docs: int, **extra: Any) -> dict[str, Any]:
    return {
        "seconds": round(result.seconds, 3),
        "per_doc": result.seconds / docs,
        "load_before": [round(x, 2) for x in result.load_before],
        "load_after": [round(x, 2) for x in result.load_after],
        "own_cpu": round(result.own_cpu, 2),
        "others_cores": round(result.others_cores, 2),
        **extra,
    }


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    chosen = dict(min(runs, key=lambda r: r["seconds"]))
    chosen["all_seconds"] = [r["seconds"] for r in runs]
    return chosen


def measure_speed(
    root: Path, env: dict[str, str], names: dict[str, str], css: list[str], args: Any
) -> dict[str, Any]:
    n = args.docs
    out: dict[str, Any] = {}

    # the first build (also warms the bytecode cache and the file cache); then nothing changed
    result, report, _probe = handoutkit_build(root, env, "-j", "2")
    assert report["built"] == n, report
    out["first_build"] = summary(result, n)
    say(f"first build -j 2: {result.seconds:.1f} s")
    pages = {o["path"]: o["pages"] for o in report["outputs"]}

    noops = []
    for _ in range(args.repeat):
        result, report, probe = handoutkit_build(root, env, "-j", "2")
        assert report["skipped"] == n and report["built"] == 0, report
        noops.append(summary(result, n, report_seconds=report["seconds"], **probe))
        say(f"no-op rebuild: {result.seconds:.2f} s, WeasyPrint imported: {probe['weasyprint']}")
    out["noop"] = best(noops)

    j1, j2, raw = [], [], []
    for _ in range(args.repeat):
        for jobs, bucket in (("1", j1), ("2", j2)):
            result, report, probe = handoutkit_build(root, env, "-j", jobs, "--force")
            assert report["built"] == n, report
            workers = sum(role == "worker" for role in result.monitor.roles.values())
            bucket.append(
                summary(result, n, report_seconds=report["seconds"], workers_seen=workers)
            )
            say(f"full build -j {jobs}: {result.seconds:.1f} s (load {result.load_before[0]:.2f})")
        result = run(
            [
                sys.executable,
                str(BENCH / "raw_weasyprint.py"),
                "--base-url",
                root.as_uri() + "/",
                *(a for path in css for a in ("--css", path)),
                "--html-dir",
                str(root / "bench-html"),
                "--out-dir",
                str(root / "bench-raw"),
            ],
            root,
            env,
        )
        if result.returncode:
            sys.exit(f"raw WeasyPrint failed:\n{result.stderr[-4000:]}")
        detail = json.loads(result.stdout)
        assert detail["documents"] == n
        for doc_id, count in detail["pages"].items():  # the same documents, the same layout
            assert count == pages[names[doc_id]], (doc_id, count, pages[names[doc_id]])
        del detail["pages"]
        raw.append(summary(result, n, **detail))
        say(f"raw in-process WeasyPrint: {result.seconds:.1f} s")
    out["j1"], out["j2"], out["raw"] = best(j1), best(j2), best(raw)

    # the weasyprint command, once per file, on a sample of the same files
    sample = sorted(names)[: args.sample]
    loop_out = root / "bench-cli"
    loop_out.mkdir()
    runs = []
    for doc_id in sample:
        command = [
            str(WEASYPRINT),
            "-q",
            "--pdf-variant",
            "pdf/ua-1",
            "-u",
            root.as_uri() + "/",
            *(a for path in css for a in ("-s", path)),
            str(root / "bench-html" / f"{doc_id}.html"),
            str(loop_out / f"{doc_id}.pdf"),
        ]
        result = run(command, root, env)
        if result.returncode:
            sys.exit(f"weasyprint failed:\n{result.stderr[-4000:]}")
        runs.append(result)
    import pikepdf

    for doc_id in sample:
        with pikepdf.open(loop_out / f"{doc_id}.pdf") as pdf:
            assert len(pdf.pages) == pages[names[doc_id]], doc_id
    total = sum(r.seconds for r in runs)
    out["command_loop"] = {
        "sample": len(sample),
        "seconds": round(total, 3),
        "per_doc": total / len(sample),
        "extrapolated_seconds": round(total / len(sample) * n, 1),
        "load_before": [round(x, 2) for x in runs[0].load_before],
        "load_after": [round(x, 2) for x in runs[-1].load_after],
        "own_cpu": round(sum(r.own_cpu for r in runs), 2),
        "others_cores": round(sum(r.others_cpu for r in runs) / total, 2),
        "all_seconds": [round(r.seconds, 3) for r in runs],
    }
    say(f"weasyprint command: {total / len(sample):.2f} s per file")
    return out


def measure_stages(root: Path, env: dict[str, str]) -> dict[str, Any]:
    """bench/stages.py on the speed project: a -j 1 build, then a no-op, timed by stage."""
    found = {}
    for kind, extra in (("full", []), ("noop", ["--noop"])):
        result = run(
            [sys.executable, str(BENCH / "stages.py"), str(root), "--json", *extra], root, env
        )
        if result.returncode:
            sys.exit(f"bench/stages.py failed:\n{result.stderr[-4000:]}")
        found[kind] = json.loads(result.stdout)
        found[kind]["others_cores"] = round(result.others_cores, 2)
        say(f"stages ({kind}): {found[kind]['seconds']:.1f} s")
    return found


def measure_memory(root: Path, env: dict[str, str], n: int) -> dict[str, Any]:
    say(f"memory: building {n} documents with -j 2 …")
    result, report, _probe = handoutkit_build(root, env, "-j", "2", "--force", memory=True)
    assert report["built"] == n, report
    traces = sorted(result.monitor.workers.values(), key=lambda t: t.first_seen)
    # a process seen once or twice (a fork about to exec something else) is not a worker
    traces = [t for t in traces if len(t.samples) >= 3]
    quarter = max(len(traces) // 4, 1)
    first, last = traces[:quarter], traces[-quarter:]
    workers = [
        {
            "pid": t.pid,
            "from": round(t.first_seen, 1),
            "to": round(t.last_seen, 1),
            "samples": len(t.samples),
            "first_rss_mb": round(t.samples[0][1] / MB, 1),
            "peak_rss_mb": round(t.peak("rss") / MB, 1),
            "peak_pss_mb": round(t.peak("pss") / MB, 1),
            "peak_uss_mb": round(t.peak("uss") / MB, 1),
        }
        for t in traces
    ]

    def peak(group: list[WorkerTrace], kind: str) -> float:
        return max(t.peak(kind) for t in group) / MB

    return {
        **summary(result, n),
        "workers": len(traces),
        "peak_rss_mb": round(peak(traces, "rss"), 1),
        "peak_pss_mb": round(peak(traces, "pss"), 1),
        "peak_uss_mb": round(peak(traces, "uss"), 1),
        "median_peak_rss_mb": round(statistics.median(t.peak("rss") for t in traces) / MB, 1),
        "first_quarter_peak_rss_mb": round(peak(first, "rss"), 1),
        "last_quarter_peak_rss_mb": round(peak(last, "rss"), 1),
        "first_quarter_peak_uss_mb": round(peak(first, "uss"), 1),
        "last_quarter_peak_uss_mb": round(peak(last, "uss"), 1),
        "build_process_peak_rss_mb": round(result.monitor.root_peak_rss / MB, 1),
        "per_worker": workers,
    }


# --------------------------------------------------------------------------- the verdicts


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    runs = results["runs"]
    j1, j2, raw, noop, loop = (runs[k] for k in ("j1", "j2", "raw", "noop", "command_loop"))
    out = []

    def verdict(name: str, value: float, text: str, target: str, ok: bool) -> None:
        out.append({"name": name, "value": value, "text": text, "target": target, "pass": ok})

    speedup = loop["per_doc"] / j2["per_doc"]
    cores = min(2, results["machine"]["cpus"])
    bound = loop["per_doc"] / (raw["per_doc"] / cores)  # raw WeasyPrint, perfectly parallel
    verdict(
        "command loop ÷ build -j 2",
        speedup,
        f"{speedup:.1f}× (raw WeasyPrint on {cores} cores: {bound:.1f}×)",
        "≥ 8×",
        speedup >= TARGETS["command_loop_speedup"],
    )
    over = j1["per_doc"] / raw["per_doc"] - 1
    verdict(
        "build -j 1 over raw WeasyPrint",
        over,
        f"{over:+.1%}",
        "≤ +10 %",
        over <= TARGETS["over_raw"],
    )
    full = results.get("stages", {}).get("full")
    if full:  # the same comparison from one process's stage timers: immune to machine drift
        weasy = sum(
            row["seconds"]
            for row in full["stages"]
            if row["stage"].strip().startswith(("WeasyPrint", "import WeasyPrint", "Printer()"))
            or "parse stylesheets" in row["stage"]
        )
        from stages import whole_seconds

        own = whole_seconds(full) - weasy
        verdict(
            "handoutkit's own stages over WeasyPrint's (stages.py)",
            own / weasy,
            f"{own / weasy:+.1%} ({own / full['outputs'] * 1000:.0f} ms per output)",
            "≤ +10 %",
            own / weasy <= TARGETS["over_raw"],
        )
        checks = sum(row["seconds"] for row in full["stages"] if "preflight" in row["stage"])
        share = checks / whole_seconds(full)
        verdict(
            "print preflight ÷ build -j 1 (stages.py)",
            share,
            f"{share:.1%} ({checks / full['outputs'] * 1000:.1f} ms per output)",
            "≤ 5 %",
            share <= TARGETS["preflight"],
        )
    scaling = j1["per_doc"] / j2["per_doc"]
    verdict(
        "build -j 1 ÷ build -j 2",
        scaling,
        f"{scaling:.2f}×",
        "≥ 1.6×",
        scaling >= TARGETS["scaling"],
    )
    ratio = noop["seconds"] / j2["seconds"]
    verdict(
        "no-op ÷ full build (-j 2)",
        ratio,
        f"{ratio:.1%}",
        "≤ 3 %",
        ratio <= TARGETS["noop_ratio"] and not noop["weasyprint"] and not noop["forkserver"],
    )
    memory = results.get("memory")
    if memory:
        peak = memory["peak_rss_mb"]
        verdict(
            "peak RSS per worker", peak, f"{peak:.0f} MB", "≤ 150 MB", peak <= TARGETS["worker_mb"]
        )
        growth = memory["last_quarter_peak_rss_mb"] / memory["first_quarter_peak_rss_mb"] - 1
        verdict(
            "worker peak, last ¼ vs first ¼",
            growth,
            f"{growth:+.1%}",
            "flat (≤ +10 %)",
            growth <= TARGETS["flat"],
        )
    site = results.get("site")
    if site:
        verdict(
            f"site step ÷ PDF build ({site['docs']} documents)",
            site["ratio"],
            f"{site['ratio']:.1%} ({site['seconds']:.1f} s ÷ {site['pdf_build_seconds']:.0f} s)",
            "≤ 10 %",
            site["ratio"] <= TARGETS["site_ratio"],
        )
        browser = site.get("browser")
        if browser:
            home = browser["home_bytes"] or 0
            verdict(
                "site home page before any search",
                home,
                f"{home / 1000:.0f} kB ({', '.join(browser['home_files'] or [])})",
                "< 300 kB",
                0 < home < TARGETS["site_home_bytes"] and not browser["problems"],
            )
            slowest = browser["search_ms_max"]
            verdict(
                "site search in Chromium (slowest)",
                slowest if slowest is not None else -1,
                f"{slowest:.1f} ms (median {browser['search_ms_median']:.1f} ms; typing to list "
                f"≤ {browser['search_wall_ms_max']} ms; first, with loading and indexing: "
                f"{browser['first_search_wall_ms']} ms)"
                if slowest is not None
                else "no search ran",
                "< 100 ms",
                slowest is not None and slowest < TARGETS["site_search_ms"],
            )
    return out


# --------------------------------------------------------------------------- reporting


def _load(row: dict[str, Any]) -> str:
    return f"{row['load_before'][0]:.2f} → {row['load_after'][0]:.2f}"


def _wall(row: dict[str, Any], digits: int = 1) -> str:
    """The fastest run's wall time, and every run's when there were several."""
    text = f"{row['seconds']:.{digits}f} s"
    runs = row.get("all_seconds", [])
    if len(runs) > 1:
        text += " (" + ", ".join(f"{x:.{digits}f}" for x in runs) + ")"
    return text


def rows(results: dict[str, Any]) -> list[list[str]]:
    runs, n = results["runs"], results["docs"]
    noop = runs["noop"]
    loop = runs["command_loop"]
    table = [
        [
            "full build -j 1",
            _wall(runs["j1"]),
            f"{runs['j1']['per_doc']:.3f} s",
            _load(runs["j1"]),
            f"{runs['j1']['others_cores']:.2f}",
        ],
        [
            "full build -j 2",
            _wall(runs["j2"]),
            f"{runs['j2']['per_doc']:.3f} s",
            _load(runs["j2"]),
            f"{runs['j2']['others_cores']:.2f}",
        ],
        [
            f"no-op rebuild -j 2 (WeasyPrint imported: {'yes' if noop['weasyprint'] else 'no'}, "
            f"workers: {'yes' if noop['forkserver'] else 'no'})",
            _wall(noop, 2),
            f"{noop['per_doc'] * 1000:.1f} ms",
            _load(noop),
            f"{noop['others_cores']:.2f}",
        ],
        [
            "raw in-process WeasyPrint (1 process)",
            _wall(runs["raw"]),
            f"{runs['raw']['per_doc']:.3f} s",
            _load(runs["raw"]),
            f"{runs['raw']['others_cores']:.2f}",
        ],
        [
            f"`weasyprint` command loop ({loop['sample']} of {n} files, extrapolated)",
            f"{loop['extrapolated_seconds']:.1f} s",
            f"{loop['per_doc']:.3f} s",
            _load(loop),
            f"{loop['others_cores']:.2f}",
        ],
    ]
    memory = results.get("memory")
    if memory:
        table.append(
            [
                f"memory build -j 2, {results['memory_docs']} docs ({memory['workers']} workers)",
                f"{memory['seconds']:.1f} s",
                f"{memory['per_doc']:.3f} s",
                _load(memory),
                f"{memory['others_cores']:.2f}",
            ]
        )
    return table


def facts_line(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (
        f"{m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Linux {m['kernel']}; "
        f"Python {m['python']}, WeasyPrint {m['weasyprint']} (pydyf {m['pydyf']}, Pango "
        f"{m['pango']}), pikepdf {m['pikepdf']}; libharfbuzz-subset in use: "
        f"{'yes' if m['harfbuzz_subset'] else 'no'}; load average at start "
        f"{' '.join(f'{x:.2f}' for x in results['load_at_start'])}"
    )


def show(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 110))
    table = Table(title=f"handoutkit build, {results['docs']} documents (1 PDF each)")
    for column in ("measurement", "wall (all runs)", "per document", "load 1 min", "others' cores"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    for row in rows(results):
        table.add_row(*row)
    console.print(table)
    targets = Table(title="targets")
    for column in ("comparison", "result", "target", ""):
        targets.add_column(column)
    for v in results["verdicts"]:
        targets.add_row(
            v["name"], v["text"], v["target"], "[green]PASS[/]" if v["pass"] else "[red]FAIL[/]"
        )
    console.print(targets)
    memory = results.get("memory")
    if memory:
        console.print(memory_line(memory))
    console.print(facts_line(results))
    from stages import text_table

    for kind, stage in results.get("stages", {}).items():
        title = "no-op rebuild" if kind == "noop" else "full build -j 1"
        console.print(f"\nwhere the time goes, {title} (bench/stages.py):", highlight=False)
        console.print(text_table(stage), markup=False, highlight=False)


def memory_line(memory: dict[str, Any]) -> str:
    return (
        f"workers: peak RSS {memory['peak_rss_mb']:.0f} MB (median of worker peaks "
        f"{memory['median_peak_rss_mb']:.0f} MB), peak PSS {memory['peak_pss_mb']:.0f} MB, "
        f"peak USS {memory['peak_uss_mb']:.0f} MB; first ¼ of workers RSS "
        f"{memory['first_quarter_peak_rss_mb']:.0f} MB / USS "
        f"{memory['first_quarter_peak_uss_mb']:.0f} MB,"
        f" last ¼ RSS {memory['last_quarter_peak_rss_mb']:.0f} MB / USS "
        f"{memory['last_quarter_peak_uss_mb']:.0f} MB; build process peak RSS "
        f"{memory['build_process_peak_rss_mb']:.0f} MB"
    )


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "| measurement | wall: fastest (all runs) | per document | load (1 min) | others' cores |",
        "|---|--:|--:|--:|--:|",
        *("| " + " | ".join(row) + " |" for row in rows(results)),
        "",
        "| comparison | result | target | |",
        "|---|--:|--:|---|",
        *(
            f"| {v['name']} | {v['text']} | {v['target']} | {'PASS' if v['pass'] else 'FAIL'} |"
            for v in results["verdicts"]
        ),
        "",
    ]
    if results.get("memory"):
        lines += [memory_line(results["memory"]), ""]
    lines += [facts_line(results), ""]
    code = results["code"]
    lines += [
        f"Code: commit {code['commit']}, with the working tree's changes to "
        f"{', '.join(code['src_changes']) or 'nothing'} under src/.",
        "",
    ]
    from stages import text_table

    for kind, title in (("full", "full build -j 1"), ("noop", "no-op rebuild")):
        if results.get("stages", {}).get(kind):
            stage = results["stages"][kind]
            lines += [
                f"Where the time goes, {title} of {stage['outputs']} outputs "
                f"(bench/stages.py, in one process):",
                "",
                text_table(stage),
                "",
            ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
