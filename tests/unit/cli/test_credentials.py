"""Credential resolution: environment vs profile, precedence, refresh timing, the config file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from splice.cli.config import ConfigFile, Profile, default_config_path, load_config, save_config
from splice.cli.credentials import (
    DEFAULT_URL,
    Credentials,
    jwt_expiry,
    refresh_due,
    resolve_credentials,
)
from splice.cli.errors import CLIError
from tests.unit.cli.fakes import NOW, make_jwt


def write_config(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def profile(url: str = "http://a.test", token: str = "acc") -> dict[str, object]:
    return {
        "accessToken": token,
        "expiresIn": 3600,
        "refreshToken": "ref",
        "scope": "openid",
        "tokenType": "Bearer",
        "prismaticUrl": url,
    }


def test_default_config_path_is_under_home_unless_overridden(tmp_path: Path) -> None:
    assert default_config_path({"HOME": str(tmp_path)}) == tmp_path / ".config/splice/config.yml"
    assert (
        default_config_path({"SPLICE_CONFIG_FILE": str(tmp_path / "c.yml")}) == tmp_path / "c.yml"
    )


def test_env_mode_with_splice_variables() -> None:
    creds = resolve_credentials({"SPLICE_ACCESS_TOKEN": "a", "SPLICE_URL": "http://s.test/"})
    assert (creds.base_url, creds.access_token, creds.refresh_token) == ("http://s.test", "a", "")
    assert creds.mode == "Environment" and creds.profile is None


def test_env_mode_with_prism_variables_and_default_url() -> None:
    creds = resolve_credentials({"PRISM_REFRESH_TOKEN": "r"})
    assert (creds.base_url, creds.access_token, creds.refresh_token) == (DEFAULT_URL, "", "r")


def test_splice_variables_win_over_prism_variables() -> None:
    env = {
        "SPLICE_ACCESS_TOKEN": "s",
        "PRISM_ACCESS_TOKEN": "p",
        "PRISMATIC_URL": "http://p.test",
        "SPLICE_URL": "http://s.test",
    }
    creds = resolve_credentials(env)
    assert (creds.access_token, creds.base_url) == ("s", "http://s.test")
    assert resolve_credentials(
        {"PRISM_ACCESS_TOKEN": "p", "PRISMATIC_URL": "http://p.test"}
    ).base_url == ("http://p.test")


def test_blank_env_tokens_count_as_unset(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yml", {"version": 1, "profiles": {"default": profile()}})
    creds = resolve_credentials({"SPLICE_ACCESS_TOKEN": "  ", "SPLICE_CONFIG_FILE": str(path)})
    assert creds.mode == "Profile" and creds.access_token == "acc"


def test_profile_selection_order(tmp_path: Path) -> None:
    data = {
        "version": 1,
        "defaultProfile": "b",
        "profiles": {
            "a": profile(token="A"),
            "b": profile(token="B"),
            "default": profile(token="D"),
        },
    }
    path = write_config(tmp_path / "c.yml", data)
    env = {"SPLICE_CONFIG_FILE": str(path)}
    assert resolve_credentials(env).access_token == "B"
    assert resolve_credentials({**env, "SPLICE_PROFILE": "a"}).access_token == "A"
    assert resolve_credentials({**env, "SPLICE_PROFILE": "a"}, "default").access_token == "D"
    creds = resolve_credentials(env, "a")
    assert (creds.profile, creds.mode, creds.base_url) == ("a", "Profile", "http://a.test")


def test_missing_profile_says_how_to_log_in(tmp_path: Path) -> None:
    with pytest.raises(CLIError, match=r"no profile 'default'.*splice login"):
        resolve_credentials({"SPLICE_CONFIG_FILE": str(tmp_path / "absent.yml")})


def test_splice_url_must_match_the_profile(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yml", {"version": 1, "profiles": {"default": profile()}})
    env = {"SPLICE_CONFIG_FILE": str(path), "SPLICE_URL": "http://other.test"}
    with pytest.raises(CLIError, match=r"SPLICE_URL does not match profile 'default'\."):
        resolve_credentials(env)
    assert resolve_credentials({**env, "SPLICE_URL": "http://a.test/"}).profile == "default"


def test_old_unversioned_file_is_profile_default(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yml", profile(token="old"))
    config = load_config(path)
    assert config.default_profile == "default"
    assert config.profiles["default"].access_token == "old"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("profiles: [unclosed", "not YAML"),
        ("- a list", "top level is not a mapping"),
        ("profiles: 3", "'profiles' is not a mapping"),
        ("profiles: {p: 3}", "profile 'p' is not a mapping"),
        ("profiles: {p: {expiresIn: soon}}", "non-integer expiresIn"),
        ("profiles: {p: {accessToken: [1]}}", "non-string accessToken"),
        ("defaultProfile: [x]\nprofiles: {}", "'defaultProfile' is not a string"),
    ],
)
def test_corrupted_config_file_is_a_clear_error(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "c.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CLIError) as caught:
        load_config(path)
    assert str(path) in caught.value.text and why in caught.value.text
    assert "splice login" in caught.value.text


def test_empty_or_missing_file_has_no_profiles(tmp_path: Path) -> None:
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")
    assert load_config(tmp_path / "empty.yml").profiles == {}
    assert load_config(tmp_path / "missing.yml").profiles == {}


def test_save_then_load_round_trips_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "config.yml"
    config = ConfigFile(path, "p", {"p": Profile("http://x.test", "a", "r", 60, "s", "Bearer")})
    save_config(config)
    assert path.stat().st_mode & 0o777 == 0o600
    assert yaml.safe_load(path.read_text())["version"] == 1
    again = load_config(path)
    assert again.default_profile == "p" and again.profiles == config.profiles


def test_jwt_expiry_reads_exp_without_checking_signature() -> None:
    assert jwt_expiry(make_jwt(NOW)) == NOW
    assert jwt_expiry(make_jwt(None)) is None
    assert jwt_expiry("opaque") is None
    assert jwt_expiry("a.!!!.c") is None


@pytest.mark.parametrize(
    ("access", "refresh", "due"),
    [
        ("opaque", "", False),  # no refresh token: used as-is, never decoded
        (make_jwt(NOW + 10), "", False),
        ("", "r", True),  # refresh token only: refresh first
        (make_jwt(NOW + 299), "r", True),
        (make_jwt(NOW + 301), "r", False),
        (make_jwt(NOW - 5), "r", True),
        (make_jwt(None), "r", False),  # JWT without exp: never refreshed
        ("opaque", "r", True),  # not a JWT but refreshable: refresh
    ],
)
def test_refresh_due(access: str, refresh: str, due: bool) -> None:
    assert refresh_due(Credentials("http://x", access, refresh), NOW) is due
