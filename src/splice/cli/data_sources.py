"""``instances:config-vars:data-source``: run the data source behind an instance's config variable.

Splice's own command (prism has none): prints a picklist's choices as a table, any other data
source's result as JSON, so an instance can be configured from the terminal.
"""

from __future__ import annotations

import json
from typing import Any

import click

from splice.cli.errors import CLIError
from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS"]

RUN = """mutation runInstanceDataSource($id: ID!, $key: String!,
    $configVariables: [InputInstanceConfigVariable]) {
  runInstanceDataSource(input: {id: $id, configVariableKey: $key,
      configVariables: $configVariables}) {
    dataSourceResult { dataSourceType result options { key label } }
    errors { field messages }
  }
}"""

OPTION_COLUMNS = [Column("key"), Column("label")]


def parse_config_variables(text: str | None) -> list[Any] | None:
    """``--config-vars`` as a list (None when not given)."""
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise CLIError(f"--config-vars is not valid JSON: {exc}") from exc
    if not isinstance(parsed, list):
        raise CLIError('--config-vars must be a JSON list, e.g. [{"key":"K","value":"v"}]')
    return parsed


@command("instances:config-vars:data-source")
@click.argument("instance_id")
@click.option("-k", "--key", required=True, help="Key of the config variable.")
@click.option(
    "-v",
    "--config-vars",
    metavar="JSON",
    help="Unsaved config values to run with (a JSON list, as instances:create takes).",
)
@table_options
def run(instance_id: str, key: str, config_vars: str | None, table: TableOptions) -> None:
    """Run a config variable's data source with the instance's config and show its result."""
    variables = {
        "id": instance_id,
        "key": key,
        "configVariables": parse_config_variables(config_vars),
    }
    data = open_client().graphql(RUN, variables)
    result = data["runInstanceDataSource"]["dataSourceResult"] or {}
    if result.get("options") is not None:
        print_table(result["options"], OPTION_COLUMNS, table)
    else:
        click.echo(json.dumps(json.loads(result.get("result") or "null"), indent=2))


COMMANDS: list[click.Command] = [run]
