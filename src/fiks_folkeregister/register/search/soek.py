"""Queries against the search index: criteria in, identity numbers out, most selective criterion first."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, String, exists, false, or_, select, true

from fiks_folkeregister.domain.soekeparametre import Adressekriterium, Navnekriterium, Soekekriterier
from fiks_folkeregister.register.search.fonetikk import phonetic_key
from fiks_folkeregister.register.tables import (
    person,
    person_identifikator,
    soek_adresse,
    soek_identifikasjon,
    soek_navn,
    soek_person,
)


def find_identifiers(
    connection: Connection, criteria: Soekekriterier, gradings: Collection[str], limit: int
) -> list[str]:
    """Current identity numbers of at most `limit` persons matching `criteria`, sorted.

    `gradings` are the address gradings the caller may see: address criteria match no other address, so a
    search never finds a person through an address a lookup would withhold.
    """
    ids = _matching_person_ids(criteria, frozenset(gradings)).limit(limit).scalar_subquery()
    query = select(person.c.foedsels_eller_d_nummer).where(person.c.id.in_(ids))
    return sorted(connection.execute(query).scalars())


def _matching_person_ids(criteria: Soekekriterier, gradings: frozenset[str]) -> Select[Any]:
    """SELECT DISTINCT person_id driven by the most selective criterion, the others as EXISTS probes."""
    address = criteria.adresse
    if criteria.identifikasjonsnummer is not None:
        driver = person_identifikator.c.person_id
        query = select(driver).where(person_identifikator.c.identifikator == criteria.identifikasjonsnummer)
        return _with_filters(query, driver, criteria, gradings, covered=())
    if criteria.identifikasjoner:
        kind, value = criteria.identifikasjoner[0]
        alias = soek_identifikasjon.alias("i0")
        query = select(alias.c.person_id).where(alias.c.verdi == value, alias.c.art == kind)
        return _with_filters(query, alias.c.person_id, criteria, gradings, covered=("identifikasjon0",))
    if criteria.foedselsdato is not None:
        return _person_driven(criteria, gradings)
    if address is not None and address.adressenavn and address.husnummer:
        return _address_driven(criteria, address, gradings)
    if criteria.navn is not None:
        return _name_driven(criteria, criteria.navn, gradings)
    if address is not None and (
        address.adressenavn or address.postnummer or address.kommunenummer or address.fylkesnummer
    ):
        return _address_driven(criteria, address, gradings)
    if _has_person_criteria(criteria) or address is None:
        return _person_driven(criteria, gradings)
    return _address_driven(criteria, address, gradings)


def _with_filters(
    query: Select[Any],
    driver: Any,
    criteria: Soekekriterier,
    gradings: frozenset[str],
    covered: tuple[str, ...],
) -> Select[Any]:
    """Add every criterion not `covered` by the driving table as an EXISTS probe on the person id."""
    if "person" not in covered and (_has_person_criteria(criteria) or not criteria.inkluder_doede):
        p = soek_person.alias("p")
        query = query.where(exists().where(p.c.person_id == driver, *_person_conditions(p, criteria)))
    if criteria.identifikasjonsnummer is not None and "identifikasjonsnummer" not in covered:
        query = query.where(
            exists().where(
                person_identifikator.c.person_id == driver,
                person_identifikator.c.identifikator == criteria.identifikasjonsnummer,
            )
        )
    for index, (kind, value) in enumerate(criteria.identifikasjoner):
        if f"identifikasjon{index}" in covered:
            continue
        alias = soek_identifikasjon.alias(f"i{index}x")
        query = query.where(
            exists().where(alias.c.person_id == driver, alias.c.verdi == value, alias.c.art == kind)
        )
    if criteria.navn is not None and "navn" not in covered:
        first = soek_navn.alias("nx")
        query = query.where(
            exists().where(
                first.c.person_id == driver,
                *_name_conditions(first, criteria.navn, 0, criteria.historisk),
                *_other_words(first, criteria.navn, 0, criteria.historisk),
            )
        )
    if criteria.adresse is not None and "adresse" not in covered:
        a = soek_adresse.alias("ax")
        conditions = _address_conditions(a, criteria.adresse, criteria, gradings)
        query = query.where(exists().where(a.c.person_id == driver, *conditions))
    return query.distinct()


def _has_person_criteria(criteria: Soekekriterier) -> bool:
    values = (criteria.kjoenn, criteria.foedselsdato, criteria.foedselsaar_fra_og_med)
    values += (criteria.foedselsaar_til_og_med,)
    return any(value is not None for value in values)


def _person_conditions(p: Any, criteria: Soekekriterier) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if criteria.foedselsdato is not None:
        conditions.append(p.c.foedselsdato == criteria.foedselsdato)
    conditions.extend(_year_conditions(p, criteria))
    if criteria.kjoenn is not None:
        conditions.append(p.c.kjoenn == criteria.kjoenn)
    if not criteria.inkluder_doede:
        conditions.append(p.c.doed == false())
    return conditions


def _year_conditions(table: Any, criteria: Soekekriterier) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if criteria.foedselsaar_fra_og_med is not None:
        conditions.append(table.c.foedselsaar >= criteria.foedselsaar_fra_og_med)
    if criteria.foedselsaar_til_og_med is not None:
        conditions.append(table.c.foedselsaar <= criteria.foedselsaar_til_og_med)
    return conditions


def _person_driven(criteria: Soekekriterier, gradings: frozenset[str]) -> Select[Any]:
    p = soek_person.alias("p0")
    query = select(p.c.person_id).where(*_person_conditions(p, criteria))
    return _with_filters(query, p.c.person_id, criteria, gradings, covered=("person",))


def _address_driven(
    criteria: Soekekriterier, address: Adressekriterium, gradings: frozenset[str]
) -> Select[Any]:
    a = soek_adresse.alias("a0")
    lead = _address_lead(address)
    conditions = _address_conditions(a, address, criteria, gradings, lead)
    # Birth year and death are copied into address rows, so area + age is one index range.
    if lead == "omraade":
        conditions.extend(_year_conditions(a, criteria))
    if not criteria.inkluder_doede:
        conditions.append(a.c.doed == false())
    query = select(a.c.person_id).where(*conditions)
    no_years = criteria.foedselsaar_fra_og_med is None and criteria.foedselsaar_til_og_med is None
    in_row = lead == "omraade" or no_years
    needs_person = criteria.kjoenn is not None or criteria.foedselsdato is not None or not in_row
    covered = ("adresse",) if needs_person else ("adresse", "person")
    return _with_filters(query, a.c.person_id, criteria, gradings, covered=covered)


def _name_driven(criteria: Soekekriterier, navn: Navnekriterium, gradings: frozenset[str]) -> Select[Any]:
    # The longest word drives: long words are usually the rarer ones.
    lead = max(range(len(navn.ord)), key=lambda i: len(navn.ord[i]))
    n = soek_navn.alias("n0")
    query = select(n.c.person_id).where(
        *_name_conditions(n, navn, lead, criteria.historisk), *_other_words(n, navn, lead, criteria.historisk)
    )
    return _with_filters(query, n.c.person_id, criteria, gradings, covered=("navn",))


def _name_conditions(
    n: Any, navn: Navnekriterium, position: int, historisk: bool
) -> list[ColumnElement[bool]]:
    word = navn.ord[position]
    conditions: list[ColumnElement[bool]] = [
        n.c.fonetisk == phonetic_key(word) if navn.fonetisk else n.c.ord == word
    ]
    if navn.entydig and position == 0:
        conditions.append(n.c.ledd == "F")
    elif navn.entydig and position == len(navn.ord) - 1:
        conditions.append(n.c.ledd == "E")
    if not historisk:
        conditions.append(n.c.gjeldende == true())
    return conditions


def _other_words(n: Any, navn: Navnekriterium, lead: int, historisk: bool) -> list[ColumnElement[bool]]:
    """Every other word must match a word of the same name entry (one name, not pieces of several)."""
    probes: list[ColumnElement[bool]] = []
    for position in range(len(navn.ord)):
        if position == lead:
            continue
        other = soek_navn.alias(f"n{position + 1}")
        probes.append(
            exists().where(
                other.c.person_id == n.c.person_id,
                other.c.navn_nr == n.c.navn_nr,
                *_name_conditions(other, navn, position, historisk),
            )
        )
    return probes


def _prefix_end(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _address_lead(address: Adressekriterium) -> str:
    """The index an address-driven search should read: the most selective one the criteria can use."""
    if address.adressenavn and address.husnummer is not None:
        return "husnummer"
    if address.postnummer:
        return "postnummer"
    if address.adressenavn:
        return "adressenavn"
    if address.kommunenummer or address.fylkesnummer:
        return "omraade"
    return "husnummer"


def _plain(column: Any, lead: str, *indexes: str) -> Any:
    """The column as is when it belongs to the `lead` index; else wrapped so no planner uses its index.

    SQLite has no statistics here (ANALYZE on a million rows per seeding batch is too slow), so it would
    take the index with the most equality terms, e.g. the kommune index for an EXISTS probe that should
    use person_id. Wrapping (`x || ''`) keeps the meaning and takes the column out of the choice.
    """
    if lead in indexes:
        return column
    return column.concat("") if isinstance(column.type, String) else column + 0


def _address_conditions(
    a: Any,
    address: Adressekriterium,
    criteria: Soekekriterier,
    gradings: frozenset[str],
    lead: str = "person",
) -> list[ColumnElement[bool]]:
    """Conditions on one address row; `lead` names the index to read ("person" for a probe by person_id)."""
    conditions: list[ColumnElement[bool]] = [
        a.c.adressetype.in_(list(address.adressetyper)),
        a.c.adressegradering.in_(sorted(gradings)),
    ]
    if not criteria.historisk:
        conditions.append(a.c.gjeldende == true())
    if address.adressenavn:
        adressenavn = _plain(a.c.adressenavn, lead, "husnummer", "adressenavn")
        conditions.append(adressenavn >= address.adressenavn)
        conditions.append(adressenavn < _prefix_end(address.adressenavn))
    if address.husnummer is not None:
        conditions.append(_plain(a.c.husnummer, lead, "husnummer") == address.husnummer)
        if address.husbokstav is not None:
            conditions.append(a.c.husbokstav == address.husbokstav)
        elif address.husbokstav_eksakt:
            conditions.append(or_(a.c.husbokstav.is_(None), a.c.husbokstav == ""))
    # A kommune lies in the fylke its number starts with; saying so lets one index serve both.
    fylkesnummer = address.fylkesnummer or (address.kommunenummer[:2] if address.kommunenummer else None)
    for column, value, index in (
        (a.c.postnummer, address.postnummer, "postnummer"),
        (a.c.kommunenummer, address.kommunenummer, "omraade"),
        (a.c.fylkesnummer, fylkesnummer, "omraade"),
    ):
        if value is not None:
            conditions.append(_plain(column, lead, index) == value)
    return conditions
