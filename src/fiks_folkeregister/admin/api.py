"""The admin REST API (mounted at `/admin/api/v1`): configuration and logs, authenticated by API key."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BeforeValidator, Field

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError, forbidden
from fiks_folkeregister.admin.routing import ERRORS, AdminRoute, api_key_dependency
from fiks_folkeregister.admin.schemas import (
    AdministratorUt,
    BrukerUt,
    EndringUt,
    Forespoerselsgrense,
    IntegrasjonPassordUt,
    IntegrasjonUt,
    KatalogLovhjemmelUt,
    LovhjemmelEndring,
    NyAdministrator,
    NyAdministratorSvar,
    NyBruker,
    NyIntegrasjon,
    NyLovhjemmel,
    NyOrganisasjon,
    NyRolle,
    OppslagUt,
    OrganisasjonUt,
    RequestSchema,
    RolleEndring,
    RolleUt,
    TildelingUt,
)
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.audit.innsyn import Innsyn, Innsynsrapport, InvalidIdentityNumberError
from fiks_folkeregister.audit.innsynsbrev import render_html, render_pdf
from fiks_folkeregister.audit.log import AuditUnavailableError
from fiks_folkeregister.domain.heltall import is_ascii_digits
from fiks_folkeregister.domain.informasjonselementer import HISTORIKK

ADMIN_PREFIX = "/admin/api/v1"

log = logging.getLogger(__name__)


def _ascii_digits(value: Any) -> Any:
    """A number in a query is the digits 0-9 only (pydantic alone takes '1_000', '+5' and ' 12')."""
    if isinstance(value, str) and not is_ascii_digits(value):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


#: How many rows a log query returns at most.
Limit = Annotated[int, BeforeValidator(_ascii_digits), Query(ge=1, le=10_000)]


# -- routes ----------------------------------------------------------------------------------------


def build_admin_router(service: AdminService, innsyn: Innsyn | None = None) -> APIRouter:
    """The admin API's routes, without prefix: mount with `include_router(..., prefix=ADMIN_PREFIX)`.

    With `innsyn` (it needs the register), also the routes answering a person's request for insight."""
    Who = Annotated[Actor, Depends(api_key_dependency(service))]
    router = APIRouter(route_class=AdminRoute, tags=["admin"], responses=ERRORS)

    # organisations
    @router.post("/organisasjoner", status_code=201, summary="Create an organisation (platform operators).")
    def create_organisation(body: NyOrganisasjon, actor: Who) -> OrganisasjonUt:
        return OrganisasjonUt.of(
            service.create_organisation(actor, body.orgnr, body.navn, body.kommunenummer, body.fylkesnummer)
        )

    @router.get("/organisasjoner", summary="Organisations this administrator sees.")
    def list_organisations(actor: Who) -> list[OrganisasjonUt]:
        return [OrganisasjonUt.of(org) for org in service.list_organisations(actor)]

    @router.get("/organisasjoner/{orgnr}", summary="One organisation.")
    def get_organisation(orgnr: str, actor: Who) -> OrganisasjonUt:
        return OrganisasjonUt.of(service.get_organisation(actor, orgnr))

    @router.put(
        "/organisasjoner/{orgnr}/forespoerselsgrense",
        summary="Set the request rate of the organisation's integrations (platform operators).",
    )
    def set_request_rate(orgnr: str, body: Forespoerselsgrense, actor: Who) -> OrganisasjonUt:
        return OrganisasjonUt.of(service.set_request_rate(actor, orgnr, body.forespoersler_per_minutt))

    # roles
    @router.get("/organisasjoner/{orgnr}/roller", summary="The organisation's roles.")
    def list_roles(orgnr: str, actor: Who) -> list[RolleUt]:
        return [RolleUt.of(role) for role in service.list_roles(actor, orgnr)]

    @router.post("/organisasjoner/{orgnr}/roller", status_code=201, summary="Create a role.")
    def create_role(orgnr: str, body: NyRolle, actor: Who) -> RolleUt:
        parts = [*body.elementer, HISTORIKK] if body.historikk else body.elementer
        return RolleUt.of(
            service.create_role(
                actor,
                orgnr,
                body.navn,
                body.rettighetspakke,
                body.bruksomraader,
                parts,
                body.beskrivelse,
                body.gyldighet,
                tjeneste_omrade=body.tjeneste_omrade,
                lovhjemmel=body.lovhjemmel,
                tagger=body.tagger,
            )
        )

    @router.get("/organisasjoner/{orgnr}/roller/{rolleId}", summary="One role.")
    def get_role(orgnr: str, rolleId: UUID, actor: Who) -> RolleUt:
        return RolleUt.of(service.get_role(actor, rolleId, orgnr))

    @router.patch(
        "/organisasjoner/{orgnr}/roller/{rolleId}", summary="Change a role (only the fields given)."
    )
    def update_role(orgnr: str, rolleId: UUID, body: RolleEndring, actor: Who) -> RolleUt:
        parts: list[str] | None = None
        if body.elementer is not None or body.historikk is not None:
            current = service.get_role(actor, rolleId, orgnr)
            named = body.elementer if body.elementer is not None else list(current.deler)
            historikk = body.historikk if body.historikk is not None else current.rolle.historikk
            parts = [part for part in named if part != HISTORIKK] + ([HISTORIKK] if historikk else [])
        return RolleUt.of(
            service.update_role(
                actor,
                rolleId,
                orgnr=orgnr,
                navn=body.navn,
                beskrivelse=body.beskrivelse,
                rettighetspakke=body.rettighetspakke,
                bruksomraader=body.bruksomraader,
                deler=parts,
                gyldighet=body.gyldighet,
                tjeneste_omrade=body.tjeneste_omrade,
                lovhjemmel=body.lovhjemmel,
                tagger=body.tagger,
            )
        )

    @router.put(
        "/organisasjoner/{orgnr}/roller/{rolleId}/deaktiver",
        summary="Deactivate a role: from the next request on it authorises nothing; grants and logs stay.",
    )
    def deactivate_role(orgnr: str, rolleId: UUID, actor: Who) -> RolleUt:
        return RolleUt.of(service.deactivate_role(actor, rolleId, orgnr))

    @router.put(
        "/organisasjoner/{orgnr}/roller/{rolleId}/aktiver",
        summary="Activate a deactivated role: its active grants work again.",
    )
    def activate_role(orgnr: str, rolleId: UUID, actor: Who) -> RolleUt:
        return RolleUt.of(service.activate_role(actor, rolleId, orgnr))

    @router.put("/organisasjoner/{orgnr}/roller/{rolleId}/tagger/{tagg}", summary="Add a tag to a role.")
    def add_tag(orgnr: str, rolleId: UUID, tagg: str, actor: Who) -> RolleUt:
        return RolleUt.of(service.add_tag(actor, rolleId, tagg, orgnr))

    @router.delete(
        "/organisasjoner/{orgnr}/roller/{rolleId}/tagger/{tagg}",
        summary="Remove a tag from a role (400 UKJENT_TAGG if it has no such tag).",
    )
    def remove_tag(orgnr: str, rolleId: UUID, tagg: str, actor: Who) -> RolleUt:
        return RolleUt.of(service.remove_tag(actor, rolleId, tagg, orgnr))

    # the catalogue of legal bases
    @router.get("/lovhjemler", summary="The catalogue of legal bases, or those of one service area (omrade).")
    def list_legal_bases(actor: Who, omrade: str | None = None) -> list[KatalogLovhjemmelUt]:
        return [KatalogLovhjemmelUt.of_entry(entry) for entry in service.list_lovhjemmel_katalog(omrade)]

    @router.post(
        "/lovhjemler", status_code=201, summary="Add a legal basis to the catalogue (platform operators)."
    )
    def create_legal_basis(body: NyLovhjemmel, actor: Who) -> KatalogLovhjemmelUt:
        return KatalogLovhjemmelUt.of_entry(
            service.create_lovhjemmel(actor, body.beskrivelse, body.omrader, body.urler)
        )

    @router.patch(
        "/lovhjemler/{lovhjemmelId}",
        summary="Change a legal basis of the catalogue (platform operators; roles keep what they chose).",
    )
    def update_legal_basis(lovhjemmelId: int, body: LovhjemmelEndring, actor: Who) -> KatalogLovhjemmelUt:
        return KatalogLovhjemmelUt.of_entry(
            service.update_lovhjemmel(
                actor, lovhjemmelId, beskrivelse=body.beskrivelse, omrader=body.omrader, urler=body.urler
            )
        )

    @router.delete(
        "/lovhjemler/{lovhjemmelId}",
        status_code=204,
        summary="Remove a legal basis from the catalogue (platform operators; roles keep what they chose).",
    )
    def delete_legal_basis(lovhjemmelId: int, actor: Who) -> Response:
        service.delete_lovhjemmel(actor, lovhjemmelId)
        return Response(status_code=204)

    @router.delete(
        "/organisasjoner/{orgnr}/roller/{rolleId}", status_code=204, summary="Delete an unused role."
    )
    def delete_role(orgnr: str, rolleId: UUID, actor: Who) -> Response:
        service.delete_role(actor, rolleId, orgnr)
        return Response(status_code=204)

    # integrations
    @router.get("/organisasjoner/{orgnr}/integrasjoner", summary="The organisation's integrations.")
    def list_integrations(orgnr: str, actor: Who) -> list[IntegrasjonUt]:
        return [IntegrasjonUt.of(i) for i in service.list_integrations(actor, orgnr)]

    @router.post(
        "/organisasjoner/{orgnr}/integrasjoner",
        status_code=201,
        summary="Create an integration; its password is in this answer only.",
    )
    def create_integration(orgnr: str, body: NyIntegrasjon, actor: Who) -> IntegrasjonPassordUt:
        made = service.create_integration(actor, orgnr, body.navn, body.autorisert_orgnr, body.beskrivelse)
        return IntegrasjonPassordUt(
            integrasjon_id=made.integrasjon.id,
            integrasjon_passord=made.passord,
            autorisert_orgnr=made.integrasjon.autorisert_orgnr,
        )

    @router.get("/organisasjoner/{orgnr}/integrasjoner/{integrasjonId}", summary="One integration.")
    def get_integration(orgnr: str, integrasjonId: UUID, actor: Who) -> IntegrasjonUt:
        return IntegrasjonUt.of(service.get_integration(actor, integrasjonId, orgnr))

    @router.delete(
        "/organisasjoner/{orgnr}/integrasjoner/{integrasjonId}",
        status_code=204,
        summary="Delete an integration and its grants.",
    )
    def delete_integration(orgnr: str, integrasjonId: UUID, actor: Who) -> Response:
        service.delete_integration(actor, integrasjonId, orgnr)
        return Response(status_code=204)

    @router.post(
        "/organisasjoner/{orgnr}/integrasjoner/{integrasjonId}/passord",
        summary="Rotate the password: the old one stops working at once; the new one is in this answer only.",
    )
    def rotate_password(orgnr: str, integrasjonId: UUID, actor: Who) -> IntegrasjonPassordUt:
        made = service.rotate_password(actor, integrasjonId, orgnr)
        return IntegrasjonPassordUt(
            integrasjon_id=made.integrasjon.id,
            integrasjon_passord=made.passord,
            autorisert_orgnr=made.integrasjon.autorisert_orgnr,
        )

    # grants
    @router.get("/organisasjoner/{orgnr}/tildelinger", summary="Grants of the organisation's roles.")
    def list_grants(
        orgnr: str,
        actor: Who,
        inkluderTilbakekalte: bool = False,
    ) -> list[TildelingUt]:
        return [
            TildelingUt.of(g) for g in service.list_grants(actor, orgnr, include_revoked=inkluderTilbakekalte)
        ]

    @router.put(
        "/organisasjoner/{orgnr}/integrasjoner/{integrasjonId}/roller/{rolleId}",
        status_code=201,
        summary="Grant the role to the integration (201 new, 200 already granted).",
        responses={200: {"model": TildelingUt, "description": "Already granted"}},
    )
    def grant(orgnr: str, integrasjonId: UUID, rolleId: UUID, actor: Who, response: Response) -> TildelingUt:
        made, created = service.grant(actor, integrasjonId, rolleId, orgnr)
        if not created:
            response.status_code = 200
        return TildelingUt.of(made)

    @router.delete(
        "/organisasjoner/{orgnr}/integrasjoner/{integrasjonId}/roller/{rolleId}",
        summary="Revoke the grant; the next request with it is refused.",
    )
    def revoke(orgnr: str, integrasjonId: UUID, rolleId: UUID, actor: Who) -> TildelingUt:
        return TildelingUt.of(service.revoke(actor, integrasjonId, rolleId, orgnr))

    # person users
    @router.get("/organisasjoner/{orgnr}/brukere", summary="The organisation's person users.")
    def list_users(orgnr: str, actor: Who) -> list[BrukerUt]:
        return [BrukerUt.of(user) for user in service.list_users(actor, orgnr)]

    @router.post(
        "/organisasjoner/{orgnr}/brukere",
        status_code=201,
        summary="Create a person user (a case worker, known by identity number).",
    )
    def create_user(orgnr: str, body: NyBruker, actor: Who) -> BrukerUt:
        return BrukerUt.of(service.create_user(actor, orgnr, body.foedselsnummer, body.navn))

    @router.get("/organisasjoner/{orgnr}/brukere/{brukerId}", summary="One person user.")
    def get_user(orgnr: str, brukerId: UUID, actor: Who) -> BrukerUt:
        return BrukerUt.of(service.get_user(actor, brukerId, orgnr))

    @router.delete(
        "/organisasjoner/{orgnr}/brukere/{brukerId}",
        summary="Deactivate a person user: no role works for them from the next request on.",
    )
    def deactivate_user(orgnr: str, brukerId: UUID, actor: Who) -> BrukerUt:
        return BrukerUt.of(service.deactivate_user(actor, brukerId, orgnr))

    @router.put(
        "/organisasjoner/{orgnr}/brukere/{brukerId}/aktiver",
        summary="Activate a deactivated person user: the roles still granted them work again.",
    )
    def activate_user(orgnr: str, brukerId: UUID, actor: Who) -> BrukerUt:
        return BrukerUt.of(service.activate_user(actor, brukerId, orgnr))

    @router.put(
        "/organisasjoner/{orgnr}/brukere/{brukerId}/roller/{rolleId}",
        status_code=201,
        summary="Grant the role to the person user (201 new, 200 already granted).",
        responses={200: {"model": TildelingUt, "description": "Already granted"}},
    )
    def grant_user(orgnr: str, brukerId: UUID, rolleId: UUID, actor: Who, response: Response) -> TildelingUt:
        made, created = service.grant_user(actor, brukerId, rolleId, orgnr)
        if not created:
            response.status_code = 200
        return TildelingUt.of(made)

    @router.delete(
        "/organisasjoner/{orgnr}/brukere/{brukerId}/roller/{rolleId}",
        summary="Revoke the person's grant; their next request in the role is refused.",
    )
    def revoke_user(orgnr: str, brukerId: UUID, rolleId: UUID, actor: Who) -> TildelingUt:
        return TildelingUt.of(service.revoke_user(actor, brukerId, rolleId, orgnr))

    # logs
    @router.get("/organisasjoner/{orgnr}/endringslogg", summary="The organisation's configuration changes.")
    def organisation_changes(orgnr: str, actor: Who, limit: Limit = 1000) -> list[EndringUt]:
        return [EndringUt.of(c) for c in service.change_log(actor, orgnr, limit)]

    @router.get("/endringslogg", summary="Every configuration change (platform operators).")
    def all_changes(actor: Who, limit: Limit = 1000) -> list[EndringUt]:
        return [EndringUt.of(c) for c in service.change_log(actor, None, limit)]

    @router.get(
        "/organisasjoner/{orgnr}/oppslagslogg",
        summary="The organisation's lookup log, newest first (its own administrators).",
    )
    def lookup_log(
        orgnr: str,
        actor: Who,
        fra: Annotated[datetime | None, Query(description="From (inclusive), ISO 8601 with offset.")] = None,
        til: Annotated[datetime | None, Query(description="Until (exclusive), ISO 8601 with offset.")] = None,
        rolleId: UUID | None = None,
        integrasjonId: UUID | None = None,
        person: Annotated[
            str | None,
            Query(description="Lookups that returned this identity number, or named it (also refused ones)."),
        ] = None,
        limit: Limit = 1000,
    ) -> list[OppslagUt]:
        for name, moment in (("fra", fra), ("til", til)):
            if moment is not None and moment.tzinfo is None:
                raise AdminError(
                    400, "UGYLDIG_TIDSROM", f"'{name}' needs a UTC offset, e.g. 2026-11-01T00:00:00Z"
                )
        records = service.lookup_log(
            actor,
            orgnr,
            fra=fra,
            til=til,
            rolle_id=rolleId,
            integrasjon_id=integrasjonId,
            person=person,
            limit=limit,
        )
        return [OppslagUt.of(record) for record in records]

    # administrators
    @router.post(
        "/administratorer",
        status_code=201,
        summary="Create an administrator (platform operators); the API key is in this answer only.",
    )
    def create_administrator(body: NyAdministrator, actor: Who) -> NyAdministratorSvar:
        made = service.create_administrator(actor, body.navn, body.orgnr)
        admin = made.administrator
        return NyAdministratorSvar(
            administrator_id=admin.id,
            navn=admin.navn,
            orgnr=admin.orgnr,
            opprettet=admin.opprettet,
            deaktivert=admin.deaktivert,
            api_noekkel=made.api_noekkel,
        )

    @router.get("/administratorer", summary="Administrators (platform operators).")
    def list_administrators(actor: Who, orgnr: str | None = None) -> list[AdministratorUt]:
        return [AdministratorUt.of(a) for a in service.list_administrators(actor, orgnr)]

    @router.delete("/administratorer/{administratorId}", summary="Deactivate an administrator's API key.")
    def deactivate_administrator(administratorId: UUID, actor: Who) -> AdministratorUt:
        return AdministratorUt.of(service.deactivate_administrator(actor, administratorId))

    if innsyn is not None:
        _insight_routes(router, Who, service, innsyn)
    return router


class Innsynskrav(RequestSchema):
    identifikator: str = Field(
        description="The person's fødselsnummer or d-nummer; earlier numbers are found in the register.",
        examples=["06076301709"],
    )


InnsynFormat = Literal["json", "html", "pdf"]
_INSIGHT_MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _insight_routes(router: APIRouter, Who: Any, service: AdminService, innsyn: Innsyn) -> None:
    Format = Annotated[InnsynFormat, Query(description="json, or the letter to the person as html or pdf.")]

    @router.post(
        "/innsyn",
        summary="Who looked up a person, across every organisation (platform operators).",
        response_class=Response,
        responses={200: {"content": {media: {} for media in _INSIGHT_MEDIA.values()}}},
    )
    def insight(body: Innsynskrav, actor: Who, format: Format = "json") -> Response:
        if actor.kind is ActorKind.ADMINISTRATOR:
            raise forbidden(
                "KUN_PLATTFORMOPERATOER",
                "Insight across organisations is given by platform operators; use "
                "/organisasjoner/{orgnr}/innsyn for your own organisation's lookups",
            )
        return _insight_answer(lambda: innsyn.report(body.identifikator), format, None)

    @router.post(
        "/organisasjoner/{orgnr}/innsyn",
        summary="Who in this organisation looked up a person (its administrators, platform operators).",
        response_class=Response,
        responses={200: {"content": {media: {} for media in _INSIGHT_MEDIA.values()}}},
    )
    def organisation_insight(orgnr: str, body: Innsynskrav, actor: Who, format: Format = "json") -> Response:
        organisation = service.get_organisation(actor, orgnr)
        return _insight_answer(
            lambda: innsyn.report(body.identifikator, orgnr=orgnr, asked_by=orgnr), format, organisation.navn
        )


def _insight_answer(report: Callable[[], Innsynsrapport], format: str, navn: str | None) -> Response:
    from fiks_folkeregister.upstream.port import UpstreamError
    from fiks_folkeregister.upstream.resilience import UpstreamUnavailableError

    try:
        found = report()
    except InvalidIdentityNumberError as error:
        raise AdminError(400, "UGYLDIG_IDENTIFIKATOR", str(error)) from None
    except AuditUnavailableError:
        raise AdminError(503, "REVISJONSLOGG_UTILGJENGELIG", "The audit log is unavailable") from None
    except (UpstreamError, UpstreamUnavailableError):
        raise AdminError(
            502, "REGISTERET_UTILGJENGELIG", "The register could not give the person's identity numbers"
        ) from None
    headers = {"Cache-Control": "no-store"}
    if format == "html":
        return Response(render_html(found, navn), headers=headers, media_type=_INSIGHT_MEDIA["html"])
    if format == "pdf":
        return Response(render_pdf(found, navn), headers=headers, media_type=_INSIGHT_MEDIA["pdf"])
    return Response(orjson.dumps(found.to_json()), headers=headers, media_type=_INSIGHT_MEDIA["json"])
