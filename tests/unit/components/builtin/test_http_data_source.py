"""The http component's ``jsonPicklist`` data source: JSON at a path becomes picklist choices."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from splice.components.builtin import http
from splice.components.inputs import InputValueError
from splice.components.testing import make_context

ANSWER = {"data": {"regions": {"eu-west-1": {}, "us-east-1": {}}, "tags": ["a", 2]}}


async def pick(**inputs: Any) -> Any:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ANSWER)

    function = http.COMPONENT.data_source_functions["jsonPicklist"]
    ctx = make_context(transport=httpx.MockTransport(answer))
    connection = {"key": "apiKey", "fields": {"apiKey": "k", "headerName": "X-Key"}}
    result = await function(ctx, {"url": "https://acme.test/x", "connection": connection, **inputs})
    assert [r.headers["X-Key"] for r in seen] == ["k"]
    return result


async def test_an_object_offers_its_keys_and_a_list_its_items() -> None:
    assert await pick(path="data.regions") == {
        "result": [
            {"key": "eu-west-1", "label": "eu-west-1"},
            {"key": "us-east-1", "label": "us-east-1"},
        ]
    }
    assert await pick(path="data.tags") == {
        "result": [{"key": "a", "label": "a"}, {"key": "2", "label": "2"}]
    }


async def test_a_path_that_is_not_there_names_the_missing_part() -> None:
    with pytest.raises(InputValueError, match="nothing at 'channels'"):
        await pick(path="data.channels")
