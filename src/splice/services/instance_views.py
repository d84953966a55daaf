"""What InstanceService hands out: the instances list's filters and the views of config
variables, flow configs, webhook targets and scheduled flows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from splice import ids
from splice.services.instance_search import InstanceMatch
from splice.services.records import IntegrationRecord
from splice.store.tables import IntegrationFlow

__all__ = [
    "ConfigVariableView",
    "FlowConfigView",
    "InstanceFilter",
    "ScheduledFlow",
    "WebhookTarget",
]


@dataclass(frozen=True)
class InstanceFilter:
    """Filters of the instances list (all optional)."""

    customer: str | None = None
    integration: str | None = None
    is_system: bool | None = None
    enabled: bool | None = None
    name_icontains: str | None = None
    needs_deploy: bool | None = None
    labels_contains: str | None = None
    match: InstanceMatch | None = None


@dataclass(frozen=True)
class ConfigVariableView:
    """One config variable of an instance as the API shows it (secrets masked)."""

    id: str
    key: str
    data_type: str
    default_value: str | None
    required_id: str
    value: str | None
    inputs: list[dict[str, str | None]]
    description: str
    is_missing: bool
    authorize_url: str | None = None
    is_authorized: bool = True
    error: str | None = None

    @property
    def status(self) -> str:
        """ERROR when a token request failed; PENDING while a value is missing or a connection
        awaits authorization; else ACTIVE."""
        if self.error is not None:
            return "ERROR"
        return "PENDING" if self.is_missing or not self.is_authorized else "ACTIVE"


@dataclass(frozen=True)
class FlowConfigView:
    """An instance's flow config with the flow it configures."""

    id: uuid.UUID
    instance_id: uuid.UUID
    flow: IntegrationFlow
    record: IntegrationRecord
    api_keys: list[str]

    @property
    def global_id(self) -> str:
        """The flow config's global ID (the path of its webhook URL)."""
        return ids.encode("InstanceFlowConfig", self.id)


@dataclass(frozen=True)
class WebhookTarget:
    """Everything the webhook handler needs about one flow of one instance.

    ``config_vars`` are decrypted with defaults applied (connections as ``{key, configVarKey,
    fields}``); ``api_keys`` are the keys accepted for ``endpoint_security`` (the flow config's,
    or the definition's ``organizationApiKeys`` for ``organization``). Secrets stay out of
    ``repr`` so a logged target leaks nothing.
    """

    organization_id: uuid.UUID
    instance_id: uuid.UUID
    instance_name: str
    enabled: bool
    is_system: bool
    flow_config_id: uuid.UUID
    flow_id: uuid.UUID
    flow_name: str
    flow_definition: dict[str, Any]
    integration_definition: dict[str, Any]
    customer: dict[str, Any]
    integration: dict[str, Any]
    instance: dict[str, Any]
    config_vars: dict[str, Any] = field(repr=False)
    endpoint_security: str
    api_keys: list[str] = field(repr=False)
    webhook_urls: dict[str, str]
    webhook_api_keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    # the last deploy or enable: the scheduler fires no tick from before it (missed ticks drop)
    active_since: datetime | None = None


@dataclass(frozen=True)
class ScheduledFlow:
    """A deployed flow whose trigger runs on a schedule (what the scheduler fires)."""

    flow_config_id: uuid.UUID
    instance_id: uuid.UUID
    flow_name: str
    cron: str
    time_zone: str

    @property
    def flow_config_global_id(self) -> str:
        """The flow config's global ID (the same as its webhook path)."""
        return ids.encode("InstanceFlowConfig", self.flow_config_id)
