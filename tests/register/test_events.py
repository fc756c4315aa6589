"""The event feed, event documents and archived versions, over a served register the simulator keeps changing."""

from __future__ import annotations

import gc
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from fiks_folkeregister.domain.beskyttelse import event_graded_as_now
from fiks_folkeregister.domain.hendelse import CONFIDENTIAL_EVENT_TYPES, egenskapshendelser
from fiks_folkeregister.domain.informasjonselementer import ELEMENTS
from fiks_folkeregister.register.hendelser.tables import hendelse
from fiks_folkeregister.register.repository import current_identifier
from fiks_folkeregister.register.search.indeks import index_rows
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.tables import (
    SEARCH_TABLES,
    person,
    person_arkiv,
    soek_adresse,
    soek_identifikasjon,
    soek_navn,
    soek_person,
)
from tests.register.conftest import MED, UTEN, ServedRegister

SIMULATED = 2500
ALL_PARTS = [*ELEMENTS, "historikk"]


def service(register: ServedRegister) -> RegisterService:
    return register.client.app.state.register.service  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(scope="module")
def simulated(served_register: ServedRegister) -> ServedRegister:
    service(served_register).hendelser.log.simulate(Simulator(3, date(2026, 11, 1)), SIMULATED)
    return served_register


def feed(register: ServedRegister, seq: Any, package: str = "offentlig-med-hjemmel", **headers: str) -> Any:
    scope = MED if package == "offentlig-med-hjemmel" else UTEN
    return register.client.get(
        register.url(package, "hendelser/feed"),
        params={"seq": seq},
        headers={**register.auth(scope), **headers},
    )


def read_all(register: ServedRegister, start: int = 1, package: str = "offentlig-med-hjemmel") -> list[dict]:
    entries: list[dict] = []
    seq = start
    while True:
        response = feed(register, seq, package)
        assert response.status_code == 200, response.text
        page = response.json()
        if not page:
            return entries
        entries += page
        seq = page[-1]["sekvensnummer"] + 1


def latest(register: ServedRegister, package: str = "offentlig-med-hjemmel") -> int:
    scope = MED if package == "offentlig-med-hjemmel" else UTEN
    response = register.client.get(
        register.url(package, "hendelser/siste/sekvensnummer"), headers=register.auth(scope)
    )
    assert response.status_code == 200
    number = response.json()
    assert type(number) is int  # a bare JSON number, as the spec declares
    return number


# ---------------------------------------------------------------- the feed


def test_feed_pages_hold_1000_events_in_unbroken_sequence(
    simulated: ServedRegister, register_spec: dict
) -> None:
    from tests.contract import validate_against_spec

    first = feed(simulated, 1).json()
    assert len(first) == 1000
    assert [e["sekvensnummer"] for e in first] == list(range(1, 1001))
    for entry in first[:50]:
        validate_against_spec(register_spec, "hendelser.LagretHendelseMedDokumentIdentifikatorer", entry)
    entries = read_all(simulated)
    assert [e["sekvensnummer"] for e in entries] == list(range(1, latest(simulated) + 1))
    assert len({e["hendelse"]["hendelsesdokument"] for e in entries}) == len(entries)


def test_a_seq_beyond_the_end_is_an_empty_page(simulated: ServedRegister) -> None:
    response = feed(simulated, latest(simulated) + 10)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("seq", ["-1", "abc", "1.5", ""])
def test_bad_seq_is_a_clear_400(simulated: ServedRegister, seq: str) -> None:
    response = feed(simulated, seq)
    assert response.status_code == 400
    assert response.json()["feilkode"] == "UGYLDIG_PARAMETER"
    assert "seq" in response.json()["feilmelding"]


def test_etag_gives_304_until_something_new_arrives(simulated: ServedRegister) -> None:
    end = latest(simulated)
    tail = feed(simulated, end)
    etag = tail.headers["ETag"]
    assert feed(simulated, end, **{"If-None-Match": etag}).status_code == 304
    full = feed(simulated, 1)
    assert feed(simulated, 1, **{"If-None-Match": full.headers["ETag"]}).status_code == 304
    service(simulated).hendelser.log.simulate(Simulator(4, date(2026, 11, 1)), 3)
    again = feed(simulated, end, **{"If-None-Match": etag})
    assert again.status_code == 200
    assert len(again.json()) > 1


def test_atom_feed_parses_and_next_links_walk_the_whole_feed(simulated: ServedRegister) -> None:
    feedparser = pytest.importorskip("feedparser")
    url = simulated.url("offentlig-med-hjemmel", "hendelser/feed")
    headers = {**simulated.auth(MED), "Accept": "application/atom+xml"}
    response = simulated.client.get(url, params={"seq": 1}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    seen: list[int] = []
    for _ in range(20):
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        links = {link["rel"]: link["href"] for link in parsed.feed.links}
        assert {"self", "first", "next"} <= links.keys()
        assert links["first"].endswith("seq=1")
        if not parsed.entries:
            break
        seen += [orjson.loads(entry.content[0].value)["sekvensnummer"] for entry in parsed.entries]
        assert parsed.entries[0].id.startswith("urn:uuid:")
        response = simulated.client.get(links["next"], headers=headers)
        assert response.status_code == 200
    assert seen == list(range(1, latest(simulated) + 1))


def test_the_feed_is_negotiated_by_quality_not_by_order(simulated: ServedRegister) -> None:
    json_preferred = feed(simulated, 1, Accept="application/atom+xml;q=0.5, application/json")
    atom_preferred = feed(simulated, 1, Accept="application/json;q=0.4, application/atom+xml")

    assert json_preferred.status_code == 200 and json_preferred.headers["content-type"].startswith(
        "application/json"
    )
    assert atom_preferred.status_code == 200
    assert atom_preferred.headers["content-type"].startswith("application/atom+xml")
    assert json_preferred.headers["ETag"] != atom_preferred.headers["ETag"]


def test_unsupported_accept_is_still_406(simulated: ServedRegister) -> None:
    response = simulated.client.get(
        simulated.url("offentlig-med-hjemmel", "hendelser/feed"),
        params={"seq": 1},
        headers={**simulated.auth(MED), "Accept": "text/csv"},
    )
    assert response.status_code == 406


# ---------------------------------------------------------------- event documents and archived versions


def test_event_documents_match_the_archived_versions(simulated: ServedRegister, register_spec: dict) -> None:
    from tests.contract import validate_against_spec

    entries = feed(simulated, 1).json()[:300]
    with simulated.repository.engine.connect() as connection:
        previous = dict(
            connection.execute(
                select(hendelse.c.hendelsesidentifikator, hendelse.c.forrige_persondokument)
            ).all()
        )
    ids = [e["hendelse"]["hendelsesdokument"] for e in entries]
    response = simulated.client.post(
        simulated.url("offentlig-med-hjemmel", "hendelser/bulkoppslag"),
        json={"dokumentidentifikator": ids},
        headers=simulated.auth(MED),
    )
    assert response.status_code == 200
    documents = {d["dokumentidentifikator"]: d for d in response.json()}
    assert list(documents) == ids
    archive = simulated.repository.archived_documents(
        [e["hendelse"]["persondokument"] for e in entries] + [p for p in previous.values() if p]
    )
    for entry in entries:
        event = entry["hendelse"]
        document = documents[event["hendelsesdokument"]]
        validate_against_spec(register_spec, "hendelse.v1.DokumentForHendelse", document)
        after = orjson.loads(archive[event["persondokument"]].dokument)
        before_id = previous[event["hendelsesdokument"]]
        before = orjson.loads(archive[before_id].dokument) if before_id else None
        assert document["hendelse"]["hendelsestype"] == event["hendelsetype"]
        assert document["hendelse"]["folkeregisteridentifikator"] == event["folkeregisteridentifikator"]
        # graded as the person's current protection says (domain.beskyttelse), then strengtFortrolig left out
        derived = {"hendelse": {"egenskapshendelse": egenskapshendelser(before, after)}}
        now = orjson.loads(archive[event["persondokument"]].gjeldende)
        expected = [
            e
            for e in event_graded_as_now(derived, now)["hendelse"]["egenskapshendelse"]
            if not any(
                isinstance(v, dict) and v.get("adressegradering") == "strengtFortrolig" for v in e.values()
            )
        ]
        assert document["hendelse"]["egenskapshendelse"] == expected
        archived = simulated.client.get(
            simulated.url("offentlig-med-hjemmel", f"personer/arkiv/{event['persondokument']}"),
            params={"part": ALL_PARTS},
            headers=simulated.auth(MED),
        )
        assert archived.status_code == 200
        numbers = [n["foedselsEllerDNummer"] for n in archived.json()["identifikasjonsnummer"]]
        assert event["folkeregisteridentifikator"] in numbers


def test_single_event_document_and_unknown_id(simulated: ServedRegister) -> None:
    entry = feed(simulated, 1).json()[0]["hendelse"]
    url = simulated.url("offentlig-med-hjemmel", f"hendelser/{entry['hendelsesdokument']}")
    response = simulated.client.get(url, headers=simulated.auth(MED))
    assert response.status_code == 200
    assert response.json()["dokumentidentifikator"] == entry["hendelsesdokument"]
    unknown = simulated.client.get(
        simulated.url("offentlig-med-hjemmel", "hendelser/00000000-0000-4000-8000-000000000000"),
        headers=simulated.auth(MED),
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize("body", [{}, {"dokumentidentifikator": []}, {"dokumentidentifikator": "x"}, []])
def test_malformed_event_bulk_bodies_are_400(simulated: ServedRegister, body: Any) -> None:
    response = simulated.client.post(
        simulated.url("offentlig-med-hjemmel", "hendelser/bulkoppslag"),
        json=body,
        headers=simulated.auth(MED),
    )
    assert response.status_code == 400


# ---------------------------------------------------------------- what the simulator leaves behind


def test_person_rows_and_search_index_match_the_current_documents(simulated: ServedRegister) -> None:
    """The simulator writes only the index rows that changed: the result must be what indexing afresh gives."""
    with simulated.repository.engine.connect() as connection:
        rows = connection.execute(
            select(person.c.id, person.c.foedsels_eller_d_nummer, person_arkiv.c.dokument).join(
                person_arkiv, person_arkiv.c.dokumentidentifikator == person.c.dokumentidentifikator
            )
        ).all()
        changed = set(connection.execute(select(hendelse.c.person_id)).scalars())
        ids = connection.execute(select(hendelse.c.hendelsesidentifikator, hendelse.c.persondokument)).all()
        stored = {
            table.name: Counter(tuple(row) for row in connection.execute(select(table)))
            for table in SEARCH_TABLES
        }
    assert len(changed) > 500, "the simulation changed too few persons to tell"
    expected: dict[str, Counter[tuple[Any, ...]]] = {table.name: Counter() for table in SEARCH_TABLES}
    for person_id, number, dokument in rows:
        document = orjson.loads(dokument)
        assert number == current_identifier(document)
        found = index_rows(person_id, document)
        for table, table_rows in (
            (soek_person, [found.person]),
            (soek_navn, found.navn),
            (soek_adresse, found.adresser),
            (soek_identifikasjon, found.identifikasjoner),
        ):
            expected[table.name].update(tuple(row[c.name] for c in table.columns) for row in table_rows)
    for table in SEARCH_TABLES:
        assert stored[table.name] == expected[table.name], table.name
    for event_id, document_id in ids:  # identifiers are UUIDs (time-ordered ones, RFC 9562 version 7)
        assert uuid.UUID(event_id).version == 7 and uuid.UUID(document_id).version == 7
    assert gc.isenabled(), "the simulator turns the cyclic garbage collector back on"


# ---------------------------------------------------------------- offentlig-uten-hjemmel


def test_uten_hjemmel_gets_no_event_documents(simulated: ServedRegister) -> None:
    entry = feed(simulated, 1).json()[0]["hendelse"]
    auth = simulated.auth(UTEN)
    one = simulated.client.get(
        simulated.url("offentlig-uten-hjemmel", f"hendelser/{entry['hendelsesdokument']}"), headers=auth
    )
    bulk = simulated.client.post(
        simulated.url("offentlig-uten-hjemmel", "hendelser/bulkoppslag"),
        json={"dokumentidentifikator": [entry["hendelsesdokument"]]},
        headers=auth,
    )
    assert one.status_code == bulk.status_code == 403


def test_uten_hjemmel_feed_reveals_no_confidential_facts(simulated: ServedRegister) -> None:
    med = read_all(simulated)
    uten = read_all(simulated, package="offentlig-uten-hjemmel")
    assert 0 < len(uten) < len(med)
    withheld = {e["sekvensnummer"] for e in med} - {e["sekvensnummer"] for e in uten}
    assert any(
        e["hendelse"]["hendelsetype"] == "endringIFamilierelasjon"
        for e in med
        if e["sekvensnummer"] in withheld
    )
    assert not {e["hendelse"]["hendelsetype"] for e in uten} & {str(t) for t in CONFIDENTIAL_EVENT_TYPES}
    address_events = [
        e for e in uten if e["hendelse"]["hendelsetype"].startswith(("endringIBosteds", "endringIDelt"))
    ]
    documents = simulated.repository.archived_documents(
        [e["hendelse"]["persondokument"] for e in address_events]
    )
    for version in documents.values():
        document = orjson.loads(version.dokument)
        grading = [e["graderingsnivaa"] for e in document.get("adressebeskyttelse", ()) if e["erGjeldende"]]
        assert grading in ([], ["ugradert"])
    assert latest(simulated, "offentlig-uten-hjemmel") == uten[-1]["sekvensnummer"]


# ---------------------------------------------------------------- concurrent writes and a consumer


def _follow(register: ServedRegister, stop: threading.Event) -> Iterator[dict]:
    """A feed reader: pages from 1, polling at the end until told to stop and nothing is left."""
    seq = 1
    while True:
        page = feed(register, seq).json()
        if page:
            yield from page
            seq = page[-1]["sekvensnummer"] + 1
        elif stop.is_set():
            final = feed(register, seq).json()
            if not final:
                return
            yield from final
            seq = final[-1]["sekvensnummer"] + 1


def test_a_consumer_following_the_feed_during_writes_ends_with_the_registers_state(
    simulated: ServedRegister,
) -> None:
    """Reads the feed while the simulator writes, applies each event's archived version, compares at the end."""
    stop = threading.Event()
    failure: list[BaseException] = []

    def write() -> None:
        try:
            service(simulated).hendelser.log.simulate(
                Simulator(11, date(2026, 11, 1)), 3000, batch_events=150
            )
        except BaseException as error:  # pragma: no cover - reported below
            failure.append(error)
        finally:
            stop.set()

    writer = threading.Thread(target=write)
    writer.start()
    state: dict[str, str] = {}
    sequence: list[int] = []
    for entry in _follow(simulated, stop):
        sequence.append(entry["sekvensnummer"])
        state[entry["hendelse"]["folkeregisteridentifikator"]] = entry["hendelse"]["persondokument"]
    writer.join()
    assert not failure, failure
    assert sequence == list(range(1, latest(simulated) + 1)), "lost or duplicated events"
    mine = simulated.repository.archived_documents(state.values())
    theirs = simulated.repository.current_documents(state)
    for number, dokid in state.items():
        assert mine[dokid].dokument == theirs[number].dokument, number
    # and through the API, minimised alike
    sample = list(state.items())[:100]
    fetched = simulated.client.post(
        simulated.url("offentlig-med-hjemmel", "personer/bulkoppslag/arkiv"),
        params={"part": ALL_PARTS},
        json={"dokumentidentifikator": [dokid for _, dokid in sample]},
        headers=simulated.auth(MED),
    ).json()["oppslag"]
    current = simulated.client.post(
        simulated.url("offentlig-med-hjemmel", "personer/bulkoppslag"),
        params={"part": ALL_PARTS, "somBestilt": "true"},
        json={"foedselsEllerDNummer": [number for number, _ in sample]},
        headers=simulated.auth(MED),
    ).json()["oppslag"]
    assert [e["folkeregisterperson"] for e in fetched] == [e["folkeregisterperson"] for e in current]
