"""Content negotiation: the offered media type an `Accept` header prefers (q-values, RFC 9110 §12.5.1)."""

from __future__ import annotations

from collections.abc import Sequence


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them (406).

    No `Accept` (or an empty one) takes the first offer. Each offer gets the quality of the most specific
    range that matches it (`type/sub` over `type/*` over `*/*`); the highest quality wins, a tie goes to
    the offer whose range the client listed first, then to the first offer. Quality 0 means "not this".
    """
    ranges = _ranges(accept or "")
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int, int] | None = None
    chosen = None
    for rank, offer in enumerate(offered):
        found = _quality(offer.lower(), ranges)
        if found is None or found[0] <= 0:
            continue
        quality, position = found
        key = (-quality, position, rank)
        if best is None or key < best:
            best, chosen = key, offer
    return chosen


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 1.0  # a malformed weight is ignored, as if absent
        ranges.append((media, quality))
    return ranges


def _quality(offer: str, ranges: Sequence[tuple[str, float]]) -> tuple[float, int] | None:
    """(quality, position in Accept) of the most specific range matching `offer`, or None."""
    kind = offer.split("/")[0]
    best: tuple[int, float, int] | None = None
    for position, (media, quality) in enumerate(ranges):
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality, position)
    return None if best is None else (best[1], best[2])
