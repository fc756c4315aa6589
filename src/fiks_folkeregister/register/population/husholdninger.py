"""Households ("family units"): singles, couples, families, separated and single parents, the widowed, the
deceased, emigrants and d-nummer holders, each built with all its members' documents at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fiks_folkeregister.register.population.bosteder import Period
from fiks_folkeregister.register.population.data import (
    CHILDREN_COUNT_CUM,
    COUPLE_AGE_BANDS,
    EMIGRATION_DESTINATIONS,
    SINGLE_AGE_BANDS,
)
from fiks_folkeregister.register.population.draws import Person
from fiks_folkeregister.register.population.opplysninger import Entries


class Households(Entries):
    """Builds one family unit of each kind; the members' documents are complete when it returns."""

    def _pair(self, age: float, same_sex_share: float = 0.02) -> tuple[Person, Person]:
        """A woman and a partner (a man, or sometimes a woman) of similar age and shared origin."""
        origin = self._immigrant_origin(0.12)
        woman = self._adult(age, "kvinne", origin)
        partner_age = min(102.0, max(18.0, age - 5.0, age + self.rng.gauss(2.5, 3.0)))
        kjoenn = "kvinne" if self.rng.random() < same_sex_share else "mann"
        partner = self._adult(partner_age, kjoenn, origin)
        return woman, partner

    def _settle_together(self, adults: Sequence[Person], latest: int) -> None:
        """Foreign-born adults of one household arrive together, before `latest`."""
        if adults[0].origin == "NOR":
            return
        arrival = self._between(max(a.birth for a in adults) + self._years(16), latest)
        for adult in adults:
            adult.settled = arrival

    def _children(
        self, eldest_age: float, name_origin: str, count: int, min_age: float = 0.0
    ) -> list[Person]:
        """Children born in Norway, eldest first, 1-5 years apart."""
        children = []
        age = eldest_age
        for _ in range(count):
            child = self._new_person(self._kjoenn(), self._birth_for_age(age), "NOR", name_origin=name_origin)
            child.mellomnavn = None
            children.append(child)
            age -= 1.2 + self.rng.random() * 4
            if age < min_age:
                break
        return children

    def _children_count(self) -> int:
        return self._pick((1, 2, 3, 4), CHILDREN_COUNT_CUM)

    def _child_document(self, child: Person, mother: Person, home: list[Period]) -> None:
        place = next((p for p in reversed(home) if p.start <= child.birth), home[0])
        self._base_document(child, [("bosatt", child.birth)], foedekommune=place.kommunenummer)
        self._follow_parent_citizenship(child, mother)
        self._set_bostedsadresse(child, home)

    def _single(self) -> list[Person]:
        person = self._adult(self._adult_age(bands=SINGLE_AGE_BANDS))
        self._base_document(person, [("bosatt", person.settled)])
        kommune = self._kommune()
        move_in = self._between(max(person.settled, person.birth + self._years(18)), self.ref - 1)
        periods = self._personal_periods(person, move_in, kommune)
        if self.rng.random() < 0.004:
            periods.append(Period(None, move_in, kommune.kommunenummer))  # ukjentBosted
        else:
            periods.append(self._period(kommune, move_in))
        self._set_bostedsadresse(person, periods)
        if self.rng.random() < 0.25:
            self._divorced_history(person, self.ref)
        self._apply_grading([person], self._household_grading())
        return [person]

    def _couple(self) -> list[Person]:
        woman, partner = self._pair(self._adult_age(20, bands=COUPLE_AGE_BANDS))
        return self._couple_household(woman, partner, [], married=self.rng.random() < 0.6)

    def _family(self) -> list[Person]:
        eldest_age = self.rng.random() * 22
        woman, partner = self._pair(eldest_age + 22 + self.rng.random() * 16)
        children = self._children(eldest_age, woman.origin, self._children_count())
        return self._couple_household(woman, partner, children, married=self.rng.random() < 0.55)

    def _couple_household(
        self, woman: Person, partner: Person, children: list[Person], married: bool
    ) -> list[Person]:
        rng = self.rng
        adults = [woman, partner]
        latest = children[0].birth if children else self.ref - 60
        self._settle_together(adults, latest)
        adult_from = max(max(a.birth for a in adults) + self._years(18), woman.settled)
        low = max(adult_from, latest - self._years(5)) if children else adult_from
        formed = self._between(low, latest)
        for adult in adults:
            self._base_document(adult, [("bosatt", adult.settled)])
        kommune = self._kommune()
        home = self._household(formed, kommune)
        for adult in adults:
            self._set_bostedsadresse(adult, self._personal_periods(adult, formed, kommune) + home)
        if married:
            wedding = self._between(formed, self.ref - 1)
            self._marry(woman, partner, wedding)
            if partner.kjoenn == "mann" and rng.random() < 0.55:
                self._take_surname(woman, partner.etternavn, wedding)
        parent_role = "far" if partner.kjoenn == "mann" else "medmor"
        for child in children:
            child.etternavn = partner.etternavn if rng.random() < 0.8 else woman.etternavn
            self._child_document(child, woman, home)
            self._parent_child(woman, "mor", child)
            self._parent_child(partner, parent_role, child)
            self._foreldreansvar(child, [(woman, "felles"), (partner, "felles")])
        members = [*adults, *children]
        self._apply_grading(members, self._household_grading())
        return members

    def _separated(self) -> list[Person]:
        """Parents living apart: the children live with one, maybe with deltBosted at the other's."""
        rng = self.rng
        eldest_age = 1 + rng.random() * 16
        mother, father = self._pair(eldest_age + 22 + rng.random() * 14, same_sex_share=0.0)
        children = self._children(eldest_age, mother.origin, self._children_count(), min_age=1.0)
        adults = [mother, father]
        self._settle_together(adults, children[0].birth)
        for adult in adults:
            self._base_document(adult, [("bosatt", adult.settled)])

        youngest = children[-1].birth
        adult_from = max(max(a.birth for a in adults) + self._years(18), mother.settled)
        formed = self._between(max(adult_from, children[0].birth - self._years(4)), children[0].birth)
        separated = self._between(youngest + 120, self.ref - 90)
        kommune = self._kommune()
        family_home = [self._period(kommune, formed)]
        with_father = rng.random() < 0.18
        custodian, other = (father, mother) if with_father else (mother, father)
        custodial_home = list(family_home)
        if rng.random() < 0.5:
            custodial_home.append(self._period(kommune, separated + rng.randrange(60)))
        other_kommune = self._other_kommune(kommune.kommunenummer) if rng.random() < 0.5 else kommune
        other_home = [*family_home, self._period(other_kommune, separated + rng.randrange(90))]
        self._set_bostedsadresse(
            custodian, self._personal_periods(custodian, formed, kommune) + custodial_home
        )
        self._set_bostedsadresse(other, self._personal_periods(other, formed, kommune) + other_home)

        if rng.random() < 0.5:
            wedding = self._between(formed, youngest)
            after = "skilt" if rng.random() < 0.75 else "separert"
            self._marry(mother, father, wedding, end=separated, after_a=after, after_b=after)
            if rng.random() < 0.4:
                self._take_surname(mother, father.etternavn, wedding)
        grading = self._household_grading()
        shared = rng.random() < 0.85
        moved_apart = other_kommune.kommunenummer != kommune.kommunenummer
        for child in children:
            child.etternavn = father.etternavn if rng.random() < 0.7 else mother.etternavn
            self._child_document(child, mother, custodial_home)
            self._parent_child(mother, "mor", child)
            self._parent_child(father, "far", child)
            if shared:
                self._foreldreansvar(child, [(mother, "felles"), (father, "felles")])
            else:
                self._foreldreansvar(child, [(custodian, "far" if with_father else "mor")])
            minor = self.ref - child.birth < self._years(18)
            if minor and shared and moved_apart and grading == "ugradert" and rng.random() < 0.6:
                self._delt_bosted(child, other_home[-1], separated)
        self._apply_grading([custodian, *children], grading)
        if grading != "ugradert":  # the other parent lived in the family home the custodian may still have
            self._grade_history_at(other, custodian, grading)
        return [mother, father, *children]

    def _delt_bosted(self, child: Person, home: Period, separated: int) -> None:
        assert home.address is not None
        start = self._between(max(separated, child.birth, home.start), self.ref - 1)
        child.doc["deltBosted"] = [
            {
                **self._meta(True, start),
                "adressegradering": "ugradert",
                "startdatoForKontrakt": self._date(start),
                **home.address.address_fields(),
            }
        ]

    def _single_parent(self) -> list[Person]:
        """A mother whose children have no registered father: foreldreansvar rests with her."""
        eldest_age = self.rng.random() * 17
        mother = self._adult(eldest_age + 20 + self.rng.random() * 18, "kvinne")
        children = self._children(eldest_age, mother.origin, self._pick((1, 2), (0.7, 1.0)))
        self._settle_together([mother], children[0].birth)
        self._base_document(mother, [("bosatt", mother.settled)])
        kommune = self._kommune()
        formed = self._between(max(mother.settled, mother.birth + self._years(18)), children[0].birth)
        home = self._household(formed, kommune)
        self._set_bostedsadresse(mother, self._personal_periods(mother, formed, kommune) + home)
        for child in children:
            child.etternavn = mother.etternavn
            self._child_document(child, mother, home)
            self._parent_child(mother, "mor", child)
            self._foreldreansvar(child, [(mother, "mor")])
        members = [mother, *children]
        self._apply_grading(members, self._household_grading())
        return members

    def _widowed(self) -> list[Person]:
        """A widow(er) and the deceased spouse: enkeEllerEnkemann, doedsfall, ended spouse relation."""
        rng = self.rng
        woman, man = self._pair(self._adult_age(67), same_sex_share=0.0)
        married = self._between(
            max(woman.birth, man.birth) + self._years(20), max(woman.birth, man.birth) + self._years(35)
        )
        death = self._between(max(married + 365, self.ref - self._years(15)), self.ref - 1)
        survivor, deceased = (woman, man) if rng.random() < 0.75 else (man, woman)
        self._settle_together([woman, man], death - 365)
        self._base_document(survivor, [("bosatt", survivor.settled)])
        self._base_document(deceased, [("bosatt", deceased.settled), ("doed", death)])
        kommune = self._kommune()
        home = self._household(married, kommune, until=death)
        self._set_bostedsadresse(survivor, self._personal_periods(survivor, married, kommune) + home)
        self._set_bostedsadresse(deceased, self._personal_periods(deceased, married, kommune) + home)
        after_woman = "enkeEllerEnkemann" if survivor is woman else None
        after_man = "enkeEllerEnkemann" if survivor is man else None
        self._marry(woman, man, married, end=death, after_a=after_woman, after_b=after_man)
        if after_woman is None:
            # The relation ends with the death whichever spouse survived.
            for entry in (*woman.doc["familierelasjon"], *man.doc["familierelasjon"]):
                entry.update(self._meta(False, married, death))
        if rng.random() < 0.7:
            self._take_surname(woman, man.etternavn, married)
        deceased.doc["doedsfall"] = {**self._meta(True, death), "doedsdato": self._date(death)}
        # The deceased keeps the shared home as the current bostedsadresse, so is graded alike (protection
        # given while both lived there).
        self._apply_grading([survivor], self._household_grading(), until=death, alike=(deceased,))
        return [woman, man]

    def _deceased(self) -> list[Person]:
        rng = self.rng
        death = self._between(self.ref - self._years(20), self.ref - 1)
        age_at_death = self._adult_age(40) if rng.random() < 0.85 else 18 + rng.random() * 30
        birth = self._birth_for_age(age_at_death, at=death)
        origin = self._immigrant_origin(0.08)
        settled = birth if origin == "NOR" else self._between(birth + self._years(16), death - 365)
        person = self._new_person(self._kjoenn(), birth, origin, settled=settled)
        self._base_document(person, [("bosatt", person.settled), ("doed", death)])
        kommune = self._kommune()
        move_in = self._between(max(person.settled, person.birth + self._years(18)), death - 1)
        periods = [*self._personal_periods(person, move_in, kommune), self._period(kommune, move_in)]
        self._set_bostedsadresse(person, periods)
        if rng.random() < 0.3:
            self._divorced_history(person, death)
        person.doc["doedsfall"] = {**self._meta(True, death), "doedsdato": self._date(death)}
        return [person]

    def _emigrated(self) -> list[Person]:
        rng = self.rng
        person = self._adult(self._adult_age(22, 75), origin=self._immigrant_origin(0.2))
        left = self._between(max(person.settled, person.birth + self._years(19)) + 60, self.ref - 1)
        self._base_document(person, [("bosatt", person.settled), ("utflyttet", left)])
        kommune = self._kommune()
        move_in = self._between(max(person.settled, person.birth + self._years(18)), left - 1)
        periods = [*self._personal_periods(person, move_in, kommune), self._period(kommune, move_in)]
        self._set_bostedsadresse(person, periods, current=False, end=left)
        country, city, postkode, street = rng.choice(EMIGRATION_DESTINATIONS)
        if person.origin != "NOR" and rng.random() < 0.7:
            country, city = person.origin, ""  # moved back home; no address known
        utflytting: dict[str, Any] = {
            **self._meta(True, left),
            "tilflyttingsland": country,
            "utflyttingsdato": self._date(left),
        }
        if city:
            utflytting["tilflyttingsstedIUtlandet"] = city
            person.doc["postadresseIUtlandet"] = [
                {
                    **self._meta(True, left),
                    "adressegradering": "ugradert",
                    "utenlandskAdresseIFrittFormat": {
                        "adresselinje": [f"{street} {rng.randint(1, 120)}"],
                        "byEllerStedsnavn": city,
                        "postkode": postkode,
                        "landkode": country,
                    },
                }
            ]
        person.doc["utflytting"] = [utflytting]
        return [person]

    def _dnummer(self) -> list[Person]:
        """A foreign worker or student with a d-nummer: no bostedsadresse, maybe an oppholdsadresse."""
        rng = self.rng
        origin = self._pick(self.dnummer_codes, self.dnummer_cum)
        birth = self._birth_for_age(self._adult_age(19, 66))
        issued = self._between(max(birth + self._years(18), self.ref - self._years(15)), self.ref - 1)
        person = self._new_person(self._kjoenn(), birth, origin, settled=issued)
        status = "midlertidig" if rng.random() < 0.35 else "ikkeBosatt"
        self._base_document(person, [(status, issued)], d_nummer=True)
        if rng.random() < 0.5:
            since = self._between(issued, self.ref - 1)
            address = self._address(self._kommune())
            person.doc["oppholdsadresse"] = [
                {
                    **self._meta(True, since),
                    "adressegradering": "ugradert",
                    "oppholdsadressedato": self._date(since),
                    **address.address_fields(),
                }
            ]
        return [person]
