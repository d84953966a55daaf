"""Where an instance's connections get their values: scoped connections and fetched tokens.

A config variable with ``useScopedConfigVar: <stableKey>`` takes its definition and value from
the organization's scoped connection (runtime-semantics §5.3): the global value for
``variableScope: org``, else the value of the instance's customer; an integration's test
instance takes the connection's test value (Prismatic's ``isTest``) when it has one. ``resolve``
rewrites a definition and its stored values so the rules of ``config_values`` (missing, runtime,
display) apply unchanged. ``obtain_tokens`` refreshes expiring authorization-code tokens and
requests client-credentials tokens that are missing or expiring, and writes them (or the
failure) where the value lives (its ``Slot``); ``complete_scoped_authorization`` stores the
token of a browser authorization there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.components.registry import Registry
from splice.errors import InvalidInput, NotFound
from splice.services import config_values as cv_rules
from splice.services import oauth_code
from splice.services.client_credentials import ensure_token
from splice.services.secrets import SecretBox
from splice.store.repositories import instances as repo
from splice.store.tables import (
    Customer,
    CustomerConfigVariable,
    Instance,
    InstanceConfigValue,
    ScopedConfigVariable,
)

__all__ = [
    "ConnectionResolver",
    "Resolution",
    "Slot",
    "rotate_scoped_secrets",
    "scoped_config_var",
    "slot_for",
]

FIELD = "configVariables"


def scoped_config_var(row: ScopedConfigVariable, key: str, box: SecretBox) -> dict[str, Any]:
    """A scoped connection as a ``requiredConfigVars`` entry named ``key`` (inputs decrypted)."""
    stored = row.definition or {}
    inputs = {
        name: {**spec, "value": box.decrypt(spec.get("value"))}
        for name, spec in (stored.get("inputs") or {}).items()
        if isinstance(spec, dict)
    }
    cv: dict[str, Any] = {
        "key": key,
        "dataType": "connection",
        "connection": stored.get("connection") or {},
        "inputs": inputs,
    }
    if stored.get("oauth2Type"):
        cv["oauth2Type"] = stored["oauth2Type"]
    return cv


def _rotated(items: list[dict[str, Any]] | None, box: SecretBox) -> list[dict[str, Any]] | None:
    if not items:
        return items
    return [{**item, "value": box.rotate(item.get("value"))} for item in items]


async def rotate_scoped_secrets(
    session: AsyncSession, organization_id: uuid.UUID, box: SecretBox
) -> int:
    """Re-encrypt scoped connections' inputs and values with the first key; how many rows."""
    count = 0
    rows = (
        await session.execute(
            select(ScopedConfigVariable).where(
                ScopedConfigVariable.organization_id == organization_id
            )
        )
    ).scalars()
    for row in list(rows):
        inputs = (row.definition or {}).get("inputs") or {}
        row.definition = {
            **row.definition,
            "inputs": {
                name: {**spec, "value": box.rotate(spec.get("value"))}
                for name, spec in inputs.items()
            },
        }
        row.values = _rotated(row.values, box)
        row.test_values = _rotated(row.test_values, box)
        values = (
            await session.execute(
                select(CustomerConfigVariable).where(
                    CustomerConfigVariable.scoped_config_variable_id == row.id
                )
            )
        ).scalars()
        for value in values:
            value.values = _rotated(value.values, box)
            count += 1
        count += 1
    return count


def _clean(values: list[dict[str, Any]] | None) -> cv_rules.CleanValue | None:
    return cv_rules.CleanValue(None, values) if values else None


@dataclass(frozen=True)
class Slot:
    """Where one scoped connection value lives: a customer's row, the global or the test value."""

    row: ScopedConfigVariable | CustomerConfigVariable
    attr: str = "values"

    @property
    def value(self) -> cv_rules.CleanValue | None:
        """The stored value (inputs, token, error), still encrypted."""
        return _clean(getattr(self.row, self.attr))

    def store(self, value: cv_rules.CleanValue) -> None:
        """Replace the stored value (the caller commits)."""
        setattr(self.row, self.attr, value.values)


async def slot_for(
    session: AsyncSession,
    row: ScopedConfigVariable,
    *,
    customer_id: uuid.UUID | None,
    test: bool,
    create: bool = False,
) -> Slot | None:
    """The slot of a scoped connection's test value, global value or a customer's value.

    With ``create`` a missing customer row is added (an authorization may come first).
    """
    if test:
        return Slot(row, "test_values")
    if row.variable_scope == "org":
        return Slot(row)
    found = (
        await session.execute(
            select(CustomerConfigVariable).where(
                CustomerConfigVariable.scoped_config_variable_id == row.id,
                CustomerConfigVariable.customer_id == customer_id,
            )
        )
    ).scalar_one_or_none()
    if found is None and create and customer_id is not None:
        found = CustomerConfigVariable(
            scoped_config_variable_id=row.id, customer_id=customer_id, values=None
        )
        session.add(found)
    return Slot(found) if found is not None else None


@dataclass
class Resolution:
    """A definition with its scoped connections filled in, and what keeps them unconfigured."""

    definition: dict[str, Any]
    stored: dict[str, cv_rules.CleanValue]
    problems: dict[str, str] = field(default_factory=dict)
    """Config variable key -> why its scoped value is missing (and how to fix it)."""
    scoped: dict[str, ScopedConfigVariable] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    """Config variable key -> where its scoped value lives (absent while there is none)."""

    def hidden_from_customers(self, key: str) -> bool:
        """Organization-activated global values are invisible to customer users."""
        row = self.scoped.get(key)
        return row is not None and row.variable_scope == "org"

    def deploy_problem(self, missing: list[str], box: SecretBox) -> InvalidInput | None:
        """Why a deploy must be refused: missing values, scoped values, failed tokens."""
        lines: list[str] = []
        plain = [key for key in missing if key not in self.problems]
        if plain:
            lines.append(
                "these config variables have no value: " + ", ".join(repr(k) for k in plain)
            )
        lines.extend(self.problems.values())
        for key, value in self.stored.items():
            error = cv_rules.connection_error(value, box)
            if error is not None and key not in self.problems:
                lines.append(error)
        if not lines:
            return None
        fix = "set them with updateInstance(configVariables), or give them defaults"
        if self.problems and not plain:
            fix = "set the scoped connection's value, then deploy again"
        elif not plain and not self.problems:
            fix = "check the connection's token URL, client ID, client secret and scopes"
        return InvalidInput(
            "cannot deploy: " + "; ".join(lines),
            field=FIELD,
            fix=fix,
            details=tuple(f"cannot deploy: {line}" for line in lines) if len(lines) > 1 else (),
        )


class ConnectionResolver:
    """Resolves scoped connections and keeps client-credentials tokens fresh for instances."""

    def __init__(self, registry: Registry, box: SecretBox) -> None:
        self._registry = registry
        self._box = box

    async def resolve(
        self,
        session: AsyncSession,
        instance: Instance,
        definition: Mapping[str, Any],
        stored: Mapping[str, cv_rules.CleanValue],
    ) -> Resolution:
        """The definition and values with every ``useScopedConfigVar`` variable filled in."""
        wanted = {
            cv["key"]: key
            for cv in cv_rules.declared(definition)
            if (key := cv_rules.scoped_key(cv)) is not None
        }
        resolution = Resolution(dict(definition), dict(stored))
        if not wanted:
            return resolution
        rows = {
            row.stable_key: row
            for row in (
                await session.execute(
                    select(ScopedConfigVariable).where(
                        ScopedConfigVariable.organization_id == instance.organization_id,
                        ScopedConfigVariable.stable_key.in_(set(wanted.values())),
                    )
                )
            ).scalars()
        }
        values = await self._customer_values(session, instance.customer_id, rows.values())
        customer = await session.get(Customer, instance.customer_id)
        customer_name = customer.name if customer else str(instance.customer_id)
        replaced: list[Any] = []
        for cv in definition.get("requiredConfigVars") or []:
            key = str(cv.get("key")) if isinstance(cv, dict) else ""
            if key not in wanted:
                replaced.append(cv)
                continue
            stable_key = wanted[key]
            row = rows.get(stable_key)
            resolution.stored.pop(key, None)
            if row is None:
                replaced.append(cv)
                resolution.problems[key] = (
                    f"connection '{key}' uses the scoped connection '{stable_key}', which the "
                    "organization has not defined (an organization admin creates it with "
                    "createScopedConfigVariable)"
                )
                continue
            cv = scoped_config_var(row, key, self._box)
            replaced.append(cv)
            resolution.scoped[key] = row
            slot: Slot | None
            if instance.is_system and row.test_values is not None:
                slot = Slot(row, "test_values")
            elif row.variable_scope == "org":
                slot = Slot(row)
            else:
                customer_row = values.get(row.id)
                slot = Slot(customer_row) if customer_row is not None else None
            if slot is None:
                resolution.problems[key] = self._no_value(
                    cv, key, stable_key, row, customer_name, test=instance.is_system
                )
                continue
            resolution.slots[key] = slot
            if (value := slot.value) is not None:
                resolution.stored[key] = value
        resolution.definition["requiredConfigVars"] = replaced
        return resolution

    def _no_value(
        self,
        cv: Mapping[str, Any],
        key: str,
        stable_key: str,
        row: ScopedConfigVariable,
        customer_name: str,
        *,
        test: bool,
    ) -> str:
        """Why a customer-scoped connection has no value here, and who sets it how."""
        if test:
            return (
                f"connection '{key}' uses the scoped connection '{stable_key}', which has no "
                "test value for the integration's test instance (an integrator sets one with "
                "updateScopedConfigVariable(testValues))"
            )
        who = "the customer's users" if row.managed_by == "customer" else "the org"
        how = "createCustomerConfigVariable"
        if cv_rules.uses_authorization_code(cv, self._registry):
            how = "the scoped connection's authorizeUrl"
        return (
            f"connection '{key}' needs customer '{customer_name}''s value of the scoped "
            f"connection '{stable_key}' ({who} set it once with {how}; every instance of the "
            "customer reuses it)"
        )

    @staticmethod
    async def _customer_values(
        session: AsyncSession, customer_id: uuid.UUID, rows: Any
    ) -> dict[uuid.UUID, CustomerConfigVariable]:
        scoped_ids = [row.id for row in rows if row.variable_scope == "customer"]
        if not scoped_ids:
            return {}
        found = (
            await session.execute(
                select(CustomerConfigVariable).where(
                    CustomerConfigVariable.customer_id == customer_id,
                    CustomerConfigVariable.scoped_config_variable_id.in_(scoped_ids),
                )
            )
        ).scalars()
        return {row.scoped_config_variable_id: row for row in found}

    async def obtain_tokens(
        self,
        session: AsyncSession,
        instance: Instance,
        definition: Mapping[str, Any],
        transport: httpx.AsyncBaseTransport | None,
    ) -> bool:
        """Renew expiring tokens, request missing client-credentials ones; True when any changed.

        Tokens (or failures) go where the value lives: the instance's row, or the scoped
        connection's slot (global, customer's or test value). Instance rows' authorization-code
        tokens are refreshed by ``InstanceService``. The caller commits.
        """
        changed = False
        plain = [
            cv
            for cv in cv_rules.declared(definition)
            if cv_rules.scoped_key(cv) is None
            and cv_rules.uses_client_credentials(cv, self._registry)
        ]
        if plain:
            rows = await repo.config_values(session, instance.id)
            for cv in plain:
                row = rows.get(cv["key"])
                current = _clean(row.values) if row else None
                fresh = await ensure_token(cv, current, self._registry, self._box, transport)
                if fresh is None:
                    continue
                if row is None:
                    row = InstanceConfigValue(instance_id=instance.id, key=cv["key"])
                    session.add(row)
                row.value, row.values = None, fresh.values
                changed = True
        if any(cv_rules.scoped_key(cv) for cv in cv_rules.declared(definition)):
            resolution = await self.resolve(session, instance, definition, {})
            for cv in cv_rules.declared(resolution.definition):
                slot = resolution.slots.get(cv["key"])
                if slot is None:
                    continue
                fresh = await oauth_code.refreshed(
                    cv, slot.value, self._registry, self._box, transport
                ) or await ensure_token(cv, slot.value, self._registry, self._box, transport)
                if fresh is not None:
                    slot.store(fresh)
                    changed = True
        if changed:
            await session.flush()
        return changed

    async def complete_scoped_authorization(
        self,
        session: AsyncSession,
        target: Mapping[str, Any],
        code: str,
        callback_url: str,
        transport: httpx.AsyncBaseTransport | None,
    ) -> str:
        """Store the token of a finished authorization on the scoped value ``target`` names.

        ``target`` comes from a sealed state (``ScopedConnectionService.authorize_url``):
        ``{scoped, customer, test}``. A customer's value is created when it did not exist (the
        authorization may be the customer's first and only input). The caller commits.
        """
        row = await session.get(ScopedConfigVariable, uuid.UUID(str(target["scoped"])))
        if row is None:
            raise NotFound("scoped connection", str(target["scoped"]), field="state")
        cv = scoped_config_var(row, row.key, self._box)
        if not cv_rules.uses_authorization_code(cv, self._registry):
            raise NotFound("OAuth connection", row.key, field="state")
        customer_id = uuid.UUID(str(target["customer"])) if target.get("customer") else None
        customer = await session.get(Customer, customer_id) if customer_id else None
        test = bool(target.get("test"))
        slot = await slot_for(session, row, customer_id=customer_id, test=test, create=True)
        if slot is None or (row.variable_scope == "customer" and not test and customer is None):
            raise NotFound("customer", str(target.get("customer")), field="state")
        fields = cv_rules.connection_fields(cv, slot.value, self._registry, self._box)
        token = await oauth_code.exchange_code(fields, code, callback_url, transport)
        slot.store(cv_rules.with_token(slot.value, token, self._box))
        if test:
            return f"the test value of the scoped connection '{row.key}'"
        if customer is not None and row.variable_scope == "customer":
            return f"customer '{customer.name}''s value of the scoped connection '{row.key}'"
        return f"the scoped connection '{row.key}'"
