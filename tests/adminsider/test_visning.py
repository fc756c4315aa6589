"""How the administration pages show values (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

from fiks_folkeregister.adminsider.visning import endrede_felt, maskert, tidspunkt, utfoert_av, uuid_or_none


def test_times_are_shown_in_norwegian_time() -> None:
    assert tidspunkt(datetime(2026, 11, 29, 19, 5, tzinfo=UTC)) == "29.11.2026 kl. 20:05"
    assert tidspunkt("2026-07-01T10:00:00Z") == "01.07.2026 kl. 12:00"  # summer time
    assert tidspunkt(None) == ""


def test_identity_numbers_show_only_the_birth_date_part() -> None:
    assert maskert("17912099997") == "179120*****"
    assert maskert("123") == "*****"


def test_who_made_a_change() -> None:
    assert (
        utfoert_av("administrator:6b1f0000-0000-0000-0000-000000000000:Ada Administrator")
        == "Ada Administrator"
    )
    assert utfoert_av("cli:drift", lambda message: message.replace("command line", "kommandolinjen")) == (
        "drift (kommandolinjen)"
    )
    assert utfoert_av("noe annet") == "noe annet"


def test_before_and_after_mark_only_what_a_change_changed_and_mask_identity_numbers() -> None:
    rows = endrede_felt(
        {"navn": "A", "aktiv": True, "foedselsnummer": "17912099997"},
        {"navn": "A", "aktiv": False, "foedselsnummer": "17912099997"},
    )
    assert [(row["navn"], row["endret"]) for row in rows] == [
        ("navn", False),
        ("aktiv", True),
        ("foedselsnummer", False),
    ]
    assert rows[1]["foer"] == "yes" and rows[1]["etter"] == "no"
    assert rows[2]["foer"] == "179120*****"
    created = endrede_felt(None, {"navn": "B", "roller": []})
    assert created == [
        {"navn": "navn", "foer": "", "etter": "B", "endret": False},
        {"navn": "roller", "foer": "", "etter": "–", "endret": False},
    ]


def test_ids_from_forms() -> None:
    assert uuid_or_none("not an id") is None and uuid_or_none(None) is None
    assert (
        str(uuid_or_none(" 6b1f0000-0000-0000-0000-000000000000 ")) == "6b1f0000-0000-0000-0000-000000000000"
    )
