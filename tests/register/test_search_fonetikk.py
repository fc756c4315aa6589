"""The Norwegian phonetic key and word folding: spellings people confuse match, different names do not."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.normalisering import fold, street_key, words
from fiks_folkeregister.register.search.fonetikk import phonetic_key, sounds_alike

ISSUE_PAIRS = [
    ("Kristian", "Christian"),
    ("Hansen", "Hanssen"),
    ("Sørensen", "Sørenssen"),
    ("Sørensen", "Sorensen"),
    ("Sørenssen", "Sorensen"),
    ("Karlsen", "Carlsen"),
    ("Mathias", "Matias"),
    ("Tone", "Thone"),
    ("Aasen", "Åsen"),
]

MORE_PAIRS = [
    ("Haakon", "Håkon"),
    ("Aase", "Åse"),
    ("Kristoffer", "Christopher"),
    ("Christensen", "Kristensen"),
    ("Matthias", "Mathias"),
    ("Thomas", "Tomas"),
    ("Marthe", "Marte"),
    ("Ruth", "Rut"),
    ("Elisabeth", "Elisabet"),
    ("Sophie", "Sofie"),
    ("Cecilie", "Sesilie"),
    ("Jacobsen", "Jakobsen"),
    ("Eriksen", "Ericsson"),
    ("Erichsen", "Eriksen"),
    ("Karlsson", "Karlsen"),
    ("Olson", "Olsen"),
    ("Pettersen", "Petersen"),
    ("Alexander", "Aleksander"),
    ("Zakarias", "Sakarias"),
    ("Widar", "Vidar"),
    ("Dahl", "Dal"),
    ("John", "Jon"),
    ("Hjalmar", "Jalmar"),
    ("Gjertrud", "Jertrud"),
    ("Meyer", "Meier"),
    ("Sæther", "Sether"),
    ("Bjørn", "Bjorn"),
    ("Philip", "Filip"),
    ("Nilssen", "Nilsen"),
]

DIFFERENT = [
    ("Hansen", "Jensen"),
    ("Kristian", "Kristina"),
    ("Tone", "Tore"),
    ("Olsen", "Nilsen"),
    ("Berg", "Borg"),
    ("Anne", "Anna"),
    ("Lars", "Lasse"),
    ("Per", "Pål"),
    ("Ola", "Ole"),
    ("Sørensen", "Svendsen"),
    ("Nordmann", "Normann"),
    ("Kari", "Karin"),
    ("Erik", "Eirik"),
    ("Pedersen", "Petersen"),
    ("Johansen", "Johannessen"),
    ("Aas", "As"),
    ("Lie", "Li"),
    ("Moen", "Mon"),
    ("Karlsen", "Karlstad"),
    ("Hilde", "Hilda"),
]


@pytest.mark.parametrize(("first", "second"), ISSUE_PAIRS + MORE_PAIRS)
def test_spellings_people_confuse_share_a_key(first: str, second: str) -> None:
    assert sounds_alike(fold(first), fold(second)), (phonetic_key(fold(first)), phonetic_key(fold(second)))


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_clearly_different_names_keep_different_keys(first: str, second: str) -> None:
    assert not sounds_alike(fold(first), fold(second)), phonetic_key(fold(first))


def test_folding_keeps_norwegian_letters_and_drops_accents() -> None:
    assert fold("ÅSE Ærlig Øyvind") == "åse ærlig øyvind"
    assert fold("Renée Müller") == "renee muller"
    assert fold("Jäger Björk") == "jæger bjørk"
    assert fold("O'Brien") == "obrien"


def test_names_split_into_whole_words_on_spaces_hyphens_and_periods() -> None:
    assert words("Anne-Lise  St. Olav") == ["anne", "lise", "st", "olav"]
    assert street_key("  Kongens   gate ") == "kongens gate"


def test_phonetic_key_of_an_empty_word_is_empty() -> None:
    assert phonetic_key("") == ""
