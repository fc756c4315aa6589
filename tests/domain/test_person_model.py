"""The person document model matches the register's spec field for field, and round-trips its JSON."""

from __future__ import annotations

import copy
import datetime
import enum
import types
import typing
from typing import Any

import pytest
from pydantic import AwareDatetime, BaseModel, ValidationError

from fiks_folkeregister.domain import person
from fiks_folkeregister.domain.person import (
    PERSON_ELEMENTS,
    SINGLE_VALUED_ELEMENTS,
    Doedsfall,
    FolkeregisterFeilmelding,
    Folkeregisterperson,
    Kjoenn,
    Personkjoenn,
    dump_model,
    dump_person,
    parse_person,
)
from tests.contract import validate_against_spec

PERSON_PREFIX = "folkeregisteret.tilgjengeliggjoering.person.v1."
ERROR_SCHEMA = "ske.folkeregister.exception.javaxrs.FolkeregisterFeilmelding"


def _modelled_schemas(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every schema this module must model: all person.v1 ones (incl. bulk and soek) and the error body."""
    schemas = spec["components"]["schemas"]
    return {
        name: body for name, body in schemas.items() if name.startswith(PERSON_PREFIX) or name == ERROR_SCHEMA
    }


def _spec_kind(spec: dict[str, Any], prop: dict[str, Any]) -> Any:
    """A comparable description of a property's type in the spec."""
    if "$ref" in prop:
        target = spec["components"]["schemas"][prop["$ref"].rsplit("/", 1)[-1]]
        return ("model", target["title"])
    if "enum" in prop:
        return ("enum", prop["title"], tuple(prop["enum"]))
    kind = prop["type"]
    if kind == "array":
        return ("list", _spec_kind(spec, prop["items"]))
    if kind == "object":
        return ("dict", "str", _spec_kind(spec, prop["additionalProperties"]))
    if kind == "string":
        return {"date": "date", "date-time": "date-time"}.get(prop.get("format", ""), "str")
    return {"integer": "int", "boolean": "bool"}[kind]


def _model_kind(annotation: Any) -> Any:
    """The same description for a model field's annotation (Optional and Annotated stripped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        assert len(members) == 1, f"unexpected union {annotation}"
        return _model_kind(members[0])
    if origin is list:
        return ("list", _model_kind(typing.get_args(annotation)[0]))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return ("dict", _model_kind(key), _model_kind(value))
    if annotation is AwareDatetime or annotation is datetime.datetime:
        return "date-time"
    if annotation is datetime.date:
        return "date"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return ("enum", annotation.__name__, tuple(member.value for member in annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation.__name__)
    return {str: "str", int: "int", bool: "bool"}[annotation]


def test_every_person_schema_has_a_model_with_exactly_the_specs_fields(register_spec: dict[str, Any]) -> None:
    mismatches: list[str] = []
    for name, schema in _modelled_schemas(register_spec).items():
        model = getattr(person, schema["title"], None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            mismatches.append(f"{name}: no model class {schema['title']}")
            continue
        properties: dict[str, Any] = schema.get("properties", {})
        fields = model.model_fields
        missing, extra = sorted(set(properties) - set(fields)), sorted(set(fields) - set(properties))
        if missing or extra:
            mismatches.append(f"{name}: fields missing from the model {missing}, not in the spec {extra}")
            continue
        required = {field for field, info in fields.items() if info.is_required()}
        if required != set(schema.get("required", [])):
            mismatches.append(
                f"{name}: required {sorted(required)} != spec {sorted(schema.get('required', []))}"
            )
        for field, prop in properties.items():
            expected, actual = _spec_kind(register_spec, prop), _model_kind(fields[field].annotation)
            if expected != actual:
                mismatches.append(f"{name}.{field}: model has {actual}, spec has {expected}")
    assert not mismatches, "model and spec differ:\n" + "\n".join(mismatches)


def test_person_elements_are_the_spec_elements_in_spec_order(register_spec: dict[str, Any]) -> None:
    properties = register_spec["components"]["schemas"][PERSON_PREFIX + "Folkeregisterperson"]["properties"]
    assert tuple(properties) == PERSON_ELEMENTS
    assert {
        name for name, prop in properties.items() if prop.get("type") != "array"
    } == SINGLE_VALUED_ELEMENTS


RICH_PERSON: dict[str, Any] = {
    "identifikasjonsnummer": [
        {
            "erGjeldende": True,
            "gyldighetstidspunkt": "1950-06-15T00:00:00Z",
            "ajourholdstidspunkt": "2020-05-01T10:00:00Z",
            "kilde": "Folkeregisteret",
            "foedselsEllerDNummer": "15865040064",
            "identifikatortype": "foedselsnummer",
            "status": "iBruk",
        },
        {
            "erGjeldende": False,
            "gyldighetstidspunkt": "1990-01-02T08:30:00Z",
            "opphoerstidspunkt": "2020-05-01T10:00:00Z",
            "ajourholdstidspunkt": "2020-05-01T10:00:00.123Z",
            "aarsak": "tildelingAvFoedselsnummer",
            "foedselsEllerDNummer": "55866500281",
            "identifikatortype": "dNummer",
            "status": "opphoert",
        },
    ],
    "navn": [
        {
            "erGjeldende": True,
            "gyldighetstidspunkt": "2001-08-01T12:00:00+02:00",
            "fornavn": "Kari",
            "mellomnavn": "Synnøve",
            "etternavn": "Nordmann",
            "forkortetNavn": "Nordmann Kari S",
            "originaltNavn": {"fornavn": "Kari", "etternavn": "Hansen"},
        }
    ],
    "kjoenn": [{"erGjeldende": True, "kjoenn": "kvinne"}],
    "foedsel": [
        {
            "erGjeldende": True,
            "foedselsaar": "1950",
            "foedselsdato": "1950-06-15",
            "foedekommuneINorge": "0301",
            "foedeland": "NOR",
        }
    ],
    "status": [
        {"erGjeldende": True, "status": "doed", "gyldighetstidspunkt": "2024-03-01T00:00:00Z"},
        {"erGjeldende": False, "status": "bosatt", "opphoerstidspunkt": "2024-03-01T00:00:00Z"},
    ],
    "doedsfall": {"erGjeldende": True, "doedsdato": "2024-02-28", "kilde": "KILDE_DSF"},
    "sivilstand": [
        {
            "erGjeldende": True,
            "sivilstand": "gift",
            "sivilstandsdato": "1974-07-06",
            "relatertVedSivilstand": "12897540078",
            "kommune": "0301",
        }
    ],
    "statsborgerskap": [{"erGjeldende": True, "statsborgerskap": "NOR", "ervervsdato": "1950-06-15"}],
    "bostedsadresse": [
        {
            "erGjeldende": True,
            "adressegradering": "ugradert",
            "flyttedato": "2010-04-01",
            "grunnkrets": 1234,
            "skolekrets": 12,
            "stemmekrets": 3,
            "kirkekrets": 7,
            "adresseIdentifikatorFraMatrikkelen": "123456789",
            "vegadresse": {
                "adressenavn": "Storgata",
                "adressekode": "12345",
                "adressenummer": {"husnummer": "12", "husbokstav": "B"},
                "bruksenhetsnummer": "H0101",
                "bruksenhetstype": "bolig",
                "kommunenummer": "0301",
                "poststed": {"postnummer": "0155", "poststedsnavn": "OSLO"},
            },
        },
        {
            "erGjeldende": False,
            "adressegradering": "ugradert",
            "opphoerstidspunkt": "2010-04-01T00:00:00Z",
            "matrikkeladresse": {
                "matrikkelnummer": {"kommunenummer": "4601", "gaardsnummer": 166, "bruksnummer": 72},
                "undernummer": 1,
                "poststed": {"postnummer": "5003", "poststedsnavn": "BERGEN"},
            },
        },
    ],
    "oppholdsadresse": [
        {
            "erGjeldende": True,
            "adressegradering": "ugradert",
            "oppholdAnnetSted": "utenriks",
            "utenlandskAdresse": {
                "adressenavn": "Rue de Rivoli 1",
                "landkode": "FRA",
                "byEllerStedsnavn": "Paris",
            },
        }
    ],
    "postadresse": [
        {
            "erGjeldende": True,
            "adressegradering": "ugradert",
            "postboksadresse": {
                "postboks": "Postboks 42",
                "poststed": {"postnummer": "0101", "poststedsnavn": "OSLO"},
            },
        }
    ],
    "familierelasjon": [
        {
            "erGjeldende": True,
            "relatertPerson": "03881250097",
            "relatertPersonsRolle": "barn",
            "minRolleForPerson": "mor",
        },
        {
            "erGjeldende": True,
            "relatertPersonsRolle": "far",
            "minRolleForPerson": "barn",
            "relatertPersonUtenFolkeregisteridentifikator": {
                "navn": {"fornavn": "Ola", "etternavn": "Hansen"},
                "kjoenn": "mann",
                "foedselsdato": "1920-01-01",
                "statsborgerskap": "NOR",
            },
        },
    ],
    "kontaktinformasjonForDoedsbo": [
        {
            "erGjeldende": True,
            "skifteform": "annet",
            "attestutstedelsesdato": "2024-04-10",
            "adresse": {"adresselinje": ["Storgata 12 B"], "postnummer": "0155", "poststedsnavn": "OSLO"},
            "person": {
                "foedselsEllerDNummer": "12897540078",
                "personnavn": {"fornavn": "Per", "etternavn": "Nordmann"},
            },
        }
    ],
    "brukAvSamiskSpraak": [{"erGjeldende": True, "spraak": ["nordsamisk", "lulesamisk"]}],
    "vergemaalEllerFremtidsfullmakt": [
        {
            "erGjeldende": False,
            "embete": "Statsforvalteren i Oslo og Viken",
            "vergemaaltype": "voksen",
            "verge": {
                "foedselsEllerDNummer": "12897540078",
                "omfang": "personligeOgOekonomiskeInteresser",
                "omfangetErInnenPersonligOmraade": True,
            },
        }
    ],
    "oppholdPaaSvalbard": [],
}


def _contains_none(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_contains_none(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_none(item) for item in value)
    return False


def test_rich_person_round_trips_without_nulls_and_matches_the_spec(register_spec: dict[str, Any]) -> None:
    original = copy.deepcopy(RICH_PERSON)
    parsed = parse_person(original)
    dumped = dump_person(parsed)

    assert dumped == RICH_PERSON
    assert original == RICH_PERSON, "parsing must not change its input"
    assert not _contains_none(dumped)
    assert isinstance(parsed.doedsfall, Doedsfall)
    assert parsed.doedsfall.doedsdato == datetime.date(2024, 2, 28)
    assert parsed.identifikasjonsnummer is not None
    assert parsed.identifikasjonsnummer[1].ajourholdstidspunkt == datetime.datetime(
        2020, 5, 1, 10, 0, 0, 123000, tzinfo=datetime.UTC
    )
    validate_against_spec(register_spec, "Folkeregisterperson", dumped)


def test_document_built_in_python_dumps_to_the_registers_strings(register_spec: dict[str, Any]) -> None:
    built = Folkeregisterperson(
        kjoenn=[
            Personkjoenn(
                kjoenn=Kjoenn.mann,
                erGjeldende=True,
                ajourholdstidspunkt=datetime.datetime(2020, 5, 1, 10, 0, tzinfo=datetime.UTC),
            )
        ],
        doedsfall=Doedsfall(doedsdato=datetime.date(2024, 1, 31)),
    )
    dumped = dump_person(built)

    assert dumped == {
        "kjoenn": [{"kjoenn": "mann", "erGjeldende": True, "ajourholdstidspunkt": "2020-05-01T10:00:00Z"}],
        "doedsfall": {"doedsdato": "2024-01-31"},
    }
    validate_against_spec(register_spec, "Folkeregisterperson", dumped)


def test_bulk_response_and_error_body_round_trip_against_the_spec(register_spec: dict[str, Any]) -> None:
    bulk = {
        "oppslag": [
            {"foedselsEllerDNummer": "15865040064", "folkeregisterperson": RICH_PERSON},
            {"foedselsEllerDNummer": "01010112345", "feilmelding": {"feilmelding": "Fant ikke person"}},
        ]
    }
    error = {
        "feilkode": "FREG-001",
        "feilmelding": "Ugyldig fødselsnummer",
        "httpStatus": 400,
        "alvorlighetsgrad": "FEIL",
        "tilleggsinformasjon": {"felt": "foedselsEllerDNummer"},
    }

    assert dump_model(person.PersonBulkoppslagResponse.model_validate(bulk)) == bulk
    assert dump_model(FolkeregisterFeilmelding.model_validate(error)) == error
    validate_against_spec(register_spec, "PersonBulkoppslagResponse", bulk)
    validate_against_spec(register_spec, "FolkeregisterFeilmelding", error)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of the rich person with the value at `path` replaced (or removed when value is ...)."""
    data = copy.deepcopy(RICH_PERSON)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("case", "data", "location"),
    [
        ("unknown enum value", _with(("kjoenn", 0, "kjoenn"), "ukjent"), ("kjoenn", 0, "kjoenn")),
        ("missing required field", _with(("navn", 0, "etternavn"), ...), ("navn", 0, "etternavn")),
        ("unknown top-level element", _with(("navnn",), []), ("navnn",)),
        (
            "unknown nested field",
            _with(("bostedsadresse", 0, "vegadresse", "gatenavn"), "Storgata"),
            ("bostedsadresse", 0, "vegadresse", "gatenavn"),
        ),
        (
            "date-time without offset",
            _with(("status", 0, "gyldighetstidspunkt"), "2024-03-01T00:00:00"),
            ("status", 0, "gyldighetstidspunkt"),
        ),
        (
            "integer as string",
            _with(("bostedsadresse", 0, "grunnkrets"), "1234"),
            ("bostedsadresse", 0, "grunnkrets"),
        ),
        ("doedsfall as a list", _with(("doedsfall",), [{"doedsdato": "2024-02-28"}]), ("doedsfall",)),
    ],
)
def test_invalid_documents_are_refused(case: str, data: dict[str, Any], location: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_person(data)
    assert location in [error["loc"] for error in caught.value.errors()], case
