"""``splice dev run FILE.yaml --flow NAME``: run one flow locally, with no server and no database.

The definition is validated first, as an import would: a problem in the flow to run (an unknown
reference or config variable, colliding step keys, a missing trigger) stops the run with the
validator's message; problems of other flows are printed as warnings. The flow gets a
webhook-style trigger payload (``body.data`` is ``--payload``), config variables from the
definition's defaults overridden by ``--config KEY=VALUE``, checked and typed as a deployed
instance's are (a number is a number, a boolean a bool), in-memory state (each flow has a flow
scope of its own), and real HTTP. Each step result is printed as one JSON line on stdout, log
lines go to stderr, and a last JSON line sums the execution up.
Flows invoked with cross-flow/recursive-flow actions run in the same process (up to a nesting
depth of 10). Exit code 0 when the execution succeeded or stopped, 1 when it failed, 2 for a
user error (bad file or definition, unknown flow or config var, bad value or JSON).
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click
from cryptography.fernet import Fernet

from splice import clock
from splice.components.registry import Registry
from splice.components.sdk import ActionError
from splice.components.testing import MemoryState
from splice.definition import Flow, IntegrationDefinition, load
from splice.definition.dump import to_data
from splice.definition.validate import validate
from splice.engine import ExecutionResult, LogEntry, RunContext, StepResult, run_flow
from splice.engine.response import json_bytes
from splice.errors import UserError
from splice.services import config_values
from splice.services.secrets import SecretBox

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


def _check(definition: IntegrationDefinition, flow: Flow, registry: Registry) -> None:
    """Stop on the validator's errors about ``flow`` (or the whole document); warn of the rest."""
    blocking: list[str] = []
    for issue in validate(definition, registry):
        if issue.severity == "error" and issue.flow in (None, flow.name):
            blocking.append(issue.text)
        else:
            click.echo(f"[warning] {issue.text}", err=True)
    if blocking:
        raise _UserFailure(
            f"the definition has {len(blocking)} problem(s); fix them and run again:\n  "
            + "\n  ".join(blocking)
        )


def _config_vars(
    definition: IntegrationDefinition, pairs: tuple[str, ...], registry: Registry
) -> dict[str, Any]:
    """``configVars`` as a deployed instance's flows see them, with ``--config`` values."""
    document = to_data(definition)
    declared = {cv["key"]: cv for cv in config_values.declared(document)}
    box = SecretBox([Fernet.generate_key()])  # secrets never leave this process
    stored: dict[str, config_values.CleanValue] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise _UserFailure(f"--config expects KEY=VALUE, got {pair!r}")
        cv = declared.get(key)
        if cv is None:
            known = ", ".join(declared) or "none"
            raise _UserFailure(f"unknown config variable {key!r} (declared: {known})")
        is_connection = cv.get("dataType") in ("connection", "credential")
        given = (
            config_values.ConfigInput(key, values=value)
            if is_connection
            else config_values.ConfigInput(key, value=value)
        )
        try:
            clean = config_values.validate(cv, given, registry, box)
        except UserError as exc:
            raise _UserFailure(f"--config {key}: {exc}") from exc
        if clean is not None:
            stored[key] = clean
    return config_values.runtime_values(document, stored, registry, box)


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


class _ScopedState:
    """One flow's view of the dev run's state: the flow scope is its own (siblings cannot see
    it); the cross-flow and integration scopes are shared. The engine keeps the execution scope."""

    def __init__(self, shared: MemoryState, flow: str) -> None:
        self._shared = shared
        self._own = {"flow": f"flow:{flow}", "instance": f"flow:{flow}"}

    def _scope(self, scope: str) -> str:
        return self._own.get(scope, scope)

    async def get(self, scope: str, key: str) -> Any:
        return await self._shared.get(self._scope(scope), key)

    async def set(self, scope: str, key: str, value: Any) -> None:
        await self._shared.set(self._scope(scope), key, value)

    async def delete(self, scope: str, key: str) -> None:
        await self._shared.delete(self._scope(scope), key)

    async def keys(self, scope: str) -> list[str]:
        return await self._shared.keys(self._scope(scope))


class _DevRunner:
    def __init__(
        self, definition: IntegrationDefinition, config_vars: dict[str, Any], registry: Registry
    ) -> None:
        self.definition = definition
        self.config_vars = config_vars
        self.registry = registry
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
                raise ActionError(f"no flow named {name!r} in this integration")
            if depth + 1 >= MAX_DEPTH:
                raise ActionError(f"flows invoked each other more than {MAX_DEPTH} levels deep")
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
            state=_ScopedState(self.state, flow.name),
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
    registry = Registry.with_builtins()
    registry.load_entry_points()
    _check(definition, flow, registry)
    data = _payload(payload)
    runner = _DevRunner(definition, _config_vars(definition, configs, registry), registry)
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
