"""http: the URL's own query, timeouts (0, negative, real), strict JSON and the method input key.

Mostly over httpx.MockTransport; the query and timeout checks also go over a loopback server so
what reaches the wire is what is asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import httpx
import pytest

from splice.components.builtin import http
from splice.components.inputs import InputValueError
from splice.components.testing import invoke
from tests.unit.components.builtin.test_http import Recorder, inputs


class Loopback:
    """A tiny HTTP/1.1 server on 127.0.0.1 answering ``{}``; records request targets."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.targets: list[str] = []
        self.port = 0
        self.release = asyncio.Event()
        self.handlers: set[asyncio.Task[object]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.targets.append(head.split(b"\r\n", 1)[0].split(b" ")[1].decode("ascii"))
            if self.delay:
                # Held until the delay passes or the test ends, whichever is first.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.release.wait(), self.delay)
            body = b"{}"
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode("ascii")
                + body
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


async def serve(delay: float = 0.0) -> AsyncIterator[Loopback]:
    loopback = Loopback(delay)
    server = await asyncio.start_server(loopback.handle, "127.0.0.1", 0)
    loopback.port = server.sockets[0].getsockname()[1]
    try:
        yield loopback
    finally:
        loopback.release.set()
        server.close()
        await server.wait_closed()
        if loopback.handlers:
            await asyncio.wait(loopback.handlers)


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    async for server in serve():
        yield server


# 1. The URL's own query string.


@pytest.mark.parametrize("action", ["httpGet", "httpPost", "httpPut", "httpDelete", "rawRequest"])
async def test_the_url_query_is_kept_without_query_params(action: str) -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    url = "https://api.acme.test/echo?a=1&c=%20z"
    await invoke(http.COMPONENT, action, inputs(url=url), transport=recorder.transport)
    assert recorder.requests[0].url.raw_path == b"/echo?a=1&c=%20z"


async def test_query_params_are_appended_after_the_url_query_with_repeats_kept() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    await invoke(
        http.COMPONENT,
        "httpGet",
        inputs(
            url="https://api.acme.test/echo?a=1&c=%20z&a=3",
            queryParams=[
                {"key": "b", "value": "2"},
                {"key": "a", "value": "x y&"},
                {"key": "b", "value": "4"},
            ],
        ),
        transport=recorder.transport,
    )
    url = recorder.requests[0].url
    assert url.raw_path == b"/echo?a=1&c=%20z&a=3&b=2&a=x+y%26&b=4"
    assert parse_qsl(url.query.decode("ascii")) == [
        ("a", "1"),
        ("c", " z"),
        ("a", "3"),
        ("b", "2"),
        ("a", "x y&"),
        ("b", "4"),
    ]


async def test_the_url_query_reaches_a_real_server(loopback: Loopback) -> None:
    await invoke(http.COMPONENT, "httpGet", inputs(url=loopback.url("/echo?a=1&c=%20z")))
    await invoke(
        http.COMPONENT,
        "httpPost",
        inputs(url=loopback.url("/echo?a=1"), queryParams=[{"key": "b", "value": "2"}], data="x"),
    )
    assert loopback.targets == ["/echo?a=1&c=%20z", "/echo?a=1&b=2"]


# 2. Timeouts.


@pytest.mark.parametrize("timeout", ["0", 0, "0.0", ""])
async def test_a_zero_or_empty_timeout_means_no_timeout(timeout: object) -> None:
    recorder = Recorder(httpx.Response(200, json={"ok": True}))
    result = await invoke(
        http.COMPONENT, "httpGet", inputs(timeout=timeout), transport=recorder.transport
    )
    assert result == {"ok": True}
    assert set(recorder.requests[0].extensions["timeout"].values()) == {None}


async def test_a_zero_timeout_works_against_a_real_server(loopback: Loopback) -> None:
    result = await invoke(http.COMPONENT, "httpGet", inputs(url=loopback.url("/"), timeout="0"))
    assert result == {}


@pytest.mark.parametrize("timeout", ["-1", -500, "-0.5"])
async def test_a_negative_timeout_is_an_input_error_naming_timeout(timeout: object) -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    with pytest.raises(InputValueError, match="timeout") as caught:
        await invoke(
            http.COMPONENT, "httpGet", inputs(timeout=timeout), transport=recorder.transport
        )
    assert caught.value.input_key == "timeout"
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ReadTimeout(""), "read timeout"),
        (httpx.ConnectTimeout(""), "connect timeout"),
        (httpx.WriteTimeout(""), "write timeout"),
        (httpx.PoolTimeout(""), "connection pool timeout"),
    ],
)
async def test_a_timeout_says_what_timed_out_and_the_limit(
    error: httpx.TimeoutException, kind: str
) -> None:
    recorder = Recorder(error)
    with pytest.raises(http.HttpRequestError) as caught:
        await invoke(
            http.COMPONENT, "httpGet", inputs(timeout="5000"), transport=recorder.transport
        )
    assert str(caught.value) == (
        f"GET {inputs()['url']} failed: the request timed out after 5000 ms ({kind})"
    )


async def test_a_real_read_timeout_is_described() -> None:
    async for slow in serve(delay=2.0):
        with pytest.raises(http.HttpRequestError) as caught:
            await invoke(http.COMPONENT, "httpGet", inputs(url=slow.url("/"), timeout="150"))
        assert str(caught.value).endswith("the request timed out after 150 ms (read timeout)")


async def test_retry_warnings_and_errors_never_have_an_empty_cause() -> None:
    spec = http.make_component(sleep=_no_sleep)
    logs: list[tuple[object, str]] = []
    recorder = Recorder(httpx.RemoteProtocolError(""))
    with pytest.raises(http.HttpRequestError) as caught:
        await invoke(
            spec, "httpGet", inputs(maxRetries="1"), transport=recorder.transport, logs=logs
        )
    assert not re.search(r":\s*$", str(caught.value))
    assert str(caught.value).endswith("RemoteProtocolError: no further detail")
    assert all(not re.search(r":\s*;", message) for _, message in logs)
    with pytest.raises(http.HttpStatusError, match=r"answered 500 with an empty body$"):
        await invoke(
            http.COMPONENT, "httpGet", inputs(), transport=Recorder(httpx.Response(500)).transport
        )


async def _no_sleep(seconds: float) -> None:
    return None


# 3. Strict JSON.


@pytest.mark.parametrize(
    "body",
    [
        '{"x": NaN}',
        '{"x": Infinity}',
        "[-Infinity]",
        '{"x": 1e400}',
        "-1e999",
        "NaN",
    ],
)
async def test_json_with_nan_or_infinity_is_not_json_and_comes_back_as_text(body: str) -> None:
    recorder = Recorder(
        httpx.Response(200, text=body, headers={"Content-Type": "application/json"})
    )
    assert await invoke(http.COMPONENT, "httpGet", inputs(), transport=recorder.transport) == body


async def test_strict_json_still_parses_big_and_small_numbers() -> None:
    body = '{"big": 123456789012345678901234567890, "f": 1.5e300, "tiny": 1e-400}'
    recorder = Recorder(
        httpx.Response(200, text=body, headers={"Content-Type": "application/json"})
    )
    result = await invoke(http.COMPONENT, "httpGet", inputs(), transport=recorder.transport)
    assert result == {"big": 123456789012345678901234567890, "f": 1.5e300, "tiny": 0.0}


# 4. The method input's real key.


@pytest.mark.parametrize(
    ("action", "given", "key"),
    [
        ("httpPostFormData", {"httpMethod": "fetch"}, "httpMethod"),
        ("rawRequest", {"method": "fetch"}, "method"),
    ],
)
async def test_a_bad_method_names_the_real_input(
    action: str, given: dict[str, str], key: str
) -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    with pytest.raises(InputValueError) as caught:
        await invoke(http.COMPONENT, action, inputs(**given), transport=recorder.transport)
    assert caught.value.input_key == key
    assert str(caught.value).startswith(f"input '{key}' ")
    assert recorder.requests == []


async def test_form_data_method_defaults_to_post_and_takes_put() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    await invoke(
        http.COMPONENT, "httpPostFormData", inputs(httpMethod=""), transport=recorder.transport
    )
    await invoke(
        http.COMPONENT, "httpPostFormData", inputs(httpMethod=" put "), transport=recorder.transport
    )
    assert [r.method for r in recorder.requests] == ["POST", "PUT"]
