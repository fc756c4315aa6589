"""Change events (hendelse.v1): event types, egenskapshendelse from two versions, what each package sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import orjson

from fiks_folkeregister.domain.dokument import current_entry, current_protection_level, entries
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.minimering import OPEN_PERSON_STATUSES, VISIBLE_ADDRESS_GRADINGS

#: `skjemaversjon` of the event documents this register writes.
SKJEMAVERSJON = "1.0"


class Hendelsestype(StrEnum):
    """The register's event types (`Hendelse.hendelsestype` in the spec), in the spec's order."""

    personErOpprettet = "personErOpprettet"
    personErReaktivert = "personErReaktivert"
    personErOppdatert = "personErOppdatert"
    personErOpphoert = "personErOpphoert"
    personErViderefoertSomGjeldendeVedSammenslaaing = "personErViderefoertSomGjeldendeVedSammenslaaing"
    personErOpphoertSomDublett = "personErOpphoertSomDublett"
    personErEndretVedSplitting = "personErEndretVedSplitting"
    personErGjenopprettetVedSplitting = "personErGjenopprettetVedSplitting"
    personErDoed = "personErDoed"
    personErBosatt = "personErBosatt"
    personErUtflyttet = "personErUtflyttet"
    endringIStatus = "endringIStatus"
    endringIIdentitetsgrunnlag = "endringIIdentitetsgrunnlag"
    endringIUtenlandskPersonidentifikasjon = "endringIUtenlandskPersonidentifikasjon"
    endringIUtlendingsmyndighetenesIdentifikasjonsnummer = (
        "endringIUtlendingsmyndighetenesIdentifikasjonsnummer"
    )
    endringILegitimasjonsdokument = "endringILegitimasjonsdokument"
    endringIIdentifikasjonsnummer = "endringIIdentifikasjonsnummer"
    endringIFalskIdentitet = "endringIFalskIdentitet"
    endringIKontaktopplysningerForDoedsbo = "endringIKontaktopplysningerForDoedsbo"
    endringIDeltBosted = "endringIDeltBosted"
    endringIFoedsel = "endringIFoedsel"
    endringIFoedselINorge = "endringIFoedselINorge"
    endringIKjoenn = "endringIKjoenn"
    endringIFamilierelasjon = "endringIFamilierelasjon"
    endringISivilstand = "endringISivilstand"
    endringIDoedsfall = "endringIDoedsfall"
    endringINavn = "endringINavn"
    endringIAdressebeskyttelse = "endringIAdressebeskyttelse"
    endringIBostedsadresse = "endringIBostedsadresse"
    endringIBostedsadresseUtenFlytting = "endringIBostedsadresseUtenFlytting"
    endringIOppholdsadresse = "endringIOppholdsadresse"
    endringIInnflytting = "endringIInnflytting"
    endringIUtflytting = "endringIUtflytting"
    endringIBrukAvSamiskSpraak = "endringIBrukAvSamiskSpraak"
    endringISametingetsValgmanntall = "endringISametingetsValgmanntall"
    endringIKontaktinformasjon = "endringIKontaktinformasjon"
    endringIForeldreansvar = "endringIForeldreansvar"
    endringIStatsborgerskap = "endringIStatsborgerskap"
    endringIOpphold = "endringIOpphold"
    endringIOppholdPaaSvalbard = "endringIOppholdPaaSvalbard"
    endringIVergemaal = "endringIVergemaal"
    endringIPerson = "endringIPerson"


class Entitetsendring(StrEnum):
    """What an egenskapshendelse did to an entry."""

    registrereNy = "registrereNy"
    korrigere = "korrigere"
    annullere = "annullere"
    korrigereHistorisk = "korrigereHistorisk"


#: Person-document element → (`entitet` value, property of `Registerdata` holding the entry). Elements not
#: listed (preferertKontaktadresse, oppholdPaaSvalbard) have no `entitet` in the spec and give no entries.
ENTITETER: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        **{
            name: (name, name)
            for name in (
                "falskIdentitet",
                "identifikasjonsnummer",
                "identitetsgrunnlag",
                "utlendingsmyndighetenesIdentifikasjonsnummer",
                "legitimasjonsdokument",
                "utenlandskPersonidentifikasjon",
                "kontaktinformasjonForDoedsbo",
                "status",
                "deltBosted",
                "kjoenn",
                "foedsel",
                "foedselINorge",
                "sivilstand",
                "familierelasjon",
                "doedsfall",
                "navn",
                "adressebeskyttelse",
                "bostedsadresse",
                "oppholdsadresse",
                "innflytting",
                "utflytting",
                "brukAvSamiskSpraak",
                "forholdTilSametingetsValgmanntall",
                "foreldreansvar",
                "statsborgerskap",
                "bibehold",
                "opphold",
                "vergemaalEllerFremtidsfullmakt",
            )
        },
        "postadresse": ("kontaktadresse", "postadresse"),
        "postadresseIUtlandet": ("kontaktadresseIUtlandet", "postadresseIUtlandet"),
    }
)

#: Metadata that changes when an entry merely becomes history (a newer one took over): no change of its own.
_HISTORY_KEYS = frozenset({"erGjeldende", "opphoerstidspunkt"})
#: Person-model fields the hendelse.v1 model of the same element names differently.
_RENAMED_IN_EVENT_MODEL: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"identitetsgrunnlag": MappingProxyType({"identitetsgrunnlagstatus": "legitimasjonskontroll"})}
)

#: Event types that are about confidential elements: offentlig-uten-hjemmel never sees them in its feed.
CONFIDENTIAL_EVENT_TYPES = frozenset(
    {
        Hendelsestype.endringIFamilierelasjon,
        Hendelsestype.endringIForeldreansvar,
        Hendelsestype.endringIFalskIdentitet,
        Hendelsestype.endringILegitimasjonsdokument,
        Hendelsestype.endringIUtenlandskPersonidentifikasjon,
        Hendelsestype.endringIUtlendingsmyndighetenesIdentifikasjonsnummer,
        Hendelsestype.endringIOpphold,
        Hendelsestype.endringIBrukAvSamiskSpraak,
        Hendelsestype.endringISametingetsValgmanntall,
    }
)
#: Event types that say a graded person's address changed (or when): withheld for offentlig-uten-hjemmel.
ADDRESS_EVENT_TYPES = frozenset(
    {
        Hendelsestype.endringIBostedsadresse,
        Hendelsestype.endringIBostedsadresseUtenFlytting,
        Hendelsestype.endringIOppholdsadresse,
        Hendelsestype.endringIDeltBosted,
    }
)


def _comparable(entry: Mapping[str, Any]) -> bytes:
    """An entry's content without the metadata that only records it became history."""
    kept = {key: value for key, value in entry.items() if key not in _HISTORY_KEYS}
    return orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)


def event_entry(element: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """A person-document entry in the hendelse.v1 model of its element (no `erGjeldende`)."""
    renamed = _RENAMED_IN_EVENT_MODEL.get(element, {})
    return {renamed.get(key, key): value for key, value in entry.items() if key != "erGjeldende"}


def egenskapshendelser(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The `egenskapshendelse` entries that turn version `before` (None: a new person) into `after`.

    Per element: an entry of `after` that `before` lacks is `registrereNy`, unless an entry of `before`
    with the same `gyldighetstidspunkt` disappeared, in which case it is a `korrigere` of that entry; an
    entry of `before` that is gone from `after` (and not corrected) is `annullere`d. An entry that only
    became history (`erGjeldende` false, `opphoerstidspunkt` set) because a newer one took over is no
    change of its own: registering the newer one says it all.
    """
    result: list[dict[str, Any]] = []
    for element, (entitet, prop) in ENTITETER.items():
        old_value = before.get(element) if before is not None else None
        new_value = after.get(element)
        if old_value == new_value:
            continue
        old, new = entries(old_value), entries(new_value)
        if not old and not new:
            continue
        old_keys = {_comparable(entry): entry for entry in old}
        new_keys = {_comparable(entry): entry for entry in new}
        removed = [entry for key, entry in old_keys.items() if key not in new_keys]
        added = [entry for key, entry in new_keys.items() if key not in old_keys]
        removed_by_start: dict[Any, list[Mapping[str, Any]]] = {}
        for entry in removed:
            removed_by_start.setdefault(entry.get("gyldighetstidspunkt"), []).append(entry)
        for entry in added:
            replaced = removed_by_start.get(entry.get("gyldighetstidspunkt"))
            change = Entitetsendring.registrereNy
            if replaced:
                replaced.pop()
                change = Entitetsendring.korrigere
            result.append(
                {"entitet": entitet, "entitetsendring": change.value, prop: event_entry(element, entry)}
            )
        for ended in removed_by_start.values():
            for entry in ended:
                result.append(
                    {
                        "entitet": entitet,
                        "entitetsendring": Entitetsendring.annullere.value,
                        prop: event_entry(element, entry),
                    }
                )
    return result


def hendelsesdokument(
    dokumentidentifikator: str,
    folkeregisteridentifikator: str,
    hendelsestype: str,
    ajourholdstidspunkt: str,
    egenskapshendelse: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A `DokumentForHendelse` as `hendelser/{id}` answers it."""
    return {
        "dokumentidentifikator": dokumentidentifikator,
        "skjemaversjon": SKJEMAVERSJON,
        "hendelse": {
            "folkeregisteridentifikator": folkeregisteridentifikator,
            "hendelsestype": hendelsestype,
            "ajourholdstidspunkt": ajourholdstidspunkt,
            "egenskapshendelse": list(egenskapshendelse),
        },
    }


def _current_status(document: Mapping[str, Any]) -> str | None:
    entry = current_entry(document, "status")
    return None if entry is None else str(entry.get("status"))


def open_to_uten_hjemmel(hendelsestype: str, after: Mapping[str, Any]) -> bool:
    """Whether offentlig-uten-hjemmel may see this event in its feed at all.

    Withheld: events about confidential elements (the type alone reveals e.g. a new child or a new
    parental-responsibility holder); address events of a person whose addresses that package may not see
    (when a protected person moved is itself a trace); a change of status to a confidential status (shown
    to that package as `aktiv`, so the event would reveal a change it cannot see).
    """
    if hendelsestype in CONFIDENTIAL_EVENT_TYPES:
        return False
    visible = VISIBLE_ADDRESS_GRADINGS[Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL]
    if hendelsestype in ADDRESS_EVENT_TYPES and current_protection_level(after) not in visible:
        return False
    is_status = hendelsestype == Hendelsestype.endringIStatus
    return not (is_status and _current_status(after) not in OPEN_PERSON_STATUSES)
