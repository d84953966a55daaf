"""All tables, imported here so ``Base.metadata`` is complete for Alembic."""

from splice.store.tables.auth import Organization, RefreshToken, User
from splice.store.tables.base import Base
from splice.store.tables.customers import Customer
from splice.store.tables.data_sources import DataSourceLogLine
from splice.store.tables.executions import (
    Execution,
    ExecutionLog,
    ExecutionSection,
    ExecutionStep,
    StateValue,
)
from splice.store.tables.instances import Instance, InstanceConfigValue, InstanceFlowConfig
from splice.store.tables.integrations import (
    Attachment,
    Integration,
    IntegrationFlow,
    IntegrationVersion,
)
from splice.store.tables.media import MediaObject
from splice.store.tables.scoped import CustomerConfigVariable, ScopedConfigVariable

__all__ = [
    "Attachment",
    "Base",
    "Customer",
    "CustomerConfigVariable",
    "DataSourceLogLine",
    "Execution",
    "ExecutionLog",
    "ExecutionSection",
    "ExecutionStep",
    "Instance",
    "InstanceConfigValue",
    "InstanceFlowConfig",
    "Integration",
    "IntegrationFlow",
    "IntegrationVersion",
    "MediaObject",
    "Organization",
    "RefreshToken",
    "ScopedConfigVariable",
    "StateValue",
    "User",
]
