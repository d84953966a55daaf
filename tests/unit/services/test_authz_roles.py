"""Role ordering: viewers read, integrators edit, admins manage customers, owners everything."""

from __future__ import annotations

import uuid

import pytest

from splice.errors import PermissionDenied
from splice.services.authz import Actor, Permission, require


def actor(role: str, customer: uuid.UUID | None = None) -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), f"{role}@example.com", role, customer)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", {Permission.READ}),
        ("integrator", {Permission.READ, Permission.EDIT_INTEGRATIONS}),
        (
            "admin",
            {
                Permission.READ,
                Permission.EDIT_INTEGRATIONS,
                Permission.MANAGE_CUSTOMERS,
                Permission.MANAGE_USERS,
            },
        ),
        ("owner", set(Permission)),
    ],
)
def test_each_role_holds_exactly_its_permissions(role: str, allowed: set[Permission]) -> None:
    for permission in Permission:
        if permission in allowed or (
            permission is Permission.PUBLISH_INTEGRATIONS
            and Permission.EDIT_INTEGRATIONS in allowed
        ):
            require(actor(role), permission)
        else:
            with pytest.raises(PermissionDenied):
                require(actor(role), permission)


def test_customer_users_only_read() -> None:
    customer_user = actor("customer-admin", uuid.uuid4())
    require(customer_user, Permission.READ)
    with pytest.raises(PermissionDenied, match="customer users"):
        require(customer_user, Permission.EDIT_INTEGRATIONS)


def test_unknown_role_holds_nothing() -> None:
    with pytest.raises(PermissionDenied):
        require(actor("intern"), Permission.READ)
