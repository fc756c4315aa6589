"""Case and accent folding and word splitting, shared by the search index and the search criteria."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Letters of the Norwegian alphabet that are letters of their own, not accented variants: kept as they are.
NORWEGIAN_LETTERS = frozenset("æøå")

#: Foreign letters written with Norwegian ones (the register's own convention for ä and ö).
_LETTER_MAP = {"ä": "æ", "ö": "ø", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i"}

#: What separates words in a name or a street name.
_SEPARATORS = re.compile(r"[\s\-.,/]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents removed (é → e, ü → u), Norwegian æ, ø, å kept, ä → æ, ö → ø.

    Apostrophes vanish (O'Brien → obrien); every other character is kept as it is, so callers decide
    what a word may contain.
    """
    folded: list[str] = []
    for char in text.casefold():
        if char in NORWEGIAN_LETTERS:
            folded.append(char)
        elif char in _LETTER_MAP:
            folded.append(_LETTER_MAP[char])
        elif char in "'’`´":
            continue
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            folded.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(folded)


def words(text: str) -> list[str]:
    """The folded words of a name or street name: split on spaces, hyphens, periods, commas and slashes."""
    return [word for word in _SEPARATORS.split(fold(text)) if word]


def street_key(text: str) -> str:
    """A street name as one comparable string: folded words joined by single spaces (prefix-searchable)."""
    return " ".join(words(text))
