"""``integrations:versions|available|marketplace|flows:list``: published versions and flows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import click

from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client
from splice.clock import to_iso

__all__ = ["COMMANDS"]

_ERRORS = "errors { field messages }"

VERSIONS = """query listIntegrationVersions($integrationId: ID!, $onlyAvailable: Boolean, \
$onlyShowOne: Int) {
  integration(id: $integrationId) {
    versionSequence(versionIsAvailable: $onlyAvailable, \
sortBy: [{field: VERSION_NUMBER, direction: DESC}], first: $onlyShowOne) {
      nodes { id versionNumber versionCreatedAt versionCreatedBy { email } versionComment \
versionIsAvailable }
    }
  }
}"""

AVAILABLE = f"""mutation markAvailability($id: ID!, $available: Boolean!) {{
  updateIntegrationVersionAvailability(input: {{id: $id, available: $available}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

MARKETPLACE = f"""mutation updateMarketplaceConfiguration($id: ID, $marketplaceConfiguration: String!, \
$overview: String!, $multipleInstances: Boolean) {{
  updateIntegrationMarketplaceConfiguration(input: {{id: $id, \
marketplaceConfiguration: $marketplaceConfiguration, overview: $overview, \
allowMultipleMarketplaceInstances: $multipleInstances}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

FLOWS = """query GetIntegrationFlows($id: ID!, $after: String) {
  integration(id: $id) {
    flows(after: $after) {
      nodes { id stableKey name description testUrl \
trigger { action { component { key } isPollingTrigger scheduleSupport } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


def _created_at(row: Mapping[str, Any]) -> str:
    raw = row.get("versionCreatedAt")
    try:
        return to_iso(datetime.fromisoformat(str(raw)))
    except ValueError:
        return "" if raw is None else str(raw)


VERSION_COLUMNS = [
    Column("versionNumber", "Version"),
    Column("id", "ID", extended=True),
    Column("versionCreatedAt", "Created At", get=_created_at),
    Column(
        "versionCreatedBy",
        "Created By",
        get=lambda r: (r.get("versionCreatedBy") or {}).get("email"),
    ),
    Column("versionComment", "Comment"),
    Column("available", "Available", get=lambda r: r.get("versionIsAvailable")),
]

FLOW_COLUMNS = [
    Column("id", extended=True),
    Column("name"),
    Column("description"),
    Column("testUrl", "Test URL", extended=True),
]


def _require(available: bool | None) -> None:
    if available is None:
        raise click.UsageError("Missing option '--available' / '--no-available'.")


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@command("integrations:versions")
@click.argument("integration_id")
@click.option("-l", "--latest-available", is_flag=True, help="Only the latest available version.")
@table_options
def versions(integration_id: str, latest_available: bool, table: TableOptions) -> None:
    """List the published versions of an integration, newest first."""
    variables = {
        "integrationId": integration_id,
        "onlyAvailable": True if latest_available else None,
        "onlyShowOne": 1 if latest_available else None,
    }
    data = open_client().graphql(VERSIONS, variables)
    print_table(data["integration"]["versionSequence"]["nodes"], VERSION_COLUMNS, table)


@command("integrations:available")
@click.argument("version_id")
@click.option("--available/--no-available", default=None, help="Deployable or not (required).")
def available(version_id: str, available: bool | None) -> None:
    """Mark a published version available (or not) for new instances."""
    _require(available)
    variables = {"id": version_id, "available": available}
    field = "updateIntegrationVersionAvailability"
    click.echo(open_client().mutation_id(AVAILABLE, variables, field, "integration"))


@command("integrations:marketplace")
@click.argument("version_id")
@click.option("--available/--no-available", default=None, help="In the marketplace (required).")
@click.option("--deployable/--no-deployable", default=True, help="Customers may deploy it.")
@click.option(
    "-m",
    "--allow-multiple-instances/--no-allow-multiple-instances",
    "multiple",
    default=None,
    help="Customers may deploy it more than once.",
)
@click.option("-o", "--overview", default="", help="Marketplace overview text.")
def marketplace(
    version_id: str, available: bool | None, deployable: bool, multiple: bool | None, overview: str
) -> None:
    """Configure how a version appears in the marketplace."""
    _require(available)
    if not available:
        configuration = "NOT_AVAILABLE_IN_MARKETPLACE"
    elif deployable:
        configuration = "AVAILABLE_AND_DEPLOYABLE"
    else:
        configuration = "AVAILABLE_NOT_DEPLOYABLE"
    variables = _given(
        id=version_id,
        marketplaceConfiguration=configuration,
        overview=overview,
        multipleInstances=multiple,
    )
    field = "updateIntegrationMarketplaceConfiguration"
    click.echo(open_client().mutation_id(MARKETPLACE, variables, field, "integration"))


@command("integrations:flows:list")
@click.argument("integration_id")
@table_options
def flows_list(integration_id: str, table: TableOptions) -> None:
    """List the flows of an integration."""
    rows = open_client().paginate(
        FLOWS,
        {"id": integration_id},
        lambda data: (data.get("integration") or {}).get("flows"),
        first_after=None,
    )
    print_table(rows, FLOW_COLUMNS, table)


COMMANDS: list[click.Command] = [versions, available, marketplace, flows_list]
