"""Global IDs: canonical base64 of "<Type>:<uuid>", type-checked on the way in."""

from __future__ import annotations

import base64
import uuid

import pytest

from splice import ids
from splice.errors import NotFound


def test_encoding_matches_prismatics_published_example() -> None:
    pk = uuid.UUID("2e3d9e95-1b23-47ac-9725-355906c82efc")
    assert (
        ids.encode("Customer", pk) == "Q3VzdG9tZXI6MmUzZDllOTUtMWIyMy00N2FjLTk3MjUtMzU1OTA2YzgyZWZj"
    )


def test_decode_returns_the_uuid_for_the_right_type() -> None:
    pk = uuid.uuid4()
    assert ids.decode(ids.encode("Integration", pk), "Integration") == pk


def test_wrong_type_is_not_found() -> None:
    with pytest.raises(NotFound):
        ids.decode(ids.encode("Customer", uuid.uuid4()), "Integration")


@pytest.mark.parametrize(
    "bad",
    ["", "!!!", base64.b64encode(b"Integration:not-a-uuid").decode(), "SW50ZWdyYXRpb24"],
)
def test_malformed_ids_are_not_found(bad: str) -> None:
    with pytest.raises(NotFound) as caught:
        ids.decode(bad, "Integration")
    assert caught.value.field == "id"


def test_new_primary_keys_grow_with_time_so_indexes_append() -> None:
    keys = [ids.new_uuid() for _ in range(1000)]
    assert keys == sorted(keys) and len(set(keys)) == 1000
    assert [k.hex for k in keys] == sorted(k.hex for k in keys)  # SQLite stores the hex form
    assert {k.version for k in keys} == {7}
    assert ids.decode(ids.encode("Execution", keys[0]), "Execution") == keys[0]
