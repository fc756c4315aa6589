"""A role in plain words, for the person choosing it (pure)."""

from __future__ import annotations

from collections.abc import Callable

from fiks_folkeregister.domain.informasjonselementer import IDENTIFIKASJONSNUMMER
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle

Gettext = Callable[[str], str]
Pgettext = Callable[[str, str], str]

#: What each usage area lets a case worker do, as message ids.
USAGE = {
    Bruksomraade.SOK_ETTER_PERSON: "look up and search for persons",
    Bruksomraade.HENDELSESLISTE: "follow changes (event list)",
    Bruksomraade.UTTREKK: "order extracts",
}


def describe_role(rolle: Rolle, gettext: Gettext, pgettext: Pgettext) -> str:
    """E.g. "Slå opp og søke etter personer. Viser: Bostedsadresse, Fødsel, Navn." (elements sorted by label)."""
    usages = [gettext(USAGE[area]) for area in Bruksomraade if area in rolle.bruksomraader]
    shown = sorted(
        (pgettext("element", element) for element in rolle.elementer if element != IDENTIFIKASJONSNUMMER),
        key=str.casefold,
    )
    sentence = gettext("Lets you {usages}.").format(usages=gettext(" and ").join(usages)) if usages else ""
    elements = gettext("Shows: {elements}.").format(elements=", ".join(shown)) if shown else ""
    return " ".join(part for part in (sentence, elements) if part)
