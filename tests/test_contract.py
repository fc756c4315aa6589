"""The contract helper's two validators agree: the compiled one that decides, the reference OAS 3.0 one that
explains (tests/contract.py), on valid documents and on documents broken in each way the spec can catch."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from fiks_folkeregister.register.population.generator import generate_population
from tests.contract import fast_validator, reference_validator, resolve_schema_name, validate_against_spec

PERSON = "person.v1.Folkeregisterperson"
Document = dict[str, Any]


def _set(element: str, field: str, value: Any) -> Callable[[Document], None]:
    def breaking(document: Document) -> None:
        document[element][0][field] = value

    return breaking


def _drop(element: str, field: str) -> Callable[[Document], None]:
    def breaking(document: Document) -> None:
        del document[element][0][field]

    return breaking


#: Each a way the spec refuses a document: types, formats (date, date-time), enums, required fields, shapes.
BREAKS: dict[str, Callable[[Document], None]] = {
    "a name that is a number": _set("navn", "fornavn", 5),
    "a date that is no date": _set("foedsel", "foedselsdato", "2020-13-45"),
    "a date-time without a time": _set("navn", "gyldighetstidspunkt", "2020-01-01"),
    "a date-time that is no date-time": _set("navn", "ajourholdstidspunkt", "yesterday"),
    "a flag that is a string": _set("navn", "erGjeldende", "true"),
    "a gender outside the enum": _set("kjoenn", "kjoenn", "ukjent-kjoenn"),
    "a null where a string belongs": _set("navn", "etternavn", None),
    "an element that is an object, not a list": lambda document: document.update(navn=document["navn"][0]),
    "an entry that is a string": lambda document: document.update(kjoenn=["mann"]),
    "a required field missing": _drop("identifikasjonsnummer", "foedselsEllerDNummer"),
}


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return list(generate_population(150, 3, date(2026, 11, 1)))


def _reference_accepts(spec: dict[str, Any], document: Any) -> bool:
    return not any(True for _ in reference_validator(spec, PERSON).iter_errors(document))


def test_both_validators_accept_every_generated_document(
    register_spec: dict[str, Any], documents: list[Document]
) -> None:
    fast = fast_validator(register_spec, resolve_schema_name(register_spec, PERSON))
    for document in documents:
        assert fast.is_valid(document) and _reference_accepts(register_spec, document)
        validate_against_spec(register_spec, PERSON, document)


@pytest.mark.parametrize("how", sorted(BREAKS))
def test_both_validators_refuse_each_broken_document(
    how: str, register_spec: dict[str, Any], documents: list[Document]
) -> None:
    fast = fast_validator(register_spec, resolve_schema_name(register_spec, PERSON))
    broken = copy.deepcopy(next(d for d in documents if {"navn", "foedsel", "kjoenn"} <= d.keys()))
    BREAKS[how](broken)

    assert not fast.is_valid(broken)
    assert not _reference_accepts(register_spec, broken)
    with pytest.raises(AssertionError, match=r"violation\(s\) of folkeregisteret\."):  # the reference's list
        validate_against_spec(register_spec, PERSON, broken)
