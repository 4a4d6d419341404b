"""The HTML of the preview: the index, the document pages with their toolbar, problem lists,
and the live-reload script.

Pages are made from a snapshot and the preview folder alone. What may change without the
page changing (its token, the script's nonce, the status line) is written as placeholders,
filled in as the page is served, so that a page's token is a hash of what it shows.

The preview's CSS draws only with the project's colour tokens, `var(--…)`: the custom
properties of `colours.css` (the project's own, over the default), whose pairings
`lint.contrast.PAIRS` lists and the tests hold to WCAG contrast. The index and other pages of
the preview's own set them on `:root`; the toolbar sets them on itself only, so that a
document's colours (its organization's brand, say) stay as built.
"""

from __future__ import annotations

import html
import re
import secrets
from pathlib import Path
from urllib.parse import quote

from handoutkit.diagnostics import Diagnostic, Severity
from handoutkit.lint.contrast import custom_properties, parse_colour
from handoutkit.preview.state import Doc, OutputFolder, Snapshot, counted
from handoutkit.resources import COLOUR_STYLESHEET, default_root, find_style

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_PROPERTY_NAME = re.compile(r"--[A-Za-z0-9_-]+")
_PAPER_NAMES = {"letter": "Letter", "a4": "A4"}

# Which colour the CSS below draws on which background: the toolbar sits on --panel-fill (its
# edge on the document's --paper), the pages of the preview's own on --paper, and problem lists
# on --crisis-fill. Each is a pairing of lint.contrast.PAIRS, so the tests hold it to WCAG
# contrast (tests/test_contrast.py also checks that the CSS uses no other colour, nor a literal).
COLOUR_PAIRS: tuple[tuple[str, str], ...] = (
    ("--text", "--paper"),
    ("--text", "--panel-fill"),
    ("--text", "--crisis-fill"),
    ("--text-muted", "--paper"),
    ("--accent", "--paper"),
    ("--accent", "--panel-fill"),
    ("--rule", "--paper"),
    ("--panel-border", "--paper"),
    ("--panel-border", "--panel-fill"),
    ("--crisis-border", "--paper"),
    ("--crisis-border", "--crisis-fill"),
    ("--crisis-heading", "--paper"),
    ("--crisis-heading", "--crisis-fill"),
)

TOOLBAR_CSS = """
#hk-preview { all: initial; display: block; box-sizing: border-box; margin: 0 0 1rem;
  padding: .5rem 1rem; border-bottom: 3px solid var(--panel-border);
  background: var(--panel-fill); color: var(--text); font: 16px/1.5 system-ui, sans-serif; }
#hk-preview * { font: inherit; color: inherit; }
#hk-preview a { color: var(--accent); text-decoration: underline; }
#hk-preview p, #hk-preview ul { margin: .25rem 0; padding: 0; }
#hk-preview .hk-bar > * + * { margin-left: 1rem; }
#hk-preview .hk-status { font-style: italic; }
#hk-preview ul { list-style: none; }
#hk-preview code { font-family: ui-monospace, monospace; white-space: pre-wrap;
  word-break: break-word; }
#hk-preview .hk-problems { margin: .5rem 0 .25rem; padding: .25rem .75rem; border: none;
  background: var(--crisis-fill); }
#hk-preview .hk-problems.hk-only-warnings { background: var(--panel-fill);
  border-left: 4px solid var(--panel-border); }
#hk-preview .hk-error { color: var(--crisis-heading); }
#hk-preview strong { font-weight: bold; }
"""

PAGE_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; color: var(--text); background: var(--paper);
  margin: 0 auto; max-width: 75rem; padding: 1rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem;
  border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 2px solid var(--accent); }
ul { margin: 0; padding: 0; list-style: none; }
code { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
.hk-path { font-weight: normal; font-size: .875rem; color: var(--text-muted); }
.hk-status { font-style: italic; color: var(--text-muted); }
.hk-problems { border-left: 4px solid var(--crisis-border); padding: .25rem 1rem; margin: 1rem 0;
  background: var(--crisis-fill); }
.hk-problems.hk-only-warnings { border-left-color: var(--panel-border);
  background: var(--panel-fill); }
.hk-error { color: var(--crisis-heading); }
"""


def colour_properties(project_root: Path) -> dict[str, str]:
    """The colour tokens the preview draws with: the default colours.css, overridden property
    by property by the one `find_style` picks (the project's own, if it has one), so a
    half-edited file still leaves every colour defined. Only colours are kept: nothing else
    from the file reaches the page."""
    found: dict[str, str] = {}
    for root in (default_root(), project_root):
        path = find_style(root, COLOUR_STYLESHEET)
        if path is None:
            continue
        try:
            css = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for name, declared in custom_properties(css).items():
            if _PROPERTY_NAME.fullmatch(name) and _is_colour(declared.value):
                found[name] = declared.value
    return found


def _is_colour(value: str) -> bool:
    try:
        parse_colour(value)
    except ValueError:
        return False
    return True


class Pages:
    """The pages of one preview, from its project's colours and its output folder."""

    def __init__(self, project_root: Path, folder: OutputFolder) -> None:
        self.project_root = project_root
        self.folder = folder
        self.placeholder = f"hk-preview-{secrets.token_hex(8)}"

    def fill(self, text: str, *, token: str, nonce: str, status: str) -> str:
        """A page as served: its placeholders replaced (the status escaped)."""
        text = text.replace(self.placeholder + "-token", token)
        text = text.replace(self.placeholder + "-nonce", nonce)
        return text.replace(self.placeholder + "-status", html.escape(status))

    def index(self, snapshot: Snapshot) -> str:
        """Every document with its language, kind, last build and links to its outputs."""
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
                    f'<li><a href="{doc_url(doc, edition)}">{_e(edition)} (HTML)</a>'
                    f" · PDF: {' '.join(pdfs)}</li>"
                )
            first = doc_url(doc, snapshot.editions[0]) if snapshot.editions else "/"
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
            f"<p>{self._status_html()}</p>"
            '<p><a href="/site/index.html">The library site</a> (as <code>build --format site '
            "--include-drafts</code> makes it)</p></header>"
            f"<main>{problems}{table}</main>"
        )
        return self._shell(f"Preview: {snapshot.name}", body, self._script())

    def document(self, snapshot: Snapshot, doc: Doc, edition: str) -> str:
        """The built HTML edition (or, before it is built, a stand-in) with the toolbar at
        the top of its body and the live-reload script at the end: the file stays as built."""
        html_name = f"{doc.topic}/{doc.stem}.{edition}.html"
        pdfs = [
            self._pdf_link(snapshot, f"{doc.topic}/{doc.stem}.{edition}.{paper}.pdf", paper)
            for paper in snapshot.papers
        ]
        others = [
            f'<a href="{doc_url(doc, other)}">{_e(other)}</a>'
            for other in snapshot.editions
            if other != edition
        ]
        own = snapshot.problems(doc, edition)
        page = self.folder.read(html_name)
        note = "showing the last good version" if page is not None else "not built yet"
        toolbar = (
            '<div id="hk-preview" lang="en" role="region" aria-label="Preview">'
            f"<style>{self._colours('#hk-preview')}{TOOLBAR_CSS}</style>"
            f'<p class="hk-bar"><a href="/">All documents</a>'
            f" <span>{_e(edition)} edition</span>"
            f" <span>PDF: {' '.join(pdfs)}</span>"
            + (f" <span>Other editions: {' '.join(others)}</span>" if others else "")
            + f" {self._status_html()}</p>"
            f"{self._problems(snapshot, own, note)}</div>"
        )
        if page is None:
            body = (
                f'{toolbar}<main><h1 lang="{_e(doc.language)}">{_e(doc.title)}</h1>'
                "<p>This edition has not been built yet.</p></main>"
            )
            return self._shell(doc.title, body, self._script())
        text = page.decode("utf-8", errors="replace")
        opening = _BODY_OPEN.search(text)
        at = opening.end() if opening else 0
        text = text[:at] + toolbar + text[at:]
        closings = list(_BODY_CLOSE.finditer(text))
        at = closings[-1].start() if closings else len(text)
        return text[:at] + self._script() + text[at:]

    def not_found(self) -> str:
        return self._shell(
            "Not found", '<h1>Not found</h1><p><a href="/">All documents</a></p>', ""
        )

    def _script(self) -> str:
        """Reloads the page when /events sends a token that is not its own; shows the status."""
        return (
            f'<script nonce="{self.placeholder}-nonce">\n'
            "(() => {\n"
            f'  const token = "{self.placeholder}-token";\n'
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
            f"{self.placeholder}-status</span>"
        )

    def _pdf_link(self, snapshot: Snapshot, name: str, paper: str) -> str:
        label = _PAPER_NAMES.get(paper, paper)
        output = snapshot.outputs.get(name)
        if self.folder.has(name):
            failed = output is not None and output.status == "failed"
            failed_note = " (failed: the last good one)" if failed else ""
            return f'<a href="/pdf/{quote(name)}">{_e(label)}</a>{failed_note}'
        if output is not None and output.status == "failed":
            return f"{_e(label)} (not built: see the problems)"
        return f"{_e(label)} (not built yet)"

    def _doc_status(self, snapshot: Snapshot, doc: Doc) -> str:
        prefix = f"{doc.topic}/{doc.stem}."
        outputs = [o for name, o in snapshot.outputs.items() if name.startswith(prefix)]
        unique = snapshot.problems(doc)
        errors = sum(d.severity is Severity.ERROR for d in unique) + len(snapshot.messages)
        warnings = len(unique) - sum(d.severity is Severity.ERROR for d in unique)
        failed = any(o.status == "failed" for o in outputs)
        if not doc.loaded:
            text, kind = f"could not be read: {counted(errors, 'error')}", "error"
        elif errors:
            text, kind = f"{counted(errors, 'error')}: showing the last good version", "error"
        elif failed:
            text, kind = "not built: showing the last good version", "error"
        elif not outputs:
            text, kind = "not built yet", ""
        elif warnings:
            text, kind = f"built, {counted(warnings, 'warning')}", "warning"
        else:
            text, kind = "built", "ok"
        return f'<span class="hk-{kind or "none"}">{_e(text)}</span>'

    def _problems(self, snapshot: Snapshot, ordered: list[Diagnostic], note: str) -> str:
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
        warnings = len(items) - errors
        # only what there is: "2 warnings" is not an alarm, and never "0 errors" in red
        summary = ", ".join(
            counted(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n
        )
        shown = f": {note}" if note and errors else ""
        kind = "hk-problems" if errors else "hk-problems hk-only-warnings"
        return (
            f'<div class="{kind}"><p><strong>{summary}</strong>{_e(shown)}</p>'
            f"<ul>{''.join(items)}</ul></div>"
        )

    def _colours(self, selector: str) -> str:
        """A rule that sets the colour tokens on `selector` (`:root`, or the toolbar)."""
        properties = colour_properties(self.project_root)
        declarations = " ".join(f"{name}: {value};" for name, value in properties.items())
        return f"\n{selector} {{ {declarations} }}"

    def _shell(self, title: str, body: str, script: str, *, lang: str = "en") -> str:
        """A complete page of the preview's own (index, stand-in, not found)."""
        return (
            f'<!doctype html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{self._colours(':root')}{PAGE_CSS}</style>"
            f"</head><body>{body}{script}</body></html>\n"
        )


def doc_url(doc: Doc, edition: str) -> str:
    return f"/doc/{quote(doc.topic)}/{quote(doc.stem)}.{quote(edition)}.html"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
