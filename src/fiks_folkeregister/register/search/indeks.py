"""The search index rows of one person document: a pure function, so seeding and later changes agree."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fiks_folkeregister.domain.dokument import current_entry, is_current
from fiks_folkeregister.domain.normalisering import street_key, words
from fiks_folkeregister.domain.soekeparametre import (
    BOSTED,
    DUF,
    LEGITIMASJON,
    OPPHOLD,
    UTENLANDSK,
    identifier_key,
)
from fiks_folkeregister.register.search.fonetikk import phonetic_key

Row = dict[str, Any]

#: Name fields and the `ledd` letter they are indexed under.
NAME_FIELDS = (("fornavn", "F"), ("mellomnavn", "M"), ("etternavn", "E"))
ADDRESS_ELEMENTS = (("bostedsadresse", BOSTED), ("oppholdsadresse", OPPHOLD))
#: Grading stored when an address has none: matches no package's visible gradings (fails closed).
UNKNOWN_GRADING = "ukjent"


@dataclass(frozen=True, slots=True)
class IndexRows:
    """Rows for each search table, for one person."""

    person: Row
    navn: list[Row]
    adresser: list[Row]
    identifikasjoner: list[Row]


def _is_dead(document: Mapping[str, Any]) -> bool:
    doedsfall = document.get("doedsfall")
    if isinstance(doedsfall, Mapping) and doedsfall.get("doedsdato"):
        return is_current(doedsfall)
    status = current_entry(document, "status")
    return status is not None and status.get("status") == "doed"


def _person_row(person_id: int, document: Mapping[str, Any]) -> Row:
    foedsel = current_entry(document, "foedsel") or {}
    foedselsdato = str(foedsel.get("foedselsdato") or "").replace("-", "") or None
    aar = foedsel.get("foedselsaar") or (foedselsdato[:4] if foedselsdato else None)
    kjoenn = current_entry(document, "kjoenn") or {}
    return {
        "person_id": person_id,
        "foedselsdato": foedselsdato,
        "foedselsaar": int(aar) if aar else None,
        "kjoenn": kjoenn.get("kjoenn"),
        "doed": _is_dead(document),
    }


def _name_rows(person_id: int, document: Mapping[str, Any]) -> Iterator[Row]:
    for number, entry in enumerate(document.get("navn") or ()):
        seen: set[tuple[str, str]] = set()
        for field, ledd in NAME_FIELDS:
            for word in words(str(entry.get(field) or "")):
                if (ledd, word) in seen:
                    continue
                seen.add((ledd, word))
                yield {
                    "person_id": person_id,
                    "navn_nr": number,
                    "gjeldende": is_current(entry),
                    "ledd": ledd,
                    "ord": word,
                    "fonetisk": phonetic_key(word),
                }


def _address_fields(entry: Mapping[str, Any]) -> Row | None:
    if veg := entry.get("vegadresse"):
        nummer = veg.get("adressenummer") or {}
        kommune = veg.get("kommunenummer")
        husnummer = nummer.get("husnummer")
        bokstav = nummer.get("husbokstav")
        return {
            "adressenavn": street_key(str(veg.get("adressenavn") or "")) or None,
            "husnummer": str(int(husnummer)) if husnummer and str(husnummer).isdigit() else husnummer,
            "husbokstav": str(bokstav).upper() if bokstav else None,
            "postnummer": (veg.get("poststed") or {}).get("postnummer"),
            "kommunenummer": kommune,
        }
    if matrikkel := entry.get("matrikkeladresse"):
        return {
            "adressenavn": None,
            "husnummer": None,
            "husbokstav": None,
            "postnummer": (matrikkel.get("poststed") or {}).get("postnummer"),
            "kommunenummer": (matrikkel.get("matrikkelnummer") or {}).get("kommunenummer"),
        }
    if ukjent := entry.get("ukjentBosted"):
        return {
            "adressenavn": None,
            "husnummer": None,
            "husbokstav": None,
            "postnummer": None,
            "kommunenummer": ukjent.get("bostedskommune"),
        }
    return None


def _address_rows(person_id: int, document: Mapping[str, Any], person: Row) -> Iterator[Row]:
    for element, adressetype in ADDRESS_ELEMENTS:
        for entry in document.get(element) or ():
            fields = _address_fields(entry)
            if fields is None:
                continue
            kommune = fields["kommunenummer"]
            yield {
                "person_id": person_id,
                "adressetype": adressetype,
                "gjeldende": is_current(entry),
                "adressegradering": entry.get("adressegradering") or UNKNOWN_GRADING,
                **fields,
                "fylkesnummer": kommune[:2] if kommune else None,
                "foedselsaar": person["foedselsaar"],
                "doed": person["doed"],
            }


_IDENTIFIER_ELEMENTS = (
    ("utenlandskPersonidentifikasjon", UTENLANDSK, "identifikasjonsnummer"),
    ("legitimasjonsdokument", LEGITIMASJON, "identifikasjonsdokumentnummer"),
    ("utlendingsmyndighetenesIdentifikasjonsnummer", DUF, "identifikasjonsnummer"),
)


def _identifier_rows(person_id: int, document: Mapping[str, Any]) -> Iterator[Row]:
    for element, art, field in _IDENTIFIER_ELEMENTS:
        for entry in document.get(element) or ():
            number = entry.get(field)
            if not is_current(entry) or not number:
                continue
            value = number if art == DUF else f"{entry.get('utstederland') or ''}-{number}"
            yield {"person_id": person_id, "art": art, "verdi": identifier_key(art, str(value))}


def index_rows(person_id: int, document: Mapping[str, Any]) -> IndexRows:
    """Every search-index row of one person document (current and historic names and addresses)."""
    person = _person_row(person_id, document)
    return IndexRows(
        person=person,
        navn=list(_name_rows(person_id, document)),
        adresser=list(_address_rows(person_id, document, person)),
        identifikasjoner=list(_identifier_rows(person_id, document)),
    )
