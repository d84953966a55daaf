"""What every command shares: the process environment, the HTTP transport and the clock.

Tests pass their own ``AppState`` as Click's ``obj`` (a mapping for the environment, an
``httpx.MockTransport``, a fixed clock), so no command reads ``os.environ`` or the network directly.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import click
import httpx

from splice import clock
from splice.cli.client import SpliceClient
from splice.cli.credentials import resolve_credentials

__all__ = [
    "AppState",
    "command",
    "get_state",
    "open_client",
    "print_requests_option",
    "profile_option",
    "selected_profile",
]

_PROFILE_KEY = "splice.profile"
_PRINT_KEY = "splice.print_requests"


def _now() -> float:
    return clock.now().timestamp()


def _stdin_isatty() -> bool:
    return sys.stdin.isatty()


@dataclass
class AppState:
    """The outside world as commands see it."""

    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    transport: httpx.BaseTransport | None = None
    now: Callable[[], float] = _now
    stdin_isatty: Callable[[], bool] = _stdin_isatty
    sleep: Callable[[float], None] = time.sleep


def get_state() -> AppState:
    """The ``AppState`` of the running command (a default one when none was given)."""
    return click.get_current_context().ensure_object(AppState)


def _remember_profile(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta[_PROFILE_KEY] = value


def profile_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--profile NAME`` (default ``SPLICE_PROFILE``, then the file's ``defaultProfile``)."""
    return click.option(
        "--profile",
        metavar="NAME",
        expose_value=False,
        callback=_remember_profile,
        help="Saved profile to use (default: SPLICE_PROFILE or the config's defaultProfile).",
    )(func)


def _remember_print(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_PRINT_KEY] = True


def print_requests_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--print-requests`` (also ``SPLICE_PRINT_REQUESTS``): echo GraphQL to stderr."""
    return click.option(
        "--print-requests",
        is_flag=True,
        expose_value=False,
        callback=_remember_print,
        help="Print each GraphQL request and its variables to stderr.",
    )(func)


def selected_profile() -> str | None:
    """The ``--profile`` value of the running command, if any."""
    value = click.get_current_context().meta.get(_PROFILE_KEY)
    return value if isinstance(value, str) else None


def command(name: str) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command`` plus ``--profile``, for every command that talks to a server."""

    def decorate(func: Callable[..., Any]) -> click.Command:
        made: click.Command = click.command(name)(print_requests_option(profile_option(func)))
        return made

    return decorate


def open_client() -> SpliceClient:
    """A client for the running command's credentials; closed when the command ends."""
    state = get_state()
    credentials = resolve_credentials(state.env, selected_profile())
    ctx = click.get_current_context()
    echo = bool(ctx.meta.get(_PRINT_KEY)) or bool(
        state.env.get("SPLICE_PRINT_REQUESTS", "").strip()
    )
    client = SpliceClient(
        credentials, transport=state.transport, now=state.now, print_requests=echo
    )
    ctx.call_on_close(client.close)
    return client
