"""Reading one execution (checked against the actor, or unchecked for the webhook handler
that created it) and replaying or resuming one (queued like any execution of its flow).
"""

from __future__ import annotations

import uuid

from splice import ids
from splice.errors import InvalidInput, NotFound
from splice.services.authz import Actor, Permission, require
from splice.services.execution_core import ExecutionCore
from splice.services.execution_queue import queue_policy
from splice.store.tables import Execution, Instance

__all__ = ["ExecutionReplay"]


class ExecutionReplay(ExecutionCore):
    """Get, replay and resume executions."""

    # ---- reading -------------------------------------------------------------------------

    async def get(self, actor: Actor, global_id: str) -> Execution:
        """One execution the actor may see."""
        require(actor, Permission.READ)
        pk = ids.decode(global_id, "InstanceExecutionResult")
        async with self._db.session() as session:
            execution = await session.get(Execution, pk)
            instance = await session.get(Instance, execution.instance_id) if execution else None
        if (
            execution is None
            or execution.organization_id != actor.organization_id
            or (
                actor.is_customer_user
                and (instance is None or instance.customer_id != actor.customer_id)
            )
        ):
            raise NotFound("execution", global_id)
        return execution

    async def get_unchecked(self, execution_id: uuid.UUID) -> Execution:
        """An execution by primary key, for the webhook handler that just created it."""
        async with self._db.session() as session:
            execution = await session.get(Execution, execution_id)
        if execution is None:
            raise NotFound("execution", str(execution_id))
        return execution

    async def replay(self, actor: Actor, global_id: str, *, resume: bool = False) -> Execution:
        """A new execution with the same trigger payload; ``resume`` skips steps that succeeded."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        original = await self.get(actor, global_id)
        if resume and original.status != "failed":
            raise InvalidInput(
                "only a failed execution can be resumed", field="id", fix="replay it instead"
            )
        copy = Execution(
            organization_id=original.organization_id,
            instance_id=original.instance_id,
            flow_config_id=original.flow_config_id,
            flow_id=original.flow_id,
            flow_name=original.flow_name,
            is_test=original.is_test,
            is_synchronous=False,
            trigger_kind=original.trigger_kind,
            payload=original.payload,
            payload_content_type=original.payload_content_type,
            request=original.request,
            replay_of_id=original.id,
            resume_from="failed-step" if resume else None,
        )
        policy = None
        if original.flow_config_id is not None:
            target = await self._instances.webhook_target(
                ids.encode("InstanceFlowConfig", original.flow_config_id)
            )
            policy = queue_policy(target.flow_definition)
        if policy is not None:  # a replay waits its turn like any other execution of the flow
            copy.status, copy.queue_limit, copy.dedupe_id = "queued", policy.limit, None
        async with self._db.session() as session:
            session.add(copy)
            await session.commit()
        if policy is not None:
            await self.advance_queue(copy.flow_config_id, skip=copy.id)
        return copy
