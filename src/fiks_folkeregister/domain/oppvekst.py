"""The Oppvekst API's rules: who may use it, what it reads, and each child as KS's `PersonDefinisjon`.

Pure. The gateway fetches the children, then their guardians, with the register's bulk lookup; this module
says which elements to ask for (`authorise_oppvekst`), checks the request body (`read_foedselsnumre`),
and turns the role-filtered documents into the answer (`oppvekst_answer`). Every document is cut to the
role (`filter_to_role`, the same minimisation as every lookup) *before* it is flattened, so nothing the
role may not see can reach a flattened field. `docs/oppvekst.md` lists where every field comes from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fiks_folkeregister.domain.dokument import (
    current_addresses,
    current_entries,
    current_protection_level,
    historic_entries,
)
from fiks_folkeregister.domain.identitetsnummer import InvalidIdentitetsnummer, parse_identitetsnummer
from fiks_folkeregister.domain.informasjonselementer import (
    HISTORIKK,
    IDENTIFIKASJONSNUMMER,
    PartRequest,
)
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import ALWAYS_RETURNED, PolicyRefusal, filter_to_role

#: The elements KS requires of a role used with the Oppvekst API (docs/oppvekst.md), besides history.
OPPVEKST_ELEMENTS = frozenset(
    {
        IDENTIFIKASJONSNUMMER,
        "status",
        "foedsel",
        "statsborgerskap",
        "kjoenn",
        "navn",
        "bostedsadresse",
        "oppholdsadresse",
        "deltBosted",
        "postadresse",
        "adressebeskyttelse",
        "utenlandskPersonidentifikasjon",
        "familierelasjon",
        "foreldreansvar",
    }
)
#: Read when the role holds it (not required): `dufNummer` comes from it.
OPTIONAL_ELEMENTS = frozenset({"utlendingsmyndighetenesIdentifikasjonsnummer"})
OPPVEKST_USAGE_AREA = Bruksomraade.SOK_ETTER_PERSON
MAX_FOEDSELSNUMRE = 1000
BODY_FIELD = "foedselsnumre"
#: Address elements that say where someone lives (a post-box postadresse does not).
_DWELLING = ("bostedsadresse", "oppholdsadresse", "deltBosted")


class OppvekstNotAllowed(PolicyRefusal):
    """The role lacks something the Oppvekst API needs; `details` names every missing piece."""

    code = "OPPVEKST_IKKE_TILLATT"


class InvalidOppvekstRequest(ValueError):
    """A request body the Oppvekst API refuses; the message names the problem."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, Any] = details or {}


def authorise_oppvekst(role: Rolle) -> PartRequest:
    """What the role reads through the Oppvekst API, or a refusal naming everything it lacks."""
    areas = [] if OPPVEKST_USAGE_AREA in role.bruksomraader else [OPPVEKST_USAGE_AREA.value]
    elements = sorted(OPPVEKST_ELEMENTS - role.elementer - ALWAYS_RETURNED)
    lacks = []
    if areas:
        lacks.append(f"the usage area {areas[0]}")
    if elements:
        lacks.append(f"the element(s) {', '.join(elements)}")
    if not role.historikk:
        lacks.append(HISTORIKK)
    if lacks:
        raise OppvekstNotAllowed(
            f"The role '{role.navn}' cannot be used with the Oppvekst API: it lacks {'; '.join(lacks)}",
            {
                "manglendeBruksomraader": areas,
                "manglendeElementer": elements,
                "manglerHistorikk": not role.historikk,
            },
        )
    return PartRequest(
        elements=OPPVEKST_ELEMENTS | (OPTIONAL_ELEMENTS & role.elementer) | ALWAYS_RETURNED, historikk=True
    )


def upstream_parts(request: PartRequest) -> list[str]:
    """The register's `part` values for a request from `authorise_oppvekst`."""
    return [*sorted(request.elements), *([HISTORIKK] if request.historikk else [])]


def read_foedselsnumre(body: Any) -> list[str]:
    """The numbers asked for, each once in the order given; an `InvalidOppvekstRequest` naming any fault."""
    if not isinstance(body, dict) or BODY_FIELD not in body:
        raise InvalidOppvekstRequest(f"The body must be a JSON object with the list '{BODY_FIELD}'")
    unknown = sorted(set(body) - {BODY_FIELD})
    if unknown:
        raise InvalidOppvekstRequest(
            f"Unknown field(s) in the body: {', '.join(unknown)}", {"ukjenteFelt": unknown}
        )
    values = body[BODY_FIELD]
    if not isinstance(values, list) or not values:
        raise InvalidOppvekstRequest(f"'{BODY_FIELD}' must be a list of 1 to {MAX_FOEDSELSNUMRE} numbers")
    if len(values) > MAX_FOEDSELSNUMRE:
        raise InvalidOppvekstRequest(
            f"At most {MAX_FOEDSELSNUMRE} numbers per request; got {len(values)}",
            {"maksAntall": MAX_FOEDSELSNUMRE, "antall": len(values)},
        )
    invalid: list[dict[str, Any]] = []
    for position, value in enumerate(values):
        if not isinstance(value, str):
            invalid.append(
                {"posisjon": position, "verdi": str(value), "feil": "must be a string of 11 digits"}
            )
            continue
        try:
            parse_identitetsnummer(value)
        except InvalidIdentitetsnummer as error:
            invalid.append({"posisjon": position, "verdi": value, "feil": error.reason})
    if invalid:
        named = ", ".join(f"'{entry['verdi']}' ({entry['feil']})" for entry in invalid[:10])
        more = f" and {len(invalid) - 10} more" if len(invalid) > 10 else ""
        raise InvalidOppvekstRequest(
            f"Not a valid fødselsnummer or d-nummer: {named}{more}", {"ugyldigeFoedselsnumre": invalid}
        )
    return list(dict.fromkeys(values))


# ------------------------------------------------------------------------------------------------------
# Reading the register's documents
# ------------------------------------------------------------------------------------------------------


def _current(document: Mapping[str, Any], element: str) -> list[Mapping[str, Any]]:
    return current_entries(document, element)


def _first(document: Mapping[str, Any], element: str, field: str) -> Any:
    for entry in _current(document, element):
        if entry.get(field) is not None:
            return entry[field]
    return None


def guardian_numbers(children: Iterable[Mapping[str, Any]]) -> list[str]:
    """The identity numbers of the children's current holders of parental responsibility, each once."""
    found: dict[str, None] = {}
    for child in children:
        for entry in _current(child, "foreldreansvar"):
            if isinstance(entry.get("ansvarlig"), str):
                found[entry["ansvarlig"]] = None
    return list(found)


def _identifiers(document: Mapping[str, Any]) -> list[str]:
    return [
        e["foedselsEllerDNummer"]
        for e in document.get(IDENTIFIKASJONSNUMMER) or ()
        if e.get("foedselsEllerDNummer")
    ]


def _identifier(entry: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not entry or not entry.get("foedselsEllerDNummer") or not entry.get("identifikatortype"):
        return None
    return {
        "foedselsEllerDNummer": entry["foedselsEllerDNummer"],
        "identifikatortype": entry["identifikatortype"],
    }


def _previous_identifier(document: Mapping[str, Any]) -> dict[str, str] | None:
    """The identity number in use before the current one: the historic entry that ended last."""
    historic = historic_entries(document, IDENTIFIKASJONSNUMMER)
    historic.sort(key=lambda e: str(e.get("opphoerstidspunkt") or e.get("gyldighetstidspunkt") or ""))
    return _identifier(historic[-1]) if historic else None


# ------------------------------------------------------------------------------------------------------
# Address protection across a family
# ------------------------------------------------------------------------------------------------------


def _locations(entry: Mapping[str, Any]) -> set[tuple[Any, ...]]:
    """Keys naming the place an address entry points at (any shared key means "the same place")."""
    keys: set[tuple[Any, ...]] = set()
    if entry.get("adresseIdentifikatorFraMatrikkelen"):
        keys.add(("matrikkel-id", entry["adresseIdentifikatorFraMatrikkelen"]))
    street = entry.get("vegadresse")
    if isinstance(street, Mapping):
        number = street.get("adressenummer") or {}
        name = str(street.get("adressenavn") or "").casefold()
        if name:
            postnummer = (street.get("poststed") or {}).get("postnummer")
            keys.add(("gate", name, number.get("husnummer"), number.get("husbokstav"), postnummer))
            if street.get("kommunenummer"):
                keys.add(
                    (
                        "gate-kommune",
                        name,
                        number.get("husnummer"),
                        number.get("husbokstav"),
                        street["kommunenummer"],
                    )
                )
    land = entry.get("matrikkeladresse")
    if isinstance(land, Mapping) and isinstance(land.get("matrikkelnummer"), Mapping):
        mn = land["matrikkelnummer"]
        keys.add(
            (
                "matrikkel",
                mn.get("kommunenummer"),
                mn.get("gaardsnummer"),
                mn.get("bruksnummer"),
                mn.get("festenummer"),
            )
        )
    return keys


class _Hiding:
    """What must not be shown of one family: the protected places known, or every place if one is unknown."""

    def __init__(self) -> None:
        self.places: set[tuple[Any, ...]] = set()
        self.everywhere = False

    def hides(self, element: str, entry: Mapping[str, Any]) -> bool:
        if self.everywhere:
            return element != "postadresse" or "postboksadresse" not in entry
        return bool(_locations(entry) & self.places)


def _protection(raw: Mapping[str, Any], visible: frozenset[str]) -> _Hiding | None:
    """Where a person lives that the package may not see: None when nothing of it is hidden."""
    hidden = [
        entry for _element, entry in current_addresses(raw) if entry.get("adressegradering") not in visible
    ]
    protected = current_protection_level(raw) not in visible
    if not hidden and not protected:
        return None
    hiding = _Hiding()
    for entry in hidden:
        hiding.places |= _locations(entry)
    # Protected, but the register gave no protected address (it never gives strengtFortrolig ones) or one
    # that names no place: where the person lives is unknown, so any address could be it.
    hiding.everywhere = (protected and not hidden) or any(not _locations(entry) for entry in hidden)
    return hiding


class _Families:
    """Union-find over the persons of one answer: a child and its guardians are one family."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self._parent.setdefault(key, key)
        while self._parent[key] != key:
            self._parent[key] = self._parent[self._parent[key]]
            key = self._parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        self._parent[self.find(a)] = self.find(b)


def _without_hidden(document: dict[str, Any], hiding: _Hiding | None) -> dict[str, Any]:
    if hiding is None:
        return document
    result = dict(document)
    for element in (*_DWELLING, "postadresse"):
        if element in result:
            kept = [entry for entry in result[element] if not hiding.hides(element, entry)]
            if kept:
                result[element] = kept
            else:
                del result[element]
    return result


# ------------------------------------------------------------------------------------------------------
# PersonDefinisjon (field names exactly as KS's fiks-oppvekst-api-v1)
# ------------------------------------------------------------------------------------------------------

#: A shape maps each output field to (source field, sub-shape or None for a value); `REQUIRED` lists the
#: fields without which the object is left out (the contract requires them).
Shape = Mapping[str, Any]
REQUIRED = "__required__"


def _s(*names: str, required: tuple[str, ...] = (), **nested: Any) -> Shape:
    shape: dict[str, Any] = {name: (name, None) for name in names}
    for name, sub in nested.items():
        shape[name] = sub if isinstance(sub, tuple) else (name, sub)
    shape[REQUIRED] = required
    return shape


_POSTSTED = _s("poststedsnavn", "postnummer")
_ADRESSENUMMER = _s("husnummer", "husbokstav", required=("husnummer",))
_VEGADRESSE = _s(
    "adressenavn", "coAdressenavn", "kommunenummer", "bruksenhetsnummer", "bruksenhetstype", "adressekode",
    "adressetilleggsnavn", adressenummer=_ADRESSENUMMER, poststed=_POSTSTED, required=("kommunenummer",),
)  # fmt: skip
_MATRIKKELADRESSE = _s(
    "adressetilleggsnavn", "bruksenhetsnummer", "bruksenhetstype", "coAdressenavn", "undernummer",
    matrikkelnummer=_s("bruksnummer", "festenummer", "gaardsnummer", "kommunenummer", required=("kommunenummer",)),
    poststed=_POSTSTED, required=("matrikkelnummer",),
)  # fmt: skip
_UKJENT_BOSTED = _s("bostedskommune")
_BOSTEDSADRESSE = _s(
    "adressegradering", "adresseIdentifikatorFraMatrikkelen", "naerAdresseIdentifikatorFraMatrikkelen",
    "flyttedato", "skolekrets", "grunnkrets", "kirkekrets", "stemmekrets",
    vegadresse=_VEGADRESSE, matrikkeladresse=_MATRIKKELADRESSE, ukjentBosted=_UKJENT_BOSTED,
    required=("adressegradering",),
)  # fmt: skip
_OPPHOLDSADRESSE = _s(
    "adressegradering", "adresseIdentifikatorFraMatrikkelen",
    vegadresse=_VEGADRESSE, matrikkeladresse=_MATRIKKELADRESSE,
    utenlandskAdresse=_s(
        "adressenavn", "boenhet", "byEllerStedsnavn", "bygning", "coAdressenavn", "distriktsnavn",
        "etasjenummer", "landkode", "postboks", "postkode", "region", required=("landkode",),
    ),
    required=("adressegradering",),
)  # fmt: skip
_DELT_BOSTED = _s(
    "adressegradering", "adresseIdentifikatorFraMatrikkelen", "naerAdresseIdentifikatorFraMatrikkelen",
    "startdatoForKontrakt", "sluttdatoForKontrakt",
    vegadresse=_VEGADRESSE, matrikkeladresse=_MATRIKKELADRESSE, ukjentBosted=_UKJENT_BOSTED,
    required=("adressegradering", "startdatoForKontrakt"),
)  # fmt: skip
_POSTADRESSE = _s(
    "adressegradering", "adresseIdentifikatorFraMatrikkelen",
    postboksadresse=_s("postbokseier", "postboks", poststed=_POSTSTED, required=("postboks",)),
    vegadresseForPost=("vegadresse", _s(
        "adressenavn", "coAdressenavn", "adressekode", "adressetilleggsnavn", "bruksenhetsnummer",
        adressenummer=_ADRESSENUMMER, poststed=_POSTSTED, required=("adressenavn",),
    )),
    frittFormat=("postadresseIFrittFormat", _s("adresselinje", poststed=_POSTSTED)),
    required=("adressegradering",),
)  # fmt: skip
_NAVN = _s("fornavn", "mellomnavn", "etternavn")
_ADDRESS_SHAPES: Mapping[str, Shape] = {
    "bostedsadresse": _BOSTEDSADRESSE,
    "oppholdsadresse": _OPPHOLDSADRESSE,
    "deltBosted": _DELT_BOSTED,
    "postadresse": _POSTADRESSE,
}


def _project(value: Any, shape: Shape) -> dict[str, Any] | None:
    """`value` cut to `shape` (renamed where the contract names a field differently), or None."""
    if not isinstance(value, Mapping):
        return None
    result: dict[str, Any] = {}
    for name, spec in shape.items():
        if name == REQUIRED:
            continue
        source, sub = spec
        found = value.get(source)
        if found is None:
            continue
        if sub is not None:
            found = _project(found, sub)
            if found is None:
                continue
        result[name] = found
    if any(name not in result for name in shape[REQUIRED]):
        return None
    return result


def _citizenship(document: Mapping[str, Any]) -> str | None:
    """One value for a string field: Norwegian when the person holds it, else the first current one."""
    held = [e["statsborgerskap"] for e in _current(document, "statsborgerskap") if e.get("statsborgerskap")]
    return "NOR" if "NOR" in held else (held[0] if held else None)


def _common(document: Mapping[str, Any], addresses: Sequence[str]) -> dict[str, Any]:
    """The fields a child and a guardian share, in the contract's order."""
    out: dict[str, Any] = {}
    out["personstatus"] = _first(document, "status", "status")
    names = _current(document, "navn")
    out["navn"] = _project(names[0], _NAVN) if names else None
    out["statsborgerskap"] = _citizenship(document)
    out["kjoenn"] = _first(document, "kjoenn", "kjoenn")
    # The protection that applies (domain/dokument.py); none means the addresses are ungraded.
    out["adressebeskyttelse"] = current_protection_level(document)
    for element in addresses:
        entries = _current(document, element)
        out[element] = _project(entries[0], _ADDRESS_SHAPES[element]) if entries else None
    return out


def _foreldreansvarstype(child: Mapping[str, Any]) -> str | None:
    """The child's `ansvar` when its current entries agree (felles, mor, far, …); absent when they do not."""
    kinds = {
        e["ansvar"]
        for e in _current(child, "foreldreansvar")
        if e.get("ansvar") and (e.get("ansvarlig") or e.get("ansvarligUtenIdentifikator"))
    }
    return kinds.pop() if len(kinds) == 1 else None


def _guardian(entry: Mapping[str, Any], document: Mapping[str, Any] | None) -> dict[str, Any]:
    """One `ForeldreansvarligDefinisjon`: the responsibility, then the adult's own current values."""
    number = entry["ansvarlig"]
    current = (
        next((e for e in _current(document, IDENTIFIKASJONSNUMMER) if e.get("foedselsEllerDNummer")), None)
        if document
        else None
    )
    identifier = _identifier(current) or {
        "foedselsEllerDNummer": number,
        "identifikatortype": "dNummer" if number[:1] in "4567" else "foedselsnummer",
    }
    out: dict[str, Any] = {"ansvar": entry["ansvar"], "identifikasjonsnummer": identifier}
    if document is not None:
        out.update(_common(document, ("bostedsadresse", "oppholdsadresse", "postadresse")))
        out["foedsel"] = _first(document, "foedsel", "foedselsdato")
    return {name: value for name, value in out.items() if value is not None}


def _child(document: Mapping[str, Any], guardians: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    identifier = _identifier(
        next((e for e in _current(document, IDENTIFIKASJONSNUMMER) if e.get("foedselsEllerDNummer")), None)
    )
    if identifier is None:
        return None
    out: dict[str, Any] = {"identifikasjonsnummer": identifier}
    out["tidligereIdentifikasjonsnummer"] = _previous_identifier(document)
    out["dufNummer"] = _first(
        document, "utlendingsmyndighetenesIdentifikasjonsnummer", "identifikasjonsnummer"
    )
    out["foedselsdato"] = _first(document, "foedsel", "foedselsdato")
    out["foreldreansvarstype"] = _foreldreansvarstype(document)
    common = _common(document, ("bostedsadresse", "oppholdsadresse", "deltBosted", "postadresse"))
    out.update(common)
    listed: dict[str, dict[str, Any]] = {}
    for entry in _current(document, "foreldreansvar"):
        number = entry.get("ansvarlig")
        if isinstance(number, str) and entry.get("ansvar") and number not in listed:
            listed[number] = _guardian(entry, guardians.get(number))
    out["foreldreansvarlige"] = list(listed.values())
    out["familierelasjoner"] = [
        {
            **({"familierelasjonPerson": e["relatertPerson"]} if e.get("relatertPerson") else {}),
            "familierelasjonRolle": e["relatertPersonsRolle"],
        }
        for e in _current(document, "familierelasjon")
        if e.get("relatertPersonsRolle")
    ]
    return {name: value for name, value in out.items() if value is not None}


def oppvekst_answer(
    children: Sequence[Mapping[str, Any]],
    guardians: Sequence[Mapping[str, Any]],
    role: Rolle,
    request: PartRequest,
) -> list[dict[str, Any]]:
    """The `PersonDefinisjon` array for the register's documents of the children and of their guardians.

    Every document is first cut to the role. Children whose current status is `opphoert` are left out.
    Then families (a child and its guardians, joined across the answer) in which someone's address is
    hidden from the role's package lose every address that could be that hidden home (see
    `docs/oppvekst.md`), and only then is each child flattened with its guardians embedded.
    """
    visible = VISIBLE_ADDRESS_GRADINGS[role.rettighetspakke]
    kept = []
    for raw in children:
        filtered = filter_to_role(raw, role, request)
        if _first(filtered, "status", "status") != "opphoert":
            kept.append((raw, filtered))
    # Each guardian under its member key, reachable by every identity number it has had.
    adults: dict[str, str] = {}
    members: dict[str, tuple[Mapping[str, Any], dict[str, Any]]] = {}
    for index, raw in enumerate(guardians):
        filtered = filter_to_role(raw, role, request)
        members[f"voksen:{index}"] = (raw, filtered)
        for number in _identifiers(filtered):
            adults.setdefault(number, f"voksen:{index}")

    families = _Families()
    for index, (raw, filtered) in enumerate(kept):
        key = f"barn:{index}"
        members[key] = (raw, filtered)
        families.find(key)
        for number in guardian_numbers([filtered]):
            if number in adults:
                families.join(key, adults[number])
    hiding: dict[str, _Hiding] = {}
    for key, (raw, _filtered) in members.items():
        found = _protection(raw, visible)
        if found is not None:
            family = hiding.setdefault(families.find(key), _Hiding())
            family.places |= found.places
            family.everywhere = family.everywhere or found.everywhere

    def shown(key: str) -> dict[str, Any]:
        return _without_hidden(members[key][1], hiding.get(families.find(key)))

    shown_adults = {number: shown(key) for number, key in adults.items()}
    answer = []
    seen: set[str] = set()
    for index in range(len(kept)):
        person = _child(shown(f"barn:{index}"), shown_adults)
        if person is not None and person["identifikasjonsnummer"]["foedselsEllerDNummer"] not in seen:
            seen.add(person["identifikasjonsnummer"]["foedselsEllerDNummer"])
            answer.append(person)
    return answer


def persons_in(answer: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every child and every guardian an answer names, each once (for the audit record)."""
    found: dict[str, None] = {}
    for child in answer:
        found[child["identifikasjonsnummer"]["foedselsEllerDNummer"]] = None
        for guardian in child.get("foreldreansvarlige") or ():
            found[guardian["identifikasjonsnummer"]["foedselsEllerDNummer"]] = None
    return list(found)
