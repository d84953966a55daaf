"""``runInstanceDataSource`` end to end: the http component's ``jsonPicklist`` against a local server.

The data source reads the instance's connection (an API key) and a URL config variable, fetches
JSON over real HTTP and offers picklist choices; unsaved values overlay the stored ones for one
run; failures and timeouts name the config variable and the cause.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
import yaml

from splice.api.app import create_app
from splice.components import ActionContext, component
from splice.components.builtin import SPECS
from splice.components.registry import Registry
from splice.services import Services
from splice.services.data_sources import DataSourceFailed, DataSourceOption, DataSourceService
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.graphql_calls import graphql_data
from tests.loopback import serving

KEY = "acme-secret"
CHANNELS = {"data": {"channels": [{"id": "C1", "name": "general"}, {"id": "C2", "name": "random"}]}}
RUN = """mutation($id: ID!, $key: String!, $values: [InputInstanceConfigVariable]) {
  runInstanceDataSource(input: {id: $id, configVariableKey: $key, configVariables: $values}) {
    dataSourceResult { configVariableKey component dataSource dataSourceType result
      options { key label } logs { severity message logType } }
    errors { field messages }
  }
}"""


@dataclass
class Acme:
    """A loopback "third party": ``/channels`` needs the API key, ``/hang`` never answers."""

    url: str
    keys_seen: list[str | None] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def acme() -> Iterator[Acme]:
    server_state = Acme(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/hang":
                server_state.release.wait(timeout=30)
            server_state.keys_seen.append(self.headers.get("X-Acme-Key"))
            ok = self.headers.get("X-Acme-Key") == KEY
            body = json.dumps(CHANNELS if ok else {"error": "bad key"}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return None

    with serving(Handler) as server_state.url:
        yield server_state
        server_state.release.set()


def ref(kind: str, value: str) -> dict[str, str]:
    return {"type": kind, "value": value}


def integration_yaml() -> str:
    document = {
        "definitionVersion": 7,
        "name": "Channel Picker",
        "endpointType": "flow_specific",
        "requiredConfigVars": [
            {
                "key": "Acme API",
                "dataType": "connection",
                "connection": {
                    "key": "apiKey",
                    "component": {"key": "http", "version": "LATEST", "isPublic": True},
                },
                "inputs": {"apiKey": ref("value", ""), "headerName": ref("value", "X-Acme-Key")},
            },
            {"key": "Channels URL", "dataType": "string"},
            {
                "key": "Channel",
                "dataType": "picklist",
                "dataSource": {
                    "key": "jsonPicklist",
                    "component": {"key": "http", "version": "LATEST", "isPublic": True},
                },
                "inputs": {
                    "url": ref("configVar", "Channels URL"),
                    "connection": ref("configVar", "Acme API"),
                    "path": ref("value", "data.channels"),
                    "keyField": ref("value", "id"),
                    "labelField": ref("value", "name"),
                },
            },
        ],
        "flows": [
            {
                "name": "Post",
                "endpointSecurityType": "unsecured",
                "steps": [
                    {
                        "name": "Trigger",
                        "isTrigger": True,
                        "action": {
                            "key": "webhook",
                            "component": {"key": "webhook-triggers", "version": "LATEST"},
                        },
                        "inputs": {},
                    },
                    {
                        "name": "Log",
                        "action": {
                            "key": "writeLog",
                            "component": {"key": "log", "version": "LATEST"},
                        },
                        "inputs": {"message": ref("template", "to {{#Channel}}")},
                    },
                ],
            }
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)


@dataclass
class World:
    http: httpx.AsyncClient
    token: str
    services: Services
    instance: str = ""

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql_data(self.http, self.token, query, **variables)

    async def run(self, key: str = "Channel", **overrides: str) -> dict[str, Any]:
        values = [{"key": k.replace("_", " "), "value": v} for k, v in overrides.items()]
        data = await self.gql(RUN, id=self.instance, key=key, values=values or None)
        payload: dict[str, Any] = data["runInstanceDataSource"]
        return payload


def connection(api_key: str) -> dict[str, str]:
    return {
        "key": "Acme API",
        "values": json.dumps([{"name": "apiKey", "type": "value", "value": api_key}]),
    }


@pytest.fixture
async def world(settings: Settings, acme: Acme) -> AsyncIterator[World]:
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://splice.test") as http:
        world = World(http, pair.access_token, services)
        customer = (
            await world.gql(
                'mutation { createCustomer(input: {name: "Acme"}) { customer { id } } }'
            )
        )["createCustomer"]["customer"]["id"]
        imported = await world.gql(
            "mutation($d: String!) { importIntegration(input: {definition: $d}) "
            "{ integration { id } errors { messages } } }",
            d=integration_yaml(),
        )
        integration = imported["importIntegration"]["integration"]["id"]
        published = await world.gql(
            "mutation($id: ID!) { publishIntegration(input: {id: $id}) { integration { id } } }",
            id=integration,
        )
        created = await world.gql(
            "mutation($v: ID!, $c: ID!, $values: [InputInstanceConfigVariable]) { createInstance("
            'input: {name: "Acme channels", integration: $v, customer: $c, '
            "configVariables: $values}) { instance { id } errors { messages } } }",
            v=published["publishIntegration"]["integration"]["id"],
            c=customer,
            values=[connection(KEY), {"key": "Channels URL", "value": f"{acme.url}/channels"}],
        )
        world.instance = created["createInstance"]["instance"]["id"]
        yield world
    await services.db.dispose()


async def test_picklist_choices_come_from_the_connection_and_url_config(
    world: World, acme: Acme
) -> None:
    payload = await world.run()
    assert payload["errors"] == []
    result = payload["dataSourceResult"]
    assert result["options"] == [
        {"key": "C1", "label": "general"},
        {"key": "C2", "label": "random"},
    ]
    assert json.loads(result["result"]) == result["options"]
    assert (result["component"], result["dataSource"], result["dataSourceType"]) == (
        "http",
        "jsonPicklist",
        "picklist",
    )
    assert result["logs"] == [
        {
            "severity": "info",
            "message": f"GET {acme.url}/channels: 2 choices",
            "logType": "DATA_SOURCE",
        }
    ]
    assert acme.keys_seen == [KEY]


LOGS = """query($id: ID!) { instance(id: $id) {
  dataSourceLogs(configVariableKey: "Channel") { severity message logType configVariableKey } } }"""


async def test_runs_leave_their_logs_and_failures_on_the_instance(world: World, acme: Acme) -> None:
    await world.run()
    refused = await world.gql(RUN, id=world.instance, key="Channel", values=[connection("wrong")])
    failure = refused["runInstanceDataSource"]["errors"][0]["messages"][0]
    stored = (await world.gql(LOGS, id=world.instance))["instance"]["dataSourceLogs"]
    assert stored == [
        {
            "severity": "error",
            "message": failure,
            "logType": "DATA_SOURCE",
            "configVariableKey": "Channel",
        },
        {
            "severity": "info",
            "message": f"GET {acme.url}/channels: 2 choices",
            "logType": "DATA_SOURCE",
            "configVariableKey": "Channel",
        },
    ]


async def test_unsaved_values_apply_to_one_run_only(world: World, acme: Acme) -> None:
    refused = await world.gql(RUN, id=world.instance, key="Channel", values=[connection("wrong")])
    errors = refused["runInstanceDataSource"]["errors"]
    assert errors[0]["field"] == "configVariableKey"
    message = errors[0]["messages"][0]
    assert "config variable 'Channel'" in message and "http.jsonPicklist" in message
    assert "answered 401" in message
    again = await world.run()
    assert again["errors"] == [] and acme.keys_seen == ["wrong", KEY]


async def test_a_data_source_that_hangs_times_out_with_a_clear_error(
    world: World, acme: Acme
) -> None:
    world.services.data_sources.timeout_seconds = 0.5
    payload = await world.run(Channels_URL=f"{acme.url}/hang")
    acme.release.set()
    assert payload["dataSourceResult"] is None
    assert payload["errors"] == [
        {
            "field": "configVariableKey",
            "messages": [
                "config variable 'Channel': data source http.jsonPicklist timed out after 0.5 s "
                "(check that the service it calls answers)"
            ],
        }
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("Channels URL", "config variable 'Channels URL' has no data source"),
        ("Nope", "config variable not found: Nope"),
    ],
)
async def test_only_data_source_variables_run(world: World, key: str, expected: str) -> None:
    payload = await world.run(key)
    assert payload["errors"][0]["field"] == "configVariableKey"
    assert payload["errors"][0]["messages"][0].startswith(expected)


def blocking_http(release: threading.Event) -> Registry:
    """The built-ins with an ``http`` whose ``jsonPicklist`` is a plain (blocking) function."""
    fake = component("http", label="HTTP")

    @fake.data_source("jsonPicklist", label="Blocking")
    def pick(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        if not release.wait(timeout=30):
            raise RuntimeError("never released")
        return ["only"]

    return Registry([*(spec for spec in SPECS if spec.key != "http"), fake.build()])


async def test_a_plain_function_runs_off_the_event_loop(world: World) -> None:
    release = threading.Event()
    service = DataSourceService(
        world.services.db,
        blocking_http(release),
        world.services.instances,
        timeout_seconds=0.5,
    )
    actor = await world.services.auth.authenticate(world.token)
    with pytest.raises(DataSourceFailed, match=r"timed out after 0\.5 s"):
        await service.run(actor, world.instance, "Channel")
    release.set()
    run = await service.run(actor, world.instance, "Channel")
    assert run.options == [DataSourceOption("only", "only")]
