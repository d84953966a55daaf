"""``integrations:*`` commands that manage integrations and versions (contract §3.2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from splice.cli.errors import CLIError
from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS", "parse_labels"]

_ERRORS = "errors { field messages }"

CREATE = f"""mutation createIntegration($name: String!, $description: String!, $customer: ID) {{
  createIntegration(input: {{name: $name, description: $description, customer: $customer}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

LIST = """query listIntegrations($showAllVersions: Boolean, $after: String, $customer: ID, \
$customerIsnull: Boolean, $search: String) {
  integrations(allVersions: $showAllVersions, after: $after, customer: $customer, \
customer_Isnull: $customerIsnull, name_Icontains: $search) {
    nodes { id name description versionNumber labels category customer { id name externalId } }
    pageInfo { hasNextPage endCursor }
  }
}"""

UPDATE = f"""mutation updateIntegration($id: ID!, $name: String, $description: String, $customer: ID, \
$testConfigVars: [InputInstanceConfigVariable]) {{
  updateIntegration(input: {{id: $id, name: $name, description: $description, customer: $customer, \
testConfigVariables: $testConfigVars}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

UPDATE_EXTENDED = f"""mutation updateIntegration($id: ID!, $name: String, $description: String, \
$customer: ID, $testConfigVars: [InputInstanceConfigVariable], $category: String, \
$labels: [String], $documentation: String) {{
  updateIntegration(input: {{id: $id, name: $name, description: $description, customer: $customer, \
testConfigVariables: $testConfigVars, category: $category, labels: $labels, \
documentation: $documentation}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

PUBLISH = f"""mutation publishIntegration($id: ID!, $comment: String, $attributes: String) {{
  publishIntegration(input: {{id: $id, comment: $comment, attributes: $attributes}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

FORK = f"""mutation forkIntegration($parentID: ID!, $name: String!, $description: String!) {{
  forkIntegration(input: {{parent: $parentID, name: $name, description: $description}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""

DELETE = f"""mutation deleteIntegration($id: ID!) {{
  deleteIntegration(input: {{id: $id}}) {{
    integration {{ id }}
    {_ERRORS}
  }}
}}"""


def _customer(field: str) -> Any:
    return lambda row: (row.get("customer") or {}).get(field)


LIST_COLUMNS = [
    Column("id", extended=True),
    Column("name"),
    Column("description"),
    Column("versionNumber", "Version"),
    Column("labels", extended=True),
    Column("category", extended=True),
    Column("customerId", extended=True, get=_customer("id")),
    Column("customerName", extended=True, get=_customer("name")),
    Column("customerExternalId", extended=True, get=_customer("externalId")),
]


def parse_labels(text: str) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``."""
    return [label.strip() for label in text.split(",") if label.strip()]


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@command("integrations:create")
@click.option("-n", "--name", required=True, help="Name of the new integration.")
@click.option("-d", "--description", required=True, help="Description of the new integration.")
@click.option("-c", "--customer", metavar="CUSTOMER_ID", help="Customer that owns it (embedded).")
def create(name: str, description: str, customer: str | None) -> None:
    """Create an integration and print its ID."""
    variables = _given(name=name, description=description, customer=customer)
    click.echo(open_client().mutation_id(CREATE, variables, "createIntegration", "integration"))


@command("integrations:list")
@click.option("-a", "--showAllVersions", "all_versions", is_flag=True, help="Every version.")
@click.option(
    "-c", "--customer", metavar="CUSTOMER_ID", help="Integrations available to a customer."
)
@click.option("-o", "--org-only", is_flag=True, help="Only integrations the organization owns.")
@click.option("-s", "--search", help="Case-insensitive substring of the name.")
@table_options
def list_(
    all_versions: bool,
    customer: str | None,
    org_only: bool,
    search: str | None,
    table: TableOptions,
) -> None:
    """List integrations (the latest version of each, unless -a)."""
    variables = _given(
        showAllVersions=True if all_versions else None,
        customer=customer,
        customerIsnull=True if org_only else None,
        search=search,
    )
    rows = open_client().paginate(LIST, variables, lambda data: data["integrations"])
    print_table(rows, LIST_COLUMNS, table)


@command("integrations:update")
@click.argument("integration_id")
@click.option("-n", "--name", help="New name.")
@click.option("-d", "--description", help="New description.")
@click.option("-c", "--customer", metavar="CUSTOMER_ID", help="New owning customer.")
@click.option("--test-config-vars", metavar="JSON", help="Test config variables as a JSON list.")
@click.option("--category", help="Category (Splice extra).")
@click.option("--labels", metavar="A,B", help="Comma-separated labels, replacing the old ones.")
@click.option(
    "--documentation",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Markdown file with internal documentation.",
)
def update(
    integration_id: str,
    name: str | None,
    description: str | None,
    customer: str | None,
    test_config_vars: str | None,
    category: str | None,
    labels: str | None,
    documentation: Path | None,
) -> None:
    """Update an integration's fields and print its ID."""
    variables = _given(id=integration_id, name=name, description=description, customer=customer)
    if test_config_vars is not None:
        try:
            parsed = json.loads(test_config_vars)
        except ValueError as exc:
            raise CLIError(f"--test-config-vars is not valid JSON: {exc}") from exc
        if not isinstance(parsed, list):
            raise CLIError('--test-config-vars must be a JSON list, e.g. [{"key":"K","value":"v"}]')
        variables["testConfigVars"] = parsed
    extras = _given(
        category=category,
        labels=parse_labels(labels) if labels is not None else None,
        documentation=documentation.read_text(encoding="utf-8") if documentation else None,
    )
    query = UPDATE_EXTENDED if extras else UPDATE
    client = open_client()
    click.echo(client.mutation_id(query, variables | extras, "updateIntegration", "integration"))


@command("integrations:publish")
@click.argument("integration_id")
@click.option("-c", "--comment", help="What changed in this version.")
@click.option("--commitHash", "commit_hash", help="Commit hash of the source.")
@click.option("--commitUrl", "commit_url", help="URL of the commit.")
@click.option("--repoUrl", "repo_url", help="URL of the repository.")
@click.option("--pullRequestUrl", "pull_request_url", help="URL of the pull request.")
def publish(
    integration_id: str,
    comment: str | None,
    commit_hash: str | None,
    commit_url: str | None,
    repo_url: str | None,
    pull_request_url: str | None,
) -> None:
    """Publish the draft as a new version and print the version's ID."""
    attributes = _given(
        commitHash=commit_hash,
        commitUrl=commit_url,
        repoUrl=repo_url,
        pullRequestUrl=pull_request_url,
    )
    variables = _given(id=integration_id, comment=comment)
    if attributes:
        variables["attributes"] = json.dumps(attributes, separators=(",", ":"))
    click.echo(open_client().mutation_id(PUBLISH, variables, "publishIntegration", "integration"))


@command("integrations:fork")
@click.argument("integration_id")
@click.option("-n", "--name", required=True, help="Name of the fork.")
@click.option("-d", "--description", required=True, help="Description of the fork.")
def fork(integration_id: str, name: str, description: str) -> None:
    """Copy an integration into a new one and print the new ID."""
    variables = {"parentID": integration_id, "name": name, "description": description}
    click.echo(open_client().mutation_id(FORK, variables, "forkIntegration", "integration"))


@command("integrations:delete")
@click.argument("integration_id")
def delete(integration_id: str) -> None:
    """Delete an integration and all of its instances."""
    open_client().graphql(DELETE, {"id": integration_id})


COMMANDS: list[click.Command] = [create, list_, update, publish, fork, delete]
