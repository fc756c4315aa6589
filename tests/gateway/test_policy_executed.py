"""The role's policy sees what the register will execute: search flags as parsed, every extract criterion,
and only the event types within the role in the feed, `siste/sekvensnummer` and event documents."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from fiks_folkeregister.domain.informasjonselementer import ELEMENTS, Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.domain.rollepolicy import EVENT_TYPE_ELEMENTS
from fiks_folkeregister.http.errors import register_body
from fiks_folkeregister.register.errors import RegisterError
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.uttrekk.tables import uttrekk_jobb
from tests.gateway.conftest import ORG_A, Integration, ServedGateway

FEED = (Bruksomraade.HENDELSESLISTE,)
EXTRACT = (Bruksomraade.UTTREKK,)
MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
ALL_STATUS_TYPES = ["aktiv", "bosatt", "utflyttet", "doed", "inaktiv"]


@pytest.fixture(scope="module")
def gateway(served_gateway: ServedGateway) -> ServedGateway:
    """The served gateway with 1500 events (deaths, marriages, moves, births …) in its register."""
    served_gateway.register.service.hendelser.log.simulate(Simulator(23, date(2026, 11, 1)), 1500)
    return served_gateway


def _get(gateway: ServedGateway, integration: Integration, role: Any, resource: str, query: str = "") -> Any:
    """A GET with the query string exactly as written (no re-encoding of padding or plus signs)."""
    url = gateway.url(role, resource) + (f"?{query}" if query else "")
    return gateway.client.get(url, headers=gateway.headers(integration))


def _assert_refused(gateway: ServedGateway, response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body.get("errorCode", body.get("feilkode")) == code
    record = gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["status"], record["utfall"], record["feilkode"], record["personer"]) == (
        status,
        "avvist",
        code,
        [],
    )
    return body


# ---------------------------------------------------------------- item 3: search flags as parsed

FNR = "01010112345"


@pytest.mark.parametrize(
    ("resource", "query", "parts", "code", "refused"),
    [
        ("personer/soek", "navn=Ola%20Nordmann&opplysningsgrunnlag=%20historisk", ["navn"], "H", None),
        ("personer/soek", "navn=Ola%20Nordmann&opplysningsgrunnlag=historisk%09", ["navn"], "H", None),
        ("personer/soek", "navn=Ola%20Nordmann&inkluderDoede=%20true", ["navn"], "K", ["inkluderDoede"]),
        ("personer/soek", "navn=Ola%20Nordmann&inkluderDoede=+true", ["navn"], "K", ["inkluderDoede"]),
        ("personer/soek", "navn=Ola%20Nordmann&inkluderDoede=TRUE%20", ["navn"], "K", ["inkluderDoede"]),
        ("personer/soek", "navn=Ola%20Nordmann&inkluderDoede=%C2%A0true", ["navn"], "K", ["inkluderDoede"]),
        (
            "personer/soek",
            "adressenavn=Storgata&inkluderOppholdsadresse=%20true",
            ["navn", "bostedsadresse"],
            "K",
            ["inkluderOppholdsadresse"],
        ),
        (
            "personer/entydigsoek",
            f"navn=Ola%20Nordmann&identifikasjonsnummer={FNR}&opplysningsgrunnlag=%20historisk&part=navn",
            ["navn"],
            "H",
            None,
        ),
    ],
)
def test_padded_flags_are_authorised_as_the_register_reads_them(
    gateway: ServedGateway, resource: str, query: str, parts: list[str], code: str, refused: list[str] | None
) -> None:
    integration, role = gateway.config.granted_role(parts)

    response = _get(gateway, integration, role, resource, query)

    expected = {"H": "HISTORIKK_IKKE_TILLATT", "K": "KRITERIUM_IKKE_TILLATT"}[code]
    body = _assert_refused(gateway, response, 403, expected)
    if refused is not None:
        assert body["errorJson"]["ikkeTillatteKriterier"] == refused


def test_a_padded_flag_the_role_holds_runs_as_the_canonical_one(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(["navn", "kjoenn", "doedsfall"])
    padded = _get(
        gateway, integration, role, "personer/soek", "kjoenn=%20kvinne&inkluderDoede=+TRUE&maksTreff=07"
    )
    plain = _get(gateway, integration, role, "personer/soek", "kjoenn=kvinne&inkluderDoede=true&maksTreff=7")
    assert padded.status_code == plain.status_code == 200, padded.text
    assert padded.json() == plain.json() and len(plain.json()["foedselsEllerDNummer"]) == 7


@pytest.mark.parametrize(
    ("resource", "query"),
    [
        ("personer/soek", "foedselsaarFraOgMed=%D9%A1%D9%A9%D9%A8%D9%A0"),  # Arabic-Indic digits
        (
            "personer/soek",
            "navn=Ola%20Nordmann&foedselsdato=%EF%BC%91%EF%BC%99%EF%BC%98%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%90%EF%BC%91",
        ),
        ("personer/soek", "navn=Ola&navn=Kari"),
        ("personer/soek", "Navn=Ola"),
        ("personer/soek", "navn=Ola&kjoenn=%20"),
        ("personer/soek", "navn=Ola&inkluderDoede=ja"),
        (
            "personer/entydigsoek",
            "part=navn&navn=Ola%20Nordmann&foedselsdato=%D9%A1%D9%A9%D9%A8%D9%A0%D9%A0%D9%A1%D9%A0%D9%A1",
        ),
        ("personer/entydigsoek", "part=navn&navn=Ola%20Nordmann&identifikasjonsnummer=%C2%B9" + "1" * 10),
    ],
)
def test_invalid_search_input_is_the_registers_own_400(
    gateway: ServedGateway, resource: str, query: str
) -> None:
    integration, role = gateway.config.granted_role(["navn", "foedsel", "kjoenn", "doedsfall"])

    response = _get(gateway, integration, role, resource, query)

    criteria: dict[str, list[str]] = {}
    for name, value in parse_qs(query, keep_blank_values=True).items():
        if name != "part":
            criteria[name] = value
    service = gateway.register.service
    with pytest.raises(RegisterError) as register:
        if resource == "personer/soek":
            service.soek(criteria, MED)
        else:
            service.entydigsoek(criteria, MED, None)
    assert response.status_code == 400
    assert response.json() == register_body(register.value)
    _assert_refused(gateway, response, 400, register.value.code)


# ---------------------------------------------------------------- item 4: extract criteria


def _jobs(gateway: ServedGateway) -> int:
    with gateway.register.service.uttrekk.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(uttrekk_jobb)).scalar_one())


@pytest.mark.parametrize(
    ("body", "refused", "missing"),
    [
        ({"personstatustyper": ["doed"]}, "personstatustyper", ["status"]),
        ({"personstatustyper": ["bosatt", "utflyttet"]}, "personstatustyper", ["status"]),
        (
            {"personstatustyper": ALL_STATUS_TYPES, "sivilstandstype": "gift"},
            "sivilstandstype",
            ["sivilstand"],
        ),
        (
            {"personstatustyper": ALL_STATUS_TYPES, "kommunenummer": {"bostedskommunenummer": "0301"}},
            "kommunenummer.bostedskommunenummer",
            ["bostedsadresse"],
        ),
        (
            {"personstatustyper": ALL_STATUS_TYPES, "kommunenummer": {"oppholdskommunenummer": "0301"}},
            "kommunenummer.oppholdskommunenummer",
            ["oppholdsadresse"],
        ),
        (
            {"personstatustyper": ALL_STATUS_TYPES, "statsborgerskap": "SWE"},
            "statsborgerskap",
            ["statsborgerskap"],
        ),
        ({"personstatustyper": ALL_STATUS_TYPES, "kjoenn": "kvinne"}, "kjoenn", ["kjoenn"]),
        (
            {"personstatustyper": ALL_STATUS_TYPES, "foedselsaarFraOgMed": "1950"},
            "foedselsaarFraOgMed",
            ["foedsel"],
        ),
        (
            {"personstatustyper": ALL_STATUS_TYPES, "doedsaarTilOgMed": 2030},
            "doedsaarTilOgMed",
            ["doedsfall"],
        ),
    ],
)
def test_every_extract_criterion_must_lie_within_the_role(
    gateway: ServedGateway, body: dict[str, Any], refused: str, missing: list[str]
) -> None:
    integration, role = gateway.config.granted_role(["navn"], bruksomraader=EXTRACT)
    jobs = _jobs(gateway)

    response = gateway.client.post(
        gateway.url(role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(integration)
    )

    answer = _assert_refused(gateway, response, 403, "KRITERIUM_IKKE_TILLATT")
    assert answer["errorJson"]["ikkeTillatteKriterier"] == [refused]
    assert answer["errorJson"]["manglendeElementer"] == {refused: missing}
    assert refused in answer["message"]
    assert _jobs(gateway) == jobs  # nothing ordered


def test_extract_criteria_within_the_role_are_ordered(gateway: ServedGateway) -> None:
    holding = ["navn", "status", "bostedsadresse", "sivilstand", "foedsel", "doedsfall"]
    integration, role = gateway.config.granted_role(holding, bruksomraader=EXTRACT)
    bodies = [
        {"personstatustyper": ["doed"], "doedsaarFraOgMed": "2000"},
        {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"}},
        {"personstatustyper": ["bosatt"], "sivilstandstype": "gift", "foedselsaarTilOgMed": 1980},
    ]
    for body in bodies:
        response = gateway.client.post(
            gateway.url(role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(integration)
        )
        assert response.status_code == 200, response.text
    navn_integration, navn_role = gateway.config.granted_role(["navn"], bruksomraader=EXTRACT)
    everyone = gateway.client.post(
        gateway.url(navn_role, "uttrekk/tilpasset"),
        json={"personstatustyper": ALL_STATUS_TYPES},
        headers=gateway.headers(navn_integration),
    )
    assert everyone.status_code == 200, everyone.text  # every status type selects nobody out


@pytest.mark.parametrize(
    "body",
    [
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "²⁰¹⁹"},  # int() fails on it: was a 500
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "١٩٨٠"},
        {"personstatustyper": ["bosatt"], "statsborgerskap": "ÆØÅ"},
        {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "9999"}},
        {"personstatustyper": ["levende"]},
    ],
)
def test_invalid_extract_criteria_are_the_registers_own_400(
    gateway: ServedGateway, body: dict[str, Any]
) -> None:
    integration, role = gateway.config.granted_role(list(ELEMENTS), bruksomraader=EXTRACT)
    jobs = _jobs(gateway)

    response = gateway.client.post(
        gateway.url(role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(integration)
    )

    with pytest.raises(RegisterError) as register:
        gateway.register.service.uttrekk.tilpasset(body, MED, ORG_A)
    assert response.status_code == 400, response.text
    assert response.json() == register_body(register.value)
    assert _jobs(gateway) == jobs


# ---------------------------------------------------------------- item 5: the feed


def _walk(gateway: ServedGateway, integration: Integration, role: Any) -> list[dict[str, Any]]:
    """Every entry the role reads as JSON, advancing by sequence numbers."""
    entries: list[dict[str, Any]] = []
    seq = 1
    for _ in range(100):
        page = _get(gateway, integration, role, "hendelser/feed", f"seq={seq}")
        assert page.status_code == 200, page.text
        if not page.json():
            return entries
        entries += page.json()
        seq = page.json()[-1]["sekvensnummer"] + 1
    raise AssertionError("the feed never ended")


def _types(entries: list[dict[str, Any]]) -> set[str]:
    return {e["hendelse"]["hendelsetype"] for e in entries}


def test_the_feed_holds_only_event_types_within_the_role(gateway: ServedGateway) -> None:
    everything = _walk(gateway, *gateway.config.granted_role(list(ELEMENTS), bruksomraader=FEED))
    assert {"personErDoed", "endringISivilstand", "endringIBostedsadresse", "endringINavn"} <= _types(
        everything
    )
    for parts in (["navn"], ["navn", "bostedsadresse"], ["person-basis"]):
        integration, role = gateway.config.granted_role(parts, bruksomraader=FEED)

        seen = _walk(gateway, integration, role)

        allowed = {
            t
            for t, elements in EVENT_TYPE_ELEMENTS.items()
            if elements <= role.elementer | {"identifikasjonsnummer"}
        }
        assert seen == [e for e in everything if e["hendelse"]["hendelsetype"] in allowed]
        assert seen and _types(seen) <= allowed
    integration, role = gateway.config.granted_role(["navn"], bruksomraader=FEED)
    page = _get(gateway, integration, role, "hendelser/feed", "seq=1")
    assert _types(page.json()) == {"endringINavn"}
    shown = list(dict.fromkeys(e["hendelse"]["folkeregisteridentifikator"] for e in page.json()))
    assert gateway.audit_record(page.headers["X-Request-Id"])["personer"] == shown


def test_a_role_that_sees_no_event_gets_empty_pages_pointing_past_them(gateway: ServedGateway) -> None:
    full_integration, full_role = gateway.config.granted_role(list(ELEMENTS), bruksomraader=FEED)
    latest = _get(gateway, full_integration, full_role, "hendelser/siste/sekvensnummer").json()
    assert latest >= 1500
    # No simulated life event changes foedselINorge alone.
    integration, role = gateway.config.granted_role(["foedselINorge"], bruksomraader=FEED)

    json = _get(gateway, integration, role, "hendelser/feed", "seq=1")
    atom = gateway.client.get(
        gateway.url(role, "hendelser/feed"),
        params={"seq": 1},
        headers={**gateway.headers(integration), "Accept": "application/atom+xml"},
    )
    newest = _get(gateway, integration, role, "hendelser/siste/sekvensnummer")

    assert json.status_code == 200 and json.json() == []
    assert gateway.audit_record(json.headers["X-Request-Id"])["personer"] == []
    assert atom.status_code == 200 and b"<entry>" not in atom.content
    next_link = atom.text.split('rel="next" href="')[1].split('"')[0]
    assert parse_qs(urlsplit(next_link.replace("&amp;", "&")).query) == {"seq": [str(latest + 1)]}
    assert newest.json() == 0


def test_siste_sekvensnummer_is_the_newest_event_the_role_sees(gateway: ServedGateway) -> None:
    everything = _walk(gateway, *gateway.config.granted_role(list(ELEMENTS), bruksomraader=FEED))
    integration, role = gateway.config.granted_role(["navn"], bruksomraader=FEED)

    newest = _get(gateway, integration, role, "hendelser/siste/sekvensnummer")

    names = [e["sekvensnummer"] for e in everything if e["hendelse"]["hendelsetype"] == "endringINavn"]
    assert newest.status_code == 200
    assert newest.json() == names[-1]
    assert names[-1] < everything[-1]["sekvensnummer"]


def test_event_documents_outside_the_role_answer_as_unknown(gateway: ServedGateway) -> None:
    everything = _walk(gateway, *gateway.config.granted_role(list(ELEMENTS), bruksomraader=FEED))
    by_type: dict[str, str] = {}
    for entry in everything:
        by_type.setdefault(entry["hendelse"]["hendelsetype"], entry["hendelse"]["hendelsesdokument"])
    integration, role = gateway.config.granted_role(["navn"], bruksomraader=FEED)
    unknown_id = str(uuid.uuid4())

    unknown = _get(gateway, integration, role, f"hendelser/{unknown_id}")
    named = _get(gateway, integration, role, f"hendelser/{by_type['endringINavn']}")
    assert named.status_code == 200 and named.json()["hendelse"]["hendelsestype"] == "endringINavn"
    for hidden in ("personErDoed", "endringISivilstand", "endringIBostedsadresse", "endringIFamilierelasjon"):
        response = _get(gateway, integration, role, f"hendelser/{by_type[hidden]}")

        assert response.status_code == unknown.status_code == 404
        body = response.json()
        assert body == {
            **unknown.json(),
            "feilmelding": unknown.json()["feilmelding"].replace(unknown_id, by_type[hidden]),
        }
        record = gateway.audit_record(response.headers["X-Request-Id"])
        assert record["personer"] == [] and record["status"] == 404
    bulk = gateway.client.post(
        gateway.url(role, "hendelser/bulkoppslag"),
        json={"dokumentidentifikator": list(by_type.values())},
        headers=gateway.headers(integration),
    )
    assert bulk.status_code == 200
    assert [d["hendelse"]["hendelsestype"] for d in bulk.json()] == ["endringINavn"]


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A1", "1%C2%B2", "-1", "%201%20x"])
def test_sequence_numbers_are_read_alike_on_both_sides(gateway: ServedGateway, value: str) -> None:
    # A superscript digit passed str.isdigit() and then failed int(): the register answered 500.
    raw = parse_qs(f"v={value}")["v"][0]
    feed_integration, feed_role = gateway.config.granted_role(["navn"], bruksomraader=FEED)
    extract_integration, extract_role = gateway.config.granted_role(["navn"], bruksomraader=EXTRACT)
    service = gateway.register.service

    feed = _get(gateway, feed_integration, feed_role, "hendelser/feed", f"seq={value}")
    komplett = _get(gateway, extract_integration, extract_role, "uttrekk/komplett", f"feedsekvensnr={value}")

    with pytest.raises(RegisterError) as feed_error:
        service.hendelser.feed(raw, MED)
    with pytest.raises(RegisterError) as komplett_error:
        service.uttrekk.komplett(raw, MED, ORG_A)
    assert (feed.status_code, feed.json()) == (400, register_body(feed_error.value))
    assert (komplett.status_code, komplett.json()) == (400, register_body(komplett_error.value))
