"""A person document, already filtered to the role by the pipeline → what the card and document pages show.

Pure (no I/O): groups of elements with translated labels, entries as label/value rows with Norwegian dates and
code values, current and historic entries marked, related persons as links, and addresses graded
`fortrolig`/`klientadresse` hidden until the case worker has asked to see them. The document is never widened
here: only what the pipeline returned is shown, and an address graded `strengtFortrolig` (which the register
never returns) is never shown even if one came.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fiks_folkeregister.domain.dokument import entries, is_current
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS

#: The card's groups in order, each with its elements in order (the register's element names).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("identitet", ("identifikasjonsnummer", "kjoenn", "foedsel", "foedselINorge", "identitetsgrunnlag")),
    ("navn", ("navn",)),
    ("status", ("status", "sivilstand", "doedsfall", "kontaktinformasjonForDoedsbo")),
    (
        "adresser",
        (
            "adressebeskyttelse",
            "bostedsadresse",
            "oppholdsadresse",
            "deltBosted",
            "postadresse",
            "postadresseIUtlandet",
            "preferertKontaktadresse",
        ),
    ),
    ("familie", ("familierelasjon", "foreldreansvar", "vergemaalEllerFremtidsfullmakt")),
    (
        "statsborgerskap",
        ("statsborgerskap", "bibehold", "opphold", "oppholdPaaSvalbard", "innflytting", "utflytting"),
    ),
    (
        "annet",
        (
            "falskIdentitet",
            "legitimasjonsdokument",
            "utenlandskPersonidentifikasjon",
            "utlendingsmyndighetenesIdentifikasjonsnummer",
            "brukAvSamiskSpraak",
            "forholdTilSametingetsValgmanntall",
        ),
    ),
)

#: Gradings shown only after the case worker's explicit, audited choice.
SKJERMET = frozenset({"fortrolig", "klientadresse"})
_SHOWABLE = SKJERMET | {"ugradert"}
#: The register's bookkeeping on every entry: not shown as rows (current/historic is shown as a tag).
_METADATA = frozenset({"erGjeldende", "ajourholdstidspunkt", "aarsak", "kilde", "metadata"})
#: Fields naming another person by identity number: shown as a link to that person's card.
_RELATED = ("relatertPerson", "ansvarlig", "ansvarssubjekt", "relatertVedSivilstand")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T.*)?")


@dataclass(frozen=True)
class Relatert:
    """A related person: the row's label, the link's text (the number, or a name), and the relation in
    bokmål (e.g. "Mor", "Barn"), shown in the link beside the number."""

    etikett: str
    navn: str
    href: str | None
    relasjon: str = ""


@dataclass(frozen=True)
class Oppforing:
    """One entry: rows, current or historic, a related person, and whether it is a hidden address."""

    felter: tuple[tuple[str, str], ...]
    historisk: bool
    relatert: Relatert | None = None
    skjermet: bool = False
    gradering: str = ""
    vist: str | None = None


@dataclass(frozen=True)
class Element:
    tittel: str
    oppforinger: tuple[Oppforing, ...]


@dataclass(frozen=True)
class Gruppe:
    id: str
    tittel: str
    elementer: tuple[Element, ...]


@dataclass(frozen=True)
class Kort:
    navn: str
    identifikasjonsnummer: str
    grupper: tuple[Gruppe, ...]
    har_skjermet: bool
    strengt_fortrolig: bool = False
    lenker: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Oversetter:
    """The catalogue's lookups the card needs: plain, and with a context (element, gruppe, felt, kode)."""

    gettext: Callable[[str], str]
    pgettext: Callable[[str, str], str]

    def kode(self, value: str) -> str:
        return self.pgettext("kode", value)


def norsk_dato(value: str) -> str:
    """An ISO date or date-time from the register as a Norwegian date (dd.mm.åååå); anything else as is."""
    match = _ISO_DATE.fullmatch(value)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else value


def visningsnavn(navn: Mapping[str, Any] | None) -> str:
    """A person's name as read: first, middle and last name."""
    if not navn:
        return ""
    parts = (navn.get("fornavn"), navn.get("mellomnavn"), navn.get("etternavn"))
    return " ".join(str(part) for part in parts if part)


def gjeldende_navn(document: Mapping[str, Any]) -> str:
    """The person's current name (the first current entry; else the first one)."""
    names = entries(document.get("navn"))
    current = [entry for entry in names if is_current(entry)]
    return visningsnavn((current or names or [None])[0])


def adresse(entry: Mapping[str, Any], t: Oversetter) -> str:
    """One address entry as one line, however the register holds it."""
    vei = entry.get("vegadresse")
    if isinstance(vei, Mapping):
        nummer = vei.get("adressenummer") or {}
        gate = " ".join(
            str(part)
            for part in (vei.get("adressenavn"), nummer.get("husnummer"), nummer.get("husbokstav"))
            if part
        )
        if vei.get("bruksenhetsnummer"):
            gate += f" ({vei['bruksenhetsnummer']})"
        return ", ".join(part for part in (gate, _poststed(vei.get("poststed"))) if part)
    matrikkel = entry.get("matrikkeladresse")
    if isinstance(matrikkel, Mapping):
        nummer = matrikkel.get("matrikkelnummer") or {}
        unit = "/".join(str(nummer.get(key)) for key in ("gaardsnummer", "bruksnummer") if nummer.get(key))
        name = matrikkel.get("adressetilleggsnavn") or ""
        return ", ".join(part for part in (name, unit, _poststed(matrikkel.get("poststed"))) if part)
    ukjent = entry.get("ukjentBosted")
    if isinstance(ukjent, Mapping):
        return t.kode("ukjentBosted") + (
            f" ({ukjent['bostedskommune']})" if ukjent.get("bostedskommune") else ""
        )
    for key in (
        "utenlandskAdresse",
        "utenlandskAdresseIFrittFormat",
        "postadresseIFrittFormat",
        "postboksadresse",
    ):
        value = entry.get(key)
        if isinstance(value, Mapping):
            return ", ".join(_flat_text(value, t))
    return ", ".join(
        text for key, value in entry.items() if key not in _METADATA for text in _flat_text(value, t)
    )


def _poststed(poststed: Any) -> str:
    if not isinstance(poststed, Mapping):
        return ""
    return " ".join(str(part) for part in (poststed.get("postnummer"), poststed.get("poststedsnavn")) if part)


def _flat_text(value: Any, t: Oversetter | None = None) -> Iterable[str]:
    """The texts of a nested value in order: dates in Norwegian, code values by their label (with ``t``)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _flat_text(item, t)
    elif isinstance(value, list):
        for item in value:
            yield from _flat_text(item, t)
    elif value is not None and not isinstance(value, bool):
        text = str(value)
        label = t.kode(text) if t is not None else text
        yield label if label != text else norsk_dato(text)


def _verdi(value: Any, t: Oversetter) -> str:
    if isinstance(value, bool):
        return t.gettext("Yes") if value else t.gettext("No")
    if isinstance(value, Mapping):
        if "fornavn" in value and "etternavn" in value:
            return visningsnavn(value)
        return ", ".join(_flat_text(value, t))
    if isinstance(value, list):
        return ", ".join(_verdi(item, t) for item in value)
    text = str(value)
    translated = t.kode(text)
    return translated if translated != text else norsk_dato(text)


def _rows(element: str, entry: Mapping[str, Any], t: Oversetter) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    if element in ADDRESS_ELEMENTS:
        rows.append((t.pgettext("element", element), adresse(entry, t)))
        for key in ("flyttedato", "startdatoForKontrakt", "sluttdatoForKontrakt", "adressegradering"):
            if entry.get(key) is not None:
                rows.append((t.pgettext("felt", key), _verdi(entry[key], t)))
    elif element == "navn":
        rows.extend(
            (t.pgettext("felt", key), str(entry[key]))
            for key in ("fornavn", "mellomnavn", "etternavn", "forkortetNavn")
            if entry.get(key)
        )
    else:
        for key, value in entry.items():
            if (
                key in _METADATA
                or key in _RELATED
                or key.startswith("gyldighet")
                or key == "opphoerstidspunkt"
            ):
                continue
            if value is None or value == [] or value == {}:
                continue
            rows.append((_field_label(key, t), _verdi(value, t)))
    for key in ("gyldighetstidspunkt", "opphoerstidspunkt"):
        if entry.get(key):
            rows.append((t.pgettext("felt", key), norsk_dato(str(entry[key]))))
    return tuple(rows)


def _field_label(key: str, t: Oversetter) -> str:
    label = t.pgettext("felt", key)
    if label != key:
        return label
    element_label = t.pgettext("element", key)
    return element_label if element_label != key else key


def bygg_kort(
    document: Mapping[str, Any],
    t: Oversetter,
    lenke: Callable[[str], str | None],
    navn_paa: Callable[[str], str] | None = None,
    historikk: bool = False,
    vis_skjermet: str | None = None,
) -> Kort:
    """The card of a filtered person document.

    `lenke(identity number)` is the address of a related person's card (None: no link); `navn_paa` may name
    them (else the number is the link's text). Historic entries are shown only with `historikk`. Addresses
    graded fortrolig/klientadresse are hidden unless `vis_skjermet` holds the audit reference of the
    case worker's confirmed choice to see them.
    """
    number = _identity_number(document)
    groups: list[Gruppe] = []
    hidden = False
    strict = False
    for group, elements in GROUPS:
        shown: list[Element] = []
        for element in elements:
            if element not in document:
                continue
            rows: list[Oppforing] = []
            for entry in entries(document[element]):
                historic = not is_current(entry)
                if historic and not historikk:
                    continue
                grading = entry.get("adressegradering") if element in ADDRESS_ELEMENTS else None
                if element in ADDRESS_ELEMENTS and grading not in _SHOWABLE:
                    strict = True  # strengtFortrolig, or a missing or unknown grading: fail closed
                    continue
                if grading in SKJERMET:
                    hidden = True
                    if vis_skjermet is None:
                        rows.append(Oppforing((), historic, skjermet=True, gradering=t.kode(grading)))
                        continue
                rows.append(
                    Oppforing(
                        _rows(element, entry, t),
                        historic,
                        relatert=_related(entry, t, lenke, navn_paa),
                        skjermet=grading in SKJERMET,
                        gradering=t.kode(grading) if grading else "",
                        vist=vis_skjermet if grading in SKJERMET else None,
                    )
                )
            shown.append(Element(t.pgettext("element", element), tuple(rows)))
        if shown:
            groups.append(Gruppe(group, t.pgettext("gruppe", group), tuple(shown)))
    return Kort(gjeldende_navn(document), number, tuple(groups), hidden, strict)


def _identity_number(document: Mapping[str, Any]) -> str:
    identifiers = entries(document.get("identifikasjonsnummer"))
    current = [entry for entry in identifiers if is_current(entry)] or identifiers
    return str(current[0].get("foedselsEllerDNummer", "")) if current else ""


def _related(
    entry: Mapping[str, Any],
    t: Oversetter,
    lenke: Callable[[str], str | None],
    navn_paa: Callable[[str], str] | None,
) -> Relatert | None:
    for key in _RELATED:
        number = entry.get(key)
        if isinstance(number, str) and number:
            name = (navn_paa(number) if navn_paa else "") or number
            return Relatert(_field_label(key, t), name, lenke(number), _relation(key, entry, t))
    return None


#: The parents' codes of `foreldreansvar.ansvar` that name the responsible person's relation.
_PARENTS = frozenset({"mor", "far", "medmor"})


def _relation(key: str, entry: Mapping[str, Any], t: Oversetter) -> str:
    """What the related person is to the card's person, in bokmål."""
    if key == "relatertPerson" and entry.get("relatertPersonsRolle"):
        return t.kode(str(entry["relatertPersonsRolle"]))  # familierelasjon: Mor, Far, Barn, Søsken …
    if key == "ansvarssubjekt":
        return t.kode("barn")  # foreldreansvar held by the card's person: for this child
    if key == "ansvarlig" and entry.get("ansvar") in _PARENTS:
        return t.kode(str(entry["ansvar"]))
    return _field_label(key, t)  # Ansvarlig, Ektefelle eller partner, Relatert person
