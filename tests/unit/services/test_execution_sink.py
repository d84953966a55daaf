"""Step results as stored: MessagePack ``{data, contentType}`` that prism can read back."""

from __future__ import annotations

import base64
import json

import msgpack

from splice.services.execution_sink import pack_result


def unpack(blob: bytes) -> dict[str, object]:
    document: dict[str, object] = msgpack.unpackb(blob)
    return document


def test_bytes_inside_a_structure_are_kept_as_base64_not_their_repr() -> None:
    """An http ``responseType: binary`` result is ``{data: bytes, contentType}``."""
    binary = msgpack.packb({"data": "[1]"})
    stored = unpack(pack_result({"data": binary, "contentType": "application/x-msgpack"}, None))
    assert stored["contentType"] == "application/json"
    decoded = json.loads(str(stored["data"]))
    assert base64.b64decode(decoded["data"]) == binary
    assert decoded["contentType"] == "application/x-msgpack"


def test_utf8_bytes_inside_a_structure_are_text() -> None:
    stored = unpack(pack_result({"body": "Grüße".encode()}, None))
    assert json.loads(str(stored["data"])) == {"body": "Grüße"}


def test_top_level_bytes_and_text_keep_their_type() -> None:
    assert unpack(pack_result(b"\x00\x01", None)) == {
        "data": b"\x00\x01",
        "contentType": "application/octet-stream",
    }
    assert unpack(pack_result("a,b", "text/csv")) == {"data": "a,b", "contentType": "text/csv"}
