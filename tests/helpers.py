"""What the tests share: paths, project copies, the CLI's result, PDF facts, rule cases and
the hostile-input helpers. Test modules import from here, never from each other."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"
MINI = DATA / "mini"
PIXEL = DATA / "pixel.png"
TODAY = "2026-11-23"
CASES = yaml.safe_load((DATA / "check_cases.yaml").read_text(encoding="utf-8"))


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def copy_shipped_project(target: Path) -> Path:
    """The repository's own project (config, content, templates, styles) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "handoutkit.yaml", target)
    for folder in ("content", "templates", "styles"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def apply_case(project: Path, case: dict) -> None:
    path = project / case["file"]
    if case.get("delete"):
        path.unlink()
        return
    if "content" in case:
        path.write_text(case["content"], encoding="utf-8")
    elif "replace_bytes" in case:
        old, new = (part.encode("latin-1") for part in case["replace_bytes"])
        data = path.read_bytes()
        assert old in data, f"test data out of date: {old!r} not in {path.name}"
        path.write_bytes(data.replace(old, new, 1))
    else:
        old, new = case.get("replace") or case["replace_all"]
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test data out of date: {old!r} not in {path.name}"
        count = -1 if "replace_all" in case else 1
        path.write_text(text.replace(old, new, count), encoding="utf-8")
    if "rename" in case:
        path.rename(project / case["rename"])


# --------------------------------------------------------------------------- PDF facts


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def tagged_texts(path: Path, folder: Path) -> list[str]:
    """The text of each page without its artifacts (page furniture): what is tagged, which
    screen readers read. The artifacts are cut out of a copy in `folder`, read by pdftotext."""
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            kept, depth = [], 0  # depth > 0: inside an /Artifact sequence
            for instruction in pikepdf.parse_content_stream(page):
                operator = str(instruction.operator)
                if operator in ("BMC", "BDC"):
                    if depth or instruction.operands[0] == pikepdf.Name.Artifact:
                        depth += 1
                        continue
                elif operator == "EMC" and depth:
                    depth -= 1
                    continue
                if not depth:
                    kept.append(instruction)
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        copy = folder / f"tagged-{path.name}"
        pdf.save(copy)
    return page_texts(copy)


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element reachable from the StructTreeRoot."""
    found: list[pikepdf.Dictionary] = []
    stack = [pdf.Root.StructTreeRoot]
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            stack.append(node.K)
    return found


def unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    missing = []
    for page in pdf.pages:
        for name, font in (page.Resources.get("/Font") or {}).items():
            descendants = font.get("/DescendantFonts")
            target = descendants[0] if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is None or not any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                missing.append(str(font.get("/BaseFont", name)))
    return missing


# --------------------------------------------------------------------------- HTML


class Outline(HTMLParser):
    """Elements (tag, attributes) in document order, and the text, of an HTML file."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


# --------------------------------------------------------------------------- hostile input


HANDOUT = "content/demo/handout.en.yaml"
HANDOUT_PDF = "dist/demo/handout.en.standard.letter.pdf"
BRIEF_PDF = "dist/demo/brief.en.standard.letter.pdf"
PASSWD = Path("/etc/passwd")
SANDBOX_HINT = (
    "only files under the project's assets/ or styles/ folder and data: URIs can be used; "
    "copy the file there"
)
HTML_HINT = (
    "the HTML edition is one self-contained file: only data: URIs (images from assets/, "
    "fonts and images from styles/) can be used"
)


def secret() -> bytes:
    """A distinctive line of /etc/passwd: found in an output, it would be a leak."""
    if not PASSWD.is_file():
        pytest.skip("no /etc/passwd to try to leak")
    return PASSWD.read_bytes().splitlines()[0]


def leaked(folder: Path, needle: bytes) -> list[str]:
    """Outputs under `folder` holding `needle`: raw, in any decoded PDF stream (attachments
    are compressed) or in any base64 data: URI of an HTML file."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits = needle in data
        if path.suffix == ".pdf" and not hits and data.startswith(b"%PDF-1."):
            with pikepdf.open(path) as pdf:
                for obj in pdf.objects:
                    if isinstance(obj, pikepdf.Stream):
                        try:
                            hits = hits or needle in obj.read_bytes()
                        except pikepdf.PdfError:
                            hits = hits or needle in obj.read_raw_bytes()
        if path.suffix == ".html" and not hits:
            for payload in re.findall(rb"base64,([A-Za-z0-9+/=]+)", data):
                hits = hits or needle in base64.b64decode(payload + b"==")
        if hits:
            found.append(path.name)
    return found


def build(run, project: Path, *args: str) -> Result:
    result = run("build", "-j", "1", *args, cwd=project)
    assert "Traceback" not in result.text, result.text
    return result


def no_temporary_files(project: Path) -> None:
    assert not [p for p in project.rglob("*") if p.name.endswith(".tmp")]


def is_pdf(path: Path) -> bool:
    return path.read_bytes().startswith(b"%PDF-1.")


def seed(path: Path, label: str) -> bytes:
    """An earlier good output (any bytes will do: a failed build must not touch it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = f"%PDF-earlier good output of {label}\n".encode()
    path.write_bytes(data)
    return data


# --------------------------------------------------------------------------- the browser checks

BROWSER = TESTS / "browser"
SCRIPT = BROWSER / "axe-check.mjs"
FIX = "run scripts/setup-browser"


def missing_piece() -> str | None:
    """What the browser check lacks on this machine, or None when it can run."""
    if shutil.which("node") is None:
        return f"node (Node.js 20+) is not installed; install it, then {FIX}"
    for package in ("playwright-core", "axe-core"):
        if not (BROWSER / "node_modules" / package / "package.json").is_file():
            return f"tests/browser/node_modules/{package} is missing; {FIX} (npm ci)"
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (Path(chromium).is_file() and os.access(chromium, os.X_OK)):
        return f"Chromium not found at {chromium} (set CHROMIUM); {FIX} (apt-get chromium)"
    return None


def axe_check(*files: str, cwd: Path) -> tuple[int, dict[str, Any], str]:
    """Run the checker once (one browser) on `files`: exit code, JSON summary, text report."""
    missing = missing_piece()
    if missing:
        pytest.skip(f"browser accessibility check: {missing}")
    node = shutil.which("node")
    assert node
    process = subprocess.run(
        [node, str(SCRIPT), "--json", *files],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if process.returncode not in (0, 1):
        pytest.fail(f"axe-check.mjs exited {process.returncode}:\n{process.stderr}")
    return process.returncode, json.loads(process.stdout), process.stderr


# --------------------------------------------------------------------------- fonts

FONTS = DATA / "fonts"  # Handout Test CJK: a 14-character subset of Noto Sans CJK SC (OFL)
CJK_FONT = FONTS / "handout-test-cjk.otf"


def only_dejavu(folder: Path, *extra_dirs: Path) -> Path:
    """A fontconfig file that sees only DejaVu (which setup installs) and `extra_dirs`: set it
    as FONTCONFIG_FILE and the printer and `check` know no CJK font, whatever this machine has."""
    dejavu = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True
    ).stdout
    dirs = [Path(dejavu).parent, *extra_dirs]
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
        + f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return config


# --------------------------------------------------------------------------- worksheets and figures

MINI_WORKSHEET = """\
type: worksheet
id: demo-worksheet-en
language: en
title: A test worksheet
code: TEST-WS-EN
version: "1.0"
review:
  status: draft
intro: Fill this in with your care team [@smith2020].
parts:
  - heading: First part
    instructions: Write what you notice.
    items:
      - line: My name
      - list: Signs I notice
        item: Sign
        lines: 2
      - note: Take your time.
      - area: Anything else
        lines: 3
  - heading: Second part
    items:
      - area: More notes
        lines: 6
"""

PICTOGRAPH = """\
    figure:
      kind: pictograph
      title: Who took part
      total_label: people took part
      groups:
        - {count: 3, label: got the test}
        - {count: 4, label: got nothing}
      source: smith2020
"""


def add_worksheet(project: Path, text: str = MINI_WORKSHEET) -> Path:
    """The test project with a worksheet (content/demo/worksheet.en.yaml)."""
    path = project / "content" / "demo" / "worksheet.en.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def add_pictograph(project: Path) -> None:
    """A pictograph of 3 and 4 people after the test handout's first section."""
    path = project / "content" / "demo" / "handout.en.yaml"
    text = path.read_text(encoding="utf-8")
    old = "      This is a short test. It has a fact [@smith2020].\n"
    assert old in text, "test data out of date"
    path.write_text(text.replace(old, old + PICTOGRAPH, 1), encoding="utf-8")


def add_icons(project: Path) -> None:
    """Icons (call, text, chat) on the test project's crisis line."""
    path = project / "content" / "crisis-resources.yaml"
    text = path.read_text(encoding="utf-8")
    old = "      - name: 988 Suicide & Crisis Lifeline\n"
    assert old in text, "test data out of date"
    path.write_text(
        text.replace(old, old + "        icons: [call, text, chat]\n"), encoding="utf-8"
    )
