"""messagepack.decodeMessage: a step result downloaded from its resultsUrl as binary."""

from __future__ import annotations

import base64

import msgpack
import pytest

from splice.components.builtin.messagepack import COMPONENT
from splice.components.inputs import InputValueError
from splice.components.testing import invoke
from tests.unit.components.builtin import payloads


async def test_decodes_the_binary_http_result_so_data_can_be_read_next() -> None:
    raw = payloads.path("messagepack", "step-result.msgpack").read_bytes()
    http_result = {"data": raw, "contentType": "application/octet-stream"}
    decoded = await invoke(COMPONENT, "decodeMessage", {"message": http_result})
    assert decoded["contentType"] == "application/json"
    assert [c["email"] for c in decoded["data"]] == ["Eliseo@gardner.biz", "Jayne_Kuhic@sydney.com"]


async def test_decodes_bytes_and_base64_text_with_integer_keys() -> None:
    raw = msgpack.packb({1: "one", "two": [2, 2.5, None, True]})
    assert await invoke(COMPONENT, "decodeMessage", {"message": raw}) == {
        1: "one",
        "two": [2, 2.5, None, True],
    }
    text = base64.b64encode(raw).decode()
    assert (await invoke(COMPONENT, "decodeMessage", {"message": text}))[1] == "one"


@pytest.mark.parametrize("message", [b"\xc1", msgpack.packb(1) + b"\x01", "not base64!"])
async def test_refuses_what_is_not_messagepack(message: bytes | str) -> None:
    with pytest.raises(InputValueError, match="message"):
        await invoke(COMPONENT, "decodeMessage", {"message": message})


async def test_an_array_as_a_map_key_names_the_input() -> None:
    packed = b"\x81\x92\x01\x02\xa1x"  # {[1, 2]: "x"}
    with pytest.raises(InputValueError, match="input 'message' holds a MessagePack map with an"):
        await invoke(COMPONENT, "decodeMessage", {"message": packed})
