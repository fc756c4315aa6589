"""References to persons in the portal's URLs: opaque, and valid only in the session they were made for."""

from __future__ import annotations

from fiks_folkeregister.portal.personreferanse import Personreferanser

NUMBER = "17918412345"


def test_a_reference_names_the_person_in_its_session_and_hides_the_number() -> None:
    referanser = Personreferanser("secret")
    reference = referanser.lag("session-a", NUMBER)
    assert NUMBER not in reference
    assert reference.isascii() and "/" not in reference and "+" not in reference
    assert referanser.les("session-a", reference) == NUMBER


def test_a_reference_opens_nothing_in_another_session_or_under_another_key() -> None:
    reference = Personreferanser("secret").lag("session-a", NUMBER)
    assert Personreferanser("secret").les("session-b", reference) is None
    assert Personreferanser("another secret").les("session-a", reference) is None


def test_a_forged_or_damaged_reference_opens_nothing() -> None:
    referanser = Personreferanser("secret")
    reference = referanser.lag("session-a", NUMBER)
    flipped = reference[:20] + ("A" if reference[20] != "A" else "B") + reference[21:]
    for forged in (NUMBER, "", reference[:-2], flipped, "é" * 20):
        assert referanser.les("session-a", forged) is None
