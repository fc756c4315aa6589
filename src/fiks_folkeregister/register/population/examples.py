"""Classify a person document into example categories, so newcomers can find a person to try each rule on."""

from __future__ import annotations

from datetime import date
from typing import Any

from fiks_folkeregister.domain.dokument import current_entries, historic_entries

EXAMPLE_CATEGORIES: tuple[str, ...] = (
    "ordinary-adult",
    "married-couple",
    "child-with-delt-bosted",
    "parent-with-foreldreansvar",
    "fortrolig",
    "strengt-fortrolig",
    "deceased",
    "d-number",
    "emigrated",
    "name-history",
)


def _current(document: dict[str, Any], element: str) -> list[dict[str, Any]]:
    return current_entries(document, element)  # type: ignore[return-value]


def _age(document: dict[str, Any], reference_date: date) -> int | None:
    for entry in _current(document, "foedsel"):
        born = entry.get("foedselsdato")
        if born:
            birth = date.fromisoformat(born)
            return (
                reference_date.year
                - birth.year
                - ((reference_date.month, reference_date.day) < (birth.month, birth.day))
            )
    return None


def example_categories(document: dict[str, Any], reference_date: date) -> list[str]:
    """The categories (in EXAMPLE_CATEGORIES order) that `document` clearly fits; pure."""
    statuses = {entry.get("status") for entry in _current(document, "status")}
    gradings = {entry.get("graderingsnivaa") for entry in _current(document, "adressebeskyttelse")}
    identifier_types = {
        entry.get("identifikatortype") for entry in _current(document, "identifikasjonsnummer")
    }
    age = _age(document, reference_date)
    adult = age is not None and age >= 18
    minor = age is not None and age < 18

    bosatt = statuses == {"bosatt"}
    found: set[str] = set()
    married = any(
        e.get("sivilstand") == "gift" and e.get("relatertVedSivilstand")
        for e in _current(document, "sivilstand")
    )
    if married and bosatt:
        found.add("married-couple")
    if minor and bosatt and _current(document, "deltBosted"):
        found.add("child-with-delt-bosted")
    if bosatt and any(e.get("ansvarssubjekt") for e in _current(document, "foreldreansvar")):
        found.add("parent-with-foreldreansvar")
    if "fortrolig" in gradings:
        found.add("fortrolig")
    if "strengtFortrolig" in gradings:
        found.add("strengt-fortrolig")
    if "doed" in statuses or document.get("doedsfall"):
        found.add("deceased")
    if "dNummer" in identifier_types:
        found.add("d-number")
    if "utflyttet" in statuses:
        found.add("emigrated")
    if historic_entries(document, "navn"):
        found.add("name-history")

    ordinary = (
        adult
        and bosatt
        and identifier_types == {"foedselsnummer"}
        and gradings <= {"ugradert"}
        and not found
        and not _current(document, "deltBosted")
        and not _current(document, "foreldreansvar")
        and any("vegadresse" in e for e in _current(document, "bostedsadresse"))
    )
    if ordinary:
        found.add("ordinary-adult")
    return [category for category in EXAMPLE_CATEGORIES if category in found]
