"""The profile file (prism's layout): ``version: 1``, ``defaultProfile`` and named ``profiles``.

Each profile holds ``accessToken, expiresIn, refreshToken, scope, tokenType, prismaticUrl``.
An old unversioned file (token fields at the top level) is read as the profile ``default``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from splice.cli.errors import CLIError

__all__ = ["ConfigFile", "Profile", "default_config_path", "load_config", "save_config"]

_PROFILE_KEYS = ("accessToken", "expiresIn", "refreshToken", "scope", "tokenType", "prismaticUrl")


@dataclass
class Profile:
    """One set of saved credentials and the server they belong to."""

    prismatic_url: str
    access_token: str = ""
    refresh_token: str = ""
    expires_in: int = 0
    scope: str = ""
    token_type: str = "Bearer"

    def to_yaml(self) -> dict[str, Any]:
        """The mapping written under ``profiles.<name>``."""
        return {
            "accessToken": self.access_token,
            "expiresIn": self.expires_in,
            "refreshToken": self.refresh_token,
            "scope": self.scope,
            "tokenType": self.token_type,
            "prismaticUrl": self.prismatic_url,
        }


@dataclass
class ConfigFile:
    """The parsed profile file; ``path`` is where it was (or will be) stored."""

    path: Path
    default_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)


def default_config_path(env: Mapping[str, str]) -> Path:
    """``SPLICE_CONFIG_FILE``, else ``~/.config/splice/config.yml``."""
    explicit = env.get("SPLICE_CONFIG_FILE", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    home = env.get("HOME", "").strip()
    base = Path(home) if home else Path.home()
    return base / ".config" / "splice" / "config.yml"


def _corrupt(path: Path, why: str) -> CLIError:
    return CLIError(
        f"The config file {path} is not valid: {why}",
        fix="fix or delete it, then run 'splice login' again",
    )


def _profile(path: Path, name: str, raw: object) -> Profile:
    if not isinstance(raw, dict):
        raise _corrupt(path, f"profile '{name}' is not a mapping")
    expires = raw.get("expiresIn", 0)
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise _corrupt(path, f"profile '{name}' has a non-integer expiresIn")
    values: dict[str, str] = {}
    for key in ("accessToken", "refreshToken", "scope", "tokenType", "prismaticUrl"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise _corrupt(path, f"profile '{name}' has a non-string {key}")
        values[key] = value or ""
    return Profile(
        prismatic_url=values["prismaticUrl"],
        access_token=values["accessToken"],
        refresh_token=values["refreshToken"],
        expires_in=expires,
        scope=values["scope"],
        token_type=values["tokenType"] or "Bearer",
    )


def load_config(path: Path) -> ConfigFile:
    """Read the profile file; a missing file is empty, a malformed one is a ``CLIError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ConfigFile(path)
    except (OSError, UnicodeError) as exc:
        raise _corrupt(path, str(exc)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _corrupt(path, "it is not YAML") from exc
    if data is None:
        return ConfigFile(path)
    if not isinstance(data, dict):
        raise _corrupt(path, "the top level is not a mapping")
    if "profiles" not in data and any(key in data for key in _PROFILE_KEYS):
        return ConfigFile(path, "default", {"default": _profile(path, "default", data)})
    profiles = data.get("profiles") or {}
    if not isinstance(profiles, dict):
        raise _corrupt(path, "'profiles' is not a mapping")
    default = data.get("defaultProfile")
    if default is not None and not isinstance(default, str):
        raise _corrupt(path, "'defaultProfile' is not a string")
    return ConfigFile(
        path, default, {str(name): _profile(path, str(name), raw) for name, raw in profiles.items()}
    )


def save_config(config: ConfigFile) -> None:
    """Write the profile file (mode 0600, parent directories created)."""
    data: dict[str, Any] = {"version": 1}
    if config.default_profile:
        data["defaultProfile"] = config.default_profile
    data["profiles"] = {name: profile.to_yaml() for name, profile in config.profiles.items()}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    try:
        config.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(config.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise CLIError(
            f"Could not write the config file {config.path}: {exc.strerror or exc}",
            fix="check the directory's permissions or set SPLICE_CONFIG_FILE",
        ) from exc
