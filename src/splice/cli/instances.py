"""``instances:*`` (contract §3.3): deployed integrations, their config variables and flows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from splice.cli.errors import CLIError
from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS"]

_ERRORS = "errors { field messages }"


def _mutation(header: str, call: str) -> str:
    return f"mutation {header} {{\n  {call} {{\n    instance {{ id }}\n    {_ERRORS}\n  }}\n}}"


CREATE = _mutation(
    "createInstance($name: String!, $description: String, $integration: ID!, $customer: ID!, "
    "$configVariables: [InputInstanceConfigVariable], $labels: [String])",
    "createInstance(input: {name: $name, description: $description, integration: $integration, "
    "customer: $customer, configVariables: $configVariables, labels: $labels})",
)
DEPLOY = _mutation(
    "deployInstance($id: ID!, $force: Boolean)", "deployInstance(input: {id: $id, force: $force})"
)
DEPLOY_AFTER_UPDATE = _mutation("deployInstance($id: ID!)", "deployInstance(input: {id: $id})")
ENABLE = _mutation("enableInstance($id: ID!)", "updateInstance(input: {id: $id, enabled: true})")
DISABLE = _mutation("disableInstance($id: ID!)", "updateInstance(input: {id: $id, enabled: false})")
DELETE = _mutation("deleteInstance($id: ID!)", "deleteInstance(input: {id: $id})")
UPDATE = _mutation(
    "updateInstance($id: ID!, $name: String, $description: String, $version: ID, $labels: [String])",
    "updateInstance(input: {id: $id, name: $name, description: $description, "
    "integration: $version, labels: $labels})",
)

LIST = """query listInstances($customer: ID, $integration: ID, $after: String) {
  instances(customer: $customer, integration: $integration, isSystem: false, after: $after) {
    nodes { id name description enabled customer { id name externalId } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CONFIG_VARS = """query listInstanceConfigVariables($id: ID!) {
  instance(id: $id) {
    configVariables {
      nodes { id value status inputs { nodes { name value } } \
requiredConfigVariable { id key defaultValue dataType } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

FLOW_CONFIGS = """query listInstanceFlowConfigs($id: ID!, $after: String) {
  instance(id: $id) {
    flowConfigs(after: $after) {
      nodes { id flow { name } webhookUrl apiKeys }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


def _customer(field: str) -> Any:
    return lambda row: (row.get("customer") or {}).get(field)


def _required(field: str) -> Any:
    return lambda row: (row.get("requiredConfigVariable") or {}).get(field)


def _is_connection(row: Mapping[str, Any]) -> bool:
    return (row.get("requiredConfigVariable") or {}).get("dataType") == "CONNECTION"


LIST_COLUMNS = [
    Column("id", extended=True),
    Column("name"),
    Column("customer", get=_customer("name")),
    Column("customerid", extended=True, get=_customer("id")),
    Column("customerExternalId", extended=True, get=_customer("externalId")),
    Column("description"),
    Column("enabled", extended=True),
]
CONFIG_VAR_COLUMNS = [
    Column("id", extended=True),
    Column("key", get=_required("key")),
    Column("value", get=lambda r: r.get("inputs") if _is_connection(r) else r.get("value")),
    Column("defaultValue", get=lambda r: "" if _is_connection(r) else _required("defaultValue")(r)),
    Column("requiredVariableId", extended=True, get=_required("id")),
]
FLOW_CONFIG_COLUMNS = [
    Column("id", extended=True),
    Column("name", get=lambda row: (row.get("flow") or {}).get("name")),
    Column("webhookUrl", extended=True),
    Column("apiKeys", extended=True, get=lambda row: ",".join(row.get("apiKeys") or [])),
]


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _config_variables(text: str | None) -> list[Any] | None:
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise CLIError(f"--config-vars is not valid JSON: {exc}") from exc
    if not isinstance(parsed, list):
        raise CLIError('--config-vars must be a JSON list, e.g. [{"key":"K","value":"v"}]')
    return parsed


@command("instances:create")
@click.option("-n", "--name", required=True, help="Name of the instance.")
@click.option("-i", "--integration", required=True, help="Integration or version ID.")
@click.option("-c", "--customer", required=True, help="Customer ID.")
@click.option("-d", "--description", help="Description.")
@click.option("-v", "--config-vars", metavar="JSON", help="Config variables as a JSON list.")
@click.option("-l", "--label", "labels", multiple=True, help="A label (repeatable).")
def create(
    name: str,
    integration: str,
    customer: str,
    description: str | None,
    config_vars: str | None,
    labels: tuple[str, ...],
) -> None:
    """Create an instance of an integration for a customer and print its ID."""
    variables = _given(
        name=name,
        description=description,
        integration=integration,
        customer=customer,
        configVariables=_config_variables(config_vars),
        labels=list(labels) or None,
    )
    click.echo(open_client().mutation_id(CREATE, variables, "createInstance", "instance"))


@command("instances:list")
@click.option("-c", "--customer", help="Only this customer's instances.")
@click.option("-i", "--integration", help="Only instances of this integration.")
@table_options
def list_(customer: str | None, integration: str | None, table: TableOptions) -> None:
    """List instances (test instances of integrations excluded)."""
    variables = _given(customer=customer, integration=integration)
    rows = open_client().paginate(LIST, variables, lambda data: data["instances"])
    print_table(rows, LIST_COLUMNS, table)


@command("instances:deploy")
@click.argument("instance_id")
@click.option("-f", "--force", is_flag=True, help="Deploy even if nothing changed.")
def deploy(instance_id: str, force: bool) -> None:
    """Deploy an instance and print its ID."""
    variables = _given(id=instance_id, force=True if force else None)
    click.echo(open_client().mutation_id(DEPLOY, variables, "deployInstance", "instance"))


@command("instances:enable")
@click.argument("instance_id")
def enable(instance_id: str) -> None:
    """Enable an instance and print its ID."""
    click.echo(open_client().mutation_id(ENABLE, {"id": instance_id}, "updateInstance", "instance"))


@command("instances:disable")
@click.argument("instance_id")
def disable(instance_id: str) -> None:
    """Disable an instance and print its ID."""
    click.echo(
        open_client().mutation_id(DISABLE, {"id": instance_id}, "updateInstance", "instance")
    )


@command("instances:delete")
@click.argument("instance_id")
def delete(instance_id: str) -> None:
    """Delete an instance."""
    open_client().graphql(DELETE, {"id": instance_id})


@command("instances:update")
@click.argument("instance_id")
@click.option("-n", "--name", help="New name.")
@click.option("-d", "--description", help="New description.")
@click.option(
    "-v", "--version", "version", metavar="VERSION_ID", help="Integration version to use."
)
@click.option("-l", "--label", "labels", multiple=True, help="Labels replacing the old ones.")
@click.option("--deploy", "then_deploy", is_flag=True, help="Deploy after updating.")
def update(
    instance_id: str,
    name: str | None,
    description: str | None,
    version: str | None,
    labels: tuple[str, ...],
    then_deploy: bool,
) -> None:
    """Update an instance (and optionally deploy it); print its ID."""
    client = open_client()
    variables = _given(
        id=instance_id,
        name=name,
        description=description,
        version=version,
        labels=list(labels) or None,
    )
    updated = client.mutation_id(UPDATE, variables, "updateInstance", "instance")
    if then_deploy:
        updated = client.mutation_id(
            DEPLOY_AFTER_UPDATE, {"id": instance_id}, "deployInstance", "instance"
        )
    click.echo(updated)


@command("instances:config-vars:list")
@click.argument("instance_id")
@table_options
def config_vars_list(instance_id: str, table: TableOptions) -> None:
    """List an instance's config variables."""
    rows = open_client().paginate(
        CONFIG_VARS, {"id": instance_id}, lambda data: data["instance"]["configVariables"]
    )
    print_table(rows, CONFIG_VAR_COLUMNS, table)


@command("instances:flow-configs:list")
@click.argument("instance_id")
@table_options
def flow_configs_list(instance_id: str, table: TableOptions) -> None:
    """List an instance's flow configurations (webhook URLs)."""
    rows = open_client().paginate(
        FLOW_CONFIGS, {"id": instance_id}, lambda data: data["instance"]["flowConfigs"]
    )
    print_table(rows, FLOW_CONFIG_COLUMNS, table)


COMMANDS: list[click.Command] = [
    create,
    list_,
    deploy,
    enable,
    disable,
    delete,
    update,
    config_vars_list,
    flow_configs_list,
]
