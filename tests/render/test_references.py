"""AMA 11 reference formatting, checked against real references cited in the BPD materials."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

import pytest

from handoutkit.models import CslItem
from handoutkit.render.references import (
    format_reference_html,
    format_reference_text,
    reference_segments,
)


def people(names: str) -> list[dict[str, str]]:
    """CSL names from "Family AB, Family C", initials spaced so each is a given-name word."""
    out = []
    for name in names.split(", "):
        family, _, letters = name.rpartition(" ")
        out.append({"family": family, "given": " ".join(letters)})
    return out


FINEBERG: dict[str, Any] = {
    "id": "fineberg2023",
    "type": "article-journal",
    "title": "A pilot randomized controlled trial of ketamine in Borderline Personality Disorder",
    "author": [
        {"family": "Fineberg", "given": "Sarah K."},
        *people(
            "Choi EY, Shapiro-Thompson R, Dhaliwal K, Neustadter E, Sakheim M, Null K, "
            "Trujillo-Diaz D, Rondeau J, Pittaro GF, Peters JR, Corlett PR, Krystal JH"
        ),
    ],
    "container-title": "Neuropsychopharmacology",
    "issued": {"date-parts": [[2023]]},
    "volume": 48,
    "issue": 7,
    "page": "991-999",
    "DOI": "10.1038/s41386-023-01540-4",
    "PMID": 36804489,
}
FINEBERG_TEXT = (
    "Fineberg SK, Choi EY, Shapiro-Thompson R, et al. A pilot randomized controlled trial of "
    "ketamine in Borderline Personality Disorder. Neuropsychopharmacology. "
    "2023;48(7):991-999. doi:10.1038/s41386-023-01540-4. PMID: 36804489"
)

COCHRANE: dict[str, Any] = {
    "id": "storebo2020",
    "type": "article-journal",
    "title": "Psychological therapies for people with borderline personality disorder",
    "author": [
        {"family": "Storebø", "given": "Ole Jakob"},
        *people(
            "Stoffers-Winterling JM, Völlm BA, Kongerslev MT, Mattivi JT, Jørgensen MS, "
            "Faltinsen E, Todorovac A, Sales CP, Callesen HE, Lieb K, Simonsen E"
        ),
    ],
    "container-title": "Cochrane Database of Systematic Reviews",
    "container-title-short": "Cochrane Database Syst Rev",
    "issued": {"date-parts": [[2020, 5, 4]]},
    "volume": "5",
    "issue": "5",
    "page": "CD012955",
    "DOI": "10.1002/14651858.CD012955.pub2",
    "PMID": "32368793",
}

APA_BOOK: dict[str, Any] = {
    "id": "apa2024",
    "type": "book",
    "title": (
        "Practice Guideline for the Treatment of Patients With Borderline Personality Disorder"
    ),
    "author": [{"literal": "American Psychiatric Association"}],
    "edition": 2,
    "publisher": "American Psychiatric Association Publishing",
    "issued": {"date-parts": [[2024]]},
    "DOI": "10.1176/appi.books.9780890428009",
}
APA_TEXT = (
    "American Psychiatric Association. Practice Guideline for the Treatment of Patients With "
    "Borderline Personality Disorder. 2nd ed. American Psychiatric Association Publishing; "
    "2024. doi:10.1176/appi.books.9780890428009"
)

NICE: dict[str, Any] = {
    "id": "nice2009",
    "type": "report",
    "title": "Borderline personality disorder: recognition and management",
    "genre": "Clinical guideline CG78",
    "publisher": "National Institute for Health and Care Excellence",
    "issued": {"date-parts": [[2009, 1]]},
}
NICE_TEXT = (
    "Borderline personality disorder: recognition and management. Clinical guideline CG78. "
    "National Institute for Health and Care Excellence; 2009."
)

SCOTT: dict[str, Any] = {
    "id": "scott2025",
    "type": "article-journal",
    "title": "Ketamine and borderline personality disorder",
    "title-is-descriptive": True,
    "author": [{"family": "Scott", "given": "E"}],
    "container-title-short": "Aust N Z J Psychiatry",
    "issued": {"date-parts": [[2025]]},
    "DOI": "10.1177/00048674251374472",
}

WEBPAGE: dict[str, Any] = {
    "id": "example-web",
    "type": "webpage",
    "title": "Borderline personality disorder",
    "author": [{"literal": "Example Clinic"}],
    "container-title": "Example Health",
    "issued": {"date-parts": [[2024, 3, 1]]},
    "accessed": {"date-parts": [[2026, 11, 23]]},
    "URL": "https://example.org/bpd?x=1&y=2",
}


def text_of(data: dict[str, Any]) -> str:
    return format_reference_text(CslItem.model_validate(data))


def html_of(data: dict[str, Any]) -> str:
    return str(format_reference_html(CslItem.model_validate(data)))


class _Structure(HTMLParser):
    """Records tags, text inside <a>, and any element opened inside an <a> (but <wbr>, a
    break opportunity in an address)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.in_link = False
        self.nested_in_link: list[str] = []
        self.link_texts: list[str] = []
        self.hrefs: list[str | None] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if self.in_link and tag != "wbr":
            self.nested_in_link.append(tag)
        if tag == "a":
            self.in_link = True
            self.hrefs.append(dict(attrs).get("href"))
            self.link_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.in_link = False

    def handle_data(self, data: str) -> None:
        self.text += data
        if self.in_link:
            self.link_texts[-1] += data


def parse(markup: str) -> _Structure:
    parser = _Structure()
    parser.feed(markup)
    parser.close()
    return parser


# --------------------------------------------------------------------------- real references


def test_journal_article_with_more_than_six_authors() -> None:
    assert text_of(FINEBERG) == FINEBERG_TEXT


def test_cochrane_review_article_number_and_short_journal_name() -> None:
    assert text_of(COCHRANE) == (
        "Storebø OJ, Stoffers-Winterling JM, Völlm BA, et al. Psychological therapies for "
        "people with borderline personality disorder. Cochrane Database Syst Rev. "
        "2020;5(5):CD012955. doi:10.1002/14651858.CD012955.pub2. PMID: 32368793"
    )
    assert "<i>Cochrane Database Syst Rev</i>." in html_of(COCHRANE)


@pytest.mark.parametrize("edition", [2, "2", "2nd ed."])
def test_book_by_organization(edition: int | str) -> None:
    assert text_of({**APA_BOOK, "edition": edition}) == APA_TEXT
    assert html_of(APA_BOOK).startswith(
        "American Psychiatric Association. <i>Practice Guideline for the Treatment of Patients "
        "With Borderline Personality Disorder</i>. 2nd ed. "
    )


def test_report_guideline_without_author_or_url() -> None:
    assert text_of(NICE) == NICE_TEXT
    assert html_of(NICE).startswith(
        "<i>Borderline personality disorder: recognition and management</i>. "
    )


def test_report_genre_and_number_combine() -> None:
    split = {**NICE, "genre": "Clinical guideline", "number": "CG78"}
    assert text_of(split) == NICE_TEXT
    repeated = {**NICE, "number": "CG78"}  # number already in the genre: not printed twice
    assert text_of(repeated) == NICE_TEXT


def test_descriptive_title_in_brackets_without_volume() -> None:
    text = text_of(SCOTT)
    assert text.startswith("Scott E. [")
    assert text == (
        "Scott E. [Ketamine and borderline personality disorder]. Aust N Z J Psychiatry. 2025. "
        "doi:10.1177/00048674251374472"
    )


def test_descriptive_title_does_not_double_its_own_period() -> None:
    text = text_of({**SCOTT, "title": "Ketamine and BPD."})
    assert text.startswith("Scott E. [Ketamine and BPD]. Aust N Z J Psychiatry.")


def test_webpage() -> None:
    assert text_of(WEBPAGE) == (
        "Example Clinic. Borderline personality disorder. Example Health. Published 2024. "
        "Accessed November 23, 2026. https://example.org/bpd?x=1&y=2"
    )
    structure = parse(html_of(WEBPAGE))
    assert structure.hrefs == ["https://example.org/bpd?x=1&y=2"]
    assert structure.link_texts == ["https://example.org/bpd?x=1&y=2"]
    assert "<i>" not in html_of(WEBPAGE)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [([2026, 11], "Accessed November 2026."), ([2026], "Accessed 2026.")],
)
def test_partial_access_dates(parts: list[int], expected: str) -> None:
    assert expected in text_of({**WEBPAGE, "accessed": {"date-parts": [parts]}})


def test_access_date_is_not_printed_with_a_doi() -> None:
    text = text_of({**APA_BOOK, "accessed": {"date-parts": [[2026, 11, 23]]}})
    assert "Accessed" not in text


# --------------------------------------------------------------------------- authors


def test_exactly_six_authors_are_all_listed() -> None:
    six = people("Alpha A, Beta B, Gamma G, Delta D, Epsilon E, Zeta Z")
    text = text_of({**FINEBERG, "author": six})
    assert text.startswith("Alpha A, Beta B, Gamma G, Delta D, Epsilon E, Zeta Z. A pilot")
    assert "et al" not in text


def test_seven_authors_become_three_and_et_al() -> None:
    seven = people("Alpha A, Beta B, Gamma G, Delta D, Epsilon E, Zeta Z, Eta H")
    text = text_of({**FINEBERG, "author": seven})
    assert text.startswith("Alpha A, Beta B, Gamma G, et al. A pilot")
    assert "Delta" not in text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Sarah K.", "SK"),
        ("Sarah Kathryn", "SK"),
        ("S. K.", "SK"),
        ("S.K.", "SK"),
        ("SK", "SK"),
        ("Jean-Paul", "J-P"),
        ("J.-P.", "J-P"),
        ("Ole Jakob", "OJ"),
        ("élodie", "É"),
    ],
)
def test_initials(given: str, expected: str) -> None:
    data = {**SCOTT, "author": [{"family": "Doe", "given": given}]}
    assert text_of(data).startswith(f"Doe {expected}. [")


def test_family_only_and_suffix() -> None:
    authors = [{"family": "Plato"}, {"family": "King", "given": "Martin Luther", "suffix": "Jr"}]
    assert text_of({**SCOTT, "author": authors}).startswith("Plato, King ML Jr. [")


def test_no_authors_starts_with_title() -> None:
    assert text_of({**FINEBERG, "author": []}).startswith("A pilot randomized")


# --------------------------------------------------------------------------- titles and notes


@pytest.mark.parametrize("title", ["Does ketamine help?", "It works!", "Already closed."])
def test_title_ending_punctuation_is_not_doubled(title: str) -> None:
    text = text_of({**FINEBERG, "title": title})
    assert f"et al. {title} Neuropsychopharmacology." in text


def test_note_is_ignored() -> None:
    assert text_of({**FINEBERG, "note": "Check the PMID before printing."}) == FINEBERG_TEXT


def test_editions() -> None:
    assert ". 3rd ed. " in text_of({**APA_BOOK, "edition": 3})
    assert ". 11th ed. " in text_of({**APA_BOOK, "edition": "11"})
    assert ". Revised ed. " in text_of({**APA_BOOK, "edition": "Revised"})
    assert " ed." not in text_of({**APA_BOOK, "edition": 1})  # AMA does not print a 1st ed.


def test_unknown_type_is_formatted_like_a_report() -> None:
    assert text_of({**NICE, "type": "document"}) == NICE_TEXT


# --------------------------------------------------------------------------- HTML


def test_html_escapes_every_field_and_links_cleanly() -> None:
    data = {
        **FINEBERG,
        "title": 'Ketamine <script>alert("x")</script> & "friends"',
        "container-title": "J <b>Bold</b> & Co",
        "author": [{"literal": "Smith & <Sons>"}],
    }
    markup = html_of(data)
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert "&amp; &#34;friends&#34;" in markup
    assert "Smith &amp; &lt;Sons&gt;" in markup
    assert "<i>J &lt;b&gt;Bold&lt;/b&gt; &amp; Co</i>." in markup
    assert (
        '<a href="https://doi.org/10.1038/s41386-023-01540-4">'
        "doi:10.1038/<wbr>s41386-023-01540-4</a>. PMID: 36804489"
    ) in markup
    structure = parse(markup)
    assert structure.nested_in_link == []
    assert set(structure.tags) == {"i", "a", "wbr"}
    assert structure.text == format_reference_text(CslItem.model_validate(data))


def test_html_doi_with_unsafe_characters_is_escaped_in_href() -> None:
    markup = html_of({**FINEBERG, "DOI": 'https://doi.org/10.1/a"b<c>?#'})
    structure = parse(markup)
    assert structure.hrefs == ["https://doi.org/10.1/a%22b%3Cc%3E%3F%23"]
    assert structure.link_texts == ['doi:10.1/a"b<c>?#']
    assert structure.nested_in_link == []


def test_non_http_url_is_not_a_link() -> None:
    markup = html_of({**NICE, "URL": "javascript:alert(1)"})
    assert "<a" not in markup
    assert markup.endswith("2009. javascript:alert(1)")


def test_report_url_is_a_link() -> None:
    url = "https://www.nice.org.uk/guidance/cg78"
    assert text_of({**NICE, "URL": url}) == f"{NICE_TEXT} {url}"
    shown = "https://<wbr>www.<wbr>nice.<wbr>org.<wbr>uk/<wbr>guidance/<wbr>cg78"  # may break there
    assert html_of({**NICE, "URL": url}).endswith(f'2009. <a href="{url}">{shown}</a>')


@pytest.mark.parametrize("data", [FINEBERG, COCHRANE, APA_BOOK, NICE, SCOTT, WEBPAGE])
def test_html_and_text_cannot_drift(data: dict[str, Any]) -> None:
    csl = CslItem.model_validate(data)
    structure = parse(str(format_reference_html(csl)))
    assert structure.text == format_reference_text(csl)
    assert "".join(segment.text for segment in reference_segments(csl)) == structure.text
    assert html.unescape(structure.text) == structure.text


# --------------------------------------------------------------------------- missing fields

DOUBLED = (". .", "..", ";;", " ,", ",,", "; .", ": .", " .", "()", ";:", "  ")

REMOVALS = [
    ("journal", FINEBERG, ("container-title",)),
    ("year", FINEBERG, ("issued",)),
    ("volume", FINEBERG, ("volume",)),
    ("issue", FINEBERG, ("issue",)),
    ("pages", FINEBERG, ("page",)),
    ("volume+issue+pages", FINEBERG, ("volume", "issue", "page")),
    ("year+volume+issue", FINEBERG, ("issued", "volume", "issue")),
    ("everything-after-title", FINEBERG,
     ("container-title", "issued", "volume", "issue", "page", "DOI", "PMID")),
    ("doi", FINEBERG, ("DOI",)),
    ("pmid", FINEBERG, ("PMID",)),
    ("authors", FINEBERG, ("author",)),
    ("book-edition", APA_BOOK, ("edition",)),
    ("book-publisher", APA_BOOK, ("publisher",)),
    ("book-publisher+year", APA_BOOK, ("publisher", "issued")),
    ("book-doi", APA_BOOK, ("DOI",)),
    ("report-genre", NICE, ("genre",)),
    ("report-publisher", NICE, ("publisher",)),
    ("report-year", NICE, ("issued",)),
    ("web-site", WEBPAGE, ("container-title",)),
    ("web-issued", WEBPAGE, ("issued",)),
    ("web-accessed", WEBPAGE, ("accessed",)),
    ("web-url", WEBPAGE, ("URL",)),
    ("web-everything", WEBPAGE, ("author", "container-title", "issued", "accessed", "URL")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "removed"),
    [(base, removed) for _, base, removed in REMOVALS],
    ids=[name for name, _, _ in REMOVALS],
)
def test_missing_fields_leave_no_doubled_punctuation(
    base: dict[str, Any], removed: tuple[str, ...]
) -> None:
    data = {key: value for key, value in base.items() if key not in removed}
    text = text_of(data)
    for bad in DOUBLED:
        assert bad not in text, f"{bad!r} in {text!r}"
    assert not text.startswith((".", " ", ",", ";"))
    assert not text.endswith((" ", ",", ";", ":"))
    assert text.strip()


def test_missing_fields_degrade_to_expected_shapes() -> None:
    no_volume = {k: v for k, v in FINEBERG.items() if k not in ("volume", "issue", "page")}
    assert text_of(no_volume).endswith(
        "Neuropsychopharmacology. 2023. doi:10.1038/s41386-023-01540-4. PMID: 36804489"
    )
    no_links = {k: v for k, v in FINEBERG.items() if k not in ("DOI", "PMID")}
    assert text_of(no_links).endswith("Neuropsychopharmacology. 2023;48(7):991-999.")
    no_doi = {k: v for k, v in FINEBERG.items() if k != "DOI"}
    assert text_of(no_doi).endswith("2023;48(7):991-999. PMID: 36804489")
    no_year = {k: v for k, v in APA_BOOK.items() if k != "issued"}
    assert "2nd ed. American Psychiatric Association Publishing. doi:" in text_of(no_year)
    no_publisher = {k: v for k, v in NICE.items() if k != "publisher"}
    assert text_of(no_publisher).endswith("Clinical guideline CG78. 2009.")


def test_incomplete_author_list_prints_et_al() -> None:
    """A list the source cut short ("et al.") never prints as if it were complete."""
    six = [{"family": f"Author{chr(65 + i)}", "given": "B"} for i in range(6)]
    item = CslItem.model_validate(
        {"id": "x", "type": "book", "title": "T", "author": six, "author-list-incomplete": True}
    )
    assert format_reference_text(item).startswith("AuthorA B, AuthorB B, AuthorC B, et al. T.")
    one = CslItem.model_validate(
        {
            "id": "y",
            "type": "book",
            "title": "T",
            "author": [{"family": "Scott", "given": "E"}],
            "author-list-incomplete": True,
        }
    )
    assert format_reference_text(one).startswith("Scott E, et al. T.")
