"""`KeptReads`: bounded, and never handing out a read older than an access version already seen."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from fiks_folkeregister.gateway.access import KeptReads


@dataclass(frozen=True)
class _Read:
    tilgangsversjon: int
    integration: object = None
    role: object = None
    granted: bool = True
    forespoersler_per_minutt: int | None = None


def _ids() -> tuple[UUID, UUID]:
    return uuid4(), uuid4()


def test_a_kept_read_is_handed_out_until_a_newer_version_is_learnt() -> None:
    kept = KeptReads()
    first, second = _ids(), _ids()
    kept.keep(first, _Read(3))
    kept.keep(second, _Read(3))
    assert kept.get(first) == _Read(3)

    kept.forget(4)

    assert (kept.get(first), kept.get(second), len(kept)) == (None, None, 0)
    kept.keep(first, _Read(3))  # a read made before the change, finished after it
    assert kept.get(first) is None
    kept.keep(first, _Read(4))
    assert kept.get(first) == _Read(4)


def test_a_read_at_a_newer_version_forgets_the_older_ones() -> None:
    kept = KeptReads()
    old, new = _ids(), _ids()
    kept.keep(old, _Read(1))
    kept.keep(new, _Read(2))

    assert (kept.get(old), kept.get(new)) == (None, _Read(2))


def test_at_most_the_limit_is_kept() -> None:
    kept = KeptReads(limit=3)
    many = [_ids() for _ in range(7)]
    for ids in many:
        kept.keep(ids, _Read(0))
        assert len(kept) <= 3

    assert kept.get(many[-1]) == _Read(0)
