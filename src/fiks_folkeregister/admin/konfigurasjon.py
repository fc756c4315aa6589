"""KS's Konfigurasjon API (`/folkeregister/api/v1/konfigurasjon/…`), the paths and field names of KS's
published `folkeregister-konfigurasjon-api-v1.json`, authenticated by an administrator's API key or a
logged-in administrator's session (admin/innlogging.py), errors in the platform's `ErrorMessage`.

The catalogues (`tjenesteomrader`, `bruksomrader`, `deler`, `lovhjemler`, `lovhjemler/{omrade}`); an
organisation's roles (`{fiksOrgId}/roller[/{rolleId}]`: list, create, read, update, delete, `aktiver`,
`deaktiver`, `tagger/{tagg}`, `tilganger`); the logged-in person's search roles (`roller`); the
organisation's configuration (`{fiksOrgId}`); the set-up check (`verifiser`, admin/verifisering.py).
Every change goes through the admin service, so it lands in the change log."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError, not_found
from fiks_folkeregister.admin.innlogging import Principal, SessionLogin, principal_dependency
from fiks_folkeregister.admin.organisations import Organisasjon
from fiks_folkeregister.admin.roles import StoredRole
from fiks_folkeregister.admin.routing import ERRORS, AdminRoute
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.admin.verifisering import verify
from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    CONFIDENTIAL_ELEMENTS,
    HISTORIKK,
    parts_catalogue,
)
from fiks_folkeregister.domain.rolle import GYLDIGHETER, Bruksomraade
from fiks_folkeregister.domain.tjenesteomrade import (
    BRUKSOMRADER,
    TJENESTEOMRADER,
    TjenesteOmrade,
    tjenesteomrade,
)

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


KsRettighetspakke = Literal["OFFENTLIG_MED_HJEMMEL", "OFFENTLIG_UTEN_HJEMMEL"]
KsBruksomrade = Literal["OPPSLAG", "HENDELSESLISTE", "UTTREKK"]
KsTjenesteomrade = Literal[
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


class KsRequest(BaseModel):
    """A request body: unknown fields are refused (a misspelt field is never silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Navn(KsRequest):
    navn: str


class Tagg(KsRequest):
    navn: str


class DataminimeringInput(KsRequest):
    deler: list[Navn] = Field(default_factory=list)
    felt: list[Navn] = Field(default_factory=list)


class RolleGyldighet(BaseModel):
    api: bool
    soekWeb: bool
    uttrekkWeb: bool
    asynkron: bool


class RolleGyldighetInput(KsRequest):
    api: bool
    soekWeb: bool
    uttrekkWeb: bool
    asynkron: bool


_EXTENSION = "Not in KS's document (this gateway's extension; KS's tools leave it out): "


class OpprettRolleDefinisjonV1(KsRequest):
    navn: str
    beskrivelse: str = ""
    tjenesteOmrade: KsTjenesteomrade
    dataminimering: DataminimeringInput
    bruksomrader: list[KsBruksomrade]
    tagger: list[Tagg] = Field(default_factory=list)
    rettighetspakke: KsRettighetspakke | None = Field(
        default=None,
        description="Left out: OFFENTLIG_MED_HJEMMEL for a service area that may fetch confidential "
        "information, else OFFENTLIG_UTEN_HJEMMEL.",
    )
    gyldighet: RolleGyldighetInput | None = Field(default=None, description=_EXTENSION + "default api only.")
    lovhjemmel: str | None = Field(
        default=None, description=_EXTENSION + "the text of a legal basis of the service area's catalogue."
    )


class OppdaterRolleDefinisjonV1(KsRequest):
    navn: str
    beskrivelse: str | None = None
    dataminimering: DataminimeringInput | None = None
    gyldighet: RolleGyldighetInput | None = Field(
        default=None, description=_EXTENSION + "kept when left out."
    )
    lovhjemmel: str | None = Field(
        default=None, description=_EXTENSION + '"" removes it; kept when left out.'
    )


class NavnUt(BaseModel):
    navn: str


class DataminimeringUt(BaseModel):
    deler: list[NavnUt]
    felt: list[NavnUt]


class RolleDefinisjon(BaseModel):
    id: UUID
    navn: str
    beskrivelse: str
    fiksOrgId: UUID
    autorisasjonRolleId: UUID = Field(description="The role's id: this gateway is its own authorisation.")
    rettighetspakke: KsRettighetspakke
    privilegium: str = Field(
        description="This gateway's name for the role's privilege: folkeregister:rolle:<id>."
    )
    tjenesteOmrade: TjenesteomradeBeskrivelse
    bruksomrader: list[KsBruksomrade]
    dataminimering: DataminimeringUt
    aktiv: bool
    tagger: list[NavnUt]
    antallPersoner: int
    antallIntegrasjoner: int
    datoOpprettet: str
    gyldighet: RolleGyldighet


class Dataminimering(BaseModel):
    deler: list[Del]
    felt: list[Felt]


class RollePersonSokDefinisjon(BaseModel):
    id: UUID
    navn: str
    beskrivelse: str
    fiksOrgId: UUID
    fiksOrgNavn: str
    kommunenr: str | None
    rettighetspakke: KsRettighetspakke
    tjenesteOmrade: KsTjenesteomrade
    bruksomrader: list[KsBruksomrade]
    dataminimering: Dataminimering
    datoOpprettet: str
    gyldighet: RolleGyldighet


class FolkeregisterKonfigurasjonDefinisjon(BaseModel):
    kontakteposter: list[str] = Field(min_length=1)


_BRUKSOMRADE_TO_KS: dict[Bruksomraade, str] = {
    Bruksomraade.SOK_ETTER_PERSON: "OPPSLAG",
    Bruksomraade.HENDELSESLISTE: "HENDELSESLISTE",
    Bruksomraade.UTTREKK: "UTTREKK",
}
_BRUKSOMRADE_FROM_KS = {ks: ours.value for ours, ks in _BRUKSOMRADE_TO_KS.items()}


def _pakke_to_ks(value: str) -> KsRettighetspakke:
    return "OFFENTLIG_MED_HJEMMEL" if value == "offentlig-med-hjemmel" else "OFFENTLIG_UTEN_HJEMMEL"


def _pakke_from_ks(value: str) -> str:
    return value.lower().replace("_", "-")


def _gyldighet_ut(values: frozenset[str]) -> RolleGyldighet:
    return RolleGyldighet(**{name: name in values for name in GYLDIGHETER})


def _gyldighet_in(value: RolleGyldighetInput | None) -> list[str] | None:
    if value is None:
        return None
    return [name for name in GYLDIGHETER if getattr(value, name)]


def _deler_in(value: DataminimeringInput) -> list[str]:
    """KS names parts (`deler`) and single fields (`felt`); the role keeps them as named, in that order."""
    return [d.navn for d in value.deler] + [f.navn for f in value.felt]


_PART_NAMES = frozenset(part.navn for part in parts_catalogue()) | {HISTORIKK}


def _split(stored: StoredRole) -> tuple[list[str], list[str]]:
    """The role's named parts as KS splits them: catalogue parts (and `historikk`), and single fields."""
    deler = [name for name in stored.deler if name in _PART_NAMES]
    felt = [name for name in stored.deler if name not in _PART_NAMES]
    return deler, felt


def _area(omrade: TjenesteOmrade) -> TjenesteomradeBeskrivelse:
    area = tjenesteomrade(omrade)
    return TjenesteomradeBeskrivelse(
        navn=area.omrade.value,
        beskrivelse=area.beskrivelse,
        kanHenteTaushetsbelagtInfo=area.kan_hente_taushetsbelagt_info,
        gyldig=True,
    )


def _dato(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _rolle(stored: StoredRole, organisation: Organisasjon) -> RolleDefinisjon:
    role = stored.rolle
    deler, felt = _split(stored)
    assert organisation.fiks_org_id is not None
    return RolleDefinisjon(
        id=role.id,
        navn=role.navn,
        beskrivelse=role.beskrivelse,
        fiksOrgId=organisation.fiks_org_id,
        autorisasjonRolleId=role.id,
        rettighetspakke=_pakke_to_ks(role.rettighetspakke.value),
        privilegium=f"folkeregister:rolle:{role.id}",
        tjenesteOmrade=_area(stored.tjeneste_omrade),
        bruksomrader=sorted(_BRUKSOMRADE_TO_KS[b] for b in role.bruksomraader),
        dataminimering=DataminimeringUt(
            deler=[NavnUt(navn=name) for name in deler], felt=[NavnUt(navn=name) for name in felt]
        ),
        aktiv=role.aktiv,
        tagger=[NavnUt(navn=tag) for tag in stored.tagger],
        antallPersoner=stored.antall_personer,
        antallIntegrasjoner=stored.antall_integrasjoner,
        datoOpprettet=_dato(stored.opprettet),
        gyldighet=_gyldighet_ut(role.gyldighet),
    )


def _search_role(stored: StoredRole, organisation: Organisasjon) -> RollePersonSokDefinisjon:
    role = stored.rolle
    deler, felt = _split(stored)
    catalogue = {part.navn: part for part in _deler().deler}
    assert organisation.fiks_org_id is not None
    return RollePersonSokDefinisjon(
        id=role.id,
        navn=role.navn,
        beskrivelse=role.beskrivelse,
        fiksOrgId=organisation.fiks_org_id,
        fiksOrgNavn=organisation.navn,
        kommunenr=organisation.kommunenummer,
        rettighetspakke=_pakke_to_ks(role.rettighetspakke.value),
        tjenesteOmrade=stored.tjeneste_omrade.value,
        bruksomrader=sorted(_BRUKSOMRADE_TO_KS[b] for b in role.bruksomraader),
        dataminimering=Dataminimering(
            deler=[catalogue[name] for name in deler if name in catalogue],
            felt=[_felt(name) for name in felt],
        ),
        datoOpprettet=_dato(stored.opprettet),
        gyldighet=_gyldighet_ut(role.gyldighet),
    )


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


def _organisation(service: AdminService, principal: Principal, fiks_org_id: UUID) -> Organisasjon:
    """The organisation behind a `fiksOrgId` this actor sees (another organisation's: 404, as none)."""
    orgnr = service.orgnr_of(fiks_org_id)
    if orgnr is None or not principal.actor.sees(orgnr):
        raise not_found(
            "ORGANISASJON_FINNES_IKKE", f"No organisation {fiks_org_id}", fiksOrgId=str(fiks_org_id)
        )
    return service.get_organisation(principal.actor, orgnr)


def _omrade(value: str) -> TjenesteOmrade:
    try:
        return TjenesteOmrade(value)
    except ValueError:
        known = ", ".join(TjenesteOmrade)
        raise AdminError(
            404, "UKJENT_TJENESTEOMRADE", f"Unknown service area {value!r}; known: {known}"
        ) from None


#: Reads the organisation of a person's own role for `GET /roller` (the person sees their own grants there).
_ORGANISATION_READER = Actor(navn="konfigurasjon:roller", kind=ActorKind.CONSOLE)


# -- routes ------------------------------------------------------------------------------------------

FiksOrgId = Annotated[UUID, Path(alias="fiksOrgId")]
RolleId = Annotated[UUID, Path(alias="rolleId")]


def build_konfigurasjon_router(service: AdminService, login: SessionLogin | None = None) -> APIRouter:
    """The Konfigurasjon API's routes, without prefix: mount with `prefix=gateway.router.KONFIGURASJON_PREFIX`. With
    `login`, a logged-in administrator's session authenticates too (admin/innlogging.py)."""
    authenticated = principal_dependency(service, login)
    Who = Annotated[Principal, Depends(authenticated)]
    router = APIRouter(
        route_class=AdminRoute,
        tags=["folkeregister-konfigurasjon"],
        responses=ERRORS,
        dependencies=[Depends(authenticated)],
    )

    @router.post(
        "/verifiser",
        operation_id="verifiserKonfigurasjonV1",
        summary="The organisation's set-up check: OK, IKKE_UTFORT or FEILET per subsystem.",
    )
    def verifiser(body: SjekkRequest, who: Who) -> StatusResponse:
        orgnr = _organisation(service, who, body.fiksOrgId).orgnr
        subsystems = [
            SubsystemVerifisering(
                navn=sub.navn,
                verifikasjonBeskrivelse=sub.verifikasjon_beskrivelse,
                verifisering=Verifisering(
                    status=sub.status.value, beskrivelse=sub.beskrivelse, suksess=sub.status == "OK"
                ),
            )
            for sub in verify(service, who.actor, orgnr, body.rolleId)
        ]
        # altOk: no subsystem failed (a check not performed is not a failure; its status says so)
        failed = any(s.verifisering.status == "FEILET" for s in subsystems)
        return StatusResponse(subsystem=subsystems, altOk=not failed)

    # -- roles of an organisation

    @router.get(
        "/{fiksOrgId}/roller", operation_id="hentRollerForOrganisasjonV1", summary="The organisation's roles."
    )
    def list_roles(fiks_org_id: FiksOrgId, who: Who) -> list[RolleDefinisjon]:
        organisation = _organisation(service, who, fiks_org_id)
        return [_rolle(stored, organisation) for stored in service.list_roles(who.actor, organisation.orgnr)]

    @router.post(
        "/{fiksOrgId}/roller",
        operation_id="opprettRolleV1",
        summary="Create a role (active). 200 with the role, as KS's document says.",
    )
    def create_role(fiks_org_id: FiksOrgId, body: OpprettRolleDefinisjonV1, who: Who) -> RolleDefinisjon:
        organisation = _organisation(service, who, fiks_org_id)
        omrade = TjenesteOmrade(body.tjenesteOmrade)
        pakke = body.rettighetspakke or (
            "OFFENTLIG_MED_HJEMMEL"
            if tjenesteomrade(omrade).kan_hente_taushetsbelagt_info
            else "OFFENTLIG_UTEN_HJEMMEL"
        )
        stored = service.create_role(
            who.actor,
            organisation.orgnr,
            body.navn,
            _pakke_from_ks(pakke),
            [_BRUKSOMRADE_FROM_KS[b] for b in body.bruksomrader],
            _deler_in(body.dataminimering),
            body.beskrivelse,
            _gyldighet_in(body.gyldighet),
            tjeneste_omrade=omrade.value,
            lovhjemmel=body.lovhjemmel,
            tagger=[tag.navn for tag in body.tagger],
        )
        return _rolle(stored, organisation)

    @router.get("/{fiksOrgId}/roller/{rolleId}", operation_id="hentRolleV1", summary="One role.")
    def get_role(fiks_org_id: FiksOrgId, rolle_id: RolleId, who: Who) -> RolleDefinisjon:
        organisation = _organisation(service, who, fiks_org_id)
        return _rolle(service.get_role(who.actor, rolle_id, organisation.orgnr), organisation)

    @router.put(
        "/{fiksOrgId}/roller/{rolleId}",
        operation_id="oppdaterRolleV1",
        summary="Change a role's name, description and data minimisation (what is left out is kept).",
    )
    def update_role(
        fiks_org_id: FiksOrgId, rolle_id: RolleId, body: OppdaterRolleDefinisjonV1, who: Who
    ) -> RolleDefinisjon:
        organisation = _organisation(service, who, fiks_org_id)
        stored = service.update_role(
            who.actor,
            rolle_id,
            orgnr=organisation.orgnr,
            navn=body.navn,
            beskrivelse=body.beskrivelse,
            deler=_deler_in(body.dataminimering) if body.dataminimering is not None else None,
            gyldighet=_gyldighet_in(body.gyldighet),
            lovhjemmel=body.lovhjemmel,
        )
        return _rolle(stored, organisation)

    @router.delete(
        "/{fiksOrgId}/roller/{rolleId}",
        operation_id="slettRolleV1",
        status_code=204,
        summary="Delete a role no integration or person holds (409 ROLLE_I_BRUK otherwise).",
    )
    def delete_role(fiks_org_id: FiksOrgId, rolle_id: RolleId, who: Who) -> Response:
        organisation = _organisation(service, who, fiks_org_id)
        service.delete_role(who.actor, rolle_id, organisation.orgnr)
        return Response(status_code=204)

    @router.put(
        "/{fiksOrgId}/roller/{rolleId}/aktiver",
        operation_id="aktiverRolleV1",
        summary="Activate the role: its active grants work again.",
    )
    def activate_role(fiks_org_id: FiksOrgId, rolle_id: RolleId, who: Who) -> RolleDefinisjon:
        organisation = _organisation(service, who, fiks_org_id)
        return _rolle(service.activate_role(who.actor, rolle_id, organisation.orgnr), organisation)

    @router.put(
        "/{fiksOrgId}/roller/{rolleId}/deaktiver",
        operation_id="deaktiverRolleV1",
        summary="Deactivate the role: from the next request on it authorises nothing; grants and logs stay.",
    )
    def deactivate_role(fiks_org_id: FiksOrgId, rolle_id: RolleId, who: Who) -> RolleDefinisjon:
        organisation = _organisation(service, who, fiks_org_id)
        return _rolle(service.deactivate_role(who.actor, rolle_id, organisation.orgnr), organisation)

    @router.delete(
        "/{fiksOrgId}/roller/{rolleId}/tagger/{tagg}",
        operation_id="fjernTaggV1",
        summary="Remove a tag from the role (400 UKJENT_TAGG when it has no such tag).",
    )
    def remove_tag(fiks_org_id: FiksOrgId, rolle_id: RolleId, tagg: str, who: Who) -> RolleDefinisjon:
        organisation = _organisation(service, who, fiks_org_id)
        return _rolle(service.remove_tag(who.actor, rolle_id, tagg, organisation.orgnr), organisation)

    @router.get(
        "/{fiksOrgId}/roller/{rolleId}/tilganger",
        operation_id="hentAlleTilgangerV1",
        summary="Who holds the role now: integrations (integrasjonId) and person users (brukerId).",
    )
    def tilganger(fiks_org_id: FiksOrgId, rolle_id: RolleId, who: Who) -> TilgangListe:
        orgnr = _organisation(service, who, fiks_org_id).orgnr
        service.get_role(who.actor, rolle_id, orgnr)
        grants = [grant for grant in service.list_grants(who.actor, orgnr) if grant.rolle_id == rolle_id]
        return TilgangListe(
            integrasjoner=[g.integrasjon_id for g in grants if g.integrasjon_id is not None],
            personer=[str(g.bruker_id) for g in grants if g.bruker_id is not None],
        )

    @router.get(
        "/roller",
        operation_id="hentRollerForAktorV1",
        response_model_exclude_none=True,  # an organisation without kommunenr leaves it out (KS: a string)
        summary="The roles the logged-in person may search with (a session; an API key is no person: 404).",
    )
    def search_roles(who: Who) -> list[RollePersonSokDefinisjon]:
        if who.foedselsnummer is None:
            raise AdminError(
                404,
                "INGEN_INNLOGGET_PERSON",
                "An API key is no person: GET /roller answers for a logged-in person's session",
            )
        found = []
        organisations: dict[str, Organisasjon] = {}
        for stored in service.person_search_roles(who.foedselsnummer):
            orgnr = stored.rolle.orgnr
            if orgnr not in organisations:
                organisations[orgnr] = service.get_organisation(_ORGANISATION_READER, orgnr)
            found.append(_search_role(stored, organisations[orgnr]))
        return found

    # -- catalogues

    @router.get("/tjenesteomrader", operation_id="hentOmraderV1", summary="Every service area.")
    def tjenesteomrader() -> TjenesteomradeListe:
        return TjenesteomradeListe(omrader=[_area(area.omrade) for area in TJENESTEOMRADER])

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
                for lov in service.list_lovhjemler()
            ]
        )

    @router.get(
        "/lovhjemler/{omrade}",
        operation_id="hentLovhjemlerForOmradeV1",
        summary="The legal bases of one service area (their texts).",
    )
    def lovhjemler_for_omrade(omrade: str) -> list[str]:
        return [lov.beskrivelse for lov in service.list_lovhjemler(_omrade(omrade).value)]

    # -- the organisation's configuration (last: `/{fiksOrgId}` would catch the catalogues' paths)

    @router.get(
        "/{fiksOrgId}", operation_id="hentKonfigurasjonV1", summary="The organisation's configuration."
    )
    def get_configuration(fiks_org_id: FiksOrgId, who: Who) -> FolkeregisterKonfigurasjonDefinisjon:
        orgnr = _organisation(service, who, fiks_org_id).orgnr
        return FolkeregisterKonfigurasjonDefinisjon(
            kontakteposter=service.get_configuration(who.actor, orgnr)
        )

    @router.post(
        "/{fiksOrgId}",
        operation_id="opprettKonfigurasjonV1",
        summary="Create the organisation's configuration (409 KONFIGURASJON_FINNES when it has one).",
    )
    def create_configuration(
        fiks_org_id: FiksOrgId, body: FolkeregisterKonfigurasjonDefinisjon, who: Who
    ) -> FolkeregisterKonfigurasjonDefinisjon:
        orgnr = _organisation(service, who, fiks_org_id).orgnr
        made = service.create_configuration(who.actor, orgnr, body.kontakteposter)
        return FolkeregisterKonfigurasjonDefinisjon(kontakteposter=made)

    @router.put(
        "/{fiksOrgId}",
        operation_id="oppdaterKonfigurasjonV1",
        summary="Change the organisation's configuration (404 KONFIGURASJON_FINNES_IKKE before it has one).",
    )
    def update_configuration(
        fiks_org_id: FiksOrgId, body: FolkeregisterKonfigurasjonDefinisjon, who: Who
    ) -> FolkeregisterKonfigurasjonDefinisjon:
        orgnr = _organisation(service, who, fiks_org_id).orgnr
        changed = service.update_configuration(who.actor, orgnr, body.kontakteposter)
        return FolkeregisterKonfigurasjonDefinisjon(kontakteposter=changed)

    return router
