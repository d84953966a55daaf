"""Customers and users through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from splice import ids
from splice.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from splice.services import Services
from splice.services.auth import actor_for
from splice.services.authz import Actor
from splice.services.pagination import PageRequest
from tests.integration.services.conftest import add_user


async def test_customer_crud_with_unique_external_id(services: Services, owner: Actor) -> None:
    acme = await services.customers.create(
        owner, "Acme", description="First", external_id="acme-1", labels=["gold", "beta", "gold"]
    )
    assert acme.labels == ["gold", "beta"]
    with pytest.raises(Conflict) as caught:
        await services.customers.create(owner, "Acme2", external_id="acme-1")
    assert caught.value.field == "externalId"
    gid = ids.encode("Customer", acme.id)
    updated = await services.customers.update(owner, gid, name="Acme Corp", labels=["vip"])
    assert (updated.name, updated.labels, updated.external_id) == ("Acme Corp", ["vip"], "acme-1")
    page = await services.customers.search(owner, PageRequest(), is_system=False)
    assert [c.name for c in page.items] == ["Acme Corp"]
    await services.customers.delete(owner, gid)
    with pytest.raises(NotFound):
        await services.customers.get(owner, gid)


async def test_system_customer_is_hidden_and_protected(services: Services, owner: Actor) -> None:
    await services.integrations.create(owner, "Needs a test instance", "")
    page = await services.customers.search(owner, PageRequest(), is_system=True)
    assert [c.name for c in page.items] == ["System"]
    system_id = ids.encode("Customer", page.items[0].id)
    with pytest.raises(NotFound):
        await services.customers.delete(owner, system_id)


async def test_customer_pages_cover_every_row_once(services: Services, owner: Actor) -> None:
    for n in range(25):
        await services.customers.create(owner, f"Customer {n:02d}")
    seen: list[str] = []
    after = None
    while True:
        page = await services.customers.search(owner, PageRequest(after=after, first=10))
        seen += [c.name for c in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == [f"Customer {n:02d}" for n in range(25)]


async def test_org_users_roles_and_last_owner(services: Services, owner: Actor) -> None:
    admin_user = await services.users.create(
        owner, "Admin@Example.com", name="Ada", role="admin", password="a long password"
    )
    assert admin_user.email == "admin@example.com"
    admin = actor_for(admin_user)
    with pytest.raises(Conflict):
        await services.users.create(owner, "admin@example.com", role="viewer")
    with pytest.raises(InvalidInput):
        await services.users.create(owner, "not-an-email", role="viewer")
    with pytest.raises(InvalidInput) as bad_role:
        await services.users.create(owner, "x@example.com", role="wizard")
    assert bad_role.value.field == "role"
    with pytest.raises(PermissionDenied):
        await services.users.create(admin, "boss@example.com", role="owner")
    with pytest.raises(Conflict, match="at least one owner"):
        await services.users.update(owner, ids.encode("User", owner.user_id), role="admin")
    viewer = await add_user(services, owner, "viewer", "viewer@example.com")
    with pytest.raises(PermissionDenied):
        await services.users.create(viewer, "y@example.com", role="viewer")
    renamed = await services.users.update(viewer, ids.encode("User", viewer.user_id), name="Vi")
    assert renamed.name == "Vi"
    users = await services.organization.users(owner, PageRequest())
    assert {u.email for u in users.items} == {
        "owner@example.com",
        "admin@example.com",
        "viewer@example.com",
    }


async def test_customer_users_see_only_their_customer(services: Services, owner: Actor) -> None:
    acme = await services.customers.create(owner, "Acme")
    other = await services.customers.create(owner, "Other")
    user = await services.users.create(
        owner,
        "buyer@acme.test",
        role="customer-admin",
        customer=ids.encode("Customer", acme.id),
        password="a long password",
    )
    with pytest.raises(InvalidInput):
        await services.users.create(
            owner, "x@acme.test", role="admin", customer=ids.encode("Customer", acme.id)
        )
    buyer = actor_for(user)
    page = await services.customers.search(buyer, PageRequest())
    assert [c.name for c in page.items] == ["Acme"]
    with pytest.raises(NotFound):
        await services.customers.get(buyer, ids.encode("Customer", other.id))
    with pytest.raises(PermissionDenied):
        await services.customers.create(buyer, "Mine")
    customer_users = await services.customers.users(owner, acme, PageRequest())
    assert [u.email for u in customer_users.items] == ["buyer@acme.test"]
    pair = await services.auth.login("buyer@acme.test", "a long password")
    assert (await services.auth.authenticate(pair.access_token)).customer_id == acme.id
