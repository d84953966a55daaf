"""Built-in manifests against the spec and the corpus: every input key an export uses exists, and
every required input is one that every export supplies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from splice.components.builtin import BUILTINS
from splice.components.registry import Registry
from tests.unit.definition.corpus import exports

REGISTRY = Registry.with_builtins()
CORE = {m.key for m in BUILTINS}


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps or []:
        yield step
        yield from _steps(step.get("steps") or [])
        for branch in step.get("branches") or []:
            yield from _steps(branch.get("steps") or [])


def _core_steps() -> dict[tuple[str, str], list[tuple[str, set[str]]]]:
    """(component, action) -> [(where, input keys)] over every core step of every export."""
    found: dict[tuple[str, str], list[tuple[str, set[str]]]] = defaultdict(list)
    for path in exports():
        data = yaml.safe_load(path.read_bytes())
        for flow in data["flows"]:
            for step in _steps(flow["steps"]):
                key = (step["action"]["component"]["key"], step["action"]["key"])
                if key[0] in CORE:
                    where = f"{path.name}: {flow['name']} / {step['name']}"
                    found[key].append((where, set(step.get("inputs") or {})))
    return found


CORE_STEPS = _core_steps()


def test_corpus_has_core_steps() -> None:
    if not exports():
        pytest.skip("conformance corpus not found")
    assert len(CORE_STEPS) > 40


@pytest.mark.parametrize("pair", sorted(CORE_STEPS), ids=".".join)
def test_export_inputs_exist_and_required_ones_are_always_supplied(pair: tuple[str, str]) -> None:
    action = REGISTRY.get_action(*pair)
    assert action is not None, f"{pair} used by exports is missing from the manifests"
    declared = {spec.key for spec in action.inputs}
    for where, keys in CORE_STEPS[pair]:
        assert keys <= declared, f"{where}: undeclared inputs {keys - declared}"
        assert set(action.required_inputs) <= keys, f"{where}: lacks a required input"


def test_http_methods_share_the_core_inputs() -> None:
    http = REGISTRY.get("http")
    assert http is not None
    common = {spec.key for spec in http.action("httpGet").inputs}  # type: ignore[union-attr]
    assert {"url", "connection", "headers", "queryParams", "responseType", "timeout"} <= common
    for key in ("httpPost", "httpPut", "httpPatch", "httpDelete", "httpPostFormData", "rawRequest"):
        action = http.action(key)
        assert action is not None and common <= {spec.key for spec in action.inputs}


def test_prismatic_component_offers_the_seed_actions() -> None:
    prismatic = REGISTRY.get("prismatic")
    assert prismatic is not None
    assert {a.key for a in prismatic.actions} == {
        "deployInstance", "disableInstnce", "getCurrentUser", "getCustomer", "getExecution",
        "getInstance", "getIntegration", "importIntegration", "listComponents", "listCustomers",
        "listFlows", "listInstances", "listIntegrations", "publishIntegration", "rawRequest",
        "testFlow", "updateInstance", "updateIntegration",
    }  # fmt: skip
    assert prismatic.connection("apiKey") is not None


def test_triggers_and_branching_flags() -> None:
    triggers = {(m.key, a.key) for m in BUILTINS for a in m.actions if a.is_trigger}
    assert triggers == {
        ("webhook-triggers", "webhook"),
        ("schedule-triggers", "schedule"),
        ("management-triggers", "instanceDeploy"),
        ("management-triggers", "instanceRemove"),
        ("cross-flow", "crossFlow"),
        ("recursive-flow", "recursiveTrigger"),
    }
    schedule = REGISTRY.get_action("schedule-triggers", "schedule")
    assert schedule is not None and schedule.schedule_support == "REQUIRED"
    for key in ("branchOnExpression", "branchOnValue"):
        action = REGISTRY.get_action("branch", key)
        assert action is not None and action.branching and action.dynamic_branches


def test_keys_and_labels_are_unique_and_set() -> None:
    for manifest in BUILTINS:
        keys = [a.key for a in manifest.actions]
        assert len(keys) == len(set(keys)), manifest.key
        for action in manifest.actions:
            assert action.label and action.description, (manifest.key, action.key)
            inputs = [spec.key for spec in action.inputs]
            assert len(inputs) == len(set(inputs)), (manifest.key, action.key)


def test_code_data_source_for_json_forms() -> None:
    code = REGISTRY.get("code")
    assert code is not None and code.data_source("runCodeJsonForm") is not None
