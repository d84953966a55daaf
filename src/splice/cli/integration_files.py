"""``integrations:export|import|validate-yaml|diff``: YAML definitions in and out (contract §3.2)."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import click

from splice.cli.client import SpliceClient
from splice.cli.documents import config_variable_keys, dump_yaml, parse_yaml, read_text
from splice.cli.errors import CLIError, GraphQLError
from splice.cli.state import command, open_client

__all__ = ["COMMANDS"]

_ERRORS = "errors { field messages }"

EXPORT = """query export($id: ID!, $version: Int!, $useLatestComponentVersions: Boolean!) {
  integration(id: $id) {
    definition(version: $version, useLatestComponentVersions: $useLatestComponentVersions)
  }
}"""

IMPORT = f"""mutation importIntegration($definition: String!, $integrationId: ID, $replace: Boolean) {{
  importIntegration(input: {{definition: $definition, integrationId: $integrationId, \
replace: $replace}}) {{
    integration {{
      id
      flows {{ nodes {{ id name }} }}
      testConfigVariables(status: "pending") {{ nodes {{ id authorizeUrl }} }}
      systemInstance {{ id flowConfigs {{ nodes {{ id flow {{ id name }} apiKeys }} }} }}
    }}
    {_ERRORS}
  }}
}}"""

CURRENT_DEFINITION = """query integration($integrationId: ID!) {
  integration(id: $integrationId) { definition }
}"""

SET_ICON = f"""mutation setIntegrationIcon($id: ID!, $iconBase64: String) {{
  updateIntegration(input: {{id: $id, iconBase64: $iconBase64}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

VALIDATE = f"""mutation validateIntegrationSchema($definition: String!) {{
  validateIntegrationSchema(input: {{definition: $definition}}) {{
    result {{ isValid }}
    {_ERRORS}
  }}
}}"""

DIFF = """query integrationDiff($base: ID!, $head: ID!) {
  integrationDiff(base: $base, head: $head) { diff }
}"""

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@command("integrations:export")
@click.argument("integration_id")
@click.option(
    "-l", "--latest-components", is_flag=True, help="Use the latest versions of components."
)
@click.option(
    "-v",
    "--version",
    "definition_version",
    type=int,
    default=7,
    show_default=True,
    help="Definition format version.",
)
def export(integration_id: str, latest_components: bool, definition_version: int) -> None:
    """Print an integration's YAML definition."""
    variables = {
        "id": integration_id,
        "version": definition_version,
        "useLatestComponentVersions": latest_components,
    }
    text = open_client().graphql(EXPORT, variables)["integration"]["definition"]
    click.echo(dump_yaml(parse_yaml(text, "The exported definition")))


def _warn_dropped_variables(client: SpliceClient, integration_id: str, new_text: str) -> None:
    data = client.graphql(CURRENT_DEFINITION, {"integrationId": integration_id})
    current = (data.get("integration") or {}).get("definition")
    if current is None:
        raise CLIError(f"Integration not found: {integration_id}")
    old = config_variable_keys(parse_yaml(current, "The current definition"))
    new = config_variable_keys(parse_yaml(new_text, "The new definition"))
    for key in sorted(old - new):
        click.echo(f"Warning: config variable '{key}' is not in the new definition.", err=True)


def _set_icon(client: SpliceClient, integration_id: str, icon: Path) -> None:
    try:
        encoded = base64.b64encode(icon.read_bytes()).decode("ascii")
        client.mutation_id(
            SET_ICON,
            {"id": integration_id, "iconBase64": encoded},
            "updateIntegration",
            "integration",
        )
    except (OSError, CLIError) as exc:
        click.echo(f"Error setting integration icon: {exc}", err=True)


@command("integrations:import")
@click.option("-p", "--path", "path", type=_FILE, required=True, help="YAML definition file.")
@click.option("-i", "--integrationId", "integration_id", help="Overwrite this integration's draft.")
@click.option("-r", "--replace", is_flag=True, help="Replace the draft entirely (needs -i).")
@click.option("--confirm/--no-confirm", default=True, help="Ask before replacing.")
@click.option("--icon-path", type=_FILE, help="PNG icon to set after importing.")
def import_(
    path: Path, integration_id: str | None, replace: bool, confirm: bool, icon_path: Path | None
) -> None:
    """Import a YAML definition as a new integration (or into -i) and print its ID."""
    if replace and not integration_id:
        raise CLIError("--replace needs --integrationId (-i)")
    definition = read_text(path)
    client = open_client()
    if replace and integration_id:
        _warn_dropped_variables(client, integration_id, definition)
        if confirm:
            click.confirm(f"Replace the draft of {integration_id}?", abort=True)
    variables: dict[str, object] = {"definition": definition, "replace": replace}
    if integration_id:
        variables["integrationId"] = integration_id
    payload = client.graphql(IMPORT, variables).get("importIntegration") or {}
    integration = payload.get("integration")
    if not isinstance(integration, dict) or not integration.get("id"):
        raise CLIError("Failed to import integration")
    new_id = str(integration["id"])
    if icon_path is not None:
        _set_icon(client, new_id, icon_path)
    click.echo(new_id)


@command("integrations:validate-yaml")
@click.argument("source", metavar="PATH|-")
def validate_yaml(source: str) -> None:
    """Check a YAML definition against the server without importing it."""
    definition = sys.stdin.read() if source == "-" else read_text(Path(source))
    if not definition.strip():
        raise CLIError(f"{'Standard input' if source == '-' else source} is empty")
    try:
        data = open_client().graphql(VALIDATE, {"definition": definition})
    except GraphQLError as exc:
        raise CLIError(f"Validation failed: {exc.message}") from exc
    result = (data.get("validateIntegrationSchema") or {}).get("result") or {}
    if not result.get("isValid"):
        raise CLIError("Validation failed: Validation failed")
    click.echo("✓ Integration YAML is valid")


@command("integrations:diff")
@click.argument("base_id")
@click.argument("head_id")
def diff(base_id: str, head_id: str) -> None:
    """Show a unified diff between two integrations' YAML (drafts or versions)."""
    text = open_client().graphql(DIFF, {"base": base_id, "head": head_id})["integrationDiff"][
        "diff"
    ]
    if text:
        click.echo(text, nl=not text.endswith("\n"))


COMMANDS: list[click.Command] = [export, import_, validate_yaml, diff]
