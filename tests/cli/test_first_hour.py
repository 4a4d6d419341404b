"""The first hour of a new author (issue 6/8), end to end, as a person would do it: run
`handoutkit new`, take the printed next steps literally (in a shell, with the command they
print), and end with a printed handout on a topic that is not mental health, citing a web page.

The author's edits are what the next steps and the example files ask for: the organization's
placeholders replaced, content/example/ renamed to the topic, a handout written in place of the
example (a web-page source with its accessed date, a compact crisis box), the example brief and
worksheet deleted. Runs handoutkit as installed (a subprocess), not in-process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import page_texts

INSTALLED = Path(sys.executable).parent / "handoutkit"

HANDOUT = """\
type: handout
id: telehealth-handout-en
language: en
code: RTC-TH-EN
version: "0.1"
title: Your video visit
subtitle: How to get ready for a visit with your care team by video
crisis_block: compact
review:
  status: draft
main_message: |
  A video visit is a visit with your care team on a phone or computer.
  Get ready a few minutes early, in a quiet place.
sections:
  - heading: Before your visit
    body: |
      Find a quiet, private place with good light.
      Charge your phone or computer, and check that it has a camera and a microphone.
      **Log in 10 minutes early**, so there is time to fix problems [@clinic-video-page].
  - heading: During your visit
    body: |
      Talk to your care team as you would in the office.
      - Have a list of your medicines close by.
      - Write down what you want to ask.
      - Ask them to say it again if the sound is not clear.
what_you_can_do:
  - Test your camera and sound the day before.
  - Write down your questions.
questions:
  - What do I do if the video stops?
  - Can someone from my family join the visit?
get_help_now: |
  If you have chest pain or trouble breathing, do not wait for your video visit: call **911**.
glossary:
  - term: Video visit
    definition: A visit with your care team on a phone or computer.
"""

WEB_PAGE = """
- id: clinic-video-page
  type: webpage
  title: Getting ready for your video visit
  author:
    - {literal: Riverside Test Clinic}
  URL: https://example.org/video-visits
  accessed: {date-parts: [[2026, 12, 1]]}
"""


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_from_new_to_a_printed_telehealth_handout(tmp_path: Path) -> None:
    assert INSTALLED.is_file(), "run scripts/setup first: handoutkit is not installed in .venv"
    made = shell(f"{INSTALLED} new clinic", tmp_path)
    assert made.returncode == 0, made.stderr
    steps = made.stdout.split("Next steps:\n", 1)[1].splitlines()
    cd, build = steps[0].strip(), steps[1].split("    (")[0].strip()
    assert cd == "cd clinic" and build.endswith(" build")
    command = build.removesuffix(" build")
    # the command printed works as printed (here handoutkit is not on PATH: its full path)
    assert shutil.which("handoutkit") is not None or command == str(INSTALLED), command
    project = tmp_path / "clinic"

    # step 1: the organization's placeholders (a test clinic, not a real one)
    config = project / "handoutkit.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ('"Your Organization (replace in handoutkit.yaml)"', "Riverside Test Clinic"),
        ('"(555) 010-0100"', '"(617) 555-2368"'),
        ("website: example.org", "website: riverside-test-clinic.invalid"),
        ("100 Example Street, Springfield", "12 River Road, Riverside"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    # step 2: the example folder becomes the topic; a handout of one's own; no brief or
    # worksheet yet
    (project / "content" / "example").rename(project / "content" / "telehealth")
    topic = project / "content" / "telehealth"
    (topic / "brief.en.yaml").unlink()
    (topic / "worksheet.en.yaml").unlink()
    (topic / "handout.en.yaml").write_text(HANDOUT, encoding="utf-8")
    # ... its source, a web page with the day it was read, in place of the examples' sources
    # (the file says to replace them; its first line, the editor's schema, stays)
    references = project / "content" / "references.yaml"
    modeline = references.read_text(encoding="utf-8").splitlines()[0]
    references.write_text(modeline + "\n" + WEB_PAGE, encoding="utf-8")

    # step 3: check as you write. What is left is what this test chose not to make real: the
    # web page's example.org address, which `--strict` and release builds refuse
    check = shell(f"{command} check", project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert re.findall(r"^(\S+): (warning|error): (.*?):", check.stdout, re.M) == [
        (
            "content/references.yaml:8:16",
            "warning",
            "item 1.URL has a placeholder, an example domain",
        )
    ], check.stdout
    assert "checked 1 documents: 0 errors, 1 warning" in check.stderr

    # the printed next step, literally: cd, then build
    built = shell(f"{cd} && {build}", tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    pdf = project / "dist" / "telehealth" / "handout.en.standard.letter.pdf"
    pages = page_texts(pdf)
    text = " ".join(" ".join(pages).split())
    assert "Your video visit" in text and "Log in 10 minutes early" in text
    assert (
        "Riverside Test Clinic. Getting ready for your video visit. Accessed December 1, 2026."
        in text
    )
    # not mental health: the crisis resources are at the end, and in every footer
    assert text.index("When to get help now") < text.index("If you are in crisis, get help now")
    assert "If you are in crisis" not in pages[0]
    for page in pages:
        flat = " ".join(page.split())
        assert "In crisis? Call or text 988" in flat
        assert "Riverside Test Clinic: (617) 555-2368" in flat
    # a draft until a clinician approves it, and it says so
    assert all("DRAFT — not reviewed for patient use" in page for page in pages)
    assert "sample details" not in text  # the organization is no longer the placeholder
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["organization"]["name"] == (
        "Riverside Test Clinic"
    )
