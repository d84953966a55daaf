"""``customers:*``, ``instances:*``, ``components:*``, org users and log severities (contract §3.3-3.6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from splice.cli import components, customers, instances, organization
from tests.unit.cli.fakes import FakeServer, Invoker


def done(field: str, obj: str, ident: str) -> dict[str, Any]:
    return {field: {obj: {"id": ident}, "errors": []}}


def last_page(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}


def test_customers_create_with_repeated_labels(run: Invoker, server: FakeServer) -> None:
    server.answer(done("createCustomer", "customer", "C1"))
    args = [
        "customers:create",
        "-n",
        "Acme",
        "-e",
        "acme-1",
        "-d",
        "First",
        "-l",
        "gold",
        "-l",
        "beta",
    ]
    assert run(args).stdout == "C1\n"
    assert server.graphql[0] == {
        "query": customers.CREATE,
        "variables": {
            "name": "Acme",
            "description": "First",
            "externalId": "acme-1",
            "labels": ["gold", "beta"],
        },
    }


def test_customers_create_duplicate_external_id(run: Invoker, server: FakeServer) -> None:
    errors = [{"field": "externalId", "messages": ["is already used by customer 'Acme'"]}]
    server.answer({"createCustomer": {"customer": None, "errors": errors}})
    result = run(["customers:create", "-n", "Acme2", "-e", "acme-1"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: externalId: ")
    assert server.variables == [{"name": "Acme2", "externalId": "acme-1"}]


def test_customers_list_json_key_order(run: Invoker, server: FakeServer) -> None:
    node = {"id": "C1", "name": "Acme", "externalId": None, "description": "d"}
    server.answer({"customers": last_page([node])})
    result = run(["customers:list", "-x", "--output", "json"])
    assert server.variables == [{"after": ""}]
    rows = json.loads(result.stdout)
    assert list(rows[0].items()) == [
        ("id", "C1"),
        ("externalId", ""),
        ("name", "Acme"),
        ("description", "d"),
    ]
    server.answer({"customers": last_page([node])})
    assert run(["customers:list", "--csv", "--columns", "id,name"]).stdout == "Id,Name\nC1,Acme\n"


def test_customers_update_delete_users(run: Invoker, server: FakeServer) -> None:
    server.answer(done("updateCustomer", "customer", "C1"))
    assert run(["customers:update", "C1", "-n", "Acme Corp"]).stdout == "C1\n"
    server.answer(done("deleteCustomer", "customer", "C1"))
    assert run(["customers:delete", "C1"]).stdout == ""
    user = {"id": "U", "name": "N", "email": "e@x", "externalId": None, "role": {"name": "admin"}}
    server.answer({"customer": {"users": last_page([user])}})
    assert run(["customers:users:list", "C1", "--no-header"]).stdout == " N    e@x   admin \n"
    assert server.variables == [
        {"id": "C1", "name": "Acme Corp"},
        {"id": "C1"},
        {"id": "C1", "after": ""},
    ]
    assert server.graphql[2]["query"] == customers.USERS


def test_instances_create(run: Invoker, server: FakeServer) -> None:
    server.answer(done("createInstance", "instance", "N1"))
    args = ["instances:create", "-n", "Inst1", "-i", "V1", "-c", "C1", "-l", "prod"]
    result = run([*args, "-v", '[{"key":"Endpoint","value":"https://x"}]'])
    assert result.stdout == "N1\n"
    assert server.graphql[0] == {
        "query": instances.CREATE,
        "variables": {
            "name": "Inst1",
            "integration": "V1",
            "customer": "C1",
            "configVariables": [{"key": "Endpoint", "value": "https://x"}],
            "labels": ["prod"],
        },
    }


def test_instances_create_rejects_bad_config_vars(run: Invoker, server: FakeServer) -> None:
    result = run(["instances:create", "-n", "I", "-i", "V", "-c", "C", "-v", "{}"])
    assert result.exit_code == 2 and "JSON list" in result.stderr and server.requests == []


def test_instances_list_excludes_system_instances(run: Invoker, server: FakeServer) -> None:
    node = {
        "id": "N1",
        "name": "Inst1",
        "description": None,
        "enabled": False,
        "customer": {"id": "C1", "name": "Acme", "externalId": "e"},
    }
    server.answer({"instances": last_page([node])})
    rows = json.loads(run(["instances:list", "-c", "C1", "-x", "--output", "json"]).stdout)
    assert rows[0]["enabled"] == "false" and rows[0]["customer"] == "Acme"
    assert rows[0]["customerid"] == "C1"
    assert server.variables == [{"customer": "C1", "after": ""}]
    assert "isSystem: false" in instances.LIST


@pytest.mark.parametrize(
    ("args", "query", "variables"),
    [
        (["instances:deploy", "N1"], instances.DEPLOY, {"id": "N1"}),
        (["instances:deploy", "N1", "-f"], instances.DEPLOY, {"id": "N1", "force": True}),
        (["instances:enable", "N1"], instances.ENABLE, {"id": "N1"}),
        (["instances:disable", "N1"], instances.DISABLE, {"id": "N1"}),
    ],
)
def test_instance_state_mutations(
    run: Invoker, server: FakeServer, args: list[str], query: str, variables: dict[str, Any]
) -> None:
    field = "deployInstance" if "deploy" in args[0] else "updateInstance"
    server.answer(done(field, "instance", "N1"))
    assert run(args).stdout == "N1\n"
    assert server.graphql[0] == {"query": query, "variables": variables}


def test_enable_disable_use_literals() -> None:
    assert "enabled: true" in instances.ENABLE and "enabled: false" in instances.DISABLE


def test_instances_update_then_deploy_prints_the_deploy_id(
    run: Invoker, server: FakeServer
) -> None:
    server.answer(done("updateInstance", "instance", "N1"))
    server.answer(done("deployInstance", "instance", "N1-deployed"))
    result = run(["instances:update", "N1", "-n", "Inst1b", "-v", "V2", "--deploy"])
    assert result.stdout == "N1-deployed\n"
    assert server.variables == [{"id": "N1", "name": "Inst1b", "version": "V2"}, {"id": "N1"}]
    assert server.graphql[1]["query"] == instances.DEPLOY_AFTER_UPDATE


def test_instances_delete(run: Invoker, server: FakeServer) -> None:
    server.answer(done("deleteInstance", "instance", "N1"))
    assert run(["instances:delete", "N1"]).stdout == ""


def test_config_vars_show_connection_inputs(run: Invoker, server: FakeServer) -> None:
    plain = {
        "id": "V1",
        "value": "https://x",
        "inputs": {"nodes": []},
        "requiredConfigVariable": {
            "id": "R1",
            "key": "Endpoint",
            "defaultValue": "d",
            "dataType": "STRING",
        },
    }
    connection = {
        "id": "V2",
        "value": None,
        "inputs": {"nodes": [{"name": "username", "value": "u"}]},
        "requiredConfigVariable": {
            "id": "R2",
            "key": "Conn",
            "defaultValue": "x",
            "dataType": "CONNECTION",
        },
    }
    server.answer({"instance": {"configVariables": last_page([plain, connection])}})
    rows = json.loads(run(["instances:config-vars:list", "N1", "-x", "--output", "json"]).stdout)
    assert rows == [
        {
            "id": "V1",
            "key": "Endpoint",
            "value": "https://x",
            "defaultValue": "d",
            "requiredVariableId": "R1",
        },
        {
            "id": "V2",
            "key": "Conn",
            "value": '{"nodes":[{"name":"username","value":"u"}]}',
            "defaultValue": "",
            "requiredVariableId": "R2",
        },
    ]


def test_flow_configs_list(run: Invoker, server: FakeServer) -> None:
    node = {"id": "FC1", "flow": {"name": "Flow 1"}, "webhookUrl": "http://x/trigger/1"}
    server.answer({"instance": {"flowConfigs": last_page([node])}})
    assert (
        run(["instances:flow-configs:list", "N1", "-x", "--columns", "id", "--no-header"]).exit_code
        == 2
    )
    server.answer({"instance": {"flowConfigs": last_page([node])}})
    assert (
        run(["instances:flow-configs:list", "N1", "--columns", "id", "--no-header"]).stdout
        == " FC1 \n"
    )
    assert server.variables[-1] == {"id": "N1", "after": ""}


def test_components_list_search_is_a_filter_query_string(run: Invoker, server: FakeServer) -> None:
    node = {
        "id": "K",
        "key": "http",
        "public": True,
        "label": "HTTP",
        "description": "d",
        "versionNumber": 1,
        "category": None,
        "versionCreatedAt": None,
        "customer": None,
    }
    server.answer({"components": last_page([node])})
    assert (
        run(["components:list", "-s", "http", "--columns", "label", "--no-header"]).stdout
        == " HTTP  \n"
    )
    assert server.variables == [
        {"filterQuery": '["or",["in","key","http"],["in","label","http"]]', "after": ""}
    ]
    assert server.graphql[0]["query"] == components.LIST


def test_component_actions_send_explicit_null_public(run: Invoker, server: FakeServer) -> None:
    action = {"id": "A", "key": "httpGet", "label": "GET", "description": None}
    server.answer(
        {"components": {"nodes": [{"id": "K", "key": "http", "actions": last_page([action])}]}}
    )
    result = run(["components:actions:list", "http", "-x", "--output", "json"])
    assert server.variables == [{"componentKey": "http", "public": None, "after": ""}]
    assert json.loads(result.stdout)[0]["componentkey"] == "http"
    server.answer({"components": {"nodes": [{"id": "K", "key": "http", "actions": last_page([])}]}})
    run(["components:triggers:list", "http", "--private"])
    assert server.variables[1]["public"] is False
    assert (
        server.graphql[1]["query"] == components.TRIGGERS
        and "isTrigger: true" in components.TRIGGERS
    )


def test_component_actions_unknown_key(run: Invoker, server: FakeServer) -> None:
    server.answer({"components": {"nodes": []}})
    result = run(["components:triggers:list", "no-such-key"])
    assert result.exit_code == 2 and "The key you provided is not valid." in result.stderr


def test_org_users_and_severities(run: Invoker, server: FakeServer) -> None:
    user = {
        "id": "U",
        "name": "O",
        "email": "o@x",
        "externalId": None,
        "phone": None,
        "role": {"name": "owner"},
    }
    server.answer({"organization": {"users": last_page([user])}})
    assert (
        run(["organization:users:list", "--columns", "email", "--no-header"]).stdout == " o@x   \n"
    )
    server.answer({"logSeverityLevels": [{"id": 1, "name": "debug"}]})
    assert json.loads(run(["logs:severities:list", "--output", "json"]).stdout) == [
        {"name": "debug"}
    ]
    assert server.graphql[1] == {"query": organization.SEVERITIES, "variables": {}}
