"""``integrations:*`` send the contract's documents and variables and print what prism prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from splice.cli import integration_versions, integrations
from tests.unit.cli.fakes import FakeServer, Invoker


def payload(
    field: str, ident: str = "SW50ZWdyYXRpb246MQ==", obj: str = "integration"
) -> dict[str, Any]:
    return {field: {obj: {"id": ident}, "errors": []}}


def page(nodes: list[dict[str, Any]], cursor: str | None = None) -> dict[str, Any]:
    info = {"hasNextPage": cursor is not None, "endCursor": cursor}
    return {"integrations": {"nodes": nodes, "pageInfo": info}}


INT_A = {
    "id": "I1",
    "name": "Int A",
    "description": "desc",
    "versionNumber": 0,
    "labels": ["x", "y"],
    "category": None,
    "customer": None,
}
INT_B = {
    **INT_A,
    "id": "I2",
    "name": "Other",
    "customer": {"id": "C1", "name": "Acme", "externalId": "e"},
}


def test_create_prints_only_the_id(run: Invoker, server: FakeServer) -> None:
    server.answer(payload("createIntegration", "NEWID"))
    result = run(
        ["integrations:create", "--name", "Send a .rocket render", "--description", "Fetch"]
    )
    assert (result.exit_code, result.stdout) == (0, "NEWID\n")
    body = server.graphql[0]
    assert body["query"] == integrations.CREATE
    assert body["variables"] == {"name": "Send a .rocket render", "description": "Fetch"}
    assert (
        "mutation createIntegration($name: String!, $description: String!, $customer: ID)"
        in body["query"]
    )


def test_create_with_customer(run: Invoker, server: FakeServer) -> None:
    server.answer(payload("createIntegration"))
    run(["integrations:create", "-n", "N", "-d", "D", "-c", "CUST"])
    assert server.variables == [{"name": "N", "description": "D", "customer": "CUST"}]


def test_list_sends_only_given_flags_and_empty_after(run: Invoker, server: FakeServer) -> None:
    server.answer(page([INT_A]))
    result = run(["integrations:list", "-o", "-s", "int a", "--columns", "id", "--no-header"])
    assert (result.exit_code, result.stdout) == (0, " I1 \n")
    assert server.variables == [{"customerIsnull": True, "search": "int a", "after": ""}]
    assert server.graphql[0]["query"] == integrations.LIST


def test_list_all_flags_and_pages(run: Invoker, server: FakeServer) -> None:
    server.answer(page([INT_A], "cur1"))
    server.answer(page([INT_B]))
    result = run(["integrations:list", "-a", "-c", "C1", "-x", "--output", "json"])
    assert server.variables == [
        {"showAllVersions": True, "customer": "C1", "after": ""},
        {"showAllVersions": True, "customer": "C1", "after": "cur1"},
    ]
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "id": "I1",
        "name": "Int A",
        "description": "desc",
        "versionNumber": "0",
        "labels": '["x","y"]',
        "category": "",
        "customerId": "",
        "customerName": "",
        "customerExternalId": "",
    }
    assert (rows[1]["customerName"], rows[1]["customerExternalId"]) == ("Acme", "e")


def test_list_default_text_and_seed_filter(run: Invoker, server: FakeServer) -> None:
    server.answer(page([INT_A, INT_B]))
    result = run(["integrations:list"])
    assert result.stdout.splitlines()[0] == " Name  Description Version "
    server.answer(page([INT_A, INT_B]))
    filtered = run(
        ["integrations:list", "--filter", "Name=^Other$", "--columns", "id", "--no-header"]
    )
    assert filtered.stdout == " I2 \n"


def test_update_sends_only_given_fields(run: Invoker, server: FakeServer) -> None:
    server.answer(payload("updateIntegration", "I1"))
    result = run(["integrations:update", "I1", "-n", "Int A2", "-d", "d2"])
    assert (result.exit_code, result.stdout) == (0, "I1\n")
    assert server.graphql[0] == {
        "query": integrations.UPDATE,
        "variables": {"id": "I1", "name": "Int A2", "description": "d2"},
    }


def test_update_test_config_vars_and_splice_extras(
    run: Invoker, server: FakeServer, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# Notes\n", encoding="utf-8")
    server.answer(payload("updateIntegration", "I1"))
    args = ["integrations:update", "I1", "--test-config-vars", '[{"key":"K","value":"v"}]']
    run([*args, "--category", "ERP", "--labels", "a, b,,c", "--documentation", str(doc)])
    body = server.graphql[0]
    assert body["query"] == integrations.UPDATE_EXTENDED
    assert body["variables"] == {
        "id": "I1",
        "testConfigVars": [{"key": "K", "value": "v"}],
        "category": "ERP",
        "labels": ["a", "b", "c"],
        "documentation": "# Notes\n",
    }


@pytest.mark.parametrize(("value", "message"), [("{", "not valid JSON"), ('{"a":1}', "JSON list")])
def test_update_rejects_bad_test_config_vars(
    run: Invoker, server: FakeServer, value: str, message: str
) -> None:
    result = run(["integrations:update", "I1", "--test-config-vars", value])
    assert result.exit_code == 2 and message in result.stderr and server.requests == []


def test_publish_attributes_are_a_json_string(run: Invoker, server: FakeServer) -> None:
    server.answer(payload("publishIntegration", "V1"))
    result = run(
        ["integrations:publish", "I1", "-c", "v1", "--commitHash", "abc", "--repoUrl", "r"]
    )
    assert result.stdout == "V1\n"
    variables = server.variables[0]
    assert variables == {
        "id": "I1",
        "comment": "v1",
        "attributes": '{"commitHash":"abc","repoUrl":"r"}',
    }
    server.answer(payload("publishIntegration", "V2"))
    run(["integrations:publish", "I1"])
    assert server.variables[1] == {"id": "I1"}


def test_fork_uses_parent_id_variable(run: Invoker, server: FakeServer) -> None:
    server.answer(payload("forkIntegration", "F1"))
    result = run(["integrations:fork", "I1", "--name", "Customer Import", "--description", "XML"])
    assert result.stdout == "F1\n"
    assert server.variables == [{"parentID": "I1", "name": "Customer Import", "description": "XML"}]
    assert "forkIntegration(input: {parent: $parentID" in server.graphql[0]["query"]


def test_delete_prints_nothing(run: Invoker, server: FakeServer) -> None:
    server.answer(payload("deleteIntegration", "I1"))
    result = run(["integrations:delete", "I1"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert server.variables == [{"id": "I1"}]


VERSIONS = {
    "integration": {
        "versionSequence": {
            "nodes": [
                {
                    "id": "V1",
                    "versionNumber": 1,
                    "versionCreatedAt": "2026-11-22T10:00:00+00:00",
                    "versionCreatedBy": {"email": "o@example.com"},
                    "versionComment": "v1",
                    "versionIsAvailable": True,
                },
                {
                    "id": "V0",
                    "versionNumber": 0,
                    "versionCreatedAt": None,
                    "versionCreatedBy": None,
                    "versionComment": None,
                    "versionIsAvailable": False,
                },
            ]
        }
    }
}


def test_versions_sends_explicit_nulls_and_formats_dates(run: Invoker, server: FakeServer) -> None:
    server.answer(VERSIONS)
    result = run(["integrations:versions", "I1", "--output", "json"])
    assert server.variables == [{"integrationId": "I1", "onlyAvailable": None, "onlyShowOne": None}]
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "versionNumber": "1",
        "versionCreatedAt": "2026-11-22T10:00:00.000Z",
        "versionCreatedBy": "o@example.com",
        "versionComment": "v1",
        "available": "true",
    }
    assert rows[1]["available"] == "false" and rows[1]["versionCreatedBy"] == ""
    assert "sortBy: [{field: VERSION_NUMBER, direction: DESC}]" in server.graphql[0]["query"]
    assert server.graphql[0]["query"] == integration_versions.VERSIONS


def test_versions_latest_available(run: Invoker, server: FakeServer) -> None:
    server.answer(VERSIONS)
    result = run(["integrations:versions", "I1", "-l", "--columns", "id", "--no-header"])
    assert server.variables == [{"integrationId": "I1", "onlyAvailable": True, "onlyShowOne": 1}]
    assert result.stdout.splitlines()[0] == " V1 "


@pytest.mark.parametrize(("flag", "value"), [("--available", True), ("--no-available", False)])
def test_available(run: Invoker, server: FakeServer, flag: str, value: bool) -> None:
    server.answer(payload("updateIntegrationVersionAvailability", "V1"))
    assert run(["integrations:available", "V1", flag]).stdout == "V1\n"
    assert server.variables == [{"id": "V1", "available": value}]


@pytest.mark.parametrize("name", ["integrations:available", "integrations:marketplace"])
def test_available_flag_is_required(run: Invoker, server: FakeServer, name: str) -> None:
    result = run([name, "V1"])
    assert result.exit_code == 2 and server.requests == []
    assert "Missing option '--available' / '--no-available'." in result.stderr


@pytest.mark.parametrize(
    ("flags", "variables"),
    [
        (["--available"], {"marketplaceConfiguration": "AVAILABLE_AND_DEPLOYABLE", "overview": ""}),
        (
            ["--available", "--no-deployable", "-o", "Overview", "-m"],
            {
                "marketplaceConfiguration": "AVAILABLE_NOT_DEPLOYABLE",
                "overview": "Overview",
                "multipleInstances": True,
            },
        ),
        (
            ["--no-available", "--no-allow-multiple-instances"],
            {
                "marketplaceConfiguration": "NOT_AVAILABLE_IN_MARKETPLACE",
                "overview": "",
                "multipleInstances": False,
            },
        ),
    ],
)
def test_marketplace(
    run: Invoker, server: FakeServer, flags: list[str], variables: dict[str, Any]
) -> None:
    server.answer(payload("updateIntegrationMarketplaceConfiguration", "V1"))
    assert run(["integrations:marketplace", "V1", *flags]).stdout == "V1\n"
    assert server.variables == [{"id": "V1", **variables}]


def test_flows_list_omits_after_on_the_first_page(run: Invoker, server: FakeServer) -> None:
    flow = {"id": "F1", "name": "Flow 1", "description": None, "testUrl": "http://x/trigger/1"}
    info = {"hasNextPage": True, "endCursor": "c"}
    server.answer({"integration": {"flows": {"nodes": [flow], "pageInfo": info}}})
    server.answer({"integration": {"flows": {"nodes": [], "pageInfo": {"hasNextPage": False}}}})
    result = run(["integrations:flows:list", "I1", "-x", "--output", "json"])
    assert server.variables == [{"id": "I1"}, {"id": "I1", "after": "c"}]
    assert json.loads(result.stdout) == [
        {"id": "F1", "name": "Flow 1", "description": "", "testUrl": "http://x/trigger/1"}
    ]


def test_payload_errors_exit_2_with_field_lines(run: Invoker, server: FakeServer) -> None:
    errors = [{"field": "name", "messages": ["must not be empty"]}]
    server.answer({"createIntegration": {"integration": None, "errors": errors}})
    result = run(["integrations:create", "-n", " ", "-d", "d"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: name: must not be empty\n"
