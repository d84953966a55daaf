"""The ``splice`` root command: prism's colon sub-commands plus the server-side groups.

Every ``UserError`` a command raises becomes ``Error: <message>`` on stderr and exit code 2,
never a traceback. ``server`` and ``db`` are imported only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from splice.cli import (
    attachments,
    auth,
    components,
    customers,
    data_sources,
    executions,
    flow_test,
    graphql,
    instances,
    integration_files,
    integration_versions,
    integrations,
    organization,
)
from splice.errors import UserError

__all__ = ["Failure", "SpliceGroup", "cli", "main"]

_LAZY = {
    "server": "splice.cli.server",
    "worker": "splice.cli.server",
    "db": "splice.cli.db",
    "dev": "splice.cli.dev",
}


class Failure(click.ClickException):
    """A user error on its way to the terminal: one message, exit code 2."""

    exit_code = 2


def _unavailable(name: str, error: ImportError) -> click.Command:
    def run() -> None:
        raise Failure(f"'splice {name}' is not available in this installation: {error}")

    return click.Command(name, callback=run, help=f"(unavailable: {error})")


class SpliceGroup(click.Group):
    """A flat group of colon-named commands that maps user errors to exit code 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, including the lazily imported ones."""
        return sorted({*super().list_commands(ctx), *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Look a command up, importing ``server``/``db`` on first use."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in _LAZY:
            return found
        try:
            module = importlib.import_module(_LAZY[cmd_name])
        except ImportError as exc:
            return _unavailable(cmd_name, exc)
        loaded = getattr(module, cmd_name)
        if not isinstance(loaded, click.Command):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{_LAZY[cmd_name]}.{cmd_name} is not a click command")
        return loaded

    def invoke(self, ctx: click.Context) -> Any:
        """Run the sub-command, turning ``UserError`` into a one-line failure."""
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise Failure(exc.text) from exc


@click.group(cls=SpliceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="splice", prog_name="splice")
def cli() -> None:
    """Splice: self-hosted embedded integrations (prism-compatible command line)."""


_MODULES = (
    auth,
    integrations,
    integration_versions,
    integration_files,
    flow_test,
    attachments,
    customers,
    instances,
    data_sources,
    components,
    organization,
    executions,
    graphql,
)
for _module in _MODULES:
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="splice")
