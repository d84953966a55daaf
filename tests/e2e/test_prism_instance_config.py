"""prism's instance commands on every config variable type: contract §6 scenarios 22 and 23.

``config-types.yml`` declares each data type, a connection with a write-only password and
flows with three endpoint security types; it is imported and published once per server and
the tests run in file order on one instance.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import SpliceServer
from tests.e2e.prism import Prism, PrismResult, assert_id

CONFIG_TYPES = Path(__file__).resolve().parents[1] / "fixtures" / "definitions" / "config-types.yml"
PASSWORD = "e2e-pl41ntext-password"
CONNECTION = json.dumps(
    [
        {"name": "username", "type": "value", "value": "robot"},
        {"name": "password", "type": "value", "value": PASSWORD},
    ]
)


def json_rows(result: PrismResult) -> list[dict[str, Any]]:
    """The rows of ``--output json``."""
    assert result.code == 0, str(result)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


@pytest.fixture(scope="module")
def integration_id(prism: Prism) -> str:
    """The imported config-types integration."""
    return assert_id(prism("integrations:import", "-p", str(CONFIG_TYPES)), "Integration")


@pytest.fixture(scope="module")
def version_id(prism: Prism, integration_id: str) -> str:
    """Its first published version."""
    return assert_id(prism("integrations:publish", integration_id, "-c", "v1"), "Integration")


@pytest.fixture(scope="module")
def customer_id(prism: Prism) -> str:
    """The customer the instance belongs to."""
    return assert_id(prism("customers:create", "-n", "Config Co", "-e", "cfg-1"), "Customer")


@pytest.fixture(scope="module")
def instance_id(
    prism: Prism, splice_server: SpliceServer, version_id: str, customer_id: str
) -> str:
    """Scenario 22's create, with a plain value and a connection's values."""
    mark = splice_server.request_mark()
    values = [
        {"key": "Endpoint", "value": "https://x"},
        {"key": "Basic Auth", "values": CONNECTION},
    ]
    created = prism(
        "instances:create",
        "-n",
        "Inst1",
        "-i",
        version_id,
        "-c",
        customer_id,
        "-v",
        json.dumps(values),
        "-l",
        "prod",
    )
    instance = assert_id(created, "Instance")
    (request,) = splice_server.graphql_since(mark)
    assert request.variables["configVariables"] == values
    assert request.variables["labels"] == ["prod"]
    return instance


def test_22_config_vars_list_ends_after_one_page_and_masks_secrets(
    prism: Prism, splice_server: SpliceServer, instance_id: str
) -> None:
    mark = splice_server.request_mark()
    rows = json_rows(prism("instances:config-vars:list", instance_id, "-x", "--output", "json"))
    requests = [
        r
        for r in splice_server.graphql_since(mark)
        if "listInstanceConfigVariables" in r.query_text
    ]
    assert len(requests) == 1, "config-vars:list paged more than once"
    by_key = {row["key"]: row for row in rows}
    assert by_key["Endpoint"]["value"] == "https://x"
    assert by_key["Retries"]["value"] == "3"
    assert by_key["Retries"]["defaultValue"] == "3"
    inputs = json.loads(by_key["Basic Auth"]["value"])
    assert {node["name"]: node["value"] for node in inputs["nodes"]} == {
        "username": "robot",
        "password": "********",
    }
    assert by_key["Basic Auth"]["defaultValue"] == ""
    assert PASSWORD not in json.dumps(rows)


def test_22b_deploy_refuses_missing_values_by_name(
    prism: Prism, version_id: str, customer_id: str
) -> None:
    bare = assert_id(
        prism("instances:create", "-n", "Bare", "-i", version_id, "-c", customer_id), "Instance"
    )
    refused = prism("instances:deploy", bare)
    assert refused.code == 1, str(refused)
    assert refused.stdout == ""
    assert "configVariables:" in refused.message
    assert "'Endpoint'" in refused.message and "'Basic Auth'" in refused.message
    assert prism("instances:delete", bare).code == 0


def test_22c_bad_values_are_field_errors(prism: Prism, version_id: str, customer_id: str) -> None:
    bad = prism(
        "instances:create",
        "-n",
        "Bad",
        "-i",
        version_id,
        "-c",
        customer_id,
        "-v",
        '[{"key":"Sync Schedule","value":"every minute"}]',
    )
    assert bad.code == 1, str(bad)
    assert "configVariables: config variable 'Sync Schedule'" in bad.message
    assert "cron" in bad.message


def test_23_deploy_disable_list_enable_update(
    prism: Prism,
    splice_server: SpliceServer,
    integration_id: str,
    customer_id: str,
    instance_id: str,
) -> None:
    assert assert_id(prism("instances:deploy", instance_id), "Instance") == instance_id
    assert assert_id(prism("instances:disable", instance_id), "Instance") == instance_id
    rows = json_rows(prism("instances:list", "-c", customer_id, "-x", "--output", "json"))
    (row,) = [r for r in rows if r["id"] == instance_id]
    assert row["enabled"] == "false"
    assert row["customerExternalId"] == "cfg-1"

    system = splice_server.graphql(
        "query($id: ID!) { integration(id: $id) { systemInstance { id } } }",
        {"id": integration_id},
    )["data"]["integration"]["systemInstance"]["id"]
    listed = json_rows(prism("instances:list", "-i", integration_id, "-x", "--output", "json"))
    assert system not in {r["id"] for r in listed}
    assert instance_id in {r["id"] for r in listed}

    assert assert_id(prism("instances:enable", instance_id), "Instance") == instance_id
    rows = json_rows(prism("instances:list", "-c", customer_id, "-x", "--output", "json"))
    assert [r["enabled"] for r in rows if r["id"] == instance_id] == ["true"]
    updated = prism("instances:update", instance_id, "-n", "Inst1b", "--deploy")
    assert assert_id(updated, "Instance") == instance_id
    state = splice_server.graphql(
        "query($id: ID!) { instance(id: $id) { name needsDeploy enabled } }", {"id": instance_id}
    )["data"]["instance"]
    assert state == {"name": "Inst1b", "needsDeploy": False, "enabled": True}


def test_23b_flow_configs_have_webhook_urls_and_keys(
    prism: Prism, splice_server: SpliceServer, instance_id: str
) -> None:
    rows = json_rows(prism("instances:flow-configs:list", instance_id, "-x", "--output", "json"))
    assert [row["name"] for row in rows] == ["Receive", "Open", "Org Keyed"]
    for row in rows:
        assert row["webhookUrl"] == f"{splice_server.base_url}/trigger/{row['id']}"
        assert base64.b64decode(row["id"]).decode().startswith("InstanceFlowConfig:")
    keys = splice_server.graphql(
        "query($id: ID!) { instance(id: $id) { flowConfigs { nodes { apiKeys } } } }",
        {"id": instance_id},
    )["data"]["instance"]["flowConfigs"]["nodes"]
    assert len(keys[0]["apiKeys"]) == 1 and keys[1]["apiKeys"] == []


def test_23c_new_version_needs_deploy_and_unavailable_versions_are_refused(
    prism: Prism,
    splice_server: SpliceServer,
    integration_id: str,
    version_id: str,
    customer_id: str,
    instance_id: str,
) -> None:
    v2 = assert_id(prism("integrations:publish", integration_id, "-c", "v2"), "Integration")
    assert assert_id(prism("instances:update", instance_id, "-v", v2), "Instance") == instance_id
    needs = splice_server.graphql(
        "query($id: ID!) { instance(id: $id) { needsDeploy integration { versionNumber } } }",
        {"id": instance_id},
    )["data"]["instance"]
    assert needs == {"needsDeploy": True, "integration": {"versionNumber": 2}}
    assert assert_id(prism("instances:deploy", instance_id), "Instance") == instance_id

    assert_id(prism("integrations:available", version_id, "--no-available"), "Integration")
    refused = prism("instances:create", "-n", "Old", "-i", version_id, "-c", customer_id)
    assert refused.code == 1, str(refused)
    assert "integration: version 1" in refused.message
    assert "not available" in refused.message
