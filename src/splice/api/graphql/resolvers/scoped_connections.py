"""Resolvers of scoped connections and customers' values of them (thin: parse, call, shape)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice import ids
from splice.api.graphql.resolvers.common import Info, ctx, list_connection, payload, required_id
from splice.services.scoped_connections import CustomerValueView, ScopedView

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
scoped_type = ObjectType("ScopedConfigVariable")
customer_value_type = ObjectType("CustomerConfigVariable")


@query.field("scopedConfigVariables")
async def resolve_scoped(_: Any, info: Info, stableKey: str | None = None) -> dict[str, Any]:
    c = ctx(info)
    return list_connection(
        await c.services.scoped_connections.list_scoped(c.actor, stable_key=stableKey)
    )


@query.field("customerConfigVariables")
async def resolve_customer_values(
    _: Any, info: Info, customer: str | None = None, scopedConfigVariable: str | None = None
) -> dict[str, Any]:
    c = ctx(info)
    return list_connection(
        await c.services.scoped_connections.customer_values(
            c.actor, customer=customer or None, scoped=scopedConfigVariable or None
        )
    )


@scoped_type.field("id")
def resolve_scoped_id(view: ScopedView, _: Info) -> str:
    return view.global_id


@scoped_type.field("stableKey")
def resolve_stable_key(view: ScopedView, _: Info) -> str:
    return view.row.stable_key


@scoped_type.field("key")
def resolve_key(view: ScopedView, _: Info) -> str:
    return view.row.key


@scoped_type.field("description")
def resolve_description(view: ScopedView, _: Info) -> str:
    return view.row.description


@scoped_type.field("variableScope")
def resolve_scope(view: ScopedView, _: Info) -> str:
    return view.row.variable_scope


@scoped_type.field("managedBy")
def resolve_managed_by(view: ScopedView, _: Info) -> str:
    return view.row.managed_by


@scoped_type.field("dataType")
def resolve_data_type(view: ScopedView, _: Info) -> str:
    return "CONNECTION"


@scoped_type.field("component")
def resolve_component(view: ScopedView, _: Info) -> str:
    return str(((view.row.definition.get("connection") or {}).get("component") or {}).get("key"))


@scoped_type.field("connection")
def resolve_connection(view: ScopedView, _: Info) -> str:
    return str((view.row.definition.get("connection") or {}).get("key"))


@scoped_type.field("inputs")
@customer_value_type.field("inputs")
def resolve_inputs(view: ScopedView | CustomerValueView, _: Info) -> dict[str, Any]:
    return list_connection(view.state.inputs)


@scoped_type.field("status")
@customer_value_type.field("status")
def resolve_status(view: ScopedView | CustomerValueView, _: Info) -> str | None:
    return view.state.status


@scoped_type.field("statusMessage")
@customer_value_type.field("statusMessage")
def resolve_status_message(view: ScopedView | CustomerValueView, _: Info) -> str | None:
    return view.state.status_message


@scoped_type.field("testInputs")
def resolve_test_inputs(view: ScopedView, _: Info) -> dict[str, Any] | None:
    return list_connection(view.test_state.inputs) if view.test_state else None


@scoped_type.field("testStatus")
def resolve_test_status(view: ScopedView, _: Info) -> str | None:
    return view.test_state.status if view.test_state else None


@scoped_type.field("authorizeUrl")
async def resolve_authorize_url(
    view: ScopedView, info: Info, customer: str | None = None, isTest: bool | None = None
) -> str | None:
    c = ctx(info)
    return await c.services.scoped_connections.authorize_url(
        c.actor, view, customer=customer or None, test=bool(isTest)
    )


@customer_value_type.field("authorizeUrl")
async def resolve_value_authorize_url(view: CustomerValueView, info: Info) -> str | None:
    c = ctx(info)
    return await c.services.scoped_connections.authorize_url(
        c.actor, view.scoped, customer=ids.encode("Customer", view.customer_id)
    )


@customer_value_type.field("id")
def resolve_value_id(view: CustomerValueView, _: Info) -> str:
    return view.global_id


@customer_value_type.field("scopedConfigVariable")
def resolve_value_scoped(view: CustomerValueView, _: Info) -> ScopedView:
    return view.scoped


@customer_value_type.field("customer")
async def resolve_value_customer(view: CustomerValueView, info: Info) -> Any:
    c = ctx(info)
    return await c.services.customers.get_by_pk(c.actor, view.customer_id)


@mutation.field("createScopedConfigVariable")
@payload("scopedConfigVariable")
async def resolve_create(_: Any, info: Info, input: dict[str, Any]) -> ScopedView:
    c = ctx(info)
    return await c.services.scoped_connections.create(
        c.actor,
        stable_key=input["stableKey"],
        key=input["key"],
        component=input["component"],
        connection=input["connection"],
        variable_scope=input["variableScope"],
        managed_by=input["managedBy"],
        description=input.get("description"),
        oauth2_type=input.get("oauth2Type"),
        inputs=input.get("inputs"),
        values=input.get("values"),
        test_values=input.get("testValues"),
    )


@mutation.field("updateScopedConfigVariable")
@payload("scopedConfigVariable")
async def resolve_update(_: Any, info: Info, input: dict[str, Any]) -> ScopedView:
    c = ctx(info)
    return await c.services.scoped_connections.update(
        c.actor,
        required_id(input),
        key=input.get("key"),
        description=input.get("description"),
        inputs=input.get("inputs"),
        values=input.get("values"),
        test_values=input.get("testValues"),
    )


@mutation.field("deleteScopedConfigVariable")
@payload("scopedConfigVariable")
async def resolve_delete(_: Any, info: Info, input: dict[str, Any]) -> ScopedView:
    c = ctx(info)
    return await c.services.scoped_connections.delete(
        c.actor, required_id(input), force=bool(input.get("force"))
    )


@mutation.field("createCustomerConfigVariable")
@payload("customerConfigVariable")
async def resolve_create_value(_: Any, info: Info, input: dict[str, Any]) -> CustomerValueView:
    c = ctx(info)
    return await c.services.scoped_connections.create_customer_value(
        c.actor,
        scoped=input["scopedConfigVariable"],
        customer=input.get("customer"),
        values=input["values"],
    )


@mutation.field("updateCustomerConfigVariable")
@payload("customerConfigVariable")
async def resolve_update_value(_: Any, info: Info, input: dict[str, Any]) -> CustomerValueView:
    c = ctx(info)
    return await c.services.scoped_connections.update_customer_value(
        c.actor, required_id(input), values=input["values"]
    )


@mutation.field("deleteCustomerConfigVariable")
@payload("customerConfigVariable")
async def resolve_delete_value(_: Any, info: Info, input: dict[str, Any]) -> CustomerValueView:
    c = ctx(info)
    return await c.services.scoped_connections.delete_customer_value(c.actor, required_id(input))


BINDABLES = (query, mutation, scoped_type, customer_value_type)
