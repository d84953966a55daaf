"""Cursor pagination shared by every list: opaque, advancing cursors over a stable order."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.errors import InvalidInput

__all__ = ["Page", "PageRequest", "decode_cursor", "encode_cursor", "fetch_page"]

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """``after``/``first`` as the API received them; ``""`` and None both mean "from the start"."""

    after: str | None = None
    first: int | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results plus what a Relay connection needs."""

    items: Sequence[T]
    start_offset: int
    has_next_page: bool
    total_count: int

    def cursor(self, index: int) -> str:
        """The cursor of ``items[index]``."""
        return encode_cursor(self.start_offset + index)

    @property
    def end_cursor(self) -> str | None:
        """The cursor of the last item, or None for an empty page."""
        return self.cursor(len(self.items) - 1) if self.items else None


def encode_cursor(offset: int) -> str:
    """Cursor text for a position in the ordered result."""
    return base64.b64encode(f"offset:{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str | None) -> int:
    """The position after which the next page starts (-1 for the start)."""
    if not cursor:
        return -1
    try:
        kind, _, number = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return int(number)
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidInput(
            f"invalid cursor: {cursor!r}", field="after", fix="pass an endCursor Splice returned"
        ) from exc


async def fetch_page(
    session: AsyncSession, stmt: Select[Any], request: PageRequest, *, default: int, maximum: int
) -> Page[Any]:
    """Run ``stmt`` (already ordered) for one page; ``first`` is capped at ``maximum``."""
    size = default if request.first is None else request.first
    if size < 0:
        raise InvalidInput("first must not be negative", field="first")
    size = min(size, maximum)
    start = decode_cursor(request.after) + 1
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.execute(stmt.offset(start).limit(size + 1))).scalars().all()
    return Page(
        items=list(rows[:size]),
        start_offset=start,
        has_next_page=len(rows) > size,
        total_count=int(total),
    )
