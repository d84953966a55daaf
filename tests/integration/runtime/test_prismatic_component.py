"""The `prismatic` component through the engine against a live Splice app (ASGI, no port).

Each action runs as a one-step flow with a refresh-token connection; results are checked
against what the server's GraphQL API then reports.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import httpx
import pytest

from splice.components.builtin.prismatic import connection as tokens
from splice.components.testing import MemoryState
from splice.definition import load
from splice.engine import RunContext, run_flow
from tests.conftest import ADMIN_EMAIL
from tests.integration.runtime.flows import definition
from tests.integration.runtime.prismatic_platform import BASE, Platform
from tests.unit.engine.helpers import ListSink, payload, registry

SHARED = Path(__file__).resolve().parents[4] / "shared"
"""The shared folder beside the repository (CI clones the repository next to it)."""


pytestmark = pytest.mark.usefixtures("fresh_tokens")


IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) "
    "{ integration { id flows { nodes { id name } } } errors { field messages } } }"
)


async def _integration(platform: Platform) -> tuple[str, str]:
    """A fresh integration's id and its first flow's id."""
    data = await platform.gql(IMPORT, d=definition(f"Echo {uuid.uuid4().hex[:6]}"))
    integration = data["importIntegration"]["integration"]
    return integration["id"], integration["flows"]["nodes"][0]["id"]


async def _customer(platform: Platform, name: str = "Acme") -> str:
    data = await platform.gql(
        "mutation($n: String!) { createCustomer(input: {name: $n, externalId: $n}) "
        "{ customer { id } errors { messages } } }",
        n=f"{name} {uuid.uuid4().hex[:6]}",
    )
    return str(data["createCustomer"]["customer"]["id"])


async def _instance(platform: Platform) -> tuple[str, str, str]:
    """A published integration's id, a customer and an instance of it (not yet deployed)."""
    integration, _ = await _integration(platform)
    await platform.ok("publishIntegration", integrationId=integration, comments="v1")
    customer = await _customer(platform)
    data = await platform.gql(
        'mutation($i: ID!, $c: ID!) { createInstance(input: {name: "Inst", integration: $i, '
        "customer: $c}) { instance { id } errors { field messages } } }",
        i=integration,
        c=customer,
    )
    assert data["createInstance"]["errors"] == [], data
    return integration, customer, str(data["createInstance"]["instance"]["id"])


async def test_get_current_user_exchanges_the_refresh_token_once(platform: Platform) -> None:
    data = await platform.ok("getCurrentUser")
    assert data["authenticatedUser"]["email"] == ADMIN_EMAIL
    await platform.ok("getCurrentUser")
    assert platform.transport.token_requests == 1


async def test_the_access_token_is_renewed_before_it_expires(platform: Platform) -> None:
    await platform.ok("getCurrentUser")
    ((key, token),) = tokens._TOKENS.items()
    tokens._TOKENS[key] = tokens._Token(token.access_token, token.expires_at - 10**6)
    await platform.ok("getCurrentUser")
    assert platform.transport.token_requests == 2
    ((_, renewed),) = tokens._TOKENS.items()
    assert renewed.expires_at > token.expires_at - 10**6


async def test_a_bad_refresh_token_fails_the_step_naming_the_action(platform: Platform) -> None:
    result = await platform.step("getCurrentUser", refresh="not-a-token")
    assert result.status == "failed"
    assert result.error is not None
    assert "prismatic getCurrentUser" in result.error
    assert "refresh token" in result.error


async def test_a_refused_access_token_fails_the_step_and_is_forgotten(
    platform: Platform,
) -> None:
    await platform.ok("getCurrentUser")
    ((key, token),) = tokens._TOKENS.items()
    tokens._TOKENS[key] = tokens._Token("not-a-jwt", token.expires_at)
    refused = await platform.step("getCurrentUser")
    assert refused.status == "failed"
    assert refused.error is not None
    assert "prismatic getCurrentUser" in refused.error and "401" in refused.error
    assert platform.transport.token_requests == 1  # no silent retry after the 401
    await platform.ok("getCurrentUser")  # the next call exchanges the refresh token again
    assert platform.transport.token_requests == 2


async def test_integration_actions_match_the_server(platform: Platform) -> None:
    integration, flow = await _integration(platform)
    got = await platform.ok("getIntegration", integrationId=integration)
    assert got["integration"]["id"] == integration
    assert "definitionVersion" in got["integration"]["definition"]

    flows = await platform.ok("listFlows", integrationId=integration)
    assert [n["id"] for n in flows["integration"]["flows"]["nodes"]] == [flow]

    renamed = f"Renamed {uuid.uuid4().hex[:6]}"
    updated = await platform.ok(
        "updateIntegration", integrationId=integration, name=renamed, description="new"
    )
    assert updated["updateIntegration"]["integration"]["name"] == renamed
    server = await platform.gql(
        "query($id: ID!) { integration(id: $id) { name description } }", id=integration
    )
    assert server["integration"] == {"name": renamed, "description": "new"}

    published = await platform.ok("publishIntegration", integrationId=integration, comments="c1")
    assert published["publishIntegration"]["integration"]["versionNumber"] == 1
    versions = await platform.gql(
        "query($id: ID!) { integration(id: $id) { versionSequence { nodes { versionNumber "
        "versionComment } } } }",
        id=integration,
    )
    assert {"versionNumber": 1, "versionComment": "c1"} in (
        versions["integration"]["versionSequence"]["nodes"]
    )

    listed = await platform.ok(
        "listIntegrations", hasUnpublishedChanges="", versionIsAvailable="", nameContains=renamed
    )
    assert [n["id"] for n in listed["integrations"]["nodes"]] == [integration]

    new_name = f"Imported {uuid.uuid4().hex[:6]}"
    imported = await platform.ok(
        "importIntegration", integrationId=integration, definition=definition(new_name)
    )
    assert imported["importIntegration"]["integration"]["id"] == integration
    server = await platform.gql("query($id: ID!) { integration(id: $id) { name } }", id=integration)
    assert server["integration"]["name"] == new_name


async def test_test_flow_and_get_execution(platform: Platform) -> None:
    _, flow = await _integration(platform)
    started = await platform.ok("testFlow", flowId=flow, payload='{"name": "Ada"}')
    execution = started["testIntegrationFlow"]["testIntegrationFlowResult"]["execution"]
    got = await platform.ok("getExecution", executionId=execution["id"])
    assert got["executionResult"]["id"] == execution["id"]
    assert got["executionResult"]["isTestExecution"] is True


async def test_customer_actions(platform: Platform) -> None:
    customer = await _customer(platform, "Globex")
    got = await platform.ok("getCustomer", customerId=customer)
    assert got["customer"]["id"] == customer
    name = got["customer"]["name"]
    listed = await platform.ok("listCustomers", externalId=name)
    assert [n["id"] for n in listed["customers"]["nodes"]] == [customer]
    for filters in (
        {"name": name},
        {"nameStartsWith": name[:8].upper()},
        {"nameContains": name[-6:]},
    ):
        found = await platform.ok("listCustomers", **filters)
        assert [n["id"] for n in found["customers"]["nodes"]] == [customer], filters
    await platform.gql(
        'mutation($id: ID!) { updateCustomer(input: {id: $id, labels: ["VIP"], '
        'description: "Big Account"}) { errors { messages } } }',
        id=customer,
    )
    for filters in ({"labelContains": "vip"}, {"descriptionContains": "big acc"}):
        found = await platform.ok("listCustomers", **filters)
        assert [n["id"] for n in found["customers"]["nodes"]] == [customer], filters
    none = await platform.ok("listCustomers", labelContains="gold")
    assert none["customers"]["nodes"] == []


async def test_instance_actions_match_the_server(platform: Platform) -> None:
    integration, _, instance = await _instance(platform)
    got = await platform.ok("getInstance", instanceId=instance)
    assert got["instance"]["needsDeploy"] is True
    pending = await platform.ok("listInstances", integration=integration, needsDeploy="true")
    assert [n["id"] for n in pending["instances"]["nodes"]] == [instance]
    up_to_date = await platform.ok("listInstances", integration=integration)  # needsDeploy false
    assert instance not in [n["id"] for n in up_to_date["instances"]["nodes"]]

    updated = await platform.ok(
        "updateInstance", instanceId=instance, name="Renamed", description="d"
    )
    assert updated["updateInstance"]["instance"]["name"] == "Renamed"

    deployed = await platform.ok("deployInstance", instanceId=instance)
    assert deployed["deployInstance"]["instance"]["lastDeployedAt"] is not None
    server = await platform.gql(
        "query($id: ID!) { instance(id: $id) { name description needsDeploy enabled } }",
        id=instance,
    )
    assert server["instance"] == {
        "name": "Renamed",
        "description": "d",
        "needsDeploy": False,
        "enabled": True,
    }

    listed = await platform.ok("listInstances", integration=integration)
    assert instance in [n["id"] for n in listed["instances"]["nodes"]]

    await platform.ok("disableInstnce", instanceId=instance)
    server = await platform.gql("query($id: ID!) { instance(id: $id) { enabled } }", id=instance)
    assert server["instance"]["enabled"] is False
    enabled_only = await platform.ok("listInstances", integration=integration)
    assert instance not in [n["id"] for n in enabled_only["instances"]["nodes"]]
    disabled = await platform.ok("listInstances", integration=integration, enabled="false")
    assert [n["id"] for n in disabled["instances"]["nodes"]] == [instance]


async def test_list_components_includes_prismatic(platform: Platform) -> None:
    data = await platform.ok("listComponents")
    assert "prismatic" in {n["key"] for n in data["components"]["nodes"]}


async def test_raw_request_types_variables_from_the_query(platform: Platform) -> None:
    customer = await _customer(platform, "Initech")
    data = await platform.ok(
        "rawRequest", variables={"myCustomerId": customer}
    )  # the documented default query
    assert data["data"]["customer"]["id"] == customer  # the whole body, as exports read it
    paged = await platform.ok(
        "rawRequest",
        query="query($n: Int) { customers(first: $n) { nodes { id } } }",
        variables={"n": "1"},
    )
    assert len(paged["data"]["customers"]["nodes"]) == 1


async def test_unknown_ids_and_payload_errors_fail_naming_the_action(platform: Platform) -> None:
    missing = await platform.step("getInstance", instanceId="SW5zdGFuY2U6bm9wZQ==")
    assert missing.status == "failed"
    assert missing.error is not None and "prismatic getInstance" in missing.error

    bad_update = await platform.step("updateIntegration", integrationId="nope", name="x")
    assert bad_update.status == "failed"
    assert bad_update.error is not None and "prismatic updateIntegration" in bad_update.error


class Backups(httpx.AsyncBaseTransport):
    """``backup.test`` collects POSTed files; everything else goes to the app."""

    def __init__(self, app: httpx.AsyncBaseTransport) -> None:
        self.app = app
        self.files: dict[str, str] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "backup.test":
            return await self.app.handle_async_request(request)
        body = await request.aread()
        self.files[request.url.params["integrationId"]] = body.decode()
        assert request.headers["content-type"] == "application/yaml"
        return httpx.Response(201, text="stored")


async def test_the_backup_example_posts_every_definition(platform: Platform) -> None:
    first, _ = await _integration(platform)
    second, _ = await _integration(platform)
    await platform.ok("publishIntegration", integrationId=second)
    example = Path(__file__).resolve().parents[3] / "examples" / "backup-integrations.yml"
    flow = load(example.read_text()).flows[0]
    transport = Backups(platform.transport)
    context = RunContext(
        execution_id="exec-backup",
        config_vars={
            "Prismatic Connection": {"key": "apiKey", "fields": {"apiKey": platform.refresh}},
            "Backup URL": "http://backup.test/backups",
        },
        state=MemoryState(),
        http_transport=transport,
        platform_url=BASE,
    )
    sink = ListSink()
    result = await run_flow(flow, payload(), registry=registry(), sink=sink, context=context)
    assert result.status == "succeeded", result.error
    listed = await platform.gql("{ integrations(first: 500) { nodes { id definition } } }")
    expected = {n["id"]: n["definition"] for n in listed["integrations"]["nodes"]}
    assert {first, second} <= set(expected)
    assert transport.files == expected


MARKETPLACE = (
    "mutation($id: ID!) { updateIntegrationMarketplaceConfiguration(input: {id: $id, "
    'marketplaceConfiguration: "AVAILABLE_AND_DEPLOYABLE"}) { errors { field messages } } }'
)
CREATE_INSTANCE = (
    "mutation($i: ID!, $c: ID!, $n: String!, $v: [InputInstanceConfigVariable]) { "
    "createInstance(input: {name: $n, integration: $i, customer: $c, configVariables: $v}) "
    "{ instance { id flowConfigs { nodes { webhookUrl } } } errors { field messages } } }"
)
DEPLOY = (
    "mutation($id: ID!) { deployInstance(input: {id: $id}) { instance { id } "
    "errors { field messages } } }"
)


async def _publish_listed(platform: Platform, integration: str) -> str:
    """Publish the draft and list the new version in the marketplace; its ID."""
    published = await platform.ok("publishIntegration", integrationId=integration)
    version: str = published["publishIntegration"]["integration"]["id"]
    answer = await platform.gql(MARKETPLACE, id=version)
    assert answer["updateIntegrationMarketplaceConfiguration"]["errors"] == []
    return version


async def test_update_instances_export_upgrades_instances_on_the_server(
    platform: Platform,
) -> None:
    """shared/conformance/yaml/update-instances.yml, deployed and run on Splice itself."""
    widget_name = f"Widget Sync {uuid.uuid4().hex[:6]}"
    widget = (await platform.gql(IMPORT, d=definition(widget_name)))["importIntegration"]
    widget_id = widget["integration"]["id"]
    v1 = await _publish_listed(platform, widget_id)
    customer = await _customer(platform, "Acme")
    created = await platform.gql(CREATE_INSTANCE, i=v1, c=customer, n="Acme widgets", v=[])
    assert created["createInstance"]["errors"] == []
    acme = created["createInstance"]["instance"]["id"]
    assert (await platform.gql(DEPLOY, id=acme))["deployInstance"]["errors"] == []
    await platform.ok("updateIntegration", integrationId=widget_id, description="v2")
    v2 = await _publish_listed(platform, widget_id)

    export = SHARED / "conformance" / "yaml" / "update-instances.yml"
    if not export.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{export} is missing; CI needs the shared folder beside the repository")
        pytest.skip(f"{export} is missing (the shared folder is not beside the repository)")
    imported = await platform.gql(IMPORT, d=export.read_text())
    assert imported["importIntegration"]["errors"] == []
    updater = imported["importIntegration"]["integration"]["id"]
    await platform.ok("publishIntegration", integrationId=updater)
    ops = await _customer(platform, "Ops")
    connection = [{"name": "apiKey", "type": "value", "value": platform.refresh}]
    config = [
        {"key": "Prismatic Connection", "values": json.dumps(connection)},
        {"key": "Integration Name", "value": widget_name},
    ]
    created = await platform.gql(CREATE_INSTANCE, i=updater, c=ops, n="Updater", v=config)
    assert created["createInstance"]["errors"] == [], created
    runner = created["createInstance"]["instance"]
    assert (await platform.gql(DEPLOY, id=runner["id"]))["deployInstance"]["errors"] == []

    configs = await platform.gql(
        "query($id: ID!) { instance(id: $id) { flowConfigs { nodes { webhookUrl } } } }",
        id=runner["id"],
    )
    url = configs["instance"]["flowConfigs"]["nodes"][0]["webhookUrl"].removeprefix(BASE)
    response = await platform.http.post(url, json={}, headers={"prismatic-synchronous": "true"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert [i["instanceId"] for i in report["successful_instances"]] == [acme], report
    assert report["failed_instances"] in ([], None, "")

    server = await platform.gql(
        "query($id: ID!) { instance(id: $id) { integration { id versionNumber } "
        "deployedVersion needsDeploy } }",
        id=acme,
    )
    assert server["instance"] == {
        "integration": {"id": v2, "versionNumber": 2},
        "deployedVersion": 2,
        "needsDeploy": False,
    }
