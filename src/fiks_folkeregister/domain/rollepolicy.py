"""What a role permits: usage areas per resource, the parts a request may name, and the filter to the role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fiks_folkeregister.domain.informasjonselementer import (
    ALIASES,
    HISTORIKK,
    IDENTIFIKASJONSNUMMER,
    PERSON_BASIS,
    PartRequest,
    UnknownPartError,
    parse_parts,
)
from fiks_folkeregister.domain.minimering import minimise
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle

#: Elements every answer carries whatever the role names (DOMAIN.md §4): never a reason to refuse.
ALWAYS_RETURNED = frozenset({IDENTIFIKASJONSNUMMER})


class PolicyRefusal(Exception):
    """A request the role does not permit. ``code`` is the machine code; ``details`` goes to the caller."""

    code = "AVVIST"

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, Any] = details or {}


class UsageAreaMissing(PolicyRefusal):
    code = "BRUKSOMRAADE_MANGLER"


class UnknownParts(PolicyRefusal):
    code = "UGYLDIG_PART"


class PartsNotAllowed(PolicyRefusal):
    code = "PART_IKKE_TILLATT"


class PersonBasisMissing(PolicyRefusal):
    code = "PERSON_BASIS_MANGLER"


class HistoryNotAllowed(PolicyRefusal):
    code = "HISTORIKK_IKKE_TILLATT"


class CriteriaNotAllowed(PolicyRefusal):
    code = "KRITERIUM_IKKE_TILLATT"


#: The element each search criterion reads. A role may search only by what it may see: otherwise a hit
#: list would reveal, say, who lives at an address to a role that may not see addresses.
_CRITERION_ELEMENTS: Mapping[str, frozenset[str]] = {
    "navn": frozenset({"navn"}),
    "kjoenn": frozenset({"kjoenn"}),
    "foedselsdato": frozenset({"foedsel"}),
    "foedselsaarFraOgMed": frozenset({"foedsel"}),
    "foedselsaarTilOgMed": frozenset({"foedsel"}),
    "utenlandskpersonidentifikasjon": frozenset({"utenlandskPersonidentifikasjon"}),
    "legitimasjonsdokument": frozenset({"legitimasjonsdokument"}),
    "utlendingsmyndighetenesidentifikasjonsnummer": frozenset(
        {"utlendingsmyndighetenesIdentifikasjonsnummer"}
    ),
}
_ADDRESS_CRITERIA = frozenset({"adressenavn", "husnummer", "postnummer", "kommunenummer", "fylkesnummer"})


def authorise_criteria(
    role: Rolle, criteria: Mapping[str, Sequence[str]], address_elements: frozenset[str]
) -> None:
    """Refuse search criteria that read elements outside the role, naming them.

    `address_elements` are the addresses the resource searches (soek: bostedsadresse, and oppholdsadresse
    with `inkluderOppholdsadresse=true`; entydigsoek: both). Historic matching needs the role's history;
    including the deceased needs `doedsfall`.
    """

    def flag(name: str) -> bool:
        values = criteria.get(name) or ()
        return bool(values) and values[-1].lower() == "true"

    needed: dict[str, frozenset[str]] = {}
    for name in criteria:
        if name in _CRITERION_ELEMENTS:
            needed[name] = _CRITERION_ELEMENTS[name]
        elif name in _ADDRESS_CRITERIA:
            needed[name] = address_elements
    if flag("inkluderOppholdsadresse"):
        needed["inkluderOppholdsadresse"] = frozenset({"oppholdsadresse"})
    if flag("inkluderDoede"):
        needed["inkluderDoede"] = frozenset({"doedsfall"})
    refused = {name: sorted(elements - role.elementer) for name, elements in needed.items()}
    refused = {name: missing for name, missing in refused.items() if missing}
    historic = (criteria.get("opplysningsgrunnlag") or [""])[-1] == "historisk"
    if refused:
        raise CriteriaNotAllowed(
            f"The role '{role.navn}' may not search by {', '.join(sorted(refused))}: it does not hold "
            f"{', '.join(sorted({e for missing in refused.values() for e in missing}))}",
            {"ikkeTillatteKriterier": sorted(refused), "manglendeElementer": refused},
        )
    if historic and not role.historikk:
        raise HistoryNotAllowed(
            f"The role '{role.navn}' does not allow history, so it may not search historic entries",
            {"kriterium": "opplysningsgrunnlag=historisk"},
        )


def check_usage_area(role: Rolle, allowed: frozenset[Bruksomraade], resource: str) -> None:
    """Refuse unless the role has one of the usage areas the resource belongs to."""
    if role.bruksomraader & allowed:
        return
    needed = sorted(area.value for area in allowed)
    raise UsageAreaMissing(
        f"The role '{role.navn}' may not be used for {resource}: it needs one of the usage areas "
        f"{', '.join(needed)}",
        {
            "paakrevdeBruksomraader": needed,
            "rollensBruksomraader": sorted(a.value for a in role.bruksomraader),
        },
    )


def authorise_parts(role: Rolle, parts: Sequence[str] | None) -> PartRequest:
    """The request the role permits for these `part` values, or a refusal saying exactly why.

    No element (no `part`, or only `historikk`) means `person-basis`, which needs a role holding all of
    it; named parts must all lie in the role (aliases expanded; `identifikasjonsnummer` is always
    returned and never refused); `historikk` needs the role's history.
    """
    try:
        request = parse_parts(parts)
    except UnknownPartError as error:
        raise UnknownParts(str(error), {"ukjenteParter": list(error.unknown)}) from None
    names_elements = any(part != HISTORIKK for part in parts or ())
    if not names_elements:
        missing = ALIASES[PERSON_BASIS] - role.elementer - ALWAYS_RETURNED
        if missing:
            raise PersonBasisMissing(
                f"No part was given, which means {PERSON_BASIS}, but the role '{role.navn}' lacks "
                f"{', '.join(sorted(missing))}; name the parts to fetch with the part parameter",
                {"manglendeElementer": sorted(missing), "rollensElementer": sorted(role.elementer)},
            )
    refused = request.elements - role.elementer - ALWAYS_RETURNED
    if refused:
        raise PartsNotAllowed(
            f"The role '{role.navn}' does not allow the part(s): {', '.join(sorted(refused))}",
            {"ikkeTillatteParter": sorted(refused), "rollensElementer": sorted(role.elementer)},
        )
    if request.historikk and not role.historikk:
        raise HistoryNotAllowed(f"The role '{role.navn}' does not allow {HISTORIKK}", {"part": HISTORIKK})
    return request


def role_filter(role: Rolle, request: PartRequest) -> PartRequest:
    """What an answer may hold: the request cut to the role's elements, history only if the role allows it."""
    return PartRequest(
        elements=(request.elements & role.elementer) | ALWAYS_RETURNED,
        historikk=request.historikk and role.historikk,
    )


def filter_to_role(document: Mapping[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]:
    """A person document cut to the role, whatever the register returned (never trust it to minimise)."""
    return minimise(document, role.rettighetspakke, role_filter(role, request))


def identifiers_of(document: Mapping[str, Any]) -> list[str]:
    """The identity numbers a person document shows (current first), for the audit trail."""
    entries = document.get(IDENTIFIKASJONSNUMMER) or ()
    ordered = sorted(entries, key=lambda entry: entry.get("erGjeldende") is not True)
    return list(
        dict.fromkeys(str(e["foedselsEllerDNummer"]) for e in ordered if e.get("foedselsEllerDNummer"))
    )
