"""The service layer: every business rule and transaction lives here, used by every adapter.

``Services`` is built once by the app factory (or a CLI command) and passed down; it holds no
module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from splice.components.registry import Registry
from splice.services.attachments import AttachmentService
from splice.services.auth import AuthService
from splice.services.customers import CustomerService
from splice.services.data_sources import DataSourceService
from splice.services.execution_queries import ExecutionQueries
from splice.services.executions import ExecutionService
from splice.services.instances import InstanceService
from splice.services.integrations import IntegrationService
from splice.services.marketplace import MarketplaceService
from splice.services.media import MediaService
from splice.services.organization import OrganizationService
from splice.services.schedules import ScheduleService
from splice.services.scoped_connections import ScopedConnectionService
from splice.services.users import UserService
from splice.services.versions import VersionService
from splice.services.webhook_routing import WebhookRouter
from splice.settings import Settings
from splice.store.db import Database

__all__ = ["Services"]


@dataclass
class Services:
    """The bundle of services an adapter talks to."""

    settings: Settings
    db: Database
    registry: Registry
    auth: AuthService = field(init=False)
    integrations: IntegrationService = field(init=False)
    versions: VersionService = field(init=False)
    attachments: AttachmentService = field(init=False)
    organization: OrganizationService = field(init=False)
    customers: CustomerService = field(init=False)
    media: MediaService = field(init=False)
    users: UserService = field(init=False)
    instances: InstanceService = field(init=False)
    marketplace: MarketplaceService = field(init=False)
    data_sources: DataSourceService = field(init=False)
    executions: ExecutionService = field(init=False)
    execution_queries: ExecutionQueries = field(init=False)
    schedules: ScheduleService = field(init=False)
    scoped_connections: ScopedConnectionService = field(init=False)
    webhook_routing: WebhookRouter = field(init=False)

    def __post_init__(self) -> None:
        self.auth = AuthService(self.settings, self.db)
        self.integrations = IntegrationService(self.settings, self.db, self.registry)
        self.versions = VersionService(self.db, self.registry, self.integrations)
        self.attachments = AttachmentService(self.settings, self.db, self.integrations)
        self.organization = OrganizationService(self.settings, self.db)
        self.customers = CustomerService(self.settings, self.db)
        self.media = MediaService(self.settings, self.db)
        self.users = UserService(self.settings, self.db)
        self.instances = InstanceService(self.settings, self.db, self.registry, self.integrations)
        self.marketplace = MarketplaceService(self.db, self.instances)
        self.data_sources = DataSourceService(self.db, self.registry, self.instances)
        self.executions = ExecutionService(self.settings, self.db, self.registry, self.instances)
        self.execution_queries = ExecutionQueries(self.settings, self.db, self.executions)
        self.schedules = ScheduleService(self.db, self.instances)
        self.scoped_connections = ScopedConnectionService(self.settings, self.db, self.registry)
        self.webhook_routing = WebhookRouter(
            self.db, self.executions, payload_limit=self.settings.limits.webhook_payload_bytes
        )
        self.instances.lifecycle = self.executions.fire_lifecycle
