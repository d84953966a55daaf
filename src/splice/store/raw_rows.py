"""Run records (executions, step results, logs) written as prepared statements on the driver.

A webhook writes a handful of rows, and SQLAlchemy's statement machinery (cache keys, compiled
parameters, result objects) cost more than SQLite's work on them. On SQLite these helpers send
each table's rows straight to the ``sqlite3`` connection of the session's transaction, with the
SQL text built once per column set and the column types' own bind processors applied to the
values, so the stored form is exactly what SQLAlchemy writes (UUIDs, aware datetimes, JSON).
On PostgreSQL they are plain Core statements: asyncpg already prepares and batches them.

Python-side column defaults are applied as a Core ``INSERT`` would; a ``None`` for a JSON column
is SQL NULL, as the ORM stores an unset JSON attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Column, Table, insert, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "Condition",
    "DriverWriter",
    "RowWriter",
    "SessionWriter",
    "fill_defaults",
]

Processor = Callable[[Any], Any] | None
_MISSING = object()


class _Plan:
    """A table's columns, defaults and per-dialect bind processors, worked out once."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        self.table = table
        self.processors: dict[str, Processor] = {
            c.key: c.type._cached_bind_processor(dialect) for c in table.columns
        }
        json_like = {c.key for c in table.columns if c.type.should_evaluate_none}
        # per column: key, bind processor, maker of its default, and whether None means SQL
        # NULL by leaving the column out (JSON columns, as the ORM does)
        self.columns: list[tuple[str, Processor, Callable[[], Any], bool]] = [
            (key, self.processors[key], make_default, key in json_like)
            for key, make_default in _defaults(table)
        ]
        self._sql: dict[tuple[str, ...], str] = {}

    def bind(self, key: str, value: Any) -> Any:
        if value is None:
            return None
        processor = self.processors[key]
        return processor(value) if processor is not None else value

    def insert_params(self, values: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        keys: list[str] = []
        params: list[Any] = []
        for key, processor, make_default, json_like in self.columns:
            value = values.get(key, _MISSING)
            if value is _MISSING:
                value = make_default()
            if value is None:
                if json_like:
                    continue  # SQL NULL, as the ORM stores an unset JSON attribute
            elif processor is not None:
                value = processor(value)
            keys.append(key)
            params.append(value)
        return tuple(keys), tuple(params)

    def insert_sql(self, keys: tuple[str, ...]) -> str:
        sql = self._sql.get(keys)
        if sql is None:
            names = ", ".join(f'"{self.table.c[k].name}"' for k in keys)
            marks = ", ".join("?" for _ in keys)
            sql = self._sql[keys] = f'INSERT INTO "{self.table.name}" ({names}) VALUES ({marks})'
        return sql


_table_defaults: dict[str, list[tuple[str, Callable[[], Any]]]] = {}


def _defaults(table: Table) -> list[tuple[str, Callable[[], Any]]]:
    """(column key, maker of its Python-side default or of None) per column, once per table."""
    found = _table_defaults.get(table.name)
    if found is None:
        found = _table_defaults[table.name] = [(c.key, _default(c)) for c in table.columns]
    return found


def _default(column: Column[Any]) -> Callable[[], Any]:
    default = column.default
    if default is not None and default.is_callable:
        arg = default.arg  # type: ignore[attr-defined]
        return lambda: arg(None)
    value = default.arg if default is not None and default.is_scalar else None  # type: ignore[attr-defined]
    return lambda: value


def fill_defaults(table: Table, values: dict[str, Any]) -> None:
    """Give the columns ``values`` lacks their Python-side defaults, as an ``INSERT`` would."""
    for key, make_default in _defaults(table):
        if key not in values:
            values[key] = make_default()


_plans: dict[tuple[str, str], _Plan] = {}


def _plan(table: Table, dialect: Dialect) -> _Plan:
    key = (table.name, dialect.name)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _Plan(table, dialect)
    return plan


def _dialect(session: AsyncSession) -> Dialect:
    bind = session.bind
    assert bind is not None, "Database sessions are bound to its engine"
    return bind.dialect


async def _driver(session: AsyncSession) -> Any:
    """The sqlite3 connection of the session's transaction (begun if it was not yet)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


@dataclass(frozen=True)
class Condition:
    """An extra ``WHERE`` condition, said twice: SQL with its parameters in stored form (see
    ``RowWriter.stored``) for SQLite, and a maker of the same Core expression for the rest."""

    sql: str
    params: Sequence[Any]
    clause: Callable[[], Any]


class RowWriter(Protocol):
    """Writes run rows in an open transaction: ``DriverWriter`` (SQLite) or ``SessionWriter``."""

    async def insert_rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (column key → value) into ``table``."""

    async def update_row(
        self,
        table: Table,
        row_id: Any,
        values: dict[str, Any],
        condition: Condition | None = None,
    ) -> int:
        """``UPDATE table SET values WHERE id = row_id [AND condition]``; the rows changed."""

    def stored(self, table: Table, key: str, value: Any) -> Any:
        """``value`` of column ``key`` in the form the database stores (for ``Condition``)."""


class DriverWriter:
    """Prepared statements on the ``sqlite3`` connection of an open transaction."""

    def __init__(self, driver: Any, dialect: Dialect) -> None:
        self._driver = driver
        self._dialect = dialect

    async def insert_rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        plan = _plan(table, self._dialect)
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for values in rows:
            keys, params = plan.insert_params(values)
            groups.setdefault(keys, []).append(params)
        for keys, params_list in groups.items():
            self._driver.executemany(plan.insert_sql(keys), params_list)

    async def update_row(
        self,
        table: Table,
        row_id: Any,
        values: dict[str, Any],
        condition: Condition | None = None,
    ) -> int:
        plan = _plan(table, self._dialect)
        assignments = ", ".join(f'"{table.c[k].name}" = ?' for k in values)
        sql = f'UPDATE "{table.name}" SET {assignments} WHERE "id" = ?'
        if condition is not None:
            sql += f" AND ({condition.sql})"
        params = [plan.bind(k, v) for k, v in values.items()]
        params.append(plan.bind("id", row_id))
        params.extend(condition.params if condition is not None else ())
        return int(self._driver.execute(sql, params).rowcount)

    def stored(self, table: Table, key: str, value: Any) -> Any:
        return _plan(table, self._dialect).bind(key, value)


class SessionWriter:
    """Run rows in a session's transaction: the driver's statements on SQLite, Core elsewhere."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._dialect = _dialect(session)

    async def _sqlite(self) -> DriverWriter | None:
        if self._dialect.name != "sqlite":
            return None
        return DriverWriter(await _driver(self._session), self._dialect)

    async def insert_rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        sqlite = await self._sqlite()
        if sqlite is not None:
            await sqlite.insert_rows(table, rows)
            return
        await self._session.execute(insert(table), list(rows))

    async def update_row(
        self,
        table: Table,
        row_id: Any,
        values: dict[str, Any],
        condition: Condition | None = None,
    ) -> int:
        sqlite = await self._sqlite()
        if sqlite is not None:
            return await sqlite.update_row(table, row_id, values, condition)
        statement = update(table).where(table.c.id == row_id)
        if condition is not None:
            statement = statement.where(condition.clause())
        result = await self._session.execute(statement.values(**values))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def stored(self, table: Table, key: str, value: Any) -> Any:
        return _plan(table, self._dialect).bind(key, value)
