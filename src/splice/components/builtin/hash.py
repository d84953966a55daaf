"""The `hash` component (a Splice addition; the spec names a Hash component but not its keys).

Digests and HMACs of text or binary data, as hex (default) or base64 text, and a constant-time
HMAC check for signed webhooks (``verifyHmac``, e.g. ``X-Hub-Signature-256: sha256=<hex>``).
Text is hashed as UTF-8; objects and lists as their compact JSON; binary step results
(``{data, contentType}``) and bytes as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as _hmac
from collections.abc import Mapping
from typing import Any

from splice.components.builtin._support import to_json_text, to_text
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError
from splice.components.sdk import Input, component

__all__ = ["ALGORITHMS", "COMPONENT", "MANIFEST", "digest_bytes"]

ALGORITHMS = ("md5", "sha1", "sha256", "sha512")

_hash = component(
    "hash",
    label="Hash",
    description="Hash data and sign or verify it with HMAC",
    category="Data",
)

_DATA = Input("data", "Data", type="data", required=True, comments="Text, an object, or binary")
_ENCODING = Input(
    "encoding", "Output Encoding", type="picklist", default="hex", comments="hex|base64"
)
_ALGORITHM = Input(
    "algorithm", "Algorithm", type="picklist", default="sha256", comments="|".join(ALGORITHMS)
)
_SECRET = Input("secret", "Secret", required=True)


def digest_bytes(value: Any) -> bytes:
    """The bytes a value is hashed as."""
    if isinstance(value, Mapping) and isinstance(value.get("data"), bytes | bytearray):
        return bytes(value["data"])
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if value is None:
        return b""
    if isinstance(value, int | float | bool):
        return to_text(value).encode("utf-8")
    return to_json_text(value).encode("utf-8")


def _data(inputs: dict[str, Any]) -> bytes:
    """The bytes of the required ``data`` input; leaving it out fails (``""`` is empty text)."""
    value = inputs.get("data")
    if value is None:
        raise InputValueError("is required", "data")
    return digest_bytes(value)


def _required_text(inputs: dict[str, Any], key: str) -> str:
    text = to_text(inputs.get(key))
    if not text:
        raise InputValueError("is required", key)
    return text


def _encode(raw: bytes, encoding: Any) -> str:
    name = to_text(encoding).lower() or "hex"
    if name == "hex":
        return raw.hex()
    if name == "base64":
        return base64.b64encode(raw).decode("ascii")
    raise InputValueError(f"expects hex or base64, got {name!r}", "encoding")


def _algorithm(value: Any) -> str:
    name = to_text(value).lower().replace("-", "") or "sha256"
    if name not in ALGORITHMS:
        raise InputValueError(f"expects one of {', '.join(ALGORITHMS)}, got {name!r}", "algorithm")
    return name


def _digest_action(algorithm: str, label: str) -> None:
    def perform(ctx: ActionContext, inputs: dict[str, Any]) -> str:
        raw = hashlib.new(algorithm, _data(inputs)).digest()
        return _encode(raw, inputs.get("encoding"))

    perform.__name__ = perform.__qualname__ = algorithm
    _hash.action(
        algorithm,
        label=label,
        description=f"Returns the {label} digest of the data",
        inputs=(_DATA, _ENCODING),
    )(perform)


for _key, _label in (
    ("md5", "MD5"),
    ("sha1", "SHA-1"),
    ("sha256", "SHA-256"),
    ("sha512", "SHA-512"),
):
    _digest_action(_key, _label)


def _signature(inputs: dict[str, Any]) -> bytes:
    return _hmac.new(
        _required_text(inputs, "secret").encode("utf-8"),
        _data(inputs),
        _algorithm(inputs.get("algorithm")),
    ).digest()


@_hash.action(
    "hmac",
    label="HMAC",
    description="Returns the HMAC of the data with the secret",
    inputs=(_DATA, _SECRET, _ALGORITHM, _ENCODING),
)
def hmac(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """The HMAC as hex or base64 text."""
    return _encode(_signature(inputs), inputs.get("encoding"))


@_hash.action(
    "verifyHmac",
    label="Verify HMAC",
    description="Checks a signature against the HMAC of the data; fails when they differ",
    inputs=(
        _DATA,
        _SECRET,
        Input(
            "signature",
            "Signature",
            required=True,
            comments="hex or base64; may start with sha256=",
        ),
        _ALGORITHM,
        _ENCODING,
    ),
)
def verify_hmac(ctx: ActionContext, inputs: dict[str, Any]) -> bool:
    """True when the signature matches (compared in constant time); otherwise the step fails."""
    signature = _required_text(inputs, "signature").strip()
    prefix, sep, rest = signature.partition("=")
    if sep and prefix.lower().replace("-", "") in ALGORITHMS and rest:
        signature = rest
    expected = _encode(_signature(inputs), inputs.get("encoding"))
    if to_text(inputs.get("encoding")).lower() in ("", "hex"):
        signature = signature.lower()
    if not _hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        raise ValueError("the HMAC signature does not match the data")
    return True


COMPONENT = _hash.build()
MANIFEST = COMPONENT.manifest
