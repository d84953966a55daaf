"""Cursor pagination shared by every list: opaque, advancing cursors over a stable order.

One window rule serves every connection, SQL or in memory: ``after`` and ``offset`` move the
start (``offset`` skips that many more, as graphene's does), ``before`` moves the end, then
``first`` keeps the head and ``last`` the tail of what is left (Relay's algorithm). Without
either, a page of the default size is taken from the start, or from the end when only
``before`` bounds it. ``hasPreviousPage``/``hasNextPage`` say whether items exist outside the
window in the whole filtered list, whichever direction was paged.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.errors import InvalidInput

__all__ = ["Page", "PageRequest", "decode_cursor", "encode_cursor", "fetch_page", "page_of"]

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """Relay's arguments plus ``offset`` as the API received them; ``""`` and None mean unset."""

    after: str | None = None
    first: int | None = None
    before: str | None = None
    last: int | None = None
    offset: int | None = None

    def window(self, total: int, *, default: int, maximum: int) -> tuple[int, int]:
        """``(start, end)`` of the page among ``total`` ordered items; sizes capped at ``maximum``."""
        for name in ("first", "last", "offset"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidInput(
                    f"{name} must not be negative (got {value})",
                    field=name,
                    fix=f"pass a {name} of 0 or more, or leave it out",
                )
        start = decode_cursor(self.after, field="after") + 1 + (self.offset or 0)
        end = total if not self.before else decode_cursor(self.before, field="before")
        start, end = min(start, total), min(end, total)
        end = max(end, start)
        if self.first is not None:
            end = min(end, start + min(self.first, maximum))
        if self.last is not None:
            start = max(start, end - min(self.last, maximum))
        if self.first is None and self.last is None:
            if self.before and not self.after and not self.offset:
                start = max(start, end - default)
            else:
                end = min(end, start + default)
        return start, end


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


def decode_cursor(cursor: str | None, *, field: str = "after") -> int:
    """The position a cursor names (-1 for none); a bad one is an error on ``field``."""
    if not cursor:
        return -1
    try:
        kind, _, number = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(kind)
        position = int(number)
        if position < 0:
            raise ValueError(number)
        return position
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidInput(
            f"invalid cursor in {field}: {cursor!r}",
            field=field,
            fix="pass a startCursor, endCursor or edge cursor Splice returned",
        ) from exc


async def fetch_page(
    session: AsyncSession, stmt: Select[Any], request: PageRequest, *, default: int, maximum: int
) -> Page[Any]:
    """Run ``stmt`` (already ordered) for the page ``request`` selects."""
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    start, end = request.window(int(total), default=default, maximum=maximum)
    rows = (
        (await session.execute(stmt.offset(start).limit(end - start))).scalars().all()
        if end > start
        else []
    )
    return Page(
        items=list(rows), start_offset=start, has_next_page=end < total, total_count=int(total)
    )


def page_of(items: Sequence[T], request: PageRequest, *, default: int, maximum: int) -> Page[T]:
    """The page ``request`` selects from a list already complete and ordered in memory."""
    start, end = request.window(len(items), default=default, maximum=maximum)
    return Page(list(items[start:end]), start, end < len(items), len(items))
