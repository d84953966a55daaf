"""http: every method over httpx.MockTransport, with retries on a fake sleeper (no network)."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable

import httpx
import msgpack
import pytest

from splice.components.builtin import http
from splice.components.builtin.messagepack import COMPONENT as MESSAGEPACK
from splice.components.context import LogSeverity
from splice.components.inputs import InputValueError
from splice.components.testing import invoke
from tests.unit.components.builtin import payloads

URL = "https://api.acme.test/v1/comments"

# What every export step sends besides its own inputs (all strings, as YAML keeps them).
EXPORT_DEFAULTS = {
    "connection": "",
    "headers": [],
    "queryParams": [],
    "responseType": "json",
    "timeout": "",
    "maxRetries": "0",
    "retryDelayMS": "0",
    "useExponentialBackoff": "false",
    "retryOnAllErrors": "false",
    "includeFullResponse": "false",
    "debugRequest": "false",
    "ignoreSslErrors": "false",
}


class Recorder:
    """A MockTransport handler that records requests and answers from a script."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def spec_with_waits() -> tuple[http.ComponentSpec, list[float]]:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    return http.make_component(sleep=fake_sleep), waits


def inputs(**given: object) -> dict[str, object]:
    return {**EXPORT_DEFAULTS, "url": URL, **given}


async def test_get_sends_query_params_and_parses_json() -> None:
    comments = payloads.data("http", "jsonplaceholder-comments.json")
    recorder = Recorder(httpx.Response(200, json=comments))
    result = await invoke(
        http.COMPONENT,
        "httpGet",
        inputs(queryParams=[{"key": "_limit", "value": "2"}, {"key": "_page", "value": 3}]),
        transport=recorder.transport,
    )
    assert result == comments
    (request,) = recorder.requests
    assert request.method == "GET"
    assert str(request.url) == f"{URL}?_limit=2&_page=3"


async def test_post_sends_objects_as_json_and_keeps_given_headers() -> None:
    recorder = Recorder(httpx.Response(201, json={"id": 7}))
    mapped = {"acct_name": "Acme", "revenue": "1000000"}
    result = await invoke(
        http.COMPONENT,
        "httpPost",
        inputs(data=mapped, headers=[{"key": "X-Batch", "value": "b-1"}]),
        transport=recorder.transport,
    )
    assert result == {"id": 7}
    request = recorder.requests[0]
    assert request.method == "POST"
    assert json.loads(request.content) == mapped
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-batch"] == "b-1"


async def test_put_patch_delete_and_raw_request_use_their_methods() -> None:
    recorder = Recorder(httpx.Response(200, text="ok"))
    for action, extra, method in [
        ("httpPut", {"data": "plain text"}, "PUT"),
        ("httpPatch", {"data": {"a": 1}}, "PATCH"),
        ("httpDelete", {}, "DELETE"),
        ("rawRequest", {"method": "options"}, "OPTIONS"),
    ]:
        assert (
            await invoke(http.COMPONENT, action, inputs(**extra), transport=recorder.transport)
            == "ok"
        )
        assert recorder.requests[-1].method == method
    assert recorder.requests[0].content == b"plain text"


async def test_response_types_text_and_binary_feed_messagepack() -> None:
    packed = payloads.path("messagepack", "step-result.msgpack").read_bytes()
    recorder = Recorder(
        httpx.Response(200, content=packed, headers={"Content-Type": "application/octet-stream"})
    )
    binary = await invoke(
        http.COMPONENT, "httpGet", inputs(responseType="binary"), transport=recorder.transport
    )
    assert binary == {"data": packed, "contentType": "application/octet-stream"}
    decoded = await invoke(MESSAGEPACK, "decodeMessage", {"message": binary})
    assert decoded == msgpack.unpackb(packed)

    recorder = Recorder(httpx.Response(200, text='{"not": "parsed"}'))
    text = await invoke(
        http.COMPONENT, "httpGet", inputs(responseType="text"), transport=recorder.transport
    )
    assert text == '{"not": "parsed"}'


async def test_json_response_that_is_not_json_comes_back_as_text() -> None:
    recorder = Recorder(httpx.Response(200, text="<html>hi</html>"))
    assert (
        await invoke(http.COMPONENT, "httpGet", inputs(), transport=recorder.transport)
        == "<html>hi</html>"
    )


async def test_full_response_has_data_headers_and_status() -> None:
    recorder = Recorder(httpx.Response(202, json={"queued": True}, headers={"X-Request-Id": "r1"}))
    result = await invoke(
        http.COMPONENT,
        "httpPost",
        inputs(includeFullResponse="true", data={"a": 1}),
        transport=recorder.transport,
    )
    assert result["data"] == {"queued": True}
    assert result["statusCode"] == 202
    assert result["headers"]["x-request-id"] == "r1"


async def test_client_errors_fail_at_once_with_status_and_body() -> None:
    spec, waits = spec_with_waits()
    recorder = Recorder(httpx.Response(404, text="no such comment " + "x" * 1000))
    with pytest.raises(
        http.HttpStatusError,
        match=re.escape(f"GET {URL} answered 404: no such comment"),
    ) as caught:
        await invoke(spec, "httpGet", inputs(maxRetries="3"), transport=recorder.transport)
    assert caught.value.status_code == 404
    assert len(str(caught.value)) < 700
    assert len(recorder.requests) == 1
    assert waits == []


async def test_server_errors_are_retried_with_the_fixed_delay() -> None:
    spec, waits = spec_with_waits()
    recorder = Recorder(httpx.Response(503), httpx.Response(502), httpx.Response(200, json=[1]))
    result = await invoke(
        spec, "httpGet", inputs(maxRetries="2", retryDelayMS="250"), transport=recorder.transport
    )
    assert result == [1]
    assert len(recorder.requests) == 3
    assert waits == [0.25, 0.25]


async def test_exponential_backoff_and_giving_up() -> None:
    spec, waits = spec_with_waits()
    recorder = Recorder(httpx.Response(500, text="boom"))
    with pytest.raises(http.HttpStatusError, match="answered 500: boom"):
        await invoke(
            spec,
            "httpGet",
            inputs(maxRetries="3", retryDelayMS="5000", useExponentialBackoff="true"),
            transport=recorder.transport,
        )
    assert waits == [0.1, 0.2, 0.4]
    assert len(recorder.requests) == 4


async def test_retry_on_all_errors_retries_a_429() -> None:
    spec, waits = spec_with_waits()
    recorder = Recorder(httpx.Response(429), httpx.Response(200, json={"ok": 1}))
    result = await invoke(
        spec,
        "httpGet",
        inputs(maxRetries="1", retryOnAllErrors="true"),
        transport=recorder.transport,
    )
    assert result == {"ok": 1}
    assert waits == [0.0]


async def test_network_errors_are_retried_then_reported() -> None:
    spec, waits = spec_with_waits()
    recorder = Recorder(httpx.ConnectError("connection refused"))
    with pytest.raises(http.HttpRequestError, match="ConnectError: connection refused"):
        await invoke(spec, "httpGet", inputs(maxRetries="1"), transport=recorder.transport)
    assert len(recorder.requests) == 2
    assert waits == [0.0]


@pytest.mark.parametrize(
    ("connection", "check"),
    [
        (
            {"key": "basic", "fields": {"username": "ada", "password": "s3cret"}},
            lambda r: r.headers["authorization"] == "Basic YWRhOnMzY3JldA==",
        ),
        (
            {"key": "apiKey", "fields": {"apiKey": "k-123", "headerName": "X-Api-Key"}},
            lambda r: r.headers["x-api-key"] == "k-123" and "authorization" not in r.headers,
        ),
        (
            {"key": "oauth2", "fields": {"clientId": "c"}, "token": {"access_token": "tok"}},
            lambda r: r.headers["authorization"] == "Bearer tok",
        ),
        ("", lambda r: "authorization" not in r.headers),
    ],
)
async def test_connections_add_credentials(
    connection: object, check: Callable[[httpx.Request], bool]
) -> None:
    recorder = Recorder(httpx.Response(204))
    assert (
        await invoke(
            http.COMPONENT, "httpGet", inputs(connection=connection), transport=recorder.transport
        )
        is None
    )
    assert check(recorder.requests[0])


async def test_post_form_data_sends_multipart_fields_and_named_files() -> None:
    recorder = Recorder(httpx.Response(200, json={"uploaded": True}))
    await invoke(
        http.COMPONENT,
        "httpPostFormData",
        inputs(
            httpMethod="put",
            formData=[{"key": "channel", "value": "C42"}],
            fileData=[
                {"key": "file", "value": {"data": b"%PDF-1.7", "contentType": "application/pdf"}}
            ],
            fileDataFileNames=[{"key": "file", "value": "receipt.pdf"}],
        ),
        transport=recorder.transport,
    )
    request = recorder.requests[0]
    assert request.method == "PUT"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="channel"\r\n\r\nC42' in body
    assert b'name="file"; filename="receipt.pdf"' in body
    assert b"%PDF-1.7" in body


async def test_timeout_reaches_the_request_and_bad_inputs_are_refused() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    await invoke(http.COMPONENT, "httpGet", inputs(timeout="1500"), transport=recorder.transport)
    assert recorder.requests[0].extensions["timeout"]["read"] == 1.5
    with pytest.raises(InputValueError, match="url"):
        await invoke(http.COMPONENT, "httpGet", inputs(url="ftp://x"), transport=recorder.transport)
    with pytest.raises(InputValueError, match="responseType"):
        await invoke(
            http.COMPONENT, "httpGet", inputs(responseType="xml"), transport=recorder.transport
        )


async def test_debug_request_logs_without_secrets() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    logs: list[tuple[LogSeverity, str]] = []
    await invoke(
        http.COMPONENT,
        "httpGet",
        inputs(debugRequest="true", headers=[{"key": "Authorization", "value": "Bearer hush"}]),
        transport=recorder.transport,
        logs=logs,
    )
    text = " ".join(message for _, message in logs)
    assert f"GET {URL}" in text and "answered 200" in text
    assert "hush" not in text


async def test_gzip_bodies_are_decoded_and_full_response_keeps_the_sent_headers() -> None:
    body = gzip.compress(json.dumps({"page": 2}).encode())
    recorder = Recorder(
        httpx.Response(
            200,
            content=body,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
    )
    result = await invoke(
        http.COMPONENT, "httpGet", inputs(includeFullResponse="true"), transport=recorder.transport
    )
    assert result["data"] == {"page": 2}
    assert result["headers"]["content-encoding"] == "gzip"


async def test_a_body_over_the_size_limit_fails_the_step() -> None:
    small = http.make_component(max_response_bytes=1024)
    recorder = Recorder(httpx.Response(200, content=b"x" * 4096))
    with pytest.raises(http.HttpResponseTooLarge, match="larger than 1024 bytes"):
        await invoke(small, "httpGet", inputs(responseType="text"), transport=recorder.transport)
