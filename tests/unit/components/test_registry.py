"""The registry: explicit built-ins, lookups, no duplicates, entry points."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from splice.components import registry as registry_module
from splice.components.builtin import BUILTINS
from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest
from splice.components.registry import Registry

EXTRA = ComponentManifest(
    key="acme",
    version=2,
    label="Acme",
    actions=(
        ActionManifest("ping", "Ping", inputs=(InputManifest("host", "Host", required=True),)),
    ),
)


def test_builtins_are_registered_and_sorted() -> None:
    registry = Registry.with_builtins()
    keys = [m.key for m in registry.manifests()]
    assert keys == sorted(keys)
    assert len(keys) == len(BUILTINS) == len(set(keys))
    for key in ("http", "loop", "branch", "code", "webhook-triggers", "prismatic", "persist-data"):
        assert key in registry


def test_each_registry_is_independent() -> None:
    first, second = Registry.with_builtins(), Registry.with_builtins()
    first.add(EXTRA)
    assert first.get("acme") is EXTRA
    assert second.get("acme") is None


def test_get_and_get_action() -> None:
    registry = Registry.with_builtins()
    http = registry.get("http")
    assert http is not None and http.key == "http"
    get = registry.get_action("http", "httpGet")
    assert get is not None and get.input("url") is not None and get.required_inputs == ("url",)
    assert registry.get_action("http", "webhook") is None
    assert registry.get_action("nope", "httpGet") is None
    assert registry.get("nope") is None


def test_versions_latest_by_default() -> None:
    registry = Registry([EXTRA, dataclasses.replace(EXTRA, version=1, label="Old")])
    latest = registry.get("acme")
    assert latest is not None and latest.version == 2
    old = registry.get("acme", 1)
    assert old is not None and old.label == "Old"
    assert [m.version for m in registry.manifests()] == [1, 2]


def test_duplicate_registration_is_refused() -> None:
    registry = Registry([EXTRA])
    with pytest.raises(ValueError, match="already registered"):
        registry.add(EXTRA)


def test_manifests_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EXTRA.key = "other"  # type: ignore[misc]


class _Point:
    def __init__(self, name: str, obj: Any) -> None:
        self.name, self.value, self._obj = name, f"pkg:{name}", obj

    def load(self) -> Any:
        if isinstance(self._obj, Exception):
            raise self._obj
        return self._obj


def test_load_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    holder = type("Component", (), {"manifest": dataclasses.replace(EXTRA, key="held")})()
    points = [
        _Point("acme", EXTRA),
        _Point(
            "many", [dataclasses.replace(EXTRA, key="m1"), dataclasses.replace(EXTRA, key="m2")]
        ),
        _Point("held", holder),
        _Point("broken", ImportError("no module")),
        _Point("wrong", 42),
    ]
    seen: list[str] = []

    def fake_entry_points(*, group: str) -> list[_Point]:
        seen.append(group)
        return points

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    registry = Registry.with_builtins()
    added = registry.load_entry_points()
    assert seen == ["splice.components"]
    assert added == ["acme", "m1", "m2", "held"]
    assert registry.get_action("acme", "ping") is not None
    assert registry.get("http") is not None
