"""Settings derived values: the token domain prism is sent to, database URLs."""

from __future__ import annotations

import pytest

from splice.errors import InvalidInput
from splice.settings import ServerSettings, get_settings, normalise_database_url


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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SPLICE_PORT", "abc", "SPLICE_PORT: Input should be a valid integer"),
        ("SPLICE_BROKER_URL", "bogus://x", "SPLICE_BROKER_URL: 'bogus://x' is not a redis://"),
        (
            "SPLICE_BROKER_URL",
            "redis://h:port/0",
            "SPLICE_BROKER_URL: 'redis://h:port/0' has a bad",
        ),
        ("SPLICE_ENVIRONMENT", "production", "SPLICE_SECRET_KEY must be set"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidInput) as raised:
        get_settings()
    assert raised.value.message.startswith(message)


def test_a_usable_broker_url_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPLICE_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    assert get_settings().runtime.broker_url == "amqp://guest:guest@127.0.0.1:5672//"


def test_the_cli_reports_a_bad_setting_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from splice.cli.main import cli

    monkeypatch.setenv("SPLICE_BROKER_URL", "bogus://x")
    result = CliRunner().invoke(cli, ["worker"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: SPLICE_BROKER_URL: 'bogus://x' is not a redis:// or amqp:// URL "
        "(correct the SPLICE_* variable)"
    )
