"""The Oppvekst API as resources of the gateway's one pipeline: children, then their guardians, as KS shapes them.

`POST /register/api/v1/ks/{rolleId}/oppvekst` and the deprecated
`POST /folkeregister/api/v1/oppvekst/{fiksOrgId}/{rolleId}` run through `MirroredApi.handle` like every
mirrored resource (authentication, role, policy, upstream through the port, role filter, audit). Their
upstream call is two bulk lookups (the children, then all their guardians); the answer is cut to the role
and flattened to `PersonDefinisjon` by `domain/oppvekst.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from fiks_folkeregister.domain.identitetsnummer import is_valid
from fiks_folkeregister.domain.informasjonselementer import PartRequest
from fiks_folkeregister.domain.oppvekst import (
    InvalidOppvekstRequest,
    authorise_oppvekst,
    guardian_numbers,
    oppvekst_answer,
    persons_in,
    read_foedselsnumre,
    upstream_parts,
)
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.errors import GatewayError
from fiks_folkeregister.gateway.resources import SOK, MirroredResource, UpstreamRequest
from fiks_folkeregister.gcpause import cyclic_gc_paused
from fiks_folkeregister.upstream.port import Upstream

#: The register's limit per bulk lookup: more guardians than this take one more call per 1000.
MAX_BULK = 1000

#: Where the two routes are served (KS's paths, outside the mirrored API's `{rolleId}/v1/` prefix).
PATH = "/register/api/v1/ks/{rolleId}/oppvekst"
DEPRECATED_PATH = "/folkeregister/api/v1/oppvekst/{fiksOrgId}/{rolleId}"


class OppvekstSvar:
    """The answer: an array of `PersonDefinisjon`, each child with its guardians, cut to the role."""

    def filter(self, result: dict[str, Any], role: Rolle, request: PartRequest) -> Any:
        with cyclic_gc_paused():
            return oppvekst_answer(
                result["barn"], result["foreldreansvarlige"], role, authorise_oppvekst(role)
            )

    def persons(self, result: Any) -> list[str]:
        return persons_in(result)


def _documents(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [e["folkeregisterperson"] for e in answer.get("oppslag") or () if e.get("folkeregisterperson")]


def fetch(upstream: Upstream, pakke: Any, request: UpstreamRequest) -> dict[str, Any]:
    """The children in one bulk lookup, then all their guardians in one (one more per 1000 beyond)."""
    try:
        numbers = read_foedselsnumre(request.body)
    except InvalidOppvekstRequest as error:
        raise GatewayError(400, "UGYLDIG_FORESPOERSEL", error.message, error.details) from None
    with cyclic_gc_paused():
        children = _documents(
            upstream.bulkoppslag(pakke, {"foedselsEllerDNummer": numbers}, request.parts, False)
        )
        wanted = [number for number in guardian_numbers(children) if is_valid(number)]
        guardians: list[dict[str, Any]] = []
        for start in range(0, len(wanted), MAX_BULK):
            chunk = wanted[start : start + MAX_BULK]
            guardians += _documents(
                upstream.bulkoppslag(pakke, {"foedselsEllerDNummer": chunk}, request.parts, False)
            )
    return {"barn": children, "foreldreansvarlige": guardians}


def admit(role: Rolle, path: Mapping[str, str]) -> list[str]:
    """The role may use the Oppvekst API (else 403 naming what it lacks); the parts to ask the register."""
    return upstream_parts(authorise_oppvekst(role))


def admit_deprecated(role: Rolle, path: Mapping[str, str]) -> list[str]:
    """As `admit`, and the path's `fiksOrgId` must be the role's organisation: else it is an unknown role."""
    try:
        named = UUID(path.get("fiksOrgId", ""))
    except ValueError:
        named = None
    if named is None or named != role.fiks_org_id:
        raise GatewayError(
            404, codes.UKJENT_ROLLE, f"No role {role.id} in the organisation {path.get('fiksOrgId', '')}"
        )
    return admit(role, path)


OPPVEKST = MirroredResource(
    "POST",
    "oppvekst",
    SOK,
    False,
    OppvekstSvar(),
    fetch,
    "Henter oppvekstuttrekk for angitte fødselsnumre: barna med foreldreansvarlige.",
    takes_body=True,
    body_fields=("foedselsnumre",),
    admit=admit,
)
OPPVEKST_DEPRECATED = MirroredResource(
    "POST",
    "oppvekst/{fiksOrgId}",
    SOK,
    False,
    OppvekstSvar(),
    fetch,
    "Henter oppvekstuttrekk for angitte fødselsnumre (foreldet: bruk /register/api/v1/ks/{rolleId}/oppvekst).",
    takes_body=True,
    body_fields=("foedselsnumre",),
    admit=admit_deprecated,
)
