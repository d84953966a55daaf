"""Resolvers of customers (read side)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice import ids
from splice.api.graphql.resolvers.common import (
    Info,
    connection,
    ctx,
    page_request,
    payload,
    required_id,
)
from splice.services.customers import CustomerText
from splice.store.tables import Customer

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
customer_type = ObjectType("Customer")


@query.field("customers")
async def resolve_customers(
    _: Any,
    info: Info,
    isSystem: bool | None = None,
    name_Icontains: str | None = None,
    externalId: str | None = None,
    name: str | None = None,
    name_Istartswith: str | None = None,
    description_Icontains: str | None = None,
    labels_Contains: str | None = None,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    text = CustomerText(name, name_Istartswith, description_Icontains, labels_Contains)
    page = await c.services.customers.search(
        c.actor,
        page_request(**paging),
        is_system=isSystem,
        name_icontains=name_Icontains,
        external_id=externalId,
        text=text,
    )
    return connection(page)


@query.field("customer")
async def resolve_customer(_: Any, info: Info, id: str) -> Customer:
    c = ctx(info)
    return await c.services.customers.get(c.actor, id)


@customer_type.field("id")
def resolve_id(customer: Customer, _: Info) -> str:
    return ids.encode("Customer", customer.id)


@customer_type.field("externalId")
def resolve_external_id(customer: Customer, _: Info) -> str | None:
    return customer.external_id


@customer_type.field("users")
async def resolve_users(customer: Customer, info: Info, **paging: Any) -> dict[str, Any]:
    c = ctx(info)
    return connection(await c.services.customers.users(c.actor, customer, page_request(**paging)))


@mutation.field("createCustomer")
@payload("customer")
async def create_customer(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.customers.create(
        c.actor,
        input.get("name") or "",
        description=input.get("description"),
        external_id=input.get("externalId"),
        labels=input.get("labels"),
    )


@mutation.field("updateCustomer")
@payload("customer")
async def update_customer(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.customers.update(
        c.actor,
        required_id(input),
        name=input.get("name"),
        description=input.get("description"),
        external_id=input.get("externalId"),
        labels=input.get("labels"),
    )


@mutation.field("deleteCustomer")
@payload("customer")
async def delete_customer(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.customers.delete(c.actor, required_id(input))


BINDABLES = (query, mutation, customer_type)
