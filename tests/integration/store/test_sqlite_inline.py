"""SQLite on the event loop: lock waits that do not block it, checkpoints off the commit path, and
run rows written as prepared statements stored exactly as the ORM stores them (ADR 0007)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, text

from splice import clock
from splice.services.execution_core import EXECUTIONS, insert_execution, new_execution
from splice.store.checkpoint import WalCheckpointer
from splice.store.db import Database
from splice.store.migrate import upgrade_to_head
from splice.store.raw_rows import DriverWriter
from splice.store.tables import Execution, ExecutionLog

LOGS: Table = ExecutionLog.__table__  # type: ignore[assignment]


async def _database(tmp_path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'splice.db'}")
    await upgrade_to_head(db)
    return db


async def test_two_databases_on_one_file_wait_for_each_others_write_lock(tmp_path: Path) -> None:
    first, second = await _database(tmp_path), Database(f"sqlite:///{tmp_path / 'splice.db'}")
    holding = asyncio.Event()
    order: list[str] = []

    async def hold_the_lock() -> None:
        async with first.session() as session:
            await session.execute(text("DELETE FROM state_values"))  # BEGIN IMMEDIATE: locked
            holding.set()
            await asyncio.sleep(0.2)  # keeps the lock while the other waits on the loop
            order.append("first committed")
            await session.commit()

    async def write_meanwhile() -> None:
        await holding.wait()
        async with second.session() as session:
            await session.execute(text("DELETE FROM state_values"))
            order.append("second began")
            await session.commit()

    try:
        await asyncio.wait_for(asyncio.gather(hold_the_lock(), write_meanwhile()), 10)
    finally:
        await first.dispose()
        await second.dispose()
    # without awaited lock waits the second BEGIN blocks the loop and the first never commits
    assert order == ["first committed", "second began"]


async def test_connections_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    try:
        async with db.session() as session:
            (autocheckpoint,) = (await session.execute(text("PRAGMA wal_autocheckpoint"))).one()
            (busy_timeout,) = (await session.execute(text("PRAGMA busy_timeout"))).one()
        assert (autocheckpoint, busy_timeout) == (0, 0)
    finally:
        await db.dispose()


def test_the_checkpointer_copies_the_log_into_the_database(tmp_path: Path) -> None:
    path = str(tmp_path / "plain.db")
    writer = _wal_writer(path)
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(2000)])
    checkpointer = WalCheckpointer(path, max_wal_bytes=1)
    assert checkpointer.wal_bytes() > 1_000_000
    before = os.path.getsize(path)  # the rows are only in the log yet
    assert checkpointer.checkpoint() is True
    assert os.path.getsize(path) > before + 1_000_000  # copied into the database file
    writer.execute("INSERT INTO t VALUES ('after')")
    assert _log_frames(writer) < 10  # the next write started the log over, not grew it on
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone()[0] == 2001
    assert checkpointer.checkpoint(empty=True) is True  # as the last round at shutdown does
    assert checkpointer.wal_bytes() == 0
    writer.close()


def _wal_writer(path: str) -> sqlite3.Connection:
    """A connection to a new WAL database with table ``t``, checkpoints left to the test."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x TEXT)")
    return writer


def _log_frames(connection: sqlite3.Connection) -> int:
    frames: int = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    return frames


def test_a_short_log_is_only_copied_without_holding_writers(tmp_path: Path) -> None:
    path = str(tmp_path / "plain.db")
    writer = _wal_writer(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # would make a holding pass give up
    writer.execute("INSERT INTO t VALUES ('a')")
    assert WalCheckpointer(path, hold_seconds=0.01).checkpoint() is True  # under 4 MiB
    assert WalCheckpointer(path, max_wal_bytes=1, hold_seconds=0.01).checkpoint() is False
    reader.execute("COMMIT")
    writer.close()
    reader.close()


def test_a_reader_of_the_log_makes_the_checkpointer_give_up_not_hold_writers(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "plain.db")
    writer = _wal_writer(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # a snapshot that reads from the log
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(200)])
    checkpointer = WalCheckpointer(path, max_wal_bytes=1, hold_seconds=0.01)
    assert checkpointer.checkpoint() is False  # the log cannot start over under the reader
    writer.execute("PRAGMA busy_timeout=0")
    writer.execute("INSERT INTO t VALUES ('not held')")  # the writer was let go at once
    reader.execute("COMMIT")
    assert checkpointer.checkpoint() is True
    writer.execute("INSERT INTO t VALUES ('after')")
    assert _log_frames(writer) < 10
    writer.close()
    reader.close()


def _raw_rows(path: Path, table: str) -> list[dict[str, Any]]:
    """The table's rows as stored, without their primary keys."""
    with sqlite3.connect(path) as connection:
        cursor = connection.execute(f"SELECT * FROM {table} ORDER BY rowid")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row.pop("id")
    return rows


async def test_prepared_rows_are_stored_exactly_as_the_orm_stores_them(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    now = clock.now()
    fields: dict[str, Any] = {
        "organization_id": uuid.uuid4(),
        "instance_id": uuid.uuid4(),
        "flow_config_id": uuid.uuid4(),
        "flow_name": "Flow",
        "payload": b"{}",
        "payload_content_type": "application/json",
        "request": {"headers": {"a": "b"}, "query": {}},
        "started_at": now.replace(microsecond=0),  # stored with ".000000" by both
        "created_at": now,
        "updated_at": now,
    }
    log = {"timestamp": now, "severity": "info", "message": "hello", "step_path": None}
    pooled = await db.engine.raw_connection()  # the one pooled connection
    try:
        driver: Any = pooled.driver_connection
        driver.execute("PRAGMA foreign_keys=OFF")  # no organization or instance rows here
        orm_id, raw_id = uuid.uuid4(), uuid.uuid4()
        pooled.close()
        async with db.session() as session:
            session.add(Execution(id=orm_id, **fields))
            session.add(ExecutionLog(execution_id=orm_id, **log))
            await session.commit()
        pooled = await db.engine.raw_connection()
        driver = pooled.driver_connection
        driver.execute("BEGIN IMMEDIATE")
        writer = DriverWriter(driver, db.engine.dialect)
        await insert_execution(writer, new_execution(id=raw_id, **fields))
        await writer.insert_rows(LOGS, [{"execution_id": raw_id, **log}])
        driver.commit()
    finally:
        pooled.close()
        await db.dispose()
    path = tmp_path / "splice.db"
    orm_row, raw_row = _raw_rows(path, EXECUTIONS.name)
    assert orm_row == raw_row  # every column but the primary key, in stored form
    orm_log, raw_log = _raw_rows(path, "execution_logs")
    assert orm_log.pop("execution_id") == orm_id.hex
    assert raw_log.pop("execution_id") == raw_id.hex
    assert orm_log == raw_log


async def test_prepared_rows_refuse_naive_datetimes_as_the_orm_does(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    pooled = await db.engine.raw_connection()
    try:
        writer = DriverWriter(pooled.driver_connection, db.engine.dialect)
        naive = {
            "execution_id": uuid.uuid4(),
            "timestamp": clock.now().replace(tzinfo=None),
            "message": "x",
        }
        with pytest.raises(ValueError, match="naive datetime"):
            await writer.insert_rows(LOGS, [{**naive, "severity": "info"}])
    finally:
        pooled.close()
        await db.dispose()


async def test_core_connections_execute_like_with_an_async_driver(tmp_path: Path) -> None:
    # AsyncConnection.execute insists that the driver awaited: the inline driver says it did
    db = await _database(tmp_path)
    try:
        async with db.engine.connect() as connection:
            assert (await connection.execute(text("SELECT 41 + 1"))).scalar() == 42
            assert (await connection.exec_driver_sql("SELECT 'ok'")).scalar() == "ok"
    finally:
        await db.dispose()


async def test_an_execution_made_without_attribute_events_is_added_like_any(
    tmp_path: Path,
) -> None:
    db = await _database(tmp_path)
    pooled = await db.engine.raw_connection()
    driver: Any = pooled.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    pooled.close()
    now = clock.now()
    made = new_execution(
        organization_id=uuid.uuid4(),
        instance_id=uuid.uuid4(),
        flow_name="Flow",
        trigger_kind="webhook",
        is_test=False,
        is_synchronous=False,
        payload=b"{}",
        payload_content_type="application/json",
        request={},
        created_at=now,
        updated_at=now,
    )
    try:
        async with db.session() as session:
            session.add(made)  # the unit of work inserts it from the same state
            await session.commit()
            made.status = "running"  # and tracks changes made after, as for any row
            await session.commit()
        async with db.session() as session:
            stored = await session.get(Execution, made.id)
            assert stored is not None and stored.status == "running"
            assert stored.attempt == 1 and stored.flow_name == "Flow"  # defaults filled in
    finally:
        await db.dispose()
