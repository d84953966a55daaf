"""The core-only flows of the conformance exports (shared/conformance/yaml/SOURCES.md), run end
to end: the unmodified export is imported, its test instance configured, the flow triggered,
and its step results, logs, persisted state and outgoing requests checked.

Each export also holds flows that need SaaS components Splice does not ship (dropbox, gmail,
slack ...), so these drafts cannot be published; they run on the integration's test instance,
as the designer's "Run" button and ``prism integrations:flows:test`` do.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgpack
import pytest
import yaml
from sqlalchemy import select

from splice import ids
from splice.settings import Settings
from splice.store.tables import StateValue
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings
from tests.integration.runtime.conformance import (
    TEST_CONFIG,
    deploy,
    executions,
    export,
    import_draft,
    ran,
    rerouted_app,
    set_test_config,
    settle,
    test_run,
)
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.recorder import Received, Recorder, recording_server

SYNC = {"prismatic-synchronous": "true"}
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "definitions"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Webhook URLs the flows see point at the app the tests talk to (``Rerouted`` sends them
    back to it over ASGI)."""
    return make_settings(tmp_path, database_url, public_url="http://splice.test")


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with recording_server() as server:
        yield server


@pytest.fixture
async def app(settings: Settings, recorder: Recorder) -> AsyncIterator[Running]:
    stand_ins = {"jsonplaceholder.typicode.com": recorder.url, "postman-echo.com": recorder.url}
    async for running in rerouted_app(settings, stand_ins):
        yield running


async def cross_flow_state(app: Running, instance: str) -> dict[str, Any]:
    """What the instance holds in cross-flow state, read from the database."""
    async with app.services.db.session() as session:
        rows = await session.execute(
            select(StateValue.key, StateValue.value).where(
                StateValue.scope == "crossFlow",
                StateValue.owner == str(ids.decode(instance, "Instance")),
            )
        )
        return {key: value for key, value in rows.all()}


# ---- example-dropbox-router.yml: "Registration Endpoint" and "Print Persisted Data" --------


async def test_dropbox_router_registers_prints_and_deregisters(app: Running) -> None:
    draft = await import_draft(app, export("example-dropbox-router.yml"))
    register = draft.flow_ids["Registration Endpoint"]
    first = {
        "event": "register",
        "dropboxAccountId": "dbid:AAA",
        "instanceChangesWebhookUrl": "https://hooks.example.test/acme",
    }
    second = {**first, "dropboxAccountId": "dbid:BBB", "instanceChangesWebhookUrl": "https://b"}

    registered = await ran(app, await test_run(app, register, first))
    assert registered.status == "succeeded", registered.error
    assert registered.result("branchOnValue") == "Register"
    assert (
        'Registering Dropbox account "dbid:AAA" to send requests to '
        '"https://hooks.example.test/acme"'
    ) in registered.logs
    assert registered.result("crossFlowSaveValue") == {
        "key": "dbid:AAA",
        "value": "https://hooks.example.test/acme",
    }
    assert (await ran(app, await test_run(app, register, second))).status == "succeeded"

    ignored = await ran(app, await test_run(app, register, {"event": "ping"}))
    assert ignored.status == "succeeded", ignored.error
    assert ignored.result("branchOnValue") == "Else"
    assert [key for key, _, _ in ignored.steps] == ["integrationTrigger", "branchOnValue"]

    expected = {"dbid:AAA": "https://hooks.example.test/acme", "dbid:BBB": "https://b"}
    assert await cross_flow_state(app, draft.test_instance) == expected
    printed = await app.http.post(draft.test_urls["Print Persisted Data"], json={}, headers=SYNC)
    assert printed.status_code == 200, printed.text
    assert printed.json() == expected

    gone = await test_run(app, register, {"event": "deregister", "dropboxAccountId": "dbid:AAA"})
    deregistered = await ran(app, gone)
    assert deregistered.status == "succeeded", deregistered.error
    assert deregistered.result("branchOnValue") == "Deregister"
    assert 'Deregistering Dropbox account "dbid:AAA"' in deregistered.logs
    assert await cross_flow_state(app, draft.test_instance) == {"dbid:BBB": "https://b"}
    printed = await app.http.post(draft.test_urls["Print Persisted Data"], json={}, headers=SYNC)
    assert printed.json() == {"dbid:BBB": "https://b"}


# ---- prism-convert-test-integration.yaml: "Step & configVar references" ---------------------


CONFIGURED = {"Simple string": "configured words", "Slack Channels Data Source": "C042"}


@pytest.mark.parametrize(
    ("configured", "words", "channel"),
    [
        ({}, "The quick brown fox jumps over the lazy dog.", ""),
        (CONFIGURED, "configured words", "C042"),
    ],
    ids=["defaults", "test-config"],
)
async def test_step_and_config_var_references(
    app: Running, configured: dict[str, str], words: str, channel: str
) -> None:
    draft = await import_draft(app, export("prism-convert-test-integration.yaml"))
    if configured:
        await set_test_config(app, draft, configured)
    execution = await test_run(app, draft.flow_ids["Step & configVar references"], {})
    result = await ran(app, execution)
    assert result.status == "succeeded", result.error
    assert result.result("codeBlock") == {"testKey": "My return value"}
    logged = result.logs
    assert (
        "The response of the code block action was: My return value. "
        f"This config var value is: {words}."
    ) in logged
    assert words in logged
    assert "My return value" in logged
    assert [key for key, _, _ in result.steps] == [
        "stepConfigvarReferencesTrigger",
        "codeBlock",
        "templateReferences",
        "directConfigVarReference",
        "directStepReference",
        "dataSourceReference",
    ]
    if channel:
        assert channel in logged


# ---- split-payload-example.yml: "Process Records" ---------------------------------------------


async def test_process_records_upper_cases_each_comment_body(app: Running) -> None:
    draft = await import_draft(app, export("split-payload-example.yml"))
    chunk = [{"id": n, "body": f"comment number {n}"} for n in range(1, 4)]
    result = await ran(app, await test_run(app, draft.flow_ids["Process Records"], chunk))
    assert result.status == "succeeded", result.error
    upper = [f"COMMENT NUMBER {n}" for n in range(1, 4)]
    assert result.results("upperCase") == upper
    assert result.result("loopOverItems") == upper
    answer = await app.http.post(draft.test_urls["Process Records"], json=chunk, headers=SYNC)
    assert answer.status_code == 200, answer.text
    assert answer.json() == upper


async def test_process_records_runs_on_a_deployed_customer_instance(app: Running) -> None:
    """Every component of this export is built in, so it publishes and deploys as it is."""
    draft = await import_draft(app, export("split-payload-example.yml"))
    # Main Flow's connection must have a value to deploy; Process Records never uses it
    unused = json.dumps([{"name": "apiKey", "type": "value", "value": "unused-refresh-token"}])
    instance = await deploy(app, draft, [{"key": "Prismatic Connection", "values": unused}])
    chunk = [{"id": 7, "body": "Großes ß"}, {"id": 8, "body": "mixed Case"}]
    answer = await app.http.post(instance.webhook_urls["Process Records"], json=chunk, headers=SYNC)
    assert answer.status_code == 200, answer.text
    assert answer.json() == ["GROSSES SS", "MIXED CASE"]
    [run] = await executions(app, instance.id)
    assert (run["flowName"], run["status"], run["isTestExecution"]) == (
        "Process Records",
        "succeeded",
        False,
    )
    assert await executions(app, draft.test_instance) == []


async def test_main_flow_splits_dispatches_and_collects_through_the_platform_api(
    app: Running, recorder: Recorder
) -> None:
    """Not core-only, but runnable on Splice: the prismatic component talks to this server.

    Main Flow fetches 120 comments, sends chunks of 50 to Process Records, then per child
    execution asks ``executionResult`` for its "Loop Over Items" ``resultsUrl``, downloads the
    MessagePack and collects each ``data``. A JSON result's ``data`` is JSON text there (as
    prism reads it), so the flattened list holds one JSON text per chunk.
    """
    comments = [{"id": n, "body": f"comment {n}"} for n in range(1, 121)]
    recorder.respond = lambda _received: (200, comments)
    draft = await import_draft(app, export("split-payload-example.yml"))
    pair = await app.services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    connection = [{"name": "apiKey", "type": "value", "value": pair.refresh_token}]
    answer = await app.gql(
        TEST_CONFIG,
        id=draft.id,
        vars=[{"key": "Prismatic Connection", "values": json.dumps(connection)}],
    )
    assert answer["updateIntegration"]["errors"] == []
    main = await test_run(app, draft.flow_ids["Main Flow"], {})

    runs = await executions(app, draft.test_instance)
    assert sorted((r["flowName"], r["status"]) for r in runs) == [
        ("Main Flow", "succeeded"),
        *[("Process Records", "succeeded")] * 3,
    ], [r["error"] for r in runs]
    assert [(r.method, r.route) for r in recorder.requests] == [("GET", "/comments")]
    result = await ran(app, main)
    children = [invoked["executionId"] for invoked in result.results("invokeFlow")]
    assert sorted(children) == sorted(r["id"] for r in runs if r["flowName"] != "Main Flow")
    chunks = [[c["body"].upper() for c in comments[start : start + 50]] for start in (0, 50, 100)]
    assert [json.loads(text) for text in result.result("flatten")] == chunks
    downloaded = result.results("getRequest2")[0]
    packed = msgpack.unpackb(base64.b64decode(downloaded["data"]))
    assert json.loads(packed["data"]) == chunks[0]


# ---- recursive-flow-examples.yml: "JSON Placeholder Example" ----------------------------------

MINUTE = timedelta(seconds=60)
COMMENTS = [{"id": n, "postId": 1 + n // 5, "body": f"comment {n}"} for n in range(1, 33)]


def jsonplaceholder(received: Received) -> tuple[int, Any]:
    """``GET /comments?_limit&_page`` pages through 32 comments; anything POSTed gets ``{}``."""
    if received.method == "GET" and received.route == "/comments":
        limit, page = int(received.query["_limit"]), int(received.query["_page"])
        return 200, COMMENTS[(page - 1) * limit : page * limit]
    return 200, {}


async def test_json_placeholder_pages_until_empty_across_recursive_runs(
    app: Running, recorder: Recorder
) -> None:
    recorder.respond = jsonplaceholder
    draft = await import_draft(app, export("recursive-flow-examples.yml"))
    await set_test_config(
        app,
        draft,
        {"JSONPlaceholder Page Size": "5", "Where to send values": f"{recorder.url}/records"},
    )
    first = await test_run(app, draft.flow_ids["JSON Placeholder Example"])
    runs = await executions(app, draft.test_instance)
    assert runs[0]["id"] == first
    await check_paged_to_the_end(app, recorder, runs)


async def test_json_placeholder_starts_when_an_instance_is_deployed(
    app: Running, recorder: Recorder
) -> None:
    """The trigger's ``runOnDeploy: 'true'`` starts the flow at deploy, with no other call.

    Runs ``recursive-json-placeholder-core.yml``, a publishable copy of the export (see its
    header): the export's other flows need connections Splice cannot satisfy.
    """
    recorder.respond = jsonplaceholder
    text = (FIXTURES / "recursive-json-placeholder-core.yml").read_text(encoding="utf-8")
    config = [
        {"key": "JSONPlaceholder Page Size", "value": "5"},
        {"key": "Where to send values", "value": f"{recorder.url}/records"},
    ]
    instance = await deploy(app, await import_draft(app, text), config)
    await settle(app)
    await check_paged_to_the_end(app, recorder, await executions(app, instance.id))


async def test_run_on_deploy_false_waits_for_an_invocation(app: Running) -> None:
    text = (FIXTURES / "recursive-json-placeholder-core.yml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    trigger = document["flows"][0]["steps"][0]
    assert trigger["inputs"]["runOnDeploy"] == {"type": "value", "value": "true"}
    trigger["inputs"]["runOnDeploy"]["value"] = "false"
    instance = await deploy(app, await import_draft(app, yaml.safe_dump(document)))
    await settle(app)
    assert await executions(app, instance.id) == []


async def check_paged_to_the_end(
    app: Running, recorder: Recorder, runs: list[dict[str, Any]]
) -> None:
    """Two runs page through the 32 comments: 5 pages, then the recursive call's 3."""
    assert [(r["flowName"], r["status"]) for r in runs] == [
        ("JSON Placeholder Example", "succeeded"),
        ("JSON Placeholder Example", "stopped"),
    ], [r["error"] for r in runs]

    pages = [r for r in recorder.requests if r.method == "GET"]
    assert [r.route for r in pages] == ["/comments"] * 8
    assert [r.headers.get("x-original-host") for r in pages] == ["jsonplaceholder.typicode.com"] * 8
    assert [r.query for r in pages] == [{"_limit": "5", "_page": str(n)} for n in range(1, 9)]
    posted = [r for r in recorder.requests if r.method == "POST"]
    assert [r.route for r in posted] == ["/records"] * 7
    assert [json.loads(r.body) for r in posted] == [COMMENTS[n : n + 5] for n in range(0, 32, 5)]

    whole = await ran(app, runs[0]["id"])
    assert whole.result("trigger")["body"]["data"] is None
    assert [str(c) for c in whole.results("getRecursiveCursor")] == ["1", "2", "3", "4", "5"]
    assert whole.result("loopOver5Pages") == [2, 3, 4, 5, 6]
    assert "executionId" in whole.result("invokeRecursiveTrigger")

    last = await ran(app, runs[1]["id"])
    assert last.result("trigger")["body"]["data"] == {"cursor": 6}
    assert last.results("getRecursiveCursor") == [6, 7, 8]
    assert last.results("checkIfWeShouldStop") == ["Else", "Else", "No more results"]
    assert last.results("getPageOfComments")[-1] == []
    assert last.results("invokeRecursiveTrigger") == []


# ---- gmail-with-webhooks.yml "Renew Webhook", google-drive-webhooks.yml "Renew Webhook Hourly" --


@pytest.mark.parametrize(
    ("file", "flow", "renewed"),
    [
        ("gmail-with-webhooks.yml", "Renew Webhook", "Deploy Flow"),
        ("google-drive-webhooks.yml", "Renew Webhook Hourly", "Create Webhook"),
    ],
)
async def test_renew_webhook_calls_the_sibling_flows_url(
    app: Running, file: str, flow: str, renewed: str
) -> None:
    draft = await import_draft(app, export(file))
    execution = await test_run(app, draft.flow_ids[flow])
    result = await ran(app, execution)
    assert result.status == "succeeded", result.error
    [trigger_key] = [key for key, _, _ in result.steps[:1]]
    assert result.result(trigger_key)["webhookUrls"][renewed] == (
        "http://splice.test" + draft.test_urls[renewed]
    )
    called = result.result("getRequest")
    runs = {r["id"]: r for r in await executions(app, draft.test_instance)}
    assert set(runs) == {execution, called["executionId"]}
    assert runs[called["executionId"]]["flowName"] == renewed


async def test_renew_webhook_fires_weekly_on_a_deployed_instance(app: Running) -> None:
    """The scheduler starts "Renew Webhook" at its weekly tick (``00 00 * * 0``, leading zeros
    as exported); its GET re-runs "Deploy Flow", whose saved value moves to the new run.

    Runs ``gmail-renew-webhook-core.yml``, a publishable copy of the export (see its header).
    """
    text = (FIXTURES / "gmail-renew-webhook-core.yml").read_text(encoding="utf-8")
    instance = await deploy(app, await import_draft(app, text))
    await settle(app)
    [deployed] = await executions(app, instance.id)
    assert (deployed["flowName"], deployed["status"]) == ("Deploy Flow", "succeeded")
    assert await cross_flow_state(app, instance.id) == {"historyId": deployed["id"]}

    sunday = datetime(2026, 12, 6, 0, 0, 20, tzinfo=UTC)
    assert await app.services.schedules.claim_due(sunday - timedelta(days=1), MINUTE) == []
    [tick] = await app.services.schedules.claim_due(sunday, MINUTE)
    assert await app.services.schedules.claim_due(sunday + timedelta(seconds=30), MINUTE) == []
    await app.dispatcher.submit(tick)
    await settle(app)

    renewed = ids.encode("InstanceExecutionResult", tick)
    result = await ran(app, renewed)
    assert result.status == "succeeded", result.error
    assert result.result("renewWebhookTrigger")["webhookUrls"]["Deploy Flow"] == (
        "http://splice.test" + instance.webhook_urls["Deploy Flow"]
    )
    again = result.result("getRequest")["executionId"]
    runs = {r["id"]: r for r in await executions(app, instance.id)}
    assert set(runs) == {deployed["id"], renewed, again}
    assert (runs[again]["flowName"], runs[again]["status"]) == ("Deploy Flow", "succeeded")
    assert await cross_flow_state(app, instance.id) == {"historyId": again}
