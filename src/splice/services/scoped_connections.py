"""Integration-agnostic ("scoped") connections: define them once, give values, reuse everywhere.

Three kinds (runtime-semantics §5.3), by ``variableScope`` / ``managedBy``:

- ``org`` / ``org``: organization-activated global; one value on the definition, used by
  every instance and never shown to customer users;
- ``customer`` / ``org``: organization-activated customer; the org sets each customer's value;
- ``customer`` / ``customer``: customer-activated; a customer admin sets their customer's value
  once and every instance of that customer reuses it.

Definitions and values are encrypted like instance connections (ADR 0004) and masked the same
way. Integrations reference a definition with ``useScopedConfigVar: <stableKey>``;
``connection_resolver`` puts the values into runs. A connection may carry a test value (set by
integrators) that only integrations' test instances use. OAuth 2.0 authorization-code values are
authorized through ``authorize_url`` and the shared ``/oauth2/callback`` (``oauth_code``). A
connection that instances use is deleted only with ``force`` (the error names the instances).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.components.registry import Registry
from splice.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from splice.services import config_values as cv_rules
from splice.services import oauth_code
from splice.services.authz import Actor, Permission, require, require_customer_value_editor
from splice.services.connection_resolver import scoped_config_var, slot_for
from splice.services.customers import visible_customer
from splice.services.scoped_usage import require_unused
from splice.services.secrets import SecretBox
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Customer, CustomerConfigVariable, ScopedConfigVariable

__all__ = ["CustomerValueView", "ScopedConnectionService", "ScopedView"]

SCOPES = ("org", "customer")
MANAGERS = ("org", "customer")
MANAGE_SCOPED = Permission.EDIT_INTEGRATIONS


@dataclass(frozen=True)
class ValueState:
    """A connection value as the API shows it: masked inputs and a status."""

    inputs: list[dict[str, str | None]]
    status: str | None
    status_message: str | None


@dataclass(frozen=True)
class ScopedView:
    """A scoped connection definition (with its global value, for ``variableScope: org``)."""

    row: ScopedConfigVariable
    state: ValueState
    test_state: ValueState | None = None
    """The test value (organization users only; None when there is none)."""

    @property
    def global_id(self) -> str:
        """Its global ID (type ``ScopedConfigVariable``)."""
        return ids.encode("ScopedConfigVariable", self.row.id)


@dataclass(frozen=True)
class CustomerValueView:
    """One customer's value of a customer-scoped connection."""

    row: CustomerConfigVariable
    scoped: ScopedView
    customer_id: uuid.UUID
    state: ValueState

    @property
    def global_id(self) -> str:
        """Its global ID (type ``CustomerConfigVariable``)."""
        return ids.encode("CustomerConfigVariable", self.row.id)


def _text(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise InvalidInput(f"{field} must not be empty", field=field, fix=f"give {what}")
    if len(value) > 200:
        raise InvalidInput(f"{field} is longer than 200 characters", field=field)
    return value.strip()


class ScopedConnectionService:
    """Use cases on scoped connections and customers' values of them."""

    def __init__(self, settings: Settings, db: Database, registry: Registry) -> None:
        self._settings = settings
        self._db = db
        self._registry = registry
        self.box = SecretBox.from_settings(settings)

    # ---- shaping -------------------------------------------------------------------------

    def _state(
        self, actor: Actor, row: ScopedConfigVariable, values: list[dict[str, Any]] | None
    ) -> ValueState:
        cv = scoped_config_var(row, row.key, self.box)
        stored = cv_rules.CleanValue(None, values) if values else None
        reveal = not actor.is_customer_user and actor.role != "viewer"
        shown = cv_rules.display_value(cv, stored, self._registry, self.box, reveal=reveal)
        error = cv_rules.connection_error(stored, self.box)
        missing = cv_rules.missing_keys(
            {"requiredConfigVars": [cv]},
            {row.key: stored} if stored else {},
            self._registry,
            self.box,
        )
        unauthorized = cv_rules.uses_authorization_code(cv, self._registry) and (
            cv_rules.connection_token(stored, self.box) is None
        )
        if unauthorized:
            missing = [row.key]
        status = "ERROR" if error else ("PENDING" if missing else "ACTIVE")
        return ValueState(shown.inputs, status, error)

    def _view(self, actor: Actor, row: ScopedConfigVariable) -> ScopedView:
        test = None
        if row.test_values is not None and not actor.is_customer_user:
            test = self._state(actor, row, row.test_values)
        if row.variable_scope == "org":
            return ScopedView(row, self._state(actor, row, row.values), test)
        shared = self._state(actor, row, None)
        return ScopedView(row, ValueState(shared.inputs, None, None), test)

    # ---- definitions ---------------------------------------------------------------------

    @staticmethod
    def _visible(actor: Actor, row: ScopedConfigVariable) -> bool:
        """Customer users see only the connections they activate themselves."""
        if row.organization_id != actor.organization_id:
            return False
        return not actor.is_customer_user or row.managed_by == "customer"

    async def _load(
        self, session: AsyncSession, actor: Actor, global_id: str, *, field: str = "id"
    ) -> ScopedConfigVariable:
        row = await session.get(ScopedConfigVariable, ids.decode(global_id, "ScopedConfigVariable"))
        if row is None or not self._visible(actor, row):
            raise NotFound("scoped config variable", global_id, field=field)
        return row

    async def list_scoped(self, actor: Actor, *, stable_key: str | None = None) -> list[ScopedView]:
        """The organization's scoped connections by key (customer users: customer-activated)."""
        require(actor, Permission.READ)
        stmt = select(ScopedConfigVariable).where(
            ScopedConfigVariable.organization_id == actor.organization_id
        )
        if stable_key:
            stmt = stmt.where(ScopedConfigVariable.stable_key == stable_key)
        if actor.is_customer_user:
            stmt = stmt.where(ScopedConfigVariable.managed_by == "customer")
        async with self._db.session() as session:
            rows = (await session.execute(stmt.order_by(ScopedConfigVariable.key))).scalars()
            return [self._view(actor, row) for row in rows]

    def _connection_cv(self, component: str, connection: str) -> dict[str, Any]:
        manifest = self._registry.get(component)
        if manifest is None:
            raise InvalidInput(
                f"there is no component '{component}'",
                field="component",
                fix="use an installed component's key, e.g. http",
            )
        if manifest.connection(connection) is None:
            known = ", ".join(c.key for c in manifest.connections) or "none"
            raise InvalidInput(
                f"component '{component}' has no connection '{connection}'",
                field="connection",
                fix=f"use one of: {known}",
            )
        return {"connection": {"key": connection, "component": {"key": component}}}

    def _inputs(self, cv: Mapping[str, Any], items: Any) -> dict[str, dict[str, Any]]:
        """Shared inputs (the same for every customer), validated and encrypted."""
        clean = cv_rules.validate(
            cv, cv_rules.ConfigInput(cv["key"], values=items), self._registry, self.box
        )
        return {
            item["name"]: {"type": "value", "value": item["value"]}
            for item in (clean.values if clean else None) or []
        }

    def _values(self, row: ScopedConfigVariable, items: Any) -> list[dict[str, Any]] | None:
        cv = scoped_config_var(row, row.key, self.box)
        clean = cv_rules.validate(
            cv, cv_rules.ConfigInput(row.key, values=items), self._registry, self.box
        )
        return clean.values if clean else None

    async def create(
        self,
        actor: Actor,
        *,
        stable_key: str,
        key: str,
        component: str,
        connection: str,
        variable_scope: str,
        managed_by: str,
        description: str | None = None,
        oauth2_type: str | None = None,
        inputs: Any = None,
        values: Any = None,
        test_values: Any = None,
    ) -> ScopedView:
        """Define a scoped connection (and, for a global one, give its value)."""
        require(actor, MANAGE_SCOPED)
        stable_key = _text(stable_key, "stableKey", "the key integrations reference it by")
        key = _text(key, "key", "the connection a name")
        if variable_scope not in SCOPES:
            raise InvalidInput(
                f"variableScope {variable_scope!r} is not one of: {', '.join(SCOPES)}",
                field="variableScope",
                fix="org: one global value; customer: one value per customer",
            )
        if managed_by not in MANAGERS:
            raise InvalidInput(
                f"managedBy {managed_by!r} is not one of: {', '.join(MANAGERS)}",
                field="managedBy",
                fix="org: the organization sets values; customer: each customer sets its own",
            )
        if variable_scope == "org" and managed_by != "org":
            raise InvalidInput(
                "a global (variableScope org) connection is managed by the organization",
                field="managedBy",
                fix="use managedBy org, or variableScope customer for customer-activated",
            )
        definition = self._connection_cv(component, connection)
        if oauth2_type:
            definition["oauth2Type"] = oauth2_type
        cv = {"key": key, "dataType": "connection", **definition}
        definition["inputs"] = self._inputs(cv, inputs) if inputs not in (None, "") else {}
        if values not in (None, "") and variable_scope != "org":
            raise InvalidInput(
                "a customer-scoped connection has no global value",
                field="values",
                fix="give shared inputs in 'inputs' and each customer's value with "
                "createCustomerConfigVariable",
            )
        async with self._db.session() as session:
            taken = (
                await session.execute(
                    select(ScopedConfigVariable.id).where(
                        ScopedConfigVariable.organization_id == actor.organization_id,
                        ScopedConfigVariable.stable_key == stable_key,
                    )
                )
            ).first()
            if taken is not None:
                raise Conflict(
                    f"a scoped connection with stableKey '{stable_key}' exists already",
                    field="stableKey",
                    fix="pick another stableKey, or update the existing connection",
                )
            row = ScopedConfigVariable(
                organization_id=actor.organization_id,
                stable_key=stable_key,
                key=key,
                description=description or "",
                variable_scope=variable_scope,
                managed_by=managed_by,
                definition=definition,
            )
            if values not in (None, ""):
                row.values = self._values(row, values)
            if test_values not in (None, ""):
                row.test_values = self._values(row, test_values)
            session.add(row)
            await session.commit()
            return self._view(actor, row)

    async def update(
        self,
        actor: Actor,
        global_id: str,
        *,
        key: str | None = None,
        description: str | None = None,
        inputs: Any = None,
        values: Any = None,
        test_values: Any = None,
    ) -> ScopedView:
        """Rename or describe a scoped connection, replace its shared inputs, global or test value.

        ``test_values`` ``""`` removes the test value (test runs then use the global value, or
        none for a customer-scoped connection).
        """
        require(actor, MANAGE_SCOPED)
        async with self._db.session() as session:
            row = await self._load(session, actor, global_id)
            if key is not None:
                row.key = _text(key, "key", "the connection a name")
            if description is not None:
                row.description = description
            if inputs is not None:
                cv = {"key": row.key, "dataType": "connection", **row.definition}
                row.definition = {**row.definition, "inputs": self._inputs(cv, inputs)}
            if values is not None:
                if row.variable_scope != "org":
                    raise InvalidInput(
                        "a customer-scoped connection has no global value",
                        field="values",
                        fix="set each customer's value with createCustomerConfigVariable",
                    )
                row.values = self._values(row, values)
            if test_values is not None:
                row.test_values = self._values(row, test_values) if test_values != "" else None
            await session.commit()
            return self._view(actor, row)

    async def delete(self, actor: Actor, global_id: str, *, force: bool = False) -> ScopedView:
        """Delete a scoped connection and every customer's value of it.

        Refused while customer instances use it, naming them, unless ``force``: those instances
        then stay unconfigured (deploy refused, runs get no value) until a connection with the
        same stable key is defined again.
        """
        require(actor, MANAGE_SCOPED)
        async with self._db.session() as session:
            row = await self._load(session, actor, global_id)
            if not force:
                await require_unused(session, row)
            view = self._view(actor, row)
            await session.delete(row)
            await session.commit()
            return view

    # ---- OAuth 2.0 authorization code ------------------------------------------------------

    async def authorize_url(
        self, actor: Actor, view: ScopedView, *, customer: str | None = None, test: bool = False
    ) -> str | None:
        """Where to authorize a value of an authorization-code connection; None when the actor
        may not set that value or the connection is not one.

        The value is the test value (``test``), the global one (``variableScope: org``) or the
        customer's (customer users: their own). The token lands there through ``/oauth2/callback``.
        """
        row = view.row
        cv = scoped_config_var(row, row.key, self.box)
        if not cv_rules.uses_authorization_code(cv, self._registry):
            return None
        async with self._db.session() as session:
            customer_id = None
            try:
                if test or row.variable_scope == "org":
                    require(actor, MANAGE_SCOPED)
                else:
                    target = await self._customer(session, actor, customer)
                    require_customer_value_editor(
                        actor, managed_by=row.managed_by, customer_id=target.id
                    )
                    customer_id = target.id
            except (PermissionDenied, NotFound, InvalidInput):
                return None
            slot = await slot_for(session, row, customer_id=customer_id, test=test)
        fields = cv_rules.connection_fields(
            cv, slot.value if slot else None, self._registry, self.box
        )
        state = {"scoped": str(row.id), "customer": str(customer_id or ""), "test": test}
        callback = oauth_code.callback_url(self._settings.server.base_url())
        return oauth_code.authorize_url(self.box, callback, state, fields)

    # ---- customers' values ---------------------------------------------------------------

    async def _customer(
        self, session: AsyncSession, actor: Actor, global_id: str | None
    ) -> Customer:
        if not global_id:
            if actor.customer_id is None:
                raise InvalidInput(
                    "customer is required", field="customer", fix="pass the customer's ID"
                )
            global_id = ids.encode("Customer", actor.customer_id)
        return await visible_customer(session, actor, global_id)

    def _value_view(
        self, actor: Actor, row: CustomerConfigVariable, scoped: ScopedConfigVariable
    ) -> CustomerValueView:
        return CustomerValueView(
            row, self._view(actor, scoped), row.customer_id, self._state(actor, scoped, row.values)
        )

    async def _load_value(
        self, session: AsyncSession, actor: Actor, global_id: str
    ) -> tuple[CustomerConfigVariable, ScopedConfigVariable]:
        pk = ids.decode(global_id, "CustomerConfigVariable")
        row = await session.get(CustomerConfigVariable, pk)
        scoped = (
            await session.get(ScopedConfigVariable, row.scoped_config_variable_id) if row else None
        )
        if (
            row is None
            or scoped is None
            or not self._visible(actor, scoped)
            or (actor.is_customer_user and row.customer_id != actor.customer_id)
        ):
            raise NotFound("customer config variable", global_id)
        return row, scoped

    async def customer_values(
        self, actor: Actor, *, customer: str | None = None, scoped: str | None = None
    ) -> list[CustomerValueView]:
        """Customers' values (customer users: their own customer's customer-activated ones)."""
        require(actor, Permission.READ)
        stmt = (
            select(CustomerConfigVariable, ScopedConfigVariable)
            .join(
                ScopedConfigVariable,
                ScopedConfigVariable.id == CustomerConfigVariable.scoped_config_variable_id,
            )
            .where(ScopedConfigVariable.organization_id == actor.organization_id)
        )
        if actor.is_customer_user:
            stmt = stmt.where(
                CustomerConfigVariable.customer_id == actor.customer_id,
                ScopedConfigVariable.managed_by == "customer",
            )
        if customer:
            stmt = stmt.where(
                CustomerConfigVariable.customer_id == ids.decode(customer, "Customer")
            )
        if scoped:
            stmt = stmt.where(ScopedConfigVariable.id == ids.decode(scoped, "ScopedConfigVariable"))
        async with self._db.session() as session:
            pairs = (
                await session.execute(
                    stmt.order_by(ScopedConfigVariable.key, CustomerConfigVariable.created_at)
                )
            ).all()
            return [self._value_view(actor, row, definition) for row, definition in pairs]

    async def create_customer_value(
        self, actor: Actor, *, scoped: str, values: Any, customer: str | None = None
    ) -> CustomerValueView:
        """Give a customer's value of a customer-scoped connection (once per customer)."""
        async with self._db.session() as session:
            definition = await self._load(session, actor, scoped, field="scopedConfigVariable")
            target = await self._customer(session, actor, customer)
            require_customer_value_editor(
                actor, managed_by=definition.managed_by, customer_id=target.id
            )
            if definition.variable_scope != "customer":
                raise InvalidInput(
                    f"'{definition.key}' is a global connection with one organization value",
                    field="scopedConfigVariable",
                    fix="set its value with updateScopedConfigVariable(values)",
                )
            existing = (
                await session.execute(
                    select(CustomerConfigVariable.id).where(
                        CustomerConfigVariable.scoped_config_variable_id == definition.id,
                        CustomerConfigVariable.customer_id == target.id,
                    )
                )
            ).first()
            if existing is not None:
                raise Conflict(
                    f"customer '{target.name}' has a value of '{definition.key}' already",
                    field="scopedConfigVariable",
                    fix="change it with updateCustomerConfigVariable",
                )
            row = CustomerConfigVariable(
                scoped_config_variable_id=definition.id,
                customer_id=target.id,
                values=self._values(definition, values),
            )
            session.add(row)
            await session.commit()
            return self._value_view(actor, row, definition)

    async def update_customer_value(
        self, actor: Actor, global_id: str, *, values: Any
    ) -> CustomerValueView:
        """Replace a customer's value (a new value drops the old token)."""
        async with self._db.session() as session:
            row, definition = await self._load_value(session, actor, global_id)
            require_customer_value_editor(
                actor, managed_by=definition.managed_by, customer_id=row.customer_id
            )
            row.values = self._values(definition, values)
            await session.commit()
            return self._value_view(actor, row, definition)

    async def delete_customer_value(self, actor: Actor, global_id: str) -> CustomerValueView:
        """Remove a customer's value; the customer's instances are unconfigured until it is set."""
        async with self._db.session() as session:
            row, definition = await self._load_value(session, actor, global_id)
            require_customer_value_editor(
                actor, managed_by=definition.managed_by, customer_id=row.customer_id
            )
            view = self._value_view(actor, row, definition)
            await session.delete(row)
            await session.commit()
            return view
