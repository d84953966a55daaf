"""``customers:*`` (contract §3.4): the organization's customers and their users."""

from __future__ import annotations

from typing import Any

import click

from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS"]

_ERRORS = "errors { field messages }"

CREATE = f"""mutation createCustomer($name: String!, $description: String, $externalId: String, \
$labels: [String]) {{
  createCustomer(input: {{name: $name, description: $description, externalId: $externalId, \
labels: $labels}}) {{
    customer {{ id }}
    {_ERRORS}
  }}
}}"""

LIST = """query listCustomers($after: String) {
  customers(isSystem: false, after: $after) {
    nodes { id name externalId description }
    pageInfo { hasNextPage endCursor }
  }
}"""

UPDATE = f"""mutation updateCustomer($id: ID!, $name: String, $description: String, \
$externalId: String, $labels: [String]) {{
  updateCustomer(input: {{id: $id, name: $name, description: $description, \
externalId: $externalId, labels: $labels}}) {{
    customer {{ id }}
    {_ERRORS}
  }}
}}"""

DELETE = f"""mutation deleteCustomer($id: ID!) {{
  deleteCustomer(input: {{id: $id}}) {{
    customer {{ id }}
    {_ERRORS}
  }}
}}"""

USERS = """query listCustomerUsers($id: ID!, $after: String) {
  customer(id: $id) {
    users(after: $after) {
      nodes { id name email externalId role { name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

COLUMNS = [
    Column("id", extended=True),
    Column("externalId", extended=True),
    Column("name"),
    Column("description"),
]

USER_COLUMNS = [
    Column("id", extended=True),
    Column("name"),
    Column("email"),
    Column("role", get=lambda row: (row.get("role") or {}).get("name")),
    Column("externalId", extended=True),
]


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None and value != ()}


@command("customers:create")
@click.option("-n", "--name", required=True, help="Name of the customer.")
@click.option("-d", "--description", help="Description.")
@click.option("-e", "--external-id", help="Your own ID for this customer.")
@click.option("-l", "--label", "labels", multiple=True, help="A label (repeatable).")
def create(
    name: str, description: str | None, external_id: str | None, labels: tuple[str, ...]
) -> None:
    """Create a customer and print its ID."""
    variables = _given(
        name=name, description=description, externalId=external_id, labels=list(labels) or None
    )
    click.echo(open_client().mutation_id(CREATE, variables, "createCustomer", "customer"))


@command("customers:list")
@table_options
def list_(table: TableOptions) -> None:
    """List customers."""
    rows = open_client().paginate(LIST, {}, lambda data: data["customers"])
    print_table(rows, COLUMNS, table)


@command("customers:update")
@click.argument("customer_id")
@click.option("-n", "--name", help="New name.")
@click.option("-d", "--description", help="New description.")
@click.option("-e", "--external-id", help="New external ID.")
@click.option("-l", "--label", "labels", multiple=True, help="Labels replacing the old ones.")
def update(
    customer_id: str,
    name: str | None,
    description: str | None,
    external_id: str | None,
    labels: tuple[str, ...],
) -> None:
    """Update a customer and print its ID."""
    variables = _given(
        id=customer_id,
        name=name,
        description=description,
        externalId=external_id,
        labels=list(labels) or None,
    )
    click.echo(open_client().mutation_id(UPDATE, variables, "updateCustomer", "customer"))


@command("customers:delete")
@click.argument("customer_id")
def delete(customer_id: str) -> None:
    """Delete a customer."""
    open_client().graphql(DELETE, {"id": customer_id})


@command("customers:users:list")
@click.argument("customer_id")
@table_options
def users_list(customer_id: str, table: TableOptions) -> None:
    """List a customer's users."""
    rows = open_client().paginate(
        USERS, {"id": customer_id}, lambda data: (data.get("customer") or {}).get("users")
    )
    print_table(rows, USER_COLUMNS, table)


COMMANDS: list[click.Command] = [create, list_, update, delete, users_list]
