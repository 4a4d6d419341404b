"""Labels come from gettext catalogs (Babel); dates per locale; nothing left untranslated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from helpers import REPO, page_texts

LOCALES = REPO / "src" / "handoutkit" / "locales"
TEMPLATE = LOCALES / "handoutkit.pot"


def _msgids(path: Path) -> set[str]:
    with path.open("rb") as stream:
        return {str(message.id) for message in read_po(stream) if message.id}


def test_the_message_template_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "handoutkit.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "--omit-header", "-o", str(fresh), "."],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert _msgids(fresh) == _msgids(TEMPLATE), (
        "labels changed: run `pybabel extract -F babel.cfg --no-location --sort-output "
        "--omit-header -o src/handoutkit/locales/handoutkit.pot .` and `pybabel update` "
        "(docs/writing.md, Localization)"
    )


@pytest.mark.parametrize("catalog", sorted(LOCALES.glob("*/LC_MESSAGES/handoutkit.po")))
def test_every_label_is_translated(catalog: Path) -> None:
    with catalog.open("rb") as stream:
        messages = {str(m.id): m for m in read_po(stream) if m.id}
    wanted = _msgids(TEMPLATE)
    assert wanted <= set(messages), f"untranslated: {sorted(wanted - set(messages))}"
    assert set(messages) <= wanted, f"obsolete: {sorted(set(messages) - wanted)}"
    incomplete = [m for m in messages.values() if not m.string or m.fuzzy]
    assert not incomplete, [m.id for m in incomplete]


def test_spanish_pdf_has_spanish_labels_and_dates(shipped_pack: Path) -> None:
    pages = page_texts(shipped_pack / "ketamine-bpd" / "handout.es.standard.letter.pdf")
    text = "\n".join(pages)
    for label in (
        "Información para pacientes",
        "El mensaje principal",
        "Lo que usted puede hacer",
        "Sobre esta hoja informativa",
        "Referencias",
        "Estado de la revisión: Borrador",  # the shipped pack is a draft
        "BORRADOR — no revisado para uso con pacientes",
    ):
        assert label in text, label
    assert all(f"Página {n} de {len(pages)}" in page for n, page in enumerate(pages, 1))
    english = page_texts(shipped_pack / "ketamine-bpd" / "handout.en.standard.letter.pdf")
    assert "Review status: Draft" in english[0]
    assert "Page 1 of" in english[0] and "Página" not in "\n".join(english)


def test_a_label_without_translation_fails_the_spanish_document(run, mini: Path) -> None:
    _spanish_copy(
        mini,
        ("Talk to your care team", "Hable con su equipo de atención"),
        ("This is a short test. It has a fact", "Esta es una prueba corta. Tiene un dato"),
        ("If you feel unsafe, call or text 988 now.", "Si no se siente seguro, llame al 988."),
    )
    (mini / "templates").mkdir()
    template = (REPO / "templates" / "handout.html.j2").read_text()
    line = template.splitlines().index("{% block content %}") + 2
    (mini / "templates" / "handout.html.j2").write_text(
        template.replace(
            "{% block content %}", '{% block content %}\n<p>{{ _("Opening hours") }}</p>'
        )
    )
    result = run("build", "-j", "1", cwd=mini)
    assert result.code == 1, result.text
    assert (
        f"templates/handout.html.j2:{line}:1: error: template error: no es translation for the "
        "label 'Opening hours' in locales/es/LC_MESSAGES/handoutkit.po" in result.text
    )
    assert (mini / "dist" / "demo" / "handout.en.standard.letter.pdf").is_file()  # English: ok
    assert not (mini / "dist" / "demo" / "handout.es.standard.letter.pdf").exists()


SHORT_FIELDS_IN_SPANISH = (
    ("title: A test handout", "title: Una hoja de prueba"),
    ("Talk to your care team", "Hable con su equipo de atención"),
    ("heading: What it is", "heading: Qué es"),
    ("Write down your questions.", "Anote sus preguntas."),
    ("What are my options?", "¿Qué opciones tengo?"),
    ("term: Test", "term: Prueba"),
    ("A way to check something.", "Una forma de comprobar algo."),
)


def _spanish_copy(project: Path, *replacements: tuple[str, str]) -> None:
    """A Spanish handout made from the English one (with `replacements`), and the shipped
    crisis resources and disclaimers, which have Spanish versions."""
    text = (project / "content" / "demo" / "handout.en.yaml").read_text()
    for old, new in (
        ("language: en", "language: es"),
        ("id: demo-handout-en", "id: demo-handout-es"),
        ("TEST-PH-EN", "TEST-PH-ES"),
        *replacements,
        *SHORT_FIELDS_IN_SPANISH,  # what the replacements left in English of the short lines
    ):
        text = text.replace(old, new)
    (project / "content" / "demo" / "handout.es.yaml").write_text(text)
    for name in ("crisis-resources.yaml", "disclaimers.yaml"):
        (project / "content" / name).write_text((REPO / "content" / name).read_text())


def test_untranslated_content_is_an_error(run, mini: Path) -> None:
    _spanish_copy(
        mini,
        (
            "If you feel unsafe, call or text 988 now.",
            "If you do not feel safe at home, call or text 988 now and tell them what is wrong.",
        ),
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    lines = result.out.splitlines()
    same = (
        "content/demo/handout.es.yaml:15:11: error: this text is the same as in "
        "content/demo/handout.en.yaml: it has not been translated — translate it into the "
        "document's language (es)"
    )
    assert same in lines
    english_like = [line for line in lines if "reads as English, not es" in line]
    assert english_like and english_like[0].startswith("content/demo/handout.es.yaml:")
    assert "If you do not feel safe at home" in english_like[0]


def test_short_untranslated_lines_are_caught(run, mini: Path) -> None:
    """Under six words, the function-word test cannot tell; an all-English line can."""
    _spanish_copy(mini, ("Write down your questions.", "Log in 10 minutes early."))
    result = run("check", "content/demo/handout.es.yaml", cwd=mini)
    assert result.code == 1, result.text
    assert (
        "content/demo/handout.es.yaml:18:5: error: this line reads as English, not es: 'Log in "
        "10 minutes early.' — translate it into the document's language (es)"
    ) in result.out.splitlines(), result.out


@pytest.mark.parametrize(
    "line", ["Llegue 10 minutos antes.", "Pida ayuda ahora.", "DBT", "Hable con su equipo."]
)
def test_short_spanish_lines_pass(run, mini: Path, line: str) -> None:
    _spanish_copy(
        mini,
        ("Write down your questions.", line),
        ("This is a short test. It has a fact", "Esta es una prueba corta. Tiene un dato"),
        ("If you feel unsafe, call or text 988 now.", "Si no se siente seguro, llame al 988."),
    )
    result = run("check", "content/demo/handout.es.yaml", cwd=mini)
    assert "reads as English" not in result.out, result.out
