"""Integration lifecycle: create, update, import/export, fork, delete, list, flows.

Publishing and everything about versions lives in ``versions.py``; attachments in
``attachments.py``. The draft's definition (parsed data) is the source of truth for name,
description, category, labels and documentation; the columns mirror it for search.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.components.registry import Registry
from splice.definition import dump, from_data, load, missing_components, validate
from splice.errors import Conflict, InvalidInput, NotFound
from splice.services.authz import Actor, Permission, require
from splice.services.definitions import (
    blank_definition,
    blocking_issues,
    flow_facts,
    parse_checked,
)
from splice.services.icons import check_icon
from splice.services.media import media_content_for_url
from splice.services.pagination import Page, PageRequest, fetch_page, page_of
from splice.services.records import IntegrationRecord
from splice.settings import Settings
from splice.store.db import Database
from splice.store.repositories import integrations as repo
from splice.store.tables import (
    Customer,
    Instance,
    Integration,
    IntegrationFlow,
    IntegrationVersion,
    User,
)

__all__ = ["IntegrationFilter", "IntegrationService", "UpdateResult", "ValidationResult"]

SUPPORTED_EXPORT_VERSIONS = (7,)


@dataclass(frozen=True)
class IntegrationFilter:
    """Search and filters of the integrations list (all optional)."""

    all_versions: bool = False
    customer: str | None = None
    customer_isnull: bool | None = None
    name: str | None = None
    name_icontains: str | None = None
    description_icontains: str | None = None
    category: str | None = None
    labels_contains: str | None = None
    marketplace_configuration: str | None = None
    has_unpublished_changes: bool | None = None
    has_instances: bool | None = None
    version_is_available: bool | None = None
    version_sequence_id: str | None = None
    marketplace: bool | None = None
    description: str | None = None
    category_icontains: str | None = None
    version_number: int | None = None
    """Equal to the ``versionNumber`` each listed record shows (a draft: its latest version)."""


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating YAML without storing it."""

    is_valid: bool
    errors: list[str]
    warnings: list[str]


@dataclass(frozen=True)
class UpdateResult:
    """An updated integration plus non-fatal warnings (e.g. about the icon)."""

    record: IntegrationRecord
    warnings: list[str]


def clean_labels(labels: Sequence[str | None] | None) -> list[str]:
    """Labels are trimmed, lower-cased and unique, in first-seen order."""
    seen: dict[str, None] = {}
    for label in labels or []:
        if label and label.strip():
            seen[label.strip().lower()] = None
    return list(seen)


def _require_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise InvalidInput(
            "name must not be empty", field="name", fix="give the integration a name"
        )
    if len(name) > 200:
        raise InvalidInput("name is longer than 200 characters", field="name")
    return name.strip()


class IntegrationService:
    """Use cases on integrations and their drafts."""

    def __init__(self, settings: Settings, db: Database, registry: Registry) -> None:
        self._settings = settings
        self._db = db
        self._registry = registry

    # ---- reading -------------------------------------------------------------------------

    async def get(self, actor: Actor, global_id: str) -> IntegrationRecord:
        """The draft or published version a global ID names."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            return await self.load_record(session, actor, global_id)

    async def load_record(
        self, session: AsyncSession, actor: Actor, global_id: str, *, field: str = "id"
    ) -> IntegrationRecord:
        """Resolve an integration or version ID inside an open session."""
        pk = ids.decode(global_id, "Integration")
        integration = await repo.find_integration(session, actor.organization_id, pk)
        if integration is not None and self._visible(actor, integration):
            return IntegrationRecord(integration)
        found = await repo.find_version(session, actor.organization_id, pk)
        if found is not None and self._visible(actor, found[0]):
            publisher = (
                await session.get(User, found[1].published_by_id)
                if found[1].published_by_id
                else None
            )
            return IntegrationRecord(found[0], found[1], publisher)
        raise NotFound("integration", global_id, field=field)

    @staticmethod
    def _visible(actor: Actor, integration: Integration) -> bool:
        return not actor.is_customer_user or integration.customer_id == actor.customer_id

    async def search(
        self, actor: Actor, filters: IntegrationFilter, page: PageRequest
    ) -> Page[IntegrationRecord]:
        """Integrations (latest draft of each, or every version with ``all_versions``)."""
        require(actor, Permission.READ)
        limits = self._settings.limits
        async with self._db.session() as session:
            stmt = await self._filtered(session, actor, filters)
            if not filters.all_versions:
                if filters.version_number is not None:
                    stmt = stmt.where(Integration.latest_version_number == filters.version_number)
                result = await fetch_page(
                    session,
                    stmt.order_by(Integration.name, Integration.id),
                    page,
                    default=limits.page_size,
                    maximum=limits.max_page_size,
                )
                return Page(
                    [IntegrationRecord(row) for row in result.items],
                    result.start_offset,
                    result.has_next_page,
                    result.total_count,
                )
            integrations = (await session.execute(stmt.order_by(Integration.name))).scalars().all()
            records: list[IntegrationRecord] = []
            for integration in integrations:
                records.append(IntegrationRecord(integration))
                versions = (
                    await session.execute(
                        select(IntegrationVersion)
                        .where(IntegrationVersion.integration_id == integration.id)
                        .order_by(IntegrationVersion.version_number.desc())
                    )
                ).scalars()
                records.extend(IntegrationRecord(integration, version) for version in versions)
            if filters.version_is_available is not None:
                wanted = filters.version_is_available
                records = [r for r in records if r.version is not None and r.is_available == wanted]
            if filters.version_number is not None:
                records = [r for r in records if r.version_number == filters.version_number]
            return page_of(records, page, default=limits.page_size, maximum=limits.max_page_size)

    async def _filtered(self, session: AsyncSession, actor: Actor, f: IntegrationFilter) -> Any:
        stmt = select(Integration).where(Integration.organization_id == actor.organization_id)
        if actor.is_customer_user:
            stmt = stmt.where(Integration.customer_id == actor.customer_id)
        if f.customer:
            customer_pk = ids.decode(f.customer, "Customer")
            customer = await session.get(Customer, customer_pk)
            if customer is None or customer.organization_id != actor.organization_id:
                raise NotFound("customer", f.customer, field="customer")
            stmt = stmt.where(
                or_(Integration.customer_id == customer_pk, Integration.customer_id.is_(None))
            )
        if f.customer_isnull is not None:
            column = Integration.customer_id
            stmt = stmt.where(column.is_(None) if f.customer_isnull else column.is_not(None))
        if f.name is not None:
            stmt = stmt.where(Integration.name == f.name)
        if f.name_icontains:
            stmt = stmt.where(Integration.name.ilike(f"%{_escape_like(f.name_icontains)}%", "\\"))
        if f.description_icontains:
            pattern = f"%{_escape_like(f.description_icontains)}%"
            stmt = stmt.where(Integration.description.ilike(pattern, "\\"))
        if f.description is not None:
            stmt = stmt.where(Integration.description == f.description)
        if f.category is not None:
            stmt = stmt.where(Integration.category == f.category)
        if f.category_icontains:
            pattern = f"%{_escape_like(f.category_icontains)}%"
            stmt = stmt.where(Integration.category.ilike(pattern, "\\"))
        if f.labels_contains:
            label = f.labels_contains.strip().lower().replace('"', "")
            stmt = stmt.where(cast(Integration.labels, String).like(f'%"{label}"%'))
        if f.has_unpublished_changes is not None:
            stmt = stmt.where(Integration.has_unpublished_changes.is_(f.has_unpublished_changes))
        if f.marketplace_configuration:
            latest = exists().where(
                IntegrationVersion.integration_id == Integration.id,
                IntegrationVersion.version_number == Integration.latest_version_number,
                IntegrationVersion.marketplace_configuration == f.marketplace_configuration,
            )
            stmt = stmt.where(latest)
        return self._usage_filters(stmt, f)

    @staticmethod
    def _usage_filters(stmt: Any, f: IntegrationFilter) -> Any:
        """hasInstances, versionIsAvailable (some version is), versionSequenceId (the
        integration's own ID: its versions form the sequence) and marketplace (the latest
        version is listed)."""
        if f.has_instances is not None:
            used = exists().where(
                Instance.integration_id == Integration.id, Instance.is_system.is_(False)
            )
            stmt = stmt.where(used if f.has_instances else ~used)
        if f.version_is_available is not None:
            available = exists().where(
                IntegrationVersion.integration_id == Integration.id,
                IntegrationVersion.is_available.is_(True),
            )
            stmt = stmt.where(available if f.version_is_available else ~available)
        if f.version_sequence_id:
            kind, pk = ids.decode_any(f.version_sequence_id)
            if kind != "Integration":
                raise InvalidInput(
                    "expects an integration ID (its versions form the sequence)",
                    field="versionSequenceId",
                )
            stmt = stmt.where(Integration.id == pk)
        if f.marketplace is not None:
            listed = exists().where(
                IntegrationVersion.integration_id == Integration.id,
                IntegrationVersion.version_number == Integration.latest_version_number,
                IntegrationVersion.marketplace_configuration != "NOT_AVAILABLE_IN_MARKETPLACE",
            )
            stmt = stmt.where(listed if f.marketplace else ~listed)
        return stmt

    async def flows(self, actor: Actor, record: IntegrationRecord) -> list[IntegrationFlow]:
        """The flows of a draft or version, in definition order."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            stmt = select(IntegrationFlow).where(
                IntegrationFlow.integration_id == record.integration.id
            )
            stmt = stmt.where(
                IntegrationFlow.version_id.is_(None)
                if record.version is None
                else IntegrationFlow.version_id == record.version.id
            )
            return list((await session.execute(stmt.order_by(IntegrationFlow.position))).scalars())

    async def system_instance(self, actor: Actor, record: IntegrationRecord) -> Instance:
        """The integration's test instance (created on demand for older rows)."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            integration = await session.get(Integration, record.integration.id)
            assert integration is not None
            instance = await repo.ensure_system_instance(session, integration)
            await session.commit()
            return instance

    async def test_flow_configs(
        self, actor: Actor, record: IntegrationRecord
    ) -> dict[str, uuid.UUID]:
        """Flow name -> the test instance's flow config ID (whose webhook is the flow's testUrl)."""
        instance = await self.system_instance(actor, record)
        async with self._db.session() as session:
            configs = await repo.flow_configs_by_flow(session, instance.id)
            flows = await repo.draft_flows(session, record.integration.id)
            return {flow.name: configs[flow.id].id for flow in flows if flow.id in configs}

    async def test_flow_config_for(self, actor: Actor, flow_id: str) -> uuid.UUID:
        """The test instance's flow config of a draft flow (what a test run triggers)."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        pk = ids.decode(flow_id, "IntegrationFlow")
        async with self._db.session() as session:
            flow = await session.get(IntegrationFlow, pk)
            integration = (
                await repo.find_integration(session, actor.organization_id, flow.integration_id)
                if flow is not None
                else None
            )
        if flow is None or integration is None or flow.version_id is not None:
            raise NotFound("flow of an integration draft", flow_id)
        configs = await self.test_flow_configs(actor, IntegrationRecord(integration))
        return configs[flow.name]

    async def export(self, actor: Actor, global_id: str, definition_version: int | None = 7) -> str:
        """The YAML definition of the draft or of a published version."""
        record = await self.get(actor, global_id)
        if definition_version not in (None, *SUPPORTED_EXPORT_VERSIONS):
            raise InvalidInput(
                f"definition version {definition_version} is not supported",
                field="version",
                fix="export with version 7",
            )
        return dump(from_data(record.definition))

    def validate_text(self, text: str) -> ValidationResult:
        """Validate YAML text without storing it: errors block import, warnings do not."""
        model = load(text, max_bytes=self._settings.limits.definition_bytes)
        errors = [issue.text for issue in blocking_issues(model, self._registry)]
        missing = missing_components(model, self._registry)
        warnings = [
            f"component '{key}' is not installed; import works, publishing needs it"
            for key in missing
        ]
        warnings += [
            issue.text for issue in validate(model, self._registry) if issue.severity == "warning"
        ]
        return ValidationResult(not errors, errors, warnings)

    # ---- writing -------------------------------------------------------------------------

    async def create(
        self,
        actor: Actor,
        name: str,
        description: str | None = None,
        *,
        customer: str | None = None,
        category: str | None = None,
        labels: Sequence[str | None] | None = None,
        template: str | None = None,
    ) -> IntegrationRecord:
        """A new integration: blank (one webhook flow) or copied from a template version."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        name = _require_name(name)
        async with self._db.session() as session:
            if template:
                source = await self.load_record(session, actor, template, field="template")
                if source.version is None or source.version.template_visibility == "none":
                    raise InvalidInput(
                        "that version is not available as a template",
                        field="template",
                        fix="mark a published version available as a template first",
                    )
                definition = copy.deepcopy(source.definition)
                definition["name"] = name
                if description is not None:
                    definition["description"] = description
            else:
                definition = blank_definition(name, description or "")
            if category is not None:
                definition["category"] = category
            if labels is not None:
                definition["labels"] = clean_labels(labels)
            integration = await self._insert(session, actor, definition, customer=customer)
            await session.commit()
            return IntegrationRecord(integration)

    async def _insert(
        self,
        session: AsyncSession,
        actor: Actor,
        definition: dict[str, Any],
        *,
        customer: str | None = None,
        parent_id: uuid.UUID | None = None,
    ) -> Integration:
        name = _require_name(definition.get("name"))
        if await repo.name_taken(session, actor.organization_id, name, except_id=None):
            raise Conflict(
                f"an integration named {name!r} already exists",
                field="name",
                fix="choose another name",
            )
        integration = Integration(
            organization_id=actor.organization_id,
            customer_id=await self._customer_pk(session, actor, customer),
            parent_id=parent_id,
            created_by_id=actor.user_id,
            definition={},
            name=name,
        )
        session.add(integration)
        await session.flush()
        await self._store_draft(session, integration, definition)
        return integration

    async def _customer_pk(
        self, session: AsyncSession, actor: Actor, customer: str | None
    ) -> uuid.UUID | None:
        if not customer:
            return actor.customer_id
        pk = ids.decode(customer, "Customer")
        row = await session.get(Customer, pk)
        if row is None or row.organization_id != actor.organization_id or row.is_system:
            raise NotFound("customer", customer, field="customer")
        return pk

    async def _store_draft(
        self, session: AsyncSession, integration: Integration, definition: dict[str, Any]
    ) -> None:
        """Write a new draft definition, mirror its fields, rebuild flows and the test instance."""
        definition = dict(definition)
        definition["labels"] = clean_labels(definition.get("labels"))
        if not definition["labels"]:
            definition.pop("labels")
        integration.definition = definition
        integration.name = definition["name"]
        integration.description = definition.get("description") or ""
        integration.category = definition.get("category") or ""
        integration.labels = list(definition.get("labels") or [])
        integration.documentation = definition.get("documentation") or ""
        integration.has_unpublished_changes = True
        await repo.replace_flows(session, integration.id, None, flow_facts(definition))
        await repo.ensure_system_instance(session, integration)

    async def update(
        self,
        actor: Actor,
        global_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        category: str | None = None,
        labels: Sequence[str | None] | None = None,
        documentation: str | None = None,
        customer: str | None = None,
        icon_png: bytes | None = None,
        avatar_url: str | None = None,
    ) -> UpdateResult:
        """Change draft details; on a published version only labels may change."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        warnings: list[str] = []
        async with self._db.session() as session:
            record = await self.load_record(session, actor, global_id)
            if record.version is not None:
                if any(v is not None for v in (name, description, category, documentation)):
                    raise Conflict(
                        "published versions are immutable; only their labels can change",
                        field="id",
                        fix="edit the integration's draft and publish a new version",
                    )
                if labels is not None:
                    record.version.labels = clean_labels(labels)
                await session.commit()
                return UpdateResult(record, warnings)
            integration = record.integration
            definition = copy.deepcopy(integration.definition)
            if name is not None:
                definition["name"] = _require_name(name)
                if await repo.name_taken(
                    session, actor.organization_id, definition["name"], except_id=integration.id
                ):
                    raise Conflict(
                        f"an integration named {definition['name']!r} already exists",
                        field="name",
                        fix="choose another name",
                    )
            for key, value in (
                ("description", description),
                ("category", category),
                ("documentation", documentation),
            ):
                if value is not None:
                    definition[key] = value
            if labels is not None:
                definition["labels"] = clean_labels(labels)
            if customer is not None:
                integration.customer_id = await self._customer_pk(session, actor, customer)
            if avatar_url:
                icon_png = await media_content_for_url(session, actor, avatar_url)
            if icon_png is not None:
                warnings.extend(check_icon(icon_png))
                integration.icon_png = icon_png
            await self._store_draft(session, integration, definition)
            await session.commit()
            return UpdateResult(IntegrationRecord(integration), warnings)

    async def import_definition(
        self,
        actor: Actor,
        text: str,
        *,
        integration_id: str | None = None,
        replace: bool = False,
    ) -> IntegrationRecord:
        """Import YAML as a new integration, or as the new draft of ``integration_id``."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        definition = parse_checked(
            text, self._registry, max_bytes=self._settings.limits.definition_bytes
        )
        async with self._db.session() as session:
            if integration_id is None:
                integration = await self._insert(session, actor, definition)
            else:
                record = await self.load_record(
                    session, actor, integration_id, field="integrationId"
                )
                if record.version is not None:
                    raise Conflict(
                        "a published version cannot be replaced",
                        field="integrationId",
                        fix="import into the integration's ID, not a version's",
                    )
                integration = record.integration
                name = _require_name(definition.get("name"))
                if await repo.name_taken(
                    session, actor.organization_id, name, except_id=integration.id
                ):
                    raise Conflict(
                        f"an integration named {name!r} already exists",
                        field="name",
                        fix="rename the integration in the YAML",
                    )
                await self._store_draft(session, integration, definition)
            await session.commit()
            return IntegrationRecord(integration)

    async def fork(
        self, actor: Actor, parent: str, name: str, description: str | None
    ) -> IntegrationRecord:
        """A new integration whose draft copies the parent's draft or version."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        async with self._db.session() as session:
            source = await self.load_record(session, actor, parent, field="parent")
            definition = copy.deepcopy(source.definition)
            definition["name"] = _require_name(name)
            definition["description"] = description or ""
            integration = await self._insert(
                session,
                actor,
                definition,
                parent_id=source.integration.id,
            )
            integration.customer_id = source.integration.customer_id
            await session.commit()
            return IntegrationRecord(integration)

    async def delete(self, actor: Actor, global_id: str) -> IntegrationRecord:
        """Delete an integration with its versions, flows, attachments and instances."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        async with self._db.session() as session:
            record = await self.load_record(session, actor, global_id)
            if record.version is not None:
                raise Conflict(
                    "a single published version cannot be deleted",
                    field="id",
                    fix="mark it unavailable, or delete the whole integration by its ID",
                )
            await session.delete(record.integration)
            await session.commit()
            return record


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
