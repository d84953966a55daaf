"""``organization:users:list`` and ``logs:severities:list`` (contract §3.6)."""

from __future__ import annotations

import click

from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS"]

USERS = """query listUsers($after: String) {
  organization {
    users(after: $after) {
      nodes { id name email externalId phone role { name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

SEVERITIES = "query listLogSeverityLevels { logSeverityLevels { id name } }"

USER_COLUMNS = [
    Column("id", extended=True),
    Column("name"),
    Column("email"),
    Column("phone"),
    Column("role", get=lambda row: (row.get("role") or {}).get("name")),
    Column("externalId"),
]
SEVERITY_COLUMNS = [Column("id", extended=True), Column("name")]


@command("organization:users:list")
@table_options
def users_list(table: TableOptions) -> None:
    """List the organization's users."""
    rows = open_client().paginate(USERS, {}, lambda data: data["organization"]["users"])
    print_table(rows, USER_COLUMNS, table)


@command("logs:severities:list")
@table_options
def severities_list(table: TableOptions) -> None:
    """List the log severity levels."""
    rows = open_client().graphql(SEVERITIES)["logSeverityLevels"]
    print_table(rows, SEVERITY_COLUMNS, table)


COMMANDS: list[click.Command] = [users_list, severities_list]
