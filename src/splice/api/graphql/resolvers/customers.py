"""Resolvers of customers (read side)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from splice import ids
from splice.api.graphql.resolvers.common import connection, ctx, page_request
from splice.store.tables import Customer

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
customer_type = ObjectType("Customer")


@query.field("customers")
async def resolve_customers(
    _: Any,
    info: GraphQLResolveInfo,
    after: str | None = None,
    first: int | None = None,
    isSystem: bool | None = None,  # noqa: N803 - GraphQL argument names
    name_Icontains: str | None = None,  # noqa: N803
    externalId: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    c = ctx(info)
    page = await c.services.customers.list(
        c.actor,
        page_request(after, first),
        is_system=isSystem,
        name_icontains=name_Icontains,
        external_id=externalId,
    )
    return connection(page)


@query.field("customer")
async def resolve_customer(_: Any, info: GraphQLResolveInfo, id: str) -> Customer:  # noqa: A002
    c = ctx(info)
    return await c.services.customers.get(c.actor, id)


@customer_type.field("id")
def resolve_id(customer: Customer, _: GraphQLResolveInfo) -> str:
    return ids.encode("Customer", customer.id)


@customer_type.field("externalId")
def resolve_external_id(customer: Customer, _: GraphQLResolveInfo) -> str | None:
    return customer.external_id


@customer_type.field("users")
async def resolve_users(
    customer: Customer, info: GraphQLResolveInfo, after: str | None = None, first: int | None = None
) -> dict[str, Any]:
    c = ctx(info)
    return connection(await c.services.customers.users(c.actor, customer, page_request(after, first)))


BINDABLES = (query, customer_type)
