"""``splice dev run FILE.yaml --flow NAME``: run one flow locally, with no server and no database.

The flow gets a webhook-style trigger payload (``body.data`` is ``--payload``), config variables
from the definition's defaults overridden by ``--config KEY=VALUE``, in-memory state, and real
HTTP. Each step result is printed as one JSON line on stdout, log lines go to stderr, and a
last JSON line sums the execution up. Flows invoked with cross-flow/recursive-flow actions run
in the same process (up to a nesting depth of 10). Exit code 0 when the execution succeeded or
stopped, 1 when it failed, 2 for a user error (bad file, unknown flow or config var, bad JSON).
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from splice import clock
from splice.components.registry import Registry
from splice.components.testing import MemoryState
from splice.definition import Flow, IntegrationDefinition, load
from splice.engine import ExecutionResult, LogEntry, RunContext, StepResult, run_flow
from splice.engine.response import json_bytes
from splice.errors import UserError

__all__ = ["COMMANDS", "dev"]

MAX_DEPTH = 10


class _UserFailure(click.ClickException):
    exit_code = 2


class PrintSink:
    """Step results as JSON lines on stdout, log lines on stderr."""

    async def step_finished(self, result: StepResult) -> None:
        line = {"step": result.path, "name": result.name, "status": result.status}
        if result.error is not None:
            line["error"] = result.error
        else:
            line["data"] = result.data
        click.echo(json_bytes(line).decode("utf-8"))

    async def log(self, entry: LogEntry) -> None:
        where = f" {entry.step_path}" if entry.step_path else ""
        click.echo(f"[{entry.severity}]{where}: {entry.message}", err=True)


def _read_definition(path: Path) -> IntegrationDefinition:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _UserFailure(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return load(data)
    except UserError as exc:
        raise _UserFailure(f"{path}: {exc.text}") from exc


def _payload(text: str | None) -> Any:
    if text is None:
        return None
    source = "--payload"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise _UserFailure(f"cannot read payload file {source}: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _UserFailure(f"{source} is not valid JSON: {exc}") from exc


def _config_vars(definition: IntegrationDefinition, pairs: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for var in definition.required_config_vars:
        if var.connection is not None:
            fields = {k: i.value for k, i in (var.inputs or {}).items()}
            values[var.key] = {"key": var.connection.key, "configVarKey": var.key, "fields": fields}
        else:
            values[var.key] = var.default_value or ""
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise _UserFailure(f"--config expects KEY=VALUE, got {pair!r}")
        if definition.config_var(key) is None:
            known = ", ".join(v.key for v in definition.required_config_vars) or "none"
            raise _UserFailure(f"unknown config variable {key!r} (declared: {known})")
        values[key] = value
    return values


def _headers(pairs: tuple[str, ...]) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    for pair in pairs:
        name, sep, value = pair.partition(":")
        if not sep or not name.strip():
            raise _UserFailure(f"--header expects 'Name: value', got {pair!r}")
        headers[name.strip()] = value.strip()
    return headers


def _trigger_payload(
    data: Any, headers: dict[str, str], flow: Flow, execution_id: str, urls: dict[str, str]
) -> dict[str, Any]:
    raw = json.dumps(data) if data is not None else ""
    return {
        "headers": headers,
        "queryParameters": {},
        "rawBody": {"data": raw, "contentType": headers.get("Content-Type")},
        "body": {"data": data, "contentType": headers.get("Content-Type")},
        "pathFragment": "",
        "webhookUrls": urls,
        "webhookApiKeys": {},
        "invokeUrl": urls.get(flow.name, ""),
        "executionId": execution_id,
        "customer": {"id": "dev-customer", "externalId": None, "name": "Dev Customer"},
        "instance": {"id": "dev-instance", "name": "Dev Instance"},
        "user": None,
        "integration": {"id": "dev-integration", "name": "", "versionSequenceId": None},
        "flow": {"id": flow.name, "name": flow.name, "stableId": flow.stable_key},
        "startedAt": clock.to_iso(clock.now()),
        "globalDebug": False,
    }


class _DevRunner:
    def __init__(self, definition: IntegrationDefinition, config_vars: dict[str, Any]) -> None:
        self.definition = definition
        self.config_vars = config_vars
        self.registry = Registry.with_builtins()
        self.registry.load_entry_points()
        self.state = MemoryState()
        self.sink = PrintSink()
        self.urls = {f.name: f"http://localhost/dev/{f.name}" for f in definition.flows}

    async def run(
        self, flow: Flow, data: Any, headers: dict[str, str], depth: int = 0
    ) -> ExecutionResult:
        execution_id = f"dev-{uuid.uuid4().hex[:12]}"

        async def invoke(name: str, payload: Any, *, synchronous: bool) -> Any:
            target = next((f for f in self.definition.flows if f.name == name), None)
            if target is None:
                raise ValueError(f"no flow named {name!r} in this integration")
            if depth + 1 >= MAX_DEPTH:
                raise RuntimeError(f"flows invoked each other more than {MAX_DEPTH} levels deep")
            click.echo(f"[info] invoking flow '{name}'", err=True)
            result = await self.run(
                target, payload, {"Content-Type": "application/json"}, depth + 1
            )
            if synchronous:
                return result.data
            return {"executionId": f"invoked-{name}"}

        context = RunContext(
            execution_id=execution_id,
            config_vars=self.config_vars,
            state=self.state,
            instance={"id": "dev-instance", "name": "Dev Instance"},
            customer={"id": "dev-customer", "name": "Dev Customer"},
            integration={"id": "dev-integration", "name": self.definition.name},
            flow_info={"id": flow.name, "name": flow.name},
            webhook_urls=self.urls,
            invoke_flow=invoke,
        )
        payload = _trigger_payload(data, headers, flow, execution_id, self.urls)
        return await run_flow(
            flow, payload, registry=self.registry, sink=self.sink, context=context
        )


@click.group("dev")
def dev() -> None:
    """Run integration flows locally, with no server and no database."""


@dev.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--flow", "flow_name", help="Name of the flow to run (optional with one flow).")
@click.option("--payload", help="Request body as JSON, or @FILE holding JSON.")
@click.option("--config", "configs", multiple=True, help="Config variable value: KEY=VALUE.")
@click.option("--header", "headers", multiple=True, help="Request header: 'Name: value'.")
def run(
    file: Path,
    flow_name: str | None,
    payload: str | None,
    configs: tuple[str, ...],
    headers: tuple[str, ...],
) -> None:
    """Run one flow of FILE and print each step's result as a JSON line."""
    definition = _read_definition(file)
    names = [f.name for f in definition.flows]
    if flow_name is None:
        if len(names) != 1:
            raise _UserFailure(f"--flow is required; flows: {', '.join(names)}")
        flow_name = names[0]
    flow = next((f for f in definition.flows if f.name == flow_name), None)
    if flow is None:
        raise _UserFailure(f"no flow named {flow_name!r}; flows: {', '.join(names)}")
    data = _payload(payload)
    runner = _DevRunner(definition, _config_vars(definition, configs))
    result = asyncio.run(runner.run(flow, data, _headers(headers)))
    summary: dict[str, Any] = {"execution": result.status}
    if result.error is not None:
        summary["error"] = result.error
        summary["failedStep"] = result.failed_step
    else:
        summary["data"] = result.data
    if result.response is not None:
        summary["response"] = {
            "statusCode": result.response.status_code,
            "contentType": result.response.content_type,
            "headers": dict(result.response.headers),
            "body": result.response.body.decode("utf-8", "replace"),
        }
    click.echo(json_bytes(summary).decode("utf-8"))
    if result.status == "failed":
        sys.exit(1)


COMMANDS = (dev,)
