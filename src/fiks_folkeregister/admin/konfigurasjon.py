"""KS's Konfigurasjon API (`/folkeregister/api/v1/konfigurasjon/…`), the paths and field names of KS's
published `folkeregister-konfigurasjon-api-v1.json`, authenticated like the admin API (an administrator's
API key), errors in the platform's `ErrorMessage`.

Built so far: the catalogues (`tjenesteomrader`, `bruksomrader`, `deler`, `lovhjemler`,
`lovhjemler/{omrade}`), who holds a role (`{fiksOrgId}/roller/{rolleId}/tilganger`) and the set-up
check (`verifiser`, admin/verifisering.py). The other role paths, `roller` and the organisation
configuration are not built yet (docs/admin.md)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from fiks_folkeregister.admin.api import _ERRORS, _AdminRoute
from fiks_folkeregister.admin.base import Actor
from fiks_folkeregister.admin.errors import AdminError, not_found
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.admin.verifisering import verify
from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    CONFIDENTIAL_ELEMENTS,
    parts_catalogue,
)
from fiks_folkeregister.domain.tjenesteomrade import (
    BRUKSOMRADER,
    STANDARD_LOVHJEMLER,
    TJENESTEOMRADER,
    TjenesteOmrade,
    lovhjemler_for,
)

KONFIGURASJON_PREFIX = "/folkeregister/api/v1/konfigurasjon"


# -- KS's schemas (names and fields as published) ----------------------------------------------------


class TjenesteomradeBeskrivelse(BaseModel):
    navn: str
    beskrivelse: str
    kanHenteTaushetsbelagtInfo: bool
    gyldig: bool


class TjenesteomradeListe(BaseModel):
    omrader: list[TjenesteomradeBeskrivelse]


class BruksomradeBeskrivelse(BaseModel):
    navn: str
    beskrivelse: str
    leverandor: str


class BruksomradeListe(BaseModel):
    bruksomrader: list[BruksomradeBeskrivelse]


class Felt(BaseModel):
    navn: str
    visningsnavn: str
    kanHenteTaushetsbelagtInfo: bool
    kanVaereGradertAdresse: bool


class Del(BaseModel):
    navn: str
    visningsnavn: str
    kanHenteTaushetsbelagtInfo: bool
    kanVaereGradertAdresse: bool
    felt: list[Felt]


class DelListe(BaseModel):
    deler: list[Del]


class TilgangListe(BaseModel):
    integrasjoner: list[UUID]
    personer: list[str]


class SjekkRequest(BaseModel):
    fiksOrgId: UUID
    rolleId: UUID | None = None


class Verifisering(BaseModel):
    status: str
    beskrivelse: str
    suksess: bool


class SubsystemVerifisering(BaseModel):
    navn: str
    verifikasjonBeskrivelse: str
    verifisering: Verifisering


class StatusResponse(BaseModel):
    subsystem: list[SubsystemVerifisering]
    altOk: bool


class Lovhjemmel(BaseModel):
    beskrivelse: str
    omrader: list[str]
    urler: list[str]


class LovhjemmelListe(BaseModel):
    lovhjemler: list[Lovhjemmel]


def _felt(element: str) -> Felt:
    return Felt(
        navn=element,
        visningsnavn=element,
        kanHenteTaushetsbelagtInfo=element in CONFIDENTIAL_ELEMENTS,
        kanVaereGradertAdresse=element in ADDRESS_ELEMENTS,
    )


def _deler() -> DelListe:
    deler = []
    for part in parts_catalogue():
        felt = [_felt(element) for element in part.elementer]
        deler.append(
            Del(
                navn=part.navn,
                visningsnavn=part.navn,
                kanHenteTaushetsbelagtInfo=any(f.kanHenteTaushetsbelagtInfo for f in felt),
                kanVaereGradertAdresse=any(f.kanVaereGradertAdresse for f in felt),
                felt=felt,
            )
        )
    return DelListe(deler=deler)


def _orgnr(service: AdminService, actor: Actor, fiks_org_id: UUID) -> str:
    """The organisation number behind a `fiksOrgId` this actor sees (another organisation's: 404)."""
    for organisation in service.list_organisations(actor):
        if organisation.fiks_org_id == fiks_org_id:
            return organisation.orgnr
    raise not_found("ORGANISASJON_FINNES_IKKE", f"No organisation {fiks_org_id}", fiksOrgId=str(fiks_org_id))


def _omrade(value: str) -> TjenesteOmrade:
    try:
        return TjenesteOmrade(value)
    except ValueError:
        known = ", ".join(TjenesteOmrade)
        raise AdminError(
            404, "UKJENT_TJENESTEOMRADE", f"Unknown service area {value!r}; known: {known}"
        ) from None


# -- routes ------------------------------------------------------------------------------------------


def build_konfigurasjon_router(service: AdminService) -> APIRouter:
    """The Konfigurasjon API's routes, without prefix: mount with `prefix=KONFIGURASJON_PREFIX`."""
    bearer = HTTPBearer(auto_error=False, scheme_name="AdministratorApiKey")

    def authenticated(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Actor:
        if credentials is None or not credentials.credentials.strip():
            raise AdminError(401, "MANGLER_AUTENTISERING", "Missing 'Authorization: Bearer <API key>'")
        actor = service.authenticate(credentials.credentials.strip())
        if actor is None:
            raise AdminError(401, "UGYLDIG_API_NOEKKEL", "The API key is unknown or deactivated")
        return actor

    Who = Annotated[Actor, Depends(authenticated)]
    router = APIRouter(
        route_class=_AdminRoute,
        tags=["folkeregister-konfigurasjon"],
        responses=_ERRORS,
        dependencies=[Depends(authenticated)],
    )

    @router.post(
        "/verifiser",
        operation_id="verifiserKonfigurasjonV1",
        summary="The organisation's set-up check: OK, IKKE_UTFORT or FEILET per subsystem.",
    )
    def verifiser(body: SjekkRequest, actor: Who) -> StatusResponse:
        orgnr = _orgnr(service, actor, body.fiksOrgId)
        subsystems = [
            SubsystemVerifisering(
                navn=sub.navn,
                verifikasjonBeskrivelse=sub.verifikasjon_beskrivelse,
                verifisering=Verifisering(
                    status=sub.status.value, beskrivelse=sub.beskrivelse, suksess=sub.status == "OK"
                ),
            )
            for sub in verify(service, actor, orgnr, body.rolleId)
        ]
        # altOk: no subsystem failed (a check not performed is not a failure; its status says so)
        failed = any(s.verifisering.status == "FEILET" for s in subsystems)
        return StatusResponse(subsystem=subsystems, altOk=not failed)

    @router.get(
        "/{fiksOrgId}/roller/{rolleId}/tilganger",
        operation_id="hentAlleTilgangerV1",
        summary="Who holds the role now: integrations (integrasjonId) and person users (brukerId).",
    )
    def tilganger(
        fiks_org_id: Annotated[UUID, Path(alias="fiksOrgId")],
        rolle_id: Annotated[UUID, Path(alias="rolleId")],
        actor: Who,
    ) -> TilgangListe:
        orgnr = _orgnr(service, actor, fiks_org_id)
        service.get_role(actor, rolle_id, orgnr)
        grants = [grant for grant in service.list_grants(actor, orgnr) if grant.rolle_id == rolle_id]
        return TilgangListe(
            integrasjoner=[g.integrasjon_id for g in grants if g.integrasjon_id is not None],
            personer=[str(g.bruker_id) for g in grants if g.bruker_id is not None],
        )

    @router.get("/tjenesteomrader", operation_id="hentOmraderV1", summary="Every service area.")
    def tjenesteomrader() -> TjenesteomradeListe:
        return TjenesteomradeListe(
            omrader=[
                TjenesteomradeBeskrivelse(
                    navn=area.omrade.value,
                    beskrivelse=area.beskrivelse,
                    kanHenteTaushetsbelagtInfo=area.kan_hente_taushetsbelagt_info,
                    gyldig=True,
                )
                for area in TJENESTEOMRADER
            ]
        )

    @router.get("/bruksomrader", operation_id="hentBruksomrader", summary="Every usage area.")
    def bruksomrader() -> BruksomradeListe:
        return BruksomradeListe(
            bruksomrader=[
                BruksomradeBeskrivelse(
                    navn=area.bruksomrade.value, beskrivelse=area.beskrivelse, leverandor=area.leverandor
                )
                for area in BRUKSOMRADER
            ]
        )

    @router.get("/deler", operation_id="hentDelerV1", summary="Every part and the fields it holds.")
    def deler() -> DelListe:
        return _deler()

    @router.get("/lovhjemler", operation_id="hentAlleLovhjemlerV1", summary="Every legal basis.")
    def lovhjemler() -> LovhjemmelListe:
        return LovhjemmelListe(
            lovhjemler=[
                Lovhjemmel(beskrivelse=lov.beskrivelse, omrader=list(lov.omrader), urler=list(lov.urler))
                for lov in STANDARD_LOVHJEMLER
            ]
        )

    @router.get(
        "/lovhjemler/{omrade}",
        operation_id="hentLovhjemlerForOmradeV1",
        summary="The legal bases of one service area (their texts).",
    )
    def lovhjemler_for_omrade(omrade: str) -> list[str]:
        return [lov.beskrivelse for lov in lovhjemler_for(STANDARD_LOVHJEMLER, _omrade(omrade))]

    return router
