"""Executions (the outbox rows webhooks commit before answering), step results, logs, state.

An execution row is committed with its trigger payload before anyone dispatches it; workers take
it with a lease (``lease_owner``/``lease_expires_at``) so a dead worker's run is found again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from splice.ids import new_uuid
from splice.store.tables.base import Base, Timestamped

__all__ = ["Execution", "ExecutionLog", "ExecutionSection", "ExecutionStep", "StateValue"]


class Execution(Timestamped, Base):
    """One run of one flow of one instance."""

    __tablename__ = "executions"
    __table_args__ = (
        Index("ix_executions_status_lease", "status", "lease_expires_at"),
        # one execution per schedule tick, however many schedulers race for it
        UniqueConstraint("flow_config_id", "scheduled_for", name="uq_executions_schedule_tick"),
        # the FIFO queue's questions: what of this flow config is queued, pending or running
        Index("ix_executions_flow_config_status", "flow_config_id", "status"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    instance_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    flow_config_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("instance_flow_configs.id", ondelete="SET NULL")
    )
    flow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integration_flows.id", ondelete="SET NULL")
    )
    flow_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(40), default="pending")
    is_test: Mapped[bool] = mapped_column(default=False)
    is_synchronous: Mapped[bool] = mapped_column(default=False)
    trigger_kind: Mapped[str] = mapped_column(String(40), default="webhook")
    scheduled_for: Mapped[datetime | None] = mapped_column()
    payload: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    payload_content_type: Mapped[str] = mapped_column(String(200), default="")
    request: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # times a run was started again because its worker died (its lease lapsed): bounded, so a
    # flow that kills its worker every time ends failed instead of looping
    recoveries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # retryConfig.uniqueRequestIdField's value: a newer invocation with the same value cancels
    # the retries still pending for older ones (spec 2.8)
    unique_request_id: Mapped[str | None] = mapped_column(String(500))
    replay_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("executions.id", ondelete="SET NULL")
    )
    resume_from: Mapped[str | None] = mapped_column(String(500))
    retry_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("executions.id", ondelete="SET NULL")
    )
    run_after: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # set only for flows with a queueConfig (services/execution_queue.py): how many of the flow
    # config's queue members may run at once (0: no limit, dedupe only), and the dedupe ID
    queue_limit: Mapped[int | None] = mapped_column(Integer)
    dedupe_id: Mapped[str | None] = mapped_column(String(500))


class ExecutionStep(Base):
    """The result of one step run (loop iterations have their own path)."""

    __tablename__ = "execution_steps"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    execution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("executions.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    step_path: Mapped[str] = mapped_column(String(500))
    step_key: Mapped[str] = mapped_column(String(200))
    step_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime] = mapped_column()
    result: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    content_type: Mapped[str] = mapped_column(String(200), default="application/json")
    error: Mapped[str | None] = mapped_column(Text)


class ExecutionLog(Base):
    """A log line of an execution; ordered by (timestamp, id) for keyset cursors."""

    __tablename__ = "execution_logs"
    __table_args__ = (Index("ix_execution_logs_execution_time", "execution_id", "timestamp", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"))
    timestamp: Mapped[datetime] = mapped_column()
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    step_path: Mapped[str | None] = mapped_column(String(500))
    section_id: Mapped[uuid.UUID | None] = mapped_column()


class ExecutionSection(Base):
    """A labelled group of an execution's log lines (prism 10.4 shows ``[label] message``)."""

    __tablename__ = "execution_sections"
    __table_args__ = (Index("ix_execution_sections_execution", "execution_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column()


class StateValue(Timestamped, Base):
    """Persisted data. ``owner`` names the scope's holder; see services/execution_state.py.

    Flow scope (Prismatic's instanceState): owner ``<instance>/<flow name>``; cross-flow scope:
    owner ``<instance>``; integration scope: owner ``<integration>``. The foreign keys only make
    the rows go away with their instance or integration.
    """

    __tablename__ = "state_values"
    __table_args__ = (UniqueConstraint("scope", "owner", "key", name="uq_state_values_key"),)

    instance_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(500))
    value: Mapped[Any] = mapped_column(JSON)
