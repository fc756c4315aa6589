"""The person card from a filtered document: groups, Norwegian labels and dates, history, related persons,
and protected addresses hidden until asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

import fiks_folkeregister.portal as portal
from fiks_folkeregister.portal.kortvisning import Oversetter, bygg_kort, norsk_dato

PO = Path(portal.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "sider.po"


def _translator() -> Oversetter:
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    plain = {m.id: m.string for m in catalogue if m.id and not m.context}
    keyed = {(m.context, m.id): m.string for m in catalogue if m.id and m.context}
    return Oversetter(
        gettext=lambda text: plain.get(text, text),
        pgettext=lambda context, text: keyed.get((context, text), text),
    )


T = _translator()
BARN = "01017012345"


def _document(**extra: Any) -> dict[str, Any]:
    return {
        "identifikasjonsnummer": [
            {
                "foedselsEllerDNummer": "17918412345",
                "identifikatortype": "foedselsnummer",
                "status": "iBruk",
                "erGjeldende": True,
            }
        ],
        "navn": [
            {
                "fornavn": "Kari",
                "etternavn": "Nordmann",
                "erGjeldende": True,
                "gyldighetstidspunkt": "2010-04-01T00:00:00",
            },
            {
                "fornavn": "Kari",
                "etternavn": "Hansen",
                "erGjeldende": False,
                "gyldighetstidspunkt": "1984-05-17T00:00:00",
            },
        ],
        "kjoenn": [{"kjoenn": "kvinne", "erGjeldende": True}],
        "bostedsadresse": [
            {
                "adressegradering": "ugradert",
                "vegadresse": {
                    "adressenavn": "Storgata",
                    "adressenummer": {"husnummer": "3", "husbokstav": "B"},
                    "kommunenummer": "0301",
                    "poststed": {"postnummer": "0150", "poststedsnavn": "OSLO"},
                },
                "flyttedato": "2019-08-01",
                "erGjeldende": True,
            }
        ],
        "familierelasjon": [
            {
                "relatertPerson": BARN,
                "relatertPersonsRolle": "barn",
                "minRolleForPerson": "mor",
                "erGjeldende": True,
            }
        ],
        **extra,
    }


def _all_rows(kort: Any) -> list[tuple[str, str]]:
    return [row for g in kort.grupper for e in g.elementer for o in e.oppforinger for row in o.felter]


def test_groups_labels_and_norwegian_dates() -> None:
    kort = bygg_kort(_document(), T, lenke=lambda number: f"/portal/person/{number[::-1]}")
    assert kort.navn == "Kari Nordmann"
    assert kort.identifikasjonsnummer == "17918412345"
    assert [g.tittel for g in kort.grupper] == ["Identitet", "Navn", "Adresser", "Familie og ansvar"]
    rows = _all_rows(kort)
    assert ("Bostedsadresse", "Storgata 3 B, 0150 OSLO") in rows
    assert ("Flyttedato", "01.08.2019") in rows
    assert ("Kjønn", "Kvinne") in rows
    assert ("Relasjon", "Barn") in rows
    assert norsk_dato("2010-04-01T00:00:00") == "01.04.2010"


def test_history_is_shown_only_when_asked_and_then_marked() -> None:
    without = bygg_kort(_document(), T, lenke=lambda _: None)
    names = next(e for g in without.grupper for e in g.elementer if e.tittel == "Navn")
    assert [o.historisk for o in names.oppforinger] == [False]
    with_history = bygg_kort(_document(), T, lenke=lambda _: None, historikk=True)
    names = next(e for g in with_history.grupper for e in g.elementer if e.tittel == "Navn")
    assert [o.historisk for o in names.oppforinger] == [False, True]
    assert ("Etternavn", "Hansen") in names.oppforinger[1].felter


def test_related_persons_link_to_their_card() -> None:
    kort = bygg_kort(
        _document(), T, lenke=lambda number: f"/portal/person/ref-{number}", navn_paa=lambda _: "Ola"
    )
    family = next(e for g in kort.grupper for e in g.elementer if e.tittel == "Familierelasjon")
    related = family.oppforinger[0].relatert
    assert related is not None
    assert (related.navn, related.href) == ("Ola", f"/portal/person/ref-{BARN}")
    assert related.relasjon == "Barn"


def test_the_relation_is_said_in_bokmaal_for_every_kind_of_related_person() -> None:
    mor, far, ektefelle = "01015012345", "01015112345", "01018012345"
    document = {
        **_document(),
        "familierelasjon": [
            {
                "relatertPerson": mor,
                "relatertPersonsRolle": "mor",
                "minRolleForPerson": "barn",
                "erGjeldende": True,
            },
            {"relatertPerson": BARN, "relatertPersonsRolle": "barn", "erGjeldende": True},
        ],
        "foreldreansvar": [
            {"ansvar": "far", "ansvarlig": far, "erGjeldende": True},
            {"ansvar": "felles", "ansvarssubjekt": BARN, "erGjeldende": True},
        ],
        "sivilstand": [{"sivilstand": "gift", "relatertVedSivilstand": ektefelle, "erGjeldende": True}],
    }
    kort = bygg_kort(document, T, lenke=lambda number: f"/portal/person/ref-{number}")
    related = {
        o.relatert.navn: o.relatert.relasjon
        for g in kort.grupper
        for e in g.elementer
        for o in e.oppforinger
        if o.relatert is not None
    }
    assert related == {mor: "Mor", BARN: "Barn", far: "Far", ektefelle: "Ektefelle eller partner"}


def _protected(grading: str) -> dict[str, Any]:
    document = _document()
    document["bostedsadresse"][0]["adressegradering"] = grading
    return document


def test_a_fortrolig_address_is_hidden_until_the_confirmed_choice() -> None:
    for grading in ("fortrolig", "klientadresse"):
        hidden = bygg_kort(_protected(grading), T, lenke=lambda _: None)
        assert hidden.har_skjermet
        assert not any("Storgata" in value for _, value in _all_rows(hidden))
        entry = next(o for g in hidden.grupper for e in g.elementer for o in e.oppforinger if o.skjermet)
        assert entry.felter == () and not entry.vist
        shown = bygg_kort(_protected(grading), T, lenke=lambda _: None, vis_skjermet="rec-1")
        assert ("Bostedsadresse", "Storgata 3 B, 0150 OSLO") in _all_rows(shown)
        assert [o.vist for g in shown.grupper for e in g.elementer for o in e.oppforinger if o.skjermet] == [
            "rec-1"
        ]


def test_strengt_fortrolig_and_unknown_gradings_are_never_shown() -> None:
    for grading in ("strengtFortrolig", "hemmelig", None):
        kort = bygg_kort(_protected(grading), T, lenke=lambda _: None, vis_skjermet="rec-1")
        assert not any("Storgata" in value for _, value in _all_rows(kort))
        assert kort.strengt_fortrolig
