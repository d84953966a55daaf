"""User errors carry what, where and how to fix it."""

from __future__ import annotations

from splice.errors import Conflict, NotFound, PayloadTooLarge, UserError


def test_text_joins_message_and_fix() -> None:
    error = Conflict("name taken", field="name", fix="choose another name")
    assert str(error) == "name taken (choose another name)"
    assert error.field == "name"
    assert error.status_code == 409


def test_not_found_names_the_kind_and_ident() -> None:
    error = NotFound("integration", "abc")
    assert error.text == "integration not found: abc"
    assert isinstance(error, UserError) and error.status_code == 404


def test_payload_too_large_is_413() -> None:
    assert PayloadTooLarge("too big").status_code == 413
