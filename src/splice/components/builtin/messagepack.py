"""The `messagepack` core component: decode MessagePack data (spec 15).

The message is usually an ``http`` step's binary result, e.g. a step result fetched from its
``resultsUrl`` (``{data, contentType}`` packed, read next as ``decode.results.data``).
"""

from __future__ import annotations

from typing import Any

import msgpack

from splice.components.builtin._support import as_bytes
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_messagepack = component(
    "messagepack", label="MessagePack", description="Decode MessagePack data", category="Data"
)


@_messagepack.action(
    "decodeMessage",
    label="Decode",
    description="Returns the decoded object",
    inputs=(Input("message", "Message", type="data", required=True),),
)
def decode_message(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    """The decoded value; maps with non-string keys are kept, timestamps become datetimes."""
    raw = as_bytes(inputs.get("message"), "message")
    try:
        return msgpack.unpackb(raw, raw=False, strict_map_key=False, timestamp=3)
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as error:
        raise InputValueError(f"is not valid MessagePack ({error})", "message") from None
    except TypeError as error:  # an array or map used as a map key: a dict cannot hold it
        raise InputValueError(
            f"holds a MessagePack map with an array or map as a key, which cannot be decoded ({error})",
            "message",
        ) from None


COMPONENT = _messagepack.build()
MANIFEST = COMPONENT.manifest
