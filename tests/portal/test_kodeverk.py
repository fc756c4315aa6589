"""Every code value of the register that the person card can show has a bokmål label in the catalogue (taken
from the register's OpenAPI: the enums of every element the card shows, nested objects included), and the
card shows the label, not the code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from fiks_folkeregister.portal.i18n import load_translations
from fiks_folkeregister.portal.kortvisning import GROUPS, Oversetter, bygg_kort

OPENAPI = Path("/work/shared/reference/freg-openapi-offentlig-med-hjemmel-v1.5.yaml")
PERSON = "folkeregisteret.tilgjengeliggjoering.person.v1.Folkeregisterperson"


def _enums(
    schemas: Mapping[str, Any], schema: Mapping[str, Any], seen: set[str]
) -> Iterator[tuple[str, str]]:
    """(property, value) of every enum reachable from ``schema``."""
    reference = schema.get("$ref")
    if reference:
        name = reference.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from _enums(schemas, schemas[name], seen)
        return
    for part in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _enums(schemas, part, seen)
    if "items" in schema:
        yield from _enums(schemas, schema["items"], seen)
    for name, sub in schema.get("properties", {}).items():
        for value in sub.get("enum", []) + sub.get("items", {}).get("enum", []):
            yield name, value
        yield from _enums(schemas, sub, seen)


@pytest.fixture(scope="module")
def card_enums() -> dict[str, set[str]]:
    if not OPENAPI.exists():
        pytest.skip(
            f"the register's OpenAPI is not here ({OPENAPI}: the shared reference directory is absent)"
        )
    schemas = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]
    person = schemas[PERSON]["properties"]
    shown = [element for _, elements in GROUPS for element in elements]
    assert set(shown) <= set(person), sorted(set(shown) - set(person))
    found: dict[str, set[str]] = {}
    for element in shown:
        for name, value in _enums(schemas, person[element], set()):
            found.setdefault(value, set()).add(f"{element}.{name}")
    return found


def test_every_code_value_the_card_can_show_has_a_bokmaal_label(card_enums: dict[str, set[str]]) -> None:
    translations = load_translations()
    missing = {
        value: sorted(where)
        for value, where in card_enums.items()
        if translations.pgettext("kode", value) == value
    }
    assert len(card_enums) > 60  # the walk found the register's code lists, not nothing
    assert not missing


def test_the_card_shows_labels_not_codes_also_in_nested_values() -> None:
    translations = load_translations()
    t = Oversetter(gettext=translations.gettext, pgettext=translations.pgettext)
    document = {
        "identifikasjonsnummer": [{"foedselsEllerDNummer": "17918412345", "erGjeldende": True}],
        "identitetsgrunnlag": [{"identitetsgrunnlagstatus": "ingenStatus", "erGjeldende": True}],
        "vergemaalEllerFremtidsfullmakt": [
            {
                "vergemaaltype": "mindreaarig",
                "vergeEllerFullmektig": {"omfang": "personligeOgOekonomiskeInteresser"},
                "erGjeldende": True,
            }
        ],
    }
    kort = bygg_kort(document, t, lenke=lambda number: None)
    values = [
        value
        for gruppe in kort.grupper
        for e in gruppe.elementer
        for o in e.oppforinger
        for _, value in o.felter
    ]
    text = " | ".join(values)
    for code in ("ingenStatus", "mindreaarig", "personligeOgOekonomiskeInteresser"):
        assert code not in text, text
    assert translations.pgettext("kode", "ingenStatus") in text
