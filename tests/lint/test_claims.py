"""Claims discipline: figures and comparisons cite their source (warning in handouts, error in
briefs), hype words get a plain suggestion; English and Spanish, located at the word. Each rule
is shown both firing on a claim and leaving alone what only looks like one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handoutkit.lint.claims import claim_rules, find_claims, find_hype, hype_lexicon, reader_text
from helpers import apply_case

HANDOUT = "content/demo/handout.en.yaml"
BRIEF = "content/demo/brief.en.yaml"
BODY_LINE = 16  # the first line of the handout's first section body (tests/data/mini)


def with_body(mini: Path, *lines: str, path: str = HANDOUT) -> None:
    """The mini handout with `lines` as its first section's body (from line BODY_LINE)."""
    body = "\n".join(f"      {line}" for line in lines)
    apply_case(
        mini,
        {
            "file": path,
            "replace": ["      This is a short test. It has a fact [@smith2020].", body],
        },
    )


def lines_of(run, mini: Path) -> list[str]:
    return run("check", cwd=mini).out.splitlines()


# --------------------------------------------------------------------------- claim-citation


def test_figures_percentages_and_comparisons_need_a_citation_in_handouts(run, mini: Path) -> None:
    with_body(
        mini,
        "In one study, 40% of people felt less low.",
        "Therapy worked better than usual care.",
        "It was small: 22 adults took part.",
        "It helped about twice as often.",
        "Nine people out of ten felt better.",
    )
    lines = lines_of(run, mini)
    hint = "cite its source in the sentence with [@key], or say it without the figure or comparison"
    for expected in (
        f"{HANDOUT}:16:21: warning: sentence with a percentage ('40%') cites no source: "
        f'"In one study, 40% of people felt less low." — {hint}',
        f"{HANDOUT}:17:22: warning: sentence with a comparison ('better than') cites no source: "
        f'"Therapy worked better than usual care." — {hint}',
        f"{HANDOUT}:18:21: warning: sentence with a figure ('22') cites no source: "
        f'"It was small: 22 adults took part." — {hint}',
        f"{HANDOUT}:19:23: warning: sentence with a comparison ('twice') cites no source: "
        f'"It helped about twice as often." — {hint}',
        f"{HANDOUT}:20:7: warning: sentence with a figure ('Nine') cites no source: "
        f'"Nine people out of ten felt better." — {hint}',
    ):
        assert expected in lines, "\n".join(lines)


def test_the_same_sentences_with_a_citation_pass(run, mini: Path) -> None:
    with_body(
        mini,
        "In one study, 40% of people felt less low [@smith2020].",
        "Therapy worked better than usual care [@smith2020].",
        "It was small: 22 adults took part. [@smith2020]",  # after the full stop counts too
        "It helped about twice as often",
        "[@smith2020].",  # a citation on the next line of the same sentence
    )
    result = run("check", "--strict", cwd=mini)
    assert result.code == 0, result.text


def test_a_citation_in_another_sentence_does_not_count(run, mini: Path) -> None:
    with_body(mini, "It was small [@smith2020]. Only 22 adults took part.")
    lines = lines_of(run, mini)
    assert any(
        line.startswith(f"{HANDOUT}:16:39: warning: sentence with a figure ('22')")
        for line in lines
    ), lines


def test_what_only_looks_like_a_claim_is_left_alone(run, mini: Path) -> None:
    with_body(
        mini,
        "Call or text 988 at any time, or call 911. Text HOME to 741741.",
        "Veterans can call 988 and press 1, or text 838255.",
        "Call the clinic at (617) 555-2368 or 1-800-273-8255.",
        "This page was written on 16 November 2026, and checked on November 20.",
        "In 2023, a team looked at this question again.",
        "It is for adults 18 or older, aged 18 to 65.",
        "Come at 9 a.m. The line is open 24/7.",
        "Write down one or two questions.",
        "Can ketamine help more than therapy?",
        'Some patients have read that "ketamine worked for 70% of people".',
        "COVID-19 and vitamin B12 are names, not figures.",
        "Talk therapy works rather than waits.",
        "",
        "1. Make a plan.",
        "2. Keep it with you.",
    )
    result = run("check", "--strict", cwd=mini)
    assert not [
        line
        for line in result.out.splitlines()
        if "claim-citation" in line or "cites no source" in line
    ], result.out
    assert result.code == 0, result.text


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("In 2023, 22 adults took part.", "a figure ('22')"),
        ("Adults aged 18 to 65: 12 got ketamine.", "a figure ('12')"),
        ("Call 988; 3 in 10 people get better.", "a figure ('3')"),
        ("2023 % is not a year.", "a percentage ('2023 %')"),
        (
            "It was stronger with ketamine than with midazolam.",
            "a comparison ('stronger with ketamine than')",
        ),
        ("Compared with placebo, it did well.", "a comparison ('Compared with')"),
        ("p = 0.031", "a figure ('0.031')"),
    ],
)
def test_an_exclusion_spares_only_its_own_number(sentence: str, found: str) -> None:
    rules = claim_rules("en")
    text = reader_text(sentence, markdown=True)
    claims = find_claims(rules, text)
    assert claims and claims[0][1] == found, claims


def test_in_a_brief_an_uncited_figure_is_an_error(run, mini: Path) -> None:
    apply_case(
        mini,
        {"file": BRIEF, "replace": ["  - Keep following the patient.", "  - Review at 4 weeks."]},
    )
    result = run("check", cwd=mini)
    assert result.code == 1
    assert (
        f"{BRIEF}:40:15: error: sentence with a figure ('4') cites no source: "
        '"Review at 4 weeks." — cite its source in the sentence with [@key], or say it without '
        "the figure or comparison" in result.out.splitlines()
    ), result.out


def test_brief_tables_carry_their_citations_in_their_rows(run, mini: Path) -> None:
    apply_case(
        mini,
        {"file": BRIEF, "replace": ["effect: No difference", "effect: MD 1.2 points lower"]},
    )
    result = run("check", "--strict", cwd=mini)
    assert result.code == 0, result.text


def test_spanish_claims_are_found_and_located(run, mini: Path) -> None:
    spanish = spanish_handout(
        mini,
        "La ketamina fue más eficaz que el midazolam.",
        "El 40 % de las personas mejoró.",
        "Ayudó el doble de veces.",
        "Llame o envíe un texto al 988 y marque 2.",
        "El 16 de noviembre de 2026 revisamos esta hoja.",
        "Es para adultos mayores de 18 años.",
        "Tome nota de una o dos preguntas.",
        "¿Es más eficaz que la terapia?",
        "Envíe AYUDA al 988.",
    )
    lines = [
        line for line in run("check", spanish, cwd=mini).out.splitlines() if "cites no" in line
    ]
    assert [line.split(" — ")[0] for line in lines] == [
        f"{spanish}:16:23: warning: sentence with a comparison ('más eficaz que') cites no "
        'source: "La ketamina fue más eficaz que el midazolam."',
        f"{spanish}:17:10: warning: sentence with a percentage ('40 %') cites no source: "
        '"El 40 % de las personas mejoró."',
        f"{spanish}:18:13: warning: sentence with a comparison ('el doble') cites no source: "
        '"Ayudó el doble de veces."',
    ]


def spanish_handout(mini: Path, *lines: str) -> str:
    """A Spanish copy of the mini handout with `lines` as its first section's body."""
    english = (mini / HANDOUT).read_text(encoding="utf-8")
    body = "\n".join(f"      {line}" for line in lines)
    text = (
        english.replace("id: demo-handout-en", "id: demo-handout-es")
        .replace("language: en", "language: es")
        .replace("TEST-PH-EN", "TEST-PH-ES")
        .replace("      This is a short test. It has a fact [@smith2020].", body)
    )
    path = "content/demo/handout.es.yaml"
    (mini / path).write_text(text, encoding="utf-8")
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
    return path


# --------------------------------------------------------------------------- hype


def test_hype_words_are_located_with_a_plain_suggestion(run, mini: Path) -> None:
    with_body(
        mini,
        "Ketamine is a breakthrough [@smith2020].",
        "Some call it a miracle cure [@smith2020].",
        "It is a proven and safe treatment.",
        "It is a game-changer for BPD [@smith2020].",
    )
    lines = [line for line in lines_of(run, mini) if "oversells" in line]
    assert lines == [
        f"{HANDOUT}:16:21: warning: 'breakthrough' is hype: it oversells — say what the studies "
        'found and how sure they are, e.g. "a small study found ..."',
        f"{HANDOUT}:17:22: warning: 'miracle cure' is hype: it oversells — say what it can and "
        "cannot do, and cite the evidence",
        f"{HANDOUT}:18:15: warning: 'proven' without a citation oversells — cite the studies, or "
        'say "studies suggest" or "there is some evidence"',
        f"{HANDOUT}:18:26: warning: 'safe' without a citation oversells — say what the risks are "
        "and how often they happen, and cite the evidence",
        f"{HANDOUT}:19:15: warning: 'game-changer' is hype: it oversells — say what is new and "
        "what the evidence shows",
    ]


def test_hype_in_a_heading_is_located(run, mini: Path) -> None:
    apply_case(
        mini, {"file": HANDOUT, "replace": ["heading: What it is", "heading: A revolutionary idea"]}
    )
    lines = lines_of(run, mini)
    assert any(
        line.startswith(f"{HANDOUT}:14:16: warning: 'revolutionary' is hype") for line in lines
    ), lines


def test_where_a_hype_word_is_fine_it_is_left_alone(run, mini: Path) -> None:
    with_body(
        mini,
        "There is no cure for BPD, but it can be treated.",
        "Ketamine is not a proven treatment for BPD.",
        "Ketamine is proven to help some depression [@smith2020].",
        "Ketamine was safe in this small study [@smith2020].",
        "Get help if you do not feel safe. Keep yourself safe.",
        'Some clinics call ketamine a "miracle".',
        "Is ketamine a miracle?",
        "Make a safety plan with your care team.",
    )
    result = run("check", "--strict", cwd=mini)
    assert "oversells" not in result.out, result.out
    assert result.code == 0, result.text


def test_spanish_hype(run, mini: Path) -> None:
    spanish = spanish_handout(
        mini,
        "La ketamina es un gran avance [@smith2020].",
        "Es una cura milagrosa [@smith2020].",
        "Es un tratamiento probado.",
        "El TLP no tiene cura, pero se puede tratar.",
        "La ketamina no es un tratamiento probado para el TLP.",
        'Algunas clínicas la llaman "milagrosa".',
    )
    lines = [
        line for line in run("check", spanish, cwd=mini).out.splitlines() if "oversells" in line
    ]
    assert [line.split(" — ")[0] for line in lines] == [
        f"{spanish}:16:25: warning: 'gran avance' is hype: it oversells",
        f"{spanish}:17:14: warning: 'cura milagrosa' is hype: it oversells",
        f"{spanish}:18:25: warning: 'probado' without a citation oversells",
    ]


def test_the_shipped_lexicons_load() -> None:
    from handoutkit.lint.claims import ClaimsData, _data

    for language in ("en", "es"):
        data = ClaimsData.model_validate(_data(f"claims.{language}.yaml"))
        for pattern in (*data.comparisons, *data.not_claims):  # matched on lower-case text
            letters = re.sub(r"\\.|\{n\}|\{month\}", "", pattern)
            assert letters == letters.lower(), pattern
        assert claim_rules(language).comparison is not None
        words = hype_lexicon(language)
        assert words.pattern is not None and len(words.entries) >= 8
    text = reader_text("A *breakthrough*, truly.", markdown=True)
    assert [entry.term for _, _, entry in find_hype(hype_lexicon("en"), text)] == ["breakthrough"]
