"""The search, hit list, card and document pages in process, over a recording stand-in for the portal
service: what the pages send, show and explain. The service itself (the pipeline with a person principal)
is tested with its own module; the browser tests in tests/pages drive both together."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from fiks_folkeregister.portal.oppslag import (
    Avvisning,
    Grunn,
    Kontekst,
    Personsvar,
    Treff,
    Treffside,
    mask_protected,
)
from fiks_folkeregister.portal.sider import build_pages_router
from tests.portal.conftest import CASE_WORKER, Portal

PERSON = generate_synthetic(date(1984, 5, 17), "kvinne", random.Random(1))
CHILD = generate_synthetic(date(2015, 1, 1), "mann", random.Random(2))
#: Valid, but no person has it.
NOBODY = generate_synthetic(date(1950, 2, 2), "mann", random.Random(3))


def _document(number: str, name: str, grading: str = "ugradert") -> dict[str, Any]:
    return {
        "identifikasjonsnummer": [{"foedselsEllerDNummer": number, "erGjeldende": True}],
        "navn": [
            {"fornavn": name, "etternavn": "Nordmann", "erGjeldende": True},
            {"fornavn": name, "etternavn": "Hansen", "erGjeldende": False},
        ],
        "foedsel": [{"foedselsdato": "1984-05-17", "foedselsaar": "1984", "erGjeldende": True}],
        "bostedsadresse": [
            {
                "adressegradering": grading,
                "vegadresse": {
                    "adressenavn": "Storgata",
                    "adressenummer": {"husnummer": "3"},
                    "kommunenummer": "0301",
                    "poststed": {"postnummer": "0150", "poststedsnavn": "OSLO"},
                },
                "erGjeldende": True,
            }
        ],
        "familierelasjon": [{"relatertPerson": CHILD, "relatertPersonsRolle": "barn", "erGjeldende": True}],
    }


@dataclass
class RecordingService:
    """Answers as the portal service (`portal.oppslag.Portaloppslag`) does, and records every call."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, Kontekst, Any]] = field(default_factory=list)
    refusal: Exception | None = None
    total: int = 60

    def _answer(self, number: str, historikk: bool, reveal: bool) -> Personsvar:
        if self.refusal:
            raise self.refusal
        if number not in self.documents:
            raise Avvisning(Grunn.IKKE_FUNNET, "PERSON_IKKE_FUNNET")
        document = self.documents[number]
        shown = document if reveal else mask_protected(document)
        return Personsvar(shown, f"ref-{len(self.calls)}", historikk, reveal, shown != document)

    def person(self, kontekst: Kontekst, identifikator: str, *, historikk: bool = False) -> Personsvar:
        self.calls.append(("person", kontekst, (identifikator, historikk)))
        return self._answer(identifikator, historikk, reveal=False)

    def vis_skjermet_adresse(
        self, kontekst: Kontekst, identifikator: str, *, historikk: bool = False
    ) -> Personsvar:
        self.calls.append(("vis_skjermet_adresse", kontekst, (identifikator, historikk)))
        return self._answer(identifikator, historikk, reveal=True)

    def identifiser_nummer(self, kontekst: Kontekst, kriterier: Mapping[str, str]) -> str:
        self.calls.append(("identifiser_nummer", kontekst, dict(kriterier)))
        if self.refusal:
            raise self.refusal
        return PERSON

    def soek(self, kontekst: Kontekst, kriterier: Mapping[str, str], side: int = 1) -> Treffside:
        self.calls.append(("soek", kontekst, (dict(kriterier), side)))
        if self.refusal:
            raise self.refusal
        count = min(25, self.total - (side - 1) * 25)
        numbers = [f"{i:011d}" for i in range((side - 1) * 25, (side - 1) * 25 + count)]
        hits = tuple(Treff(n, _document(n, f"Person{n[-2:]}")) for n in numbers)
        return Treffside(hits, self.total, side, -(-self.total // 25), "ref-soek")


@pytest.fixture
def pages(portal: Portal) -> Iterator[tuple[Portal, RecordingService]]:
    """The portal with its pages over the recording service (its routes placed before the real ones)."""
    service = RecordingService(documents={PERSON: _document(PERSON, "Kari"), CHILD: _document(CHILD, "Ola")})
    app = portal.client.app
    faked = build_pages_router(app.state.portal, service, portal.directory)
    app.router.routes[0:0] = faked.routes
    try:
        yield _logged_in(portal, service)
    finally:
        for route in faked.routes:
            app.router.routes.remove(route)


def _logged_in(portal: Portal, service: RecordingService) -> tuple[Portal, RecordingService]:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Barnevern", historikk=True)
    portal.log_in()
    portal.choose(rolle)
    portal.client.post(
        "/portal/saksreferanse", data={"csrf_token": portal.csrf("/portal/"), "saksnummer": "2026/17"}
    )
    return portal, service


def _csrf(portal: Portal) -> str:
    return portal.csrf("/portal/sok")


def _open_card(portal: Portal, number: str = PERSON) -> Any:
    return portal.client.post(
        "/portal/sok/nummer", data={"csrf_token": _csrf(portal), "identifikasjonsnummer": number}
    )


def test_lookup_by_number_opens_the_card_without_the_number_in_any_url(
    pages: tuple[Portal, RecordingService],
) -> None:
    portal, service = pages
    search = portal.client.get("/portal/sok")
    assert search.status_code == 200
    assert ">Fødselsnummer eller d-nummer</label>" in search.text and ">Søk</button>" in search.text
    answer = _open_card(portal)
    assert answer.status_code == 200
    assert PERSON not in str(answer.url) and all(PERSON not in str(r.url) for r in answer.history)
    assert "<h1>Kari Nordmann</h1>" in answer.text
    assert "Storgata 3, 0150 OSLO" in answer.text
    kind, kontekst, (number, historikk) = service.calls[-1]
    assert (kind, number, historikk) == ("person", PERSON, False)
    assert (kontekst.person.foedselsnummer, kontekst.person.navn) == (CASE_WORKER, "Kari Saksbehandler")
    assert kontekst.sak.saksnummer == "2026/17"
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("123", "Nummeret må ha 11 siffer. Du skrev 3 siffer."),
        ("1791841234x", "Nummeret kan bare inneholde siffer."),
        (PERSON[:9] + str((int(PERSON[9]) + 1) % 10) + PERSON[10], "Kontrollsifrene stemmer ikke."),
        ("", "Fyll inn fødselsnummer eller d-nummer."),
    ],
)
def test_an_invalid_number_is_explained_and_nothing_is_looked_up(
    pages: tuple[Portal, RecordingService], typed: str, says: str
) -> None:
    portal, service = pages
    before = len(service.calls)
    answer = _open_card(portal, typed)
    assert answer.status_code == 400
    assert says in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert len(service.calls) == before


def test_an_unknown_number_says_so(pages: tuple[Portal, RecordingService]) -> None:
    portal, _ = pages
    answer = _open_card(portal, NOBODY)
    assert answer.status_code == 404
    assert "Ingen person har dette nummeret i Folkeregisteret." in answer.text


def test_history_switch_and_related_person(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    card = _open_card(portal)
    assert "Hansen" not in card.text
    history = re.search(r'href="(/portal/person/[^"?]+\?historikk=1)"', card.text)
    assert history, card.text
    with_history = portal.client.get(history.group(1))
    assert "Hansen" in with_history.text and "Historisk" in with_history.text
    assert service.calls[-1][2] == (PERSON, True)
    related = re.search(
        r'<a href="(/portal/person/[^"]+)" aria-label="Åpne personkortet[^"]*">([^<]+)</a>', card.text
    )
    assert related
    assert (
        related.group(2) == f"Barn {CHILD}"
    )  # the relation in bokmål beside the number (no name: no lookup)
    child = portal.client.get(related.group(1))
    assert "<h1>Ola Nordmann</h1>" in child.text
    assert service.calls[-1][0] == "person" and service.calls[-1][2] == (CHILD, False)


def test_history_is_not_offered_nor_given_to_a_role_without_it(
    pages: tuple[Portal, RecordingService],
) -> None:
    portal, service = pages
    portal.choose(portal.directory.add_role(CASE_WORKER, "Skatt", historikk=False))
    card = _open_card(portal)
    assert "Vis historikk" not in card.text
    reference = re.search(r'href="(/portal/person/[^"?/]+)/dokument"', card.text)
    assert reference
    portal.client.get(reference.group(1) + "?historikk=1")
    assert service.calls[-1][2] == (PERSON, False)


def test_a_reference_from_another_session_opens_nothing(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    card = _open_card(portal)
    reference = re.search(r'href="(/portal/person/[^"?/]+)/dokument"', card.text)
    assert reference
    portal.log_in()  # a new session: the old references die with the old one
    rolle = portal.directory.roles[CASE_WORKER][0].rolle
    portal.choose(rolle)
    before = len(service.calls)
    answer = portal.client.get(reference.group(1))
    assert answer.status_code == 404
    assert "Lenken gjelder ikke i denne økten" in answer.text
    assert len(service.calls) == before


def test_protected_address_needs_a_confirmed_csrf_post_and_is_its_own_call(
    pages: tuple[Portal, RecordingService],
) -> None:
    portal, service = pages
    service.documents[PERSON] = _document(PERSON, "Kari", grading="fortrolig")
    card = _open_card(portal)
    assert "Storgata" not in card.text
    assert "Vis skjermet adresse" in card.text
    action = re.search(r'<form method="post" action="(/portal/person/[^"]+/skjermet)"', card.text)
    assert action
    token = re.search(r'name="csrf_token" value="([^"]+)"', card.text).group(1)
    # without the token: refused, nothing looked up
    before = len(service.calls)
    assert portal.client.post(action.group(1), data={"navn": "Kari Nordmann"}).status_code == 403
    assert portal.client.post(action.group(1) + "/bekreft", data={"csrf_token": "forged"}).status_code == 403
    assert len(service.calls) == before
    confirm = portal.client.post(action.group(1), data={"csrf_token": token, "navn": "Kari Nordmann"})
    assert confirm.status_code == 200
    assert "Bekreft at du vil se den skjermede adressen" in confirm.text
    assert len(service.calls) == before  # asking to confirm looks nothing up
    shown = portal.client.post(action.group(1) + "/bekreft", data={"csrf_token": token})
    assert "Storgata 3, 0150 OSLO" in shown.text
    assert service.calls[-1][0] == "vis_skjermet_adresse"
    assert "loggreferanse ref-" in shown.text
    # The confirmation was a POST answered with 303; the address is shown by a GET (reloading it is a new,
    # recorded showing, never a form sent again).
    assert [r.status_code for r in shown.history] == [303] and shown.request.method == "GET"
    assert str(shown.url).endswith("/skjermet/vist") and PERSON not in str(shown.url)
    reloaded = portal.client.get(str(shown.url))
    assert "Storgata 3, 0150 OSLO" in reloaded.text and service.calls[-1][0] == "vis_skjermet_adresse"
    # Without the confirmation (another person's card, or a new session) the same kind of address shows
    # nothing: the browser goes back to the card with the address hidden.
    service.documents[CHILD] = _document(CHILD, "Ola", grading="klientadresse")
    child = re.search(r'<a href="(/portal/person/[^"]+)" aria-label="Åpne personkortet', card.text).group(1)
    unconfirmed = portal.client.get(child + "/skjermet/vist", follow_redirects=False)
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"] == child
    assert service.calls[-1][0] == "vis_skjermet_adresse"  # nothing more was looked up


def test_strengt_fortrolig_is_never_shown(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    service.documents[PERSON] = _document(PERSON, "Kari", grading="strengtFortrolig")
    card = _open_card(portal)
    assert "Storgata" not in card.text and "Vis skjermet adresse" not in card.text
    assert "aldri vises" in card.text


def test_document_view_is_headed_with_who_role_time_and_audit_reference(
    pages: tuple[Portal, RecordingService],
) -> None:
    portal, _ = pages
    card = _open_card(portal)
    link = re.search(r'href="(/portal/person/[^"]+/dokument)"', card.text)
    today = _oslo_date()
    document = portal.client.get(link.group(1))
    dated = {today, _oslo_date()}  # the date in Norway, either side of a midnight passed meanwhile
    assert document.status_code == 200
    for text in ("Utskrift fra Folkeregisteret", "Kari Saksbehandler", "Barnevern", "Demo kommune", "ref-"):
        assert text in document.text
    assert any(date in document.text for date in dated)


def _oslo_date() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Oslo")).strftime("%d.%m.%Y")


def _post_search(portal: Portal, path: str, **fields: str) -> Any:
    return portal.client.post(path, data={"csrf_token": _csrf(portal), **fields})


def test_identify_one_opens_the_card_or_explains(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    before = len(service.calls)
    answer = _post_search(portal, "/portal/sok/entydig", navn="Kari Nordmann", foedselsdato="17.05.1984")
    assert "<h1>Kari Nordmann</h1>" in answer.text
    # POST, then 303 to the card's reference (no number in it), where the card is looked up.
    assert [r.status_code for r in answer.history] == [303]
    assert answer.request.method == "GET" and str(answer.url).startswith("http://testserver/portal/person/")
    assert PERSON not in str(answer.url)
    identified, opened = service.calls[before:]
    assert identified[0] == "identifiser_nummer"
    assert identified[2] == {"navn": "Kari Nordmann", "foedselsdato": "19840517"}
    assert opened[0] == "person" and opened[2] == (PERSON, False)
    # Reloading the card repeats the GET only: the identification is not sent again.
    again = portal.client.get(str(answer.url))
    assert "<h1>Kari Nordmann</h1>" in again.text
    assert [call[0] for call in service.calls[before:]] == ["identifiser_nummer", "person", "person"]
    too_little = _post_search(portal, "/portal/sok/entydig", navn="Kari Nordmann")
    assert too_little.status_code == 400 and "Oppgi navnet sammen med" in too_little.text
    service.refusal = Avvisning(Grunn.FLERE_TREFF, "INGEN_ENTYDIG_TREFF")
    several = _post_search(portal, "/portal/sok/entydig", navn="Kari Nordmann", postnummer="0150")
    assert several.status_code == 409 and "Flere personer passer" in several.text
    assert 'value="Kari Nordmann"' in several.text  # what was typed is kept
    service.refusal = Avvisning(Grunn.IKKE_FUNNET, "INGEN_ENTYDIG_TREFF")
    none = _post_search(portal, "/portal/sok/entydig", navn="Kari Nordmann", postnummer="0150")
    assert none.status_code == 404 and "Ingen personer passer" in none.text


def test_hit_list_pages_of_25(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    first = _post_search(portal, "/portal/sok/treffliste", navn="Nordmann")
    assert first.status_code == 200
    assert "60 personer passer. Viser 1–25." in first.text
    assert first.text.count('<th scope="row">') == 25
    assert "Side 1 av 3" in first.text and "Neste side" in first.text and "Forrige side" not in first.text
    assert "17.05.1984" in first.text and "Storgata 3" in first.text
    # The criteria were posted, then kept in the session: the list is a GET naming no criterion.
    assert [r.status_code for r in first.history] == [303] and first.request.method == "GET"
    assert "Nordmann" not in str(first.url)
    after_first = len(service.calls)
    reloaded = portal.client.get(str(first.url))
    assert "Viser 1–25." in reloaded.text and len(service.calls) == after_first + 1
    following = re.search(r'<a class="button button--secondary" href="([^"]+)">Neste side</a>', first.text)
    assert following
    second = portal.client.get(following.group(1).replace("&amp;", "&"))
    assert "Viser 26–50." in second.text and "Forrige side" in second.text
    assert service.calls[-1][2] == ({"navn": "Nordmann"}, 2)
    posted = _post_search(portal, "/portal/sok/treffliste", navn="Nordmann", side="3")
    assert "Viser 51–60." in posted.text and service.calls[-1][2] == ({"navn": "Nordmann"}, 3)


def test_a_hit_list_of_another_session_opens_nothing(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    first = _post_search(portal, "/portal/sok/treffliste", navn="Nordmann")
    portal.log_in()
    portal.choose(portal.directory.roles[CASE_WORKER][0].rolle)
    before = len(service.calls)
    answer = portal.client.get(str(first.url))
    assert answer.status_code == 404 and "Søket er ikke lenger lagret i denne økten" in answer.text
    assert len(service.calls) == before


def test_too_many_lookups_answer_429_with_retry_after(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    card = _open_card(portal)
    service.refusal = Avvisning(
        Grunn.FOR_MANGE_FORESPOERSLER, "FOR_MANGE_FORESPOERSLER", detaljer={"retryAfterSeconds": 17}
    )
    for answer in (
        portal.client.get(str(card.url)),
        _post_search(portal, "/portal/sok/treffliste", navn="Nordmann"),
        _post_search(portal, "/portal/sok/entydig", navn="Kari Nordmann", foedselsdato="17.05.1984"),
    ):
        assert answer.status_code == 429
        assert answer.headers["retry-after"] == "17"
        assert "For mange oppslag" in answer.text and "Prøv igjen om 17 sekunder" in answer.text
        assert "Kari Nordmann</h1>" not in answer.text


def test_hit_list_refusals(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    service.refusal = Avvisning(Grunn.FOR_MANGE_TREFF, "FOR_MANGE_TREFF")
    many = _post_search(portal, "/portal/sok/treffliste", navn="Hansen")
    assert "mer enn 10 000 treff. Avgrens søket" in many.text
    service.refusal = Avvisning(
        Grunn.KRITERIUM_IKKE_TILLATT, "KRITERIUM_IKKE_TILLATT", detaljer={"ikkeTillatteKriterier": ["kjoenn"]}
    )
    forbidden = _post_search(portal, "/portal/sok/treffliste", navn="Hansen", kjoenn="mann")
    assert forbidden.status_code == 403 and "Rollen din kan ikke søke på kjoenn" in forbidden.text
    service.refusal = Avvisning(
        Grunn.UGYLDIG_SOEK,
        "UGYLDIG_PARAMETER",
        "adressenavn needs 3 characters",
        {"parameter": "adressenavn"},
    )
    short = _post_search(portal, "/portal/sok/treffliste", adressenavn="St")
    assert short.status_code == 400 and "Gatenavnet må ha minst 3 bokstaver." in short.text
    nothing = _post_search(portal, "/portal/sok/treffliste", inkluderDoede="true")
    assert nothing.status_code == 400 and "Oppgi minst ett søkekriterium." in nothing.text


def test_criteria_the_role_may_not_use_are_disabled_with_the_reason(
    pages: tuple[Portal, RecordingService],
) -> None:
    portal, _ = pages
    limited = portal.directory.add_role(
        CASE_WORKER, "Skatt", historikk=False
    )  # navn, foedsel, bostedsadresse
    portal.choose(limited)
    page = portal.client.get("/portal/sok").text
    assert re.search(r'<select id="soek-kjoenn" name="kjoenn" disabled', page)
    assert "Ikke tilgjengelig for rollen din: rollen kan ikke se kjønn" in page
    assert "Ikke tilgjengelig for rollen din: rollen har ikke historikk" in page
    assert "Ikke tilgjengelig for rollen din: rollen kan ikke se dødsfall" in page
    assert not re.search(r'id="soek-navn"[^>]*disabled', page)
    assert not re.search(r'id="soek-postnummer"[^>]*disabled', page)


def test_a_role_revoked_during_the_call_shows_the_role_page(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    service.refusal = Avvisning(Grunn.ROLLE_IKKE_TILGJENGELIG, "ROLLE_IKKE_TILDELT")
    answer = _post_search(portal, "/portal/sok/treffliste", navn="Hansen")
    assert answer.status_code == 403
    assert "Du har ikke lenger rollen Barnevern" in answer.text


def test_forms_without_the_csrf_token_are_refused(pages: tuple[Portal, RecordingService]) -> None:
    portal, service = pages
    before = len(service.calls)
    for path in ("/portal/sok/nummer", "/portal/sok/entydig", "/portal/sok/treffliste"):
        answer = portal.client.post(path, data={"identifikasjonsnummer": PERSON, "navn": "Kari Nordmann"})
        assert answer.status_code == 403
    assert len(service.calls) == before


def test_without_a_session_the_pages_send_to_login(portal: Portal) -> None:
    for path in ("/portal/sok", "/portal/person/abc", "/portal/person/abc/dokument"):
        answer = portal.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal/innlogging"
