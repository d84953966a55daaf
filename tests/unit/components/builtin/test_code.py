"""code.runCode: the CommonJS modules of the exports, run in a V8 isolate with limits."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from splice.components.builtin import code
from splice.components.builtin._js import JsError, JsLimits, JsMemoryExceeded, JsTimeout
from splice.components.context import LogSeverity
from splice.components.sdk import ActionResult
from splice.components.testing import MemoryState, invoke, make_context
from tests.unit.components.builtin import payloads

MAPPING = [
    {"source": "name", "destination": "acct_name"},
    {"source": "annualrevenue", "destination": "revenue"},
]
TIGHT = code.make_component(limits=JsLimits(timeout_s=0.5))
SMALL_HEAP = code.make_component(limits=JsLimits(timeout_s=60, max_memory=64 * 1024 * 1024))


async def test_hubspot_mapping_reads_step_results_and_config_vars() -> None:
    result = await invoke(
        code.COMPONENT,
        "runCode",
        {"code": payloads.text("code", "hubspot-map-fields.js")},
        config_vars={"Hubspot Company Field Mapping": MAPPING},
        step_results={"getCompany": {"properties": {"name": "Acme", "annualrevenue": "1000000"}}},
    )
    assert result == {"acct_name": "Acme", "revenue": "1000000"}


async def test_salesforce_query_builder_returns_text() -> None:
    result = await invoke(
        code.COMPONENT,
        "runCode",
        {"code": payloads.text("code", "salesforce-generate-soql.js")},
        config_vars={"Salesforce Record Type": "Account"},
        step_results={"deserializeJson": {"CreatedDate": "2024-01-01T00:00:00Z", "Id": "001A"}},
    )
    assert "SELECT Id, CreatedDate FROM Account" in result
    assert "AND Id > '001A'" in result


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return { data: true };", True),
        ("return { data: 100 };", 100),
        ("return { data: null };", None),
        ("return { data: new Date(Date.UTC(2024, 0, 2)) };", "2024-01-02T00:00:00.000Z"),
        ("return undefined;", None),
    ],
)
async def test_the_returned_data_is_the_result(body: str, expected: object) -> None:
    source = f"module.exports = async ({{ logger, configVars }}, stepResults) => {{ {body} }};"
    assert await invoke(code.COMPONENT, "runCode", {"code": source}) == expected


async def test_logger_calls_reach_the_step_log_in_order() -> None:
    logs: list[tuple[LogSeverity, str]] = []
    source = """module.exports = async ({ logger }) => {
      logger.info("starting", { page: 1 });
      logger.warn("slow");
      console.log("from console");
      return { data: 1 };
    };"""
    assert await invoke(code.COMPONENT, "runCode", {"code": source}, logs=logs) == 1
    assert logs == [("info", 'starting {"page":1}'), ("warn", "slow"), ("info", "from console")]


async def test_sync_response_fields_are_kept() -> None:
    source = """module.exports = async () => ({
      data: "<ok/>", contentType: "application/xml", statusCode: 202, headers: { "X-Id": 7 },
    });"""
    result = await invoke(code.COMPONENT, "runCode", {"code": source})
    assert result == ActionResult(
        data="<ok/>", content_type="application/xml", status_code=202, headers={"X-Id": "7"}
    )


async def test_cross_flow_state_is_read_and_changes_are_written_back() -> None:
    state = MemoryState({"crossFlow": {"acct-1": "https://hooks.test/a", "stale": 1}})
    read = "module.exports = async ({ crossFlowState }) => ({ data: crossFlowState })"
    assert await invoke(code.COMPONENT, "runCode", {"code": read}, state=state) == {
        "acct-1": "https://hooks.test/a",
        "stale": 1,
    }
    write = """module.exports = async ({ crossFlowState }) => {
      crossFlowState["acct-2"] = "https://hooks.test/b";
      delete crossFlowState.stale;
      return { data: null, executionState: { seen: 2 } };
    };"""
    await invoke(code.COMPONENT, "runCode", {"code": write}, state=state)
    assert state.scopes["crossFlow"] == {
        "acct-1": "https://hooks.test/a",
        "acct-2": "https://hooks.test/b",
    }
    assert state.scopes["execution"] == {"seen": 2}


async def test_thrown_errors_fail_the_step_and_keep_earlier_logs() -> None:
    logs: list[tuple[LogSeverity, str]] = []
    source = """module.exports = async ({ logger }, stepResults) => {
      logger.info("about to read");
      return { data: stepResults.missing.results };
    };"""
    with pytest.raises(JsError, match="TypeError"):
        await invoke(code.COMPONENT, "runCode", {"code": source}, logs=logs)
    assert logs == [("info", "about to read")]


async def test_a_thrown_error_shows_the_users_frames_only() -> None:
    source = "module.exports = async () => { throw new Error('boom'); };"
    with pytest.raises(JsError) as raised:
        await invoke(code.COMPONENT, "runCode", {"code": source})
    lines = str(raised.value).splitlines()
    assert lines[0] == "Error: boom"
    # the frame of the user's module is kept; the harness's own frames are not
    assert all("eval at" in line for line in lines[1:]) and len(lines) >= 2


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("statusCode: 'abc'", "the code returned statusCode 'abc', which is not an HTTP status"),
        ("statusCode: 99999", "the code returned statusCode 99999, which is not an HTTP status"),
        ("statusCode: 201.5", "the code returned statusCode 201.5, which is not an HTTP status"),
        ("headers: 'x'", "the code returned headers that are not an object: 'x'"),
    ],
)
async def test_a_returned_response_must_be_one_http_can_carry(returned: str, message: str) -> None:
    source = f"module.exports = async () => ({{ data: 1, {returned} }});"
    with pytest.raises(JsError, match=message):
        await invoke(code.COMPONENT, "runCode", {"code": source})


async def test_a_returned_status_code_is_an_int() -> None:
    source = "module.exports = async () => ({ data: 1, statusCode: '201' });"
    got = await invoke(code.COMPONENT, "runCode", {"code": source})
    assert got == ActionResult(data=1, status_code=201)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("module.exports = async () => {", "SyntaxError"),
        ("module.exports = 5;", "module.exports to a function"),
        ("const x = require('fs'); module.exports = () => ({})", "require"),
    ],
)
async def test_bad_modules_say_why(source: str, message: str) -> None:
    with pytest.raises(JsError, match=message):
        await invoke(code.COMPONENT, "runCode", {"code": source})


async def test_runaway_code_is_stopped_by_the_time_limit() -> None:
    source = "module.exports = async () => { await null; while (true) {} };"
    with pytest.raises(JsTimeout):
        await invoke(TIGHT, "runCode", {"code": source})


async def test_memory_hog_is_stopped_by_the_memory_limit() -> None:
    source = """module.exports = async () => {
      const hog = [];
      while (true) hog.push(new Array(100000).fill(hog.length));
    };"""
    with pytest.raises(JsMemoryExceeded):
        await invoke(SMALL_HEAP, "runCode", {"code": source})


async def test_binary_step_results_arrive_as_base64() -> None:
    source = "module.exports = async (ctx, s) => ({ data: s.download.results.data })"
    result = await invoke(
        code.COMPONENT,
        "runCode",
        {"code": source},
        step_results={"download": {"data": b"\x00\x01hi"}},
    )
    assert result == "AAFoaQ=="


async def test_json_form_data_source_returns_schema_ui_schema_and_data() -> None:
    source = """module.exports = async (context, { connection, contextValue }) => {
      const token = connection.token.access_token;
      return Promise.resolve({
        schema: { type: "array" },
        uiSchema: { type: "Control", scope: "#" },
        data: [{ source: "Id", destination: token }],
      });
    };"""
    function = code.COMPONENT.data_source_functions["runCodeJsonForm"]
    result = await function(
        make_context(), {"code": source, "connection": {"token": {"access_token": "t0k"}}}
    )
    assert result == {
        "schema": {"type": "array"},
        "uiSchema": {"type": "Control", "scope": "#"},
        "data": [{"source": "Id", "destination": "t0k"}],
    }


async def test_loop_current_item_and_index_sit_next_to_results() -> None:
    source = """module.exports = async ({ configVars }, stepResults) => {
      const account = stepResults.loopOverAccounts.currentItem;
      return {
        data: [account.Name, stepResults.loopOverAccounts.index, stepResults.getRecord.results.Name],
      };
    };"""
    result = await invoke(
        code.COMPONENT,
        "runCode",
        {"code": source},
        step_results={"getRecord": {"Name": "Acme"}},
        loops={"loopOverAccounts": ({"Name": "Initech", "AnnualRevenue": 5}, 2)},
    )
    assert result == ["Initech", 2, "Acme"]


async def test_json_form_data_source_of_the_hubspot_export_fetches_with_the_connection_token() -> (
    None
):
    seen: list[httpx.Request] = []

    def hubspot(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json=payloads.data("code", "hubspot-company-schema-response.json")
        )

    ctx = make_context(transport=httpx.MockTransport(hubspot))
    function = code.COMPONENT.data_source_functions["runCodeJsonForm"]
    result = await function(
        ctx,
        {
            "code": payloads.text("code", "hubspot-company-fields-form.js"),
            "connection": {"key": "oauth2", "fields": {}, "token": {"access_token": "hs-token"}},
        },
    )
    (request,) = seen
    assert str(request.url) == "https://api.hubapi.com/crm-object-schemas/v3/schemas/companies"
    assert request.headers["authorization"] == "Bearer hs-token"
    assert result["schema"]["items"]["properties"]["source"]["oneOf"] == [
        {"title": "Annual Revenue", "const": "annualrevenue"},
        {"title": "Name", "const": "name"},
        {"title": "Website URL", "const": "website"},
    ]
    assert result["uiSchema"]["label"] == "Hubspot / Acme Account Field Mapper"
    assert {"source": "Name", "destination": "name"} in result["data"]


async def test_fetch_in_a_code_step_posts_through_the_run_transport_and_fails_cleanly() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.test":
            raise httpx.ConnectError("refused")
        return httpx.Response(201, json={"echo": request.content.decode()}, headers={"X-Id": "9"})

    source = """module.exports = async () => {
      const r = await fetch("https://api.test/items", { method: "POST", body: JSON.stringify({ a: 1 }) });
      const body = await r.json();
      let failure = null;
      try { await fetch("https://down.test/"); } catch (e) { failure = e.message; }
      return { data: { ok: r.ok, status: r.status, id: r.headers.get("x-id"), body, failure } };
    };"""
    result = await invoke(
        code.COMPONENT, "runCode", {"code": source}, transport=httpx.MockTransport(api)
    )
    assert result == {
        "ok": True,
        "status": 201,
        "id": "9",
        "body": {"echo": '{"a":1}'},
        "failure": "fetch failed: ConnectError: refused",
    }


async def test_scripts_started_together_all_finish() -> None:
    """mini-racer crashed the process (SIGSEGV) when two isolates ran on two threads at once."""
    source = "module.exports = async (context, stepResults) => ({ data: stepResults.n.results });"
    for _ in range(10):
        results = await asyncio.gather(
            *(
                invoke(code.COMPONENT, "runCode", {"code": source}, step_results={"n": n})
                for n in range(4)
            )
        )
        assert results == [0, 1, 2, 3]
