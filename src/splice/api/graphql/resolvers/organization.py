"""Resolvers of the caller, the organization, users and log severities."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice import __version__, ids
from splice.api.graphql.resolvers.common import Info, connection, ctx, page_request, payload
from splice.store.tables import Organization, User

__all__ = ["BINDABLES", "LOG_SEVERITIES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
user_type = ObjectType("User")
organization_type = ObjectType("Organization")

LOG_SEVERITIES = (
    {"id": 1, "name": "debug"},
    {"id": 2, "name": "info"},
    {"id": 3, "name": "warn"},
    {"id": 4, "name": "error"},
    {"id": 5, "name": "metric"},
)


@query.field("spliceVersion")
def resolve_version(*_: Any) -> str:
    return __version__


@query.field("logSeverityLevels")
def resolve_severities(*_: Any) -> list[dict[str, Any]]:
    return list(LOG_SEVERITIES)


@query.field("authenticatedUser")
async def resolve_me(_: Any, info: Info) -> User:
    c = ctx(info)
    user, _org, _customer = await c.services.organization.me(c.actor)
    return user


@query.field("organization")
async def resolve_organization(_: Any, info: Info) -> Organization:
    c = ctx(info)
    return await c.services.organization.organization(c.actor)


@user_type.field("id")
def resolve_user_id(user: User, _: Info) -> str:
    return ids.encode("User", user.id)


@user_type.field("externalId")
def resolve_user_external_id(user: User, _: Info) -> str | None:
    return user.external_id


@user_type.field("tenantId")
def resolve_tenant(_: User, __: Info) -> None:
    return None


@user_type.field("role")
def resolve_role(user: User, _: Info) -> dict[str, str]:
    return {"name": user.role}


@user_type.field("org")
async def resolve_user_org(user: User, info: Info) -> Organization | None:
    if user.customer_id is not None:
        return None
    c = ctx(info)
    return await c.services.organization.organization(c.actor)


@user_type.field("customer")
async def resolve_user_customer(user: User, info: Info) -> Any:
    if user.customer_id is None:
        return None
    c = ctx(info)
    return await c.services.customers.get_by_pk(c.actor, user.customer_id)


@organization_type.field("id")
def resolve_org_id(org: Organization, _: Info) -> str:
    return ids.encode("Organization", org.id)


@organization_type.field("users")
async def resolve_org_users(_: Organization, info: Info, **paging: Any) -> dict[str, Any]:
    c = ctx(info)
    return connection(await c.services.organization.users(c.actor, page_request(**paging)))


@mutation.field("createUser")
@payload("user")
async def create_user(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    customer = input.get("customer")
    return await c.services.users.create(
        c.actor,
        input["email"],
        name=input.get("name") or "",
        role=input.get("role") or ("customer-viewer" if customer else "viewer"),
        password=input.get("password"),
        external_id=input.get("externalId"),
        phone=input.get("phone"),
        customer=customer,
    )


@mutation.field("updateUser")
@payload("user")
async def update_user(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.users.update(
        c.actor,
        input["id"],
        name=input.get("name"),
        role=input.get("role"),
        password=input.get("password"),
        external_id=input.get("externalId"),
        phone=input.get("phone"),
    )


@mutation.field("deleteUser")
@payload("user")
async def delete_user(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.users.delete(c.actor, input["id"])


BINDABLES = (query, mutation, user_type, organization_type)
