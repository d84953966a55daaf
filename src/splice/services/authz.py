"""Authorization, decided in one place: who may do what.

Every service method calls ``require(actor, permission)`` before it reads or writes. Org roles
are ordered (viewer < integrator < admin < owner); customer users only ever see their customer.

Customer roles (runtime-semantics §6.2, §8): a ``customer-viewer`` (Prismatic's Member) only
reads; a ``customer-admin`` (Admin / Marketplace Admin) also activates marketplace integrations
and configures and tests the instances of their own customer (``require_instance_configurer``).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from splice.errors import PermissionDenied

__all__ = [
    "CUSTOMER_ADMIN_INSTANCE_CHANGES",
    "ORG_ROLES",
    "Actor",
    "Permission",
    "require",
    "require_customer_value_editor",
    "require_instance_configurer",
    "require_marketplace_deployer",
    "require_queue_admin",
    "sees_api_keys",
]

ORG_ROLES = ("viewer", "integrator", "admin", "owner")
CUSTOMER_ROLES = ("customer-viewer", "customer-admin")

CUSTOMER_ADMIN_INSTANCE_CHANGES = frozenset(
    {"name", "description", "enabled", "configVariables", "flowConfigs"}
)
"""What a customer admin may change on their customer's instances: its name and description,
pause or resume it, its config values (including data-source and connection values) and the
flows' API keys. They may also deploy (redeploy), test, run data sources and delete it. The
version an instance runs (``integration``) and its ``labels`` stay the organization's call, and
creating instances goes through marketplace activation."""


class Permission(enum.Enum):
    """What an operation needs; the value is the lowest org role that has it."""

    READ = "viewer"
    EDIT_INTEGRATIONS = "integrator"
    PUBLISH_INTEGRATIONS = "integrator"
    MANAGE_CUSTOMERS = "admin"
    MANAGE_USERS = "admin"
    MANAGE_ORGANIZATION = "owner"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as every service sees it."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    role: str
    customer_id: uuid.UUID | None = None

    @property
    def is_customer_user(self) -> bool:
        """True for users who belong to a customer rather than the organization."""
        return self.customer_id is not None


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDenied unless ``actor`` holds ``permission``."""
    if actor.is_customer_user:
        if permission is Permission.READ:
            return
        raise PermissionDenied(
            f"customer users may not {permission.name.lower().replace('_', ' ')}",
            fix="ask an organization user to do this",
        )
    needed = ORG_ROLES.index(permission.value)
    held = ORG_ROLES.index(actor.role) if actor.role in ORG_ROLES else -1
    if held < needed:
        raise PermissionDenied(
            f"the {actor.role} role may not {permission.name.lower().replace('_', ' ')}",
            fix=f"ask a user with the {permission.value} role or higher",
        )


def require_marketplace_deployer(actor: Actor) -> None:
    """Raise unless ``actor`` may activate marketplace integrations for their own customer.

    Only customer admins (Prismatic's Marketplace Admin) do; organization users create and
    deploy instances directly, and customer viewers only read.
    """
    if not actor.is_customer_user:
        raise PermissionDenied(
            "only customer users activate marketplace integrations",
            fix="create and deploy an instance for the customer instead",
        )
    if actor.role != "customer-admin":
        raise PermissionDenied(
            f"the {actor.role} role may not activate marketplace integrations",
            fix="ask a customer admin",
        )


def require_queue_admin(actor: Actor) -> None:
    """Raise unless ``actor`` may clear a flow's FIFO queue (``clearFifoWorkingSet``,
    ``clearAllFifoData``): organization admins and owners only, because clearing drops or
    releases customers' queued work that cannot be recovered.
    """
    if actor.is_customer_user:
        raise PermissionDenied(
            "customer users may not clear a flow's FIFO queue",
            fix="ask an organization admin to clear it",
        )
    if actor.role not in ("admin", "owner"):
        raise PermissionDenied(
            f"the {actor.role} role may not clear a flow's FIFO queue",
            fix="ask a user with the admin role or higher",
        )


def sees_api_keys(actor: Actor) -> bool:
    """Whether ``actor`` reads webhook API keys (``InstanceFlowConfig.apiKeys``) unmasked.

    They are secrets that let anyone start the instance's flows, so only those who may set them
    see them: organization integrators and above, and customer admins (of their own customer's
    instances; loading through the customer filter decides which). Viewers get them masked.
    """
    if actor.is_customer_user:
        return actor.role == "customer-admin"
    return actor.role in ORG_ROLES[ORG_ROLES.index("integrator") :]


def require_instance_configurer(actor: Actor, *, changes: Iterable[str] = ()) -> None:
    """Raise unless ``actor`` may configure, deploy, test or delete an instance.

    Organization integrators and above may do anything; customer admins may make the
    ``changes`` listed in ``CUSTOMER_ADMIN_INSTANCE_CHANGES`` (the caller must still load the
    instance through the customer filter, so another customer's instance is "not found").
    """
    if not actor.is_customer_user:
        require(actor, Permission.EDIT_INTEGRATIONS)
        return
    if actor.role != "customer-admin":
        raise PermissionDenied(
            f"the {actor.role} role may not configure instances",
            fix="ask a customer admin",
        )
    forbidden = sorted(set(changes) - CUSTOMER_ADMIN_INSTANCE_CHANGES)
    if forbidden:
        raise PermissionDenied(
            "customer admins may not change an instance's " + ", ".join(forbidden),
            fix="ask the organization to change it for you",
        )


def require_customer_value_editor(actor: Actor, *, managed_by: str, customer_id: uuid.UUID) -> None:
    """Raise unless ``actor`` may set a customer's value of a scoped connection (§5.3).

    Integrators (and above) set any customer's value; a customer admin sets only their own
    customer's value of a customer-activated connection; customer viewers only read.
    """
    if not actor.is_customer_user:
        require(actor, Permission.EDIT_INTEGRATIONS)
        return
    if managed_by != "customer" or actor.role != "customer-admin":
        raise PermissionDenied(
            f"the {actor.role} role may not set this connection's value",
            fix="ask a customer admin (customer-activated connections) or the organization",
        )
    if customer_id != actor.customer_id:
        raise PermissionDenied(
            "customer users set only their own customer's connections",
            fix="set the value for your own customer",
        )
