"""The portal's lookups go the API's one road: the same role filter, the same refusals, audited as the person.

Each test compares with, or checks against, what the machine API and the audit log say for the same role.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS, HISTORIKK, Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.gateway.access import Person
from fiks_folkeregister.gateway.router import MirroredApi
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.portal.oppslag import (
    PER_SIDE,
    VIS_SKJERMET_ADRESSE,
    Avvisning,
    Grunn,
    Portaloppslag,
    mask_protected,
)
from fiks_folkeregister.storage.tables import oppslagslogg
from fiks_folkeregister.upstream.port import UpstreamError
from tests.conftest import FAST_HASHER
from tests.gateway.conftest import ORG_A, ORG_B, ServedGateway
from tests.portaloppslag.conftest import Portal

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize(
        "served_gateway", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]

CARD_PARTS = [
    "person-basis",
    "bostedsadresse",
    "oppholdsadresse",
    "deltBosted",
    "postadresse",
    "familierelasjon",
    "foreldreansvar",
    "sivilstand",
    "statsborgerskap",
    HISTORIKK,
]
#: A valid fødselsnummer of someone born in 1860: nobody in the seeded register.
NOBODY = "01016050012"
EXAMPLES = ["ordinary-adult", "married-couple", "parent-with-foreldreansvar", "fortrolig", "name-history"]


def machine_document(served: ServedGateway, role: Rolle, person: str, historikk: bool) -> dict[str, Any]:
    """What the machine API returns for this role asking for every part the role holds."""
    integration = served.config.integration(role.orgnr)
    served.config.grant(integration, role)
    parts = sorted(role.elementer) + ([HISTORIKK] if historikk else [])
    response = served.client.get(
        served.url(role, f"personer/{person}"),
        params=[("part", part) for part in parts],
        headers=served.headers(integration),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def record(served: ServedGateway, request_id: str) -> dict[str, Any]:
    return served.audit_record(request_id)


def records_for(served: ServedGateway, person: Person) -> int:
    with served.engine.connect() as connection:
        rows = connection.execute(
            select(oppslagslogg.c.id).where(oppslagslogg.c.person_foedselsnummer == person.foedselsnummer)
        ).all()
    return len(rows)


@pytest.mark.parametrize("historikk", [False, True])
def test_the_card_holds_exactly_what_the_machine_api_returns_for_the_same_role(
    served_gateway: ServedGateway, portal: Portal, historikk: bool
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    for example in EXAMPLES:
        person = served_gateway.examples[example][0]
        machine = machine_document(served_gateway, role, person, historikk)

        shown = portal.oppslag.person(portal.context(worker, role), person, historikk=historikk)
        revealed = portal.oppslag.vis_skjermet_adresse(
            portal.context(worker, role), person, historikk=historikk
        )

        assert revealed.dokument == machine, example
        assert shown.dokument == mask_protected(machine), example
        assert shown.historikk is historikk


def test_the_card_of_a_narrow_role_holds_only_its_elements(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(["navn", "foedsel"])
    person = served_gateway.examples["ordinary-adult"][0]

    shown = portal.oppslag.person(portal.context(worker, role), person)

    assert set(shown.dokument) == {"identifikasjonsnummer", "navn", "foedsel"}
    assert shown.dokument == machine_document(served_gateway, role, person, False)


def test_a_lookup_is_audited_as_the_person_with_the_case_reference(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    role = portal.role(CARD_PARTS)
    worker = portal.case_worker(ORG_A, navn="Ola Saksbehandler")
    portal.people.grant(worker, role)
    person = served_gateway.examples["ordinary-adult"][0]
    context = portal.context(worker, role, saksnummer="2026/77", formaal="Tilsyn")

    shown = portal.oppslag.person(context, person)

    stored = record(served_gateway, shown.revisjonsreferanse)
    assert (stored["kanal"], stored["prinsipal"]) == ("portal", "person")
    assert (stored["person_foedselsnummer"], stored["person_navn"]) == (
        worker.foedselsnummer,
        "Ola Saksbehandler",
    )
    assert (stored["saksnummer"], stored["formaal"]) == ("2026/77", "Tilsyn")
    assert (stored["orgnr"], stored["rolle_id"], stored["integrasjon_id"]) == (ORG_A, role.id, None)
    assert stored["ressurs"] == "GET personer/{personidentifikator}"
    assert stored["personer"][0] == person and stored["utfall"] == "ok"
    assert stored["parametre"]["personidentifikator"] == person
    assert stored["parametre"]["part"] == sorted(role.elementer - {"identifikasjonsnummer"})
    # `audit person` finds it with the principal's kind and name.
    found = [
        r for r in served_gateway.audit.lookups_of_person(person) if r.request_id == shown.revisjonsreferanse
    ]
    assert [(r.kanal, r.prinsipal, r.person_navn) for r in found] == [
        ("portal", "person", "Ola Saksbehandler")
    ]


def test_protected_addresses_stay_masked_until_revealed_and_the_reveal_is_its_own_audit_record(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    person = served_gateway.examples["fortrolig"][0]
    context = portal.context(worker, role, saksnummer="2026/5")

    shown = portal.oppslag.person(context, person)

    assert shown.har_skjermet and not shown.skjermet_vist
    hidden = [
        entry
        for element in ADDRESS_ELEMENTS
        for entry in shown.dokument.get(element) or ()
        if entry.get("adressegradering") in ("fortrolig", "klientadresse")
    ]
    assert hidden, "the example has a fortrolig address"
    assert all(
        set(entry) <= {"adressegradering", "erGjeldende", "gyldighetstidspunkt", "opphoerstidspunkt"}
        for entry in hidden
    )

    revealed = portal.oppslag.vis_skjermet_adresse(context, person)

    assert revealed.skjermet_vist and revealed.revisjonsreferanse != shown.revisjonsreferanse
    assert any(
        entry.get("adressegradering") == "fortrolig" and "vegadresse" in entry
        for entry in revealed.dokument.get("bostedsadresse") or ()
    )
    reveal = record(served_gateway, revealed.revisjonsreferanse)
    assert reveal["ressurs"] == VIS_SKJERMET_ADRESSE == "portal: vis skjermet adresse"
    assert (reveal["personer"][0], reveal["prinsipal"], reveal["saksnummer"]) == (person, "person", "2026/5")


def test_strengt_fortrolig_addresses_never_reach_the_portal(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    for person in served_gateway.examples["strengt-fortrolig"]:
        for historikk in (False, True):
            revealed = portal.oppslag.vis_skjermet_adresse(
                portal.context(worker, role), person, historikk=historikk
            )
            gradings = {
                entry.get("adressegradering")
                for element in ADDRESS_ELEMENTS
                for entry in revealed.dokument.get(element) or ()
            }
            assert "strengtFortrolig" not in gradings
            assert revealed.dokument[
                "adressebeskyttelse"
            ]  # the person is there, graded; only the address is not


@pytest.mark.parametrize(
    ("number", "detalj"),
    [
        ("1234567890", "lengde"),
        ("123456789012", "lengde"),
        ("0101011234x", "lengde"),
        ("01010112346", "kontrollsiffer"),
    ],
)
def test_an_invalid_number_is_explained_and_nothing_is_asked_or_recorded(
    served_gateway: ServedGateway, portal: Portal, number: str, detalj: str
) -> None:
    worker, role = portal.granted(CARD_PARTS)

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(worker, role), number)

    assert (refused.value.grunn, refused.value.detalj) == (Grunn.UGYLDIG_NUMMER, detalj)
    assert refused.value.revisjonsreferanse is None and records_for(served_gateway, worker) == 0


def test_a_number_nobody_has_is_no_match_and_recorded(served_gateway: ServedGateway, portal: Portal) -> None:
    worker, role = portal.granted(CARD_PARTS)

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(worker, role), NOBODY)

    assert refused.value.grunn is Grunn.IKKE_FUNNET
    stored = record(served_gateway, refused.value.revisjonsreferanse or "")
    assert (stored["utfall"], stored["status"], stored["personer"]) == ("feil", 404, [])


def test_history_is_refused_for_a_role_without_it(served_gateway: ServedGateway, portal: Portal) -> None:
    worker, role = portal.granted(["person-basis"])
    person = served_gateway.examples["name-history"][0]

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(worker, role), person, historikk=True)

    assert refused.value.grunn is Grunn.HISTORIKK_IKKE_TILLATT
    stored = record(served_gateway, refused.value.revisjonsreferanse or "")
    assert (stored["utfall"], stored["status"], stored["personer"]) == ("avvist", 403, [])


def test_a_revoked_grant_or_a_deactivated_user_is_refused_at_the_next_call(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    person = served_gateway.examples["ordinary-adult"][0]
    context = portal.context(worker, role)
    assert portal.oppslag.person(context, person).dokument

    portal.people.revoke(worker, role)
    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(context, person)
    assert (refused.value.grunn, refused.value.kode) == (Grunn.ROLLE_IKKE_TILGJENGELIG, "ROLLE_IKKE_TILDELT")
    stored = record(served_gateway, refused.value.revisjonsreferanse or "")
    assert (stored["utfall"], stored["status"], stored["personer"], stored["orgnr"]) == (
        "avvist",
        403,
        [],
        ORG_A,
    )

    portal.people.grant(worker, role)
    assert portal.oppslag.person(context, person).dokument  # granted again
    portal.people.deactivate(ORG_A, worker)
    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(context, person)
    assert (refused.value.grunn, refused.value.kode) == (Grunn.BRUKER_IKKE_AKTIV, "BRUKER_DEAKTIVERT")

    stranger = Person("13097248022", "Ukjent")  # a user of no organisation
    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(stranger, role), person)
    assert (refused.value.grunn, refused.value.kode) == (Grunn.ROLLE_IKKE_TILGJENGELIG, "UKJENT_ROLLE")


def test_a_deactivated_role_is_refused_at_the_next_call_and_works_again_when_activated(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    person = served_gateway.examples["ordinary-adult"][0]
    context = portal.context(worker, role)
    service = AdminService(
        served_gateway.engine,
        IntegrationPasswords(cache_seconds=60, hasher=FAST_HASHER),
        served_gateway.audit,
    )
    assert portal.oppslag.person(context, person).dokument

    service.deactivate_role(Actor(navn="ada", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A), role.id)
    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(context, person)
    assert (refused.value.grunn, refused.value.kode) == (Grunn.ROLLE_IKKE_TILGJENGELIG, "ROLLE_DEAKTIVERT")
    stored = record(served_gateway, refused.value.revisjonsreferanse or "")
    assert (stored["utfall"], stored["status"], stored["personer"], stored["orgnr"]) == (
        "avvist",
        403,
        [],
        ORG_A,
    )

    service.activate_role(Actor(navn="ada", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A), role.id)
    assert portal.oppslag.person(context, person).dokument


def test_a_role_not_valid_for_the_portal_is_refused(served_gateway: ServedGateway, portal: Portal) -> None:
    worker, role = portal.granted(CARD_PARTS, gyldighet=("api",))

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(worker, role), served_gateway.examples["ordinary-adult"][0])

    assert (refused.value.grunn, refused.value.kode) == (
        Grunn.ROLLE_IKKE_TILGJENGELIG,
        "ROLLE_IKKE_GYLDIG_FOR_PORTAL",
    )


def test_a_person_of_one_organisation_cannot_use_another_organisations_role(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    theirs = portal.role(CARD_PARTS, orgnr=ORG_B)
    worker = portal.case_worker(ORG_A)
    portal.people.grant(worker, theirs, orgnr=ORG_A)  # even a grant written across organisations
    person = served_gateway.examples["ordinary-adult"][0]

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(worker, theirs), person)

    assert (refused.value.grunn, refused.value.kode) == (Grunn.ROLLE_IKKE_TILGJENGELIG, "UKJENT_ROLLE")
    stored = record(served_gateway, refused.value.revisjonsreferanse or "")
    assert (stored["status"], stored["personer"], stored["orgnr"]) == (404, [], None)  # not in B's log
    assert served_gateway.audit.query(ORG_B, rolle_id=theirs.id) == []


def test_a_role_without_the_search_usage_area_is_refused(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(CARD_PARTS, bruksomraader=[Bruksomraade.HENDELSESLISTE])

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.person(portal.context(worker, role), served_gateway.examples["ordinary-adult"][0])

    assert (refused.value.grunn, refused.value.kode) == (Grunn.IKKE_TILLATT, "BRUKSOMRAADE_MANGLER")


def test_a_hit_list_page_audits_only_the_persons_shown(served_gateway: ServedGateway, portal: Portal) -> None:
    worker, role = portal.granted(["navn", "foedsel", "bostedsadresse"])
    integration = served_gateway.config.integration(ORG_A)
    served_gateway.config.grant(integration, role)
    criteria = {"foedselsaarFraOgMed": "1950", "foedselsaarTilOgMed": "1990"}
    machine = served_gateway.client.get(
        served_gateway.url(role, "personer/soek"),
        params=criteria,
        headers=served_gateway.headers(integration),
    ).json()["foedselsEllerDNummer"]
    assert len(machine) > 2 * PER_SIDE

    first = portal.oppslag.soek(portal.context(worker, role), criteria)
    second = portal.oppslag.soek(portal.context(worker, role), criteria, side=2)

    assert (first.antall_treff, first.side, first.antall_sider) == (
        len(machine),
        1,
        -(-len(machine) // PER_SIDE),
    )
    assert [t.foedselsEllerDNummer for t in first.treff] == machine[:PER_SIDE]
    assert [t.foedselsEllerDNummer for t in second.treff] == machine[PER_SIDE : 2 * PER_SIDE]
    for page, shown in ((first, machine[:PER_SIDE]), (second, machine[PER_SIDE : 2 * PER_SIDE])):
        stored = record(served_gateway, page.revisjonsreferanse)
        assert stored["ressurs"] == "portal: treffliste" and stored["prinsipal"] == "person"
        assert set(stored["personer"]) == set(shown)  # the 25 shown, none of the other hits
        assert stored["parametre"]["side"] == str(page.side)
        assert stored["parametre"]["foedselsaarFraOgMed"] == "1950"
    for hit in first.treff:
        assert set(hit.dokument) <= {"identifikasjonsnummer", "navn", "foedsel", "bostedsadresse"}
        assert "navn" in hit.dokument

    beyond = portal.oppslag.soek(portal.context(worker, role), criteria, side=first.antall_sider + 1)
    assert beyond.treff == () and record(served_gateway, beyond.revisjonsreferanse)["personer"] == []
    with pytest.raises(Avvisning) as refused:
        portal.oppslag.soek(portal.context(worker, role), criteria, side=0)
    assert refused.value.grunn is Grunn.UGYLDIG_SIDE


def test_a_criterion_outside_the_role_is_refused_with_its_name(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(["navn", "foedsel"])

    with pytest.raises(Avvisning) as refused:
        portal.oppslag.soek(portal.context(worker, role), {"navn": "Hansen", "postnummer": "0150"})

    assert refused.value.grunn is Grunn.KRITERIUM_IKKE_TILLATT
    assert refused.value.detaljer["ikkeTillatteKriterier"] == ["postnummer"]
    assert record(served_gateway, refused.value.revisjonsreferanse or "")["status"] == 403


def test_identify_one_finds_the_person_and_explains_no_match(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    person = served_gateway.examples["ordinary-adult"][0]
    document = machine_document(served_gateway, role, person, False)
    navn = next(e for e in document["navn"] if e.get("erGjeldende"))
    foedselsdato = next(e for e in document["foedsel"] if e.get("erGjeldende"))["foedselsdato"].replace(
        "-", ""
    )
    criteria = {
        "navn": f"{navn['fornavn'].split()[0]} {navn['etternavn'].split()[-1]}",
        "foedselsdato": foedselsdato,
    }

    found = portal.oppslag.identifiser(portal.context(worker, role), criteria)

    assert found.dokument == mask_protected(document)
    assert record(served_gateway, found.revisjonsreferanse)["ressurs"] == "GET personer/entydigsoek"
    with pytest.raises(Avvisning) as refused:
        portal.oppslag.identifiser(portal.context(worker, role), {**criteria, "foedselsdato": "18000101"})
    assert refused.value.grunn is Grunn.IKKE_FUNNET

    # The pages identify by number only (then open the card): the record says only the number was asked.
    number = portal.oppslag.identifiser_nummer(portal.context(worker, role), criteria)
    assert number == person
    with served_gateway.engine.connect() as connection:
        latest = connection.execute(
            select(oppslagslogg)
            .where(oppslagslogg.c.person_foedselsnummer == worker.foedselsnummer)
            .order_by(oppslagslogg.c.id.desc())
            .limit(1)
        ).one()
    assert latest.ressurs == "GET personer/entydigsoek" and latest.utfall == "ok"
    assert latest.parametre["part"] == ["identifikasjonsnummer"]


class _Refusing:
    """The embedded upstream, but the register refuses searches as it does with too many or several hits."""

    def __init__(self, upstream: Any, status: int, body: dict[str, Any]) -> None:
        self._upstream, self._status, self._body = upstream, status, body

    def __getattr__(self, name: str) -> Any:
        return getattr(self._upstream, name)

    def soek(self, *args: Any) -> Any:
        raise UpstreamError(self._status, self._body)

    def entydigsoek(self, *args: Any) -> Any:
        raise UpstreamError(self._status, self._body)


@pytest.mark.parametrize(
    ("body", "grunn"),
    [
        ({"feilkode": "FOR_MANGE_TREFF", "feilmelding": "more than 10000"}, Grunn.FOR_MANGE_TREFF),
        ({"feilkode": "INGEN_ENTYDIG_TREFF", "tilleggsinformasjon": {"treff": "flere"}}, Grunn.FLERE_TREFF),
        ({"feilkode": "INGEN_ENTYDIG_TREFF", "tilleggsinformasjon": {"treff": "ingen"}}, Grunn.IKKE_FUNNET),
        ({"feilkode": "INGEN_ENTYDIG_TREFF"}, Grunn.INGEN_ENTYDIG_TREFF),  # a register that does not say
    ],
)
def test_the_registers_search_refusals_are_explained(
    served_gateway: ServedGateway, portal: Portal, body: dict[str, Any], grunn: Grunn
) -> None:
    worker, role = portal.granted(CARD_PARTS)
    status = 400 if body["feilkode"] == "FOR_MANGE_TREFF" else 404
    with served_gateway.in_process_gateway() as gateway:
        refusing = _Refusing(gateway.upstream, status, body)
        oppslag = Portaloppslag(MirroredApi(gateway.access, refusing, gateway.audit))  # type: ignore[arg-type]
        context = portal.context(worker, role)
        with pytest.raises(Avvisning) as refused:
            if body["feilkode"] == "FOR_MANGE_TREFF":
                oppslag.soek(context, {"foedselsaarFraOgMed": "1900"})
            else:
                oppslag.identifiser(context, {"navn": "Kari Nordmann", "foedselsdato": "19800101"})
    assert refused.value.grunn is grunn
    assert record(served_gateway, refused.value.revisjonsreferanse or "")["personer"] == []


def test_the_package_without_legal_basis_sees_through_the_portal_what_it_sees_through_the_api(
    served_gateway: ServedGateway, portal: Portal
) -> None:
    worker, role = portal.granted(
        ["navn", "bostedsadresse", "status"], pakke=Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
    )
    for example in ("fortrolig", "ordinary-adult"):
        person = served_gateway.examples[example][0]
        revealed = portal.oppslag.vis_skjermet_adresse(portal.context(worker, role), person)
        assert revealed.dokument == machine_document(served_gateway, role, person, False)
