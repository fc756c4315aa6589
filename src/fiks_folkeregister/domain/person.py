"""The register's person document (Folkeregisterperson) and its lookup envelopes, as typed pydantic models.

Hand-written from `freg-openapi-offentlig-med-hjemmel-v1.5.yaml`: class names are the spec's schema titles,
field names and enum values are exactly the spec's, so the JSON we produce is the JSON the register produces.
Models forbid unknown fields (a misspelt element in our own data is an error, not silently dropped).
Date-times must carry an offset (RFC 3339, as the spec's `date-time` format demands) and serialise back to
the register's form: `Z` for UTC and a fraction only when there is one (milliseconds, or microseconds when
needed), e.g. "2020-05-01T10:00:00Z" and "2020-05-01T10:00:00.123Z".
"""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer, Strict

__all__ = [
    "PERSON_ELEMENTS",
    "SINGLE_VALUED_ELEMENTS",
    "AdresseIFrittFormat",
    "Adressegradering",
    "Adressenummer",
    "Adressetype",
    "AdvokatSomKontakt",
    "ArkivDokumentBulkoppslagRequest",
    "Bibehold",
    "BibeholdAvNorskStatsborgerskap",
    "Bostedsadresse",
    "Bruksenhetstype",
    "DeltBosted",
    "Doedsfall",
    "FalskIdentitet",
    "Familierelasjon",
    "Familierelasjontype",
    "Feilmelding",
    "Foedsel",
    "FoedselINorge",
    "FolkeregisterFeilmelding",
    "Folkeregisteridentifikator",
    "Folkeregisteridentifikatortype",
    "Folkeregisterperson",
    "Folkeregisterpersonnavn",
    "Folkeregisterpersonstatus",
    "Foreldreansvar",
    "Foreldreansvarstype",
    "ForholdTilSametingetsValgmanntall",
    "GraderingAvAdresse",
    "Identifikasjonsdokument",
    "Identifikatorstatuskode",
    "IdentifiserendeInformasjon",
    "Identitetsgrunnlag",
    "Identitetsgrunnlagstatus",
    "InnflyttingTilNorge",
    "InternasjonalAdresse",
    "InternasjonalAdresseIFrittFormat",
    "Kjoenn",
    "Kontaktadresse",
    "KontaktadresseForDoedsbo",
    "KontaktadresseIUtlandet",
    "KontaktinformasjonForDoedsbo",
    "Matrikkeladresse",
    "Matrikkelnummer",
    "Opphold",
    "OppholdAnnetSted",
    "OppholdPaaSvalbard",
    "Oppholdsadresse",
    "Oppholdstillatelsetype",
    "OppholdsvarighetType",
    "Oppslag",
    "OrganisasjonSomKontakt",
    "PersonBulkoppslagRequest",
    "PersonBulkoppslagResponse",
    "PersonSomKontakt",
    "Personidentifikasjon",
    "Personkjoenn",
    "Personnavn",
    "PersonsoekResponse",
    "Personstatus",
    "PostadresseIFrittFormat",
    "Postboksadresse",
    "Poststed",
    "PreferertKontaktadresse",
    "RegisterModel",
    "RegistermetadataModel",
    "RelatertBiPerson",
    "SametingetsValgmanntall",
    "SamiskSpraak",
    "SamiskSpraakType",
    "Sivilstand",
    "Sivilstandstype",
    "Skifteform",
    "Statsborgerskap",
    "TekniskDokumentkontroll",
    "UkjentBosted",
    "UtflyttingFraNorge",
    "Vegadresse",
    "VegadresseForPost",
    "VergeRepresentantEllerFullmektig",
    "VergemaalRepresentasjonEllerFremtidsfullmakt",
    "Vergemaalsomfang",
    "Vergemaaltype",
    "dump_model",
    "dump_person",
    "parse_person",
]


def _format_tidspunkt(value: datetime.datetime) -> str:
    """ISO 8601 the way the register writes it: `Z` for UTC, fraction in ms (or µs) only when non-zero."""
    if value.microsecond == 0:
        timespec = "seconds"
    elif value.microsecond % 1000 == 0:
        timespec = "milliseconds"
    else:
        timespec = "microseconds"
    text = value.isoformat(timespec=timespec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# Spec `string`/`date-time`: an aware datetime (RFC 3339 requires the offset).
Tidspunkt = Annotated[AwareDatetime, PlainSerializer(_format_tidspunkt, return_type=str, when_used="json")]
# Spec `integer` (int32/int64): a real int, never a numeric string or a float.
Heltall = Annotated[int, Strict()]
# Spec `boolean`: a real bool, never "true" or 1.
Sannhetsverdi = Annotated[bool, Strict()]


# ---------------------------------------------------------------------------------------------------------
# Enumerations (class names are the spec's enum titles)
# ---------------------------------------------------------------------------------------------------------


class Adressegradering(enum.StrEnum):
    ugradert = "ugradert"
    klientadresse = "klientadresse"
    fortrolig = "fortrolig"
    strengtFortrolig = "strengtFortrolig"


class Adressetype(enum.StrEnum):
    bostedsadresse = "bostedsadresse"
    oppholdsadresse = "oppholdsadresse"
    postadresse = "postadresse"
    postadresseIUtlandet = "postadresseIUtlandet"


class Bibehold(enum.StrEnum):
    harBibehold = "harBibehold"
    harIkkeLengerBibehold = "harIkkeLengerBibehold"
    norskStatsborgerTrengerIkkeBibehold = "norskStatsborgerTrengerIkkeBibehold"


class Bruksenhetstype(enum.StrEnum):
    bolig = "bolig"
    annetEnnBolig = "annetEnnBolig"
    fritidsbolig = "fritidsbolig"
    ikkeGodkjentBolig = "ikkeGodkjentBolig"
    unummerertBruksenhet = "unummerertBruksenhet"


class Familierelasjontype(enum.StrEnum):
    mor = "mor"
    far = "far"
    medmor = "medmor"
    barn = "barn"
    soesken = "soesken"
    ektefelleEllerPartner = "ektefelleEllerPartner"
    doedfoedtBarn = "doedfoedtBarn"


class Folkeregisteridentifikatortype(enum.StrEnum):
    foedselsnummer = "foedselsnummer"
    dNummer = "dNummer"


class Foreldreansvarstype(enum.StrEnum):
    felles = "felles"
    mor = "mor"
    far = "far"
    medmor = "medmor"
    andre = "andre"
    ukjent = "ukjent"


class ForholdTilSametingetsValgmanntall(enum.StrEnum):
    innmeldt = "innmeldt"
    utmeldt = "utmeldt"
    aldriInnmeldt = "aldriInnmeldt"


class Identifikatorstatuskode(enum.StrEnum):
    iBruk = "iBruk"
    opphoert = "opphoert"


class Identitetsgrunnlagstatus(enum.StrEnum):
    ingenStatus = "ingenStatus"
    ikkeKontrollert = "ikkeKontrollert"
    kontrollert = "kontrollert"


class Kjoenn(enum.StrEnum):
    kvinne = "kvinne"
    mann = "mann"


class OppholdAnnetSted(enum.StrEnum):
    militaer = "militaer"
    utenriks = "utenriks"
    paaSvalbard = "paaSvalbard"
    pendler = "pendler"


class Oppholdstillatelsetype(enum.StrEnum):
    midlertidig = "midlertidig"
    permanent = "permanent"
    opplysningMangler = "opplysningMangler"


class OppholdsvarighetType(enum.StrEnum):
    underSeksMaaneder = "underSeksMaaneder"
    overSeksMaaneder = "overSeksMaaneder"
    overTolvMaaneder = "overTolvMaaneder"
    ukjent = "ukjent"


class Personstatus(enum.StrEnum):
    bosatt = "bosatt"
    utflyttet = "utflyttet"
    forsvunnet = "forsvunnet"
    doed = "doed"
    opphoert = "opphoert"
    foedselsregistrert = "foedselsregistrert"
    midlertidig = "midlertidig"
    inaktiv = "inaktiv"
    ikkeBosatt = "ikkeBosatt"
    aktiv = "aktiv"


class SamiskSpraakType(enum.StrEnum):
    nordsamisk = "nordsamisk"
    soersamisk = "soersamisk"
    lulesamisk = "lulesamisk"


class Sivilstandstype(enum.StrEnum):
    uoppgitt = "uoppgitt"
    ugift = "ugift"
    gift = "gift"
    enkeEllerEnkemann = "enkeEllerEnkemann"
    skilt = "skilt"
    separert = "separert"
    registrertPartner = "registrertPartner"
    separertPartner = "separertPartner"
    skiltPartner = "skiltPartner"
    gjenlevendePartner = "gjenlevendePartner"


class Skifteform(enum.StrEnum):
    offentlig = "offentlig"
    annet = "annet"


class Vergemaalsomfang(enum.StrEnum):
    utlendingssakerPersonligeOgOekonomiskeInteresser = "utlendingssakerPersonligeOgOekonomiskeInteresser"
    personligeOgOekonomiskeInteresser = "personligeOgOekonomiskeInteresser"
    oekonomiskeInteresser = "oekonomiskeInteresser"
    personligeInteresser = "personligeInteresser"


class Vergemaaltype(enum.StrEnum):
    ensligMindreaarigAsylsoeker = "ensligMindreaarigAsylsoeker"
    ensligMindreaarigFlyktning = "ensligMindreaarigFlyktning"
    voksen = "voksen"
    midlertidigForVoksen = "midlertidigForVoksen"
    mindreaarig = "mindreaarig"
    midlertidigForMindreaarig = "midlertidigForMindreaarig"
    forvaltningUtenforVergemaal = "forvaltningUtenforVergemaal"
    stadfestetFremtidsfullmakt = "stadfestetFremtidsfullmakt"


# ---------------------------------------------------------------------------------------------------------
# Base classes
# ---------------------------------------------------------------------------------------------------------


class RegisterModel(BaseModel):
    """Every register schema: unknown fields are refused so a misspelt name fails loudly."""

    model_config = ConfigDict(extra="forbid")


class RegistermetadataModel(RegisterModel):
    """The metadata every entry of a person element carries (history, validity, source)."""

    aarsak: str | None = None
    ajourholdstidspunkt: Tidspunkt | None = None
    erGjeldende: Sannhetsverdi | None = None
    gyldighetstidspunkt: Tidspunkt | None = None
    kilde: str | None = None
    opphoerstidspunkt: Tidspunkt | None = None


# ---------------------------------------------------------------------------------------------------------
# Building blocks without metadata
# ---------------------------------------------------------------------------------------------------------


class Personnavn(RegisterModel):
    etternavn: str
    fornavn: str
    mellomnavn: str | None = None


class Poststed(RegisterModel):
    postnummer: str | None = None
    poststedsnavn: str | None = None


class Adressenummer(RegisterModel):
    husbokstav: str | None = None
    husnummer: str


class Vegadresse(RegisterModel):
    adressekode: str | None = None
    adressenavn: str
    adressenummer: Adressenummer | None = None
    adressetilleggsnavn: str | None = None
    bruksenhetsnummer: str | None = None
    bruksenhetstype: Bruksenhetstype | None = None
    coAdressenavn: str | None = None
    kommunenummer: str
    poststed: Poststed | None = None


class VegadresseForPost(RegisterModel):
    adressekode: str | None = None
    adressenavn: str | None = None
    adressenummer: Adressenummer | None = None
    adressetilleggsnavn: str | None = None
    bruksenhetsnummer: str | None = None
    coAdressenavn: str | None = None
    poststed: Poststed | None = None


class Matrikkelnummer(RegisterModel):
    bruksnummer: Heltall | None = None
    festenummer: Heltall | None = None
    gaardsnummer: Heltall | None = None
    kommunenummer: str


class Matrikkeladresse(RegisterModel):
    adressetilleggsnavn: str | None = None
    bruksenhetsnummer: str | None = None
    bruksenhetstype: Bruksenhetstype | None = None
    coAdressenavn: str | None = None
    matrikkelnummer: Matrikkelnummer
    poststed: Poststed | None = None
    undernummer: Heltall | None = None


class UkjentBosted(RegisterModel):
    bostedskommune: str | None = None


class InternasjonalAdresse(RegisterModel):
    adressenavn: str | None = None
    boenhet: str | None = None
    byEllerStedsnavn: str | None = None
    bygning: str | None = None
    coAdressenavn: str | None = None
    distriktsnavn: str | None = None
    etasjenummer: str | None = None
    landkode: str
    postboks: str | None = None
    postkode: str | None = None
    region: str | None = None


class InternasjonalAdresseIFrittFormat(RegisterModel):
    adresselinje: list[str] | None = None
    byEllerStedsnavn: str | None = None
    landkode: str
    postkode: str | None = None


class AdresseIFrittFormat(RegisterModel):
    adresselinje: list[str] | None = None
    landkode: str | None = None


class PostadresseIFrittFormat(RegisterModel):
    adresselinje: list[str] | None = None
    poststed: Poststed | None = None


class Postboksadresse(RegisterModel):
    postboks: str
    postbokseier: str | None = None
    poststed: Poststed | None = None


class KontaktadresseForDoedsbo(RegisterModel):
    adresselinje: list[str]
    landkode: str | None = None
    postnummer: str
    poststedsnavn: str


class AdvokatSomKontakt(RegisterModel):
    organisasjonsnavn: str | None = None
    organisasjonsnummer: str | None = None
    personnavn: Personnavn


class OrganisasjonSomKontakt(RegisterModel):
    kontaktpersonnavn: Personnavn | None = None
    organisasjonsnavn: str
    organisasjonsnummer: str | None = None


class PersonSomKontakt(RegisterModel):
    foedselsEllerDNummer: str | None = None
    foedselsdato: datetime.date | None = None
    personnavn: Personnavn | None = None


class RelatertBiPerson(RegisterModel):
    foedselsdato: datetime.date | None = None
    kjoenn: Kjoenn | None = None
    navn: Personnavn
    statsborgerskap: str | None = None


class IdentifiserendeInformasjon(RegisterModel):
    foedselsdato: datetime.date | None = None
    kjoenn: Kjoenn | None = None
    personnavn: Personnavn
    statsborgerskap: list[str]


class TekniskDokumentkontroll(RegisterModel):
    dokumentkontrollstatus: str
    dokumentkontrolltidspunkt: Tidspunkt | None = None


class VergeRepresentantEllerFullmektig(RegisterModel):
    foedselsEllerDNummer: str | None = None
    navn: Personnavn | None = None
    omfang: Vergemaalsomfang | None = None
    omfangetErInnenPersonligOmraade: Sannhetsverdi | None = None


# ---------------------------------------------------------------------------------------------------------
# Entries of the person elements (all carry the shared metadata)
# ---------------------------------------------------------------------------------------------------------


class GraderingAvAdresse(RegistermetadataModel):
    graderingsnivaa: Adressegradering


class BibeholdAvNorskStatsborgerskap(RegistermetadataModel):
    bibeholdstatus: Bibehold
    datoForBibehold: datetime.date | None = None


class Bostedsadresse(RegistermetadataModel):
    adresseIdentifikatorFraMatrikkelen: str | None = None
    adressegradering: Adressegradering
    flyttedato: datetime.date | None = None
    grunnkrets: Heltall | None = None
    kirkekrets: Heltall | None = None
    matrikkeladresse: Matrikkeladresse | None = None
    naerAdresseIdentifikatorFraMatrikkelen: str | None = None
    skolekrets: Heltall | None = None
    stemmekrets: Heltall | None = None
    ukjentBosted: UkjentBosted | None = None
    vegadresse: Vegadresse | None = None


class SamiskSpraak(RegistermetadataModel):
    spraak: list[SamiskSpraakType]


class DeltBosted(RegistermetadataModel):
    adresseIdentifikatorFraMatrikkelen: str | None = None
    adressegradering: Adressegradering
    matrikkeladresse: Matrikkeladresse | None = None
    naerAdresseIdentifikatorFraMatrikkelen: str | None = None
    sluttdatoForKontrakt: datetime.date | None = None
    startdatoForKontrakt: datetime.date
    ukjentBosted: UkjentBosted | None = None
    vegadresse: Vegadresse | None = None


class Doedsfall(RegistermetadataModel):
    doedsdato: datetime.date | None = None


class FalskIdentitet(RegistermetadataModel):
    erFalsk: Sannhetsverdi | None = None
    rettIdentitetErUkjent: Sannhetsverdi | None = None
    rettIdentitetVedIdentifikasjonsnummer: str | None = None
    rettIdentitetVedOpplysninger: IdentifiserendeInformasjon | None = None


class Familierelasjon(RegistermetadataModel):
    minRolleForPerson: Familierelasjontype | None = None
    relatertPerson: str | None = None
    relatertPersonUtenFolkeregisteridentifikator: RelatertBiPerson | None = None
    relatertPersonsRolle: Familierelasjontype


class Foedsel(RegistermetadataModel):
    foedekommuneINorge: str | None = None
    foedeland: str | None = None
    foedested: str | None = None
    foedselsaar: str
    foedselsdato: datetime.date | None = None


class FoedselINorge(RegistermetadataModel):
    foedselsinstitusjonsnavn: str | None = None
    rekkefoelgenummer: Heltall | None = None


class Foreldreansvar(RegistermetadataModel):
    ansvar: Foreldreansvarstype
    ansvarlig: str | None = None
    ansvarligOrganisasjon: str | None = None
    ansvarligUtenIdentifikator: RelatertBiPerson | None = None
    ansvarssubjekt: str | None = None
    ansvarssubjektUtenIdentifikator: RelatertBiPerson | None = None


class SametingetsValgmanntall(RegistermetadataModel):
    forhold: ForholdTilSametingetsValgmanntall
    vedtaksdato: datetime.date


class Folkeregisteridentifikator(RegistermetadataModel):
    foedselsEllerDNummer: str
    identifikatortype: Folkeregisteridentifikatortype
    status: Identifikatorstatuskode


class Identitetsgrunnlag(RegistermetadataModel):
    identitetsgrunnlagstatus: Identitetsgrunnlagstatus


class InnflyttingTilNorge(RegistermetadataModel):
    fraflyttingsland: str | None = None
    fraflyttingsstedIUtlandet: str | None = None


class Personkjoenn(RegistermetadataModel):
    kjoenn: Kjoenn


class KontaktinformasjonForDoedsbo(RegistermetadataModel):
    adresse: KontaktadresseForDoedsbo
    advokat: AdvokatSomKontakt | None = None
    attestutstedelsesdato: datetime.date
    organisasjon: OrganisasjonSomKontakt | None = None
    person: PersonSomKontakt | None = None
    skifteform: Skifteform


class Identifikasjonsdokument(RegistermetadataModel):
    dokumentkontroll: TekniskDokumentkontroll | None = None
    gyldigFra: datetime.date | None = None
    gyldigTil: datetime.date | None = None
    identifikasjonsdokumentnummer: str | None = None
    identifikasjonsdokumenttype: str
    utstederland: str
    utstedernavn: str | None = None


class Folkeregisterpersonnavn(RegistermetadataModel):
    etternavn: str
    forkortetNavn: str | None = None
    fornavn: str
    mellomnavn: str | None = None
    originaltNavn: Personnavn | None = None


class Opphold(RegistermetadataModel):
    oppholdFra: datetime.date | None = None
    oppholdTil: datetime.date | None = None
    oppholdstillatelse: Oppholdstillatelsetype


class OppholdPaaSvalbard(RegistermetadataModel):
    antallTidligereOpphold: Heltall | None = None
    antattOppholdsvarighet: OppholdsvarighetType
    fraflyttingskommunenummer: str | None = None
    fraflyttingsland: str | None = None
    sluttdato: datetime.date | None = None
    startdato: datetime.date


class Oppholdsadresse(RegistermetadataModel):
    adresseIdentifikatorFraMatrikkelen: str | None = None
    adressegradering: Adressegradering
    adressenErUkjent: Sannhetsverdi | None = None
    matrikkeladresse: Matrikkeladresse | None = None
    oppholdAnnetSted: OppholdAnnetSted | None = None
    oppholdsadressedato: datetime.date | None = None
    utenlandskAdresse: InternasjonalAdresse | None = None
    vegadresse: Vegadresse | None = None


class Kontaktadresse(RegistermetadataModel):
    adresseIdentifikatorFraMatrikkelen: str | None = None
    adressegradering: Adressegradering
    postadresseIFrittFormat: PostadresseIFrittFormat | None = None
    postboksadresse: Postboksadresse | None = None
    vegadresse: VegadresseForPost | None = None


class KontaktadresseIUtlandet(RegistermetadataModel):
    adressegradering: Adressegradering
    utenlandskAdresse: InternasjonalAdresse | None = None
    utenlandskAdresseIFrittFormat: InternasjonalAdresseIFrittFormat | None = None


class PreferertKontaktadresse(RegistermetadataModel):
    adressegradering: Adressegradering | None = None
    kontaktadresseIFrittFormat: AdresseIFrittFormat | None = None
    valg: Adressetype


class Sivilstand(RegistermetadataModel):
    kommune: str | None = None
    myndighet: str | None = None
    relatertVedSivilstand: str | None = None
    sivilstand: Sivilstandstype
    sivilstandsdato: datetime.date | None = None
    sted: str | None = None
    utland: str | None = None


class Statsborgerskap(RegistermetadataModel):
    ervervsdato: datetime.date | None = None
    statsborgerskap: str


class Folkeregisterpersonstatus(RegistermetadataModel):
    status: Personstatus


class Personidentifikasjon(RegistermetadataModel):
    identifikasjonsnummer: str
    identifikasjonsnummertype: str
    utstederland: str


class UtflyttingFraNorge(RegistermetadataModel):
    tilflyttingsland: str | None = None
    tilflyttingsstedIUtlandet: str | None = None
    utflyttingsdato: datetime.date | None = None


class VergemaalRepresentasjonEllerFremtidsfullmakt(RegistermetadataModel):
    embete: str | None = None
    verge: VergeRepresentantEllerFullmektig
    vergemaaltype: Vergemaaltype | None = None


# ---------------------------------------------------------------------------------------------------------
# The person document
# ---------------------------------------------------------------------------------------------------------


class Folkeregisterperson(RegisterModel):
    """One person's document; fields are the information elements, in the spec's order."""

    adressebeskyttelse: list[GraderingAvAdresse] | None = None
    bibehold: list[BibeholdAvNorskStatsborgerskap] | None = None
    bostedsadresse: list[Bostedsadresse] | None = None
    brukAvSamiskSpraak: list[SamiskSpraak] | None = None
    deltBosted: list[DeltBosted] | None = None
    doedsfall: Doedsfall | None = None
    falskIdentitet: FalskIdentitet | None = None
    familierelasjon: list[Familierelasjon] | None = None
    foedsel: list[Foedsel] | None = None
    foedselINorge: list[FoedselINorge] | None = None
    foreldreansvar: list[Foreldreansvar] | None = None
    forholdTilSametingetsValgmanntall: list[SametingetsValgmanntall] | None = None
    identifikasjonsnummer: list[Folkeregisteridentifikator] | None = None
    identitetsgrunnlag: list[Identitetsgrunnlag] | None = None
    innflytting: list[InnflyttingTilNorge] | None = None
    kjoenn: list[Personkjoenn] | None = None
    kontaktinformasjonForDoedsbo: list[KontaktinformasjonForDoedsbo] | None = None
    legitimasjonsdokument: list[Identifikasjonsdokument] | None = None
    navn: list[Folkeregisterpersonnavn] | None = None
    opphold: list[Opphold] | None = None
    oppholdPaaSvalbard: list[OppholdPaaSvalbard] | None = None
    oppholdsadresse: list[Oppholdsadresse] | None = None
    postadresse: list[Kontaktadresse] | None = None
    postadresseIUtlandet: list[KontaktadresseIUtlandet] | None = None
    preferertKontaktadresse: list[PreferertKontaktadresse] | None = None
    sivilstand: list[Sivilstand] | None = None
    statsborgerskap: list[Statsborgerskap] | None = None
    status: list[Folkeregisterpersonstatus] | None = None
    utenlandskPersonidentifikasjon: list[Personidentifikasjon] | None = None
    utflytting: list[UtflyttingFraNorge] | None = None
    utlendingsmyndighetenesIdentifikasjonsnummer: list[Personidentifikasjon] | None = None
    vergemaalEllerFremtidsfullmakt: list[VergemaalRepresentasjonEllerFremtidsfullmakt] | None = None


# The catalogue of information elements: top-level fields of Folkeregisterperson in spec order.
PERSON_ELEMENTS: tuple[str, ...] = tuple(Folkeregisterperson.model_fields)
# The only elements that are a single entry rather than a list of entries.
SINGLE_VALUED_ELEMENTS: frozenset[str] = frozenset({"doedsfall", "falskIdentitet"})


# ---------------------------------------------------------------------------------------------------------
# Lookup envelopes and errors
# ---------------------------------------------------------------------------------------------------------


class PersonBulkoppslagRequest(RegisterModel):
    foedselsEllerDNummer: list[str] | None = None


class ArkivDokumentBulkoppslagRequest(RegisterModel):
    dokumentidentifikator: list[str] | None = None


class Feilmelding(RegisterModel):
    feilmelding: str


class Oppslag(RegisterModel):
    feilmelding: Feilmelding | None = None
    foedselsEllerDNummer: str
    folkeregisterperson: Folkeregisterperson | None = None


class PersonBulkoppslagResponse(RegisterModel):
    oppslag: list[Oppslag] | None = None


class PersonsoekResponse(RegisterModel):
    foedselsEllerDNummer: list[str] | None = None


class FolkeregisterFeilmelding(RegisterModel):
    """The register's error body (ske.folkeregister.exception.javaxrs.FolkeregisterFeilmelding)."""

    alvorlighetsgrad: str | None = None
    feilkode: str | None = None
    feilmelding: str | None = None
    httpStatus: Heltall | None = None
    tilleggsinformasjon: dict[str, str] | None = None


# ---------------------------------------------------------------------------------------------------------
# (De)serialisation
# ---------------------------------------------------------------------------------------------------------


def dump_model(model: RegisterModel) -> dict[str, Any]:
    """JSON-ready dict of any register model, without null fields (the register omits absent values)."""
    return model.model_dump(mode="json", exclude_none=True)


def dump_person(person: Folkeregisterperson) -> dict[str, Any]:
    """JSON-ready dict of a person document, without null fields."""
    return dump_model(person)


def parse_person(data: dict[str, Any]) -> Folkeregisterperson:
    """Validate a JSON-decoded person document; raises pydantic.ValidationError when it breaks the spec."""
    return Folkeregisterperson.model_validate(data)
