"""The portal's lookups: what the pages call to read the register, always through the API's pipeline.

No HTML here and no second road: every operation builds a request for `MirroredApi.execute` with the case
worker as principal (checked against their grants on every call), the role they chose and the case
reference, and gets back the document(s) already cut to the role and audited (kanal `portal`, prinsipal
`person`). A refusal comes back as `Avvisning` with a `grunn` the page explains and, where a record was
written, the audit reference.

Addresses graded `fortrolig`/`klientadresse` come masked (only their grading, currency and dates) unless
the case worker asked to see them: that is `vis_skjermet_adresse`, its own lookup under its own audit
resource name. `strengtFortrolig` never reaches the portal (the register and the role filter drop it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fiks_folkeregister.domain.dokument import entries
from fiks_folkeregister.domain.identitetsnummer import InvalidIdentitetsnummer, parse_identitetsnummer
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS, ELEMENTS, HISTORIKK
from fiks_folkeregister.domain.saksreferanse import Saksreferanse
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.access import Credentials, Person
from fiks_folkeregister.gateway.resources import RESOURCES, MirroredResource
from fiks_folkeregister.gateway.router import OK, Incoming, MirroredApi
from fiks_folkeregister.gateway.treffside import PER_SIDE, RESSURS, SIDE, TREFFSIDE

#: The audit resource name of revealing protected addresses (a lookup of its own).
VIS_SKJERMET_ADRESSE = "portal: vis skjermet adresse"
#: Gradings shown only after the case worker's explicit choice (the rest of an entry is masked until then).
SKJERMET = frozenset({"fortrolig", "klientadresse"})
#: What an entry keeps while masked: enough to say that a protected address is there, and when it held.
_KEPT_WHEN_MASKED = ("adressegradering", "erGjeldende", "gyldighetstidspunkt", "opphoerstidspunkt")
#: What a hit list shows of each person (as far as the role holds it).
TREFFLISTE_ELEMENTER = frozenset({"navn", "foedsel", "bostedsadresse", "status"})
#: Searches with more hits than this are refused by the register; the page says how to narrow.
MAKS_TREFF = 10_000

_NO_CREDENTIALS = Credentials(authorization=None, integrasjon_id=None, integrasjon_passord=None)
_RESOURCE = {resource.name: resource for resource in RESOURCES}
PERSONOPPSLAG = _RESOURCE["GET personer/{personidentifikator}"]
ENTYDIGSOEK = _RESOURCE["GET personer/entydigsoek"]


class Grunn(StrEnum):
    """Why the portal could not give an answer; each is one explanation on the page."""

    UGYLDIG_NUMMER = "ugyldig_nummer"  # `detalj`: lengde | kontrollsiffer | dato
    IKKE_FUNNET = "ikke_funnet"  # no person with that number, or nobody matches
    FLERE_TREFF = "flere_treff"  # identify-one: more than one person matches
    INGEN_ENTYDIG_TREFF = "ingen_entydig_treff"  # identify-one: none or several (the register did not say)
    FOR_MANGE_TREFF = "for_mange_treff"  # a search over MAKS_TREFF hits: narrow it
    UGYLDIG_SOEK = "ugyldig_soek"  # criteria the register's parser refuses (`detaljer` names them)
    KRITERIUM_IKKE_TILLATT = "kriterium_ikke_tillatt"  # `detaljer`: ikkeTillatteKriterier, manglendeElementer
    HISTORIKK_IKKE_TILLATT = "historikk_ikke_tillatt"
    IKKE_TILLATT = "ikke_tillatt"  # the role may not do this (usage area, parts)
    #: revoked, not granted, deactivated, not for the portal, or not of this organisation
    ROLLE_IKKE_TILGJENGELIG = "rolle_ikke_tilgjengelig"
    BRUKER_IKKE_AKTIV = "bruker_ikke_aktiv"  # the user is deactivated
    UGYLDIG_SIDE = "ugyldig_side"
    UTILGJENGELIG = "utilgjengelig"  # the register or the audit log cannot answer now: try again
    #: the person's request rate is used up; `detaljer["retryAfterSeconds"]` says when to try again
    FOR_MANGE_FORESPOERSLER = "for_mange_forespoersler"


class Avvisning(Exception):
    """A lookup the portal could not answer. `kode` is the pipeline's machine code, `revisjonsreferanse`
    the audit record's id when one was written (None for input refused before anything was asked)."""

    def __init__(
        self,
        grunn: Grunn,
        kode: str,
        melding: str = "",
        detaljer: Mapping[str, Any] | None = None,
        revisjonsreferanse: str | None = None,
        detalj: str | None = None,
    ) -> None:
        super().__init__(f"{grunn}: {kode} {melding}")
        self.grunn = grunn
        self.kode = kode
        self.melding = melding
        self.detaljer: Mapping[str, Any] = detaljer or {}
        self.revisjonsreferanse = revisjonsreferanse
        self.detalj = detalj


@dataclass(frozen=True)
class Kontekst:
    """Who asks (the logged-in case worker), in which role (its id, as chosen), for which case."""

    person: Person
    rolle_id: str
    sak: Saksreferanse = field(default_factory=Saksreferanse)


@dataclass(frozen=True)
class Personsvar:
    """One person as the role may see them; protected addresses masked unless `skjermet_vist`."""

    dokument: Mapping[str, Any]
    revisjonsreferanse: str
    historikk: bool
    skjermet_vist: bool
    #: True when the document holds an address graded fortrolig/klientadresse (shown only on request).
    har_skjermet: bool


@dataclass(frozen=True)
class Treff:
    """One person on a hit list (cut to the role; protected addresses masked)."""

    foedselsEllerDNummer: str
    dokument: Mapping[str, Any]


@dataclass(frozen=True)
class Treffside:
    """One page of a hit list; only these persons were looked up (and audited)."""

    treff: tuple[Treff, ...]
    antall_treff: int
    side: int
    antall_sider: int
    revisjonsreferanse: str
    per_side: int = PER_SIDE


class Portaloppslag:
    """The portal's operations over the one pipeline (`MirroredApi.execute`)."""

    def __init__(self, api: MirroredApi) -> None:
        self._api = api

    def person(self, kontekst: Kontekst, identifikator: str, *, historikk: bool = False) -> Personsvar:
        """A person by fødselsnummer or d-nummer, with every part the role holds (history when asked)."""
        return self._person(kontekst, identifikator, historikk, reveal=False)

    def vis_skjermet_adresse(
        self, kontekst: Kontekst, identifikator: str, *, historikk: bool = False
    ) -> Personsvar:
        """The same person with fortrolig/klientadresse addresses shown: a lookup audited on its own."""
        return self._person(kontekst, identifikator, historikk, reveal=True)

    def identifiser(self, kontekst: Kontekst, kriterier: Mapping[str, str]) -> Personsvar:
        """Identify one person (entydigsoek: name + birth date, name + street and number, name + postnummer):
        `kriterier` are the register's parameter names; the person with every part the role holds."""
        query = {name: [value] for name, value in kriterier.items() if value}
        done = self._run(ENTYDIGSOEK, kontekst, ENTYDIGSOEK.name, {}, query, ELEMENTS_OF_CARD)
        return _personsvar(done.outcome.data, done.request_id, False, reveal=False)

    def identifiser_nummer(self, kontekst: Kontekst, kriterier: Mapping[str, str]) -> str:
        """Identify one person as `identifiser` does, asking only for their identity number (the pages then
        open the card by number: the search audited as what it learnt, the card as a lookup of its own)."""
        query = {name: [value] for name, value in kriterier.items() if value}
        done = self._run(ENTYDIGSOEK, kontekst, ENTYDIGSOEK.name, {}, query, _NUMBER_ONLY)
        return _identity_number(done.outcome.data)

    def soek(self, kontekst: Kontekst, kriterier: Mapping[str, str], side: int = 1) -> Treffside:
        """One page (25) of a search's hits, each person as the role may see them on a hit list."""
        if side < 1:
            raise Avvisning(Grunn.UGYLDIG_SIDE, codes.UGYLDIG_PARAMETER, "The page number starts at 1")
        query = {name: [value] for name, value in kriterier.items() if value}
        done = self._run(TREFFSIDE, kontekst, RESSURS, {SIDE: str(side)}, query, TREFFLISTE_ELEMENTER)
        data = done.outcome.data
        antall = int(data["antallTreff"])
        treff = tuple(
            Treff(str(entry["foedselsEllerDNummer"]), mask_protected(entry["folkeregisterperson"]))
            for entry in data["oppslag"]
            if entry.get("folkeregisterperson") is not None
        )
        sider = max(1, -(-antall // PER_SIDE))
        return Treffside(treff, antall, side, sider, done.request_id)

    def _person(self, kontekst: Kontekst, identifikator: str, historikk: bool, *, reveal: bool) -> Personsvar:
        number = "".join(identifikator.split())
        try:
            parse_identitetsnummer(number)
        except InvalidIdentitetsnummer as error:
            raise Avvisning(
                Grunn.UGYLDIG_NUMMER,
                codes.UGYLDIG_PARAMETER,
                error.reason,
                detalj=_NUMBER_REASONS[error.reason],
            ) from None
        query = {"part": [HISTORIKK]} if historikk else {}
        ressurs = VIS_SKJERMET_ADRESSE if reveal else PERSONOPPSLAG.name
        done = self._run(
            PERSONOPPSLAG, kontekst, ressurs, {"personidentifikator": number}, query, ELEMENTS_OF_CARD
        )
        return _personsvar(done.outcome.data, done.request_id, historikk, reveal=reveal)

    def _run(
        self,
        resource: MirroredResource,
        kontekst: Kontekst,
        ressurs: str,
        path: Mapping[str, str],
        query: Mapping[str, list[str]],
        elements: frozenset[str],
    ) -> Any:
        incoming = Incoming(
            method=resource.method,
            url_path=f"/portal/{resource.path}",
            rolle_id=kontekst.rolle_id,
            path=dict(path),
            query=dict(query),
            credentials=_NO_CREDENTIALS,
            content_type="",
            body=b"",
            person=kontekst.person,
            sak=kontekst.sak,
            parts_within_role=elements,
        )
        done = self._api.execute(resource, incoming, ressurs)
        if not done.audited:
            raise Avvisning(
                Grunn.UTILGJENGELIG, codes.REVISJONSLOGG_UTILGJENGELIG, "The audit log is unavailable"
            )
        if done.outcome.utfall != OK:
            raise _refusal(done.outcome.refusal, done.request_id)
        return done


#: A card asks for every element; the pipeline cuts that to what the role holds.
ELEMENTS_OF_CARD = frozenset(ELEMENTS)
#: Identifying a person to open their card: the number is all that is asked for.
_NUMBER_ONLY = frozenset({"identifikasjonsnummer"})

_NUMBER_REASONS = {
    "must be 11 digits": "lengde",
    "invalid check digits": "kontrollsiffer",
    "invalid date part": "dato",
}

_BY_CODE = {
    "PERSON_IKKE_FUNNET": Grunn.IKKE_FUNNET,
    "FOR_MANGE_TREFF": Grunn.FOR_MANGE_TREFF,
    "KRITERIUM_IKKE_TILLATT": Grunn.KRITERIUM_IKKE_TILLATT,
    "HISTORIKK_IKKE_TILLATT": Grunn.HISTORIKK_IKKE_TILLATT,
    "BRUKSOMRAADE_MANGLER": Grunn.IKKE_TILLATT,
    "PART_IKKE_TILLATT": Grunn.IKKE_TILLATT,
    "PERSON_BASIS_MANGLER": Grunn.IKKE_TILLATT,
    "MANGLER_TILGANG": Grunn.IKKE_TILLATT,
    codes.ROLLE_IKKE_TILDELT: Grunn.ROLLE_IKKE_TILGJENGELIG,
    codes.ROLLE_DEAKTIVERT: Grunn.ROLLE_IKKE_TILGJENGELIG,
    codes.UKJENT_ROLLE: Grunn.ROLLE_IKKE_TILGJENGELIG,
    codes.UGYLDIG_ROLLEID: Grunn.ROLLE_IKKE_TILGJENGELIG,
    codes.BRUKER_DEAKTIVERT: Grunn.BRUKER_IKKE_AKTIV,
    codes.ROLLE_IKKE_GYLDIG_FOR_PORTAL: Grunn.ROLLE_IKKE_TILGJENGELIG,
    codes.FOR_MANGE_FORESPOERSLER: Grunn.FOR_MANGE_FORESPOERSLER,
}


def _refusal(refusal: tuple[str, str, Mapping[str, Any]] | None, request_id: str) -> Avvisning:
    kode, melding, detaljer = refusal or (codes.INTERN_FEIL, "", {})
    if kode == "INGEN_ENTYDIG_TREFF":
        treff = detaljer.get("treff")
        grunn = {"ingen": Grunn.IKKE_FUNNET, "flere": Grunn.FLERE_TREFF}.get(
            str(treff), Grunn.INGEN_ENTYDIG_TREFF
        )
    elif kode in _BY_CODE:
        grunn = _BY_CODE[kode]
    elif kode.startswith("UGYLDIG") or kode.startswith("MANGLER_"):
        grunn = Grunn.UGYLDIG_SOEK
    else:
        grunn = Grunn.UTILGJENGELIG
    return Avvisning(grunn, kode, melding, detaljer, revisjonsreferanse=request_id)


def _personsvar(document: Mapping[str, Any], request_id: str, historikk: bool, *, reveal: bool) -> Personsvar:
    protected = any(
        entry.get("adressegradering") in SKJERMET
        for element in ADDRESS_ELEMENTS
        for entry in entries(document.get(element))
    )
    shown = document if reveal else mask_protected(document)
    return Personsvar(shown, request_id, historikk, skjermet_vist=reveal, har_skjermet=protected)


def _identity_number(document: Mapping[str, Any]) -> str:
    numbers = entries(document.get("identifikasjonsnummer"))
    current = [entry for entry in numbers if entry.get("erGjeldende")] or numbers
    if not current or not current[0].get("foedselsEllerDNummer"):
        raise Avvisning(Grunn.UTILGJENGELIG, codes.INTERN_FEIL, "The register named no identity number")
    return str(current[0]["foedselsEllerDNummer"])


def mask_protected(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with every address entry graded fortrolig/klientadresse reduced to its grading,
    currency and dates (so the card can say a protected address is there without holding it)."""
    masked = dict(document)
    for element in ADDRESS_ELEMENTS:
        values = document.get(element)
        if not values:
            continue
        masked[element] = [
            {k: entry[k] for k in _KEPT_WHEN_MASKED if k in entry}
            if entry.get("adressegradering") in SKJERMET
            else entry
            for entry in entries(values)
        ]
    return masked


__all__ = [
    "MAKS_TREFF",
    "PER_SIDE",
    "VIS_SKJERMET_ADRESSE",
    "Avvisning",
    "Grunn",
    "Kontekst",
    "Personsvar",
    "Portaloppslag",
    "Treff",
    "Treffside",
    "mask_protected",
]
