"""The mirrored API's OpenAPI description: operations, their security, answers and errors, as they occur.

`operation(resource)` is one mirrored resource's operation (merged into what FastAPI generates for its
route); `components()` the schemas and security schemes those operations refer to, added by `app.py`.
Person documents are described by the register's own schemas (derived from `domain/person.py`).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from fiks_folkeregister.domain.atom import ATOM
from fiks_folkeregister.domain.person import (
    ArkivDokumentBulkoppslagRequest,
    FolkeregisterFeilmelding,
    Folkeregisterperson,
    PersonBulkoppslagRequest,
    PersonBulkoppslagResponse,
    PersonsoekResponse,
)
from fiks_folkeregister.gateway.access import INTEGRATION_ID_HEADER, INTEGRATION_PASSWORD_HEADER
from fiks_folkeregister.gateway.hendelse_svar import (
    EventDocument,
    EventDocuments,
    ExtractBatch,
    Feed,
)
from fiks_folkeregister.gateway.representation import JSON
from fiks_folkeregister.gateway.resources import (
    PATH_PARAMETER,
    Identifikatorer,
    MirroredResource,
    Oppslag,
    PersonDocument,
)

REF = "#/components/schemas/{model}"

#: Every mirrored operation needs all three: the token, the integration's id and its password.
SECURITY = [{"maskinporten": [], "integrasjonId": [], "integrasjonPassord": []}]

SECURITY_SCHEMES: dict[str, Any] = {
    "maskinporten": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Maskinporten access token with scope `ks:fiks`, for the organisation (`consumer`) "
        "that operates the integration.",
    },
    "integrasjonId": {
        "type": "apiKey",
        "in": "header",
        "name": INTEGRATION_ID_HEADER,
        "description": "The integration's id (a UUID).",
    },
    "integrasjonPassord": {
        "type": "apiKey",
        "in": "header",
        "name": INTEGRATION_PASSWORD_HEADER,
        "description": "The integration's password (shown once when it was made or rotated).",
    },
}

_PLATFORM_ERROR: dict[str, Any] = {
    "title": "PlattformFeilmelding",
    "description": "An error made by the gateway, in the platform's format. `errorId` is the request's id: "
    "the `X-Request-Id` header and the id of its audit record, the one to quote to support.",
    "type": "object",
    "required": ["timestamp", "status", "error", "errorId", "path", "message", "errorCode", "errorJson"],
    "properties": {
        "timestamp": {"type": "integer", "format": "int64", "description": "Milliseconds since 1970."},
        "status": {"type": "integer", "description": "The HTTP status."},
        "error": {"type": "string", "description": "The HTTP status's phrase."},
        "errorId": {"type": "string", "format": "uuid"},
        "path": {"type": "string"},
        "message": {"type": "string"},
        "errorCode": {"type": "string", "description": "The machine code, e.g. `PART_IKKE_TILLATT`."},
        "errorJson": {
            "type": ["object", "null"],
            "description": "Details (what was wrong, what is allowed); null when there are none.",
        },
    },
}

_HENDELSE = {
    "type": "object",
    "description": "The event: its id, type and the person's identity number (`folkeregisteridentifikator`).",
    "properties": {
        "hendelsesidentifikator": {"type": "string"},
        "hendelsestype": {"type": "string"},
        "folkeregisteridentifikator": {"type": "string"},
    },
}

_EVENT_SCHEMAS: dict[str, Any] = {
    "Feedelement": {
        "type": "object",
        "required": ["sekvensnummer", "hendelse"],
        "properties": {"sekvensnummer": {"type": "integer", "format": "int64"}, "hendelse": _HENDELSE},
    },
    "DokumentForHendelse": {
        "type": "object",
        "description": "An event with the document version it made, cut to the role's elements.",
        "required": ["hendelse"],
        "properties": {"hendelse": _HENDELSE},
    },
    "SisteSekvensnummer": {
        "type": "integer",
        "format": "int64",
        "description": "The newest sequence number the role's package can see, as a bare JSON number.",
    },
    "Uttrekksjobb": {
        "type": "object",
        "required": ["jobbId"],
        "properties": {"jobbId": {"type": "string"}},
    },
    "OppvekstForespoersel": {
        "type": "object",
        "required": ["foedselsnumre"],
        "properties": {"foedselsnumre": {"type": "array", "items": {"type": "string"}}},
    },
    "Oppvekstsvar": {
        "type": "array",
        "description": "KS's Oppvekst contract: one `PersonDefinisjon` per child found, flattened, with its "
        "guardians (`foreldreansvarlige`), cut to the role (docs/oppvekst.md).",
        "items": {"type": "object"},
    },
    "Uttrekksbatch": {
        "type": "object",
        "description": "Identity numbers (tilpasset) or document ids (komplett); `{}` past the last batch.",
        "properties": {
            "foedselsEllerDNummer": {"type": "array", "items": {"type": "string"}},
            "dokumentidentifikator": {"type": "array", "items": {"type": "string"}},
        },
    },
}

_REQUESTS = (PersonBulkoppslagRequest, ArkivDokumentBulkoppslagRequest)

#: The request body of each resource that takes one, by path.
_BODIES = {
    "personer/bulkoppslag": "PersonBulkoppslagRequest",
    "personer/bulkoppslag/arkiv": "ArkivDokumentBulkoppslagRequest",
    "hendelser/bulkoppslag": "ArkivDokumentBulkoppslagRequest",  # {"dokumentidentifikator": [event ids]}
    "oppvekst": "OppvekstForespoersel",
    "oppvekst/{fiksOrgId}": "OppvekstForespoersel",
}

#: The answer of the other resources, by path: a few fields passed through, or the Oppvekst API's own.
_PASSTHROUGH = {
    "hendelser/siste/sekvensnummer": "SisteSekvensnummer",
    "uttrekk/tilpasset": "Uttrekksjobb",
    "uttrekk/komplett": "Uttrekksjobb",
    "oppvekst": "Oppvekstsvar",
    "oppvekst/{fiksOrgId}": "Oppvekstsvar",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


@cache
def components() -> dict[str, Any]:
    """`components` of the gateway's OpenAPI document: every schema the operations refer to."""
    _, found = models_json_schema(
        [
            (model, "serialization" if model not in _REQUESTS else "validation")
            for model in (
                Folkeregisterperson,
                PersonBulkoppslagRequest,
                ArkivDokumentBulkoppslagRequest,
                PersonBulkoppslagResponse,
                PersonsoekResponse,
                FolkeregisterFeilmelding,
            )
        ],
        ref_template=REF,
    )
    schemas: dict[str, Any] = dict(found["$defs"])
    # bulkoppslag/arkiv: each entry also names the archived version it is (the spec's response cannot).
    arkiv = copy.deepcopy(schemas["Oppslag"])
    arkiv["title"] = "ArkivOppslag"
    arkiv["properties"]["dokumentidentifikator"] = {"type": "string"}
    schemas["ArkivOppslag"] = arkiv
    schemas["ArkivBulkoppslagResponse"] = {
        "title": "ArkivBulkoppslagResponse",
        "type": "object",
        "additionalProperties": False,
        "properties": {"oppslag": {"type": "array", "items": _ref("ArkivOppslag")}},
    }
    schemas["PlattformFeilmelding"] = _PLATFORM_ERROR
    schemas.update(_EVENT_SCHEMAS)
    return {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES}


def _success(resource: MirroredResource) -> dict[str, Any]:
    answer = resource.answer
    if isinstance(answer, PersonDocument):
        schema = _ref("Folkeregisterperson")
    elif isinstance(answer, Oppslag):
        arkiv = resource.path.endswith("/arkiv")
        schema = _ref("ArkivBulkoppslagResponse" if arkiv else "PersonBulkoppslagResponse")
    elif isinstance(answer, Identifikatorer):
        schema = _ref("PersonsoekResponse")
    elif isinstance(answer, Feed):
        schema = {"type": "array", "items": _ref("Feedelement")}
    elif isinstance(answer, EventDocument):
        schema = _ref("DokumentForHendelse")
    elif isinstance(answer, EventDocuments):
        schema = {"type": "array", "items": _ref("DokumentForHendelse")}
    elif isinstance(answer, ExtractBatch):
        schema = _ref("Uttrekksbatch")
    else:
        schema = _ref(_PASSTHROUGH[resource.path])
    content = {
        media_type: {"schema": schema if media_type == JSON else {"type": "string"}}
        for media_type in resource.media_types
    }
    description = "Cut to the role: only its elements, history only if it holds `historikk`."
    if ATOM in resource.media_types:
        description += " JSON, or Atom with `Accept: application/atom+xml` (the same entries)."
    return {"description": description, "content": content}


def _error(description: str, register_too: bool = False) -> dict[str, Any]:
    schema = _ref("PlattformFeilmelding")
    if register_too:
        schema = {"oneOf": [schema, _ref("FolkeregisterFeilmelding")]}
        description += " Errors the register answers pass through in its format (`feilkode`, `feilmelding`)."
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _errors(resource: MirroredResource) -> dict[str, Any]:
    """Every error status the operation can answer, as the gateway makes or passes them."""
    errors = {
        "400": _error(
            "A malformed role id, part, parameter or body (e.g. `UKJENT_PART`, `UGYLDIG_PARAMETER`).",
            register_too=True,
        ),
        "401": _error(
            "Authentication failed (`AUTENTISERING_FEILET`): the token, the integration or its password; "
            "which one is in the audit record, not in the answer."
        ),
        "403": _error(
            "The token lacks the scope (`MANGLER_SCOPE`), or the role may not do this: organisation, grant, "
            "deactivated by an administrator (`ROLLE_DEAKTIVERT`), use through the API (`ROLLE_IKKE_GYLDIG_FOR_API`), usage area, parts, history, search criteria.",
            register_too=True,
        ),
        "404": _error("No such role (`UKJENT_ROLLE`), or nothing found in the register.", register_too=True),
        "406": _error("The `Accept` header allows nothing served here (`IKKE_STOETTET_FORMAT`)."),
        "429": _error(
            "Too many requests from the address or by the integration (`FOR_MANGE_FORESPOERSLER`), too many "
            "failed authentications for the integration or from the address (`FOR_MANGE_FEILFORSOEK`), or "
            "the register throttles (`REGISTERET_STRUPER`); with `Retry-After` in seconds.",
            register_too=True,
        ),
        "500": _error("An unexpected error (`INTERN_FEIL`); nothing was given out."),
        "502": _error("The register or Maskinporten answered wrongly (`REGISTERET_FEILET`, …)."),
        "503": _error(
            "The register or Maskinporten cannot be reached, the request or failed-authentication limits "
            "cannot be checked (`BEGRENSNING_UTILGJENGELIG`), or the audit log cannot be written "
            "(`REVISJONSLOGG_UTILGJENGELIG`): no data leaves without its audit record."
        ),
        "504": _error("The register did not answer in time (`REGISTERET_SVARER_IKKE`)."),
    }
    if resource.takes_body:
        errors["413"] = _error("The body is larger than 1 000 000 bytes (`FOR_STOR_FORESPOERSEL`).")
        errors["415"] = _error("The body is not `application/json` (`UGYLDIG_INNHOLDSTYPE`).")
    if resource.path == "uttrekk/{jobbid}/batch/{batchnr}":
        errors["410"] = _error("No such extract job for the role's municipality.", register_too=True)
    return dict(sorted(errors.items()))


def operation(resource: MirroredResource) -> dict[str, Any]:
    """The OpenAPI operation of one mirrored resource (FastAPI merges it into the route's)."""

    def parameter(
        name: str, where: str, description: str, required: bool = True, array: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = (
            {"type": "array", "items": {"type": "string"}} if array else {"type": "string"}
        )
        return {"name": name, "in": where, "required": required, "description": description, "schema": schema}

    parameters = [
        parameter("rolleId", "path", "The role to act in (UUID); it decides rights package and elements."),
        *(parameter(name, "path", name) for name in PATH_PARAMETER.findall(resource.path)),
    ]
    if resource.takes_part:
        parameters.append(
            parameter("part", "query", "Information elements or aliases (repeatable).", False, True)
        )
    parameters += [parameter(name, "query", name, False) for name in resource.query_parameters]
    if resource.conditional:
        parameters.append(parameter("If-None-Match", "header", "The ETag of an earlier answer.", False))
    if resource.offered:
        responses: dict[str, Any] = {"200": _success(resource), **_errors(resource)}
    else:  # known, so never taken for an id, but refused after authentication
        refusals = {k: v for k, v in _errors(resource).items() if k not in ("406", "502", "504")}
        not_offered = _error("Not offered: the gateway serves JSON only (`IKKE_TILBUDT`).")
        responses = dict(sorted({**refusals, "501": not_offered}.items()))
    if resource.conditional:
        responses["304"] = {"description": "Not modified since the answer with this ETag"}
    extra: dict[str, Any] = {"parameters": parameters, "security": SECURITY, "responses": responses}
    if resource.takes_body:
        body = _BODIES.get(resource.path)
        schema = _ref(body) if body else {"type": "object", "description": "The extract's criteria."}
        extra["requestBody"] = {"required": True, "content": {JSON: {"schema": schema}}}
    return extra
