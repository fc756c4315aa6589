"""Our own transcription of the schemas KS publishes for its Konfigurasjon API, only what the tests need.

Source: https://github.com/ks-no/ks-no.github.io/blob/1a80360bfcca4244ce1f2ee3feeffaadaeb48cbf/static/api/folkeregister-konfigurasjon-api-v1.json
(`components.schemas`). The document itself is KS's reference data and is not committed here; these are
JSON Schema objects written from reading it (required fields, types, enums), used to validate every 2xx
answer of our Konfigurasjon API.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

TJENESTEOMRADER = [
    "BARNEVERN",
    "HELSE",
    "GRAVFERDSMYNDIGHET",
    "OMSORG",
    "OPPVEKST",
    "BARNEHAGE",
    "SKATTEOPPKREVER",
    "SOSIAL",
    "TEKNISK",
    "STOTTE",
    "INNBYGGERTJENESTER",
    "NAERINGSLIV",
]

_FELT = {
    "type": "object",
    "required": ["kanHenteTaushetsbelagtInfo", "kanVaereGradertAdresse", "navn", "visningsnavn"],
    "properties": {
        "navn": {"type": "string"},
        "visningsnavn": {"type": "string"},
        "beskrivelse": {"type": "string"},
        "kanHenteTaushetsbelagtInfo": {"type": "boolean"},
        "kanVaereGradertAdresse": {"type": "boolean"},
    },
}
_DEL = {
    "type": "object",
    "required": ["felt", "kanHenteTaushetsbelagtInfo", "kanVaereGradertAdresse", "navn", "visningsnavn"],
    "properties": {
        "navn": {"type": "string"},
        "visningsnavn": {"type": "string"},
        "kanHenteTaushetsbelagtInfo": {"type": "boolean"},
        "kanVaereGradertAdresse": {"type": "boolean"},
        "felt": {"type": "array", "items": _FELT},
    },
}
_TJENESTEOMRADE_BESKRIVELSE = {
    "type": "object",
    "required": ["beskrivelse", "gyldig", "kanHenteTaushetsbelagtInfo", "navn"],
    "properties": {
        "navn": {"type": "string"},
        "beskrivelse": {"type": "string"},
        "kanHenteTaushetsbelagtInfo": {"type": "boolean"},
        "gyldig": {"type": "boolean"},
    },
}
_LOVHJEMMEL = {
    "type": "object",
    "properties": {
        "beskrivelse": {"type": "string"},
        "omrader": {"type": "array", "items": {"type": "string", "enum": TJENESTEOMRADER}},
        "urler": {"type": "array", "items": {"type": "string"}},
    },
}
_BRUKSOMRADE_BESKRIVELSE = {
    "type": "object",
    "properties": {
        "navn": {"type": "string"},
        "beskrivelse": {"type": "string"},
        "leverandor": {"type": "string", "enum": ["SKATT", "KS"]},
    },
}

_PAKKE = {"type": "string", "enum": ["OFFENTLIG_MED_HJEMMEL", "OFFENTLIG_UTEN_HJEMMEL"]}
_BRUKSOMRADER = {
    "type": "array",
    "items": {"type": "string", "enum": ["OPPSLAG", "HENDELSESLISTE", "UTTREKK"]},
}
_NAVN = {"type": "object", "required": ["navn"], "properties": {"navn": {"type": "string"}}}
_GYLDIGHET = {
    "type": "object",
    "required": ["api", "asynkron", "soekWeb", "uttrekkWeb"],
    "properties": {name: {"type": "boolean"} for name in ("api", "soekWeb", "uttrekkWeb", "asynkron")},
}
_ROLLE_DEFINISJON = {
    "type": "object",
    "required": [
        "aktiv",
        "antallIntegrasjoner",
        "antallPersoner",
        "autorisasjonRolleId",
        "bruksomrader",
        "dataminimering",
        "fiksOrgId",
        "id",
        "navn",
        "privilegium",
        "rettighetspakke",
        "tagger",
        "tjenesteOmrade",
    ],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "navn": {"type": "string"},
        "beskrivelse": {"type": "string"},
        "fiksOrgId": {"type": "string", "format": "uuid"},
        "autorisasjonRolleId": {"type": "string", "format": "uuid"},
        "rettighetspakke": _PAKKE,
        "privilegium": {"type": "string"},
        "tjenesteOmrade": _TJENESTEOMRADE_BESKRIVELSE,
        "bruksomrader": _BRUKSOMRADER,
        # DataminimeringInput: parts and fields by name
        "dataminimering": {
            "type": "object",
            "properties": {
                "deler": {"type": "array", "items": _NAVN},
                "felt": {"type": "array", "items": _NAVN},
            },
        },
        "aktiv": {"type": "boolean"},
        "tagger": {"type": "array", "items": _NAVN},
        "antallPersoner": {"type": "integer"},
        "antallIntegrasjoner": {"type": "integer"},
        "datoOpprettet": {"type": "string"},
        "gyldighet": _GYLDIGHET,
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "RolleDefinisjon": _ROLLE_DEFINISJON,
    # `GET /{fiksOrgId}/roller`: an inline array of RolleDefinisjon.
    "RolleDefinisjonListe": {"type": "array", "items": _ROLLE_DEFINISJON},
    # `GET /roller`: an inline array of RollePersonSokDefinisjon.
    "RollePersonSokDefinisjonListe": {
        "type": "array",
        "items": {
            "type": "object",
            "required": [
                "bruksomrader",
                "dataminimering",
                "fiksOrgId",
                "fiksOrgNavn",
                "gyldighet",
                "id",
                "navn",
                "rettighetspakke",
                "tjenesteOmrade",
            ],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "navn": {"type": "string"},
                "beskrivelse": {"type": "string"},
                "fiksOrgId": {"type": "string", "format": "uuid"},
                "fiksOrgNavn": {"type": "string"},
                "kommunenr": {"type": "string"},
                "rettighetspakke": _PAKKE,
                "tjenesteOmrade": {"type": "string", "enum": TJENESTEOMRADER},
                "bruksomrader": _BRUKSOMRADER,
                # Dataminimering: whole parts and fields
                "dataminimering": {
                    "type": "object",
                    "properties": {
                        "deler": {"type": "array", "items": _DEL},
                        "felt": {"type": "array", "items": _FELT},
                    },
                },
                "datoOpprettet": {"type": "string"},
                "gyldighet": _GYLDIGHET,
            },
        },
    },
    "FolkeregisterKonfigurasjonDefinisjon": {
        "type": "object",
        "required": ["kontakteposter"],
        "properties": {"kontakteposter": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
    },
    "TjenesteomradeListe": {
        "type": "object",
        "required": ["omrader"],
        "properties": {"omrader": {"type": "array", "items": _TJENESTEOMRADE_BESKRIVELSE}},
    },
    "BruksomradeListe": {
        "type": "object",
        "required": ["bruksomrader"],
        "properties": {"bruksomrader": {"type": "array", "items": _BRUKSOMRADE_BESKRIVELSE}},
    },
    "DelListe": {
        "type": "object",
        "required": ["deler"],
        "properties": {"deler": {"type": "array", "items": _DEL}},
    },
    "LovhjemmelListe": {
        "type": "object",
        "required": ["lovhjemler"],
        "properties": {"lovhjemler": {"type": "array", "items": _LOVHJEMMEL}},
    },
    "TilgangListe": {
        "type": "object",
        "properties": {
            "integrasjoner": {"type": "array", "items": {"type": "string", "format": "uuid"}},
            "personer": {"type": "array", "items": {"type": "string"}},
        },
    },
    "StatusResponse": {
        "type": "object",
        "required": ["altOk", "subsystem"],
        "properties": {
            "altOk": {"type": "boolean"},
            "subsystem": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["navn", "verifikasjonBeskrivelse", "verifisering"],
                    "properties": {
                        "navn": {"type": "string"},
                        "verifikasjonBeskrivelse": {"type": "string"},
                        "verifisering": {
                            "type": "object",
                            "required": ["status", "suksess"],
                            "properties": {
                                "status": {"type": "string", "enum": ["OK", "IKKE_UTFORT", "FEILET"]},
                                "beskrivelse": {"type": "string"},
                                "suksess": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
    },
    # `GET /lovhjemler/{omrade}`: an inline schema, an array of strings.
    "LovhjemlerForOmrade": {"type": "array", "items": {"type": "string"}},
    "ErrorMessage": {
        "type": "object",
        "properties": {
            "timestamp": {"type": "integer"},
            "status": {"type": "integer"},
            "error": {"type": "string"},
            "errorId": {"type": "string", "format": "uuid"},
            "path": {"type": "string"},
            "originalPath": {"type": "string"},
            "message": {"type": "string"},
            "errorCode": {"type": "string"},
            # KS types errorJson as a string; the platform answers null or an object (DOMAIN.md §2).
            "errorJson": {"type": ["string", "object", "null"]},
        },
    },
}


def errors(schema: str, answer: Any) -> list[str]:
    """What in `answer` breaks KS's schema (empty: it conforms)."""
    validator = Draft202012Validator(SCHEMAS[schema], format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer)]
