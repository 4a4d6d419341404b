"""`handoutkit preview`: a local server on 127.0.0.1 that rebuilds on change and reloads pages."""

from __future__ import annotations

import datetime as dt
import http.client
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from handoutkit.preview import Preview
from helpers import REPO, TODAY

DOC = "/doc/demo/handout.en.standard.html"
PDF = "/pdf/demo/handout.en.standard.letter.pdf"
TIMEOUT = 60.0  # generous: a loaded CI machine; each wait ends as soon as it is met
NOT_SERVED = [
    "/pdf/../../etc/passwd",
    "/pdf/%2e%2e/%2e%2e/etc/passwd",
    "/doc/..%2f..%2f..%2fetc%2fpasswd",
    "/pdf/demo/..%2f..%2fhandoutkit.yaml",
    "/doc/demo/handout.en.standard.html/../../../handoutkit.yaml",
    "/manifest.json",
    "/pdf/demo/handout.en.standard.a4.pdf",  # a4 is not configured: not an output
    "/doc/demo/handout.en.large-print.html",
    "/doc/nothing/handout.en.standard.html",
    "/content/demo/handout.en.yaml",
    "/pdf/%ff",
]
LOCATED_ERROR = re.compile(r"content/demo/handout\.en\.yaml:(\d+):(\d+): error: YAML syntax error")


def get(
    preview: Preview, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_for(preview: Preview, path: str, ready: Callable[[str], bool]) -> str:
    """The page at `path` once `ready` holds for it (polling; fails after TIMEOUT)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        status, _headers, body = get(preview, path)
        text = body.decode()
        if status == 200 and ready(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} not ready after {TIMEOUT} s:\n{text[:3000]}")
        time.sleep(0.1)


def wait_until(value: Callable[[], str], ready: Callable[[str], object]) -> str:
    deadline = time.monotonic() + TIMEOUT
    while not ready(current := value()):
        assert time.monotonic() < deadline, current
        time.sleep(0.05)
    return current


class EventStream:
    """Reads /events for one page in a thread, as the page's EventSource would."""

    def __init__(self, preview: Preview, page: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT)
        self.connection.request("GET", f"/events?page={page}")
        self.socket = self.connection.sock  # the response keeps it, the connection forgets it
        assert self.socket is not None
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        self.events: list[tuple[str, str]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event, data = "message", ""
        try:
            for raw in iter(self.response.readline, b""):
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    self.events.append((event, data))
                    event, data = "message", ""
        except OSError:
            pass

    def tokens(self) -> list[str]:
        return [data for event, data in self.events if event == "page"]

    def wait_for_token(self, other_than: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            fresh = [token for token in self.tokens() if token != other_than]
            if fresh:
                return fresh[-1]
            time.sleep(0.05)
        raise AssertionError(f"no reload signalled in {TIMEOUT} s: {self.events}")

    def close(self) -> None:
        self.socket.shutdown(socket.SHUT_RDWR)  # wakes the reader (close alone would not)
        self.thread.join(timeout=TIMEOUT)
        assert not self.thread.is_alive()
        self.response.close()


@pytest.fixture
def console() -> list[str]:
    """What the preview prints: problem lines and build summaries."""
    return []


@pytest.fixture
def preview(mini: Path, console: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Preview]:
    """The mini project's preview on a free port; stopped (and checked stopped) afterwards."""
    monkeypatch.chdir(mini)  # problems name files relative to the working folder, like check
    server = Preview(
        mini,
        today=lambda: dt.date.fromisoformat(TODAY),
        port=0,
        report=console.append,
        status=console.append,
    )
    server.start()
    folder = server.out_dir
    assert folder is not None
    try:
        yield server
    finally:
        server.close()
    assert not folder.exists(), "the private preview folder is removed at the end"
    deadline = time.monotonic() + 10
    while any(t.name.startswith("handoutkit-preview") for t in threading.enumerate()):
        assert time.monotonic() < deadline, [t.name for t in threading.enumerate()]
        time.sleep(0.05)


def test_preview_answers_on_localhost(preview: Preview) -> None:
    assert preview.url == f"http://127.0.0.1:{preview.port}/"
    index = wait_for(preview, "/", lambda text: f'href="{PDF}"' in text)
    assert "A test handout" in index and "A test brief" in index
    assert f'href="{DOC}"' in index and 'href="/doc/demo/brief.en.standard.html"' in index
    assert "<td>en</td>" in index and "<td>handout</td>" in index
    assert "EventSource" in index

    status, headers, body = get(preview, DOC)
    page = body.decode()
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "A test handout" in page
    assert f'href="{PDF}"' in page and 'href="/"' in page
    assert "EventSource(" in page and '<script nonce="' in page
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]

    status, headers, body = get(preview, PDF)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-")
    status, headers, body = get(preview, PDF, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000

    # the reload script is the preview's alone: the built HTML edition stays script-free
    assert preview.out_dir is not None
    built = sorted(preview.out_dir.glob("demo/*.html"))
    assert built and not any("<script" in path.read_text().lower() for path in built)

    # only the outputs of known documents, editions and papers, from the preview folder
    for path in NOT_SERVED:
        status, _headers, body = get(preview, path)
        assert status == 404, path
        assert b"root:" not in body and b"organization" not in body, path

    # only GET and HEAD, and only for requests addressed to this server
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _body = get(preview, "/", method=method)
        assert status == 405 and headers["Allow"] == "GET, HEAD"
    # (a web page that rebinds its own name to 127.0.0.1 must not read the preview)
    status, _headers, _body = get(preview, "/", headers={"Host": "attacker.example"})
    assert status == 403
    status, _headers, _body = get(preview, "/", headers={"Host": f"localhost:{preview.port}"})
    assert status == 200


def test_preview_rebuilds_on_change_and_shows_located_errors(
    preview: Preview, mini: Path, console: list[str]
) -> None:
    wait_for(preview, DOC, lambda text: "A test handout" in text)
    assert preview.watching.wait(TIMEOUT)
    events = EventStream(preview, DOC)
    try:
        first = events.wait_for_token(other_than="")
        source = mini / "content" / "demo" / "handout.en.yaml"
        good = source.read_text().replace("title: A test handout", "title: A revised handout")
        source.write_text(good)

        # the page's reload is signalled, and the page then shows the new title
        second = events.wait_for_token(other_than=first)
        page = wait_for(preview, DOC, lambda text: "A revised handout" in text)
        assert "A test handout" not in page
        assert "A revised handout" in wait_for(preview, "/", lambda t: "revised" in t)

        # a YAML mistake: located in the page (escaped), the last good version still shown
        source.write_text(good.replace("  - What are my options?", "  - [What are my options?"))
        page = wait_for(preview, DOC, lambda text: bool(LOCATED_ERROR.search(text)))
        line, col = LOCATED_ERROR.search(page).groups()  # type: ignore[union-attr]
        assert int(line) > 1 and int(col) >= 1
        assert "A revised handout" in page and "showing the last good version" in page
        assert "Traceback" not in page
        index = wait_for(preview, "/", lambda text: bool(LOCATED_ERROR.search(text)))
        assert "could not be read" in index
        events.wait_for_token(other_than=second)
        printed = wait_until(lambda: "\n".join(console), LOCATED_ERROR.search)
        assert "Traceback" not in printed

        # fixed: the error is gone at the next reload
        source.write_text(good)
        page = wait_for(preview, DOC, lambda text: not LOCATED_ERROR.search(text))
        assert "A revised handout" in page and "error:" not in page
        wait_for(preview, "/", lambda text: "could not be read" not in text)
    finally:
        events.close()


def test_preview_reports_an_internal_error_once_and_keeps_serving(
    preview: Preview, mini: Path, console: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wait_for(preview, DOC, lambda text: "A test handout" in text)
    import handoutkit.build.run

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(handoutkit.build.run, "build_project", broken)
    source = mini / "content" / "demo" / "handout.en.yaml"
    for round_ in range(2):
        before = preview.version
        source.write_text(source.read_text() + f"# edit {round_}\n")
        deadline = time.monotonic() + TIMEOUT
        # a round publishes "building…", then the error: two versions on
        while not (preview.version >= before + 2 and preview.status == "internal error"):
            assert time.monotonic() < deadline, preview.status
            time.sleep(0.05)
        page = wait_for(preview, DOC, lambda text: "RuntimeError: boom" in text)
        assert "A test handout" in page  # the last good version stays on view
        assert "Traceback" not in page
    printed = "\n".join(console)
    assert printed.count("RuntimeError: boom") == 1, printed
    assert "Traceback" not in printed
    assert get(preview, "/")[0] == 200


def test_preview_follows_a_replaced_config_file(preview: Preview, mini: Path) -> None:
    """Editors often save by writing a new file and renaming it over the old one."""
    wait_for(preview, "/", lambda text: "Preview: Test Clinic" in text)
    assert preview.watching.wait(TIMEOUT)
    config = mini / "handoutkit.yaml"
    for name in ("Second Clinic", "Third Clinic"):
        fresh = mini / "handoutkit.yaml.new"
        fresh.write_text(re.sub(r"name: .*", f"name: {name}", config.read_text(), count=1))
        fresh.replace(config)
        wait_for(preview, "/", lambda text, name=name: f"Preview: {name}" in text)


def test_preview_command_port_in_use(run, mini: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("preview", "--no-open", "--port", str(port), cwd=mini)
    assert result.code == 2
    assert f"127.0.0.1:{port}" in result.err and "in use" in result.err
    assert "Traceback" not in result.text


def test_preview_command_bad_path(run, mini: Path) -> None:
    result = run("preview", "--no-open", "content/nothing-here", cwd=mini)
    assert result.code == 2 and "no such file or folder" in result.err


def test_preview_pages_set_the_projects_colour_tokens(mini: Path, tmp_path: Path) -> None:
    """The pages set the custom properties of colours.css (the project's own over the
    default, property by property) and their CSS draws with var(--…) alone."""
    from handoutkit.preview.pages import Pages
    from handoutkit.preview.state import Doc, OutputFolder, Snapshot

    default = (REPO / "styles" / "colours.css").read_text(encoding="utf-8")
    own = default.replace("--accent: #14477d;", "--accent: #1d5a3a;")
    own = re.sub(r"\n\s*--text: #1a1a1a;[^\n]*", "", own)  # half-edited: --text is missing
    own = own.replace(":root {", ":root {\n  --gap: 1rem;")  # not a colour: left out
    (mini / "styles").mkdir()
    (mini / "styles" / "colours.css").write_text(own, encoding="utf-8")
    pages = Pages(mini, OutputFolder(tmp_path / "out"))
    doc = Doc("content/demo/handout.en.yaml", "demo", "handout.en", "A test", "en", "handout", True)
    snapshot = Snapshot(editions=("standard",), papers=("letter",), docs=(doc,))
    stand_in = pages.document(snapshot, doc, "standard")  # not built yet: toolbar and shell
    for page, selector in ((pages.index(snapshot), ":root"), (stand_in, "#hk-preview")):
        rule = re.search(rf"{re.escape(selector)} {{ (--[^}}]*) }}", page)
        assert rule, page
        declared = dict(re.findall(r"(--[\w-]+): ([^;]+);", rule[1]))
        assert declared["--accent"] == "#1d5a3a"  # the project's own
        assert declared["--text"] == "#1a1a1a"  # the default's, where the project's is missing
        assert "--gap" not in declared


def test_preview_serves_the_library_site(preview: Preview) -> None:
    index = wait_for(preview, "/", lambda text: f'href="{PDF}"' in text)
    assert 'href="/site/index.html"' in index
    home = wait_for(preview, "/site/index.html", lambda text: "hk-q" in text)
    assert 'src="_site/site.js"' in home and "Test Clinic" in home
    status, headers, body = get(preview, "/site/_site/site.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    page = wait_for(preview, "/site/demo/handout.en.standard.html", lambda t: "hk-panel" in t)
    assert "A test handout" in page and "hk-draft" in page  # drafts are shown, bannered
    status, headers, body = get(preview, "/site/demo/handout.en.standard.letter.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-")
    assert get(preview, "/site/")[0] == 200
    for path in ("/site/../handoutkit.yaml", "/site/%2e%2e/manifest.json", "/site/x.yaml"):
        assert get(preview, path)[0] == 404, path


def test_project_warnings_stay_on_the_index_and_warnings_alone_are_no_alarm(
    mini: Path, tmp_path: Path
) -> None:
    """Issue 6/8, point 9: a project-wide warning (sample organization data) was shown on
    every document, and a box of warnings said "0 errors" in the error colours."""
    from handoutkit.diagnostics import Diagnostic, Location, Severity
    from handoutkit.preview.pages import Pages
    from handoutkit.preview.state import Doc, OutputFolder, Snapshot

    def problem(path: str, severity: Severity, message: str) -> Diagnostic:
        return Diagnostic(Location(path, 3, 10), severity, message, "fix it", "sample-data")

    pages = Pages(mini, OutputFolder(tmp_path / "out"))
    doc = Doc("content/demo/handout.en.yaml", "demo", "handout.en", "A test", "en", "handout", True)
    project_wide = problem("handoutkit.yaml", Severity.WARNING, "organization phone is sample")
    own = problem("content/demo/handout.en.yaml", Severity.WARNING, "'utilize' is long")
    snapshot = Snapshot(
        editions=("standard",), papers=("letter",), docs=(doc,), diagnostics=(project_wide, own)
    )
    page = pages.document(snapshot, doc, "standard")
    assert "&#x27;utilize&#x27; is long" in page or "'utilize' is long" in page
    assert "organization phone is sample" not in page
    assert '<div class="hk-problems hk-only-warnings"><p><strong>1 warning</strong>' in page
    assert "0 errors" not in page
    index = pages.index(snapshot)
    assert "organization phone is sample" in index and "2 warnings" in index
    # a shared file's error stops the document: it is shown there, in the error colours
    broken = problem("content/references.yaml", Severity.ERROR, "reference is broken")
    snapshot = Snapshot(
        editions=("standard",), papers=("letter",), docs=(doc,), diagnostics=(broken, own)
    )
    page = pages.document(snapshot, doc, "standard")
    assert "reference is broken" in page
    assert '<div class="hk-problems"><p><strong>1 error, 1 warning</strong>' in page
