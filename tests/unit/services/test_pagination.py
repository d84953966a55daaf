"""Cursors are opaque, advancing, and reject tampering with a clear error."""

from __future__ import annotations

import pytest

from splice.errors import InvalidInput
from splice.services.pagination import Page, decode_cursor, encode_cursor


def test_empty_and_missing_cursor_start_from_the_beginning() -> None:
    assert decode_cursor(None) == -1
    assert decode_cursor("") == -1


def test_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(41)) == 41


@pytest.mark.parametrize("bad", ["nope", "b2Zmc2V0OnNpeA==", "Zm9vOjE="])
def test_bad_cursor_is_invalid_input_on_after(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(bad)
    assert caught.value.field == "after"


def test_page_cursors_advance() -> None:
    page = Page(["a", "b"], 10, True, 30)
    assert decode_cursor(page.cursor(0)) == 10
    assert page.end_cursor is not None and decode_cursor(page.end_cursor) == 11
    assert Page([], 0, False, 0).end_cursor is None
