"""Instances and the marketplace over GraphQL (the real ASGI app), as several roles and customers."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from splice import ids
from splice.api.app import create_app
from splice.services import Services
from splice.services.auth import actor_for
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from splice.store.tables import User
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.graphql_calls import graphql_body

DEFINITIONS = Path(__file__).resolve().parents[2] / "fixtures" / "definitions"
PASSWORD = "a long enough password"
SECRET = "pl41ntext-secret"

CREATE = """
mutation createInstance($name: String!, $description: String, $integration: ID!, $customer: ID!,
                        $configVariables: [InputInstanceConfigVariable], $labels: [String]) {
  createInstance(input: {name: $name, description: $description, integration: $integration,
                         customer: $customer, configVariables: $configVariables, labels: $labels}) {
    instance { id } errors { field messages } } }
"""
CONFIG_VARS = """
query listInstanceConfigVariables($id: ID!) {
  instance(id: $id) { configVariables { nodes { id value status inputs { nodes { name value } }
    requiredConfigVariable { id key defaultValue dataType } } pageInfo { hasNextPage endCursor } } } }
"""
LIST = """
query listInstances($customer: ID, $integration: ID, $after: String) {
  instances(customer: $customer, integration: $integration, isSystem: false, after: $after) {
    nodes { id name description enabled customer { id name externalId } }
    pageInfo { hasNextPage endCursor } } }
"""
DEPLOY = (
    "mutation($id: ID!) { deployInstance(input: {id: $id}) "
    "{ instance { id needsDeploy } errors { field messages } } }"
)
FLOW_CONFIGS = """
query($id: ID!) { instance(id: $id) { needsDeploy
  flowConfigs { nodes { id flow { name } webhookUrl apiKeys } } } }
"""
ENABLE = """
mutation($i: ID!, $v: [InputInstanceConfigVariable]) {
  enableMarketplaceIntegration(input: {integration: $i, configVariables: $v}) {
    instance { id needsDeploy customer { id } } errors { field messages } } }
"""
MARKETPLACE = """
query { marketplaceIntegrations { nodes { id name versionNumber isCustomerDeployable
  deploymentStatus deployedInstances firstDeployedInstance { id } } } }
"""


@dataclass
class Client:
    """GraphQL as one user."""

    http: httpx.AsyncClient
    token: str

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql_body(self.http, self.token, query, **variables)


@dataclass
class World:
    """The app, its services and a way to log in as anyone."""

    http: httpx.AsyncClient
    services: Services

    async def login(self, email: str, password: str) -> Client:
        pair = await self.services.auth.login(email, password)
        return Client(self.http, pair.access_token)

    async def user(self, email: str, role: str, customer: str | None = None) -> Client:
        owner = await self.owner_actor()
        await self.services.users.create(
            owner, email, role=role, customer=customer, password=PASSWORD
        )
        return await self.login(email, PASSWORD)

    async def owner_actor(self) -> Any:
        from sqlalchemy import select

        async with self.services.db.session() as session:
            row = (
                await session.execute(select(User).where(User.email == ADMIN_EMAIL))
            ).scalar_one()
        return actor_for(row)


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://splice.test") as http:
        yield World(http, services)
    await services.db.dispose()


async def setup(world: World) -> tuple[Client, str, str, str, str]:
    """Owner client, integration ID, version ID and two customers (Acme, Other)."""
    owner = await world.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    body = await owner.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d, replace: false}) "
        "{ integration { id } errors { field messages } } }",
        d=(DEFINITIONS / "config-types.yml").read_text(),
    )
    integration_id = body["data"]["importIntegration"]["integration"]["id"]
    body = await owner.gql(
        'mutation($id: ID!) { publishIntegration(input: {id: $id, comment: "v1"}) '
        "{ integration { id } errors { field messages } } }",
        id=integration_id,
    )
    version_id = body["data"]["publishIntegration"]["integration"]["id"]
    customers = []
    for name in ("Acme", "Other"):
        body = await owner.gql(
            "mutation($n: String!, $e: String) { createCustomer(input: {name: $n, externalId: $e}) "
            "{ customer { id } errors { field messages } } }",
            n=name,
            e=name.lower(),
        )
        customers.append(body["data"]["createCustomer"]["customer"]["id"])
    return owner, integration_id, version_id, customers[0], customers[1]


def auth_values(password: str = SECRET) -> str:
    return json.dumps(
        [
            {"name": "username", "type": "value", "value": "user"},
            {"name": "password", "type": "value", "value": password},
        ]
    )


async def create(client: Client, version: str, customer: str, name: str = "Inst1") -> str:
    body = await client.gql(
        CREATE,
        name=name,
        integration=version,
        customer=customer,
        configVariables=[
            {"key": "Endpoint", "value": "https://x"},
            {"key": "Basic Auth", "values": auth_values()},
        ],
        labels=["prod"],
    )
    assert body["data"]["createInstance"]["errors"] == [], body
    instance_id: str = body["data"]["createInstance"]["instance"]["id"]
    return instance_id


async def test_create_list_config_vars_and_deploy(world: World) -> None:
    owner, integration_id, version_id, acme, _ = await setup(world)
    instance_id = await create(owner, version_id, acme)
    assert ids.decode_any(instance_id)[0] == "Instance"

    body = await owner.gql(CONFIG_VARS, id=instance_id, after="")
    connection = body["data"]["instance"]["configVariables"]
    assert connection["pageInfo"]["hasNextPage"] is False
    nodes = {n["requiredConfigVariable"]["key"]: n for n in connection["nodes"]}
    assert nodes["Endpoint"]["value"] == "https://x"
    assert nodes["Endpoint"]["requiredConfigVariable"]["dataType"] == "STRING"
    assert nodes["Retries"]["value"] == "3"
    assert nodes["Retries"]["requiredConfigVariable"]["defaultValue"] == "3"
    auth = nodes["Basic Auth"]
    assert auth["requiredConfigVariable"]["dataType"] == "CONNECTION"
    assert {i["name"]: i["value"] for i in auth["inputs"]["nodes"]} == {
        "username": "user",
        "password": "********",
    }
    assert SECRET not in json.dumps(body)

    listed = await owner.gql(LIST, customer=acme, after="")
    rows = listed["data"]["instances"]["nodes"]
    assert [r["id"] for r in rows] == [instance_id]
    assert rows[0]["customer"]["externalId"] == "acme"
    everything = await owner.gql(LIST, after="")
    system = await owner.gql(
        "query($id: ID!) { integration(id: $id) { systemInstance { id } } }", id=integration_id
    )
    system_id = system["data"]["integration"]["systemInstance"]["id"]
    assert system_id not in [r["id"] for r in everything["data"]["instances"]["nodes"]]

    deployed = await owner.gql(DEPLOY, id=instance_id)
    assert deployed["data"]["deployInstance"] == {
        "instance": {"id": instance_id, "needsDeploy": False},
        "errors": [],
    }
    body = await owner.gql(FLOW_CONFIGS, id=instance_id)
    configs = body["data"]["instance"]["flowConfigs"]["nodes"]
    assert [c["flow"]["name"] for c in configs] == ["Receive", "Open", "Org Keyed"]
    for config in configs:
        path = config["webhookUrl"].removeprefix("http://splice.test/trigger/")
        assert base64.b64decode(path).decode().startswith("InstanceFlowConfig:")
        assert path == config["id"]
    assert len(configs[0]["apiKeys"]) == 1 and configs[1]["apiKeys"] == []

    used = await owner.gql(
        "query($id: ID!) { integration(id: $id) { instances { nodes { id "
        "integration { versionNumber } } } } }",
        id=integration_id,
    )
    assert used["data"]["integration"]["instances"]["nodes"] == [
        {"id": instance_id, "integration": {"versionNumber": 1}}
    ]


async def test_prism_update_disable_enable_and_delete(world: World) -> None:
    owner, _, version_id, acme, _ = await setup(world)
    instance_id = await create(owner, version_id, acme)
    await owner.gql(DEPLOY, id=instance_id)
    body = await owner.gql(
        "mutation disableInstance($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        "{ instance { id } errors { field messages } } }",
        id=instance_id,
    )
    assert body["data"]["updateInstance"] == {"instance": {"id": instance_id}, "errors": []}
    listed = await owner.gql(LIST, customer=acme, after="")
    assert listed["data"]["instances"]["nodes"][0]["enabled"] is False
    body = await owner.gql(
        "mutation updateInstance($id: ID!, $name: String, $description: String, $version: ID, "
        "$labels: [String]) { updateInstance(input: {id: $id, name: $name, description: "
        "$description, integration: $version, labels: $labels}) { instance { id name needsDeploy } "
        "errors { field messages } } }",
        id=instance_id,
        name="Inst1b",
    )
    assert body["data"]["updateInstance"]["instance"]["name"] == "Inst1b"
    body = await owner.gql(
        "mutation($id: ID!, $v: [InputInstanceConfigVariable]) { updateInstanceConfigVariables("
        "input: {id: $id, configVariables: $v}) { instance { needsDeploy } errors { field messages } } }",
        id=instance_id,
        v=[{"key": "Region", "value": "eu"}],
    )
    assert body["data"]["updateInstanceConfigVariables"]["instance"]["needsDeploy"] is True
    body = await owner.gql(
        "mutation deleteInstance($id: ID!) { deleteInstance(input: {id: $id}) "
        "{ instance { id } errors { field messages } } }",
        id=instance_id,
    )
    assert body["data"]["deleteInstance"]["errors"] == []
    gone = await owner.gql("query($id: ID!) { instance(id: $id) { id } }", id=instance_id)
    assert gone["data"] is None and "not found" in gone["errors"][0]["message"]


async def test_errors_come_back_as_field_errors(world: World) -> None:
    owner, _, version_id, acme, _ = await setup(world)
    body = await owner.gql(
        CREATE,
        name="Bad",
        integration=version_id,
        customer=acme,
        configVariables=[{"key": "Retries", "value": "lots"}],
    )
    payload = body["data"]["createInstance"]
    assert payload["instance"] is None
    assert payload["errors"][0]["field"] == "configVariables"
    assert "'Retries'" in payload["errors"][0]["messages"][0]
    await owner.gql(
        "mutation($id: ID!) { updateIntegrationVersionAvailability(input: {id: $id, available: false}) "
        "{ integration { id } errors { field messages } } }",
        id=version_id,
    )
    body = await owner.gql(CREATE, name="Late", integration=version_id, customer=acme)
    assert body["data"]["createInstance"]["errors"][0]["field"] == "integration"
    assert "not available" in body["data"]["createInstance"]["errors"][0]["messages"][0]
    empty = await owner.gql(
        CREATE, name="Empty", integration=ids.encode("Integration", ids.new_uuid()), customer=acme
    )
    assert empty["data"]["createInstance"]["errors"][0]["field"] == "integration"


async def test_deploy_without_required_values_lists_them(world: World) -> None:
    owner, _, version_id, acme, _ = await setup(world)
    body = await owner.gql(CREATE, name="Bare", integration=version_id, customer=acme)
    instance_id = body["data"]["createInstance"]["instance"]["id"]
    deployed = await owner.gql(DEPLOY, id=instance_id)
    errors = deployed["data"]["deployInstance"]["errors"]
    assert errors[0]["field"] == "configVariables"
    assert "'Endpoint'" in errors[0]["messages"][0] and "'Basic Auth'" in errors[0]["messages"][0]
    state = await owner.gql(
        "query($id: ID!) { instance(id: $id) { configState configVariables { nodes { status "
        "requiredConfigVariable { key } } } } }",
        id=instance_id,
    )
    assert state["data"]["instance"]["configState"] == "NEEDS_INSTANCE_CONFIGURATION"


async def test_roles_and_two_customers(world: World) -> None:
    owner, _, version_id, acme, other = await setup(world)
    mine = await create(owner, version_id, acme, "Mine")
    theirs = await create(owner, version_id, other, "Theirs")
    viewer = await world.user("viewer@example.com", "viewer")
    seen = await viewer.gql(CONFIG_VARS, id=mine)
    auth = next(
        n
        for n in seen["data"]["instance"]["configVariables"]["nodes"]
        if n["requiredConfigVariable"]["key"] == "Basic Auth"
    )
    assert {i["value"] for i in auth["inputs"]["nodes"]} == {"********"}
    denied = await viewer.gql(DEPLOY, id=mine)
    assert denied["data"]["deployInstance"]["instance"] is None
    assert "viewer" in denied["data"]["deployInstance"]["errors"][0]["messages"][0]

    buyer = await world.user("buyer@acme.test", "customer-admin", customer=acme)
    listed = await buyer.gql(LIST, after="")
    assert [n["id"] for n in listed["data"]["instances"]["nodes"]] == [mine]
    hidden = await buyer.gql("query($id: ID!) { instance(id: $id) { id } }", id=theirs)
    assert hidden["data"] is None
    integration = await buyer.gql(
        "query($id: ID!) { instance(id: $id) { integration { name versionNumber } } }", id=mine
    )
    assert integration["data"]["instance"]["integration"] == {
        "name": "Config Types",
        "versionNumber": 1,
    }
    elsewhere = await buyer.gql(DEPLOY, id=theirs)
    assert elsewhere["data"]["deployInstance"]["errors"][0]["field"] == "id"
    member = await world.user("member@acme.test", "customer-viewer", customer=acme)
    refused = await member.gql(DEPLOY, id=mine)
    assert refused["data"]["deployInstance"]["errors"][0]["field"] == "__all__"
    assert "customer-viewer" in refused["data"]["deployInstance"]["errors"][0]["messages"][0]


async def test_marketplace_listing_and_activation(world: World) -> None:
    owner, integration_id, version_id, acme, other = await setup(world)
    buyer = await world.user("buyer@acme.test", "customer-admin", customer=acme)
    member = await world.user("member@acme.test", "customer-viewer", customer=acme)
    other_buyer = await world.user("buyer@other.test", "customer-admin", customer=other)
    assert (await buyer.gql(MARKETPLACE))["data"]["marketplaceIntegrations"]["nodes"] == []

    market = (
        "mutation($id: ID, $c: String!, $m: Boolean) { updateIntegrationMarketplaceConfiguration("
        'input: {id: $id, marketplaceConfiguration: $c, overview: "", '
        "allowMultipleMarketplaceInstances: $m}) { integration { id } errors { field messages } } }"
    )
    await owner.gql(market, id=version_id, c="AVAILABLE_NOT_DEPLOYABLE")
    listing = (await buyer.gql(MARKETPLACE))["data"]["marketplaceIntegrations"]["nodes"]
    assert listing == [
        {
            "id": version_id,
            "name": "Config Types",
            "versionNumber": 1,
            "isCustomerDeployable": False,
            "deploymentStatus": "UNCONFIGURED",
            "deployedInstances": "ZERO",
            "firstDeployedInstance": None,
        }
    ]
    values = [
        {"key": "Endpoint", "value": "https://mine"},
        {"key": "Basic Auth", "values": auth_values()},
    ]
    refused = await buyer.gql(ENABLE, i=integration_id, v=values)
    assert (
        "not deployable"
        in refused["data"]["enableMarketplaceIntegration"]["errors"][0]["messages"][0]
    )

    await owner.gql(market, id=version_id, c="AVAILABLE_AND_DEPLOYABLE")
    denied = await member.gql(ENABLE, i=integration_id, v=values)
    assert denied["data"]["enableMarketplaceIntegration"]["instance"] is None
    by_org = await owner.gql(ENABLE, i=integration_id, v=values)
    assert by_org["data"]["enableMarketplaceIntegration"]["instance"] is None

    missing = await buyer.gql(ENABLE, i=integration_id, v=[])
    assert missing["data"]["enableMarketplaceIntegration"]["errors"][0]["field"] == (
        "configVariables"
    )
    enabled = await buyer.gql(ENABLE, i=integration_id, v=values)
    instance = enabled["data"]["enableMarketplaceIntegration"]["instance"]
    assert instance["needsDeploy"] is False and instance["customer"]["id"] == acme
    again = await buyer.gql(ENABLE, i=integration_id, v=values)
    assert (
        "already has an instance"
        in again["data"]["enableMarketplaceIntegration"]["errors"][0]["messages"][0]
    )
    await owner.gql(market, id=version_id, c="AVAILABLE_AND_DEPLOYABLE", m=True)
    second = await buyer.gql(ENABLE, i=version_id, v=values)
    assert second["data"]["enableMarketplaceIntegration"]["errors"] == []

    listing = (await buyer.gql(MARKETPLACE))["data"]["marketplaceIntegrations"]["nodes"]
    assert listing[0]["deploymentStatus"] == "ACTIVATED"
    assert listing[0]["deployedInstances"] == "MULTIPLE"
    assert listing[0]["firstDeployedInstance"] is not None
    elsewhere = (await other_buyer.gql(MARKETPLACE))["data"]["marketplaceIntegrations"]["nodes"]
    assert elsewhere[0]["deploymentStatus"] == "UNCONFIGURED"
    theirs = await other_buyer.gql(LIST, after="")
    assert theirs["data"]["instances"]["nodes"] == []
