"""The `code` core component: JavaScript steps (CommonJS modules) and the JSON-forms data source.

``runCode`` runs ``module.exports = async (context, stepResults) => ({ data })`` in a fresh V8
isolate (mini-racer) with a time and a memory limit (``splice.components.builtin._js``).
``context`` carries ``logger`` (forwarded to the step's log), ``configVars``, ``executionId``,
``stepId``, ``webhookUrls``, ``customer``, ``instance``, ``integration``, ``flow`` and the state
maps ``instanceState``, ``crossFlowState``, ``executionState``, ``integrationState``. A state map
is loaded only when the code names it; changes made to it, or a map returned next to ``data``,
are written back. ``stepResults`` is ``{stepKey: {results}}``, plus ``currentItem``/``index``
for the loops the step runs inside. The step's result is the returned ``data``;
``contentType``, ``statusCode`` and ``headers`` are kept for a synchronous caller. The isolate has
no ``require`` and no I/O of its own; a small ``fetch`` (method, headers, text body; the answer's
``ok``, ``status``, ``headers.get``, ``text()``, ``json()``) goes through the run's HTTP client,
as the JSON-form data sources of the exports need. Its generic connections let a code step
receive credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from splice.components.builtin._js import (
    DEFAULT_LIMITS,
    FetchHandler,
    JsError,
    JsLimits,
    run_js,
)
from splice.components.builtin._support import step_results_view, to_text
from splice.components.context import ActionContext, StateStore
from splice.components.inputs import InputValueError
from splice.components.sdk import ActionResult, ComponentSpec, Input, component

__all__ = ["COMPONENT", "FETCH_MAX_BYTES", "MANIFEST", "STATE_SCOPES", "make_component"]

STATE_SCOPES: Mapping[str, str] = {
    "instanceState": "instance",
    "crossFlowState": "crossFlow",
    "executionState": "execution",
    "integrationState": "integration",
}
"""The context's state maps and the ``StateStore`` scope each one lives in."""

_LOAD_MODULE = """\
const module = { exports: {} };
const require = (name) => { throw new Error("require('" + name + "') is not available in a code step"); };
new Function("module", "exports", "require", "logger", "console", __args.code)(
  module, module.exports, require, logger, console);
const __fn = typeof module.exports === "function" ? module.exports : module.exports.default;
if (typeof __fn !== "function") {
  throw new TypeError("the code must set module.exports to a function");
}
"""

_RUN_CODE = (
    _LOAD_MODULE
    + """\
const context = Object.assign({}, __args.context, { logger });
const returned = await __fn(context, __args.stepResults);
const r = returned !== null && typeof returned === "object" ? returned : {};
const states = {};
for (const name of __args.stateNames) {
  const value = r[name] !== undefined ? r[name] : context[name];
  if (value !== null && typeof value === "object") states[name] = value;
}
return {
  data: r.data === undefined ? null : r.data,
  contentType: r.contentType === undefined ? null : r.contentType,
  statusCode: r.statusCode === undefined ? null : r.statusCode,
  headers: r.headers === undefined ? null : r.headers,
  states,
};
"""
)

_RUN_DATA_SOURCE = (
    _LOAD_MODULE
    + """\
const context = Object.assign({}, __args.context, { logger });
const returned = await __fn(context, __args.params);
return returned === undefined ? null : returned;
"""
)


def _auth(key: str, label: str, *inputs: str) -> tuple[str, str, tuple[Any, ...]]:
    return key, label, tuple(Input(i, i) for i in inputs)


_CONNECTIONS = (
    _auth("apiKey", "API Key", "apiKey"),
    _auth("apiKeySecret", "API Key Secret", "apiKey", "apiSecret"),
    _auth("basic", "Basic Auth", "username", "password"),
    _auth(
        "oauth2",
        "OAuth 2.0 Authorization Code",
        "authorizeUrl",
        "tokenUrl",
        "scopes",
        "clientId",
        "clientSecret",
    ),
    _auth(
        "oauth2ClientCredentials",
        "OAuth 2.0 Client Credentials",
        "tokenUrl",
        "scopes",
        "clientId",
        "clientSecret",
    ),
    _auth("privateKey", "Private Key", "username", "privateKey"),
)

_CODE = Input(
    "code",
    "Code",
    type="code",
    required=True,
    comments="module.exports = async (context, stepResults) => ({ data })",
)


FETCH_MAX_BYTES = 20 * 1024 * 1024
_FETCH_TIMEOUT_S = 30.0


def _fetcher(ctx: ActionContext) -> FetchHandler:
    """A script's ``fetch`` answered by the run's HTTP client (the run decides the transport)."""

    async def fetch(request: dict[str, Any]) -> dict[str, Any]:
        url = str(request.get("url", ""))
        if not url.lower().startswith(("http://", "https://")):
            return {"error": f"only http(s) URLs can be fetched, not {url!r}"}
        body = request.get("body")
        async with ctx.http_client(timeout=_FETCH_TIMEOUT_S, follow_redirects=True) as client:
            outgoing = client.build_request(
                str(request.get("method") or "GET"),
                url,
                headers=dict(request.get("headers") or {}),
                content=None if body is None else str(body).encode("utf-8"),
            )
            response = await client.send(outgoing, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > FETCH_MAX_BYTES:
                        return {"error": f"the response is larger than {FETCH_MAX_BYTES} bytes"}
                    chunks.append(chunk)
            finally:
                await response.aclose()
        return {
            "status": response.status_code,
            "statusText": response.reason_phrase,
            "url": str(response.url),
            "headers": dict(response.headers),
            "body": b"".join(chunks).decode(response.encoding or "utf-8", errors="replace"),
        }

    return fetch


def _forward_logs(ctx: ActionContext, outcome_logs: tuple[tuple[str, str], ...]) -> None:
    for severity, message in outcome_logs:
        getattr(ctx.logger, severity, ctx.logger.info)(message)


async def _load_states(state: StateStore, source: str) -> dict[str, dict[str, Any]]:
    maps: dict[str, dict[str, Any]] = {}
    for name, scope in STATE_SCOPES.items():
        if name in source:
            maps[name] = {key: await state.get(scope, key) for key in await state.keys(scope)}
    return maps


async def _save_states(
    state: StateStore, before: dict[str, dict[str, Any]], after: Mapping[str, Any]
) -> None:
    for name, values in after.items():
        scope = STATE_SCOPES.get(name)
        if scope is None or not isinstance(values, Mapping):
            continue
        old = before.get(name, {})
        for key, value in values.items():
            if key not in old or old[key] != value:
                await state.set(scope, key, value)
        if name in before:  # a map the code was given: keys it removed are deleted
            for key in old.keys() - values.keys():
                await state.delete(scope, key)


def _context(ctx: ActionContext) -> dict[str, Any]:
    return {
        "configVars": dict(ctx.config_vars),
        "executionId": ctx.execution_id,
        "stepId": ctx.step_key,
        "webhookUrls": dict(ctx.webhook_urls),
        "customer": dict(ctx.customer),
        "instance": dict(ctx.instance),
        "integration": dict(ctx.integration),
        "flow": dict(ctx.flow),
    }


def _source(inputs: dict[str, Any]) -> str:
    source = to_text(inputs.get("code"))
    if not source.strip():
        raise InputValueError("is empty; write module.exports = async (context) => ...", "code")
    return source


def make_component(*, limits: JsLimits = DEFAULT_LIMITS) -> ComponentSpec:
    """The component; ``limits`` bound every script's run time and V8 heap."""
    code = component(
        "code",
        label="Code",
        description="Run JavaScript as a step or a data source",
        category="Logic",
    )

    @code.action(
        "runCode",
        label="Code Block",
        description="Runs a JavaScript module and returns its data",
        inputs=(_CODE,),
    )
    async def run_code(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        source = _source(inputs)
        states = await _load_states(ctx.state, source)
        args = {
            "code": source,
            "context": {**_context(ctx), **states},
            "stepResults": step_results_view(ctx),
            "stateNames": list(STATE_SCOPES),
        }
        try:
            outcome = await run_js(_RUN_CODE, args, limits=limits, fetch=_fetcher(ctx))
        except JsError as error:
            _forward_logs(ctx, error.logs)
            raise
        _forward_logs(ctx, outcome.logs)
        result = outcome.value
        await _save_states(ctx.state, states, result["states"])
        extras = (result["contentType"], result["statusCode"], result["headers"])
        if extras == (None, None, None):
            return result["data"]
        return ActionResult(
            data=result["data"],
            content_type=None if extras[0] is None else str(extras[0]),
            status_code=None if extras[1] is None else _returned_status(extras[1]),
            headers=None if extras[2] is None else _returned_headers(extras[2]),
        )

    @code.data_source(
        "runCodeJsonForm",
        label="JSON Form Data Source",
        description="Runs JavaScript that returns a JSON-Forms schema, UI schema and data",
        inputs=(_CODE, Input("connection", "Connection", type="connection")),
    )
    async def run_code_json_form(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        """``(context, { connection, contextValue })`` -> ``{schema, uiSchema, data}``."""
        args = {
            "code": _source(inputs),
            "context": {
                "configVars": dict(ctx.config_vars),
                "customer": dict(ctx.customer),
                "instance": dict(ctx.instance),
            },
            "params": {
                "connection": inputs.get("connection"),
                "contextValue": inputs.get("contextValue"),
            },
        }
        outcome = await run_js(_RUN_DATA_SOURCE, args, limits=limits, fetch=_fetcher(ctx))
        _forward_logs(ctx, outcome.logs)
        return outcome.value

    for key, label, connection_inputs in _CONNECTIONS:
        code.connection(key, label=label, inputs=connection_inputs)
    return code.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest


def _returned_status(value: Any) -> int:
    """The ``statusCode`` the code returned, as an int (JavaScript gives a float or a string)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number.is_integer() or not 100 <= number <= 599:
        raise JsError(
            f"the code returned statusCode {value!r}, which is not an HTTP status code "
            "(an integer from 100 to 599)"
        )
    return int(number)


def _returned_headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise JsError(f"the code returned headers that are not an object: {value!r}")
    return {str(k): str(v) for k, v in value.items()}
