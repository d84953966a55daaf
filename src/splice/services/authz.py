"""Authorization, decided in one place: who may do what.

Every service method calls ``require(actor, permission)`` before it reads or writes. Org roles
are ordered (viewer < integrator < admin < owner); customer users only ever see their customer.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from splice.errors import PermissionDenied

__all__ = ["ORG_ROLES", "Actor", "Permission", "require", "require_marketplace_deployer"]

ORG_ROLES = ("viewer", "integrator", "admin", "owner")
CUSTOMER_ROLES = ("customer-viewer", "customer-admin")


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
