"""Which logins the portal accepts: the level of assurance an ID token must carry (pure, no I/O).

ID-porten says the level in ``acr`` (``idporten-loa-substantial`` or ``-high``); Microsoft Entra ID says an
authentication context in ``acrs`` (e.g. ``c1``, demanded by a Conditional Access policy that requires
multi-factor authentication) or, in v1.0 tokens, the methods used in ``amr`` (e.g. ``mfa``). Which claim is
read, which values are accepted and which methods are required are settings; a token that does not meet
every configured requirement is refused (deny by default), and a requirement of nothing cannot be built.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assurance:
    """``accepted``: the values of ``claim`` that are enough, weakest first (the first is asked for);
    ``required_amr``: methods that must all be in the token's ``amr``."""

    claim: str = "acr"
    accepted: tuple[str, ...] = ("idporten-loa-substantial", "idporten-loa-high")
    required_amr: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.accepted and not self.required_amr:
            raise ValueError("a login needs a level of assurance: accept some acr values or require some amr")
        if not self.claim:
            raise ValueError("the level of assurance claim needs a name")

    def authorization_parameters(self) -> dict[str, str]:
        """What the authorization request asks of the provider: ``acr_values`` for ``acr`` (ID-porten), else
        the claim requested as essential with the accepted values (OpenID Connect Core §5.5)."""
        if not self.accepted:
            return {}
        if self.claim == "acr":
            return {"acr_values": self.accepted[0]}
        wanted = {"id_token": {self.claim: {"essential": True, "values": list(self.accepted)}}}
        return {"claims": json.dumps(wanted, separators=(",", ":"))}

    def met_by(self, claims: Mapping[str, Any]) -> bool:
        """Whether an ID token's claims meet every requirement (a missing or odd claim never does)."""
        if self.accepted and not _holds_any(claims.get(self.claim), self.accepted):
            return False
        if self.required_amr:
            methods = claims.get("amr")
            if not isinstance(methods, list) or not all(method in methods for method in self.required_amr):
                return False
        return True

    def level(self, claims: Mapping[str, Any]) -> str:
        """The level the token carries, for the session (not personal data)."""
        value = claims.get(self.claim)
        if isinstance(value, list):
            return " ".join(str(item) for item in value if item in self.accepted)
        return str(value) if value is not None else " ".join(self.required_amr)


def _holds_any(value: object, accepted: tuple[str, ...]) -> bool:
    if isinstance(value, str):
        return value in accepted
    if isinstance(value, list):
        return any(isinstance(item, str) and item in accepted for item in value)
    return False
