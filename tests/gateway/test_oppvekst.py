"""The Oppvekst API: KS's contract exactly, the role's requirements, the role filter, protection, audit."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.gateway.router import MirroredApi, build_oppvekst_router
from fiks_folkeregister.storage.tables import organisasjon
from tests.conftest import REFERENCE_DIR
from tests.contract import validate_against_spec
from tests.gateway.conftest import ORG_A, ORG_B, Integration, ServedGateway
from tests.gateway.oppvekst_documents import Families, People, make_families, number_of

OPPVEKST_SPEC = REFERENCE_DIR / "fiks-oppvekst-api-v1.json"
#: Every element KS documents for the Oppvekst API, history, and the DUF number (optional).
OPPVEKST_PARTS = [
    "person-basis",
    "utenlandskPersonidentifikasjon",
    "familierelasjon",
    "foreldreansvar",
    "utlendingsmyndighetenesIdentifikasjonsnummer",
    "historikk",
]
# Street names that exist only at protected addresses: none of them may ever appear in an answer.
PROTECTED_STREETS = ("Hemmeligveien", "Skjultgata")


@pytest.fixture(scope="module")
def families(served_gateway: ServedGateway) -> Families:
    made = make_families()
    documents = [*made.children.values(), *made.adults.values()]
    served_gateway.register.repository.add_persons(documents, [str(uuid.uuid4()) for _ in documents])
    return made


# ---------------------------------------------------------------------------------------------- contract


def _closed(schema: Any) -> Any:
    """The schema with `additionalProperties: false` on every object that lists its properties."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@pytest.fixture(scope="session")
def oppvekst_spec() -> dict[str, Any]:
    """KS's published Oppvekst API, every object closed (an unknown field is a violation)."""
    if not OPPVEKST_SPEC.exists():
        pytest.skip(
            f"KS's Oppvekst spec is not at {OPPVEKST_SPEC} (../shared is absent in a user's clone; "
            "FIKSREG_REFERENCE_DIR points elsewhere)"
        )
    return _closed(json.loads(OPPVEKST_SPEC.read_text(encoding="utf-8")))


def test_the_closed_spec_refuses_an_unknown_field(oppvekst_spec: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match="Additional properties"):
        validate_against_spec(
            oppvekst_spec,
            "PersonDefinisjon",
            {"identifikasjonsnummer": {"foedselsEllerDNummer": "1", "identifikatortype": "x"},
             "foreldreansvarlige": [], "familierelasjoner": [], "erGjeldende": True},
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------- helpers


URL = "/register/api/v1/ks/{}/oppvekst"


@pytest.fixture(scope="module")
def oppvekst_role(served_gateway: ServedGateway) -> tuple[Integration, Rolle]:
    return served_gateway.config.granted_role(OPPVEKST_PARTS)


def ask(
    served_gateway: ServedGateway,
    granted: tuple[Integration, Rolle],
    numbers: list[Any],
    url: str | None = None,
) -> Any:
    integration, role = granted
    return served_gateway.client.post(
        url or URL.format(role.id),
        json={"foedselsnumre": numbers},
        headers=served_gateway.headers(integration),
    )


def by_number(answer: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {child["identifikasjonsnummer"]["foedselsEllerDNummer"]: child for child in answer}


# ---------------------------------------------------------------------------------------------- tests


def test_every_child_is_flattened_with_its_guardians_and_validates_against_the_contract(
    served_gateway: ServedGateway,
    families: Families,
    oppvekst_role: tuple[Integration, Rolle],
    oppvekst_spec: dict[str, Any],
) -> None:
    numbers = [number_of(child) for child in families.children.values()]
    response = ask(served_gateway, oppvekst_role, numbers)

    assert response.status_code == 200, response.text
    answer = response.json()
    for child in answer:
        validate_against_spec(oppvekst_spec, "PersonDefinisjon", child)
    found = by_number(answer)
    # The ceased person is left out; everyone else is answered once.
    assert set(found) == {families.child(name) for name in families.children if name != "opphoert"}

    delt = found[families.child("delt")]
    assert delt["identifikasjonsnummer"]["identifikatortype"] == "foedselsnummer"
    assert delt["tidligereIdentifikasjonsnummer"]["identifikatortype"] == "dNummer"
    assert delt["foedselsdato"] == "2019-03-14"
    assert delt["personstatus"] == "bosatt"
    assert delt["kjoenn"] == "kvinne"
    assert delt["navn"] == {"fornavn": "Delt", "etternavn": "Oppvekstsen"}
    assert delt["statsborgerskap"] == "NOR"
    assert delt["adressebeskyttelse"] == "ugradert"
    assert delt["foreldreansvarstype"] == "felles"
    assert delt["bostedsadresse"]["skolekrets"] == 301012
    assert delt["bostedsadresse"]["flyttedato"] == "2020-06-01"
    assert delt["bostedsadresse"]["vegadresse"]["adressenavn"] == "Solveien"
    assert delt["deltBosted"]["startdatoForKontrakt"] == "2023-01-01"
    assert delt["deltBosted"]["vegadresse"]["adressenavn"] == "Skogveien"
    guardians = {g["identifikasjonsnummer"]["foedselsEllerDNummer"]: g for g in delt["foreldreansvarlige"]}
    assert set(guardians) == {families.adult("mor"), families.adult("far")}
    assert guardians[families.adult("mor")]["ansvar"] == "felles"
    assert guardians[families.adult("mor")]["bostedsadresse"]["vegadresse"]["adressenavn"] == "Solveien"
    assert guardians[families.adult("far")]["postadresse"]["postboksadresse"]["postboks"] == "Postboks 12"
    assert guardians[families.adult("far")]["foedsel"] == "1986-05-06"
    assert {(r["familierelasjonPerson"], r["familierelasjonRolle"]) for r in delt["familierelasjoner"]} == {
        (families.adult("mor"), "mor"),
        (families.adult("far"), "far"),
    }


def test_d_numbers_foreign_ids_and_guardians_dead_abroad_or_without_number(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    response = ask(served_gateway, oppvekst_role, [families.child("dnummer")])

    assert response.status_code == 200, response.text
    [child] = response.json()
    assert child["identifikasjonsnummer"]["identifikatortype"] == "dNummer"
    assert child["personstatus"] == "midlertidig"
    assert child["dufNummer"] == "DUF-20190901"
    assert "bostedsadresse" not in child
    assert child["oppholdsadresse"]["utenlandskAdresse"] == {
        "adressenavn": "Rua 5",
        "landkode": "PRT",
        "byEllerStedsnavn": "Porto",
    }
    # The holders disagree (felles, felles, andre): the type is left to each guardian's `ansvar`.
    assert "foreldreansvarstype" not in child
    guardians = {g["identifikasjonsnummer"]["foedselsEllerDNummer"]: g for g in child["foreldreansvarlige"]}
    # The guardian without an identity number cannot be given (the contract requires the number).
    assert set(guardians) == {families.adult("doed"), families.adult("borte")}
    assert guardians[families.adult("doed")]["personstatus"] == "doed"
    assert guardians[families.adult("borte")]["personstatus"] == "utflyttet"
    assert "bostedsadresse" not in guardians[families.adult("borte")]  # only a historic one in Norway


def test_a_protected_childs_home_never_shows_neither_through_the_child_nor_through_a_guardian(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    response = ask(served_gateway, oppvekst_role, [families.child("skjult"), families.child("medfar")])

    assert response.status_code == 200, response.text
    for street in PROTECTED_STREETS:
        assert street not in response.text
    found = by_number(response.json())
    hidden = found[families.child("skjult")]
    assert hidden["adressebeskyttelse"] == "strengtFortrolig"
    assert "bostedsadresse" not in hidden
    # The authorities' open post box is all a strengtFortrolig child's entry gives.
    assert hidden["postadresse"]["postboksadresse"]["postbokseier"] == "SOT6 Vika"
    [mother] = hidden["foreldreansvarlige"]
    assert mother["identifikasjonsnummer"]["foedselsEllerDNummer"] == families.adult("skjultmor")
    assert "bostedsadresse" not in mother and "postadresse" not in mother
    # The reverse: the child of a strengtFortrolig father lives with him; its home is his.
    with_father = found[families.child("medfar")]
    assert with_father["adressebeskyttelse"] == "ugradert"
    assert "bostedsadresse" not in with_father
    [father] = with_father["foreldreansvarlige"]
    assert father["adressebeskyttelse"] == "strengtFortrolig" and "bostedsadresse" not in father


def test_the_mother_of_a_protected_child_shows_no_address_even_asked_with_other_children(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    numbers = [number_of(child) for child in families.children.values()]
    response = ask(served_gateway, oppvekst_role, numbers)

    assert response.status_code == 200
    for street in PROTECTED_STREETS:
        assert street not in response.text


def test_a_fortrolig_address_is_given_to_offentlig_med_hjemmel_with_its_grading(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    response = ask(served_gateway, oppvekst_role, [families.child("fortrolig")])

    [child] = response.json()
    assert child["adressebeskyttelse"] == "fortrolig"
    assert child["bostedsadresse"]["adressegradering"] == "fortrolig"
    assert child["foreldreansvarlige"][0]["bostedsadresse"]["adressegradering"] == "fortrolig"


def test_duplicates_are_answered_once_and_unknown_persons_left_out(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    unknown = People().number(date(1901, 1, 1), "mann")
    child = families.child("delt")

    response = ask(served_gateway, oppvekst_role, [child, unknown, child, families.child("opphoert")])

    assert response.status_code == 200, response.text
    assert [c["identifikasjonsnummer"]["foedselsEllerDNummer"] for c in response.json()] == [child]


def test_the_dufnummer_needs_its_element_in_the_role(
    served_gateway: ServedGateway, families: Families
) -> None:
    granted = served_gateway.config.granted_role(
        [p for p in OPPVEKST_PARTS if not p.startswith("utlendings")]
    )

    [child] = ask(served_gateway, granted, [families.child("dnummer")]).json()

    assert "dufNummer" not in child and child["identifikasjonsnummer"]["identifikatortype"] == "dNummer"


@pytest.mark.parametrize(
    ("numbers", "named"),
    [
        ([], "1 to 1000"),
        (["0101"], "'0101' (must be 11 digits)"),
        (["12345678901"], "'12345678901' (invalid check digits)"),
        ([12345678901], "'12345678901'"),
    ],
)
def test_bad_input_is_a_400_naming_it(
    served_gateway: ServedGateway,
    oppvekst_role: tuple[Integration, Rolle],
    numbers: list[Any],
    named: str,
) -> None:
    response = ask(served_gateway, oppvekst_role, numbers)

    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "UGYLDIG_FORESPOERSEL" and named in body["message"]


def test_more_than_1000_numbers_is_a_400(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    response = ask(served_gateway, oppvekst_role, [families.child("delt")] * 1001)

    assert response.status_code == 400
    assert response.json()["errorJson"] == {"maksAntall": 1000, "antall": 1001}


def test_an_unknown_field_in_the_body_is_a_400(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    integration, role = oppvekst_role
    response = served_gateway.client.post(
        URL.format(role.id),
        json={"foedselsnumre": [families.child("delt")], "part": ["navn"]},
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 400 and response.json()["errorJson"] == {"ukjenteFelt": ["part"]}


@pytest.mark.parametrize(
    ("parts", "areas", "missing", "history"),
    [
        (["person-basis", "historikk"], ["sok-etter-person"], ["familierelasjon", "foreldreansvar", "utenlandskPersonidentifikasjon"], False),
        (["navn", "foreldreansvar", "familierelasjon", "utenlandskPersonidentifikasjon"], [], ["adressebeskyttelse", "bostedsadresse", "deltBosted", "foedsel", "kjoenn", "oppholdsadresse", "postadresse", "statsborgerskap", "status"], True),
    ],
)  # fmt: skip
def test_a_role_without_what_the_api_needs_is_refused_naming_exactly_what_is_missing(
    served_gateway: ServedGateway,
    families: Families,
    parts: list[str],
    areas: list[str],
    missing: list[str],
    history: bool,
) -> None:
    bruksomraader = [Bruksomraade.UTTREKK] if areas else [Bruksomraade.SOK_ETTER_PERSON]
    granted = served_gateway.config.granted_role(parts, bruksomraader=bruksomraader)

    response = ask(served_gateway, granted, [families.child("delt")])

    assert response.status_code == 403
    body = response.json()
    assert body["errorCode"] == "OPPVEKST_IKKE_TILLATT"
    assert body["errorJson"] == {
        "manglendeBruksomraader": areas,
        "manglendeElementer": missing,
        "manglerHistorikk": history,
    }
    assert families.child("delt") not in response.text


def _fiks_org_id(served_gateway: ServedGateway, orgnr: str) -> str:
    with served_gateway.engine.connect() as connection:
        found = connection.execute(select(organisasjon.c.fiks_org_id).where(organisasjon.c.orgnr == orgnr))
        return str(found.scalar_one())


def test_the_deprecated_path_answers_the_same_for_the_roles_own_fiks_org_id_only(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    _integration, role = oppvekst_role
    numbers = [families.child("delt")]
    deprecated = "/folkeregister/api/v1/oppvekst/{}/{}"
    served_gateway.config.org(ORG_B)

    current = ask(served_gateway, oppvekst_role, numbers)
    old = ask(
        served_gateway,
        oppvekst_role,
        numbers,
        deprecated.format(_fiks_org_id(served_gateway, ORG_A), role.id),
    )
    other = ask(
        served_gateway,
        oppvekst_role,
        numbers,
        deprecated.format(_fiks_org_id(served_gateway, ORG_B), role.id),
    )
    malformed = ask(served_gateway, oppvekst_role, numbers, deprecated.format("not-a-uuid", role.id))
    unknown = ask(served_gateway, oppvekst_role, numbers, deprecated.format(uuid.uuid4(), role.id))

    assert old.status_code == 200 and old.json() == current.json()
    for refused in (other, malformed, unknown):
        assert refused.status_code == 404
        assert refused.json()["errorCode"] == "UKJENT_ROLLE"
        assert families.child("delt") not in refused.text


def test_one_audit_record_names_every_child_and_every_guardian_returned(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    response = ask(served_gateway, oppvekst_role, [families.child("delt"), families.child("dnummer")])

    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert record["ressurs"] == "POST oppvekst"
    assert record["parametre"] == {"foedselsnumre": [families.child("delt"), families.child("dnummer")]}
    assert record["utfall"] == "ok" and record["status"] == 200
    assert set(record["personer"]) == {
        families.child("delt"),
        families.adult("mor"),
        families.adult("far"),
        families.child("dnummer"),
        families.adult("doed"),
        families.adult("borte"),
    }


def test_a_refusal_is_audited_and_other_methods_are_405(
    served_gateway: ServedGateway, families: Families, oppvekst_role: tuple[Integration, Rolle]
) -> None:
    integration, role = oppvekst_role
    got = served_gateway.client.get(URL.format(role.id), headers=served_gateway.headers(integration))

    assert got.status_code == 405 and got.headers["Allow"] == "POST"
    record = served_gateway.audit_record(got.headers["X-Request-Id"])
    assert record["ressurs"] == "GET oppvekst" and record["utfall"] == "avvist" and record["personer"] == []


class CountingUpstream:
    """The real upstream, counting bulk lookups."""

    def __init__(self, upstream: Any) -> None:
        self.upstream = upstream
        self.bulk_calls: list[int] = []

    def bulkoppslag(self, pakke: Any, body: Any, parts: Any, som_bestilt: bool) -> dict[str, Any]:
        self.bulk_calls.append(len(body["foedselsEllerDNummer"]))
        return self.upstream.bulkoppslag(pakke, body, parts, som_bestilt)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.upstream, name)


@pytest.fixture
def counted(served_gateway: ServedGateway) -> Iterator[tuple[TestClient, CountingUpstream]]:
    with served_gateway.in_process_gateway() as gateway:
        upstream = CountingUpstream(gateway.upstream)
        app = FastAPI()
        app.include_router(build_oppvekst_router(MirroredApi(gateway.access, upstream, gateway.audit)))
        with TestClient(app) as client:
            yield client, upstream


def test_two_bulk_lookups_in_all_the_children_then_all_their_guardians(
    served_gateway: ServedGateway,
    families: Families,
    oppvekst_role: tuple[Integration, Rolle],
    counted: tuple[TestClient, CountingUpstream],
) -> None:
    if served_gateway.variant == "two-processes":
        pytest.skip("counts calls on an in-process gateway; one variant is enough")
    client, upstream = counted
    integration, role = oppvekst_role
    numbers = [number_of(child) for child in families.children.values()]

    response = client.post(
        URL.format(role.id), json={"foedselsnumre": numbers}, headers=served_gateway.headers(integration)
    )

    assert response.status_code == 200
    assert upstream.bulk_calls == [len(numbers), 7]  # 6 children; 7 guardians with identity numbers


def test_a_role_of_another_organisation_is_an_unknown_role(
    served_gateway: ServedGateway, families: Families
) -> None:
    integration, _ = served_gateway.config.granted_role(OPPVEKST_PARTS)
    _, elsewhere = served_gateway.config.granted_role(OPPVEKST_PARTS, orgnr=ORG_B)

    response = ask(served_gateway, (integration, elsewhere), [families.child("delt")])

    assert response.status_code == 404 and response.json()["errorCode"] == "UKJENT_ROLLE"
