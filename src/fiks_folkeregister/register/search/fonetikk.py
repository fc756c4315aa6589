"""A phonetic key for Norwegian names: spellings that sound alike get the same key.

The rules, applied in order to a folded word (see `normalisering.fold`):

1. Old and foreign spellings of Norwegian letters: ``aa`` → ``å``; then ``ø`` → ``o`` and ``æ`` → ``e``
   (Sørensen/Sorensen, Sæther/Sether).
2. Consonant spellings: ``sch``/``skj`` → ``sj``, ``ch`` → ``k``, ``ph`` → ``f``, ``th`` → ``t``,
   ``qu`` → ``kv``, ``q`` → ``k``, ``c`` → ``s`` before e/i/y and ``k`` elsewhere, ``w`` → ``v``,
   ``z`` → ``s``, ``x`` → ``ks``, ``dt`` → ``t``, initial ``gj`` → ``j``, ``ey``/``ej`` → ``ei``,
   ``ay``/``aj`` → ``ai``.
3. A silent ``h``: kept only before a vowel (Dahl/Dal, John/Jon, Hjalmar/Jalmar, Hvalstad/Valstad).
4. Double letters become single (Hanssen/Hansen, Matthias/Mathias/Matias).
5. The patronymic ending ``son`` becomes ``sen`` (Karlsson/Karlsen, Olson/Olsen).

Vowels are otherwise kept apart (Anne/Anna, Kari/Karin, Erik/Eirik, Tone/Tore stay different).
"""

from __future__ import annotations

import re
from functools import lru_cache

VOWELS = frozenset("aeiouyæøå")

_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"aa", "å"),
        (r"ø", "o"),
        (r"æ", "e"),
        (r"sch|skj", "sj"),
        (r"ch", "k"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"qu", "kv"),
        (r"q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"w", "v"),
        (r"z", "s"),
        (r"x", "ks"),
        (r"dt", "t"),
        (r"^gj", "j"),
        (r"e[yj]", "ei"),
        (r"a[yj]", "ai"),
    )
)
_SILENT_H = re.compile(r"h(?![aeiouyæøå])")
_DOUBLES = re.compile(r"(.)\1+")
_PATRONYMIC = re.compile(r"son$")


@lru_cache(maxsize=65536)
def phonetic_key(word: str) -> str:
    """The phonetic key of one folded word (lower case, accents folded); empty input gives ''."""
    key = word
    for pattern, replacement in _SPELLINGS:
        key = pattern.sub(replacement, key)
    key = _SILENT_H.sub("", key)
    key = _DOUBLES.sub(r"\1", key)
    key = _PATRONYMIC.sub("sen", key)
    return key or word


def sounds_alike(first: str, second: str) -> bool:
    """Whether two folded words share a phonetic key."""
    return phonetic_key(first) == phonetic_key(second)
