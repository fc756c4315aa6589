"""What a role permits: usage areas per resource, the parts a request may name, and the filter to the role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from fiks_folkeregister.domain.dokument import is_current
from fiks_folkeregister.domain.hendelse import Hendelsestype
from fiks_folkeregister.domain.informasjonselementer import (
    ALIASES,
    ELEMENTS,
    HISTORIKK,
    IDENTIFIKASJONSNUMMER,
    PERSON_BASIS,
    PartRequest,
    UnknownPartError,
    parse_parts,
)
from fiks_folkeregister.domain.minimering import Plan, plan
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.soekeparametre import (
    ENTYDIGSOEK_PARAMETERS,
    SOEK_PARAMETERS,
    Soekekriterier,
    canonical_query,
)
from fiks_folkeregister.domain.uttrekkskriterier import STATUS_TYPES, Kriterier, canonical_body

#: Elements every answer carries whatever the role names (the register's `dataminimering/` page): never a
#: reason to refuse.
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


def criterion_elements(name: str, entydig: bool) -> frozenset[str]:
    """The elements a role must hold to search by the criterion `name` (empty: any role may use it)."""
    if name in _CRITERION_ELEMENTS:
        return _CRITERION_ELEMENTS[name]
    if name in _ADDRESS_CRITERIA:
        return frozenset({"bostedsadresse", "oppholdsadresse"} if entydig else {"bostedsadresse"})
    if name == "inkluderOppholdsadresse":
        return frozenset({"oppholdsadresse"})
    if name == "inkluderDoede":
        return frozenset({"doedsfall"})
    return frozenset()


@dataclass(frozen=True)
class Kriteriumstilgang:
    """Whether a role may search by one criterion, and if not, why: the elements it lacks, or history."""

    kriterium: str
    manglende_elementer: tuple[str, ...] = ()
    mangler_historikk: bool = False

    @property
    def tillatt(self) -> bool:
        return not self.manglende_elementer and not self.mangler_historikk


#: The criteria a person types or chooses on the search forms (not the technical `maksTreff`).
SOEK_KRITERIER = tuple(name for name in SOEK_PARAMETERS if name != "maksTreff")
ENTYDIGSOEK_KRITERIER = ENTYDIGSOEK_PARAMETERS


def search_criteria(role: Rolle, entydig: bool) -> tuple[Kriteriumstilgang, ...]:
    """Every criterion of `personer/soek` (or `entydigsoek`, with `entydig`) and whether the role may use it:
    the same decision `authorise_criteria` makes on a request (historic matching, `opplysningsgrunnlag`,
    needs the role's history)."""
    names = ENTYDIGSOEK_KRITERIER if entydig else SOEK_KRITERIER
    return tuple(
        Kriteriumstilgang(
            name,
            tuple(sorted(criterion_elements(name, entydig) - role.elementer)),
            name == "opplysningsgrunnlag" and not role.historikk,
        )
        for name in names
    )


def authorise_criteria(role: Rolle, criteria: Soekekriterier, entydig: bool) -> dict[str, list[str]]:
    """Refuse search criteria that read elements outside the role, naming them; else the query to run.

    `criteria` are what the register's parser made of the caller's query (the same parser the register
    runs), so padding, case and empty flags are judged as the register will execute them; the returned
    `canonical_query` of them is what the gateway forwards. Address criteria read bostedsadresse in soek
    (and oppholdsadresse with `inkluderOppholdsadresse=true`), both in entydigsoek. Historic matching needs
    the role's history; including the deceased in soek needs `doedsfall` (entydigsoek, a lookup by other
    means, always finds the dead and needs nothing for it).
    """
    query = canonical_query(criteria, entydig)
    needed = {name: elements for name in query if (elements := criterion_elements(name, entydig))}
    _refuse_criteria(role, needed, "search")
    if criteria.historisk and not role.historikk:
        raise HistoryNotAllowed(
            f"The role '{role.navn}' does not allow history, so it may not search historic entries",
            {"kriterium": "opplysningsgrunnlag=historisk"},
        )
    return query


#: The element each criterion of a tailored extract reads (`kommunenummer` by the address it names).
_EXTRACT_CRITERION_ELEMENTS: Mapping[str, frozenset[str]] = {
    "personstatustyper": frozenset({"status"}),
    "kommunenummer.bostedskommunenummer": frozenset({"bostedsadresse"}),
    "kommunenummer.oppholdskommunenummer": frozenset({"oppholdsadresse"}),
    "foedselsaarFraOgMed": frozenset({"foedsel"}),
    "foedselsaarTilOgMed": frozenset({"foedsel"}),
    "doedsaarFraOgMed": frozenset({"doedsfall"}),
    "doedsaarTilOgMed": frozenset({"doedsfall"}),
    "kjoenn": frozenset({"kjoenn"}),
    "statsborgerskap": frozenset({"statsborgerskap"}),
    "sivilstandstype": frozenset({"sivilstand"}),
}


def authorise_extract_criteria(role: Rolle, kriterier: Kriterier) -> dict[str, Any]:
    """Refuse extract criteria that read elements outside the role, naming them; else the body to send.

    Every criterion must lie within the role, as search criteria must: an extract by death year, status,
    kommune, citizenship or marital status would otherwise tell a role who has what it may not see.
    `personstatustyper` naming every type selects nobody out, so only a narrower list needs `status`.
    """
    body = canonical_body(kriterier)
    names = [f"kommunenummer.{next(iter(v))}" if k == "kommunenummer" else k for k, v in body.items()]
    if len(body["personstatustyper"]) == len(STATUS_TYPES):
        names.remove("personstatustyper")
    _refuse_criteria(role, {name: _EXTRACT_CRITERION_ELEMENTS[name] for name in names}, "order an extract")
    return body


def _refuse_criteria(role: Rolle, needed: Mapping[str, frozenset[str]], action: str) -> None:
    refused = {name: sorted(elements - role.elementer) for name, elements in needed.items()}
    refused = {name: missing for name, missing in refused.items() if missing}
    if refused:
        raise CriteriaNotAllowed(
            f"The role '{role.navn}' may not {action} by {', '.join(sorted(refused))}: it does not hold "
            f"{', '.join(sorted({e for missing in refused.values() for e in missing}))}",
            {"ikkeTillatteKriterier": sorted(refused), "manglendeElementer": refused},
        )


def _elements_of_event_types() -> Mapping[str, frozenset[str]]:
    t = Hendelsestype
    status = frozenset({"status"})
    table: dict[str, frozenset[str]] = {
        # A person's life in the register (created, reactivated, ceased, merged, split, settled, emigrated)
        # is told by its status; a death by doedsfall.
        **dict.fromkeys(
            (
                t.personErOpprettet,
                t.personErReaktivert,
                t.personErOpphoert,
                t.personErViderefoertSomGjeldendeVedSammenslaaing,
                t.personErOpphoertSomDublett,
                t.personErEndretVedSplitting,
                t.personErGjenopprettetVedSplitting,
                t.personErBosatt,
                t.personErUtflyttet,
                t.endringIStatus,
            ),
            status,
        ),
        t.personErDoed: frozenset({"doedsfall"}),
        t.endringIDoedsfall: frozenset({"doedsfall"}),
        # A change of one element concerns that element.
        t.endringIIdentitetsgrunnlag: frozenset({"identitetsgrunnlag"}),
        t.endringIUtenlandskPersonidentifikasjon: frozenset({"utenlandskPersonidentifikasjon"}),
        t.endringIUtlendingsmyndighetenesIdentifikasjonsnummer: frozenset(
            {"utlendingsmyndighetenesIdentifikasjonsnummer"}
        ),
        t.endringILegitimasjonsdokument: frozenset({"legitimasjonsdokument"}),
        t.endringIIdentifikasjonsnummer: frozenset({IDENTIFIKASJONSNUMMER}),
        t.endringIFalskIdentitet: frozenset({"falskIdentitet"}),
        t.endringIKontaktopplysningerForDoedsbo: frozenset({"kontaktinformasjonForDoedsbo"}),
        t.endringIDeltBosted: frozenset({"deltBosted"}),
        t.endringIFoedsel: frozenset({"foedsel"}),
        t.endringIFoedselINorge: frozenset({"foedselINorge"}),
        t.endringIKjoenn: frozenset({"kjoenn"}),
        t.endringIFamilierelasjon: frozenset({"familierelasjon"}),
        t.endringISivilstand: frozenset({"sivilstand"}),
        t.endringINavn: frozenset({"navn"}),
        t.endringIAdressebeskyttelse: frozenset({"adressebeskyttelse"}),
        t.endringIBostedsadresse: frozenset({"bostedsadresse"}),
        t.endringIBostedsadresseUtenFlytting: frozenset({"bostedsadresse"}),
        t.endringIOppholdsadresse: frozenset({"oppholdsadresse"}),
        t.endringIInnflytting: frozenset({"innflytting"}),
        t.endringIUtflytting: frozenset({"utflytting"}),
        t.endringIBrukAvSamiskSpraak: frozenset({"brukAvSamiskSpraak"}),
        t.endringISametingetsValgmanntall: frozenset({"forholdTilSametingetsValgmanntall"}),
        t.endringIKontaktinformasjon: frozenset(
            {"postadresse", "postadresseIUtlandet", "preferertKontaktadresse"}
        ),
        t.endringIForeldreansvar: frozenset({"foreldreansvar"}),
        t.endringIStatsborgerskap: frozenset({"statsborgerskap"}),
        t.endringIOpphold: frozenset({"opphold"}),
        t.endringIOppholdPaaSvalbard: frozenset({"oppholdPaaSvalbard"}),
        t.endringIVergemaal: frozenset({"vergemaalEllerFremtidsfullmakt"}),
        # Types that do not say what changed could concern anything: only a role holding every element.
        t.personErOppdatert: frozenset(ELEMENTS),
        t.endringIPerson: frozenset(ELEMENTS),
    }
    assert set(table) == set(Hendelsestype), "every event type needs its elements"
    return MappingProxyType({str(name): elements for name, elements in table.items()})


#: Event type → the information elements it concerns. A role sees an event (in the feed, as an event
#: document, in `siste/sekvensnummer`) only when it holds all of them: the type alone tells what happened
#: (a death, a marriage, a move), so an event outside the role is dropped, not masked. Unknown types are
#: dropped. Documented in docs/architecture.md.
EVENT_TYPE_ELEMENTS: Mapping[str, frozenset[str]] = _elements_of_event_types()


def event_visible(role: Rolle, hendelsestype: object) -> bool:
    """Whether an event of this type may reach the role (unknown types never do)."""
    elements = EVENT_TYPE_ELEMENTS.get(hendelsestype) if isinstance(hendelsestype, str) else None
    return elements is not None and elements <= role.elementer | ALWAYS_RETURNED


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


def role_plan(role: Rolle, request: PartRequest) -> Plan:
    """`filter_to_role` decided once for a request, to apply to each person document of its answer."""
    return plan(role.rettighetspakke, role_filter(role, request))


def filter_to_role(document: Mapping[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]:
    """A person document cut to the role, whatever the register returned (never trust it to minimise)."""
    return role_plan(role, request).apply(document)


def identifiers_of(document: Mapping[str, Any]) -> list[str]:
    """The identity numbers a person document shows (current first), for the audit trail."""
    entries = document.get(IDENTIFIKASJONSNUMMER) or ()
    # One entry, as most persons have, is in order already: runs for each of a bulk answer's documents.
    ordered = entries if len(entries) < 2 else sorted(entries, key=lambda entry: not is_current(entry))
    return list(
        dict.fromkeys([str(e["foedselsEllerDNummer"]) for e in ordered if e.get("foedselsEllerDNummer")])
    )
