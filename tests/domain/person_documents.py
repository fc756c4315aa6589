"""Hypothesis strategies for person documents as the register's JSON dicts (Folkeregisterperson)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

from hypothesis import strategies as st

from fiks_folkeregister.domain.informasjonselementer import ELEMENTS, SINGLE_ENTRY_ELEMENTS

Entry = dict[str, Any]

#: Every `adressegradering` / `graderingsnivaa` value in the spec.
GRADERINGER = ("ugradert", "klientadresse", "fortrolig", "strengtFortrolig")

#: Every person status in the spec's `Folkeregisterpersonstatus.status` enum.
PERSONSTATUSER = (
    "bosatt",
    "utflyttet",
    "forsvunnet",
    "doed",
    "opphoert",
    "foedselsregistrert",
    "midlertidig",
    "inaktiv",
    "ikkeBosatt",
    "aktiv",
)

_TIMESTAMPS = (
    "1990-05-01T00:00:00Z",
    "2004-11-17T08:12:44Z",
    "2019-03-02T10:00:00.123Z",
    "2023-08-30T14:45:00Z",
)
_DATES = ("1987-01-12", "1999-06-30", "2012-02-29", "2021-10-01")
_KOMMUNER = ("0301", "4601", "5001", "1103", "3907", "5501")
_COUNTRIES = ("SWE", "DNK", "POL", "DEU", "USA", "SOM")

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = 11 - sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
    if remainder == 11:
        return 0
    return None if remainder == 10 else remainder


def _synthetic_number(born: date, individual: int, d_number: bool) -> str | None:
    """A synthetic (month + 80) fødselsnummer or d-nummer with valid mod-11 check digits, or None."""
    day = born.day + (40 if d_number else 0)
    digits = [int(c) for c in f"{day:02d}{born.month + 80:02d}{born.year % 100:02d}{individual:03d}"]
    k1 = _check_digit(digits, _K1_WEIGHTS)
    if k1 is None:
        return None
    k2 = _check_digit([*digits, k1], _K2_WEIGHTS)
    if k2 is None:
        return None
    return "".join(map(str, [*digits, k1, k2]))


def identity_numbers(d_number: bool | None = None) -> st.SearchStrategy[str]:
    """Valid synthetic identity numbers (never a real person's): fødselsnummer or d-nummer."""
    kinds = st.booleans() if d_number is None else st.just(d_number)
    return st.builds(
        _synthetic_number,
        st.dates(min_value=date(1930, 1, 1), max_value=date(2024, 12, 31)),
        st.integers(min_value=0, max_value=999),
        kinds,
    ).filter(lambda number: number is not None)  # type: ignore[return-value]


def _person_names() -> st.SearchStrategy[Entry]:
    return st.fixed_dictionaries(
        {
            "fornavn": st.sampled_from(("Vakker", "Rask", "Stille", "Modig")),
            "etternavn": st.sampled_from(("Blomst", "Elv", "Fjell", "Skog")),
        },
        optional={"mellomnavn": st.sampled_from(("Grønn", "Lys"))},
    )


def _poststed() -> st.SearchStrategy[Entry]:
    return st.fixed_dictionaries(
        {
            "postnummer": st.sampled_from(("0150", "5003", "7010")),
            "poststedsnavn": st.sampled_from(("OSLO", "BERGEN")),
        }
    )


def _vegadresse() -> st.SearchStrategy[Entry]:
    return st.fixed_dictionaries(
        {
            "adressenavn": st.sampled_from(("Storgata", "Fjellveien", "Kirkebakken")),
            "adressenummer": st.fixed_dictionaries(
                {"husnummer": st.sampled_from(("1", "12", "104"))},
                optional={"husbokstav": st.sampled_from(("A", "B"))},
            ),
            "kommunenummer": st.sampled_from(_KOMMUNER),
            "poststed": _poststed(),
        }
    )


def _matrikkeladresse() -> st.SearchStrategy[Entry]:
    return st.fixed_dictionaries(
        {
            "matrikkelnummer": st.fixed_dictionaries(
                {
                    "kommunenummer": st.sampled_from(_KOMMUNER),
                    "gaardsnummer": st.integers(1, 300),
                    "bruksnummer": st.integers(1, 50),
                }
            ),
            "poststed": _poststed(),
        }
    )


def _norwegian_location() -> st.SearchStrategy[Entry]:
    """One of the three shapes of a Norwegian address: street, cadastral, or unknown residence."""
    return st.one_of(
        st.builds(lambda a: {"vegadresse": a}, _vegadresse()),
        st.builds(lambda a: {"matrikkeladresse": a}, _matrikkeladresse()),
        st.builds(lambda k: {"ukjentBosted": {"bostedskommune": k}}, st.sampled_from(_KOMMUNER)),
    )


def _foreign_address() -> st.SearchStrategy[Entry]:
    return st.fixed_dictionaries(
        {"adressenavn": st.just("Main Street 5"), "landkode": st.sampled_from(_COUNTRIES)},
        optional={"byEllerStedsnavn": st.just("Springfield")},
    )


def _graded(content: st.SearchStrategy[Entry]) -> st.SearchStrategy[Entry]:
    return st.builds(
        lambda grading, rest: {"adressegradering": grading, **rest}, st.sampled_from(GRADERINGER), content
    )


def _merge(*parts: st.SearchStrategy[Entry]) -> st.SearchStrategy[Entry]:
    return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})


def _fields(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Entry]:
    return st.fixed_dictionaries(fields)


_SINGLE = st.sampled_from

#: Per element, a strategy for the element-specific fields of one entry (metadata is added separately).
_CONTENT: dict[str, Callable[[], st.SearchStrategy[Entry]]] = {
    "adressebeskyttelse": lambda: _fields(graderingsnivaa=_SINGLE(GRADERINGER)),
    "bibehold": lambda: _fields(
        bibeholdstatus=_SINGLE(
            ("harBibehold", "harIkkeLengerBibehold", "norskStatsborgerTrengerIkkeBibehold")
        )
    ),
    "bostedsadresse": lambda: _graded(
        _merge(
            _norwegian_location(),
            _fields(
                flyttedato=_SINGLE(_DATES),
                grunnkrets=st.integers(1, 9999),
                skolekrets=st.integers(1, 99),
                stemmekrets=st.integers(1, 99),
                kirkekrets=st.integers(1, 99),
            ),
        )
    ),
    "brukAvSamiskSpraak": lambda: _fields(
        spraak=st.lists(
            _SINGLE(("nordsamisk", "soersamisk", "lulesamisk")), min_size=1, max_size=3, unique=True
        )
    ),
    "deltBosted": lambda: _graded(
        _merge(
            _norwegian_location(),
            st.fixed_dictionaries(
                {"startdatoForKontrakt": _SINGLE(_DATES)}, optional={"sluttdatoForKontrakt": _SINGLE(_DATES)}
            ),
        )
    ),
    "doedsfall": lambda: _fields(doedsdato=_SINGLE(_DATES)),
    "falskIdentitet": lambda: st.fixed_dictionaries(
        {"erFalsk": st.booleans()},
        optional={"rettIdentitetVedIdentifikasjonsnummer": identity_numbers()},
    ),
    "familierelasjon": lambda: _fields(
        relatertPerson=identity_numbers(),
        relatertPersonsRolle=_SINGLE(("mor", "far", "medmor", "barn", "soesken", "ektefelleEllerPartner")),
        minRolleForPerson=_SINGLE(("mor", "far", "medmor", "barn", "soesken", "ektefelleEllerPartner")),
    ),
    "foedsel": lambda: _fields(
        foedselsaar=_SINGLE(("1987", "1999", "2012")),
        foedselsdato=_SINGLE(_DATES),
        foedeland=_SINGLE(("NOR", *_COUNTRIES)),
    ),
    "foedselINorge": lambda: st.fixed_dictionaries(
        {"rekkefoelgenummer": st.integers(1, 3)},
        optional={"foedselsinstitusjonsnavn": st.just("Rikshospitalet")},
    ),
    "foreldreansvar": lambda: _fields(
        ansvar=_SINGLE(("felles", "mor", "far", "medmor", "andre", "ukjent")), ansvarlig=identity_numbers()
    ),
    "forholdTilSametingetsValgmanntall": lambda: _fields(
        forhold=_SINGLE(("innmeldt", "utmeldt", "aldriInnmeldt")), vedtaksdato=_SINGLE(_DATES)
    ),
    "identifikasjonsnummer": lambda: st.builds(
        lambda number: {
            "foedselsEllerDNummer": number,
            "identifikatortype": "dNummer" if int(number[0]) >= 4 else "foedselsnummer",
            "status": "iBruk",
        },
        identity_numbers(),
    ),
    "identitetsgrunnlag": lambda: _fields(
        identitetsgrunnlagstatus=_SINGLE(("ingenStatus", "ikkeKontrollert", "kontrollert"))
    ),
    "innflytting": lambda: _fields(fraflyttingsland=_SINGLE(_COUNTRIES)),
    "kjoenn": lambda: _fields(kjoenn=_SINGLE(("kvinne", "mann"))),
    "kontaktinformasjonForDoedsbo": lambda: _fields(
        skifteform=_SINGLE(("offentlig", "annet")),
        attestutstedelsesdato=_SINGLE(_DATES),
        adresse=_fields(
            adresselinje=st.just(["Storgata 1"]),
            postnummer=_SINGLE(("0150", "5003")),
            poststedsnavn=_SINGLE(("OSLO", "BERGEN")),
        ),
        person=_fields(personnavn=_person_names()),
    ),
    "legitimasjonsdokument": lambda: _fields(
        identifikasjonsdokumenttype=_SINGLE(("pass", "nasjonalIdentitetskort")),
        utstederland=_SINGLE(_COUNTRIES),
        identifikasjonsdokumentnummer=_SINGLE(("AB123456", "X9988776")),
    ),
    "navn": _person_names,
    "opphold": lambda: _fields(
        oppholdstillatelse=_SINGLE(("midlertidig", "permanent", "opplysningMangler")),
        oppholdFra=_SINGLE(_DATES),
    ),
    "oppholdPaaSvalbard": lambda: _fields(
        antattOppholdsvarighet=_SINGLE(
            ("underSeksMaaneder", "overSeksMaaneder", "overTolvMaaneder", "ukjent")
        ),
        startdato=_SINGLE(_DATES),
    ),
    "oppholdsadresse": lambda: _graded(
        st.one_of(
            st.builds(lambda a: {"vegadresse": a}, _vegadresse()),
            st.builds(lambda a: {"utenlandskAdresse": a}, _foreign_address()),
        )
    ),
    "postadresse": lambda: _graded(
        st.one_of(
            st.builds(
                lambda p: {"postadresseIFrittFormat": {"adresselinje": ["Postboks 9"], "poststed": p}},
                _poststed(),
            ),
            st.builds(lambda p: {"postboksadresse": {"postboks": "Postboks 42", "poststed": p}}, _poststed()),
        )
    ),
    "postadresseIUtlandet": lambda: _graded(
        st.builds(
            lambda land: {
                "utenlandskAdresseIFrittFormat": {"adresselinje": ["1 Rue de Rivoli"], "landkode": land}
            },
            _SINGLE(_COUNTRIES),
        )
    ),
    "preferertKontaktadresse": lambda: _graded(
        _fields(valg=_SINGLE(("bostedsadresse", "oppholdsadresse", "postadresse", "postadresseIUtlandet")))
    ),
    "sivilstand": lambda: st.fixed_dictionaries(
        {"sivilstand": _SINGLE(("ugift", "gift", "skilt", "enkeEllerEnkemann", "registrertPartner"))},
        optional={"relatertVedSivilstand": identity_numbers(), "sivilstandsdato": _SINGLE(_DATES)},
    ),
    "statsborgerskap": lambda: _fields(statsborgerskap=_SINGLE(("NOR", *_COUNTRIES))),
    "status": lambda: _fields(status=_SINGLE(PERSONSTATUSER)),
    "utenlandskPersonidentifikasjon": lambda: _fields(
        identifikasjonsnummer=_SINGLE(("19800101-1234", "AB-998877")),
        identifikasjonsnummertype=_SINGLE(("personnummer", "skattenummer")),
        utstederland=_SINGLE(_COUNTRIES),
    ),
    "utflytting": lambda: _fields(tilflyttingsland=_SINGLE(_COUNTRIES), utflyttingsdato=_SINGLE(_DATES)),
    "utlendingsmyndighetenesIdentifikasjonsnummer": lambda: _fields(
        identifikasjonsnummer=_SINGLE(("123456789", "987654321")),
        identifikasjonsnummertype=st.just("utlendingsmyndighetenesIdentifikasjonsnummer"),
        utstederland=st.just("NOR"),
    ),
    "vergemaalEllerFremtidsfullmakt": lambda: _fields(
        embete=_SINGLE(("Statsforvalteren i Oslo og Viken", "Statsforvalteren i Vestland")),
        vergemaaltype=_SINGLE(("voksen", "mindreaarig", "stadfestetFremtidsfullmakt")),
        verge=_fields(
            foedselsEllerDNummer=identity_numbers(),
            navn=_person_names(),
            omfang=_SINGLE(("personligeOgOekonomiskeInteresser", "oekonomiskeInteresser")),
        ),
    ),
}

#: Elements where several entries can be current at once (e.g. two citizenships, several children).
_MANY_CURRENT = frozenset(
    {
        "statsborgerskap",
        "familierelasjon",
        "foreldreansvar",
        "utenlandskPersonidentifikasjon",
        "legitimasjonsdokument",
        "vergemaalEllerFremtidsfullmakt",
        "utlendingsmyndighetenesIdentifikasjonsnummer",
        "kontaktinformasjonForDoedsbo",
    }
)


def _metadata(current: bool) -> list[Entry]:
    """Every combination of an entry's metadata: drawn as one choice, it costs one draw, not six (the same
    values, equally likely; historic entries carry `opphoerstidspunkt`, `aarsak` is optional)."""
    ended: tuple[str | None, ...] = (None,) if current else _TIMESTAMPS
    combinations = itertools.product(
        _TIMESTAMPS,
        _TIMESTAMPS,
        ("Dolly", "Skatteetaten", "KILDE_DSF"),
        ended,
        (None, "Innflytting", "Korrigering"),
    )
    return [
        {
            "erGjeldende": current,
            "ajourholdstidspunkt": ajourhold,
            "gyldighetstidspunkt": gyldighet,
            "kilde": kilde,
            **({} if opphoer is None else {"opphoerstidspunkt": opphoer}),
            **({} if aarsak is None else {"aarsak": aarsak}),
        }
        for ajourhold, gyldighet, kilde, opphoer, aarsak in combinations
    ]


_METADATA = {current: st.sampled_from(_metadata(current)) for current in (True, False)}


def entry(element: str, *, current: bool) -> st.SearchStrategy[Entry]:
    """One entry of `element` with the register's metadata; historic entries carry `opphoerstidspunkt`."""
    meta = _METADATA[current]
    content = _CONTENT[element]()
    if element == "identifikasjonsnummer" and not current:
        content = content.map(lambda fields: {**fields, "status": "opphoert"})
    return _merge(meta, content)


def element_value(element: str) -> st.SearchStrategy[Any]:
    """The value of one element: a single object for doedsfall/falskIdentitet, otherwise a list of entries.

    Lists mix current and historic entries in any order, may be empty (the minimiser must drop those),
    and hold at most one current entry except for elements that can have several (e.g. statsborgerskap).
    `identifikasjonsnummer` always has exactly one current entry.
    """
    if element in SINGLE_ENTRY_ELEMENTS:
        return st.booleans().flatmap(lambda current: entry(element, current=current))
    max_current = 3 if element in _MANY_CURRENT else 1
    # A person always has exactly one identifikasjonsnummer in use.
    min_current = 1 if element == "identifikasjonsnummer" else 0
    current = st.lists(entry(element, current=True), min_size=min_current, max_size=max_current)
    historic = st.lists(entry(element, current=False), max_size=2)
    return st.tuples(current, historic).flatmap(lambda ch: st.permutations([*ch[0], *ch[1]]))


def person_documents(
    elements: tuple[str, ...] = ELEMENTS, *, always: tuple[str, ...] = ("identifikasjonsnummer",)
) -> st.SearchStrategy[dict[str, Any]]:
    """Varied person documents (plain JSON dicts shaped like Folkeregisterperson).

    Each element in `elements` may or may not be present; those in `always` are always present. Every
    address grading, every person status, current and historic entries all occur.
    """
    required = {name: element_value(name) for name in always}
    optional = {name: element_value(name) for name in elements if name not in always}
    return st.fixed_dictionaries(required, optional=optional)
