"""``require`` is the one authorization decision: roles are ordered, customer users only read."""

from __future__ import annotations

import uuid

import pytest

from splice.errors import PermissionDenied
from splice.services.authz import (
    CUSTOMER_ROLES,
    ORG_ROLES,
    Actor,
    Permission,
    require,
    require_instance_configurer,
    require_marketplace_deployer,
)


def org_user(role: str) -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), f"{role}@example.com", role)


def customer_user(role: str = "customer-admin") -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), "c@example.com", role, customer_id=uuid.uuid4())


def allowed(actor: Actor, permission: Permission) -> bool:
    try:
        require(actor, permission)
    except PermissionDenied:
        return False
    return True


def test_every_permission_names_an_org_role() -> None:
    assert {permission.value for permission in Permission} <= set(ORG_ROLES)


@pytest.mark.parametrize("permission", list(Permission))
def test_a_permission_held_by_a_role_is_held_by_every_higher_role(
    permission: Permission,
) -> None:
    held = [allowed(org_user(role), permission) for role in ORG_ROLES]
    assert held == sorted(held), f"{permission} is not monotonic over {ORG_ROLES}: {held}"
    assert held[-1], "the owner holds every permission"


@pytest.mark.parametrize("permission", list(Permission))
def test_the_lowest_role_named_by_a_permission_holds_it(permission: Permission) -> None:
    require(org_user(permission.value), permission)
    lower = ORG_ROLES[: ORG_ROLES.index(permission.value)]
    assert not any(allowed(org_user(role), permission) for role in lower)


def test_the_error_names_the_role_and_the_fix() -> None:
    with pytest.raises(PermissionDenied) as caught:
        require(org_user("viewer"), Permission.MANAGE_CUSTOMERS)
    text = caught.value.text
    assert "viewer" in text
    assert "manage customers" in text
    assert "admin" in text


@pytest.mark.parametrize("role", CUSTOMER_ROLES)
@pytest.mark.parametrize("permission", [p for p in Permission if p is not Permission.READ])
def test_customer_users_may_only_read(role: str, permission: Permission) -> None:
    actor = customer_user(role)
    require(actor, Permission.READ)
    with pytest.raises(PermissionDenied, match="customer users"):
        require(actor, permission)


def test_a_customer_user_with_an_org_role_name_is_still_a_customer_user() -> None:
    actor = Actor(uuid.uuid4(), uuid.uuid4(), "c@example.com", "owner", customer_id=uuid.uuid4())
    assert actor.is_customer_user
    with pytest.raises(PermissionDenied):
        require(actor, Permission.EDIT_INTEGRATIONS)


def test_org_users_are_not_customer_users() -> None:
    assert not org_user("owner").is_customer_user


def test_only_customer_admins_activate_marketplace_integrations() -> None:
    require_marketplace_deployer(customer_user("customer-admin"))
    with pytest.raises(PermissionDenied, match="customer-viewer"):
        require_marketplace_deployer(customer_user("customer-viewer"))


@pytest.mark.parametrize("role", ORG_ROLES)
def test_org_users_do_not_activate_marketplace_integrations(role: str) -> None:
    with pytest.raises(PermissionDenied, match="only customer users"):
        require_marketplace_deployer(org_user(role))


def configures(actor: Actor, *changes: str) -> bool:
    try:
        require_instance_configurer(actor, changes=changes)
    except PermissionDenied:
        return False
    return True


def test_integrators_and_customer_admins_configure_instances() -> None:
    assert [role for role in ORG_ROLES if configures(org_user(role), "labels")] == [
        "integrator",
        "admin",
        "owner",
    ]
    assert configures(customer_user("customer-admin"), "configVariables", "enabled")
    assert not configures(customer_user("customer-viewer"))


@pytest.mark.parametrize("change", ["integration", "labels"])
def test_customer_admins_leave_version_and_labels_to_the_organization(change: str) -> None:
    with pytest.raises(PermissionDenied, match=change):
        require_instance_configurer(customer_user("customer-admin"), changes=[change, "name"])
