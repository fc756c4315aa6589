"""Oppslagslogg and Innsyn in process: filters as a GET form, stable pages, the CSV of what is shown, the
person filter and insight by POST only (never an identity number in a URL), each reading about a person
recorded in the lookup log, refusals in bokmål, CSRF, 404 across organisations, operators refused."""

from __future__ import annotations

import csv
import html
import io
import random
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.log import AuditRecord
from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from tests.adminsider.conftest import (
    ADMINISTRATOR,
    ADMINISTRATOR_NAME,
    CONSOLE,
    OPERATOR,
    ORGNR,
    OTHER_ORGNR,
    AdminSite,
)

PAGES = f"/admin/{ORGNR}"
_RNG = random.Random(14)
OTHER_PERSON = "15021951940"
LOOKUP = "GET personer/{personidentifikator}"


def _text(answer: Any) -> str:
    return html.unescape(answer.text)


def _seed(site: AdminSite, count: int = 0) -> dict[str, Any]:
    """A role and an integration of the organisation, and `count` lookups of a person of this test's own
    (`looked_up`) a minute apart, one refused lookup by a case worker; one lookup by the other organisation."""
    tag = uuid4().hex[:8]
    LOOKED_UP = generate_synthetic(date(1972, 9, 13), "kvinne", _RNG)
    role = site.service.create_role(
        CONSOLE, ORGNR, f"Barnevern {tag}", "offentlig-med-hjemmel", ["sok-etter-person"], ["navn"]
    ).rolle
    system = site.service.create_integration(CONSOLE, ORGNR, f"Fagsystem {tag}").integrasjon
    start = datetime.now(UTC) - timedelta(days=2)
    base = {
        "request_id": "r",
        "klient_orgnr": None,
        "ressurs": LOOKUP,
        "status": 200,
        "utfall": "ok",
    }
    records = [
        AuditRecord(
            tidspunkt=start + timedelta(minutes=i),
            orgnr=ORGNR,
            rolle_id=role.id,
            integrasjon_id=system.id,
            parametre={"personidentifikator": LOOKED_UP, "part": ["navn"]},
            personer=(LOOKED_UP,),
            saksnummer=None,
            **base,  # type: ignore[arg-type]
        )
        for i in range(count)
    ]
    records.append(
        AuditRecord(
            tidspunkt=start + timedelta(minutes=count + 1),
            orgnr=ORGNR,
            rolle_id=role.id,
            integrasjon_id=None,
            parametre={"personidentifikator": OTHER_PERSON, "part": ["bostedsadresse"]},
            personer=(),
            kanal="portal",
            prinsipal=kjede.PERSON,
            person_foedselsnummer="02828010002",
            person_navn="Siri Saksbehandler",
            saksnummer="=2026/17",
            **{**base, "utfall": "avvist", "status": 403},  # type: ignore[arg-type]
        )
    )
    records.append(
        AuditRecord(
            tidspunkt=start,
            orgnr=OTHER_ORGNR,
            rolle_id=None,
            integrasjon_id=None,
            parametre={"personidentifikator": LOOKED_UP},
            personer=(LOOKED_UP,),
            **base,  # type: ignore[arg-type]
        )
    )
    for record in records:
        site.gateway.audit.record(record)
    return {"role": role, "system": system, "tag": tag, "looked_up": LOOKED_UP}


def _readings(site: AdminSite) -> list[AuditRecord]:
    return [r for r in site.gateway.audit.query(ORGNR) if r.kanal == "admin"]


def test_the_log_filters_pages_and_downloads_what_is_shown(site: AdminSite) -> None:
    seeded = _seed(site, count=60)
    site.log_in(ADMINISTRATOR)

    first = site.client.get(f"{PAGES}/oppslagslogg", params={"rolle": str(seeded["role"].id)})
    assert first.status_code == 200
    text = _text(first)
    assert "Siri Saksbehandler" in text and f"Fagsystem {seeded['tag']}" in text
    assert "Avvist (403)" in text
    assert seeded["looked_up"][:6] + "*****" in text and seeded["looked_up"] not in text  # masked
    older = re.search(r'href="(\?[^"]*foer=[^"]+)"', first.text)
    assert older, text
    second = site.client.get(f"{PAGES}/oppslagslogg" + html.unescape(older.group(1)))
    assert second.status_code == 200 and "Nyere oppslag" in _text(second)
    csv_link = re.search(r'href="([^"]+\.csv[^"]*)"', second.text)
    assert csv_link
    download = site.client.get(html.unescape(csv_link.group(1)))
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text, newline="")))
    assert rows[0][:3] == ["tidspunkt", "utfall", "status"]
    assert len(rows) - 1 == _text(second).count("<code>GET personer/{personidentifikator}</code>") == 11
    # filters narrow: only the refused one, and its case reference made harmless in the file
    refused = site.client.get(
        f"{PAGES}/oppslagslogg.csv", params={"utfall": "avvist", "rolle": str(seeded["role"].id)}
    )
    rows = list(csv.reader(io.StringIO(refused.text, newline="")))
    assert len(rows) == 2 and dict(zip(rows[0], rows[1], strict=True))["saksnummer"] == "'=2026/17"
    assert _readings(site) == []  # no person named: no reading recorded


def test_wrong_filters_are_explained_and_another_organisations_log_is_not_found(site: AdminSite) -> None:
    _seed(site)
    site.log_in(ADMINISTRATOR)
    for params, words in [
        ({"fra": "29.11.2026"}, "er ikke en dato"),
        ({"fra": "2026-11-29", "til": "2026-11-01"}, "Fra-datoen er etter til-datoen"),
        ({"rolle": "x"}, "Velg en rolle fra listen"),
        ({"hvem": "bruker:" + str(uuid4())}, "Velg hvem som spurte fra listen"),
        ({"utfall": "kanskje"}, "Velg et utfall fra listen"),
        ({"person": "forfalsket"}, "Personfilteret er utløpt"),
        ({"foer": "x"}, "Gå tilbake til første side"),
    ]:
        answer = site.client.get(f"{PAGES}/oppslagslogg", params=params)
        assert answer.status_code == 400, params
        assert words in _text(answer), params
    assert site.client.get(f"/admin/{OTHER_ORGNR}/oppslagslogg").status_code == 404
    assert site.client.get(f"/admin/{OTHER_ORGNR}/oppslagslogg.csv").status_code == 404
    assert site.client.get(f"/admin/{OTHER_ORGNR}/innsyn").status_code == 404


def test_the_person_filter_goes_by_post_and_its_reading_is_recorded(site: AdminSite) -> None:
    seeded = _seed(site, count=2)
    LOOKED_UP = seeded["looked_up"]
    site.log_in(ADMINISTRATOR)
    before = len(_readings(site))

    invalid = site.post(
        f"{PAGES}/oppslagslogg/person", {"foedselsnummer": "12345678901"}, csrf_from=f"{PAGES}/oppslagslogg"
    )
    assert invalid.status_code == 400 and "Fødselsnummeret er ikke gyldig" in _text(invalid)
    answer = site.post(
        f"{PAGES}/oppslagslogg/person",
        {"foedselsnummer": LOOKED_UP, "utfall": "ok", "rolle": str(seeded["role"].id)},
        csrf_from=f"{PAGES}/oppslagslogg",
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert LOOKED_UP not in location and "person=" in location and "utfall=ok" in location
    shown = site.client.get(location)
    assert shown.status_code == 200 and "Viser bare oppslag på personen" in _text(shown)
    assert _text(shown).count("<code>GET personer/{personidentifikator}</code>") == 2
    readings = _readings(site)
    assert len(readings) == before + 1
    assert (readings[0].personer, readings[0].person_foedselsnummer, readings[0].person_navn) == (
        (LOOKED_UP,),
        ADMINISTRATOR,
        ADMINISTRATOR_NAME,
    )
    # the CSV of such a page is a reading too, and holds the same two lookups
    download = site.client.get(location.replace("/oppslagslogg?", "/oppslagslogg.csv?"))
    assert download.status_code == 200 and len(download.text.strip().splitlines()) == 3
    assert len(_readings(site)) == before + 2
    # the reference works only in the session it was made in
    site.client.cookies.clear()
    site.log_in(ADMINISTRATOR)
    assert site.client.get(location).status_code == 400


def test_insight_by_post_shows_every_lookup_of_the_person_and_is_recorded(site: AdminSite) -> None:
    seeded = _seed(site, count=3)
    LOOKED_UP = seeded["looked_up"]
    site.log_in(ADMINISTRATOR)
    form = site.client.get(f"{PAGES}/innsyn")
    assert form.status_code == 200 and 'method="post"' in form.text
    before = len(_readings(site))

    forged = site.client.post(
        f"{PAGES}/innsyn", data={"csrf_token": "forfalsket", "foedselsnummer": LOOKED_UP}
    )
    assert forged.status_code == 403 and len(_readings(site)) == before  # nothing read, nothing recorded
    invalid = site.post(f"{PAGES}/innsyn", {"foedselsnummer": "1234"}, csrf_from=f"{PAGES}/innsyn")
    assert invalid.status_code == 400 and "Kontroller nummeret" in _text(invalid)
    answer = site.post(f"{PAGES}/innsyn", {"foedselsnummer": LOOKED_UP}, csrf_from=f"{PAGES}/innsyn")
    assert answer.status_code == 200
    text = _text(answer)
    assert text.count(f"Fagsystem {seeded['tag']}") == 3 and "Deler: navn" in text
    assert "Nabo kommune" not in text  # the other organisation's lookup of the person is not shown
    assert len(_readings(site)) == before + 1
    none = site.post(f"{PAGES}/innsyn", {"foedselsnummer": "06076301709"}, csrf_from=f"{PAGES}/innsyn")
    assert "Organisasjonen har ikke slått opp denne personen" in _text(none)


def test_the_platform_operator_reads_no_lookup_log(site: AdminSite) -> None:
    site.log_in(OPERATOR)
    for path in (f"{PAGES}/oppslagslogg", f"{PAGES}/innsyn", f"{PAGES}/oppslagslogg.csv"):
        answer = site.client.get(path)
        assert answer.status_code == 403, path
        assert "Bare organisasjonens egne administratorer kan se dette" in _text(answer)
