"""Housekeeping commands of contract §6 scenario 25: components, logs, org users, raw GraphQL, delete."""

from __future__ import annotations

import json

from tests.e2e.harness import SpliceServer
from tests.e2e.prism import Prism, assert_id

INVALID_KEY = (
    "The key you provided is not valid. Please run 'prism components:list -x' "
    "and identify a valid component key."
)


def stripped_lines(stdout: str) -> list[str]:
    """Non-empty stdout lines without their table padding."""
    return [line.strip() for line in stdout.splitlines() if line.strip()]


def test_components_search_lists_http(prism: Prism, splice_server: SpliceServer) -> None:
    mark = splice_server.request_mark()
    result = prism.ok("components:list", "-s", "http", "--columns", "label", "--no-header")
    assert stripped_lines(result.stdout), str(result)
    request = splice_server.graphql_since(mark)[0]
    assert json.loads(request.variables["filterQuery"]) == [
        "or",
        ["in", "key", "http"],
        ["in", "label", "http"],
    ]


def test_component_actions_of_http(prism: Prism) -> None:
    result = prism.ok("components:actions:list", "http", "--columns", "key", "--no-header")
    keys = stripped_lines(result.stdout)
    assert keys, str(result)
    assert "httpGet" in keys


def test_triggers_of_an_unknown_component(prism: Prism) -> None:
    result = prism("components:triggers:list", "no-such-key")
    assert result.code == 1, str(result)
    assert result.stdout.strip() == INVALID_KEY


def test_log_severities(prism: Prism) -> None:
    rows = json.loads(prism.ok("logs:severities:list", "--output", "json").stdout)
    assert rows
    assert all(set(row) == {"name"} and row["name"] for row in rows)


def test_organization_users_include_the_caller(prism: Prism, splice_server: SpliceServer) -> None:
    result = prism.ok("organization:users:list", "--columns", "email", "--no-header")
    assert splice_server.owner_email in stripped_lines(result.stdout)


def test_graphql_query_as_a_table(prism: Prism) -> None:
    customer = assert_id(prism("customers:create", "-n", "TableCo"), "Customer")
    result = prism.ok(
        "graphql:query",
        "query { customers(isSystem:false) { nodes { id name } } }",
        "-o",
        "table",
        "-d",
        "customers.nodes",
        "-c",
        "id,name",
    )
    header, _rule, *rows = result.lines
    assert header.split() == ["ID", "NAME"], str(result)
    assert [customer, "TableCo"] in [row.split() for row in rows], str(result)


def test_graphql_query_error_exits_2(prism: Prism) -> None:
    result = prism("graphql:query", "query { noSuchField }")
    assert result.code == 2, str(result)
    assert "GraphQL query failed:" in result.message


def test_integrations_delete(prism: Prism) -> None:
    doomed = assert_id(prism("integrations:create", "-n", "Doomed", "-d", "x"), "Integration")
    listed = prism.ok("integrations:list", "--columns", "id", "--no-header")
    assert doomed in stripped_lines(listed.stdout)

    deleted = prism("integrations:delete", doomed)
    assert deleted.code == 0, str(deleted)
    assert deleted.stdout == ""
    listed = prism.ok("integrations:list", "--columns", "id", "--no-header")
    assert doomed not in stripped_lines(listed.stdout)
