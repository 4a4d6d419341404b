"""Font coverage: every printed character has a glyph in some font the printer can use.

The printer (WeasyPrint, through Pango and fontconfig) draws each character with the first font
of the stylesheet's `font-family` that has it, then falls back to any `@font-face` font of the
stylesheets and any font installed on the system. A character none of them has prints as an
empty box ("tofu"). So a character is covered when an `@font-face` file of the edition's
print stylesheets or an installed font has it: their character sets come from fontconfig
itself (`fc-query` for the stylesheet's files, one `fc-list` for the system), so the check
agrees with the printer. The print stage confirms it on the laid-out text (`pdf.preflight`),
where the fallback is actually decided.

Only characters outside printable ASCII are looked up, and the font tools run only when there
are such characters; their answers are kept for the life of the process.
"""

from __future__ import annotations

import bisect
import os
import re
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handoutkit.resources import css_urls, find_style, layered_style_file, stylesheet_names

Ranges = tuple[tuple[int, ...], tuple[int, ...]]  # starts and ends (inclusive), sorted
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_FONT_FACE = re.compile(r"@font-face\s*\{([^{}]*)\}", re.IGNORECASE)
_RULE = re.compile(r"([^{};]+)\{([^{}]*)\}")
_FAMILY = re.compile(r"font-family\s*:\s*([^;]+)", re.IGNORECASE)


@dataclass(frozen=True)
class FontStack:
    """An edition's fonts: the `font-family` of its page, and the `@font-face` files."""

    families: tuple[str, ...]
    faces: tuple[str, ...]  # file paths
    coverage: Ranges | None  # of the faces; None when fontconfig cannot be asked

    def describe(self) -> str:
        return ", ".join(self.families) or "the stylesheet's fonts"


@dataclass(frozen=True)
class Missing:
    """Characters no usable font has, with the editions that lack each, and what was tried."""

    characters: dict[str, set[str]]  # character -> editions
    stacks: dict[str, FontStack]
    installed: int  # fonts installed on the system

    def tried(self, char: str) -> str:
        editions = self.characters[char]
        stack = self.stacks[sorted(editions)[0]]
        where = "" if len(editions) == len(self.stacks) else f" (in {', '.join(sorted(editions))})"
        return f"{stack.describe()} and the {self.installed} fonts installed on this system{where}"


def missing_characters(root: Path, editions: Iterable[str], wanted: set[str]) -> Missing | None:
    """Which of `wanted` neither an edition's `@font-face` fonts nor an installed font has;
    None when fontconfig cannot be asked (the print stage still checks what is drawn)."""
    wanted = {c for c in wanted if needs_glyph(c)}
    stacks: dict[str, FontStack] = {edition: font_stack(root, edition) for edition in editions}
    missing: dict[str, set[str]] = {}
    if not wanted:
        return Missing(missing, stacks, 0)
    config = os.environ.get("FONTCONFIG_FILE")
    for edition, stack in stacks.items():
        if stack.coverage is None:
            return None
        left = [c for c in wanted if not covers(stack.coverage, ord(c))]
        if not left:
            continue
        system = system_coverage(config)
        if system is None:
            return None
        for char in left:
            if not covers(system, ord(char)):
                missing.setdefault(char, set()).add(edition)
    return Missing(missing, stacks, len(system_fonts(config) or ()) if missing else 0)


def font_hint(char: str) -> str:
    """How to get a glyph for `char`: a font for its script (docs/building.md: Fonts for
    other scripts)."""
    name = unicodedata.name(char, "")
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC")):
        package = "fonts-noto-cjk (Noto Sans CJK)"
    elif unicodedata.category(char) == "So" and ord(char) >= 0x1F000:
        return "write it in words: emoji are not in the print fonts"
    else:
        package = "fonts-noto-core (Noto fonts for most scripts)"
    return (
        f"install a font for its script, e.g. Debian's {package}, or put the font file under "
        "styles/fonts/ with an @font-face rule in the project's styles/fonts.css "
        "(docs/building.md: Fonts for other scripts); or remove the character"
    )


# Default-ignorable marks that select or join but draw nothing: variation selectors, the
# combining grapheme joiner, Mongolian free variation selectors.
_IGNORABLE = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u034f\u180b-\u180d]")


def needs_glyph(char: str) -> bool:
    """Whether a character is drawn (not a space, control, format or selector character)."""
    if char.isascii() or char.isspace() or _IGNORABLE.match(char):
        return False
    return unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


# --------------------------------------------------------------------------- the stack


def font_stack(root: Path, edition: str) -> FontStack:
    """The fonts of an edition's print stylesheets (the project's, else the defaults)."""
    sheets = []
    for name in stylesheet_names("pdf", edition):
        path = find_style(root, name)
        if path is not None:
            sheets.append((str(path), path.stat().st_mtime_ns))
    return _font_stack(root.resolve(), tuple(sheets))


@lru_cache(maxsize=16)
def _font_stack(root: Path, sheets: tuple[tuple[str, int], ...]) -> FontStack:
    families: tuple[str, ...] = ()
    faces: list[str] = []
    for name, _mtime in sheets:
        path = Path(name)
        try:
            css = _COMMENT.sub("", path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        for block in _FONT_FACE.findall(css):
            for _offset, target in css_urls(block):
                if ":" in target.split("/", 1)[0]:
                    continue  # data: (or another scheme, which the printer refuses)
                file = (path.parent / target).resolve()
                file = file if file.is_file() else layered_style_file(root, file) or file
                if file.is_file():
                    faces.append(str(file))
        for selectors, body in _RULE.findall(_FONT_FACE.sub("", css)):
            if {s.strip() for s in selectors.split(",")} & {"html", ":root", "body"}:
                for declared in _FAMILY.findall(body):
                    families = tuple(f.strip().strip("'\"") for f in declared.split(","))
    unique = tuple(dict.fromkeys(faces))
    return FontStack(families, unique, face_coverage(unique))


# --------------------------------------------------------------------------- fontconfig


def face_coverage(files: tuple[str, ...]) -> Ranges | None:
    """The characters of font files together, as fontconfig reads them (`fc-query`)."""
    if not files:
        return (), ()
    out = _run(["fc-query", "-f", "%{charset}\n", *files])
    return None if out is None else _merge(_ranges(line) for line in out.splitlines())


Font = tuple[tuple[int, int], ...]


@lru_cache(maxsize=4)
def system_fonts(config: str | None) -> tuple[Font, ...] | None:
    """The characters of each installed font (one `fc-list` call); `config` is the
    FONTCONFIG_FILE in effect, part of the cache key."""
    out = _run(["fc-list", "-f", "%{charset}\n"])
    if out is None:
        return None
    return tuple(tuple(_ranges(line)) for line in out.splitlines() if line.strip())


@lru_cache(maxsize=4)
def system_coverage(config: str | None) -> Ranges | None:
    """What the installed fonts cover together."""
    fonts = system_fonts(config)
    return None if fonts is None else _merge(fonts)


def covers(coverage: Ranges, code: int) -> bool:
    starts, ends = coverage
    index = bisect.bisect_right(starts, code) - 1
    return index >= 0 and code <= ends[index]


def _run(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _ranges(charset: str) -> list[tuple[int, int]]:
    """fontconfig's charset text, '20-7e a0-17f 2013', as (first, last) pairs."""
    found = []
    for part in charset.split():
        first, _, last = part.partition("-")
        try:
            found.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    return found


def _merge(groups: Iterable[Iterable[tuple[int, int]]]) -> Ranges:
    pairs = sorted(pair for group in groups for pair in group)
    starts: list[int] = []
    ends: list[int] = []
    for first, last in pairs:
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return tuple(starts), tuple(ends)
