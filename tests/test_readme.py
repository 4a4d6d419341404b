"""The README's first screen serves a writer (issue 6/8, point 5): the two set-up commands, then
"For writers: start here", whose commands exist and whose links lead to real files."""

from __future__ import annotations

import re

from handoutkit.cli.main import app
from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_opens_with_the_two_commands_then_the_writers_section() -> None:
    lines = README.splitlines()
    assert lines[:6] == [
        "# handoutkit",
        "",
        "```sh",
        "scripts/setup && .venv/bin/handoutkit build",
        ".venv/bin/python -m pytest",
        "```",
    ]
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[0] == "## For writers: start here"
    assert lines.index("## For writers: start here") < 25  # on the first screen


def writers_section() -> str:
    start = README.index("## For writers: start here")
    return README[start : README.index("\n## ", start + 1)]


def test_the_writers_commands_exist() -> None:
    import typer.main

    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    used = set(re.findall(r"`handoutkit (\w[\w-]*)", writers_section()))
    assert used >= {"new", "build", "check", "preview", "approve"}
    assert used <= commands, used - commands
    assert "scripts/setup --link" in writers_section()
    assert "--link" in (REPO / "scripts" / "setup").read_text(encoding="utf-8")


def test_every_link_in_the_readme_leads_to_a_file() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    assert "docs/writing.md" in links
    for link in links:
        if not link.startswith("http"):
            assert (REPO / link).is_file(), link
    for doc in (REPO / "docs").glob("*.md"):
        for link in re.findall(r"\]\(([^)#]+)\)", doc.read_text(encoding="utf-8")):
            if not link.startswith("http"):
                assert (doc.parent / link).is_file(), f"{doc.name}: {link}"
