"""The in-process hand-off of accepted rows: bounded by count and payload bytes, and never
dropping a row that only its run can write."""

from __future__ import annotations

import uuid

from splice.services.execution_core import AcceptedRows
from splice.store.tables import Execution


def _row(size: int) -> Execution:
    return Execution(id=uuid.uuid4(), flow_name="f", payload=b"x" * size)


def test_rows_are_taken_once() -> None:
    rows = AcceptedRows()
    row = _row(10)
    rows.put(row, written=True)
    assert rows.take(row.id) is row
    assert rows.take(row.id) is None


def test_the_oldest_written_rows_go_past_the_count_or_the_bytes() -> None:
    rows = AcceptedRows(limit=3, max_bytes=1000)
    first, second, third, fourth = (_row(100) for _ in range(4))
    for row in (first, second, third, fourth):
        rows.put(row, written=True)
    assert rows.take(first.id) is None  # over the count
    big = _row(900)
    rows.put(big, written=True)  # 100 + 100 + 100 + 900 bytes: the oldest go until it fits
    assert rows.take(second.id) is None and rows.take(third.id) is None
    assert rows.take(fourth.id) is fourth and rows.take(big.id) is big


def test_unwritten_rows_are_never_dropped() -> None:
    rows = AcceptedRows(limit=1, max_bytes=10)
    unwritten = _row(10_000)
    rows.put(unwritten, written=False)
    for _ in range(5):
        rows.put(_row(100), written=True)
    assert rows.take(unwritten.id) is unwritten
