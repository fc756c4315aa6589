"""The one settings object: read once from ``FIKSREG_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default=None, description="`iss` required of the gateway's callers' tokens; default the embedded issuer."
    )
    gateway_token_jwks_url: str | None = Field(
        default=None, description="JWKS of that issuer (e.g. Maskinporten's); default the embedded issuer's keys."
    )
    gateway_token_audience: str | None = Field(default=None, description="`aud` required, if any.")
    gateway_token_scope: str = Field(default="ks:fiks", description="Scope required of the gateway's callers.")
    password_cache_seconds: float = Field(
        default=60.0, ge=0, le=3600, description="How long a successful integration password check is remembered."
    )

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
    def issuer_dir(self) -> Path:
        """Where the embedded token issuer keeps its signing key and registered clients."""
        return self.data_dir / "issuer"
