"""Content negotiation with q-values: the one reading of `Accept` for every app."""

from __future__ import annotations

import pytest

from fiks_folkeregister.http.negotiation import negotiate

JSON, ATOM = "application/json", "application/atom+xml"
BOTH = (JSON, ATOM)


@pytest.mark.parametrize("accept", [None, "", " , "])
def test_no_accept_takes_the_first_offer(accept: str | None) -> None:
    assert negotiate(accept, BOTH) == JSON
    assert negotiate(accept, (ATOM,)) == ATOM


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (ATOM, ATOM),
        ("application/ATOM+xml", ATOM),
        (f"{ATOM};q=0.5, {JSON}", JSON),  # the higher quality wins, not the first listed
        (f"{JSON};q=0.4, {ATOM};q=0.9", ATOM),
        (f"{ATOM}, {JSON}", ATOM),  # a tie goes to the range listed first
        ("*/*", JSON),
        ("application/*", JSON),
        (f"application/*;q=0.2, {ATOM}", ATOM),  # the most specific range gives an offer its quality
        (f"{ATOM};q=0, */*", JSON),
        (f"{JSON};q=abc", JSON),  # a malformed weight is ignored
        (f"{JSON};q=7", JSON),  # clamped to 1
    ],
)
def test_the_preferred_offer_is_chosen(accept: str, chosen: str) -> None:
    assert negotiate(accept, BOTH) == chosen


@pytest.mark.parametrize(
    "accept",
    ["text/csv", "text/*", f"{JSON};q=0", f"{JSON};q=0.0", f"{JSON};q=0.000, text/html", "*/*;q=0"],
)
def test_nothing_acceptable_is_none_for_a_406(accept: str) -> None:
    assert negotiate(accept, (JSON,)) is None


def test_a_specific_refusal_beats_a_wildcard() -> None:
    assert negotiate(f"*/*, {JSON};q=0", BOTH) == ATOM
    assert negotiate(f"*/*, {JSON};q=0", (JSON,)) is None


def test_nothing_offered_is_none() -> None:
    assert negotiate(None, ()) is None and negotiate(JSON, ()) is None
