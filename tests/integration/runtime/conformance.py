"""Running the conformance exports' core-only flows through the real app, offline.

The exports live in ``shared/conformance/yaml`` beside the repository (CI clones it there; a
missing folder fails the run when ``CI`` is set and skips it otherwise). Flows run on the
integration's test instance (import, test config values, test run), or on a deployed instance.
Their HTTP goes through ``ExecutionService.http_transport``: ``Rerouted`` sends Splice's own
URLs to the app over ASGI and the public hosts the exports hard-code to a loopback recorder, and
refuses every other host, so no test reaches the internet.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgpack
import pytest

from splice.api.app import create_app
from splice.runtime.inline import InlineDispatcher
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.runtime.conftest import Running

CONFORMANCE = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "yaml"
BASE = "http://splice.test"


def export(name: str) -> str:
    """The text of one unmodified export; fails under CI when it is missing, else skips."""
    path = CONFORMANCE / name
    if not path.is_file():
        message = f"conformance export {path} not found (shared/ must sit beside the repository)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


class Rerouted(httpx.AsyncBaseTransport):
    """Route requests by host: to a transport (the app), to a stand-in URL, or nowhere.

    ``127.0.0.1`` passes through (the recorder); a host listed in ``stand_ins`` is rewritten to
    that base URL with the path and query kept; any other host fails like a refused connection.
    """

    def __init__(
        self,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport],
        stand_ins: Mapping[str, str],
    ) -> None:
        self._transports = dict(transports)
        self._stand_ins = {host: httpx.URL(url) for host, url in stand_ins.items()}
        self._network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self._transports:
            return await self._transports[host].handle_async_request(request)
        if host in self._stand_ins:
            target = self._stand_ins[host]
            request.url = request.url.copy_with(
                scheme=target.scheme, host=target.host, port=target.port
            )
            request.headers["host"] = request.url.netloc.decode("ascii")
            request.headers["x-original-host"] = host
            return await self._network.handle_async_request(request)
        if host == "127.0.0.1":
            return await self._network.handle_async_request(request)
        raise httpx.ConnectError(f"the test refused to reach {host}", request=request)

    async def aclose(self) -> None:
        await self._network.aclose()


async def rerouted_app(settings: Settings, stand_ins: Mapping[str, str]) -> AsyncIterator[Running]:
    """The app (inline dispatcher) whose runs' HTTP goes through ``Rerouted``."""
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    dispatcher: InlineDispatcher = app.state.dispatcher
    await dispatcher.start()
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    to_app = httpx.ASGITransport(app=app)
    routes = Rerouted(transports={httpx.URL(BASE).host: to_app}, stand_ins=stand_ins)
    services.executions.http_transport = routes
    async with httpx.AsyncClient(transport=to_app, base_url=BASE) as http:
        yield Running(http, services, dispatcher, pair.access_token)
    await dispatcher.stop()
    await routes.aclose()
    await services.db.dispose()


@dataclass(frozen=True)
class Draft:
    """An imported integration: its ID, its test instance and its flows by name."""

    id: str
    test_instance: str
    flow_ids: dict[str, str]
    test_urls: dict[str, str]


IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) { integration { id "
    "systemInstance { id } flows { nodes { id name testUrl } } } errors { field messages } } }"
)
TEST_CONFIG = (
    "mutation($id: ID!, $vars: [InputInstanceConfigVariable]) { updateIntegration(input: "
    "{id: $id, testConfigVariables: $vars}) { integration { id } errors { field messages } } }"
)
TEST_RUN = (
    "mutation($id: ID!, $p: String, $ct: String) { testIntegrationFlow(input: "
    "{id: $id, payload: $p, contentType: $ct}) { testIntegrationFlowResult "
    "{ execution { id } } errors { field messages } } }"
)
EXECUTIONS = (
    "query($instance: ID) { executionResults(instance: $instance, first: 100) { nodes "
    "{ id flowName status error startedAt endedAt isTestExecution } } }"
)
STEPS = (
    "query($id: ID!) { executionResult(id: $id) { status error stepResults(first: 500) "
    "{ nodes { stepName displayStepName status resultsUrl } } } }"
)
LOGS = "query($id: ID!) { logs(executionResult: $id, first: 500) { nodes { severity message } } }"


PUBLISH = (
    'mutation($id: ID!) { publishIntegration(input: {id: $id, comment: "conformance"}) '
    "{ integration { id } errors { field messages } } }"
)
CUSTOMER = (
    "mutation($n: String!) { createCustomer(input: {name: $n, externalId: $n}) "
    "{ customer { id } errors { field messages } } }"
)
CREATE_INSTANCE = (
    "mutation($i: ID!, $c: ID!, $v: [InputInstanceConfigVariable]) { createInstance(input: "
    '{name: "Conformance", integration: $i, customer: $c, configVariables: $v}) '
    "{ instance { id } errors { field messages } } }"
)
DEPLOY = (
    "mutation($id: ID!) { deployInstance(input: {id: $id}) { instance { id "
    "flowConfigs { nodes { flow { name } webhookUrl } } } errors { field messages } } }"
)


@dataclass(frozen=True)
class Deployed:
    """A customer's deployed instance and its flows' webhook paths by flow name."""

    id: str
    webhook_urls: dict[str, str]


async def deploy(
    app: Running, draft: Draft, config: list[dict[str, str]] | None = None
) -> Deployed:
    """Publish the draft, create a customer's instance with ``config`` and deploy it."""
    published = (await app.gql(PUBLISH, id=draft.id))["publishIntegration"]
    assert published["errors"] == [], published["errors"]
    customer = (await app.gql(CUSTOMER, n="Conformance Customer"))["createCustomer"]
    assert customer["errors"] == [], customer["errors"]
    created = (
        await app.gql(
            CREATE_INSTANCE,
            i=published["integration"]["id"],
            c=customer["customer"]["id"],
            v=config or [],
        )
    )["createInstance"]
    assert created["errors"] == [], created["errors"]
    deployed = (await app.gql(DEPLOY, id=created["instance"]["id"]))["deployInstance"]
    assert deployed["errors"] == [], deployed["errors"]
    nodes = deployed["instance"]["flowConfigs"]["nodes"]
    return Deployed(
        deployed["instance"]["id"],
        {n["flow"]["name"]: n["webhookUrl"].removeprefix(BASE) for n in nodes},
    )


async def import_draft(app: Running, text: str) -> Draft:
    """Import an export as a draft; the import must report no errors."""
    payload = (await app.gql(IMPORT, d=text))["importIntegration"]
    assert payload["errors"] == [], payload["errors"]
    integration = payload["integration"]
    nodes = integration["flows"]["nodes"]
    return Draft(
        id=integration["id"],
        test_instance=integration["systemInstance"]["id"],
        flow_ids={n["name"]: n["id"] for n in nodes},
        test_urls={n["name"]: n["testUrl"].removeprefix(BASE) for n in nodes},
    )


async def set_test_config(app: Running, draft: Draft, values: Mapping[str, str]) -> None:
    """Give the test instance these config values."""
    variables = [{"key": key, "value": value} for key, value in values.items()]
    answer = await app.gql(TEST_CONFIG, id=draft.id, vars=variables)
    assert answer["updateIntegration"]["errors"] == [], answer["updateIntegration"]["errors"]


async def test_run(app: Running, flow_id: str, payload: Any = None) -> str:
    """Start a test run of a draft flow (as ``prism integrations:flows:test`` does) and wait
    until it, and every execution it started, has finished; the execution's ID."""
    answer = await app.gql(
        TEST_RUN,
        id=flow_id,
        p=None if payload is None else json.dumps(payload),
        ct="application/json",
    )
    result = answer["testIntegrationFlow"]
    assert result["errors"] == [], result["errors"]
    await settle(app)
    execution_id: str = result["testIntegrationFlowResult"]["execution"]["id"]
    return execution_id


test_run.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test


async def settle(app: Running) -> None:
    """Wait until the inline dispatcher has run everything submitted so far."""
    dispatcher = app.dispatcher
    assert isinstance(dispatcher, InlineDispatcher)
    await dispatcher.join()


async def executions(app: Running, instance: str) -> list[dict[str, Any]]:
    """The instance's executions, oldest first."""
    nodes = (await app.gql(EXECUTIONS, instance=instance))["executionResults"]["nodes"]
    return sorted(nodes, key=lambda n: n["startedAt"] or "")


@dataclass(frozen=True)
class Ran:
    """One finished execution: status, error, step results (in order) and log lines."""

    status: str
    error: str | None
    steps: list[tuple[str, str, Any]]
    logs: list[str]

    def results(self, step_key: str) -> list[Any]:
        """Every result recorded for a step key (several for a step inside a loop)."""
        return [data for key, _status, data in self.steps if key == step_key]

    def result(self, step_key: str) -> Any:
        """The one result of a step that ran once."""
        [data] = self.results(step_key)
        return data


async def ran(app: Running, execution_id: str) -> Ran:
    """Read a finished execution back through the API, step results from their results URLs."""
    execution = (await app.gql(STEPS, id=execution_id))["executionResult"]
    steps = []
    for node in execution["stepResults"]["nodes"]:
        blob = await app.http.get(node["resultsUrl"].removeprefix(BASE))
        assert blob.status_code == 200, blob.text
        packed = msgpack.unpackb(blob.content)
        data = packed.get("data")
        if packed.get("contentType") == "application/json" and isinstance(data, str | bytes):
            data = json.loads(data)
        steps.append((node["stepName"], node["status"], data))
    logs = [n["message"] for n in (await app.gql(LOGS, id=execution_id))["logs"]["nodes"]]
    return Ran(execution["status"], execution["error"], steps, logs)
