"""``integrations:flows:test``, tailing, and ``executions:step-result:get`` (no sleeping: a fake clock)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import msgpack
import pytest

from splice.cli import executions, flow_test, tail
from splice.cli.errors import CLIError
from splice.cli.executions import render_output
from splice.cli.tail import poll_interval
from tests.unit.cli.fakes import BASE, FakeServer, Invoker

TEST_URL = f"{BASE}/trigger/abc"
FLOW = {
    "id": "F1",
    "stableKey": "k",
    "name": "Flow 1",
    "description": None,
    "testUrl": TEST_URL,
    "trigger": {
        "action": {
            "component": {"key": "webhook-triggers"},
            "isPollingTrigger": False,
            "scheduleSupport": "INVALID",
        }
    },
}


def system_instance(state: str = "FULLY_CONFIGURED", code_native: bool = False) -> dict[str, Any]:
    return {
        "integration": {
            "isCodeNative": code_native,
            "systemInstance": {"id": "S", "configState": state},
        }
    }


def flows(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"integration": {"flows": {"nodes": list(nodes), "pageInfo": {"hasNextPage": False}}}}


def webhook(server: FakeServer, body: Any = None, execution: str = "EX1") -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        payload = {"executionId": execution} if body is None else body
        return httpx.Response(200, json=payload, headers={"prismatic-executionid": execution})

    server.routes["/trigger/abc"] = answer
    return seen


def test_flow_test_posts_the_payload_without_credentials(
    run: Invoker, server: FakeServer, tmp_path: Path
) -> None:
    payload = tmp_path / "p.json"
    payload.write_text('{"a": 1}', encoding="utf-8")
    server.answer(system_instance())
    server.answer(flows(FLOW))
    seen = webhook(server)
    result = run(
        [
            "integrations:flows:test",
            "-i",
            "I1",
            "-n",
            "Flow 1",
            "-p",
            str(payload),
            "--sync",
            "--debug",
            "--apiKey",
            "k1",
        ]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"executionId": "EX1"}
    assert "To re-run this flow directly" in result.stderr
    request = seen[0]
    assert request.content == b'{"a": 1}' and "Authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["prismatic-synchronous"] == "true"
    assert request.headers["prismatic-debug"] == "true" and request.headers["Api-Key"] == "k1"
    assert server.graphql[0] == {
        "query": flow_test.SYSTEM_INSTANCE,
        "variables": {"integrationId": "I1"},
    }
    assert server.variables[1] == {"id": "I1"}


def test_flow_test_reads_the_integration_from_spectral(
    run: Invoker, server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".spectral").mkdir()
    (tmp_path / ".spectral" / "prism.json").write_text('{"integrationId": "I9"}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    server.answer(system_instance())
    server.answer(flows(FLOW))
    seen = webhook(server, body={"ok": True})
    result = run(["integrations:flows:test", "-f", "F1", "--quiet"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert server.variables[0] == {"integrationId": "I9"}
    assert seen[0].content == b""


def test_polling_flow_sends_the_payload_in_a_header(
    run: Invoker, server: FakeServer, tmp_path: Path
) -> None:
    polling = {
        **FLOW,
        "trigger": {"action": {"component": {"key": "x"}, "scheduleSupport": "REQUIRED"}},
    }
    payload = tmp_path / "p.json"
    payload.write_text('{"a": 1}', encoding="utf-8")
    server.answer(system_instance())
    server.answer(flows(polling))
    seen = webhook(server)
    run(["integrations:flows:test", "-i", "I1", "-f", "F1", "-p", str(payload)])
    simulated = json.loads(seen[0].headers["prismatic-simulated-trigger-result"])
    assert simulated == {"payload": {"body": {"data": '{"a": 1}'}}} and seen[0].content == b""


@pytest.mark.parametrize(
    ("answers", "args", "message"),
    [
        ([], ["-n", "Flow 1"], "You must provide an integration ID."),
        (
            [system_instance("NEEDS_INSTANCE_CONFIGURATION")],
            ["-i", "I1", "-n", "x"],
            "needs configuration",
        ),
        (
            [system_instance(), flows(FLOW)],
            ["-i", "I1", "-n", "Nope"],
            "Could not find flow 'Nope'",
        ),
        ([system_instance()], ["-i", "I1"], "Say which flow to test"),
    ],
)
def test_flow_test_errors(
    run: Invoker,
    server: FakeServer,
    answers: list[Any],
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    for answer in answers:
        server.answer(answer)
    result = run(["integrations:flows:test", *args])
    assert result.exit_code == 2 and message in result.stderr


def test_non_json_webhook_answer_is_a_clear_error(run: Invoker, server: FakeServer) -> None:
    server.routes["/trigger/abc"] = lambda _r: httpx.Response(502, text="<html>")
    result = run(["integrations:flows:test", "-u", TEST_URL])
    assert result.exit_code == 2 and "answered 502 Bad Gateway: <html>" in result.stderr
    server.routes["/trigger/abc"] = lambda _r: httpx.Response(
        200, text="<html>", headers={"prismatic-executionid": "EX1"}
    )
    result = run(["integrations:flows:test", "-u", TEST_URL])
    assert result.exit_code == 2 and "answered 200 without JSON" in result.stderr


@pytest.mark.parametrize("url", ["notaurl", "trigger/abc", "ftp://splice.test/x", "http://"])
def test_flow_url_must_be_an_absolute_http_url(run: Invoker, server: FakeServer, url: str) -> None:
    result = run(["integrations:flows:test", "-u", url])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"Error: --flow-url must be an absolute http(s) URL, not {url!r} (copy the flow's "
        "Test URL from 'splice integrations:flows:list INTEGRATION_ID -x')\n"
    )
    assert server.requests == []


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (
            404,
            {"error": "NotFound", "message": "webhook endpoint not found: garbage", "field": "id"},
            "answered 404 Not Found: webhook endpoint not found: garbage (copy the flow's",
        ),
        (404, {"detail": "Not Found"}, "answered 404 Not Found: Not Found"),
        (401, {"message": "a valid Api-Key header is required"}, "401 Unauthorized: a valid"),
        (400, "bad  request\n text", "answered 400 Bad Request: bad request text"),
        (422, {"detail": [{"loc": ["x"]}]}, '422 Unprocessable Entity: {"detail":[{"loc":["x"]}]}'),
    ],
)
def test_a_refused_test_url_is_an_error_with_the_servers_message(
    run: Invoker, server: FakeServer, status: int, body: Any, shown: str
) -> None:
    def answer(_request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    server.routes["/trigger/garbage"] = answer
    url = f"{BASE}/trigger/garbage"
    result = run(["integrations:flows:test", "-u", url, "--tail-logs", "--timeout", "5"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: The test URL {url} answered ")
    assert shown in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_flow_that_ran_and_answered_an_error_status_is_still_printed(
    run: Invoker, server: FakeServer
) -> None:
    server.routes["/trigger/abc"] = lambda _r: httpx.Response(
        500, json={"executionId": "EX1", "error": "boom"}, headers={"prismatic-executionid": "EX1"}
    )
    result = run(["integrations:flows:test", "-u", TEST_URL, "--sync", "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"executionId": "EX1", "error": "boom"}


@pytest.mark.parametrize(
    ("args", "value"),
    [
        (["integrations:flows:test", "-u", TEST_URL, "--timeout", "-1"], "-1"),
        (["integrations:flows:test", "-u", TEST_URL, "--timeout", "0", "--tail-logs"], "0"),
        (["instances:flow-configs:test", "FC1", "--timeout", "0", "-t"], "0"),
    ],
)
def test_timeout_must_be_positive(
    run: Invoker, server: FakeServer, args: list[str], value: str
) -> None:
    result = run(args)
    assert result.exit_code == 2 and server.requests == []
    assert result.stderr == (
        f"Error: --timeout must be a positive number of seconds, not {value}"
        " (pass e.g. --timeout 60)\n"
    )


def test_flow_test_with_an_unknown_integration(run: Invoker, server: FakeServer) -> None:
    server.answer({"integration": None})
    result = run(["integrations:flows:test", "-i", "I404", "-n", "Flow 1"])
    assert result.exit_code == 2
    assert "Error: Integration 'I404' not found" in result.stderr


def test_flow_url_rerun_hint_names_the_url(run: Invoker, server: FakeServer) -> None:
    webhook(server, body={"ok": True})
    result = run(["integrations:flows:test", "-u", TEST_URL])
    assert f"splice integrations:flows:test -u={TEST_URL}" in result.stderr
    assert "Execution ID: EX1" in result.stderr


def result_blob(data: Any, content_type: str = "application/json") -> bytes:
    packed: bytes = msgpack.packb({"data": data, "contentType": content_type})
    return packed


def test_tailing_logs_and_results_until_timeout(run: Invoker, server: FakeServer) -> None:
    webhook(server)
    log = {
        "timestamp": "2026-11-22T10:00:00.000Z",
        "severity": "INFO",
        "message": "Hello",
        "sectionId": "s1",
    }
    end = {**log, "message": "Ending Instance Execution", "sectionId": None}
    server.answer({"logs": {"edges": [{"node": log, "cursor": "l1"}]}})
    server.answer({"executionSections": {"nodes": [{"sectionId": "s1", "label": "Step A"}]}})
    step = {
        "stepName": "a",
        "endedAt": "2026-11-22T10:00:01.000Z",
        "resultsUrl": f"{BASE}/results/1",
    }
    server.answer(
        {
            "executionResult": {
                "stepResults": {"edges": [{"node": step, "cursor": "r1"}], "totalCount": 1}
            }
        }
    )
    server.answer({"logs": {"edges": [{"node": end, "cursor": "l2"}]}})
    server.answer({"executionResult": {"stepResults": {"edges": [], "totalCount": 1}}})
    server.routes["/results/1"] = lambda _r: httpx.Response(200, content=result_blob('{"x":1}'))
    result = run(
        [
            "integrations:flows:test",
            "-u",
            TEST_URL,
            "--tail-logs",
            "--tail-results",
            "--timeout",
            "2",
        ]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert " 2026-11-22T10:00:00.000Z LOG_INFO [Step A] Hello" in lines
    assert " 2026-11-22T10:00:00.000Z LOG_INFO Ending Instance Execution" in lines
    assert (
        ' 2026-11-22T10:00:01.000Z STEP_a {"data":"{\\"x\\":1}","contentType":"application/json"}'
        in lines
    )
    assert "Timeout reached. Stopping polling." in result.stderr
    assert run.clock.sleeps == [1.0, 1.0]
    log_vars = [
        v for v, b in zip(server.variables, server.graphql, strict=True) if b["query"] == tail.LOGS
    ]
    assert log_vars == [{"executionId": "EX1"}, {"executionId": "EX1", "nextCursor": "l1"}]


def test_tailing_as_jsonl_with_a_record_file(
    run: Invoker, server: FakeServer, tmp_path: Path
) -> None:
    webhook(server)
    step = {"stepName": "a", "endedAt": "t", "resultsUrl": f"{BASE}/results/1"}
    server.answer(
        {
            "executionResult": {
                "stepResults": {"edges": [{"node": step, "cursor": "r1"}], "totalCount": 1}
            }
        }
    )
    server.routes["/results/1"] = lambda _r: httpx.Response(
        200, content=result_blob({"k": b"v"}, "")
    )
    record = tmp_path / "rec.jsonl"
    args = [
        "integrations:flows:test",
        "-u",
        TEST_URL,
        "--tail-results",
        "--jsonl",
        "--timeout",
        "1",
        "--quiet",
    ]
    result = run([*args, "-r", str(record)])
    expected = {"stepName": "a", "endedAt": "t", "result": {"data": {"k": "v"}, "contentType": ""}}
    assert json.loads(result.stdout.splitlines()[-1]) == expected
    assert json.loads(record.read_text()) == expected and result.stderr == ""


def test_cni_auto_end_stops_when_both_step_results_exist(run: Invoker, server: FakeServer) -> None:
    server.answer(system_instance(code_native=True))
    server.answer(flows(FLOW))
    webhook(server)
    server.answer({"logs": {"edges": []}})
    server.answer({"executionResult": {"stepResults": {"totalCount": 2}}})
    args = [
        "integrations:flows:test",
        "-i",
        "I1",
        "-f",
        "F1",
        "--tail-logs",
        "--cni-auto-end",
        "--quiet",
    ]
    assert run(args).exit_code == 0
    assert server.graphql[-1]["query"] == tail.CNI_COMPLETE and run.clock.sleeps == [1.0]


@pytest.mark.parametrize(
    ("elapsed", "interval"),
    [(0, 1.0), (29.9, 1.0), (30, 5.0), (59, 5.0), (60, 30.0), (299, 30.0), (300, 60.0)],
)
def test_poll_interval(elapsed: float, interval: float) -> None:
    assert poll_interval(elapsed) == interval


@pytest.mark.parametrize(
    ("result", "text"),
    [
        ({"data": '{"a": 1}', "contentType": "application/json"}, '{"a":1}'),
        ({"data": b"[1, 2]", "contentType": "application/json; charset=utf-8"}, "[1,2]"),
        ({"data": "a,b", "contentType": "text/csv"}, "a,b"),
        ({"data": b"<x/>", "contentType": "application/xml"}, "<x/>"),
        ({"data": {"a": [1]}, "contentType": ""}, '{"a":[1]}'),
        ({"data": {"a": 1}}, '{"a":1}'),
        ({"data": "plain"}, "plain"),
    ],
)
def test_render_output(result: dict[str, Any], text: str) -> None:
    assert render_output(result) == text


def test_render_output_rejects_structured_json_data() -> None:
    with pytest.raises(CLIError, match=r"Received malformed JSON payload\."):
        render_output({"data": {"a": 1}, "contentType": "application/json"})


def step_output_answer(url: str | None) -> dict[str, Any]:
    nodes = [] if url is None else [{"displayStepName": "Step A", "resultsUrl": url}]
    return {"executionResult": {"id": "EX1", "stepResults": {"nodes": nodes}}}


def test_step_result_get(run: Invoker, server: FakeServer, tmp_path: Path) -> None:
    server.answer(step_output_answer(f"{BASE}/results/1"))
    server.routes["/results/1"] = lambda _r: httpx.Response(200, content=result_blob('{"b": true}'))
    result = run(["executions:step-result:get", "-e", "EX1", "-s", "Step A"])
    assert result.stdout == '{"b":true}\n'
    assert server.graphql[0] == {
        "query": executions.STEP_OUTPUT,
        "variables": {"executionId": "EX1", "stepName": "Step A"},
    }
    assert "Authorization" not in server.requests[-1].headers
    server.answer(step_output_answer(f"{BASE}/results/1"))
    out = tmp_path / "out.json"
    run(["executions:step-result:get", "-e", "EX1", "-s", "Step A", "-p", str(out)])
    assert out.read_text() == '{"b":true}'


def test_step_result_get_without_results(run: Invoker, server: FakeServer) -> None:
    server.answer(step_output_answer(None))
    result = run(["executions:step-result:get", "-e", "EX1", "-s", "Nope"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert "No step results found." in result.stderr


def test_step_result_that_is_not_msgpack(run: Invoker, server: FakeServer) -> None:
    server.answer(step_output_answer(f"{BASE}/results/1"))
    server.routes["/results/1"] = lambda _r: httpx.Response(200, content=b"\xc1")
    result = run(["executions:step-result:get", "-e", "EX1", "-s", "Step A"])
    assert result.exit_code == 2 and "not valid MessagePack" in result.stderr


def started(execution: str | None = "EX1") -> dict[str, Any]:
    result = {"flowConfig": {"id": "FC1"}, "execution": {"id": execution} if execution else None}
    return {"testInstanceFlowConfig": {"testInstanceFlowConfigResult": result, "errors": []}}


def test_flow_config_test_without_tail_prints_nothing(run: Invoker, server: FakeServer) -> None:
    server.answer(started())
    result = run(["instances:flow-configs:test", "FC1", "-p", '{"a":1}', "-c", "application/json"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert server.graphql[0] == {
        "query": flow_test.TEST_FLOW_CONFIG,
        "variables": {"id": "FC1", "payload": '{"a":1}', "contentType": "application/json"},
    }


def test_flow_config_test_tails_until_the_end_marker(run: Invoker, server: FakeServer) -> None:
    server.answer(started())
    log = {"timestamp": "t1", "severity": "INFO", "message": "Starting", "sectionId": None}
    end = {**log, "timestamp": "t2", "message": "Ending Instance Execution"}
    server.answer({"logs": {"edges": [{"node": log, "cursor": "c1"}]}})
    server.answer({"logs": {"edges": []}})
    server.answer({"logs": {"edges": [{"node": end, "cursor": "c2"}]}})
    result = run(["instances:flow-configs:test", "FC1", "--tail"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [" t1 INFO Starting", " t2 INFO Ending Instance Execution"]
    assert run.clock.sleeps == [0.5, 0.5, 0.5]
    assert server.variables[1:] == [
        {"executionId": "EX1"},
        {"executionId": "EX1", "nextCursor": "c1"},
        {"executionId": "EX1", "nextCursor": "c1"},
    ]
    assert server.graphql[1]["query"] == flow_test.TEST_LOGS
    assert flow_test.TEST_LOGS.startswith("query listInstanceTestLogs(")


def test_flow_config_test_gives_up_after_the_timeout(run: Invoker, server: FakeServer) -> None:
    server.answer(started())
    server.answer({"logs": {"edges": []}})
    server.answer({"logs": {"edges": []}})
    result = run(["instances:flow-configs:test", "FC1", "-t", "--timeout", "1"])
    assert result.exit_code == 2 and "did not end within 1 s" in result.stderr
