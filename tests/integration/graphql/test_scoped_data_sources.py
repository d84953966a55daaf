"""Data sources whose connection is a scoped connection get its value, as runs do (SQLite, PG).

The ``Acme API`` config variable of ``test_data_sources``' integration is switched to
``useScopedConfigVar: acme-api``; the customer's value (or, on the test instance, the scoped
connection's test value) must reach the loopback server as the API key header.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import yaml

from splice.api.app import create_app
from splice.services import Services
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.graphql_calls import graphql_data
from tests.integration.graphql.test_data_sources import KEY, RUN, Acme, acme, integration_yaml

__all__ = ["acme"]  # the loopback server fixture, used here by name

CREATE_SCOPED = """mutation($input: CreateScopedConfigVariableInput!) {
  createScopedConfigVariable(input: $input) { scopedConfigVariable { id } errors { messages } } }"""
CREATE_VALUE = """mutation($scoped: ID!, $customer: ID, $values: JSONString!) {
  createCustomerConfigVariable(input: {scopedConfigVariable: $scoped, customer: $customer,
    values: $values}) { customerConfigVariable { id } errors { messages } } }"""


def values(**fields: str) -> str:
    return json.dumps([{"name": k, "type": "value", "value": v} for k, v in fields.items()])


def scoped_yaml() -> str:
    document = yaml.safe_load(integration_yaml())
    document["name"] = "Scoped Channel Picker"
    document["requiredConfigVars"][0] = {
        "key": "Acme API",
        "stableKey": "acme-api-var",
        "dataType": "connection",
        "useScopedConfigVar": "acme-api",
    }
    return yaml.safe_dump(document, sort_keys=False)


@dataclass
class World:
    http: httpx.AsyncClient
    token: str
    services: Services
    acme: Acme
    customer: str = ""
    integration: str = ""
    instance: str = ""
    scoped: str = ""

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql_data(self.http, self.token, query, **variables)

    async def run(self, instance: str) -> dict[str, Any]:
        data = await self.gql(RUN, id=instance, key="Channel", values=None)
        payload: dict[str, Any] = data["runInstanceDataSource"]
        return payload


@pytest.fixture
async def world(settings: Settings, acme: Acme) -> AsyncIterator[World]:
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://splice.test") as http:
        world = World(http, pair.access_token, services, acme)
        world.scoped = (
            await world.gql(
                CREATE_SCOPED,
                input={
                    "stableKey": "acme-api",
                    "key": "Acme API",
                    "variableScope": "customer",
                    "managedBy": "customer",
                    "component": "http",
                    "connection": "apiKey",
                    "inputs": values(headerName="X-Acme-Key"),
                },
            )
        )["createScopedConfigVariable"]["scopedConfigVariable"]["id"]
        world.customer = (
            await world.gql(
                'mutation { createCustomer(input: {name: "Acme"}) { customer { id } } }'
            )
        )["createCustomer"]["customer"]["id"]
        imported = await world.gql(
            "mutation($d: String!) { importIntegration(input: {definition: $d}) "
            "{ integration { id } errors { messages } } }",
            d=scoped_yaml(),
        )
        world.integration = imported["importIntegration"]["integration"]["id"]
        published = await world.gql(
            "mutation($id: ID!) { publishIntegration(input: {id: $id}) { integration { id } } }",
            id=world.integration,
        )
        created = await world.gql(
            "mutation($v: ID!, $c: ID!, $values: [InputInstanceConfigVariable]) { createInstance("
            'input: {name: "Acme channels", integration: $v, customer: $c, '
            "configVariables: $values}) { instance { id } errors { messages } } }",
            v=published["publishIntegration"]["integration"]["id"],
            c=world.customer,
            values=[{"key": "Channels URL", "value": f"{acme.url}/channels"}],
        )
        world.instance = created["createInstance"]["instance"]["id"]
        yield world
    await services.db.dispose()


async def test_a_data_source_gets_the_customers_scoped_connection_value(world: World) -> None:
    before = await world.run(world.instance)  # no customer value yet: the API refuses
    assert before["dataSourceResult"] is None
    assert "answered 401" in before["errors"][0]["messages"][0]
    assert world.acme.keys_seen == [None]

    created = await world.gql(
        CREATE_VALUE, scoped=world.scoped, customer=world.customer, values=values(apiKey=KEY)
    )
    assert created["createCustomerConfigVariable"]["errors"] == []
    payload = await world.run(world.instance)
    assert payload["errors"] == []
    assert payload["dataSourceResult"]["options"] == [
        {"key": "C1", "label": "general"},
        {"key": "C2", "label": "random"},
    ]
    assert world.acme.keys_seen == [None, KEY]


UPDATE_SCOPED = """mutation($id: ID!, $test: JSONString) {
  updateScopedConfigVariable(input: {id: $id, testValues: $test}) {
    scopedConfigVariable { testStatus testInputs { nodes { name value } } }
    errors { field messages } } }"""
DELETE_SCOPED = """mutation($id: ID!, $force: Boolean) {
  deleteScopedConfigVariable(input: {id: $id, force: $force}) {
    scopedConfigVariable { stableKey } errors { field messages } } }"""


async def test_the_test_instance_data_source_uses_the_test_value(world: World) -> None:
    system = (
        await world.gql(
            "query($id: ID!) { integration(id: $id) { systemInstance { id } } }",
            id=world.integration,
        )
    )["integration"]["systemInstance"]["id"]
    await world.gql(
        "mutation($id: ID!, $v: [InputInstanceConfigVariable]!) { updateInstanceConfigVariables("
        "input: {id: $id, configVariables: $v}) { errors { messages } } }",
        id=system,
        v=[{"key": "Channels URL", "value": f"{world.acme.url}/channels"}],
    )
    updated = (await world.gql(UPDATE_SCOPED, id=world.scoped, test=values(apiKey=KEY)))[
        "updateScopedConfigVariable"
    ]
    assert updated["errors"] == []
    assert updated["scopedConfigVariable"]["testStatus"] == "ACTIVE"
    assert updated["scopedConfigVariable"]["testInputs"]["nodes"] == [
        {"name": "headerName", "value": "X-Acme-Key"},
        {"name": "apiKey", "value": "********"},  # write-only: masked for everyone
    ]
    payload = await world.run(system)
    assert payload["errors"] == [] and world.acme.keys_seen == [KEY]
    assert (await world.run(world.instance))["dataSourceResult"] is None  # no customer value
    assert world.acme.keys_seen == [KEY, None]


async def test_deleting_a_connection_in_use_is_a_field_error_unless_forced(world: World) -> None:
    refused = (await world.gql(DELETE_SCOPED, id=world.scoped))["deleteScopedConfigVariable"]
    assert refused["scopedConfigVariable"] is None
    (error,) = refused["errors"]
    assert error["field"] == "id"
    (message,) = error["messages"]
    assert message.startswith(
        "scoped connection 'Acme API' (stableKey 'acme-api') is used by 1 instance: "
        "'Acme channels' (integration 'Scoped Channel Picker', customer 'Acme') (publish "
    )
    assert "force: true" in message
    forced = (await world.gql(DELETE_SCOPED, id=world.scoped, force=True))[
        "deleteScopedConfigVariable"
    ]
    assert forced == {"scopedConfigVariable": {"stableKey": "acme-api"}, "errors": []}
