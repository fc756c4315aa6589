"""The one settings object: read once from ``FIKSREG_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fiks_folkeregister.domain.organisasjonsnummer import is_organisasjonsnummer
from fiks_folkeregister.ratelimit import parse_rate


def _orgnr(value: str) -> str:
    if not is_organisasjonsnummer(value):
        raise ValueError("not a valid organisation number (9 digits, mod 11 check digit)")
    return value


class Settings(BaseSettings):
    """Everything configurable, with defaults that run a demo on a laptop."""

    model_config = SettingsConfigDict(env_prefix="FIKSREG_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Where databases and keys live.")
    register_database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the embedded register; default a SQLite file in the data directory.",
    )
    issuer: str = Field(
        default="https://fiks-folkeregister.local/maskinporten/",
        description="The `iss` of access tokens made by the embedded token issuer.",
    )
    access_token_lifetime_seconds: int = Field(default=120, ge=1, le=86_400)

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the gateway's own database (organisations, roles, integrations, audit); "
        "default a SQLite file in the data directory.",
    )
    gateway_token_issuer: str | None = Field(
        default=None,
        description="`iss` required of the gateway's callers' tokens; default the embedded issuer.",
    )
    gateway_token_jwks_url: str | None = Field(
        default=None,
        description="JWKS of that issuer (e.g. Maskinporten's); default the embedded issuer's keys.",
    )
    gateway_token_audience: str = Field(
        default="https://fiks-folkeregister.local/folkeregister",
        min_length=1,
        description="`aud` required of the gateway's callers' tokens (always checked): the value clients "
        "ask for in their grant's `resource` (audience-restricted Maskinporten tokens).",
    )
    gateway_token_max_lifetime_seconds: int = Field(
        default=120,
        ge=1,
        le=3600,
        description="Longest token lifetime the gateway accepts: tokens whose `exp` − `iat`, or `exp` − now, "
        "is longer are refused (Maskinporten issues 120 s tokens by default).",
    )
    gateway_token_scope: str = Field(
        default="ks:fiks", description="Scope required of the gateway's callers."
    )
    failed_authentications_per_integration: str = Field(
        default="10/minute",
        description="Failed authentications allowed per integration id (`limits` notation, e.g. `10/minute`); "
        "beyond it every attempt on that id answers 429 with `Retry-After` until the window has room.",
    )
    failed_authentications_per_address: str = Field(
        default="30/minute",
        description="Failed authentications allowed per client address, whatever integration ids they name.",
    )
    requests_per_address: str = Field(
        default="60000/minute",
        description="Requests allowed per client address (the register's own rule is 60 000 a minute); "
        "beyond it 429 `FOR_MANGE_FORESPOERSLER` with `Retry-After`.",
    )
    requests_per_integration: str = Field(
        default="60000/minute",
        description="Requests allowed per authenticated integration, unless its organisation sets its own "
        "rate (`forespoerslerPerMinutt`).",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Addresses of the load balancers whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed "
        "(comma-separated IPs or networks, `*` for any): the client address the request limits count is "
        "then the one the load balancer saw.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token a Prometheus scraper presents at `/metrics`; none: `/metrics` is not "
        "served (404). Give it only to the monitoring system.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The served processes' log level."
    )
    log_format: Literal["json", "console"] = Field(
        default="json", description="`json`: one JSON object per line (structlog); `console`: readable text."
    )
    access_log: bool = Field(
        default=True,
        description="One log line per answered request (resource name, status, time, request id; never the "
        "path, which holds identity numbers).",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for counts shared by every gateway process (e.g. `redis://localhost:6379/0`); "
        "default: each process counts in its own memory.",
    )
    event_loop_pipeline: Literal["local", "always", "never"] = Field(
        default="local",
        description="Where a one-document lookup's pipeline runs: on the event loop when nothing would block it "
        "(`local`: the register embedded in SQLite, the gateway's database SQLite or PostgreSQL, whose "
        "per-request read is then made asynchronously, no Redis, the issuer's own keys), "
        "also with Redis or a register on PostgreSQL (`always`: only where their round trips take well "
        "under a millisecond, "
        "since each holds the whole process meanwhile), or always in a worker thread (`never`). An argon2 "
        "verification never runs on the event loop.",
    )
    kept_access_reads: int = Field(
        default=10_000,
        ge=0,
        description="How many integrations' access reads (integration, role, grant) each process keeps for "
        "the one-document lookups, after the integration's password was verified (used only with that "
        "password); 0 keeps none. A kept read is used only if the access version it was read at still "
        "holds where the request's audit record is stored, so a revoked grant or rotated password counts "
        "on the next request in every process all the same.",
    )
    max_request_body_bytes: int = Field(
        default=1_000_000,
        ge=1024,
        le=1_000_000_000,
        description="The largest request body any app accepts (a bulk request of 1000 ids is ~40 kB); a larger "
        "one, declared or streamed, is refused with 413 before it is parsed or authenticated.",
    )
    password_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="How long a successful integration password check is remembered.",
    )

    upstream: Literal["embedded", "http"] = Field(
        default="embedded",
        description="The gateway's register: `embedded` (in this process) or `http` (any server speaking the "
        "register's API, e.g. the national register or `register serve`).",
    )
    upstream_url: str | None = Field(
        default=None, description="Base URL of the register (the part before `/folkeregisteret/...`)."
    )
    upstream_token_url: str | None = Field(
        default=None,
        description="Token endpoint (Maskinporten's, e.g. https://maskinporten.no/token); default the "
        "embedded issuer served by the register at `<upstream_url>/maskinporten/token`.",
    )
    upstream_audience: str | None = Field(
        default=None,
        description="`aud` of the grant: the token issuer's identifier (e.g. https://maskinporten.no/); "
        "default `issuer` (the embedded issuer).",
    )
    upstream_client_id: str | None = Field(
        default=None,
        description="The platform's Maskinporten client id; none with the embedded issuer registers a "
        "development client automatically.",
    )
    upstream_cert: Path | None = Field(
        default=None, description="The enterprise certificate: PKCS#12 (.p12/.pfx) or PEM (chain allowed)."
    )
    upstream_key: Path | None = Field(default=None, description="PEM private key (not needed for PKCS#12).")
    upstream_cert_password: SecretStr | None = Field(
        default=None, description="Password of the PKCS#12 file or the encrypted PEM key."
    )
    upstream_platform_orgnr: Annotated[str, AfterValidator(_orgnr)] = Field(
        default="999999999",
        description="The platform's own organisation number (for the automatic development client).",
    )
    upstream_delegation: bool = Field(
        default=True,
        description="Ask for tokens on behalf of the role's organisation (`consumer_org`, delegation).",
    )
    upstream_http2: bool = Field(default=False, description="Offer HTTP/2 (needs the `h2` package).")
    upstream_ca_bundle: Path | None = Field(
        default=None,
        description="PEM file of the certificate authorities trusted for the register's TLS (a private or "
        "test CA), instead of the default trust (certifi's bundle, or SSL_CERT_FILE/SSL_CERT_DIR if set); "
        "also used for the token endpoint when that is the embedded issuer served by the register.",
    )
    upstream_max_connections: int = Field(default=100, ge=1, le=10_000)
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    upstream_timeout_seconds: float = Field(
        default=12.0,
        gt=0,
        le=300,
        description="Per attempt: waiting for the register's answer (bulk lookups have a 10 s SLA).",
    )
    upstream_deadline_seconds: float = Field(
        default=20.0, gt=0, le=600, description="Per call, over every attempt and wait."
    )
    upstream_attempts: int = Field(default=3, ge=1, le=10, description="Attempts per idempotent call.")
    upstream_max_retry_after_seconds: float = Field(
        default=2.0, ge=0, le=60, description="The longest `Retry-After` on 429 that is waited out."
    )
    upstream_breaker_failures: int = Field(
        default=5, ge=1, le=1000, description="Consecutive failures that open the circuit breaker."
    )
    upstream_breaker_reset_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="How long an open breaker answers 503 before one trial call."
    )

    register_faults: bool = Field(
        default=False, description="TEST ONLY: the embedded register injects the faults below."
    )
    register_fault_latency_seconds: float = Field(default=0.0, ge=0, le=600)
    register_fault_error_rate: float = Field(default=0.0, ge=0, le=1, description="Share answered 500.")
    register_fault_throttle_rate: float = Field(
        default=0.0, ge=0, le=1, description="Chance that a request starts a burst of 429s."
    )
    register_fault_throttle_burst: int = Field(default=3, ge=1, le=10_000)
    register_fault_retry_after_seconds: int = Field(default=1, ge=0, le=3600)
    register_fault_drop_rate: float = Field(
        default=0.0, ge=0, le=1, description="Share whose connection is dropped in the middle of the body."
    )
    register_fault_seed: int | None = Field(default=None, description="Seed for reproducible faults.")

    extract_worker: bool = Field(
        default=True, description="Work extract jobs in a background thread of each served process."
    )
    extract_worker_poll_seconds: float = Field(
        default=0.5, gt=0, le=60, description="How often it looks for jobs."
    )
    simulator_events_per_second: float = Field(
        default=0.0, ge=0, le=100_000, description="Let life go on in the served register (0: off)."
    )

    audit_signing_key: Path | None = Field(
        default=None,
        description="The Ed25519 private key (PKCS#8 PEM) that signs the lookup log's checkpoints; made on "
        "first use. Keep it apart from the database (and back it up). Default `<data_dir>/audit/"
        "checkpoint-key.pem`.",
    )
    audit_checkpoint_file: Path | None = Field(
        default=None,
        description="Every checkpoint is also appended here (JSON lines), outside the database, so cutting "
        "off the newest records and their checkpoints in the database is still caught. Default "
        "`<data_dir>/audit/sjekkpunkter.jsonl`.",
    )
    audit_checkpoint_records: int = Field(
        default=1000, ge=1, le=1_000_000, description="A signed checkpoint at least every this many records."
    )
    audit_checkpoint_minutes: float = Field(
        default=5.0, gt=0, le=1440, description="…and at least this often while records are written."
    )
    audit_retention_days: int = Field(
        default=3653,
        ge=1,
        le=36_525,
        description="How long lookup records are kept; `audit prune` removes older ones (default 10 years).",
    )

    public_url: str = Field(
        default="http://127.0.0.1:8080",
        description="The gateway's address as browsers reach it (scheme, host, port; no path): the portal's "
        "redirect URLs and the embedded ID-porten stand-in's issuer (`<public_url>/idporten/`) derive from it. "
        "Behind https the portal's cookie is `Secure`.",
    )
    portal_oidc_discovery_url: str | None = Field(
        default=None,
        description="The portal's OpenID Connect provider's discovery document, e.g. "
        "https://idporten.no/.well-known/openid-configuration or Entra ID's; default the embedded "
        "ID-porten stand-in.",
    )
    portal_client_id: str = Field(default="fiks-folkeregister-portal", min_length=1)
    portal_client_secret: SecretStr | None = Field(
        default=None,
        description="The portal's client secret at the provider; with the embedded "
        "stand-in a random one is made in `<data_dir>/idporten/` on first use.",
    )
    portal_client_auth_method: Literal["client_secret_basic", "client_secret_post"] = Field(
        default="client_secret_basic",
        description="How the secret is sent to the provider's token endpoint (ID-porten and Entra ID take both).",
    )
    portal_oidc_scopes: list[str] = Field(
        default=["openid"],
        description='Scopes asked for at login (a JSON list; must hold "openid"), e.g. ["openid", "profile"].',
    )
    portal_redirect_url: str | None = Field(
        default=None, description="Registered redirect URL; default `<public_url>/portal/innlogging/ferdig`."
    )
    portal_identity_claim: str = Field(
        default="pid", description="The ID token claim holding the person's identity number (ID-porten: pid)."
    )
    portal_minimum_acr: Literal["idporten-loa-substantial", "idporten-loa-high"] = Field(
        default="idporten-loa-substantial",
        description="ID-porten: the lowest level of assurance (`acr`) a login may have (used when "
        "FIKSREG_PORTAL_ACCEPTED_ACR is not set).",
    )
    portal_acr_claim: str = Field(
        default="acr",
        min_length=1,
        description="The ID token claim that carries the level of assurance: `acr` (ID-porten) or, for Entra ID "
        "authentication contexts, `acrs`.",
    )
    portal_accepted_acr: list[str] | None = Field(
        default=None,
        description="The values of that claim a login may have, weakest first (a JSON list; the first is asked "
        'for), e.g. ["c1"] for an Entra ID authentication context; default ID-porten\'s levels from '
        "FIKSREG_PORTAL_MINIMUM_ACR up. An empty list accepts no value (then FIKSREG_PORTAL_REQUIRED_AMR must "
        "say what a login needs).",
    )
    portal_required_amr: list[str] = Field(
        default=[],
        description='Authentication methods every login must show in `amr` (a JSON list), e.g. ["mfa"] with '
        "Entra ID v1.0 tokens. A token without an accepted level is refused.",
    )
    portal_requests_per_person: str = Field(
        default="300/minute",
        description="How many lookups one case worker may make in the portal (a rate like `300/minute`), "
        "counted like the API's limits (shared in Redis when FIKSREG_REDIS_URL is set); beyond it the page "
        "answers 429 with `Retry-After` and the refusal is audited.",
    )
    portal_session_idle_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    portal_session_absolute_hours: float = Field(default=10.0, gt=0, le=7 * 24)
    idporten_stand_in: bool = Field(
        default=False,
        description="DEVELOPMENT AND TESTS ONLY: serve the embedded ID-porten stand-in at /idporten/, where anyone "
        "may log in as any identity number, and let the portal use it. Off by default: without it and without "
        "FIKSREG_PORTAL_OIDC_DISCOVERY_URL the portal is not served at all (`make demo` turns it on).",
    )

    @field_validator(
        "failed_authentications_per_integration",
        "failed_authentications_per_address",
        "requests_per_address",
        "requests_per_integration",
        "portal_requests_per_person",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("portal_oidc_scopes")
    @classmethod
    def _scopes(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError('the portal\'s scopes must include "openid"')
        return value

    @model_validator(mode="after")
    def _assurance(self) -> Settings:
        if not self.portal_accepted_levels and not self.portal_required_amr:
            raise ValueError(
                "the portal accepts no login: set FIKSREG_PORTAL_ACCEPTED_ACR or FIKSREG_PORTAL_REQUIRED_AMR"
            )
        return self

    @property
    def portal_accepted_levels(self) -> tuple[str, ...]:
        """The accepted values of the level claim, weakest first (default ID-porten's, from the minimum up)."""
        if self.portal_accepted_acr is not None:
            return tuple(self.portal_accepted_acr)
        levels = ("idporten-loa-substantial", "idporten-loa-high")
        return levels[levels.index(self.portal_minimum_acr) :]

    @property
    def audit_key_path(self) -> Path:
        """The checkpoint signing key's file."""
        return self.audit_signing_key or self.data_dir / "audit" / "checkpoint-key.pem"

    @property
    def audit_checkpoint_path(self) -> Path:
        """The file the checkpoints are also appended to."""
        return self.audit_checkpoint_file or self.data_dir / "audit" / "sjekkpunkter.jsonl"

    @property
    def register_database(self) -> str:
        """The register's database URL, defaulting to SQLite in the data directory."""
        if self.register_database_url:
            return self.register_database_url
        return f"sqlite:///{(self.data_dir / 'register.sqlite3').resolve()}"

    @property
    def gateway_database(self) -> str:
        """The gateway's database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gateway.sqlite3').resolve()}"

    @property
    def idporten_issuer(self) -> str:
        """The embedded ID-porten stand-in's issuer."""
        return self.public_url.rstrip("/") + "/idporten/"

    @property
    def portal_discovery_url(self) -> str:
        """Where the portal reads its provider's metadata."""
        return self.portal_oidc_discovery_url or self.idporten_issuer + ".well-known/openid-configuration"

    @property
    def portal_callback_url(self) -> str:
        return self.portal_redirect_url or self.public_url.rstrip("/") + "/portal/innlogging/ferdig"

    @property
    def issuer_dir(self) -> Path:
        """Where the embedded token issuer keeps its signing key and registered clients."""
        return self.data_dir / "issuer"
