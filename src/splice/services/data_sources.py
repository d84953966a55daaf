"""Data sources: a config variable's choices, fetched by a component while an instance is configured.

A config variable with ``dataSource: {key, component}`` (yaml-definition §6.3, runtime-semantics
§5.4) gets its options or value by running that component's data source with the variable's
``inputs``: ``configVar`` inputs take the instance's current values (the stored ones overlaid with
the unsaved ones the config wizard passes, e.g. a connection just typed in), other inputs are
literal. The run happens outside any execution (no state is kept), bounded by a timeout. A
failure or a timeout is a ``DataSourceFailed`` naming the config variable, the data source and
the cause. The data source's log lines (plus the failure, if any) are stored with log type
``DATA_SOURCE`` against the instance and config variable (the newest ``KEEP_LOGS`` per pair) and
come back with the result.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.components.context import ActionContext, LogSeverity, StepLogger
from splice.components.registry import Registry
from splice.components.sdk import ActionFunction
from splice.errors import InvalidInput, NotFound, UserError
from splice.services import config_values as cv_rules
from splice.services.authz import Actor, Permission, require, require_instance_configurer
from splice.services.instances import InstanceService
from splice.store.db import Database
from splice.store.tables import (
    Customer,
    DataSourceLogLine,
    Instance,
    Integration,
    IntegrationVersion,
)

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "KEEP_LOGS",
    "LOG_TYPE",
    "DataSourceFailed",
    "DataSourceLog",
    "DataSourceOption",
    "DataSourceRun",
    "DataSourceService",
    "picklist_options",
]

DEFAULT_TIMEOUT_SECONDS = 30.0
KEEP_LOGS = 200
"""Stored log lines kept per instance and config variable (older ones are dropped)."""
LOG_TYPE = "DATA_SOURCE"
FIELD = "configVariableKey"


class DataSourceFailed(UserError):
    """The data source raised or timed out; the message names the config variable and cause."""

    status_code = 502


@dataclass(frozen=True)
class DataSourceLog:
    """One line the data source logged (Prismatic's log type ``DATA_SOURCE``)."""

    timestamp: datetime
    severity: str
    message: str
    log_type: str = LOG_TYPE
    config_variable_key: str = ""


@dataclass(frozen=True)
class DataSourceOption:
    """One picklist choice: the value stored (``key``) and what the wizard shows (``label``)."""

    key: str
    label: str


@dataclass(frozen=True)
class DataSourceRun:
    """What a data source gave one config variable."""

    config_variable_key: str
    component: str
    data_source: str
    data_source_type: str
    result: Any
    supplemental_data: Any = None
    options: list[DataSourceOption] | None = None
    logs: list[DataSourceLog] = field(default_factory=list)


class _Scratch:
    """State for a data source run: kept for the call only (data sources persist nothing)."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], Any] = {}

    async def get(self, scope: str, key: str) -> Any:
        return self._values.get((scope, key))

    async def set(self, scope: str, key: str, value: Any) -> None:
        self._values[(scope, key)] = value

    async def delete(self, scope: str, key: str) -> None:
        self._values.pop((scope, key), None)

    async def keys(self, scope: str) -> list[str]:
        return [key for s, key in self._values if s == scope]


def picklist_options(key: str, result: Any) -> list[DataSourceOption]:
    """A picklist result (``string[]`` or ``{key, label}[]``) as options; else a clear error."""
    if not isinstance(result, list):
        raise DataSourceFailed(
            f"config variable '{key}': the data source returned {type(result).__name__}, "
            "not a picklist (a list of strings or of {key, label})",
            field=FIELD,
        )
    options: list[DataSourceOption] = []
    for item in result:
        if isinstance(item, Mapping) and "key" in item:
            options.append(DataSourceOption(str(item["key"]), str(item.get("label", item["key"]))))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            options.append(DataSourceOption(str(item), str(item)))
        else:
            raise DataSourceFailed(
                f"config variable '{key}': picklist item {json.dumps(item)[:80]} is neither "
                "a string nor {key, label}",
                field=FIELD,
            )
    return options


def _unwrap(returned: Any) -> tuple[Any, Any]:
    """``{result, supplementalData?}`` (Prismatic's shape) or the bare result."""
    keys = set(returned) if isinstance(returned, Mapping) else set()
    if "result" in keys and keys <= {"result", "supplementalData"}:
        return returned["result"], returned.get("supplementalData")
    return returned, None


async def _call(function: ActionFunction, ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    """Await an async data source; run a plain function in a thread so it cannot block the server."""
    if inspect.iscoroutinefunction(function):
        return await function(ctx, inputs)
    returned = await asyncio.to_thread(function, ctx, inputs)
    return await returned if inspect.isawaitable(returned) else returned


class DataSourceService:
    """Runs the data source behind an instance's config variable."""

    def __init__(
        self,
        db: Database,
        registry: Registry,
        instances: InstanceService,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._db = db
        self._registry = registry
        self._instances = instances
        self._box = instances.box
        self.timeout_seconds = timeout_seconds

    async def _load(
        self, session: AsyncSession, actor: Actor, global_id: str
    ) -> tuple[Instance, Integration, IntegrationVersion | None]:
        instance = await session.get(Instance, ids.decode(global_id, "Instance"))
        if (
            instance is None
            or instance.organization_id != actor.organization_id
            or (
                actor.is_customer_user
                and (instance.is_system or instance.customer_id != actor.customer_id)
            )
        ):
            raise NotFound("instance", global_id)
        integration = await session.get(Integration, instance.integration_id)
        assert integration is not None
        version = None
        if not instance.is_system and instance.version_id is not None:
            version = await session.get(IntegrationVersion, instance.version_id)
        return instance, integration, version

    async def run(
        self,
        actor: Actor,
        instance_id: str,
        config_variable_key: str,
        *,
        config_variables: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> DataSourceRun:
        """Run the data source of ``config_variable_key`` with the instance's current config.

        ``config_variables`` (same shape as ``updateInstanceConfigVariables``) overlay the stored
        values for this run only; nothing is saved.
        """
        require_instance_configurer(actor)
        async with self._db.session() as session:
            instance, integration, version = await self._load(session, actor, instance_id)
            customer = await session.get(Customer, instance.customer_id)
            definition = version.definition if version is not None else integration.definition
            config = await self._config(session, instance, definition, config_variables)
        by_key = {cv["key"]: cv for cv in cv_rules.declared(definition)}
        cv = by_key.get(config_variable_key)
        if cv is None:
            raise NotFound(
                "config variable",
                config_variable_key,
                field=FIELD,
                fix="use one of: " + ", ".join(sorted(by_key)) if by_key else None,
            )
        ref = cv.get("dataSource") or {}
        component = str((ref.get("component") or {}).get("key") or "")
        source_key = str(ref.get("key") or "")
        if not component or not source_key:
            raise InvalidInput(
                f"config variable '{config_variable_key}' has no data source",
                field=FIELD,
                fix="set its value directly",
            )
        function = self._registry.data_source_function(component, source_key)
        if function is None:
            raise NotFound(
                "data source",
                f"{component}.{source_key} (of config variable '{config_variable_key}')",
                field=FIELD,
                fix="install the component that provides it, or set the value directly",
            )
        inputs = self._inputs(cv, component, source_key, config)
        logs: list[DataSourceLog] = []

        def emit(severity: LogSeverity, message: str) -> None:
            logs.append(
                DataSourceLog(clock.now(), severity, message, LOG_TYPE, config_variable_key)
            )

        ctx = ActionContext(
            state=_Scratch(),
            logger=StepLogger(emit),
            config_vars=config,
            instance={"id": ids.encode("Instance", instance.id), "name": instance.name},
            customer={
                "id": ids.encode("Customer", instance.customer_id),
                "name": customer.name if customer else "",
                "externalId": (customer.external_id or "") if customer else "",
            },
            integration={"id": ids.encode("Integration", integration.id), "name": integration.name},
            http_transport=self._instances.http_transport,
        )
        where = f"config variable '{config_variable_key}': data source {component}.{source_key}"
        try:
            try:
                returned = await asyncio.wait_for(
                    _call(function, ctx, inputs), self.timeout_seconds
                )
            except TimeoutError as exc:
                raise DataSourceFailed(
                    f"{where} timed out after {self.timeout_seconds:g} s",
                    field=FIELD,
                    fix="check that the service it calls answers",
                ) from exc
            except UserError:
                raise
            except Exception as exc:  # the component's failure, reported with its cause
                raise DataSourceFailed(
                    f"{where} failed: {type(exc).__name__}: {exc}",
                    field=FIELD,
                    fix="check the connection and inputs it uses",
                ) from exc
            result, supplemental = _unwrap(returned)
            data_source_type = str(cv.get("dataSourceType") or cv.get("dataType") or "string")
            options = None
            if data_source_type == "picklist":
                options = picklist_options(config_variable_key, result)
        except UserError as failure:
            emit("error", failure.text)
            await self._store_logs(instance.id, config_variable_key, logs)
            raise
        await self._store_logs(instance.id, config_variable_key, logs)
        return DataSourceRun(
            config_variable_key=config_variable_key,
            component=component,
            data_source=source_key,
            data_source_type=data_source_type,
            result=result,
            supplemental_data=supplemental,
            options=options,
            logs=logs,
        )

    async def _config(
        self,
        session: AsyncSession,
        instance: Instance,
        definition: Mapping[str, Any],
        config_variables: Sequence[Mapping[str, Any] | None] | None,
    ) -> dict[str, Any]:
        """The instance's current ``configVars`` with the unsaved values overlaid, resolved
        (scoped connections, tokens) exactly as a run resolves them."""
        by_key = {cv["key"]: cv for cv in cv_rules.declared(definition)}
        overlay = {
            given.key: cv_rules.validate(by_key[given.key], given, self._registry, self._box)
            for given in cv_rules.parse_inputs(config_variables, definition)
        }
        return await self._instances.run_config(
            session, instance, definition, deployed=False, overlay=overlay
        )

    async def _store_logs(
        self, instance_id: uuid.UUID, config_variable_key: str, logs: Sequence[DataSourceLog]
    ) -> None:
        """Keep the run's lines (log type DATA_SOURCE) and drop the oldest beyond KEEP_LOGS."""
        if not logs:
            return
        async with self._db.session() as session:
            session.add_all(
                DataSourceLogLine(
                    instance_id=instance_id,
                    config_variable_key=config_variable_key,
                    log_type=line.log_type,
                    timestamp=line.timestamp,
                    severity=line.severity,
                    message=line.message,
                )
                for line in logs
            )
            await session.flush()
            stale = (
                select(DataSourceLogLine.id)
                .where(
                    DataSourceLogLine.instance_id == instance_id,
                    DataSourceLogLine.config_variable_key == config_variable_key,
                )
                .order_by(DataSourceLogLine.timestamp.desc(), DataSourceLogLine.id.desc())
                .offset(KEEP_LOGS)
            )
            old = list((await session.execute(stale)).scalars())
            if old:
                await session.execute(
                    delete(DataSourceLogLine).where(DataSourceLogLine.id.in_(old))
                )
            await session.commit()

    async def logs(
        self,
        actor: Actor,
        instance: Instance,
        *,
        config_variable_key: str | None = None,
        limit: int = 100,
    ) -> list[DataSourceLog]:
        """The stored data source log lines of an instance the actor sees, newest first."""
        require(actor, Permission.READ)
        if instance.organization_id != actor.organization_id or (
            actor.is_customer_user and instance.customer_id != actor.customer_id
        ):
            return []
        stmt = select(DataSourceLogLine).where(DataSourceLogLine.instance_id == instance.id)
        if config_variable_key is not None:
            stmt = stmt.where(DataSourceLogLine.config_variable_key == config_variable_key)
        stmt = stmt.order_by(DataSourceLogLine.timestamp.desc(), DataSourceLogLine.id.desc())
        async with self._db.session() as session:
            rows = (await session.execute(stmt.limit(max(1, min(limit, KEEP_LOGS))))).scalars()
            return [
                DataSourceLog(r.timestamp, r.severity, r.message, r.log_type, r.config_variable_key)
                for r in rows
            ]

    def _inputs(
        self, cv: Mapping[str, Any], component: str, source_key: str, config: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The data source's inputs: manifest defaults, then the definition's (configVar resolved)."""
        manifest = self._registry.get(component)
        spec = manifest.data_source(source_key) if manifest else None
        inputs: dict[str, Any] = {
            item.key: item.default for item in (spec.inputs if spec else ()) if item.default
        }
        for name, given in (cv.get("inputs") or {}).items():
            if not isinstance(given, Mapping):
                continue
            value = given.get("value")
            if given.get("type") == "configVar":
                value = str(value)
                if value not in config:
                    raise InvalidInput(
                        f"config variable '{cv['key']}': its data source input '{name}' "
                        f"names config variable {value!r}, which this integration does not declare",
                        field=FIELD,
                    )
                value = config[value]
            inputs[str(name)] = value
        return inputs
