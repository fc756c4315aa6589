"""A role's `gyldighet` (where it may be used), validated in the one place a role definition is checked."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.rolle import RoleDefinitionError, role_definition

MED = "offentlig-med-hjemmel"


def test_api_when_left_out_and_the_choice_kept_otherwise() -> None:
    assert role_definition(MED, ["sok-etter-person"], ["navn"]).gyldighet == frozenset({"api"})
    chosen = role_definition(MED, ["sok-etter-person"], ["navn"], ["soekWeb", "api", "soekWeb"])
    assert chosen.gyldighet == frozenset({"api", "soekWeb"})
    assert role_definition(MED, ["uttrekk"], ["navn"], "uttrekkWeb").gyldighet == frozenset({"uttrekkWeb"})


@pytest.mark.parametrize(
    ("gyldighet", "code", "named"),
    [(["api", "SoekWeb", "web"], "UKJENT_GYLDIGHET", ["SoekWeb", "web"]), ([], "MANGLER_GYLDIGHET", None)],
)
def test_unknown_or_no_gyldighet_is_refused_saying_what_to_use(
    gyldighet: list[str], code: str, named: list[str] | None
) -> None:
    with pytest.raises(RoleDefinitionError) as refused:
        role_definition(MED, ["sok-etter-person"], ["navn"], gyldighet)
    assert refused.value.code == code
    assert "api, soekWeb, uttrekkWeb, asynkron" in refused.value.message
    assert refused.value.details.get("ukjente") == named
