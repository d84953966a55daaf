"""Where a command's credentials come from: environment variables, else a saved profile.

Environment mode applies when ``SPLICE_ACCESS_TOKEN``/``SPLICE_REFRESH_TOKEN`` (or prism's
``PRISM_ACCESS_TOKEN``/``PRISM_REFRESH_TOKEN``) is set; nothing is written to disk then.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from splice.cli.config import ConfigFile, Profile, default_config_path, load_config
from splice.cli.errors import CLIError

__all__ = [
    "DEFAULT_URL",
    "REFRESH_MARGIN_SECONDS",
    "Credentials",
    "check_url",
    "env_url",
    "jwt_expiry",
    "refresh_due",
    "resolve_credentials",
    "select_profile_name",
]

DEFAULT_URL = "http://127.0.0.1:8000"
REFRESH_MARGIN_SECONDS = 300


@dataclass
class Credentials:
    """The tokens and base URL one command uses; ``profile`` is None in environment mode."""

    base_url: str
    access_token: str
    refresh_token: str
    profile: str | None = None
    config: ConfigFile | None = None

    @property
    def mode(self) -> str:
        """``Environment`` or ``Profile``, as ``splice me`` prints it."""
        return "Environment" if self.profile is None else "Profile"


def _get(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def env_url(env: Mapping[str, str]) -> str:
    """``SPLICE_URL``, else ``PRISMATIC_URL``, else ``""``."""
    return (_get(env, "SPLICE_URL") or _get(env, "PRISMATIC_URL")).rstrip("/")


def select_profile_name(env: Mapping[str, str], flag: str | None, config: ConfigFile) -> str:
    """``--profile``, else ``SPLICE_PROFILE``, else the file's default, else ``default``."""
    return flag or _get(env, "SPLICE_PROFILE") or config.default_profile or "default"


def resolve_credentials(
    env: Mapping[str, str], profile_flag: str | None = None, config_path: Path | None = None
) -> Credentials:
    """Pick environment mode or profile mode and return the credentials to use."""
    for prefix in ("SPLICE", "PRISM"):
        access = _get(env, f"{prefix}_ACCESS_TOKEN")
        refresh = _get(env, f"{prefix}_REFRESH_TOKEN")
        if access or refresh:
            return Credentials(env_url(env) or DEFAULT_URL, access, refresh)
    config = load_config(config_path or default_config_path(env))
    name = select_profile_name(env, profile_flag, config)
    profile = config.profiles.get(name)
    if profile is None:
        raise CLIError(
            f"Not logged in: there is no profile '{name}' in {config.path}",
            fix="run 'splice login --url <server URL>' or set SPLICE_ACCESS_TOKEN",
        )
    check_url(env, name, profile)
    return Credentials(
        profile.prismatic_url.rstrip("/") or DEFAULT_URL,
        profile.access_token,
        profile.refresh_token,
        profile=name,
        config=config,
    )


def check_url(env: Mapping[str, str], name: str, profile: Profile) -> None:
    """Refuse a ``SPLICE_URL`` that names another server than the profile does."""
    wanted = _get(env, "SPLICE_URL").rstrip("/")
    if wanted and wanted != profile.prismatic_url.rstrip("/"):
        raise CLIError(
            f"SPLICE_URL does not match profile '{name}'.",
            fix=f"unset SPLICE_URL or log in to {wanted} with another --profile",
        )


def _claims(token: str) -> dict[str, object] | None:
    """The payload of a JWT (signature not checked); None when the token is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT in seconds; None when absent or not a JWT."""
    exp = (_claims(token) or {}).get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return float(exp)
    return None


def refresh_due(credentials: Credentials, now: float) -> bool:
    """Whether to refresh before the next call (prism's rule, but opaque tokens are refreshed).

    No refresh token: never. No access token: always. A JWT: when it expires within 300 s.
    A JWT without ``exp``: never. A non-JWT access token next to a refresh token: always.
    """
    if not credentials.refresh_token:
        return False
    if not credentials.access_token or _claims(credentials.access_token) is None:
        return True
    exp = jwt_expiry(credentials.access_token)
    return exp is not None and exp - now < REFRESH_MARGIN_SECONDS
