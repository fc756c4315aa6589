"""How the administration pages show values: times in Norwegian time, identity numbers masked, who made a
change. Pure functions, installed as template filters by ``AdminPages``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

Gettext = Callable[[str], str]
NORWAY = ZoneInfo("Europe/Oslo")
#: Message ids these functions return through ``gettext`` (translated in the catalogue).
MESSAGES = ("yes", "no", "{name} (command line)")
#: Fields of a change-log record that hold an identity number (shown masked).
IDENTITY_FIELDS = frozenset({"foedselsnummer", "personFoedselsnummer"})


def tidspunkt(value: datetime | str | None) -> str:
    """``29.11.2026 kl. 20:40`` in Norwegian time (a stored UTC time, or an ISO string from the change log)."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(NORWAY).strftime("%d.%m.%Y kl. %H:%M")


def maskert(foedselsnummer: str) -> str:
    """The birth-date part only (``179120*****``): enough to tell users apart, not the whole number."""
    return foedselsnummer[:6] + "*****" if len(foedselsnummer) == 11 else "*****"


def utfoert_av(navn: str, gettext: Gettext = str) -> str:
    """Who made a change, as the change log records it: an administrator (``administrator:{id}:{navn}``,
    a person or an API key), the command line (``cli:{user}``) or someone else, by name."""
    kind, _, rest = navn.partition(":")
    if kind == "administrator":
        _, _, person = rest.partition(":")
        return person or rest
    if kind == "cli":
        return gettext("{name} (command line)").format(name=rest)
    return navn


def felt(navn: str, verdi: Any, gettext: Gettext = str) -> str:
    """One field of a change's before or after, as text."""
    if verdi is None:
        return "–"
    if navn in IDENTITY_FIELDS and isinstance(verdi, str):
        return maskert(verdi)
    if isinstance(verdi, bool):
        return gettext("yes") if verdi else gettext("no")
    if isinstance(verdi, list):
        return ", ".join(str(item) for item in verdi) or "–"
    if isinstance(verdi, str) and len(verdi) >= 19 and verdi[4:5] == "-" and verdi[10:11] == "T":
        try:
            return tidspunkt(verdi)
        except ValueError:
            return verdi
    return str(verdi)


def endrede_felt(
    foer: dict[str, Any] | None, etter: dict[str, Any] | None, gettext: Gettext = str
) -> list[dict[str, Any]]:
    """Every field of before and after, changed ones marked: ``{"navn", "foer", "etter", "endret"}``."""
    names = list(dict.fromkeys([*(foer or {}), *(etter or {})]))
    rows = []
    for name in names:
        before = (foer or {}).get(name) if foer is not None else None
        after = (etter or {}).get(name) if etter is not None else None
        rows.append(
            {
                "navn": name,
                "foer": felt(name, before, gettext) if foer is not None else "",
                "etter": felt(name, after, gettext) if etter is not None else "",
                "endret": foer is not None and etter is not None and before != after,
            }
        )
    return rows


def uuid_or_none(value: object) -> UUID | None:
    """A form's or a path's id, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        return None
