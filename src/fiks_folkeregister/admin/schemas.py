"""One schema family per admin record: what a request may send (`Ny…`, `…Endring`) and what is shown (`…Ut`).

The `…Ut` schemas are the one JSON form of each record: the admin API answers with them, the command
line's `--json` prints them, and the change log keeps them as a change's before and after. None holds a
password, hash or API key; the answers that show a new secret once extend them (`…PassordUt`, `…Svar`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from fiks_folkeregister.domain.informasjonselementer import HISTORIKK

if TYPE_CHECKING:
    from fiks_folkeregister.admin.administrators import Administrator
    from fiks_folkeregister.admin.grants import Tildeling
    from fiks_folkeregister.admin.integrations import Integrasjon
    from fiks_folkeregister.admin.logs import Endring
    from fiks_folkeregister.admin.lovhjemler import Katalogoppfoering
    from fiks_folkeregister.admin.organisations import Organisasjon
    from fiks_folkeregister.admin.roles import StoredRole
    from fiks_folkeregister.admin.users import Bruker
    from fiks_folkeregister.audit.log import AuditRecord
    from fiks_folkeregister.domain.tjenesteomrade import Lovhjemmel


class Schema(BaseModel):
    """camelCase in JSON, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON values with the API's field names."""
        return self.model_dump(mode="json", by_alias=True)


class RequestSchema(Schema):
    """A request body: unknown fields are refused, so a misspelt field is never silently ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# -- organisations ---------------------------------------------------------------------------------


class OrganisasjonBase(Schema):
    orgnr: str = Field(
        description="Organisation number: 9 digits, the last a mod 11 check digit.", examples=["921234562"]
    )
    navn: str = Field(examples=["Eksempel kommune"])
    kommunenummer: str | None = Field(default=None, description="4 digits.", examples=["0301"])
    fylkesnummer: str | None = Field(default=None, description="2 digits; default from kommunenummer.")


class NyOrganisasjon(OrganisasjonBase, RequestSchema):
    pass


class Forespoerselsgrense(RequestSchema):
    forespoersler_per_minutt: int | None = Field(
        description="Requests a minute per integration of the organisation; null: the gateway's default.",
        examples=[6000],
    )


class OrganisasjonUt(OrganisasjonBase):
    opprettet: datetime
    fiks_org_id: UUID | None = Field(
        description="The organisation's id in Fiks (the deprecated Oppvekst path names it)."
    )
    forespoersler_per_minutt: int | None = Field(
        default=None,
        description="Requests a minute allowed per integration of the organisation; null: the gateway's "
        "default (FIKSREG_REQUESTS_PER_INTEGRATION, 60 000 unless changed).",
    )

    @classmethod
    def of(cls, org: Organisasjon) -> Self:
        return cls(
            orgnr=org.orgnr,
            navn=org.navn,
            kommunenummer=org.kommunenummer,
            fylkesnummer=org.fylkesnummer,
            opprettet=org.opprettet,
            fiks_org_id=org.fiks_org_id,
            forespoersler_per_minutt=org.forespoersler_per_minutt,
        )


# -- roles -----------------------------------------------------------------------------------------

_ELEMENTER_DESCRIPTION = (
    "Information elements of Folkeregisterperson and aliases (person-basis, identitetsgrunnlag-utvidet, "
    "relasjon-utvidet); stored expanded."
)


_TJENESTEOMRADE_DESCRIPTION = (
    "The service area the role serves: BARNEVERN, HELSE, GRAVFERDSMYNDIGHET, OMSORG, OPPVEKST, BARNEHAGE, "
    "SKATTEOPPKREVER, SOSIAL, TEKNISK, STOTTE, INNBYGGERTJENESTER or NAERINGSLIV."
)
_LOVHJEMMEL_DESCRIPTION = (
    "The text (beskrivelse) of a legal basis the catalogue holds for the role's service area "
    "(GET /admin/api/v1/lovhjemler?omrade=…)."
)
_TAGGER_DESCRIPTION = "Tags: 2 to 100 letters, digits and punctuation, spaces only inside."


_GYLDIGHET_DESCRIPTION = (
    "Where the role may be used: api (the machine API), soekWeb (the search portal), uttrekkWeb, asynkron."
)


class NyRolle(RequestSchema):
    navn: str
    beskrivelse: str = ""
    rettighetspakke: str = Field(
        description="offentlig-med-hjemmel or offentlig-uten-hjemmel", examples=["offentlig-med-hjemmel"]
    )
    bruksomraader: list[str] = Field(
        description="sok-etter-person, hendelsesliste, uttrekk", examples=[["sok-etter-person"]]
    )
    elementer: list[str] = Field(description=_ELEMENTER_DESCRIPTION, examples=[["person-basis"]])
    historikk: bool = Field(default=False, description="Whether historic entries may be fetched.")
    gyldighet: list[str] | None = Field(
        default=None, description=_GYLDIGHET_DESCRIPTION + " Default: api.", examples=[["api", "soekWeb"]]
    )
    tjeneste_omrade: str | None = Field(
        default=None, description=_TJENESTEOMRADE_DESCRIPTION + " Default: STOTTE.", examples=["BARNEVERN"]
    )
    lovhjemmel: str | None = Field(
        default=None,
        description=_LOVHJEMMEL_DESCRIPTION + " Default: none.",
        examples=["Barnevernsloven § 13-4"],
    )
    tagger: list[str] = Field(default_factory=list, description=_TAGGER_DESCRIPTION, examples=[["skole"]])


class RolleEndring(RequestSchema):
    navn: str | None = None
    beskrivelse: str | None = None
    rettighetspakke: str | None = None
    bruksomraader: list[str] | None = None
    elementer: list[str] | None = Field(default=None, description=_ELEMENTER_DESCRIPTION)
    historikk: bool | None = None
    gyldighet: list[str] | None = Field(default=None, description=_GYLDIGHET_DESCRIPTION)
    tjeneste_omrade: str | None = Field(default=None, description=_TJENESTEOMRADE_DESCRIPTION)
    lovhjemmel: str | None = Field(default=None, description=_LOVHJEMMEL_DESCRIPTION + ' "": remove it.')
    tagger: list[str] | None = Field(default=None, description=_TAGGER_DESCRIPTION + " Replaces the tags.")


class NyLovhjemmel(RequestSchema):
    beskrivelse: str = Field(
        description="The legal basis's text, unique in the catalogue.", examples=["Gravferdsloven § 9"]
    )
    omrader: list[str] = Field(
        description="The service areas it serves (at least one).", examples=[["GRAVFERDSMYNDIGHET"]]
    )
    urler: list[str] = Field(default_factory=list, description="Links to the law (http or https).")


class LovhjemmelEndring(RequestSchema):
    beskrivelse: str | None = None
    omrader: list[str] | None = None
    urler: list[str] | None = None


class LovhjemmelUt(Schema):
    """A legal basis: its text, the service areas it serves and links to the law (KS's `Lovhjemmel`)."""

    beskrivelse: str
    omrader: list[str]
    urler: list[str]

    @classmethod
    def of(cls, lov: Lovhjemmel) -> Self:
        return cls(beskrivelse=lov.beskrivelse, omrader=[a.value for a in lov.omrader], urler=list(lov.urler))


class RolleUt(Schema):
    rolle_id: UUID
    orgnr: str
    navn: str
    beskrivelse: str
    rettighetspakke: str
    bruksomraader: list[str]
    gyldighet: list[str] = Field(description=_GYLDIGHET_DESCRIPTION)
    elementer: list[str] = Field(description="The elements the role may fetch (aliases expanded).")
    deler: list[str] = Field(description="The elements and aliases as the administrator named them.")
    historikk: bool
    tjeneste_omrade: str = Field(description=_TJENESTEOMRADE_DESCRIPTION)
    lovhjemmel: LovhjemmelUt | None = Field(description="The role's legal basis (null: none chosen).")
    aktiv: bool = Field(description="False: deactivated, the role authorises nothing until activated again.")
    tagger: list[str]
    antall_personer: int = Field(description="Active person users holding the role by an active grant.")
    antall_integrasjoner: int = Field(description="Integrations holding the role by an active grant.")
    opprettet: datetime
    endret: datetime

    @classmethod
    def of(cls, stored: StoredRole) -> Self:
        role = stored.rolle
        return cls(
            rolle_id=role.id,
            orgnr=role.orgnr,
            navn=role.navn,
            beskrivelse=role.beskrivelse,
            rettighetspakke=role.rettighetspakke.value,
            bruksomraader=sorted(b.value for b in role.bruksomraader),
            gyldighet=sorted(role.gyldighet),
            elementer=sorted(role.elementer),
            deler=[part for part in stored.deler if part != HISTORIKK],
            historikk=role.historikk,
            tjeneste_omrade=stored.tjeneste_omrade.value,
            lovhjemmel=LovhjemmelUt.of(stored.lovhjemmel) if stored.lovhjemmel is not None else None,
            aktiv=role.aktiv,
            tagger=list(stored.tagger),
            antall_personer=stored.antall_personer,
            antall_integrasjoner=stored.antall_integrasjoner,
            opprettet=stored.opprettet,
            endret=stored.endret,
        )


class KatalogLovhjemmelUt(LovhjemmelUt):
    """An entry of the catalogue of legal bases, with the id that changes or removes it."""

    lovhjemmel_id: int

    @classmethod
    def of_entry(cls, entry: Katalogoppfoering) -> Self:
        lov = entry.lovhjemmel
        return cls(
            lovhjemmel_id=entry.id,
            beskrivelse=lov.beskrivelse,
            omrader=[a.value for a in lov.omrader],
            urler=list(lov.urler),
        )


# -- integrations ----------------------------------------------------------------------------------


class NyIntegrasjon(RequestSchema):
    navn: str
    beskrivelse: str = ""
    autorisert_orgnr: str | None = Field(
        default=None, description="Organisation number allowed to operate it (a vendor); default the owner."
    )


class IntegrasjonUt(Schema):
    integrasjon_id: UUID
    orgnr: str
    navn: str
    beskrivelse: str
    autorisert_orgnr: str
    passord_endret: datetime
    opprettet: datetime

    @classmethod
    def of(cls, integration: Integrasjon) -> Self:
        return cls(
            integrasjon_id=integration.id,
            orgnr=integration.orgnr,
            navn=integration.navn,
            beskrivelse=integration.beskrivelse,
            autorisert_orgnr=integration.autorisert_orgnr,
            passord_endret=integration.passord_endret,
            opprettet=integration.opprettet,
        )


class IntegrasjonPassordUt(Schema):
    """Shown once: store the password now, it cannot be read again."""

    integrasjon_id: UUID
    integrasjon_passord: str
    autorisert_orgnr: str


# -- grants ----------------------------------------------------------------------------------------


class TildelingUt(Schema):
    """A grant of a role to an integration or to a person user (exactly one of the two ids is set)."""

    integrasjon_id: UUID | None
    bruker_id: UUID | None = Field(description="The person user holding the role (a person grant).")
    rolle_id: UUID
    orgnr: str
    opprettet: datetime
    opprettet_av: str
    tilbakekalt: datetime | None
    tilbakekalt_av: str | None

    @classmethod
    def of(cls, grant: Tildeling) -> Self:
        return cls(
            integrasjon_id=grant.integrasjon_id,
            bruker_id=grant.bruker_id,
            rolle_id=grant.rolle_id,
            orgnr=grant.orgnr,
            opprettet=grant.opprettet,
            opprettet_av=grant.opprettet_av,
            tilbakekalt=grant.tilbakekalt,
            tilbakekalt_av=grant.tilbakekalt_av,
        )


# -- person users ----------------------------------------------------------------------------------


class NyBruker(RequestSchema):
    foedselsnummer: str = Field(
        description="The person's fødselsnummer or d-nummer (11 digits), as ID-porten identifies them.",
        examples=["06076301709"],
    )
    navn: str = Field(description="The display name.", examples=["Kari Saksbehandler"])


class BrukerUt(Schema):
    bruker_id: UUID
    orgnr: str
    foedselsnummer: str
    navn: str
    aktiv: bool
    opprettet: datetime

    @classmethod
    def of(cls, user: Bruker) -> Self:
        return cls(
            bruker_id=user.id,
            orgnr=user.orgnr,
            foedselsnummer=user.foedselsnummer,
            navn=user.navn,
            aktiv=user.aktiv,
            opprettet=user.opprettet,
        )


# -- administrators --------------------------------------------------------------------------------


class NyAdministrator(RequestSchema):
    navn: str
    orgnr: str | None = Field(
        default=None, description="The organisation administered; null: a platform operator."
    )


class AdministratorUt(Schema):
    administrator_id: UUID
    navn: str
    orgnr: str | None
    opprettet: datetime
    deaktivert: datetime | None
    foedselsnummer: str | None = Field(
        default=None, description="A person administrator's identity number (logs in through ID-porten)."
    )

    @classmethod
    def of(cls, admin: Administrator) -> Self:
        return cls(
            administrator_id=admin.id,
            navn=admin.navn,
            orgnr=admin.orgnr,
            opprettet=admin.opprettet,
            deaktivert=admin.deaktivert,
            foedselsnummer=admin.foedselsnummer,
        )


class NyAdministratorSvar(AdministratorUt):
    """Shown once: the API key cannot be read again."""

    api_noekkel: str


# -- logs ------------------------------------------------------------------------------------------


class EndringUt(Schema):
    tidspunkt: datetime
    utfoert_av: str
    orgnr: str | None
    handling: str
    objekttype: str
    objekt_id: str
    foer: dict[str, Any] | None
    etter: dict[str, Any] | None

    @classmethod
    def of(cls, change: Endring) -> Self:
        return cls(
            tidspunkt=change.tidspunkt,
            utfoert_av=change.utfoert_av,
            orgnr=change.orgnr,
            handling=change.handling,
            objekttype=change.objekttype,
            objekt_id=change.objekt_id,
            foer=change.foer,
            etter=change.etter,
        )


class OppslagUt(Schema):
    tidspunkt: datetime
    request_id: str
    orgnr: str | None
    rolle_id: UUID | None
    integrasjon_id: UUID | None
    klient_orgnr: str | None
    ressurs: str
    parametre: dict[str, Any]
    personer: list[str]
    utfall: str
    status: int
    feilkode: str | None

    @classmethod
    def of(cls, record: AuditRecord) -> Self:
        return cls(
            tidspunkt=record.tidspunkt,
            request_id=record.request_id,
            orgnr=record.orgnr,
            rolle_id=record.rolle_id,
            integrasjon_id=record.integrasjon_id,
            klient_orgnr=record.klient_orgnr,
            ressurs=record.ressurs,
            parametre=dict(record.parametre),
            personer=list(record.personer),
            utfall=record.utfall,
            status=record.status,
            feilkode=record.feilkode,
        )
