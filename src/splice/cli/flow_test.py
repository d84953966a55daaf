"""``integrations:flows:test`` and ``instances:flow-configs:test``: run flows, follow executions.

Human hints go to stderr; stdout holds the webhook's JSON answer and the tailed lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import httpx

from splice.cli.client import SpliceClient
from splice.cli.documents import read_text
from splice.cli.errors import CLIError
from splice.cli.integration_versions import FLOWS
from splice.cli.state import command, get_state, open_client
from splice.cli.tail import LOGS, Tailer, run_tail

__all__ = [
    "COMMANDS",
    "SYSTEM_INSTANCE",
    "TEST_FLOW_CONFIG",
    "TEST_LOGS",
    "is_polling",
    "project_integration_id",
]

SYSTEM_INSTANCE = """query GetIntegrationSystemInstance($integrationId: ID!) {
  integration(id: $integrationId) { isCodeNative systemInstance { id configState } }
}"""


def project_integration_id(directory: Path) -> str | None:
    """``integrationId`` from ``.spectral/prism.json`` (written by code-native imports)."""
    path = directory / ".spectral" / "prism.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("integrationId") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def is_polling(flow: dict[str, Any]) -> bool:
    """A polling trigger, or a trigger that requires a schedule (other than the schedule trigger)."""
    action = (flow.get("trigger") or {}).get("action") or {}
    key = (action.get("component") or {}).get("key")
    if action.get("isPollingTrigger"):
        return True
    return action.get("scheduleSupport") == "REQUIRED" and key != "schedule-triggers"


def _find_flow(
    client: SpliceClient, integration_id: str, flow_id: str | None, name: str | None
) -> dict[str, Any]:
    if not flow_id and not name:
        raise CLIError(
            "Say which flow to test", fix="pass --flow-id/-f, --flow-name/-n or --flow-url/-u"
        )
    flows = client.paginate(
        FLOWS,
        {"id": integration_id},
        lambda data: (data.get("integration") or {}).get("flows"),
        first_after=None,
    )
    for flow in flows:
        if flow.get("id") == flow_id or flow.get("name") == name:
            return flow
    names = ", ".join(repr(f.get("name")) for f in flows) or "none"
    raise CLIError(f"Could not find flow {flow_id or name!r} (flows: {names})")


_LIST_HINT = "copy the flow's Test URL from 'splice integrations:flows:list INTEGRATION_ID -x'"


def _positive_timeout(timeout: int) -> None:
    if timeout <= 0:
        raise CLIError(
            f"--timeout must be a positive number of seconds, not {timeout}",
            fix="pass e.g. --timeout 60",
        )


def _check_flow_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise CLIError(
            f"--flow-url must be an absolute http(s) URL, not {url!r}",
            fix=_LIST_HINT,
        )


def _refusal(response: httpx.Response) -> str:
    """The server's own message from an error answer (JSON ``message``/``detail``, else text)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)[:300]
    text = " ".join(response.text.split())
    return text[:300] if text else "no message"


def _request(
    payload: Path | None, content_type: str, polling: bool
) -> tuple[bytes | None, dict[str, str]]:
    headers: dict[str, str] = {}
    if payload is None:
        return None, headers
    text = read_text(payload)
    try:
        saved = json.loads(text)
    except ValueError:
        saved = None
    if isinstance(saved, dict) and {"payload", "contentType", "headers"} <= set(saved):
        content_type = str(saved["contentType"] or content_type)
        headers.update({str(k): str(v) for k, v in (saved["headers"] or {}).items()})
        body = saved["payload"]
        text = body if isinstance(body, str) else json.dumps(body)
    elif "json" in content_type and saved is None:
        raise CLIError(f"{payload} is not valid JSON (content type {content_type})")
    if polling:
        simulated = {"payload": {"body": {"data": text}}}
        headers["prismatic-simulated-trigger-result"] = json.dumps(simulated)
        return None, headers
    headers["Content-Type"] = content_type
    return text.encode("utf-8"), headers


@command("integrations:flows:test")
@click.option("-i", "--integrationId", "integration_id", help="Integration (default: .spectral).")
@click.option("-f", "--flow-id", help="ID of the flow to test.")
@click.option("-n", "--flow-name", help="Name of the flow to test.")
@click.option("-u", "--flow-url", help="Test URL to invoke directly.")
@click.option("-p", "--payload", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-c", "--content-type", default="application/json", show_default=True)
@click.option("--sync", is_flag=True, help="Wait for the flow's response.")
@click.option("--debug", is_flag=True, help="Run with debug logging.")
@click.option("--apiKey", "api_key", help="API key for the flow's endpoint.")
@click.option("--tail-logs", is_flag=True, help="Follow the execution's logs.")
@click.option("--tail-results", is_flag=True, help="Follow the execution's step results.")
@click.option(
    "--timeout", type=int, default=1200, show_default=True, help="Stop tailing after SECS."
)
@click.option("--cni-auto-end", is_flag=True, help="Stop when a code-native execution ends.")
@click.option("--jsonl", is_flag=True, help="Tail as JSON lines.")
@click.option("-r", "--result-file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No hints or notices on stderr.")
def flows_test(
    integration_id: str | None,
    flow_id: str | None,
    flow_name: str | None,
    flow_url: str | None,
    payload: Path | None,
    content_type: str,
    sync: bool,
    debug: bool,
    api_key: str | None,
    tail_logs: bool,
    tail_results: bool,
    timeout: int,
    cni_auto_end: bool,
    jsonl: bool,
    result_file: Path | None,
    quiet: bool,
) -> None:
    """Run a flow through its test URL and print the answer (optionally follow it)."""
    _positive_timeout(timeout)
    if flow_url:
        _check_flow_url(flow_url)
    state = get_state()
    client = open_client()
    code_native, flow = False, {"id": flow_id, "testUrl": flow_url}
    if not flow_url:
        integration_id = integration_id or project_integration_id(Path.cwd())
        if not integration_id:
            raise CLIError("You must provide an integration ID.", fix="pass --integrationId/-i")
        data = client.graphql(SYSTEM_INSTANCE, {"integrationId": integration_id})
        found = data.get("integration")
        if not isinstance(found, dict):
            raise CLIError(
                f"Integration {integration_id!r} not found",
                fix="pass an ID from 'splice integrations:list -x'",
            )
        code_native = bool(found.get("isCodeNative"))
        instance = found.get("systemInstance") or {}
        if instance.get("configState") == "NEEDS_INSTANCE_CONFIGURATION":
            raise CLIError(
                "The integration's test instance needs configuration before flows can run",
                fix=f"configure it in the web app: {client.base_url}/designer/{integration_id}",
            )
        flow = _find_flow(client, integration_id, flow_id, flow_name)
        if not flow.get("testUrl"):
            raise CLIError(f"Flow {flow.get('name')!r} has no test URL to invoke")
    body, headers = _request(payload, content_type, is_polling(flow))
    for flag, name, value in (
        (debug, "prismatic-debug", "true"),
        (sync, "prismatic-synchronous", "true"),
    ):
        if flag:
            headers[name] = value
    if api_key:
        headers["Api-Key"] = api_key
    read_timeout = 600.0 if sync else 30.0
    response = client.send(
        "POST",
        str(flow["testUrl"]),
        content=body,
        headers=headers,
        timeout=httpx.Timeout(30.0, read=read_timeout),
    )
    execution_header = response.headers.get("prismatic-executionid")
    if response.is_error and not execution_header:
        # refused before any execution started (unknown URL, missing API key ...); a flow
        # that ran and answered with an error status still has its answer printed below
        raise CLIError(
            f"The test URL {flow['testUrl']} answered {response.status_code} "
            f"{response.reason_phrase}: {_refusal(response)}",
            fix=_LIST_HINT if response.status_code == 404 else None,
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise CLIError(f"The test URL answered {response.status_code} without JSON") from exc
    execution_id = execution_header or (
        answer.get("executionId") if isinstance(answer, dict) else None
    )
    rerun = f"-f={flow['id']}" if flow.get("id") else f"-u={flow['testUrl']}"
    if not quiet:
        click.echo(
            f"\nTo re-run this flow directly:\nsplice integrations:flows:test {rerun}",
            err=True,
        )
        if not (isinstance(answer, dict) and "executionId" in answer):
            click.echo(f"Execution ID: {execution_id}", err=True)
    click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
    if not (tail_logs or tail_results):
        return
    if not execution_id:
        raise CLIError("The test URL did not return an execution ID, so there is nothing to follow")
    tailer = Tailer(client, str(execution_id), jsonl=jsonl, record=result_file)
    until = tailer.cni_complete if cni_auto_end and code_native else None
    run_tail(
        tailer,
        logs=tail_logs,
        results=tail_results,
        timeout=timeout,
        now=state.now,
        sleep=state.sleep,
        until=until,
        quiet=quiet,
    )


TEST_FLOW_CONFIG = """mutation testInstanceFlowConfig($id: ID!, $payload: String, $contentType: String) {
  testInstanceFlowConfig(input: {id: $id, payload: $payload, contentType: $contentType}) {
    testInstanceFlowConfigResult { flowConfig { id } execution { id } }
    errors { field messages }
  }
}"""

TEST_LOGS = LOGS.replace("GetExecutionLogs", "listInstanceTestLogs", 1)
END_MARKER = "Ending Instance Execution"


@command("instances:flow-configs:test")
@click.argument("flow_config_id")
@click.option("-p", "--payload", help="Payload text (not a file).")
@click.option("-c", "--content-type", help="Content type of the payload.")
@click.option("-t", "--tail", is_flag=True, help="Follow the logs until the execution ends.")
@click.option("--timeout", type=int, default=600, show_default=True, help="Give up after SECS.")
def flow_config_test(
    flow_config_id: str, payload: str | None, content_type: str | None, tail: bool, timeout: int
) -> None:
    """Run an instance's flow with a test payload (and follow its logs with -t)."""
    _positive_timeout(timeout)
    state = get_state()
    client = open_client()
    variables: dict[str, Any] = {"id": flow_config_id}
    variables.update({k: v for k, v in (("payload", payload), ("contentType", content_type)) if v})
    data = client.graphql(TEST_FLOW_CONFIG, variables)
    outcome = (data.get("testInstanceFlowConfig") or {}).get("testInstanceFlowConfigResult") or {}
    execution_id = (outcome.get("execution") or {}).get("id")
    if not tail:
        return
    if not execution_id:
        raise CLIError("The server started no execution, so there is nothing to follow")
    tailer = Tailer(client, str(execution_id), logs_query=TEST_LOGS, severity_prefix="")
    start = state.now()
    while state.now() - start < timeout:
        state.sleep(0.5)
        if any(str(n["message"]).startswith(END_MARKER) for n in tailer.poll_logs()):
            return
    raise CLIError(f"The execution did not end within {timeout} s", fix="raise --timeout")


COMMANDS: list[click.Command] = [flows_test, flow_config_test]
