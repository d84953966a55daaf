"""Settings derived values: the token domain prism is sent to, database URLs."""

from __future__ import annotations

from splice.settings import ServerSettings, normalise_database_url


def test_token_domain_uses_the_tls_port_and_never_a_wildcard_host() -> None:
    assert ServerSettings(host="127.0.0.1", port=8000, tls_port=8443).token_domain() == (
        "127.0.0.1:8443"
    )
    assert ServerSettings(host="0.0.0.0", port=8000).token_domain() == "127.0.0.1:8000"


def test_token_domain_follows_the_public_url() -> None:
    settings = ServerSettings(
        host="0.0.0.0", port=8000, tls_port=443, public_url="https://splice.example.com"
    )
    assert settings.token_domain() == "splice.example.com:443"


def test_plain_database_urls_get_async_drivers() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalise_database_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
