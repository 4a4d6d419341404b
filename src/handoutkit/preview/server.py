"""`handoutkit preview`: a local server that rebuilds on change and reloads the page.

Three threads around one private output folder (a temporary folder, never the project's
`dist/`):

- the **builder** checks and builds the project with the ordinary in-process build
  (`build.build_project`, one job; its content-addressed cache keeps rebuilds incremental):
  first the HTML editions (fast: the page is up to date in about a second), then the PDFs. A
  change during the PDF pass interrupts it (what was built is kept) and starts a new round;
- the **watcher** (watchfiles) watches the content folder, templates/, styles/, assets/, the
  shared data files and handoutkit.yaml, and wakes the builder;
- the **server** (standard library, 127.0.0.1 only, GET and HEAD only) serves `/` (an index of
  the documents), `/doc/<topic>/<kind>.<lang>.<edition>.html` (the HTML edition with a preview
  toolbar and the live-reload script injected as it is served: the built file itself stays
  script-free), `/pdf/<topic>/<kind>.<lang>.<edition>.<paper>.pdf` and `/events` (Server-Sent
  Events).

Every page carries a token: a hash of what the page shows. `/events?page=PATH` sends the
current token of PATH whenever a build changes something; the page reloads when the token is
no longer its own, so an edit reloads exactly the pages it changes. Problems are shown in the
page as `path:line:col: severity: message — fix`; the last good output stays on view. Only
names that match a known document, edition and paper are served, from the preview folder.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import html
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from handoutkit.diagnostics import Diagnostic, Severity, one_line
from handoutkit.errors import ContentError, HandoutkitError
from handoutkit.names import DOCUMENT_FILE
from handoutkit.resources import CONFIG_NAME

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WATCHED_FOLDERS = ("templates", "styles", "assets")  # besides the content folder and files
KEEPALIVE_SECONDS = 15.0

_NAME = r"[a-z0-9][a-z0-9-]*"
_STEM = r"[a-z][a-z0-9-]*\.[a-z]{2,3}"
_DOC_PATH = re.compile(rf"^/doc/(?P<topic>{_NAME})/(?P<stem>{_STEM})\.(?P<edition>{_NAME})\.html$")
_PDF_PATH = re.compile(
    rf"^/pdf/(?P<topic>{_NAME})/(?P<stem>{_STEM})\.(?P<edition>{_NAME})\.(?P<paper>{_NAME})\.pdf$"
)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_PAPER_NAMES = {"letter": "Letter", "a4": "A4"}


class PreviewError(Exception):
    """The preview cannot start (e.g. its port is taken): a usage problem."""


class _Interrupted(Exception):
    """A change (or the end of the preview) arrived while the PDFs were being built."""


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class _Doc:
    shown: str  # content/demo/handout.en.yaml (as check prints it)
    topic: str
    stem: str  # handout.en
    title: str
    language: str
    kind: str
    loaded: bool


@dataclass(frozen=True)
class _Output:
    status: str  # built, skipped (unchanged) or failed
    problems: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class _Snapshot:
    """What the pages show; replaced whole after each build step (readers need no lock)."""

    name: str = "handoutkit project"
    editions: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    docs: tuple[_Doc, ...] = ()
    outputs: dict[str, _Output] = field(default_factory=dict)  # by output name
    diagnostics: tuple[Diagnostic, ...] = ()
    messages: tuple[str, ...] = ()  # problems that have no location (e.g. a bad PATH)
    internal: str = ""
    built_once: bool = False

    def doc(self, topic: str, stem: str) -> _Doc | None:
        return next((d for d in self.docs if d.topic == topic and d.stem == stem), None)

    def problems(self, doc: _Doc | None = None, edition: str = "") -> list[Diagnostic]:
        """The problems of the project, or those that concern a document (or one edition of
        it): its own, the shared ones, and those of its outputs (e.g. a template error);
        sorted, each once. The build's "not built" notes are left out: pages say so anyway."""
        shown = {d.shown for d in self.docs}
        found = [
            d
            for d in self.diagnostics
            if doc is None or d.location.path == doc.shown or d.location.path not in shown
        ]
        prefix = f"{doc.topic}/{doc.stem}.{edition + '.' if edition else ''}" if doc else ""
        for name, output in sorted(self.outputs.items()):
            if name.startswith(prefix):
                found.extend(p for p in output.problems if p.rule != "build")
        unique = {str(d): d for d in found}
        return sorted(unique.values(), key=lambda d: (d.location, d.severity != Severity.ERROR))


@dataclass
class _Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- the preview


class Preview:
    """The preview of one project: `start()`, then `wait()` or use it; `close()` at the end."""

    def __init__(
        self,
        root: Path,
        *,
        selected: Sequence[Path] = (),
        today: Callable[[], dt.date] = dt.date.today,
        port: int = DEFAULT_PORT,
        out_dir: Path | None = None,
        debug: bool = False,
        report: Callable[[str], None] | None = None,
        status: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.selected = [Path(p) for p in selected]
        self.today = today
        self.port = port
        self.debug = debug
        self._report = report or (lambda line: print(line, flush=True))
        self._status_line = status or (lambda line: print(line, file=sys.stderr, flush=True))
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        self.out_dir = out_dir
        self.session = secrets.token_hex(8)
        self._placeholder = f"hk-preview-{secrets.token_hex(8)}"
        self.snapshot = _Snapshot()
        self.status = "starting…"
        self.version = 0  # counts changes of snapshot or status, for /events
        self._changed = threading.Condition()
        self._wake = threading.Event()  # something changed on disk: build again
        self._closing = threading.Event()
        self.watching = threading.Event()  # the watcher is running (for tests)
        self._config_names: tuple[str, ...] = ("content",)  # content, then shared data files
        self._output_name = "dist"
        self._printed: list[str] | None = None
        self._round_printed = False
        self._last_internal = ""
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    # ----------------------------------------------------------------- life cycle

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> Preview:
        try:
            server = _Server((HOST, self.port), _Handler)
        except OSError as exc:
            raise PreviewError(_bind_problem(self.port, exc)) from None
        server.preview = self
        self._server = server
        self.port = server.server_address[1]
        if self.out_dir is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="handoutkit-preview-")
            self.out_dir = Path(self._own_dir.name)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._wake.set()  # the first build
        for name, target in (
            ("http", lambda: server.serve_forever(poll_interval=0.1)),
            ("build", self._build_loop),
            ("watch", self._watch_loop),
        ):
            thread = threading.Thread(target=target, name=f"handoutkit-preview-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait(self) -> None:
        """Serve until `close()` (from another thread) or Ctrl+C (KeyboardInterrupt)."""
        while not self._closing.wait(0.5):
            pass

    def close(self) -> None:
        self._closing.set()
        self._wake.set()
        self._notify()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=60)
        self._threads = []
        if self._own_dir is not None:
            self._own_dir.cleanup()
            self._own_dir = None

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def host_allowed(self, host: str | None) -> bool:
        """Only requests addressed to this server (no DNS rebinding from a web page)."""
        if host is None:
            return True  # not a browser: browsers always send Host
        name, _, port = host.strip().lower().rpartition(":")
        if not name or not port.isdigit():
            name, port = host.strip().lower(), str(self.port)
        return name in (HOST, "localhost") and port == str(self.port)

    # ----------------------------------------------------------------- state changes

    def _publish(self, snapshot: _Snapshot | None = None, status: str | None = None) -> None:
        with self._changed:
            if snapshot is not None:
                self.snapshot = snapshot
            if status is not None:
                self.status = one_line(status)
            self.version += 1
            self._changed.notify_all()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until the version passes `seen`, the preview closes or `timeout` passes."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.version != seen or self._closing.is_set(), timeout=timeout
            )
            return self.version

    @property
    def closing(self) -> bool:
        return self._closing.is_set()

    # ----------------------------------------------------------------- building

    def _build_loop(self) -> None:
        while True:
            self._wake.wait()
            if self._closing.is_set():
                return
            self._wake.clear()
            try:
                self._build_round()
            except _Interrupted:
                pass
            except Exception as exc:  # a bug in handoutkit: report it once, keep serving
                self._internal_error(exc)

    def _build_round(self) -> None:
        from handoutkit.render.htmledition import screen_stylesheet

        started = time.perf_counter()
        self._round_printed = False
        self._publish(status="building…")
        screen_stylesheet.cache_clear()  # cached per process: this one lives on
        counts = {"built": 0, "skipped": 0, "failed": 0}
        # 1. check, and the HTML editions: quick, so the page is soon up to date
        if not self._build_step("html", counts, give_way=False):
            return
        self._print_problems()  # now, not after the PDFs
        self._publish(status="building the PDFs…")
        # 2. the PDFs, given up as soon as something changes (what was built is kept)
        if self._build_step("pdf", counts, give_way=True):
            self._finish(counts, time.perf_counter() - started)

    def _build_step(self, fmt: str, counts: dict[str, int], *, give_way: bool) -> bool:
        """Load, check and build one format; False when the project did not load.

        Raises `_Interrupted` when the preview closes or, with `give_way`, when something
        changed meanwhile; the outputs built until then are kept in the manifest (the cache).
        """
        from handoutkit.build.manifest import update_manifest
        from handoutkit.build.run import Selection, build_project

        assert self.out_dir is not None
        project = self._load()
        if project is None:
            return False
        done: list[Any] = []

        def progress(result: Any) -> None:
            done.append(result)
            if self._closing.is_set() or (give_way and self._wake.is_set()):
                raise _Interrupted

        try:
            report = build_project(
                project,
                self.out_dir,
                today=self.today(),
                selection=Selection(formats=(fmt,)),
                whole_project=not self.selected,
                jobs=1,
                progress=progress,
            )
        except _Interrupted:
            if done:
                update_manifest(self.out_dir, project, done)
            self._take(project, None, done, fmt, counts, partial=True)
            raise
        self._take(project, report.diagnostics, report.results, fmt, counts)
        return True

    def _load(self) -> Any:
        """The project, or None after publishing why it did not load."""
        from handoutkit.content.loader import load_project

        try:
            project = load_project(self.root, self.selected)
        except HandoutkitError as exc:  # handoutkit.yaml itself, or a PATH, is wrong
            diagnostics = tuple(exc.diagnostics) if isinstance(exc, ContentError) else ()
            messages = () if diagnostics else tuple(str(exc).splitlines())
            snapshot = replace(
                self.snapshot, diagnostics=diagnostics, messages=messages, internal=""
            )
            self._publish(snapshot)
            self._finish({}, None)
            return None
        config = project.config
        self._config_names = (
            config.content,
            config.references,
            config.crisis_resources,
            config.disclaimers,
        )
        self._output_name = config.output
        return project

    def _take(
        self,
        project: Any,
        diagnostics: Sequence[Diagnostic] | None,
        results: Sequence[Any],
        fmt: str,
        counts: dict[str, int],
        *,
        partial: bool = False,
    ) -> None:
        """Publish a build step's documents, problems and outputs."""
        old = self.snapshot
        titles = {d.shown: d.title for d in old.docs}
        docs = [
            _Doc(d.shown, d.topic, d.stem, d.model.title, d.model.language, d.model.type, True)
            for d in project.documents
        ]
        for shown in project.unloaded:
            docs.append(_unloaded_doc(shown, titles.get(shown)))
        docs.sort(key=lambda d: (d.topic, d.stem))
        outputs = dict(old.outputs)
        if not partial:  # this step planned every output of its format: forget the others
            outputs = {name: o for name, o in outputs.items() if not name.endswith(f".{fmt}")}
        for result in results:
            outputs[result.spec.name] = _Output(result.status, tuple(result.problems))
            counts[result.status] = counts.get(result.status, 0) + 1
        config = project.config
        self._publish(
            replace(
                old,
                name=config.organization.name,
                editions=tuple(config.editions),
                papers=tuple(config.paper_sizes),
                docs=tuple(docs),
                outputs=outputs,
                diagnostics=old.diagnostics if diagnostics is None else tuple(diagnostics),
                messages=(),
                internal="",
                built_once=old.built_once or not partial,
            )
        )

    def _print_problems(self) -> bool:
        """Print the problems, compiler-style, when they changed since last printed."""
        snapshot = self.snapshot
        lines = [str(d) for d in snapshot.problems()] + list(snapshot.messages)
        if lines == self._printed:
            return False
        for line in lines:
            self._report(line)
        self._printed = lines
        self._round_printed = True
        return True

    def _finish(self, counts: dict[str, int], seconds: float | None) -> None:
        """Console: the problems when they changed, and a summary; the pages: the status."""
        printed = self._print_problems() or self._round_printed
        snapshot = self.snapshot
        diagnostics = snapshot.problems()
        error_count = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = len(diagnostics) - error_count
        errors = error_count + len(snapshot.messages)
        summary = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
        if seconds is not None:
            built = f"{counts.get('built', 0)} built, {counts.get('skipped', 0)} unchanged"
            summary = f"{built}, {counts.get('failed', 0)} failed; {summary}"
        if printed or counts.get("built") or counts.get("failed"):
            when = time.strftime("%H:%M:%S")
            took = f" in {seconds:.1f} s" if seconds is not None else ""
            self._status_line(f"{when} preview rebuilt{took}: {summary}")
        self._last_internal = ""
        state = "up to date" if not errors else "problems: see below"
        self._publish(status=f"{state} — {summary} ({time.strftime('%H:%M:%S')})")

    def _internal_error(self, exc: BaseException, during: str = "while building") -> None:
        text = one_line(f"internal error {during}: {type(exc).__name__}: {exc}")
        if text != self._last_internal:  # once, not at every rebuild
            self._last_internal = text
            if self.debug:
                traceback.print_exception(exc)
            self._status_line(
                f"handoutkit preview: {text}\nThis is a bug in handoutkit, not in your content; "
                "the preview goes on. Rerun with --debug for details."
            )
        if during == "while building":
            self._publish(replace(self.snapshot, internal=text), status="internal error")

    # ----------------------------------------------------------------- watching

    def watch_targets(self) -> tuple[Path, ...]:
        """Existing folders and files whose change means a rebuild (none inside another)."""
        names = [self._config_names[0], *WATCHED_FOLDERS, CONFIG_NAME, *self._config_names[1:]]
        paths: list[Path] = []
        for name in names:
            path = Path(os.path.normpath(self.root / name))
            if path.exists() and path not in paths:
                paths.append(path)
        folders = [p for p in paths if p.is_dir()]
        return tuple(
            sorted(p for p in paths if not any(f != p and p.is_relative_to(f) for f in folders))
        )

    def _watch_loop(self) -> None:
        import watchfiles

        restarted = False
        while not self._closing.is_set():
            targets = self.watch_targets()
            if not targets:  # even handoutkit.yaml is gone: wait for it to come back
                self._closing.wait(0.5)
                restarted = True
                continue
            files = {str(p) for p in targets if not p.is_dir()}
            ignored = [str(self.out_dir), os.path.normpath(self.root / self._output_name)]
            ready = False
            try:
                for changes in watchfiles.watch(
                    *targets,
                    watch_filter=watchfiles.DefaultFilter(ignore_paths=ignored),
                    stop_event=self._closing,
                    rust_timeout=500,
                    yield_on_timeout=True,
                    raise_interrupt=False,
                ):
                    if not ready:
                        ready = True
                        self.watching.set()
                        if restarted:  # changes while no watcher ran: look again
                            self._wake.set()
                    if changes:
                        self._wake.set()
                        if files & {path for _change, path in changes}:
                            break  # a watched file was replaced (editors do): watch the new one
                    if self.watch_targets() != targets:
                        break  # a folder appeared or went, or the config moved content
            except Exception as exc:  # e.g. a folder removed while the watcher started
                if self._closing.is_set():
                    return
                if not isinstance(exc, OSError):
                    self._internal_error(exc, "while watching files")
                self._closing.wait(0.5)
            restarted = True

    # ----------------------------------------------------------------- pages

    def respond(self, path: str) -> _Response:
        """The answer to GET `path` (already percent-decoded, without the query)."""
        page = self._page(path)
        if isinstance(page, _Response):
            return page
        status, text = page
        nonce = secrets.token_urlsafe(16)
        text = text.replace(self._placeholder + "-token", self._token(text))
        text = text.replace(self._placeholder + "-nonce", nonce)
        text = text.replace(self._placeholder + "-status", html.escape(self.status))
        csp = (
            "default-src 'none'; img-src data:; font-src data:; media-src data:; "
            f"style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
        return _Response(
            status,
            "text/html; charset=utf-8",
            text.encode(errors="replace"),
            {"Content-Security-Policy": csp},
        )

    def token(self, path: str) -> str:
        """The token of the page at `path`: changes exactly when the page would."""
        page = self._page(path)
        if isinstance(page, _Response):
            return hashlib.sha256(self.session.encode() + page.body).hexdigest()[:24]
        return self._token(page[1])

    def _token(self, text: str) -> str:
        digest = hashlib.sha256(f"{self.session}\0{text}".encode(errors="replace"))
        return digest.hexdigest()[:24]

    def _page(self, path: str) -> tuple[int, str] | _Response:
        """(status, page text with placeholders) for pages; a ready response otherwise."""
        snapshot = self.snapshot
        if path in ("/", "/index.html"):
            return 200, self._index(snapshot)
        match = _DOC_PATH.match(path)
        if match:
            doc = snapshot.doc(match["topic"], match["stem"])
            if doc is not None and match["edition"] in snapshot.editions:
                return 200, self._document(snapshot, doc, match["edition"])
        match = _PDF_PATH.match(path)
        if match:
            doc = snapshot.doc(match["topic"], match["stem"])
            edition, paper = match["edition"], match["paper"]
            if doc is not None and edition in snapshot.editions and paper in snapshot.papers:
                name = f"{doc.topic}/{doc.stem}.{edition}.{paper}.pdf"
                data = self._read(name)
                if data is not None:
                    return _Response(
                        200,
                        "application/pdf",
                        data,
                        {"Content-Disposition": f'inline; filename="{name.rsplit("/", 1)[1]}"'},
                    )
        return _Response(
            404,
            "text/html; charset=utf-8",
            _shell(
                "Not found",
                '<h1>Not found</h1><p><a href="/">All documents</a></p>',
                "",
            ).encode(),
        )

    def _read(self, name: str) -> bytes | None:
        """An output of the preview folder by its checked name; None when absent."""
        assert self.out_dir is not None
        folder = self.out_dir.resolve()
        path = (folder / name).resolve()
        if not path.is_relative_to(folder):
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _script(self) -> str:
        return (
            f'<script nonce="{self._placeholder}-nonce">\n'
            "(() => {\n"
            f'  const token = "{self._placeholder}-token";\n'
            '  const status = document.getElementById("hk-preview-status");\n'
            "  const events = new EventSource("
            '"/events?page=" + encodeURIComponent(location.pathname));\n'
            '  events.addEventListener("page", (event) => {\n'
            "    if (event.data !== token) { events.close(); location.reload(); }\n"
            "  });\n"
            '  events.addEventListener("status", (event) => {\n'
            "    status.textContent = event.data;\n"
            "  });\n"
            "  events.onerror = () => {\n"
            '    status.textContent = "the preview server does not answer: reconnecting…";\n'
            "  };\n"
            "})();\n"
            "</script>\n"
        )

    def _status_html(self) -> str:
        return (
            '<span id="hk-preview-status" class="hk-status" role="status">'
            f"{self._placeholder}-status</span>"
        )

    def _index(self, snapshot: _Snapshot) -> str:
        problems = self._problems(snapshot, snapshot.problems(), "")
        rows = []
        for doc in snapshot.docs:
            links = []
            for edition in snapshot.editions:
                pdfs = []
                for paper in snapshot.papers:
                    name = f"{doc.topic}/{doc.stem}.{edition}.{paper}.pdf"
                    pdfs.append(self._pdf_link(snapshot, name, paper))
                links.append(
                    f'<li><a href="{_doc_url(doc, edition)}">{_e(edition)} (HTML)</a>'
                    f" · PDF: {' '.join(pdfs)}</li>"
                )
            first = _doc_url(doc, snapshot.editions[0]) if snapshot.editions else "/"
            rows.append(
                "<tr>"
                f'<th scope="row"><a href="{first}">{_e(doc.title)}</a>'
                f'<br><span class="hk-path">{_e(doc.shown)}</span></th>'
                f"<td>{_e(doc.language)}</td><td>{_e(doc.kind)}</td>"
                f"<td>{self._doc_status(snapshot, doc)}</td>"
                f'<td><ul class="hk-links">{"".join(links)}</ul></td>'
                "</tr>"
            )
        if rows:
            table = (
                "<table><caption>Documents</caption><thead><tr>"
                '<th scope="col">Document</th><th scope="col">Language</th>'
                '<th scope="col">Kind</th><th scope="col">Last build</th>'
                '<th scope="col">Editions</th></tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
        elif problems:
            table = "<p>No documents to show until the problems above are fixed.</p>"
        elif snapshot.built_once:
            table = (
                "<p>No documents yet: add one as "
                "content/&lt;topic&gt;/&lt;kind&gt;.&lt;lang&gt;.yaml</p>"
            )
        else:
            table = "<p>Building… this page reloads when the documents are ready.</p>"
        body = (
            f"<header><h1>Preview: {_e(snapshot.name)}</h1>"
            f"<p>{self._status_html()}</p></header><main>{problems}{table}</main>"
        )
        return _shell(f"Preview: {snapshot.name}", body, self._script())

    def _document(self, snapshot: _Snapshot, doc: _Doc, edition: str) -> str:
        html_name = f"{doc.topic}/{doc.stem}.{edition}.html"
        pdfs = [
            self._pdf_link(snapshot, f"{doc.topic}/{doc.stem}.{edition}.{paper}.pdf", paper)
            for paper in snapshot.papers
        ]
        others = [
            f'<a href="{_doc_url(doc, other)}">{_e(other)}</a>'
            for other in snapshot.editions
            if other != edition
        ]
        own = snapshot.problems(doc, edition)
        page = self._read(html_name)
        note = "showing the last good version" if page is not None else "not built yet"
        banner = (
            f'<div id="hk-preview" lang="en" role="region" aria-label="Preview">'
            f"<style>{_BANNER_CSS}</style>"
            f'<p class="hk-bar"><a href="/">All documents</a>'
            f" <span>{_e(edition)} edition</span>"
            f" <span>PDF: {' '.join(pdfs)}</span>"
            + (f" <span>Other editions: {' '.join(others)}</span>" if others else "")
            + f" {self._status_html()}</p>"
            f"{self._problems(snapshot, own, note)}</div>"
        )
        if page is None:
            body = (
                f'{banner}<main><h1 lang="{_e(doc.language)}">{_e(doc.title)}</h1>'
                "<p>This edition has not been built yet.</p></main>"
            )
            return _shell(doc.title, body, self._script())
        text = page.decode("utf-8", errors="replace")
        opening = _BODY_OPEN.search(text)
        at = opening.end() if opening else 0
        text = text[:at] + banner + text[at:]
        closings = list(_BODY_CLOSE.finditer(text))
        at = closings[-1].start() if closings else len(text)
        return text[:at] + self._script() + text[at:]

    def _pdf_link(self, snapshot: _Snapshot, name: str, paper: str) -> str:
        label = _PAPER_NAMES.get(paper, paper)
        assert self.out_dir is not None
        output = snapshot.outputs.get(name)
        if (self.out_dir / name).is_file():
            failed = output is not None and output.status == "failed"
            failed_note = " (failed: the last good one)" if failed else ""
            return f'<a href="/pdf/{quote(name)}">{_e(label)}</a>{failed_note}'
        if output is not None and output.status == "failed":
            return f"{_e(label)} (not built: see the problems)"
        return f"{_e(label)} (not built yet)"

    def _doc_status(self, snapshot: _Snapshot, doc: _Doc) -> str:
        prefix = f"{doc.topic}/{doc.stem}."
        outputs = [o for name, o in snapshot.outputs.items() if name.startswith(prefix)]
        unique = snapshot.problems(doc)
        errors = sum(d.severity is Severity.ERROR for d in unique) + len(snapshot.messages)
        warnings = len(unique) - sum(d.severity is Severity.ERROR for d in unique)
        failed = any(o.status == "failed" for o in outputs)
        if not doc.loaded:
            text, kind = f"could not be read: {_count(errors, 'error')}", "error"
        elif errors:
            text, kind = f"{_count(errors, 'error')}: showing the last good version", "error"
        elif failed:
            text, kind = "not built: showing the last good version", "error"
        elif not outputs:
            text, kind = "not built yet", ""
        elif warnings:
            text, kind = f"built, {_count(warnings, 'warning')}", "warning"
        else:
            text, kind = "built", "ok"
        return f'<span class="hk-{kind or "none"}">{_e(text)}</span>'

    def _problems(self, snapshot: _Snapshot, ordered: list[Diagnostic], note: str) -> str:
        items = [
            f'<li class="hk-{d.severity.value}"><code>{_e(str(d))}</code></li>' for d in ordered
        ]
        items += [f'<li class="hk-error"><code>{_e(m)}</code></li>' for m in snapshot.messages]
        if snapshot.internal:
            items.append(
                f'<li class="hk-error"><code>{_e(snapshot.internal)}</code> — a bug in '
                "handoutkit, not in your content (see the console)</li>"
            )
        if not items:
            return ""
        errors = sum(d.severity is Severity.ERROR for d in ordered) + len(snapshot.messages)
        errors += bool(snapshot.internal)
        counted = f"{_count(errors, 'error')}, {_count(len(items) - errors, 'warning')}"
        shown = f": {note}" if note and errors else ""
        return (
            f'<div class="hk-problems"><p><strong>{counted}</strong>{_e(shown)}</p>'
            f"<ul>{''.join(items)}</ul></div>"
        )


# --------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if exc is None or isinstance(exc, ConnectionError | TimeoutError):
            return  # the browser went away (a closed tab, a reload)
        self.preview._internal_error(exc, "while answering a request")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "handoutkit-preview"
    sys_version = ""
    timeout = 60

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the build messages

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _refuse(self) -> None:
        allow = {"Allow": "GET, HEAD"}
        self._send(_Response(405, "text/plain; charset=utf-8", b"only GET and HEAD\n", allow))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def _answer(self, *, send_body: bool) -> None:
        preview = self.server.preview
        if not preview.host_allowed(self.headers.get("Host")):
            self._send(
                _Response(403, "text/plain; charset=utf-8", b"wrong Host\n"), send_body=send_body
            )
            return
        parts = urlsplit(self.path)
        path = unquote(parts.path, errors="replace")  # a bad escape matches no page: 404
        if path == "/events":
            page = parse_qs(parts.query, errors="replace").get("page", ["/"])[0]
            self._events(page, send_body=send_body)
            return
        self._send(preview.respond(path), send_body=send_body)

    def _send(self, response: _Response, *, send_body: bool = True) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def _events(self, page: str, *, send_body: bool) -> None:
        """Server-Sent Events: the page's token when it changes, and the build status."""
        preview = self.server.preview
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not send_body:
            return
        self.wfile.write(b"retry: 1000\n\n")
        seen, token, status = -1, None, None
        while not preview.closing:
            version = preview.wait_for_change(seen, KEEPALIVE_SECONDS)
            if preview.closing:
                return
            message = b""
            if version != seen:
                seen = version
                current = preview.token(page)
                if current != token:
                    token = current
                    message += f"event: page\ndata: {token}\n\n".encode()
                if preview.status != status:
                    status = preview.status
                    message += f"event: status\ndata: {status}\n\n".encode(errors="replace")
            self.wfile.write(message or b": still here\n\n")
            self.wfile.flush()


# --------------------------------------------------------------------------- helpers


def _bind_problem(port: int, exc: OSError) -> str:
    where = f"cannot listen on {HOST}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"{where}: the port is in use (another preview or server?) — stop it, or pass "
            "--port with another number (--port 0 picks a free one)"
        )
    if exc.errno == errno.EACCES:
        return f"{where}: permission denied — use a port above 1023, e.g. --port 8000"
    return f"{where}: {exc.strerror or exc} — pass --port with another number"


def _unloaded_doc(shown: str, title: str | None) -> _Doc:
    path = Path(shown)
    match = DOCUMENT_FILE.match(path.name)
    kind, language = (match["kind"], match["lang"]) if match else ("?", "?")
    stem = path.name.rsplit(".", 1)[0]
    return _Doc(shown, path.parent.name, stem, title or path.name, language, kind, False)


def _doc_url(doc: _Doc, edition: str) -> str:
    return f"/doc/{quote(doc.topic)}/{quote(doc.stem)}.{quote(edition)}.html"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_BANNER_CSS = """
#hk-preview { all: initial; display: block; box-sizing: border-box; margin: 0 0 1rem;
  padding: .5rem 1rem; border-bottom: 3px solid #1a4d80; background: #f3f6fa; color: #111;
  font: 16px/1.5 system-ui, sans-serif; }
#hk-preview * { font: inherit; color: inherit; }
#hk-preview a { color: #0b4a8b; text-decoration: underline; }
#hk-preview p, #hk-preview ul { margin: .25rem 0; padding: 0; }
#hk-preview .hk-bar > * + * { margin-left: 1rem; }
#hk-preview .hk-status { font-style: italic; color: #333; }
#hk-preview ul { list-style: none; }
#hk-preview code { font-family: ui-monospace, monospace; white-space: pre-wrap;
  word-break: break-word; }
#hk-preview .hk-error { color: #a00000; }
#hk-preview .hk-warning { color: #6b4700; }
#hk-preview strong { font-weight: bold; }
"""

_PAGE_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; color: #111; background: #fff; margin: 0 auto;
  max-width: 75rem; padding: 1rem; }
a { color: #0b4a8b; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem;
  border-bottom: 1px solid #ccc; }
thead th { border-bottom: 2px solid #333; }
ul { margin: 0; padding: 0; list-style: none; }
code { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
.hk-path { font-weight: normal; font-size: .875rem; color: #444; }
.hk-status { font-style: italic; color: #333; }
.hk-problems { border-left: 4px solid #a00000; padding: .25rem 1rem; margin: 1rem 0;
  background: #fdf3f3; }
.hk-error { color: #a00000; }
.hk-warning { color: #6b4700; }
.hk-ok { color: #1d6b2a; }
"""


def _shell(title: str, body: str, script: str, *, lang: str = "en") -> str:
    """A complete preview page (index, placeholder, not found)."""
    return (
        f'<!doctype html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_PAGE_CSS}</style></head>"
        f"<body>{body}{script}</body></html>\n"
    )
