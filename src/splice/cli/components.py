"""``components:*`` (contract §3.5): installed components and their actions and triggers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from splice.cli.errors import CLIError
from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS", "search_filter"]

LIST = """query listComponents($showAllVersions: Boolean, $after: String, $filterQuery: JSONString) {
  components(allVersions: $showAllVersions, after: $after, filterQuery: $filterQuery) {
    nodes { id key public label description versionNumber category versionCreatedAt \
customer { id externalId name } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _actions_query(name: str, selection: str) -> str:
    return f"""query {name}($componentKey: String, $after: String, $public: Boolean) {{
  components(key: $componentKey, public: $public) {{
    nodes {{
      id key
      actions({selection}, after: $after) {{
        nodes {{ id key label description inputs {{ key type required default }} }}
        pageInfo {{ hasNextPage endCursor }}
      }}
    }}
  }}
}}"""


ACTIONS = _actions_query("listComponentActions", "isTrigger: false, isDataSource: false")
TRIGGERS = _actions_query("listComponentTriggers", "isTrigger: true")


def _customer(field: str) -> Any:
    return lambda row: (row.get("customer") or {}).get(field)


COLUMNS = [
    Column("id", extended=True),
    Column("key", extended=True),
    Column("label"),
    Column("public"),
    Column("description"),
    Column("versionNumber", "Version"),
    Column("category"),
    Column("versionCreatedAt", "Last Published", extended=True),
    Column("customerId", extended=True, get=_customer("id")),
    Column("customerName", extended=True, get=_customer("name")),
    Column("customerExternalId", extended=True, get=_customer("externalId")),
]


def _inputs(row: Mapping[str, Any]) -> str:
    """An action's inputs on one line: ``key*`` when required, ``=default`` when it has one."""
    parts = []
    for item in row.get("inputs") or []:
        text = f"{item['key']}{'*' if item.get('required') else ''} ({item.get('type')})"
        if item.get("default") not in (None, ""):
            text += f"={item['default']}"
        parts.append(text)
    return ", ".join(parts)


ACTION_COLUMNS = [
    Column("id", extended=True),
    Column("key", extended=True),
    Column("label"),
    Column("description"),
    Column("inputs", extended=True, get=_inputs),
    Column("componentid", extended=True),
    Column("componentkey", extended=True),
]


def search_filter(text: str) -> str:
    """prism's ``filterQuery`` for ``-s``: key or label contains ``text``."""
    query = ["or", ["in", "key", text], ["in", "label", text]]
    return json.dumps(query, separators=(",", ":"), ensure_ascii=False)


@command("components:list")
@click.option("-a", "--showAllVersions", "all_versions", is_flag=True, help="Every version.")
@click.option("-s", "--search", help="Substring of the key or label.")
@table_options
def list_(all_versions: bool, search: str | None, table: TableOptions) -> None:
    """List components."""
    variables: dict[str, Any] = {}
    if all_versions:
        variables["showAllVersions"] = True
    if search is not None:
        variables["filterQuery"] = search_filter(search)
    rows = open_client().paginate(LIST, variables, lambda data: data["components"])
    print_table(rows, COLUMNS, table)


def _list_actions(query: str, key: str, public: bool | None, table: TableOptions) -> None:
    client = open_client()
    component: dict[str, Any] = {}

    def first(data: dict[str, Any]) -> dict[str, Any] | None:
        nodes = data["components"]["nodes"]
        if not nodes:
            raise CLIError(
                "The key you provided is not valid.",
                fix="run 'splice components:list -x' and identify a valid component key",
            )
        component.update(nodes[0])
        actions: dict[str, Any] = nodes[0]["actions"]
        return actions

    rows = client.paginate(query, {"componentKey": key, "public": public}, first)
    for row in rows:
        row.setdefault("componentid", component.get("id"))
        row.setdefault("componentkey", component.get("key"))
    print_table(rows, ACTION_COLUMNS, table)


def _visibility(func: Any) -> Any:
    func = click.option("--private", is_flag=True, help="Only private components.")(func)
    return click.option("--public", is_flag=True, help="Only public components.")(func)


def _public(public: bool, private: bool) -> bool | None:
    if public and private:
        raise CLIError("--public and --private cannot be used together")
    return True if public else False if private else None


@command("components:actions:list")
@click.argument("component_key")
@_visibility
@table_options
def actions_list(component_key: str, public: bool, private: bool, table: TableOptions) -> None:
    """List a component's actions."""
    _list_actions(ACTIONS, component_key, _public(public, private), table)


@command("components:triggers:list")
@click.argument("component_key")
@_visibility
@table_options
def triggers_list(component_key: str, public: bool, private: bool, table: TableOptions) -> None:
    """List a component's triggers."""
    _list_actions(TRIGGERS, component_key, _public(public, private), table)


COMMANDS: list[click.Command] = [list_, actions_list, triggers_list]
