"""The generated person's document entries: the base document, citizenship, addresses, protection, relations.

Every entry carries the register's metadata (`erGjeldende`, `gyldighetstidspunkt`, `ajourholdstidspunkt`,
`kilde`); relations are written on both persons, so every familierelasjon is mirrored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from fiks_folkeregister.register.population.bosteder import Homes, Period
from fiks_folkeregister.register.population.data import (
    DUAL_CITIZENSHIP_FROM,
    FORTROLIG_SHARE,
    STRENGT_FORTROLIG_POSTADRESSE,
    STRENGT_FORTROLIG_SHARE,
)
from fiks_folkeregister.register.population.draws import Document, Names, Person


def _place_of(entry: dict[str, Any]) -> Any:
    """Where an address entry is (the dwelling too: a family home is one flat), None for ukjentBosted."""
    return entry.get("vegadresse") or entry.get("matrikkeladresse")


class Entries(Homes):
    """Draws persons and writes their document entries."""

    def _first_name(self, names: Names, kjoenn: str) -> str:
        pool = names.female if kjoenn == "kvinne" else names.male
        random = self.rng.random
        first = pool[int(random() * len(pool))]
        if random() < 0.08:
            second = pool[int(random() * len(pool))]
            if second != first:
                first = f"{first} {second}"
        return first

    def _new_person(
        self, kjoenn: str, birth: int, origin: str = "NOR", settled: int | None = None, name_origin: str = ""
    ) -> Person:
        name_origin = name_origin or origin
        names = self.foreign_names.get(name_origin, self.names)
        mellomnavn = None
        if name_origin == "NOR" and self.rng.random() < 0.12:
            mellomnavn = self.rng.choice(self.names.last)
        return Person(
            kjoenn=kjoenn,
            birth=birth,
            fornavn=self._first_name(names, kjoenn),
            mellomnavn=mellomnavn,
            etternavn=names.last[int(self.rng.random() * len(names.last))],
            origin=origin,
            settled=birth if settled is None else settled,
            doc={},
        )

    def _adult(self, age: float, kjoenn: str | None = None, origin: str | None = None) -> Person:
        """A person of `age` at the reference date; foreign-born ones settle later (set by the unit)."""
        birth = self._birth_for_age(age)
        origin = origin or self._immigrant_origin(0.12)
        settled = birth
        if origin != "NOR":
            settled = self._between(birth + self._years(16), self.ref - 30)
        return self._new_person(kjoenn or self._kjoenn(), birth, origin, settled=settled)

    def _identity(self, person: Person, d_nummer: bool = False) -> str:
        born = date.fromordinal(person.birth)
        return generate_synthetic(born, person.kjoenn, self.rng, d_nummer=d_nummer, taken=self.taken)

    def _base_document(
        self,
        person: Person,
        status_history: list[tuple[str, int]],
        d_nummer: bool = False,
        foedekommune: str | None = None,
    ) -> Document:
        """identifikasjonsnummer, navn, kjoenn, foedsel, status, statsborgerskap, sivilstand (ugift), …"""
        rng = self.rng
        doc = person.doc
        person.identity = self._identity(person, d_nummer=d_nummer)
        # Entries registered together (at birth, or on arrival) share their metadata.
        born_meta = self._meta(True, person.birth)
        arrived_meta = born_meta if person.settled == person.birth else self._meta(True, person.settled)
        identifiers = [
            {
                **arrived_meta,
                "foedselsEllerDNummer": person.identity,
                "identifikatortype": "dNummer" if d_nummer else "foedselsnummer",
                "status": "iBruk",
            }
        ]
        if not d_nummer and person.origin != "NOR" and rng.random() < 0.3:
            # Came as a d-nummer holder (work, studies) before settling and getting a fødselsnummer.
            low = max(person.birth + self._years(16), person.settled - self._years(3))
            if low < person.settled - 30:
                issued = self._between(low, person.settled - 30)
                identifiers.append(
                    {
                        **self._meta(False, issued, person.settled),
                        "foedselsEllerDNummer": self._identity(person, d_nummer=True),
                        "identifikatortype": "dNummer",
                        "status": "opphoert",
                    }
                )
        doc["identifikasjonsnummer"] = identifiers

        navn: dict[str, Any] = {**born_meta, "fornavn": person.fornavn}
        if person.mellomnavn:
            navn["mellomnavn"] = person.mellomnavn
        navn["etternavn"] = person.etternavn
        doc["navn"] = [navn]
        doc["kjoenn"] = [{**born_meta, "kjoenn": person.kjoenn}]

        born = self._date(person.birth)
        foedsel: dict[str, Any] = {
            **born_meta,
            "foedselsdato": born,
            "foedselsaar": born[:4],
            "foedeland": person.origin,
        }
        if person.origin == "NOR":
            foedsel["foedekommuneINorge"] = foedekommune or self._kommune().kommunenummer
        doc["foedsel"] = [foedsel]

        entries = []
        for index, (status, start) in enumerate(status_history):
            end = status_history[index + 1][1] if index + 1 < len(status_history) else None
            entries.append({**self._meta(end is None, start, end), "status": status})
        entries.reverse()
        doc["status"] = entries

        if d_nummer:
            grunnlag = "kontrollert" if rng.random() < 0.4 else "ikkeKontrollert"
        else:
            grunnlag = "ingenStatus" if person.origin == "NOR" else "kontrollert"
        doc["identitetsgrunnlag"] = [{**arrived_meta, "identitetsgrunnlagstatus": grunnlag}]
        doc["statsborgerskap"] = self._citizenship(person, d_nummer)
        if person.origin != "NOR" and not d_nummer:
            doc["innflytting"] = [{**arrived_meta, "fraflyttingsland": person.origin}]
        doc["sivilstand"] = [{**born_meta, "sivilstand": "ugift"}]
        return doc

    def _citizenship(self, person: Person, d_nummer: bool) -> list[dict[str, Any]]:
        if person.origin == "NOR":
            return [{**self._meta(True, person.birth), "statsborgerskap": "NOR"}]
        native = {"statsborgerskap": person.origin}
        if d_nummer or self.ref - person.settled < self._years(8) or self.rng.random() < 0.55:
            return [{**self._meta(True, person.birth), **native}]
        acquired = self._between(person.settled + self._years(7), self.ref - 1)
        norwegian = {
            **self._meta(True, acquired),
            "statsborgerskap": "NOR",
            "ervervsdato": self._date(acquired),
        }
        if acquired < DUAL_CITIZENSHIP_FROM:
            # Before 2020 Norway did not allow dual citizenship: the old one ended.
            return [norwegian, {**self._meta(False, person.birth, acquired), **native}]
        return [norwegian, {**self._meta(True, person.birth), **native}]

    def _follow_parent_citizenship(self, child: Person, parent: Person) -> None:
        """A child born in Norway to parents without Norwegian citizenship gets theirs, not NOR."""
        codes = [e["statsborgerskap"] for e in parent.doc["statsborgerskap"] if e["erGjeldende"]]
        if "NOR" not in codes:
            child.doc["statsborgerskap"] = [
                {**self._meta(True, child.birth), "statsborgerskap": code} for code in codes
            ]

    def _set_bostedsadresse(
        self, person: Person, periods: list[Period], current: bool = True, end: int | None = None
    ) -> None:
        """bostedsadresse entries: the periods in date order, clipped to when the person lived in Norway.

        With `current` False every entry is historic and the last ends at `end` (emigration).
        """
        clipped: list[Period] = []
        for period in sorted(periods, key=lambda p: p.start):
            start = max(period.start, person.settled, person.birth)
            if end is not None and start >= end:
                continue
            if clipped and clipped[-1].start == start:
                clipped[-1] = Period(period.address, start, period.kommunenummer)
            else:
                clipped.append(Period(period.address, start, period.kommunenummer))
        entries = []
        for index, period in enumerate(clipped):
            last = index + 1 == len(clipped)
            stop = end if last else clipped[index + 1].start
            entry = self._meta(last and current, period.start, None if last and current else stop)
            entry["adressegradering"] = "ugradert"
            if period.address is None:
                entry["ukjentBosted"] = {"bostedskommune": period.kommunenummer}
            else:
                entry.update(period.address.bosted_fields())
                entry["flyttedato"] = self._date(period.start)
            entries.append(entry)
        entries.reverse()
        person.doc["bostedsadresse"] = entries

    def _household_grading(self) -> str:
        """Keep the share of graded persons at the target, household by household."""
        if self.graded["strengtFortrolig"] < STRENGT_FORTROLIG_SHARE * self.generated:
            return "strengtFortrolig"
        if self.graded["fortrolig"] < FORTROLIG_SHARE * self.generated:
            return "fortrolig"
        return "ugradert"

    def _apply_grading(
        self, members: list[Person], grading: str, until: int | None = None, alike: Sequence[Person] = ()
    ) -> None:
        """Address protection on the members and on their current addresses (given before `until`);
        `alike` get a copy of the last member's protection (no draws: the rest of the population stays
        as it was)."""
        if grading == "ugradert":
            return
        self.graded[grading] += len(members)  # the share is kept among the living
        latest = (self.ref if until is None else until) - 1
        for person in members:
            current = [e for e in person.doc.get("bostedsadresse", ()) if e["erGjeldende"]]
            for entry in current:
                entry["adressegradering"] = grading
            since = self._between(max(person.birth, person.settled), latest)
            person.doc["adressebeskyttelse"] = [{**self._meta(True, since), "graderingsnivaa": grading}]
            if grading == "strengtFortrolig":
                postboks = dict(STRENGT_FORTROLIG_POSTADRESSE)
                postboks["poststed"] = dict(STRENGT_FORTROLIG_POSTADRESSE["poststed"])
                person.doc["postadresse"] = [
                    {**self._meta(True, since), "adressegradering": "ugradert", "postboksadresse": postboks}
                ]
        model = members[-1].doc
        for person in alike:
            for entry in person.doc.get("bostedsadresse", ()):
                if entry["erGjeldende"]:
                    entry["adressegradering"] = grading
            for element in ("adressebeskyttelse", "postadresse"):
                if element in model:
                    person.doc[element] = [
                        {
                            **entry,
                            **(
                                {"postboksadresse": dict(entry["postboksadresse"])}
                                if "postboksadresse" in entry
                                else {}
                            ),
                        }
                        for entry in model[element]
                    ]

    @staticmethod
    def _grade_history_at(person: Person, protected: Person, grading: str) -> None:
        """The person's entries at the protected person's current home graded like it (a relative's
        history never gives a protected address out)."""
        homes = [_place_of(e) for e in protected.doc.get("bostedsadresse", ()) if e["erGjeldende"]]
        for entry in person.doc.get("bostedsadresse", ()):
            if _place_of(entry) in homes:
                entry["adressegradering"] = grading

    def _relate(
        self, a: Person, a_role: str, b: Person, b_role: str, start: int, end: int | None = None
    ) -> None:
        """Mirrored familierelasjon: a is b's `a_role`, b is a's `b_role`."""
        current = end is None
        a.doc.setdefault("familierelasjon", []).append(
            {
                **self._meta(current, start, end),
                "relatertPerson": b.identity,
                "relatertPersonsRolle": b_role,
                "minRolleForPerson": a_role,
            }
        )
        b.doc.setdefault("familierelasjon", []).append(
            {
                **self._meta(current, start, end),
                "relatertPerson": a.identity,
                "relatertPersonsRolle": a_role,
                "minRolleForPerson": b_role,
            }
        )

    def _parent_child(self, parent: Person, role: str, child: Person) -> None:
        self._relate(parent, role, child, "barn", child.birth)

    def _foreldreansvar(self, child: Person, holders: list[tuple[Person, str]]) -> None:
        """Parental responsibility for a minor: on the child (ansvarlig) and each holder (ansvarssubjekt)."""
        if self.ref - child.birth >= self._years(18):
            return
        for holder, ansvar in holders:
            child.doc.setdefault("foreldreansvar", []).append(
                {**self._meta(True, child.birth), "ansvar": ansvar, "ansvarlig": holder.identity}
            )
            holder.doc.setdefault("foreldreansvar", []).append(
                {**self._meta(True, child.birth), "ansvar": ansvar, "ansvarssubjekt": child.identity}
            )

    def _sivilstand_history(
        self, person: Person, partner: Person, married: int, end: int | None, after: str | None
    ) -> list[dict[str, Any]]:
        """ugift → gift (→ `after` from `end`), newest first."""
        ugift = {**self._meta(False, person.birth, married), "sivilstand": "ugift"}
        gift_ends = end if after is not None else None
        gift = {
            **self._meta(gift_ends is None, married, gift_ends),
            "sivilstand": "gift",
            "sivilstandsdato": self._date(married),
            "relatertVedSivilstand": partner.identity,
        }
        if gift_ends is None or after is None:
            return [gift, ugift]
        later: dict[str, Any] = {**self._meta(True, gift_ends), "sivilstand": after}
        later["sivilstandsdato"] = self._date(gift_ends)
        if after in ("separert", "enkeEllerEnkemann"):
            later["relatertVedSivilstand"] = partner.identity
        return [later, gift, ugift]

    def _marry(
        self,
        a: Person,
        b: Person,
        married: int,
        end: int | None = None,
        after_a: str | None = None,
        after_b: str | None = None,
    ) -> None:
        """Sivilstand on both and the spouse relation both ways (historic once the marriage ended)."""
        a.doc["sivilstand"] = self._sivilstand_history(a, b, married, end, after_a)
        b.doc["sivilstand"] = self._sivilstand_history(b, a, married, end, after_b)
        relation_ends = end if after_a not in (None, "separert") else None
        self._relate(a, "ektefelleEllerPartner", b, "ektefelleEllerPartner", married, relation_ends)

    def _take_surname(self, person: Person, surname: str, when: int) -> None:
        """A name change at marriage: the earlier name becomes a historic navn entry."""
        if person.etternavn == surname:
            return
        current = person.doc["navn"][0]
        historic = {**current, **self._meta(False, person.birth, when)}
        new = {**current, **self._meta(True, when), "etternavn": surname}
        if person.mellomnavn is None and self.rng.random() < 0.3:
            new["mellomnavn"] = person.etternavn  # keeps the maiden name as a middle name
            person.mellomnavn = person.etternavn
        person.etternavn = surname
        person.doc["navn"] = [new, historic]

    def _divorced_history(self, person: Person, until: int) -> None:
        """A past marriage to someone outside the population: ugift → gift → skilt."""
        earliest, latest = person.birth + self._years(20), until - self._years(3)
        if latest <= earliest:
            return
        married = self._between(earliest, latest)
        divorced = self._between(married + 365, until - 30)
        person.doc["sivilstand"] = [
            {**self._meta(True, divorced), "sivilstand": "skilt", "sivilstandsdato": self._date(divorced)},
            {
                **self._meta(False, married, divorced),
                "sivilstand": "gift",
                "sivilstandsdato": self._date(married),
            },
            {**self._meta(False, person.birth, married), "sivilstand": "ugift"},
        ]
