"""The `http` core component: HTTP requests with the same core inputs on every method (spec 15).

Requests go through ``ctx.http_client()``, so the run decides the transport (tests pass an
``httpx.MockTransport``). A config-variable ``connection`` adds credentials: an OAuth token as
``Bearer``, ``basic`` username/password, or ``apiKey`` in the ``headerName`` header (default
``Authorization``); explicit ``headers`` win over it.

The URL's own query string is kept and ``queryParams`` are appended after it. ``timeout`` is in
milliseconds; empty or 0 means none, a negative one is refused.

The result is the body decoded per ``responseType`` (``json``, parsed strictly, so ``NaN``,
``Infinity`` and numbers that overflow fall back to text like any body that is not JSON;
``text``; ``binary`` as ``{data: bytes, contentType}``), or with ``includeFullResponse``
``{data, headers, statusCode}``. A non-2xx answer fails the step with the status and the start
of the body once retries are spent. Retries (``maxRetries``) cover network
errors and 5xx answers, or every failure with ``retryOnAllErrors``; they wait ``retryDelayMS``, or
100 ms doubling per attempt with ``useExponentialBackoff``. ``make_component(sleep=...)`` takes
the wait so tests never sleep. ``httpDelete`` and ``httpPatch`` are documented but unused in
exports; their keys follow the naming pattern.

The ``jsonPicklist`` data source (Splice's own) GETs a URL with the connection and offers the
JSON it finds at ``path`` as picklist choices: a list's strings, or its objects' ``keyField`` /
``labelField``; an object's keys.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from splice.components.builtin._support import (
    as_bytes,
    is_unset,
    to_json_text,
    to_text,
)
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_bool, as_int, as_number, kv_pairs
from splice.components.manifest import InputManifest
from splice.components.sdk import ActionError, ComponentSpec, Input, component

__all__ = [
    "COMMON_INPUTS",
    "COMPONENT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MANIFEST",
    "HttpRequestError",
    "HttpResponseTooLarge",
    "HttpStatusError",
    "make_component",
]

Sleeper = Callable[[float], Awaitable[Any]]

COMMON_INPUTS = (
    Input("url", "URL", required=True),
    Input("connection", "Connection", type="connection"),
    Input("headers", "Header", collection="keyvaluelist"),
    Input("queryParams", "Query Parameter", collection="keyvaluelist"),
    Input(
        "responseType",
        "Response Type",
        type="picklist",
        default="json",
        comments="json|text|binary",
    ),
    Input("timeout", "Timeout", comments="Milliseconds; empty means no timeout"),
    Input("maxRetries", "Max Retry Count", default="0"),
    Input("retryDelayMS", "Retry Delay (ms)", default="0"),
    Input("useExponentialBackoff", "Use Exponential Backoff", type="boolean", default="false"),
    Input("retryOnAllErrors", "Retry On All Errors", type="boolean", default="false"),
    Input("includeFullResponse", "Include Full Response", type="boolean", default="false"),
    Input("debugRequest", "Debug Request", type="boolean", default="false"),
    Input("ignoreSslErrors", "Ignore SSL Errors", type="boolean", default="false"),
)

_DATA = Input("data", "Data", type="data", comments="A string, or an object sent as JSON")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_EXCERPT = 500
_MAX_RETRIES = 10
DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024
"""Bodies are read into memory; a larger answer fails the step instead of the worker."""
_BACKOFF_BASE_S = 0.1


class HttpStatusError(ActionError):
    """The server answered outside 2xx; carries the status and the start of the body."""

    def __init__(self, method: str, url: str, status_code: int, body: str) -> None:
        excerpt = body if len(body) <= _EXCERPT else body[:_EXCERPT] + "..."
        detail = f": {excerpt}" if excerpt.strip() else " with an empty body"
        super().__init__(f"{method} {url} answered {status_code}{detail}")
        self.status_code = status_code
        self.body = body


class HttpResponseTooLarge(ActionError):
    """The response body is over the size limit; it is not read further."""


class HttpRequestError(ActionError):
    """The request never got an answer (connection refused, DNS, timeout)."""


def _auth(connection: Any) -> tuple[dict[str, str], httpx.Auth | None]:
    """Headers and httpx auth from a connection config variable ``{key, fields, token?}``."""
    if not isinstance(connection, Mapping):
        return {}, None
    fields = connection.get("fields") or {}
    token = connection.get("token") or {}
    if isinstance(token, Mapping) and token.get("access_token"):
        return {"Authorization": f"Bearer {token['access_token']}"}, None
    if connection.get("key") == "basic" or ("username" in fields and "password" in fields):
        return {}, httpx.BasicAuth(to_text(fields.get("username")), to_text(fields.get("password")))
    if fields.get("apiKey"):
        header = to_text(fields.get("headerName")) or "Authorization"
        return {header: to_text(fields["apiKey"])}, None
    return {}, None


def _body(data: Any, headers: dict[str, str]) -> dict[str, Any]:
    """httpx keyword arguments for ``data``; sets Content-Type when the caller did not."""
    has_type = any(name.lower() == "content-type" for name in headers)
    if is_unset(data):
        return {}
    if isinstance(data, Mapping) and isinstance(data.get("data"), bytes | bytearray):
        if not has_type and data.get("contentType"):
            headers["Content-Type"] = str(data["contentType"])
        return {"content": bytes(data["data"])}
    if isinstance(data, bytes | bytearray | memoryview):
        return {"content": bytes(data)}
    if isinstance(data, str):
        return {"content": data.encode("utf-8")}
    if not has_type:
        headers["Content-Type"] = "application/json"
    return {"content": to_json_text(data).encode("utf-8")}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range for a JSON number")
    return number


def _decode(response: httpx.Response, response_type: str) -> Any:
    """The body per ``responseType``; ``json`` is parsed strictly (no ``NaN``/``Infinity``,
    no number that overflows to infinity) and a body that is not JSON comes back as text."""
    if response_type == "binary":
        return {"data": response.content, "contentType": response.headers.get("content-type")}
    if response_type == "text":
        return response.text
    if not response.content:
        return None
    try:
        return response.json(parse_constant=_no_constant, parse_float=_finite_float)
    except ValueError:
        return response.text


def _ms(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _describe(error: httpx.TransportError, timeout_ms: float | None) -> str:
    """What went wrong, never empty: a timeout says which one and the limit."""
    if isinstance(error, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connect",
            httpx.ReadTimeout: "read",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "connection pool",
        }.get(type(error), "")
        after = f" after {_ms(timeout_ms)} ms" if timeout_ms is not None else ""
        which = f" ({kind} timeout)" if kind else ""
        return f"the request timed out{after}{which}"
    detail = str(error).strip()
    cause = error.__cause__ or error.__context__
    if not detail and cause is not None:
        detail = str(cause).strip() or type(cause).__name__
    return f"{type(error).__name__}: {detail or 'no further detail'}"


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    secret = {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"}
    return {k: ("<redacted>" if k.lower() in secret else v) for k, v in headers.items()}


def _timeout_ms(value: Any) -> float | None:
    """Milliseconds, or None for no timeout: empty, 0 (as axios) or infinite."""
    if is_unset(value) or (isinstance(value, str) and not value.strip()):
        return None
    ms = as_number(value, key="timeout")
    if ms < 0:
        raise InputValueError(
            f"expects milliseconds of 0 or more (empty or 0 means no timeout), got {value!r}",
            "timeout",
        )
    return None if ms == 0 or math.isinf(ms) else ms


class _Request:
    """One action call: its inputs read once, then sent with retries."""

    def __init__(self, inputs: dict[str, Any], method: str) -> None:
        self.method = method
        self.url = to_text(inputs.get("url")).strip()
        if not self.url.lower().startswith(("http://", "https://")):
            raise InputValueError(f"expects an http(s) URL, got {self.url!r}", "url")
        self.params: list[tuple[str, str | int | float | bool | None]] = [
            (k, to_text(v)) for k, v in kv_pairs(inputs.get("queryParams"), key="queryParams")
        ]
        self.target = self._target()
        auth_headers, self.auth = _auth(inputs.get("connection"))
        given = {k: to_text(v) for k, v in kv_pairs(inputs.get("headers"), key="headers")}
        self.headers = {**auth_headers, **given}
        self.response_type = to_text(inputs.get("responseType")).lower() or "json"
        if self.response_type not in ("json", "text", "binary"):
            raise InputValueError(
                f"expects json, text or binary, got {self.response_type!r}", "responseType"
            )
        self.timeout_ms = _timeout_ms(inputs.get("timeout"))
        self.timeout = None if self.timeout_ms is None else self.timeout_ms / 1000
        self.retries = as_int(inputs.get("maxRetries"), 0, key="maxRetries")
        if not 0 <= self.retries <= _MAX_RETRIES:
            raise InputValueError(f"expects 0 to {_MAX_RETRIES}", "maxRetries")
        self.delay_ms = as_number(inputs.get("retryDelayMS"), 0, key="retryDelayMS")
        self.backoff = as_bool(inputs.get("useExponentialBackoff"), key="useExponentialBackoff")
        self.retry_all = as_bool(inputs.get("retryOnAllErrors"), key="retryOnAllErrors")
        self.full = as_bool(inputs.get("includeFullResponse"), key="includeFullResponse")
        self.debug = as_bool(inputs.get("debugRequest"), key="debugRequest")
        self.verify = not as_bool(inputs.get("ignoreSslErrors"), key="ignoreSslErrors")
        self.body: dict[str, Any] = {}
        self.max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES
        self.raw_headers: dict[str, str] = {}

    def _target(self) -> httpx.URL:
        """The URL with its own query kept and ``queryParams`` appended after it (repeated
        keys kept). httpx's ``params=`` would replace the URL's query, so it is never used."""
        try:
            url = httpx.URL(self.url)
        except httpx.InvalidURL as error:
            raise InputValueError(f"is not a valid URL ({error}): {self.url!r}", "url") from None
        if not self.params:
            return url
        extra = urlencode([(k, to_text(v)) for k, v in self.params])
        query = url.query.decode("ascii")
        return url.copy_with(query=(f"{query}&{extra}" if query else extra).encode("ascii"))

    def delay(self, attempt: int) -> float:
        if self.backoff:
            return float(_BACKOFF_BASE_S * 2**attempt)
        return float(self.delay_ms) / 1000

    async def send(self, ctx: ActionContext, sleep: Sleeper) -> Any:
        if self.debug:
            shown = _redacted(self.headers)
            ctx.logger.info(f"{self.method} {self.url} params={self.params} headers={shown}")
        async with ctx.http_client(
            timeout=self.timeout, verify=self.verify, follow_redirects=True
        ) as client:
            attempt = 0
            while True:
                request = client.build_request(
                    self.method, self.target, headers=self.headers, **self.body
                )
                try:
                    response = await self._read(client, request)
                except httpx.TransportError as error:
                    why = _describe(error, self.timeout_ms)
                    if attempt < self.retries:
                        await self._wait(ctx, attempt, why, sleep)
                        attempt += 1
                        continue
                    raise HttpRequestError(f"{self.method} {self.url} failed: {why}") from error
                if self.debug:
                    ctx.logger.info(f"{self.method} {self.url} answered {response.status_code}")
                if response.is_success:
                    return self._result(response)
                retryable = self.retry_all or response.status_code >= 500
                if retryable and attempt < self.retries:
                    await self._wait(ctx, attempt, f"status {response.status_code}", sleep)
                    attempt += 1
                    continue
                raise HttpStatusError(self.method, self.url, response.status_code, response.text)

    async def _read(self, client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
        """Send and read the body, refusing more than ``max_response_bytes``; the answer comes
        back as a read response (decoded body) that keeps the original headers."""
        streamed = await client.send(
            request, auth=self.auth or httpx.USE_CLIENT_DEFAULT, stream=True
        )
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in streamed.aiter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise HttpResponseTooLarge(
                        f"{self.method} {self.url}: the response is larger than "
                        f"{self.max_response_bytes} bytes"
                    )
                chunks.append(chunk)
        finally:
            await streamed.aclose()
        transfer = {"content-encoding", "content-length", "transfer-encoding"}
        read = httpx.Response(
            streamed.status_code,
            headers=[
                (k, v) for k, v in streamed.headers.multi_items() if k.lower() not in transfer
            ],
            content=b"".join(chunks),
            request=request,
        )
        self.raw_headers = dict(streamed.headers)
        return read

    async def _wait(self, ctx: ActionContext, attempt: int, why: str, sleep: Sleeper) -> None:
        seconds = self.delay(attempt)
        ctx.logger.warn(
            f"{self.method} {self.url}: {why}; retry {attempt + 1} of {self.retries} in {seconds:g} s"
        )
        await sleep(seconds)

    def _result(self, response: httpx.Response) -> Any:
        data = _decode(response, self.response_type)
        if not self.full:
            return data
        headers = self.raw_headers or dict(response.headers)
        return {"data": data, "headers": headers, "statusCode": response.status_code}


def _dig(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` (list items by index); a missing step names itself."""
    for part in [p for p in path.split(".") if p]:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            raise InputValueError(f"the answer has nothing at {part!r} (of {path!r})", "path")
    return data


def _choices(data: Any, key_field: str, label_field: str) -> list[dict[str, str]]:
    """Picklist choices ``{key, label}`` from a JSON list or object."""
    if isinstance(data, Mapping):
        return [{"key": str(k), "label": str(k)} for k in data]
    if not isinstance(data, list):
        raise InputValueError(f"expects a JSON list or object, got {type(data).__name__}", "path")
    choices: list[dict[str, str]] = []
    for item in data:
        if isinstance(item, Mapping):
            if key_field not in item:
                raise InputValueError(f"an item has no {key_field!r}: {item}", "keyField")
            key = to_text(item[key_field])
            choices.append({"key": key, "label": to_text(item.get(label_field, key)) or key})
        else:
            choices.append({"key": to_text(item), "label": to_text(item)})
    return choices


def _form(inputs: dict[str, Any]) -> list[tuple[str, tuple[str | None, bytes | str]]]:
    """Multipart parts: form fields (no file name) then files (named by ``fileDataFileNames``)."""
    parts: list[tuple[str, tuple[str | None, bytes | str]]] = [
        (key, (None, to_text(value)))
        for key, value in kv_pairs(inputs.get("formData"), key="formData")
    ]
    names = dict(kv_pairs(inputs.get("fileDataFileNames"), key="fileDataFileNames"))
    for key, value in kv_pairs(inputs.get("fileData"), key="fileData"):
        content = value.encode("utf-8") if isinstance(value, str) else as_bytes(value, "fileData")
        parts.append((key, (to_text(names.get(key)) or key, content)))
    return parts


def make_component(
    *, sleep: Sleeper = asyncio.sleep, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
) -> ComponentSpec:
    """The component; ``sleep`` waits between retries; bodies over ``max_response_bytes`` fail."""
    http = component(
        "http",
        label="HTTP",
        description="Make HTTP requests to any URL",
        category="Application Connectors",
    )

    def method_action(key: str, label: str, method: str | None, *extra: InputManifest) -> None:
        async def perform(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
            verb_key = {"rawRequest": "method", "httpPostFormData": "httpMethod"}.get(key)
            if verb_key is None:
                verb = method or "GET"
            else:
                given = to_text(inputs.get(verb_key)).strip().upper()
                verb = given or ("POST" if key == "httpPostFormData" else "GET")
            if verb not in _METHODS:
                raise InputValueError(f"is not an HTTP method: {verb!r}", verb_key or "method")
            request = _Request(inputs, verb)
            request.max_response_bytes = max_response_bytes
            if key == "httpPostFormData":
                request.body = {"files": _form(inputs)}
            elif "data" in {spec.key for spec in extra}:
                request.body = _body(inputs.get("data"), request.headers)
            return await request.send(ctx, sleep)

        perform.__name__ = perform.__qualname__ = key
        http.action(
            key, label=label, description=f"Issue an HTTP {label}", inputs=COMMON_INPUTS + extra
        )(perform)

    method_action("httpGet", "GET Request", "GET")
    method_action("httpPost", "POST Request", "POST", _DATA)
    method_action("httpPut", "PUT Request", "PUT", _DATA)
    method_action("httpPatch", "PATCH Request", "PATCH", _DATA)
    method_action("httpDelete", "DELETE Request", "DELETE", _DATA)
    method_action(
        "httpPostFormData",
        "POST Form Data Request",
        None,
        Input("httpMethod", "HTTP Method", type="picklist", default="post"),
        Input("formData", "Form Data", collection="keyvaluelist"),
        Input("fileData", "File Data", type="data", collection="keyvaluelist"),
        Input("fileDataFileNames", "File Data File Names", collection="keyvaluelist"),
    )
    method_action(
        "rawRequest",
        "Raw Request",
        None,
        Input("method", "Method", type="picklist", default="get"),
        _DATA,
    )

    @http.data_source(
        "jsonPicklist",
        label="Picklist From JSON",
        description="GET a URL and offer the JSON list (or object keys) at a path as choices",
        inputs=(
            Input("url", "URL", required=True),
            Input("connection", "Connection", type="connection"),
            Input("headers", "Header", collection="keyvaluelist"),
            Input("path", "Path", comments="Dotted path to the list, e.g. data.items"),
            Input("keyField", "Key Field", default="key"),
            Input("labelField", "Label Field", default="label"),
            Input("timeout", "Timeout", default="10000", comments="Milliseconds"),
        ),
    )
    async def json_picklist(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        request = _Request({**inputs, "responseType": "json"}, "GET")
        request.max_response_bytes = max_response_bytes
        data = _dig(await request.send(ctx, sleep), to_text(inputs.get("path")))
        choices = _choices(
            data, to_text(inputs.get("keyField")) or "key", to_text(inputs.get("labelField"))
        )
        ctx.logger.info(f"GET {request.url}: {len(choices)} choices")
        return {"result": choices}

    for key, label, fields in (
        ("apiKey", "API Key", ("apiKey", "headerName")),
        ("basic", "Basic Auth", ("username", "password")),
        (
            "oauth2",
            "OAuth 2.0 Authorization Code",
            ("authorizeUrl", "tokenUrl", "scopes", "clientId", "clientSecret"),
        ),
        (
            "oauth2ClientCredentials",
            "OAuth 2.0 Client Credentials",
            ("tokenUrl", "scopes", "clientId", "clientSecret"),
        ),
    ):
        http.connection(key, label=label, inputs=tuple(Input(f, f) for f in fields))
    return http.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest
