"""Access tokens: issued tokens validate, and every kind of bad token is refused with a clear reason."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from fiks_folkeregister.app import build_token_issuer
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SIGNING_KEY_FILE, SigningKeys
from fiks_folkeregister.identity.tokens import AccessTokenValidator, InvalidTokenError, KeysUnavailableError
from fiks_folkeregister.settings import Settings

ISSUER = "https://fiks-folkeregister.test/maskinporten/"
ORGNR = "921234562"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, issuer=ISSUER, access_token_lifetime_seconds=120)


@pytest.fixture
def issuer(settings: Settings) -> TokenIssuer:
    return build_token_issuer(settings)


@pytest.fixture
def validator(issuer: TokenIssuer) -> AccessTokenValidator:
    return AccessTokenValidator(issuer.jwks, issuer=ISSUER)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode("utf-8"))


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "scope": "ks:fiks",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORGNR}"},
        "client_id": "test-client",
        "iat": now,
        "exp": now + 120,
        "jti": "jti-1",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _sign(issuer: TokenIssuer, claims: dict[str, Any]) -> str:
    """A token signed by the real issuer key with arbitrary claims (to test claim checks in isolation)."""
    key = issuer.signing_key.private_key
    return jwt.encode({"alg": "RS256", "kid": issuer.kid}, claims, key, algorithms=["RS256"])


def _reason(validator: AccessTokenValidator, token: str) -> str:
    with pytest.raises(InvalidTokenError) as caught:
        validator.validate(token)
    return caught.value.reason


def test_issued_token_validates_with_the_callers_organisation(
    issuer: TokenIssuer, validator: AccessTokenValidator
) -> None:
    token = issuer.issue(ORGNR, ["ks:fiks", "skatteetaten:folkeregister"], client_id="my-client")

    access = validator.validate(token)

    assert access.orgnr == ORGNR
    assert access.scopes == frozenset({"ks:fiks", "skatteetaten:folkeregister"})
    assert access.client_id == "my-client"
    assert access.supplier_orgnr is None
    assert access.exp - access.issued_at == 120
    assert access.claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORGNR}"}
    assert access.has_scope("ks:fiks")


def test_token_header_names_the_published_key(issuer: TokenIssuer) -> None:
    header = json.loads(base64.urlsafe_b64decode(issuer.issue(ORGNR, ["ks:fiks"], "c").split(".")[0] + "=="))
    (published,) = issuer.jwks()["keys"]

    assert header["kid"] == published["kid"]
    assert header["alg"] == "RS256"
    assert published["use"] == "sig" and published["alg"] == "RS256"
    assert "d" not in published  # the private exponent is never published


def test_delegated_token_reports_the_supplier(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    token = issuer.issue(ORGNR, ["ks:fiks"], "c", supplier_orgnr="987654325")

    access = validator.validate(token)

    assert (access.orgnr, access.supplier_orgnr) == (ORGNR, "987654325")


def test_audience_is_checked_when_configured(issuer: TokenIssuer) -> None:
    validator = AccessTokenValidator(issuer.jwks, issuer=ISSUER, audience="https://gateway.test")

    assert validator.validate(issuer.issue(ORGNR, ["ks:fiks"], "c", audience="https://gateway.test"))
    assert "audience" in _reason(validator, issuer.issue(ORGNR, ["ks:fiks"], "c", audience="https://other"))
    assert "audience" in _reason(validator, issuer.issue(ORGNR, ["ks:fiks"], "c"))


def test_expired_token_is_refused(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    now = int(time.time())
    assert "expired" in _reason(validator, _sign(issuer, _claims(iat=now - 600, exp=now - 300)))


def test_token_expired_within_leeway_still_validates(
    issuer: TokenIssuer, validator: AccessTokenValidator
) -> None:
    now = int(time.time())
    assert validator.validate(_sign(issuer, _claims(iat=now - 130, exp=now - 10))).orgnr == ORGNR


def test_token_issued_in_the_future_is_refused(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    now = int(time.time())
    assert "not yet valid" in _reason(validator, _sign(issuer, _claims(iat=now + 600, exp=now + 720)))


def test_token_with_future_nbf_is_refused(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    assert "not yet valid" in _reason(validator, _sign(issuer, _claims(nbf=int(time.time()) + 600)))


def test_token_from_another_issuer_is_refused(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    assert "issuer" in _reason(validator, _sign(issuer, _claims(iss="https://maskinporten.no/")))


@pytest.mark.parametrize(
    "consumer",
    [
        None,
        "0192:921234562",
        {"authority": "iso6523-actorid-upis", "ID": "9908:921234562"},
        {"authority": "something-else", "ID": "0192:921234562"},
        {"authority": "iso6523-actorid-upis", "ID": "0192:12345"},
        {"authority": "iso6523-actorid-upis", "ID": "0192:921234567"},  # wrong check digit
    ],
)
def test_missing_or_malformed_consumer_is_refused(
    issuer: TokenIssuer, validator: AccessTokenValidator, consumer: object
) -> None:
    assert "consumer" in _reason(validator, _sign(issuer, _claims(consumer=consumer)))


@pytest.mark.parametrize("claim", ["exp", "iat", "scope", "client_id", "jti"])
def test_token_missing_a_required_claim_is_refused(
    issuer: TokenIssuer, validator: AccessTokenValidator, claim: str
) -> None:
    claims = _claims()
    del claims[claim]
    assert claim in _reason(validator, _sign(issuer, claims))


def test_token_signed_by_a_foreign_key_with_the_same_kid_is_refused(
    issuer: TokenIssuer, validator: AccessTokenValidator
) -> None:
    foreign = RSAKey.generate_key(2048)
    token = jwt.encode({"alg": "RS256", "kid": issuer.kid}, _claims(), foreign, algorithms=["RS256"])

    assert "signature" in _reason(validator, token)


def test_token_with_unknown_kid_is_refused(validator: AccessTokenValidator) -> None:
    foreign = RSAKey.generate_key(2048)
    token = jwt.encode({"alg": "RS256", "kid": "someone-elses-key"}, _claims(), foreign, algorithms=["RS256"])

    assert "unknown key" in _reason(validator, token)


def test_alg_none_token_is_refused(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    token = f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': issuer.kid})}.{_segment(_claims())}."

    assert "'none'" in _reason(validator, token)


def test_hs256_token_signed_with_the_public_key_is_refused(
    issuer: TokenIssuer, validator: AccessTokenValidator
) -> None:
    public_pem = issuer.signing_key.public_key.as_pem(private=False)
    signing_input = f"{_segment({'alg': 'HS256', 'kid': issuer.kid})}.{_segment(_claims())}"
    signature = hmac.new(public_pem, signing_input.encode("ascii"), hashlib.sha256).digest()

    assert "HS256" in _reason(validator, f"{signing_input}.{_b64(signature)}")


def test_tampered_claims_are_refused(issuer: TokenIssuer, validator: AccessTokenValidator) -> None:
    header, _, signature = issuer.issue(ORGNR, ["ks:fiks"], "c").split(".")
    someone_else = {"authority": "iso6523-actorid-upis", "ID": "0192:999999999"}
    forged = f"{header}.{_segment(_claims(consumer=someone_else))}"

    assert "signature" in _reason(validator, f"{forged}.{signature}")


@pytest.mark.parametrize(
    "garbage",
    ["", "not-a-token", "a.b", "a.b.c.d.e", "!!!.???.###", f"{_b64(b'[1,2]')}.{_b64(b'{}')}.sig", "..."],
)
def test_garbage_is_refused_as_malformed(validator: AccessTokenValidator, garbage: str) -> None:
    reason = _reason(validator, garbage)
    assert "token" in reason


def test_keys_persist_across_issuers(settings: Settings) -> None:
    first = build_token_issuer(settings)
    second = build_token_issuer(settings)
    validator = AccessTokenValidator(KeySet.import_key_set(first.jwks()), issuer=ISSUER)

    assert second.kid == first.kid
    assert validator.validate(second.issue(ORGNR, ["ks:fiks"], "c")).orgnr == ORGNR


def test_signing_key_file_is_private(settings: Settings) -> None:
    SigningKeys(settings.issuer_dir)

    mode = (settings.issuer_dir / SIGNING_KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_validator_fetches_keys_again_when_a_new_kid_appears(settings: Settings, tmp_path: Path) -> None:
    old = build_token_issuer(settings)
    rotated = build_token_issuer(Settings(data_dir=tmp_path / "rotated", issuer=ISSUER))
    published: dict[str, Any] = old.jwks()
    calls: list[int] = []

    def provider() -> dict[str, Any]:
        calls.append(1)
        return published

    validator = AccessTokenValidator(provider, issuer=ISSUER, min_refresh_interval_seconds=0)
    validator.validate(old.issue(ORGNR, ["ks:fiks"], "c"))
    validator.validate(old.issue(ORGNR, ["ks:fiks"], "c"))
    assert len(calls) == 1  # keys are cached, not fetched per token

    published = {"keys": old.jwks()["keys"] + rotated.jwks()["keys"]}
    assert validator.validate(rotated.issue(ORGNR, ["ks:fiks"], "c")).orgnr == ORGNR
    assert len(calls) == 2


def test_unknown_kids_do_not_hammer_the_key_provider(issuer: TokenIssuer) -> None:
    calls: list[int] = []
    provider: Callable[[], dict[str, Any]] = lambda: calls.append(1) or issuer.jwks()  # noqa: E731
    validator = AccessTokenValidator(provider, issuer=ISSUER, min_refresh_interval_seconds=3600)
    foreign = RSAKey.generate_key(2048)

    for attempt in range(5):
        token = jwt.encode(
            {"alg": "RS256", "kid": f"made-up-{attempt}"}, _claims(), foreign, algorithms=["RS256"]
        )
        with pytest.raises(InvalidTokenError):
            validator.validate(token)

    assert len(calls) == 1


def test_issue_refuses_bad_input(issuer: TokenIssuer) -> None:
    with pytest.raises(ValueError, match="9 digits"):
        issuer.issue("12345", ["ks:fiks"], "c")
    with pytest.raises(ValueError, match="scope"):
        issuer.issue(ORGNR, [], "c")
    with pytest.raises(ValueError, match="malformed scope"):
        issuer.issue(ORGNR, ["fiks"], "c")


def test_unreachable_key_provider_is_reported_as_such(issuer: TokenIssuer) -> None:
    def provider() -> dict[str, Any]:
        raise ConnectionError("JWKS endpoint is down")

    validator = AccessTokenValidator(provider, issuer=ISSUER)

    with pytest.raises(KeysUnavailableError):
        validator.validate(issuer.issue(ORGNR, ["ks:fiks"], "c"))


def test_a_remembered_signature_does_not_outlive_the_tokens_expiry(issuer: TokenIssuer) -> None:
    now = [time.time()]
    validator = AccessTokenValidator(
        issuer.jwks, issuer=issuer.issuer, leeway_seconds=0, clock=lambda: now[0]
    )
    token = issuer.issue("910000004", ["ks:fiks"], client_id="c", lifetime_seconds=60)
    assert validator.validate(token).orgnr == "910000004"
    assert validator.validate(token).orgnr == "910000004"  # served from the verified-signature cache
    now[0] += 61
    with pytest.raises(InvalidTokenError, match="expired"):
        validator.validate(token)


def test_a_tampered_copy_of_a_remembered_token_is_still_refused(
    issuer: TokenIssuer, validator: AccessTokenValidator
) -> None:
    token = issuer.issue("910000004", ["ks:fiks"], client_id="c")
    validator.validate(token)
    header, payload, signature = token.split(".")
    forged_payload = _b64(
        json.dumps({**json.loads(base64.urlsafe_b64decode(payload + "==")), "scope": "x:y"}).encode()
    )
    with pytest.raises(InvalidTokenError):
        validator.validate(f"{header}.{forged_payload}.{signature}")


def test_token_living_longer_than_the_bound_is_refused(issuer: TokenIssuer) -> None:
    validator = AccessTokenValidator(issuer.jwks, issuer=ISSUER, max_lifetime_seconds=120)
    now = int(time.time())

    assert validator.validate(_sign(issuer, _claims(iat=now, exp=now + 120))).orgnr == ORGNR
    assert "longer than 120" in _reason(validator, _sign(issuer, _claims(iat=now, exp=now + 121)))
    assert "longer than 120" in _reason(validator, _sign(issuer, _claims(iat=now, exp=now + 10**9)))


def test_token_without_iat_or_exp_is_refused(issuer: TokenIssuer) -> None:
    validator = AccessTokenValidator(issuer.jwks, issuer=ISSUER, max_lifetime_seconds=120)

    assert "exp" in _reason(validator, _sign(issuer, _claims(exp=None)))
    assert "iat" in _reason(validator, _sign(issuer, _claims(iat=None)))
