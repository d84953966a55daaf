"""Engine and session factory for SQLite (WAL, foreign keys, immediate transactions) or PostgreSQL."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import NullPool

from splice.store.checkpoint import WalCheckpointer
from splice.store.sqlite_inline import begin_immediate, inline_url

__all__ = ["RUN_TABLES", "Database"]

# what runs write; a commit that writes only these leaves cached configuration valid
RUN_TABLES = frozenset(
    {"executions", "execution_steps", "execution_logs", "execution_sections", "state_values"}
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # isolation_level=None: sqlite3 opens no transaction of its own; BEGIN IMMEDIATE is ours
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=0")  # lock waits are awaited: begin_immediate
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run on a thread: WalCheckpointer
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # writers take the lock at BEGIN, so two writers never deadlock on a lock upgrade
    begin_immediate(conn.connection.driver_connection)


class Database:
    """Owns the async engine; ``session()`` yields a session whose transaction the caller commits.

    ``generation`` grows with every commit (through ``session()``) that wrote anything but run
    records (``RUN_TABLES``), so in-process caches of configuration know when to reload.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self._checkpointer: WalCheckpointer | None = None
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["poolclass"] = NullPool if database in (None, "", ":memory:") else None
            if database and database != ":memory:":
                self._checkpointer = WalCheckpointer(database)
                self._checkpointer.start()
                # a Database dropped without dispose() (tests, scripts) stops its thread too
                weakref.finalize(self, self._checkpointer.signal_stop)
            if kwargs["poolclass"] is None:
                # every transaction is BEGIN IMMEDIATE, so SQLite runs one at a time anyway; one
                # connection makes the others wait their turn in order, instead of polling in
                # SQLite's busy handler (sleeps of up to 100 ms: seconds of p99 under load)
                kwargs.update(pool_size=1, max_overflow=0)
            kwargs = {k: v for k, v in kwargs.items() if v is not None}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        # SQLite runs inline on the loop (no driver thread): see store/sqlite_inline.py
        engine_url = inline_url(make_url(url)) if self.is_sqlite else url
        self.engine: AsyncEngine = create_async_engine(engine_url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
        # a session class of our own, so the listeners below see only this database's sessions
        sync_session: type[Session] = type("SpliceSession", (Session,), {})
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=sync_session
        )
        self.generation = 0
        event.listen(sync_session, "before_flush", self._note_flush)
        event.listen(sync_session, "do_orm_execute", self._note_statement)
        event.listen(sync_session, "after_commit", self._bump_generation)
        event.listen(sync_session, "after_rollback", self._forget_writes)

    # ---- write generation: in-process caches of configuration notice any committed change ----

    @staticmethod
    def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if getattr(obj, "__tablename__", None) not in RUN_TABLES:
                session.info["config_written"] = True
                return

    @staticmethod
    def _note_statement(state: ORMExecuteState) -> None:
        if state.is_select:
            return
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in RUN_TABLES:
            state.session.info["config_written"] = True

    def _bump_generation(self, session: Session) -> None:
        """Count commits that changed anything but run records (``generation``)."""
        if session.info.pop("config_written", False):
            self.generation += 1

    @staticmethod
    def _forget_writes(session: Session) -> None:
        session.info.pop("config_written", None)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the block commits explicitly, anything unfinished is rolled back."""
        async with self._sessions() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        """Close every pooled connection (and stop the SQLite checkpoint thread)."""
        await self.engine.dispose()
        if self._checkpointer is not None:
            await asyncio.to_thread(self._checkpointer.stop)
            self._checkpointer = None
