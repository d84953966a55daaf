"""SQLite for the async engine without a driver thread: statements run on the event loop's thread.

aiosqlite runs each statement on a thread of its own and hands the result back through the event
loop: two thread switches per statement, which cost more than the statement itself (a webhook's
insert takes some microseconds in SQLite, the hand-off tens, and under load the loop spent a
fifth of its time waking up for them). Splice's SQLite database has one pooled connection, so
statements queue for it anyway; running them inline on the loop, through the standard ``sqlite3``
module, keeps the same order and transactions with no hand-off. The price is that a slow statement
holds up the loop for its duration instead of only the queue behind it (ADR 0007).

This is SQLAlchemy's own ``pysqlite`` dialect declared usable by the asyncio extension: with a
synchronous DBAPI nothing inside the session's greenlet ever waits, so each awaited call returns
at once. The pool is the asyncio-aware queue pool, so sessions waiting for the one connection wait
on the loop, not on a thread lock.

Waiting for another connection's write lock must not block the loop either: the connection
holding it may belong to this very process (another ``Database`` on the same file) and need the
loop to finish. So SQLite's busy handler is off (``busy_timeout=0``) and ``begin_immediate``
retries a locked ``BEGIN IMMEDIATE`` with awaited pauses, up to ``LOCK_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet

__all__ = [
    "DRIVER",
    "LOCK_TIMEOUT_SECONDS",
    "InlineSQLiteDialect",
    "begin_immediate",
    "begin_immediate_async",
    "inline_url",
]

DRIVER = "spliceinline"
LOCK_TIMEOUT_SECONDS = 10.0
FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.02


class InlineCursor(sqlite3.Cursor):
    """A stdlib cursor that answers the asyncio extension's one cursor call."""

    async def _async_soft_close(self) -> None:
        """The asyncio extension's "buffer the rows now" call: nothing to do, as fetching
        from this cursor never waits."""


class InlineConnection(sqlite3.Connection):
    """A stdlib connection whose cursors are ``InlineCursor``."""

    def cursor(self, factory: Any = InlineCursor) -> Any:
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """``sqlite+spliceinline://``: the stdlib driver, run inline by the async engine."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    # The asyncio extension's AsyncConnection.execute (and exec_driver_sql, stream) insist that
    # a statement awaited something, as an async driver always does: say so with an await that
    # completes at once (two greenlet switches, no trip through the event loop).

    def do_execute(self, cursor: Any, statement: Any, parameters: Any, context: Any = None) -> None:
        super().do_execute(cursor, statement, parameters, context)  # type: ignore[no-untyped-call]
        _awaited()

    def do_executemany(
        self, cursor: Any, statement: Any, parameters: Any, context: Any = None
    ) -> None:
        super().do_executemany(cursor, statement, parameters, context)  # type: ignore[no-untyped-call]
        _awaited()

    def do_execute_no_params(self, cursor: Any, statement: Any, context: Any = None) -> None:
        super().do_execute_no_params(cursor, statement, context)  # type: ignore[no-untyped-call]
        _awaited()

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        cparams.setdefault("factory", InlineConnection)
        return super().connect(*cargs, **cparams)

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool


async def _done() -> None:
    return None


def _awaited() -> None:
    if in_greenlet():
        await_(_done())


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")


def inline_url(url: URL | Any) -> URL:
    """The same SQLite URL (whatever its driver, e.g. ``aiosqlite``) with the inline driver."""
    parsed: URL = url
    return parsed.set(drivername=f"sqlite+{DRIVER}")


def begin_immediate(driver: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE`` (take the write lock now), waiting for it without blocking the loop
    (inside SQLAlchemy's greenlet; a caller without one sleeps)."""
    for pause in _pauses():
        if _begun(driver):
            return
        if in_greenlet():
            await_(asyncio.sleep(pause))
        else:  # a synchronous caller (no event loop to yield to)
            time.sleep(pause)
    _begun(driver, last_try=True)


async def begin_immediate_async(driver: sqlite3.Connection) -> None:
    """``begin_immediate`` for a caller on the event loop outside SQLAlchemy's greenlet."""
    for pause in _pauses():
        if _begun(driver):
            return
        await asyncio.sleep(pause)
    _begun(driver, last_try=True)


def _pauses() -> Iterator[float]:
    """Growing pauses between tries, adding up to about ``LOCK_TIMEOUT_SECONDS``."""
    waited, pause = 0.0, FIRST_PAUSE
    while waited < LOCK_TIMEOUT_SECONDS:
        yield pause
        waited += pause
        pause = min(pause * 2, LONGEST_PAUSE)


def _begun(driver: sqlite3.Connection, *, last_try: bool = False) -> bool:
    """Whether ``BEGIN IMMEDIATE`` took the lock; False when another connection holds it."""
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) or last_try:
            raise
        return False
    return True
