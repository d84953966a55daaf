"""Settings: one tree of groups, read from ``SPLICE_*`` environment variables.

Nothing builds a ``Settings()`` at import time: entry points call ``get_settings()`` and pass
the object down (``create_app(settings)``), and tests build their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from splice.errors import InvalidInput

__all__ = [
    "AuthSettings",
    "DatabaseSettings",
    "LimitSettings",
    "RuntimeSettings",
    "SecretsSettings",
    "ServerSettings",
    "Settings",
    "default_data_dir",
    "get_settings",
]

DEV_SECRET = "changethis"


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ``~/.local/share/splice``)."""
    return Path(platformdirs.user_data_dir("splice", appauthor=False))


class DatabaseSettings(BaseSettings):
    """Where the store lives: ``SPLICE_DATABASE_URL`` (SQLite file by default, or PostgreSQL)."""

    model_config = SettingsConfigDict(env_prefix="SPLICE_DATABASE_", extra="ignore")

    url: str = ""
    echo: bool = False

    def resolved_url(self, data_dir: Path) -> str:
        """The SQLAlchemy async URL; the default is a SQLite file in the data directory."""
        if self.url:
            return normalise_database_url(self.url)
        return f"sqlite+aiosqlite:///{data_dir / 'splice.db'}"


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async drivers."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.split(":///", 1)[1]
    return url


class ServerSettings(BaseSettings):
    """How ``splice server`` listens: ``SPLICE_HOST``, ``SPLICE_PORT``, optional TLS listener."""

    model_config = SettingsConfigDict(env_prefix="SPLICE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    tls_port: int | None = None
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None

    def base_url(self) -> str:
        """The URL clients reach this server on (used in webhook and test URLs)."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    def token_domain(self) -> str:
        """``host[:port]`` of the HTTPS listener that serves ``/oauth/token`` (prism forces https).

        The host is the public URL's when one is set; a wildcard listen address is never
        advertised (clients cannot connect to 0.0.0.0).
        """
        host = urlsplit(self.public_url).hostname if self.public_url else None
        if host is None:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        port = self.tls_port or self.port
        return f"{host}:{port}"


class AuthSettings(BaseSettings):
    """Tokens and the first-start owner: ``SPLICE_SECRET_KEY``, ``SPLICE_ADMIN_EMAIL`` ..."""

    model_config = SettingsConfigDict(env_prefix="SPLICE_", extra="ignore")

    secret_key: SecretStr = SecretStr(DEV_SECRET)
    access_token_ttl_seconds: int = 3600
    client_id: str = "splice-cli"
    audience: str = "splice"
    admin_email: str = ""
    admin_password: SecretStr = SecretStr("")
    organization_name: str = "My Organization"


class SecretsSettings(BaseSettings):
    """Encryption of secrets at rest: ``SPLICE_ENCRYPTION_KEYS``.

    Comma-separated Fernet keys: the first encrypts, all decrypt (rotation). When empty, one key
    is derived from ``SPLICE_SECRET_KEY``.
    """

    model_config = SettingsConfigDict(env_prefix="SPLICE_", extra="ignore")

    encryption_keys: SecretStr = SecretStr("")


class LimitSettings(BaseSettings):
    """Size limits that protect the server: ``SPLICE_LIMIT_*``."""

    model_config = SettingsConfigDict(env_prefix="SPLICE_LIMIT_", extra="ignore")

    definition_bytes: int = 5 * 1024 * 1024
    attachment_bytes: int = 10 * 1024 * 1024
    request_bytes: int = 20 * 1024 * 1024
    graphql_depth: int = 15
    graphql_fields: int = 1000
    sync_timeout_seconds: float = 30.0
    webhook_payload_bytes: int = 6 * 1024 * 1024
    page_size: int = 100
    max_page_size: int = 500


class RuntimeSettings(BaseSettings):
    """How executions run: ``SPLICE_RUNTIME_*`` (in-process workers by default)."""

    model_config = SettingsConfigDict(env_prefix="SPLICE_RUNTIME_", extra="ignore")

    workers: int = 8
    sweep_interval_seconds: float = 30.0
    lease_seconds: float = 60.0
    scheduler_interval_seconds: float = 10.0
    broker_url: str = Field(
        default="", validation_alias=AliasChoices("SPLICE_BROKER_URL", "SPLICE_RUNTIME_BROKER_URL")
    )

    @field_validator("broker_url")
    @classmethod
    def _usable_broker(cls, value: str) -> str:
        """A broker URL Celery can use, checked at start-up rather than at each dispatch."""
        if not value:
            return value
        scheme = value.partition("://")[0].lower()
        if scheme not in BROKER_SCHEMES or "://" not in value:
            raise ValueError(f"{value!r} is not a redis:// or amqp:// URL")
        try:
            urlsplit(value).port  # noqa: B018 - raises for a port that is not a number
        except ValueError as exc:
            raise ValueError(f"{value!r} has a bad port ({exc})") from None
        return value

    @property
    def distributed(self) -> bool:
        """True when executions go to Celery workers through a broker."""
        return bool(self.broker_url)


class Settings(BaseSettings):
    """The root of the settings tree."""

    model_config = SettingsConfigDict(env_prefix="SPLICE_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    environment: str = "development"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.auth.secret_key.get_secret_value() in ("", DEV_SECRET)
        ):
            raise ValueError(
                "SPLICE_SECRET_KEY must be set to a long random value when "
                "SPLICE_ENVIRONMENT=production"
            )
        return self

    @property
    def database_url(self) -> str:
        """The resolved async database URL."""
        return self.database.resolved_url(self.data_dir)


def get_settings() -> Settings:
    """Read the settings from the environment (call once per process, at the edge).

    A value that cannot be used is a ``InvalidInput`` naming the environment variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [_problem(exc.title, error) for error in exc.errors()]
        raise InvalidInput(
            "; ".join(problems), field="environment", fix="correct the SPLICE_* variable"
        ) from None


def _problem(model: str, error: Any) -> str:
    """``SPLICE_X: message`` for one error of the settings model named ``model``."""
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    names = [str(part) for part in error.get("loc", ())]
    group = next((g for g in _GROUPS if g.__name__ == model), None)
    if group is None or not names:
        return message
    if names[0].startswith("SPLICE_"):  # a field read under an alias names its variable
        return f"{names[0]}: {message}"
    prefix = str(group.model_config.get("env_prefix", ""))
    return f"{(prefix + names[0]).upper()}: {message}"


BROKER_SCHEMES = frozenset({"redis", "rediss", "amqp", "amqps", "pyamqp", "sentinel"})
_GROUPS: tuple[type[BaseSettings], ...] = (
    Settings,
    DatabaseSettings,
    ServerSettings,
    AuthSettings,
    LimitSettings,
    RuntimeSettings,
    SecretsSettings,
)
