"""hash (Splice addition): digests, HMAC, and verifying a GitHub-style webhook signature."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from splice.components.builtin.hash import COMPONENT
from splice.components.inputs import InputValueError
from splice.components.testing import invoke

BODY = '{"action":"opened","issue":{"number":7}}'
SECRET = "It's a Secret to Everybody"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("md5", hashlib.md5(b"hello").hexdigest()),
        ("sha1", hashlib.sha1(b"hello").hexdigest()),
        ("sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        ("sha512", hashlib.sha512(b"hello").hexdigest()),
    ],
)
async def test_digests_in_hex(action: str, expected: str) -> None:
    assert await invoke(COMPONENT, action, {"data": "hello"}) == expected


async def test_base64_output_objects_and_binary_results() -> None:
    assert await invoke(COMPONENT, "sha256", {"data": "hello", "encoding": "base64"}) == (
        "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
    )
    assert await invoke(COMPONENT, "md5", {"data": {"a": 1}}) == hashlib.md5(b'{"a":1}').hexdigest()
    binary = {"data": b"\x00\xff", "contentType": "application/octet-stream"}
    assert (
        await invoke(COMPONENT, "sha1", {"data": binary}) == hashlib.sha1(b"\x00\xff").hexdigest()
    )
    with pytest.raises(InputValueError, match="encoding"):
        await invoke(COMPONENT, "md5", {"data": "x", "encoding": "base32"})


async def test_hmac_matches_the_standard_library() -> None:
    expected = hmac.new(SECRET.encode(), BODY.encode(), "sha256").hexdigest()
    assert await invoke(COMPONENT, "hmac", {"data": BODY, "secret": SECRET}) == expected
    with pytest.raises(InputValueError, match="algorithm"):
        await invoke(COMPONENT, "hmac", {"data": BODY, "secret": SECRET, "algorithm": "crc32"})


async def test_verify_hmac_accepts_a_prefixed_signature_and_rejects_a_forged_one() -> None:
    signature = "sha256=" + hmac.new(SECRET.encode(), BODY.encode(), "sha256").hexdigest()
    inputs = {"data": BODY, "secret": SECRET, "signature": signature}
    assert await invoke(COMPONENT, "verifyHmac", inputs) is True
    with pytest.raises(ValueError, match="does not match"):
        await invoke(COMPONENT, "verifyHmac", {**inputs, "data": BODY.replace("7", "8")})


@pytest.mark.parametrize("action", ["md5", "sha1", "sha256", "sha512", "hmac"])
async def test_missing_data_fails_naming_it(action: str) -> None:
    with pytest.raises(InputValueError, match="input 'data' is required"):
        await invoke(COMPONENT, action, {"secret": SECRET})


async def test_empty_text_is_still_hashed() -> None:
    assert await invoke(COMPONENT, "sha256", {"data": ""}) == hashlib.sha256(b"").hexdigest()


async def test_missing_secret_or_signature_fails_naming_it() -> None:
    with pytest.raises(InputValueError, match="input 'secret' is required"):
        await invoke(COMPONENT, "hmac", {"data": BODY})
    with pytest.raises(InputValueError, match="input 'signature' is required"):
        await invoke(COMPONENT, "verifyHmac", {"data": BODY, "secret": SECRET})
