"""Implementing a component must not change what it declares: keys, labels, inputs, defaults.

manifests.json is the manifest-only declaration each module had before it got its SDK
implementation (its keys are the ones the exports use).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from splice.components.builtin import (
    change_data_format,
    code,
    collection_tools,
    csv,
    datetime,
    hash,
    http,
    liquid_template,
    math,
    messagepack,
    python_code,
    sleep,
    text_manipulation,
)
from splice.components.sdk import ComponentSpec

BEFORE = json.loads((Path(__file__).parent / "manifests.json").read_text())
SPECS = {
    spec.key: spec
    for spec in (
        change_data_format.COMPONENT,
        code.COMPONENT,
        collection_tools.COMPONENT,
        csv.COMPONENT,
        datetime.COMPONENT,
        http.COMPONENT,
        liquid_template.COMPONENT,
        math.COMPONENT,
        messagepack.COMPONENT,
        sleep.COMPONENT,
        text_manipulation.COMPONENT,
    )
}


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_manifest_is_unchanged_and_every_action_is_implemented(key: str) -> None:
    spec: ComponentSpec = SPECS[key]
    assert json.loads(json.dumps(dataclasses.asdict(spec.manifest))) == BEFORE[key]
    for action in spec.manifest.actions:
        assert spec.function(action.key) is not None, f"{key}.{action.key} has no function"


@pytest.mark.parametrize("spec", [hash.COMPONENT, python_code.COMPONENT], ids=lambda s: s.key)
def test_splice_additions_implement_every_action(spec: ComponentSpec) -> None:
    assert spec.manifest.actions
    for action in spec.manifest.actions:
        assert spec.function(action.key) is not None, f"{spec.key}.{action.key} has no function"
