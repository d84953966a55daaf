"""Helpers every resolver module shares: context access, connections, mutation payloads."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from graphql import GraphQLResolveInfo

from splice.api.graphql.context import GraphQLContext
from splice.errors import InvalidInput, UserError
from splice.services.pagination import Page, PageRequest, page_of

__all__ = [
    "PAGING_ARGS",
    "Info",
    "connection",
    "ctx",
    "list_connection",
    "page_request",
    "paging_in",
    "payload",
    "required_id",
]

if TYPE_CHECKING:
    Info: TypeAlias = GraphQLResolveInfo[GraphQLContext]
else:
    Info = GraphQLResolveInfo

R = TypeVar("R")


def ctx(info: Info) -> GraphQLContext:
    """The typed context of a resolver."""
    return info.context


PAGING_ARGS = ("after", "first", "before", "last", "offset")
"""The arguments every paged list field declares in the SDL."""


def paging_in(args: dict[str, Any]) -> PageRequest:
    """The paging arguments among a resolver's other (ignored) keyword arguments."""
    return page_request(**{name: args[name] for name in PAGING_ARGS if name in args})


def page_request(
    after: str | None = None,
    first: int | None = None,
    before: str | None = None,
    last: int | None = None,
    offset: int | None = None,
) -> PageRequest:
    """The paging arguments every list field declares, as the services take them."""
    return PageRequest(
        after=after or None, first=first, before=before or None, last=last, offset=offset
    )


def connection(page: Page[Any], shape: Callable[[Any], Any] = lambda item: item) -> dict[str, Any]:
    """A Relay connection with nodes, edges, pageInfo and totalCount."""
    nodes = [shape(item) for item in page.items]
    return {
        "nodes": nodes,
        "edges": [{"node": node, "cursor": page.cursor(i)} for i, node in enumerate(nodes)],
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": page.start_offset > 0,
            "startCursor": page.cursor(0) if nodes else None,
            "endCursor": page.end_cursor,
        },
        "totalCount": page.total_count,
    }


def list_connection(
    items: Sequence[Any],
    request: PageRequest | None = None,
    shape: Callable[[Any], Any] = lambda item: item,
    *,
    default: int | None = None,
) -> dict[str, Any]:
    """A connection over a complete in-memory list: all of it, or the page ``request`` selects
    (``default`` items when it sets no size; the whole list when ``default`` is None)."""
    whole = len(items)
    size = whole if default is None else default
    page = page_of(items, request or PageRequest(), default=size, maximum=max(whole, size, 1))
    return connection(page, shape)


def payload(
    key: str,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[dict[str, Any]]]]:
    """Wrap a mutation: success gives ``{key: obj, errors: []}``, a UserError gives field errors."""

    def decorate(
        resolver: Callable[..., Awaitable[Any]],
    ) -> Callable[..., Awaitable[dict[str, Any]]]:
        @functools.wraps(resolver)
        async def wrapper(obj: Any, info: Info, **kwargs: Any) -> dict[str, Any]:
            try:
                result = await resolver(obj, info, **kwargs)
            except UserError as exc:
                return {
                    key: None,
                    "errors": [{"field": exc.field, "messages": exc.messages}],
                    "warnings": [],
                }
            if isinstance(result, tuple):
                value, warnings = result
                return {key: value, "errors": [], "warnings": warnings}
            return {key: result, "errors": [], "warnings": []}

        return wrapper

    return decorate


def required_id(data: dict[str, Any]) -> str:
    """The ``id`` of a mutation input (nullable in the SDL, as prism's inputs need)."""
    value = data.get("id")
    if not value:
        raise InvalidInput("id is required", field="id", fix="pass the ID of the object to change")
    return str(value)
