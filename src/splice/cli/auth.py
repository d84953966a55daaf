"""``login``, ``logout`` and the ``me`` family (contract §1.5-1.8)."""

from __future__ import annotations

import sys
from typing import Any

import click
import httpx

from splice.cli.client import SpliceClient
from splice.cli.config import Profile, default_config_path, load_config, save_config
from splice.cli.credentials import DEFAULT_URL, Credentials, env_url, select_profile_name
from splice.cli.errors import CLIError
from splice.cli.state import command, get_state, open_client, selected_profile

__all__ = ["COMMANDS", "PROBE", "WHOAMI"]

WHOAMI = "query whoami { authenticatedUser { name email tenantId org { id name } customer { id name } } }"
PROBE = "query { authenticatedUser { id } }"


def _read_password(email: str) -> str:
    state = get_state()
    if state.stdin_isatty():
        password: str = click.prompt(f"Password for {email}", hide_input=True)
        return password
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise CLIError(
            "No password on standard input", fix="pipe the password, or run in a terminal"
        )
    return password


@command("login")
@click.option(
    "--url", metavar="URL", help="Server URL (default: SPLICE_URL or http://127.0.0.1:8000)."
)
@click.option("--email", metavar="EMAIL", help="Your email address (asked when omitted).")
def login(url: str | None, email: str | None) -> None:
    """Log in with email and password and save the tokens in a profile."""
    state = get_state()
    config = load_config(default_config_path(state.env))
    name = select_profile_name(state.env, selected_profile(), config)
    existing = config.profiles.get(name)
    base = url or env_url(state.env) or (existing.prismatic_url if existing else "") or DEFAULT_URL
    base = base.rstrip("/")
    if "://" not in base:
        base = f"http://{base}"
    if not email:
        email = str(click.prompt("Email"))
    password = _read_password(email)
    client = SpliceClient(Credentials(base, "", ""), transport=state.transport, now=state.now)
    try:
        meta = client.send("GET", "/auth/meta")
        client_id = _json(meta).get("clientId") or "splice-cli"
        form = {
            "grant_type": "password",
            "username": email,
            "password": password,
            "client_id": str(client_id),
        }
        answer = _json(client.send("POST", "/oauth/token", data=form))
    finally:
        client.close()
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        detail = (
            answer.get("error_description") or answer.get("error") or "no access token returned"
        )
        raise CLIError(f"Login to {base} failed: {detail}", fix="check the email and password")
    config.profiles[name] = Profile(
        prismatic_url=base,
        access_token=token,
        refresh_token=str(answer.get("refresh_token") or ""),
        expires_in=int(answer.get("expires_in") or 0),
        scope=str(answer.get("scope") or ""),
        token_type=str(answer.get("token_type") or "Bearer"),
    )
    if not config.default_profile:
        config.default_profile = name
    save_config(config)
    click.echo(f"Logged in to {base} as {email} (profile '{name}').")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise CLIError(
            f"{response.request.url} answered {response.status_code} without JSON",
            fix="check that --url points at a Splice server",
        )
    return body


@command("logout")
def logout() -> None:
    """Forget the saved profile's tokens."""
    state = get_state()
    config = load_config(default_config_path(state.env))
    name = select_profile_name(state.env, selected_profile(), config)
    if config.profiles.pop(name, None) is None:
        click.echo(f"Not logged in (no profile '{name}').")
        return
    if config.default_profile == name:
        config.default_profile = None
    save_config(config)
    click.echo(f"Logged out (removed profile '{name}').")


@command("me")
def me() -> None:
    """Show who you are logged in as, and where."""
    client = open_client()
    user = client.graphql(WHOAMI)["authenticatedUser"]
    lines = [f"Name: {user.get('name') or ''}", f"Email: {user.get('email') or ''}"]
    if user.get("org"):
        lines += [f"Organization: {user['org']['name']}", f"Organization ID: {user['org']['id']}"]
    elif user.get("customer"):
        lines.append(f"Customer: {user['customer']['name']}")
    if user.get("tenantId"):
        lines.append(f"Tenant ID: {user['tenantId']}")
    creds = client.credentials
    lines += [f"Endpoint URL: {client.base_url}", f"Authentication: {creds.mode}"]
    if creds.profile is not None:
        lines.append(f"Profile: {creds.profile}")
    click.echo("\n".join(lines))


@command("me:token")
@click.option(
    "-t",
    "--type",
    "kind",
    type=click.Choice(["access", "refresh"]),
    default="access",
    show_default=True,
    help="Which token to print.",
)
def me_token(kind: str) -> None:
    """Print your access token (refreshed when due) or your refresh token."""
    client = open_client()
    if kind == "refresh":
        click.echo(client.credentials.refresh_token)
    else:
        click.echo(client.access_token())


@command("me:token:revoke")
@click.option("--confirm/--no-confirm", default=True, help="Ask before revoking.")
def me_token_revoke(confirm: bool) -> None:
    """Revoke every refresh token of your user (logs out everywhere)."""
    client = open_client()
    try:
        client.graphql(PROBE)
    except CLIError as exc:
        raise CLIError("You are not currently logged in.", fix="run 'splice login'") from exc
    if confirm:
        click.confirm("Revoke all refresh tokens for your user?", abort=True)
    creds = client.credentials
    body = {"refresh_token": creds.refresh_token} if creds.refresh_token else {}
    client.send("POST", "/auth/revoke", json=body)
    click.echo("All refresh tokens for your user have been revoked.")
    if creds.profile is None:
        click.echo(
            "Warning: SPLICE_REFRESH_TOKEN/PRISM_REFRESH_TOKEN still hold the revoked token; unset them.",
            err=True,
        )
    elif creds.config is not None:
        creds.config.profiles.pop(creds.profile, None)
        if creds.config.default_profile == creds.profile:
            creds.config.default_profile = None
        save_config(creds.config)


COMMANDS: list[click.Command] = [login, logout, me, me_token, me_token_revoke]
