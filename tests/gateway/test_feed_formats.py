"""The event feed through the gateway as Atom, with ETag/304, and 405/406 for wrong methods and formats."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.register.simulator import Simulator
from tests.gateway.conftest import Integration, ServedGateway

feedparser = pytest.importorskip("feedparser")

FEED = (Bruksomraade.HENDELSESLISTE,)
BASIS = ["person-basis"]
ATOM = "application/atom+xml"
UTEN = Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL


def _simulate(gateway: ServedGateway, events: int, seed: int) -> None:
    """Events in the register on the gateway's data, made in this process."""
    gateway.register.service.hendelser.log.simulate(Simulator(seed, date(2026, 11, 1)), events)


@pytest.fixture(scope="module")
def gateway(served_gateway: ServedGateway) -> ServedGateway:
    _simulate(served_gateway, 1100, seed=11)  # more than one page of 1000
    return served_gateway


def _feed(gateway: ServedGateway, integration: Integration, role: Any, seq: Any, **headers: str) -> Any:
    return gateway.client.get(
        gateway.url(role, "hendelser/feed"),
        params={"seq": seq},
        headers={**gateway.headers(integration), **headers},
    )


def _json_feed(gateway: ServedGateway, integration: Integration, role: Any) -> list[dict[str, Any]]:
    """Every entry the role can read, page by page, as JSON."""
    entries: list[dict[str, Any]] = []
    seq = 1
    while True:
        page = _feed(gateway, integration, role, seq).json()
        if not page:
            return entries
        entries += page
        seq = page[-1]["sekvensnummer"] + 1


def _atom_feed(gateway: ServedGateway, integration: Integration, role: Any) -> list[dict[str, Any]]:
    """Every entry the role can read, following the Atom pages' next links through the gateway."""
    own_feed = gateway.url(role, "hendelser/feed")
    headers = {**gateway.headers(integration), "Accept": ATOM}
    response = gateway.client.get(own_feed, params={"seq": 1}, headers=headers)
    entries: list[dict[str, Any]] = []
    for _ in range(10):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(ATOM)
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        links = {link["rel"]: link["href"] for link in parsed.feed.links}
        assert links.keys() >= {"self", "first", "next"}
        for href in links.values():
            assert urlsplit(href).path == own_feed  # the gateway's URL for this role, never the register's
        assert parse_qs(urlsplit(links["first"]).query) == {"seq": ["1"]}
        if not parsed.entries and links["next"] == links["self"]:
            return entries  # the end: an empty page's next is itself (poll it again later)
        entries += [orjson.loads(entry.content[0].value) for entry in parsed.entries]
        response = gateway.client.get(links["next"], headers=headers)
    raise AssertionError("the next links never reached the end of the feed")


def test_atom_through_the_gateway_walks_the_whole_feed_by_its_own_links(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=FEED)

    atom = _atom_feed(gateway, integration, role)

    json = _json_feed(gateway, integration, role)
    assert len(json) > 1000
    assert atom == json


def test_an_atom_page_is_audited_with_the_persons_it_shows(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=FEED)

    response = _feed(gateway, integration, role, 1001, Accept=ATOM)

    shown = [orjson.loads(e.content[0].value) for e in feedparser.parse(response.content).entries]
    record = gateway.audit_record(response.headers["X-Request-Id"])
    assert record["status"] == 200 and record["utfall"] == "ok"
    assert record["ressurs"] == "GET hendelser/feed" and record["parametre"] == {"seq": "1001"}
    assert record["personer"] == list(
        dict.fromkeys(e["hendelse"]["folkeregisteridentifikator"] for e in shown)
    )


def test_an_uten_hjemmel_role_sees_in_atom_exactly_what_it_sees_in_json(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(["navn"], pakke=UTEN, bruksomraader=FEED)
    med_integration, med_role = gateway.config.granted_role(BASIS, bruksomraader=FEED)

    atom = _atom_feed(gateway, integration, role)

    assert atom == _json_feed(gateway, integration, role)
    everything = _json_feed(gateway, med_integration, med_role)
    assert len(atom) < len(everything)
    assert not any(e["hendelse"]["hendelsetype"] == "endringIFamilierelasjon" for e in atom)


def test_if_none_match_gives_304_without_data_and_is_audited(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=FEED)
    first = _feed(gateway, integration, role, 1)
    etag = first.headers["ETag"]

    again = _feed(gateway, integration, role, 1, **{"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    record = gateway.audit_record(again.headers["X-Request-Id"])
    assert (record["status"], record["utfall"], record["personer"]) == (304, "ok", [])
    assert record["parametre"] == {"seq": "1"} and record["rolle_id"] == role.id
    in_a_list = _feed(gateway, integration, role, 1, **{"If-None-Match": f'"older", {etag}'})
    assert in_a_list.status_code == 304
    other_tag = _feed(gateway, integration, role, 1, **{"If-None-Match": 'W/"something-else"'})
    assert other_tag.status_code == 200 and other_tag.json() == first.json()


def test_the_etag_differs_per_format_and_role(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=FEED)
    other_integration, other_role = gateway.config.granted_role(BASIS, bruksomraader=FEED)
    json_tag = _feed(gateway, integration, role, 1).headers["ETag"]

    atom = _feed(gateway, integration, role, 1, Accept=ATOM, **{"If-None-Match": json_tag})
    other = _feed(gateway, other_integration, other_role, 1, **{"If-None-Match": json_tag})

    assert atom.status_code == 200 and atom.headers["content-type"].startswith(ATOM)
    assert atom.headers["ETag"] != json_tag
    assert (
        _feed(
            gateway, integration, role, 1, Accept=ATOM, **{"If-None-Match": atom.headers["ETag"]}
        ).status_code
        == 304
    )
    assert other.status_code == 200 and other.headers["ETag"] != json_tag


def test_the_tail_is_not_modified_until_new_events_arrive(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=FEED)
    latest = gateway.client.get(
        gateway.url(role, "hendelser/siste/sekvensnummer"), headers=gateway.headers(integration)
    ).json()
    for accept in ("application/json", ATOM):
        tail = _feed(gateway, integration, role, latest + 1, Accept=accept)
        tag = tail.headers["ETag"]
        assert (
            _feed(gateway, integration, role, latest + 1, Accept=accept, **{"If-None-Match": tag}).status_code
            == 304
        )

        _simulate(gateway, 3, seed=len(accept))

        grown = _feed(gateway, integration, role, latest + 1, Accept=accept, **{"If-None-Match": tag})
        assert grown.status_code == 200 and grown.headers["ETag"] != tag
        assert grown.content


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", "application/json;q=0, application/atom+xml;q=0"]
)
def test_a_format_the_feed_is_not_served_in_is_406(served_gateway: ServedGateway, accept: str) -> None:
    integration, role = served_gateway.config.granted_role(BASIS, bruksomraader=FEED)

    response = _feed(served_gateway, integration, role, 1, Accept=accept)

    assert response.status_code == 406
    body = response.json()
    assert body["errorCode"] == "IKKE_STOETTET_FORMAT" and body["status"] == 406
    assert "application/atom+xml" in body["message"]
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["status"], record["utfall"], record["personer"]) == (406, "avvist", [])


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("text/html, application/json;q=0.5", "application/json"),
        ("application/json;q=0, application/atom+xml", ATOM),
        ("application/*", "application/json"),
        ("application/atom+xml, application/json", ATOM),
        ("*/*", "application/json"),
    ],
)
def test_the_feed_answers_the_format_the_client_prefers(
    served_gateway: ServedGateway, accept: str, served: str
) -> None:
    integration, role = served_gateway.config.granted_role(BASIS, bruksomraader=FEED)

    response = _feed(served_gateway, integration, role, 1, Accept=accept)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(served)


def test_person_lookups_are_json_only(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(BASIS)
    url = served_gateway.url(role, f"personer/{served_gateway.examples['ordinary-adult'][0]}")

    atom = served_gateway.client.get(url, headers={**served_gateway.headers(integration), "Accept": ATOM})
    json = served_gateway.client.get(
        url, headers={**served_gateway.headers(integration), "Accept": "application/json"}
    )

    assert atom.status_code == 406 and atom.json()["errorCode"] == "IKKE_STOETTET_FORMAT"
    assert json.status_code == 200 and "ETag" not in json.headers


@pytest.mark.parametrize(
    ("method", "resource", "allow", "ressurs"),
    [
        ("POST", "personer/{fnr}", "GET, HEAD", "POST personer/{personidentifikator}"),
        ("DELETE", "hendelser/feed", "GET, HEAD", "DELETE hendelser/feed"),
        ("PUT", "uttrekk/tilpasset", "POST", "PUT uttrekk/tilpasset"),
        ("GET", "personer/bulkoppslag/arkiv", "POST", "GET personer/bulkoppslag/arkiv"),
    ],
)
def test_a_method_the_path_does_not_serve_is_405_with_allow_and_audited(
    served_gateway: ServedGateway, method: str, resource: str, allow: str, ressurs: str
) -> None:
    integration, role = served_gateway.config.granted_role(BASIS, bruksomraader=FEED)
    fnr = served_gateway.examples["ordinary-adult"][0]

    response = served_gateway.client.request(
        method,
        served_gateway.url(role, resource.format(fnr=fnr)),
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    body = response.json()
    assert body["errorCode"] == "METODE_IKKE_TILLATT" and body["status"] == 405
    assert body["path"] == served_gateway.url(role, resource.format(fnr=fnr))
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["status"], record["utfall"], record["feilkode"]) == (405, "avvist", "METODE_IKKE_TILLATT")
    assert record["ressurs"] == ressurs and record["personer"] == []


def test_405_needs_valid_credentials_and_unknown_paths_stay_404(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(BASIS, bruksomraader=FEED)

    anonymous = served_gateway.client.delete(served_gateway.url(role, "hendelser/feed"))
    unknown = served_gateway.client.delete(
        served_gateway.url(role, "hendelser/feed/mer"), headers=served_gateway.headers(integration)
    )

    assert anonymous.status_code == 401 and "Allow" not in anonymous.headers
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == "UKJENT_RESSURS"
