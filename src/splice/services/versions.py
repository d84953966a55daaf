"""Publishing and published versions: availability, marketplace, labels, templates, diff."""

from __future__ import annotations

import copy
import difflib
import json

from sqlalchemy import select

from splice import clock
from splice.components.registry import Registry
from splice.definition import dump, from_data, missing_components
from splice.errors import InvalidInput
from splice.services.authz import Actor, Permission, require
from splice.services.definitions import blocking_issues, flow_facts
from splice.services.integrations import IntegrationService, clean_labels
from splice.services.records import IntegrationRecord
from splice.store.db import Database
from splice.store.repositories import integrations as repo
from splice.store.tables import Integration, IntegrationVersion, User

__all__ = ["MARKETPLACE_CONFIGURATIONS", "TEMPLATE_VISIBILITIES", "VersionService"]

MARKETPLACE_CONFIGURATIONS = (
    "NOT_AVAILABLE_IN_MARKETPLACE",
    "AVAILABLE_NOT_DEPLOYABLE",
    "AVAILABLE_AND_DEPLOYABLE",
)
TEMPLATE_VISIBILITIES = ("none", "org", "embedded")
ATTRIBUTE_KEYS = ("commitHash", "commitUrl", "repoUrl", "pullRequestUrl")


class VersionService:
    """Use cases on published versions."""

    def __init__(self, db: Database, registry: Registry, integrations: IntegrationService) -> None:
        self._db = db
        self._registry = registry
        self._integrations = integrations

    async def publish(
        self, actor: Actor, global_id: str, comment: str | None, attributes: str | None = None
    ) -> IntegrationRecord:
        """Freeze the draft as version N+1; needs every component installed and no errors."""
        require(actor, Permission.PUBLISH_INTEGRATIONS)
        extra = _parse_attributes(attributes)
        async with self._db.session() as session:
            record = await self._integrations.load_record(session, actor, global_id)
            integration = record.integration
            model = from_data(integration.definition)
            missing = missing_components(model, self._registry)
            if missing:
                raise InvalidInput(
                    "cannot publish: components not installed: " + ", ".join(missing),
                    field="id",
                    fix="install the components, or remove the steps that use them",
                )
            issues = blocking_issues(model, self._registry)
            if issues:
                raise InvalidInput(
                    "cannot publish: " + "; ".join(issue.text for issue in issues),
                    field="id",
                    fix="fix the draft's definition first",
                )
            number = integration.latest_version_number + 1
            version = IntegrationVersion(
                integration_id=integration.id,
                version_number=number,
                name=integration.name,
                description=integration.description,
                category=integration.category,
                labels=list(integration.labels),
                documentation=integration.documentation,
                definition=copy.deepcopy(integration.definition),
                comment=comment or "",
                attributes=extra,
                published_by_id=actor.user_id,
                published_at=clock.now(),
            )
            session.add(version)
            await session.flush()
            await repo.replace_flows(
                session, integration.id, version.id, flow_facts(version.definition)
            )
            integration.latest_version_number = number
            integration.has_unpublished_changes = False
            await session.commit()
            publisher = await self._user(actor)
            return IntegrationRecord(integration, version, publisher)

    async def _user(self, actor: Actor) -> User | None:
        async with self._db.session() as session:
            return await session.get(User, actor.user_id)

    async def versions(
        self,
        actor: Actor,
        global_id: str,
        *,
        only_available: bool | None = None,
        first: int | None = None,
        descending: bool = True,
    ) -> list[IntegrationRecord]:
        """Published versions of the integration a (draft or version) ID belongs to."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            record = await self._integrations.load_record(session, actor, global_id)
            order = IntegrationVersion.version_number
            stmt = (
                select(IntegrationVersion, User)
                .outerjoin(User, User.id == IntegrationVersion.published_by_id)
                .where(IntegrationVersion.integration_id == record.integration.id)
                .order_by(order.desc() if descending else order.asc())
            )
            if only_available is not None:
                stmt = stmt.where(IntegrationVersion.is_available.is_(only_available))
            if first is not None:
                stmt = stmt.limit(max(first, 0))
            rows = (await session.execute(stmt)).all()
            return [IntegrationRecord(record.integration, v, u) for v, u in rows]

    async def _published(self, actor: Actor, global_id: str) -> IntegrationRecord:
        require(actor, Permission.PUBLISH_INTEGRATIONS)
        record = await self._integrations.get(actor, global_id)
        if record.version is None:
            raise InvalidInput(
                "this is an integration's draft, not a published version",
                field="id",
                fix="pass a version ID from 'integrations:versions ID -x'",
            )
        return record

    async def set_available(
        self, actor: Actor, global_id: str, available: bool
    ) -> IntegrationRecord:
        """Mark a version available (deployable) or unavailable."""
        return await self._change(actor, global_id, is_available=available)

    async def set_marketplace(
        self,
        actor: Actor,
        global_id: str,
        configuration: str | None,
        overview: str | None,
        allow_multiple: bool | None,
    ) -> IntegrationRecord:
        """Set how a version shows in the marketplace."""
        changes: dict[str, object] = {}
        if configuration is not None:
            if configuration not in MARKETPLACE_CONFIGURATIONS:
                raise InvalidInput(
                    f"unknown marketplace configuration {configuration!r}",
                    field="marketplaceConfiguration",
                    fix="use one of " + ", ".join(MARKETPLACE_CONFIGURATIONS),
                )
            changes["marketplace_configuration"] = configuration
        if overview is not None:
            changes["marketplace_overview"] = overview
        if allow_multiple is not None:
            changes["allow_multiple_marketplace_instances"] = allow_multiple
        return await self._change(actor, global_id, **changes)

    async def set_template(
        self, actor: Actor, global_id: str, visibility: str
    ) -> IntegrationRecord:
        """Offer a version as a template to org users, embedded designers too, or nobody."""
        visibility = visibility.lower()
        if visibility not in TEMPLATE_VISIBILITIES:
            raise InvalidInput(
                f"unknown template visibility {visibility!r}",
                field="templateVisibility",
                fix="use one of " + ", ".join(TEMPLATE_VISIBILITIES),
            )
        return await self._change(actor, global_id, template_visibility=visibility)

    async def set_labels(
        self, actor: Actor, global_id: str, labels: list[str | None]
    ) -> IntegrationRecord:
        """Replace a published version's labels."""
        return await self._change(actor, global_id, labels=clean_labels(labels))

    async def _change(self, actor: Actor, global_id: str, **changes: object) -> IntegrationRecord:
        record = await self._published(actor, global_id)
        assert record.version is not None
        async with self._db.session() as session:
            version = await session.get(IntegrationVersion, record.version.id)
            assert version is not None
            for key, value in changes.items():
                setattr(version, key, value)
            await session.commit()
            return IntegrationRecord(record.integration, version, record.published_by)

    async def templates(self, actor: Actor) -> list[IntegrationRecord]:
        """Versions offered as templates to this actor."""
        require(actor, Permission.READ)
        allowed = ("embedded",) if actor.is_customer_user else ("org", "embedded")
        async with self._db.session() as session:
            rows = (
                await session.execute(
                    select(Integration, IntegrationVersion)
                    .join(IntegrationVersion, IntegrationVersion.integration_id == Integration.id)
                    .where(
                        Integration.organization_id == actor.organization_id,
                        IntegrationVersion.template_visibility.in_(allowed),
                    )
                    .order_by(Integration.name, IntegrationVersion.version_number)
                )
            ).all()
            return [IntegrationRecord(i, v) for i, v in rows]

    async def diff(self, actor: Actor, base: str, head: str, *, context: int = 3) -> str:
        """A unified diff of two definitions' YAML (drafts or versions, any integrations)."""
        old = await self._integrations.get(actor, base)
        new = await self._integrations.get(actor, head)
        return "".join(
            difflib.unified_diff(
                dump(from_data(old.definition)).splitlines(keepends=True),
                dump(from_data(new.definition)).splitlines(keepends=True),
                fromfile=_label(old),
                tofile=_label(new),
                n=context,
            )
        )


def _label(record: IntegrationRecord) -> str:
    which = "draft" if record.version is None else f"version {record.version_number}"
    return f"{record.name} ({which})"


def _parse_attributes(attributes: str | None) -> dict[str, str]:
    if not attributes:
        return {}
    try:
        data = json.loads(attributes)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "attributes must be a JSON object", field="attributes", fix='e.g. {"commitHash":"abc"}'
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InvalidInput("attributes must be a JSON object of strings", field="attributes")
    unknown = set(data) - set(ATTRIBUTE_KEYS)
    if unknown:
        raise InvalidInput(
            "unknown attributes: " + ", ".join(sorted(unknown)),
            field="attributes",
            fix="use " + ", ".join(ATTRIBUTE_KEYS),
        )
    return data
