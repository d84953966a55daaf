"""Integration-agnostic ("scoped") connections: org-level definitions and per-customer values.

A ``ScopedConfigVariable`` is a connection defined once for the organization and referenced by
integrations through ``useScopedConfigVar: <stable_key>``. With ``variable_scope == "org"`` its
single value lives on the row itself (organization-activated global); with ``"customer"`` each
customer's value is a ``CustomerConfigVariable`` (set by the org or the customer, per
``managed_by``). Input values and tokens are stored encrypted (``services/secrets.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from splice.store.tables.base import Base, Timestamped

__all__ = ["CustomerConfigVariable", "ScopedConfigVariable"]


class ScopedConfigVariable(Timestamped, Base):
    """An organization's scoped connection: its definition and, when global, its value.

    ``definition`` is shaped like a ``requiredConfigVars`` entry (``connection``, ``inputs``)
    with every input value encrypted; ``values`` is the global value as ``[{name, type, value}]``;
    ``test_values`` (Prismatic's ``isTest`` value) is what the integrations' test instances use.
    """

    __tablename__ = "scoped_config_variables"
    __table_args__ = (
        UniqueConstraint(
            "organization_id", "stable_key", name="uq_scoped_config_variables_org_stable_key"
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    stable_key: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    variable_scope: Mapped[str] = mapped_column(String(20))
    managed_by: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    values: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    test_values: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class CustomerConfigVariable(Timestamped, Base):
    """One customer's value of a customer-scoped connection (inputs and token encrypted)."""

    __tablename__ = "customer_config_variables"
    __table_args__ = (
        UniqueConstraint(
            "scoped_config_variable_id",
            "customer_id",
            name="uq_customer_config_variables_scoped_customer",
        ),
    )

    scoped_config_variable_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scoped_config_variables.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    values: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
