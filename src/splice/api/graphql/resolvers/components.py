"""Resolvers of components and their actions, read from the registry's manifests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ariadne import ObjectType

from splice import ids
from splice.api.graphql.resolvers.common import Info, ctx, list_connection, page_request, paging_in
from splice.components.manifest import ActionManifest, ComponentManifest
from splice.components.registry import Registry
from splice.errors import InvalidInput

__all__ = ["BINDABLES", "action_for_step"]

query = ObjectType("RootQuery")
component_type = ObjectType("Component")

# Built-in components have no rows; their IDs are derived from key and version so they are stable.
_NAMESPACE = uuid.UUID("6f1d3c3e-8a4b-4a7e-9a51-2b6c0f1e5d42")


def component_id(key: str, version: int) -> str:
    """The stable global ID of a component version."""
    return ids.encode("Component", uuid.uuid5(_NAMESPACE, f"{key}@{version}"))


def action_id(component_key: str, action_key: str) -> str:
    """The stable global ID of an action."""
    return ids.encode("Action", uuid.uuid5(_NAMESPACE, f"{component_key}.{action_key}"))


def shape_component(manifest: ComponentManifest) -> dict[str, Any]:
    """A component as the GraphQL ``Component`` type shows it."""
    return {
        "id": component_id(manifest.key, manifest.version),
        "key": manifest.key,
        "public": manifest.public,
        "label": manifest.label,
        "description": manifest.description,
        "versionNumber": manifest.version,
        "category": manifest.category,
        "versionCreatedAt": None,
        "customer": None,
        "signature": None,
        "manifest": manifest,
    }


def shape_action(manifest: ComponentManifest | None, action: ActionManifest) -> dict[str, Any]:
    """An action as the GraphQL ``Action`` type shows it."""
    component_key = manifest.key if manifest else ""
    return {
        "id": action_id(component_key, action.key),
        "key": action.key,
        "label": action.label,
        "description": action.description,
        "isTrigger": action.is_trigger,
        "isPollingTrigger": action.is_polling_trigger,
        "scheduleSupport": action.schedule_support,
        "component": shape_component(manifest) if manifest else None,
        "inputs": [
            {
                "key": spec.key,
                "label": spec.label,
                "type": spec.type,
                "required": spec.required,
                "default": None if spec.default is None else str(spec.default),
                "collection": spec.collection,
            }
            for spec in action.inputs
        ],
    }


def action_for_step(registry: Registry, step: dict[str, Any]) -> dict[str, Any]:
    """The Action of a definition step; a placeholder when its component is not installed."""
    action = step.get("action") or {}
    component_key = (action.get("component") or {}).get("key", "")
    action_key = action.get("key", "")
    manifest = registry.get(component_key)
    found = registry.get_action(component_key, action_key)
    if manifest is not None and found is not None:
        return shape_action(manifest, found)
    return {
        "id": action_id(component_key, action_key),
        "key": action_key,
        "label": action_key,
        "description": f"component '{component_key}' is not installed",
        "isTrigger": bool(step.get("isTrigger")),
        "isPollingTrigger": False,
        "scheduleSupport": "VALID" if step.get("schedule") else "INVALID",
        "component": {
            "id": component_id(component_key, 0),
            "key": component_key,
            "public": False,
            "label": component_key,
            "description": "not installed",
            "versionNumber": None,
            "category": None,
            "versionCreatedAt": None,
            "customer": None,
            "signature": None,
            "manifest": None,
        },
        "inputs": [],
    }


def _matches(manifest: ComponentManifest, filter_query: Any) -> bool:
    """Evaluate prism's ``["or", ["in","key",s], ["in","label",s]]`` filter (``in`` = substring)."""
    if filter_query is None:
        return True
    if not isinstance(filter_query, list) or not filter_query:
        raise InvalidInput("filterQuery must be a JSON list expression", field="filterQuery")
    op, *args = filter_query
    if op in ("or", "and"):
        results = [_matches(manifest, arg) for arg in args]
        return any(results) if op == "or" else all(results)
    if op in ("in", "eq") and len(args) == 2:
        field, needle = args
        value = str(getattr(manifest, field, "") or "")
        if op == "eq":
            return value == str(needle)
        return str(needle).lower() in value.lower()
    raise InvalidInput(f"unsupported filterQuery operator {op!r}", field="filterQuery")


@query.field("components")
def resolve_components(
    _: Any,
    info: Info,
    key: str | None = None,
    public: bool | None = None,
    filterQuery: Any = None,
    **args: Any,
) -> dict[str, Any]:
    registry = ctx(info).services.registry
    if isinstance(filterQuery, str):
        filterQuery = json.loads(filterQuery)
    manifests = [
        m
        for m in registry.manifests()
        if (key is None or m.key == key)
        and (public is None or m.public == public)
        and _matches(m, filterQuery)
    ]
    return list_connection(manifests, paging_in(args), shape_component, default=_PAGE)


_PAGE = 100
"""Components and actions per page when a query sets no size."""


@component_type.field("actions")
def resolve_actions(
    component: dict[str, Any],
    _: Info,
    isTrigger: bool | None = None,
    isDataSource: bool | None = None,
    **paging: Any,
) -> dict[str, Any]:
    manifest: ComponentManifest | None = component.get("manifest")
    if manifest is None or isDataSource:
        return list_connection([])
    actions = [
        shape_action(manifest, a)
        for a in manifest.actions
        if isTrigger is None or a.is_trigger == isTrigger
    ]
    return list_connection(actions, page_request(**paging), default=_PAGE)


BINDABLES = (query, component_type)
