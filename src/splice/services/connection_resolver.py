"""Where an instance's connections get their values: scoped connections and fetched tokens.

A config variable with ``useScopedConfigVar: <stableKey>`` takes its definition and value from
the organization's scoped connection (runtime-semantics §5.3): the global value for
``variableScope: org``, else the value of the instance's customer. ``resolve`` rewrites a
definition and its stored values so the rules of ``config_values`` (missing, runtime, display)
apply unchanged. ``obtain_tokens`` requests client-credentials tokens that are missing or
expiring and writes them (or the failure) where the value lives.
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
from splice.errors import InvalidInput
from splice.services import config_values as cv_rules
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

__all__ = ["ConnectionResolver", "Resolution", "rotate_scoped_secrets", "scoped_config_var"]

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


@dataclass
class Resolution:
    """A definition with its scoped connections filled in, and what keeps them unconfigured."""

    definition: dict[str, Any]
    stored: dict[str, cv_rules.CleanValue]
    problems: dict[str, str] = field(default_factory=dict)
    """Config variable key -> why its scoped value is missing (and how to fix it)."""
    scoped: dict[str, ScopedConfigVariable] = field(default_factory=dict)
    customer_rows: dict[str, CustomerConfigVariable] = field(default_factory=dict)

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
            replaced.append(scoped_config_var(row, key, self._box))
            resolution.scoped[key] = row
            if row.variable_scope == "org":
                value = _clean(row.values)
            else:
                customer_row = values.get(row.id)
                value = _clean(customer_row.values) if customer_row else None
                if customer_row is not None:
                    resolution.customer_rows[key] = customer_row
                else:
                    who = "the customer's users" if row.managed_by == "customer" else "the org"
                    resolution.problems[key] = (
                        f"connection '{key}' needs customer '{customer_name}''s value of the "
                        f"scoped connection '{stable_key}' ({who} set it once with "
                        "createCustomerConfigVariable; every instance of the customer reuses it)"
                    )
            if value is not None:
                resolution.stored[key] = value
        resolution.definition["requiredConfigVars"] = replaced
        return resolution

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
        """Request missing or expiring client-credentials tokens; True when anything was written.

        Tokens (or failures) go where the value lives: the instance's row, the scoped
        connection's global value, or the customer's value. The caller commits.
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
                key = cv["key"]
                target: ScopedConfigVariable | CustomerConfigVariable | None
                target = resolution.customer_rows.get(key)
                if target is None and key in resolution.scoped:
                    scoped = resolution.scoped[key]
                    target = scoped if scoped.variable_scope == "org" else None
                if target is None:
                    continue
                fresh = await ensure_token(
                    cv, _clean(target.values), self._registry, self._box, transport
                )
                if fresh is not None:
                    target.values = fresh.values
                    changed = True
        if changed:
            await session.flush()
        return changed
