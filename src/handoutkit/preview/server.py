"""`handoutkit preview`: a local server that rebuilds on change and reloads the page.

Three threads around one private output folder (a temporary folder, never the project's
`dist/`): the **builder** and the **watcher** (see `preview.builder`), and the **server**
here (standard library, 127.0.0.1 only, GET and HEAD only). It serves `/` (an index of the
documents), `/doc/<topic>/<kind>.<lang>.<edition>.html` (the HTML edition with a preview
toolbar and the live-reload script injected as it is served: the built file itself stays
script-free), `/pdf/<topic>/<kind>.<lang>.<edition>.<paper>.pdf`, `/site/...` (the library site of
`build --format site`, drafts included, made after each build) and `/events` (Server-Sent
Events). The pages themselves are made by `preview.pages`.

Every page carries a token: a hash of what the page shows. `/events?page=PATH` sends the
current token of PATH whenever a build changes something; the page reloads when the token is
no longer its own, so an edit reloads exactly the pages it changes. Problems are shown in the
page as `path:line:col: severity: message — fix`; the last good output stays on view. Only
names that match a known document, edition and paper are served, from the preview folder,
and only to requests addressed to this server (no DNS rebinding from a web page).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import re
import secrets
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from handoutkit.preview.builder import Builder, Watcher
from handoutkit.preview.pages import Pages
from handoutkit.preview.state import OutputFolder, PreviewState, Snapshot

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
KEEPALIVE_SECONDS = 15.0

_NAME = r"[a-z0-9][a-z0-9-]*"
_STEM = r"[a-z][a-z0-9-]*\.[a-z]{2,3}"
_DOC_PATH = re.compile(rf"^/doc/(?P<topic>{_NAME})/(?P<stem>{_STEM})\.(?P<edition>{_NAME})\.html$")
_PDF_PATH = re.compile(
    rf"^/pdf/(?P<topic>{_NAME})/(?P<stem>{_STEM})\.(?P<edition>{_NAME})\.(?P<paper>{_NAME})\.pdf$"
)


class PreviewError(Exception):
    """The preview cannot start (e.g. its port is taken): a usage problem."""


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


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
        self.out_dir = out_dir
        self.debug = debug
        self._report = report or (lambda line: print(line, flush=True))
        self._status_line = status or (lambda line: print(line, file=sys.stderr, flush=True))
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        self.session = secrets.token_hex(8)  # tokens of one preview are not another's
        self.state = PreviewState()
        self._builder: Builder | None = None
        self._pages: Pages | None = None
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
        folder = OutputFolder(self.out_dir)
        builder = Builder(
            self.root,
            folder,
            self.state,
            selected=self.selected,
            today=self.today,
            debug=self.debug,
            report=self._report,
            status_line=self._status_line,
        )
        self._builder = builder
        self._pages = Pages(self.root, folder)
        self.state.wake.set()  # the first build
        for name, target in (
            ("http", lambda: server.serve_forever(poll_interval=0.1)),
            ("build", builder.run),
            ("watch", Watcher(builder).run),
        ):
            thread = threading.Thread(target=target, name=f"handoutkit-preview-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait(self) -> None:
        """Serve until `close()` (from another thread) or Ctrl+C (KeyboardInterrupt)."""
        while not self.state.closing.wait(0.5):
            pass

    def close(self) -> None:
        self.state.close()
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

    # ----------------------------------------------------------------- shared state

    @property
    def snapshot(self) -> Snapshot:
        return self.state.snapshot

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def version(self) -> int:
        return self.state.version

    @property
    def watching(self) -> threading.Event:
        return self.state.watching

    @property
    def closing(self) -> bool:
        return self.state.closing.is_set()

    def internal_error(self, exc: BaseException, during: str) -> None:
        if self._builder is not None:
            self._builder.internal_error(exc, during)

    # ----------------------------------------------------------------- requests

    def host_allowed(self, host: str | None) -> bool:
        """Only requests addressed to this server (no DNS rebinding from a web page)."""
        if host is None:
            return True  # not a browser: browsers always send Host
        name, _, port = host.strip().lower().rpartition(":")
        if not name or not port.isdigit():
            name, port = host.strip().lower(), str(self.port)
        return name in (HOST, "localhost") and port == str(self.port)

    def respond(self, path: str) -> Response:
        """The answer to GET `path` (already percent-decoded, without the query)."""
        page = self._page(path)
        if isinstance(page, Response):
            return page
        status, text = page
        nonce = secrets.token_urlsafe(16)
        text = self._started_pages().fill(
            text, token=self._token(text), nonce=nonce, status=self.status
        )
        csp = (
            "default-src 'none'; img-src data:; font-src data:; media-src data:; "
            f"style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
        return Response(
            status,
            "text/html; charset=utf-8",
            text.encode(errors="replace"),
            {"Content-Security-Policy": csp},
        )

    def token(self, path: str) -> str:
        """The token of the page at `path`: changes exactly when the page would."""
        page = self._page(path)
        if isinstance(page, Response):
            return hashlib.sha256(self.session.encode() + page.body).hexdigest()[:24]
        return self._token(page[1])

    def _token(self, text: str) -> str:
        digest = hashlib.sha256(f"{self.session}\0{text}".encode(errors="replace"))
        return digest.hexdigest()[:24]

    def _started_pages(self) -> Pages:
        if self._pages is None:
            raise RuntimeError("the preview answers requests only once started")
        return self._pages

    def _page(self, path: str) -> tuple[int, str] | Response:
        """(status, page text with placeholders) for pages; a ready response otherwise."""
        pages = self._started_pages()
        snapshot = self.state.snapshot
        if path in ("/", "/index.html"):
            return 200, pages.index(snapshot)
        match = _DOC_PATH.match(path)
        if match:
            doc = snapshot.doc(match["topic"], match["stem"])
            if doc is not None and match["edition"] in snapshot.editions:
                return 200, pages.document(snapshot, doc, match["edition"])
        if path == "/site" or path.startswith("/site/"):
            return self._site_file(path.removeprefix("/site").lstrip("/") or "index.html")
        match = _PDF_PATH.match(path)
        if match:
            doc = snapshot.doc(match["topic"], match["stem"])
            edition, paper = match["edition"], match["paper"]
            if doc is not None and edition in snapshot.editions and paper in snapshot.papers:
                name = f"{doc.topic}/{doc.stem}.{edition}.{paper}.pdf"
                data = pages.folder.read(name)
                if data is not None:
                    return Response(
                        200,
                        "application/pdf",
                        data,
                        {"Content-Disposition": f'inline; filename="{name.rsplit("/", 1)[1]}"'},
                    )
        return Response(404, "text/html; charset=utf-8", pages.not_found().encode())

    def _site_file(self, name: str) -> Response:
        """A file of the library site (`build --format site`), made after each build: served
        as it would be by any static host, from the preview folder's site/ only."""
        pages = self._started_pages()
        if name.endswith("/"):
            name += "index.html"
        suffix = name.rsplit(".", 1)[-1] if "." in name else ""
        data = pages.folder.read(f"site/{name}") if suffix in _SITE_TYPES else None
        if data is None or ".." in name.split("/"):
            return Response(404, "text/html; charset=utf-8", pages.not_found().encode())
        csp = (
            "default-src 'none'; img-src 'self' data:; font-src data:; style-src 'unsafe-inline'; "
            "script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        return Response(200, _SITE_TYPES[suffix], data, {"Content-Security-Policy": csp})


_SITE_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "css": "text/css; charset=utf-8",
}


# --------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if exc is None or isinstance(exc, ConnectionError | TimeoutError):
            return  # the browser went away (a closed tab, a reload)
        self.preview.internal_error(exc, "while answering a request")


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
        self._send(Response(405, "text/plain; charset=utf-8", b"only GET and HEAD\n", allow))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def _answer(self, *, send_body: bool) -> None:
        preview = self.server.preview
        if not preview.host_allowed(self.headers.get("Host")):
            self._send(
                Response(403, "text/plain; charset=utf-8", b"wrong Host\n"), send_body=send_body
            )
            return
        parts = urlsplit(self.path)
        path = unquote(parts.path, errors="replace")  # a bad escape matches no page: 404
        if path == "/events":
            page = parse_qs(parts.query, errors="replace").get("page", ["/"])[0]
            self._events(page, send_body=send_body)
            return
        self._send(preview.respond(path), send_body=send_body)

    def _send(self, response: Response, *, send_body: bool = True) -> None:
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
            version = preview.state.wait_for_change(seen, KEEPALIVE_SECONDS)
            if preview.state.closing.is_set():  # (closed while this waited)
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
