"""Scheduled flows: which flow configs fire, and claiming each tick exactly once.

A tick is claimed by inserting the execution row with ``scheduled_for = tick``; the unique
constraint (flow config, tick) makes a second scheduler's insert fail, so several schedulers
may run at once and each tick still starts one execution.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from splice import ids
from splice.services.execution_queue import SKIPPED, ended_without_running, previous_run_active
from splice.store.db import Database
from splice.store.tables import Execution, Instance, InstanceFlowConfig, IntegrationFlow

__all__ = ["Schedule", "ScheduleService", "due_tick"]


@dataclass(frozen=True)
class Schedule:
    """A flow config's cron expression in its time zone."""

    cron: str
    time_zone: str


def due_tick(schedule: Schedule, now: datetime, window: timedelta) -> datetime | None:
    """The latest tick at or before ``now`` if it lies within ``window``; else None."""
    try:
        zone = ZoneInfo(schedule.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    if not schedule.cron.strip() or not croniter.is_valid(schedule.cron):
        return None
    local_now = now.astimezone(zone)
    probe = local_now + timedelta(microseconds=1)
    tick: datetime = croniter(schedule.cron, probe).get_prev(datetime)
    tick = tick.astimezone(now.tzinfo)
    return tick if now - tick <= window else None


def schedule_of(flow_definition: dict[str, Any], config_vars: dict[str, Any]) -> Schedule | None:
    """The trigger's schedule: a literal cron, or the value of a schedule config variable."""
    steps = flow_definition.get("steps") or [{}]
    spec = steps[0].get("schedule") or {}
    meta = spec.get("meta") or {}
    value = spec.get("value") or ""
    if spec.get("type") == "configVar":
        configured = config_vars.get(value)
        if isinstance(configured, dict):
            if str(configured.get("scheduleType") or "").lower() == "none":
                return None  # the schedule type 'none' never runs (spec 4), whatever its cron
            cron = str(configured.get("value") or configured.get("cron") or "")
            zone = str(configured.get("timeZone") or meta.get("timeZone") or "UTC")
            return Schedule(cron, zone) if cron else None
        value = configured or ""
    return Schedule(str(value), str(meta.get("timeZone") or "UTC")) if value else None


class ScheduleService:
    """Finds scheduled flow configs of deployed, enabled instances and claims their ticks."""

    def __init__(self, db: Database, instances: Any) -> None:
        self._db = db
        self._instances = instances

    async def scheduled_flow_configs(self) -> list[uuid.UUID]:
        """Flow configs whose flow has a schedule, on deployed enabled customer instances."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(InstanceFlowConfig.id)
                .join(Instance, Instance.id == InstanceFlowConfig.instance_id)
                .join(IntegrationFlow, IntegrationFlow.id == InstanceFlowConfig.flow_id)
                .where(
                    Instance.enabled.is_(True),
                    Instance.is_system.is_(False),
                    Instance.deployed_at.is_not(None),
                    IntegrationFlow.has_schedule.is_(True),
                )
            )
            return list(rows.scalars())

    async def claim_due(self, now: datetime, window: timedelta) -> list[uuid.UUID]:
        """Create one execution per due tick that no scheduler has claimed yet."""
        created: list[uuid.UUID] = []
        for config_id in await self.scheduled_flow_configs():
            target = await self._instances.webhook_target(
                ids.encode("InstanceFlowConfig", config_id)
            )
            schedule = schedule_of(target.flow_definition, target.config_vars)
            tick = due_tick(schedule, now, window) if schedule else None
            if tick is None or (target.active_since is not None and tick < target.active_since):
                continue  # a tick from before the deploy or the end of a pause is dropped
            execution_id = await self._claim(target, tick)
            if execution_id is not None:
                created.append(execution_id)
        return created

    async def _claim(self, target: Any, tick: datetime) -> uuid.UUID | None:
        execution = Execution(
            organization_id=target.organization_id,
            instance_id=target.instance_id,
            flow_config_id=target.flow_config_id,
            flow_id=target.flow_id,
            flow_name=target.flow_name,
            trigger_kind="schedule",
            scheduled_for=tick,
            payload=b"",
            payload_content_type="",
            request={"headers": {}, "query": {}},
        )
        singleton = (target.flow_definition.get("queueConfig") or {}).get("singletonExecutions")
        async with self._db.session() as session:
            skipped = bool(singleton) and await previous_run_active(session, target.flow_config_id)
            logs = []
            if skipped:
                # singletonExecutions (spec 2.7): the tick is recorded as skipped, not run
                logs = ended_without_running(
                    execution,
                    SKIPPED,
                    f"Skipped the scheduled run of {tick.isoformat()}: singletonExecutions "
                    "is on and the previous run of this flow is still running",
                )
            session.add(execution)
            try:
                await session.flush()
                session.add_all(logs)
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return None
        return None if skipped else execution.id
