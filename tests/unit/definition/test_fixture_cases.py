"""The negative fixtures in tests/fixtures/definitions give the specific error they are named for."""

from __future__ import annotations

import pytest

from splice.components.registry import Registry
from splice.definition import load, validate
from splice.errors import DefinitionError
from tests.unit.definition.corpus import FIXTURES

REGISTRY = Registry.with_builtins()


def _errors(name: str) -> list[str]:
    model = load((FIXTURES / name).read_bytes())
    return [i.text for i in validate(model, REGISTRY) if i.severity == "error"]


def test_duplicate_step_keys_fixture() -> None:
    (text,) = _errors("duplicate-step-keys.yaml")
    assert "steps 'POST Request' and 'Post-Request' share the step key postRequest" in text


def test_dangling_reference_fixture() -> None:
    (text,) = _errors("dangling-reference.yaml")
    assert text.startswith("Flow 'Forward Payload', step 'POST Request', input 'data':")
    assert "'trigger.results.body'" in text


def test_missing_config_var_fixture() -> None:
    found = _errors("missing-config-var.yaml")
    assert len(found) == 3
    assert any("input 'url': config variable 'Base URL' is not declared" in t for t in found)
    assert any("input 'connection': config variable 'Acme Connection'" in t for t in found)
    assert any("config page 'Settings' shows config variable 'Api Key'" in t for t in found)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("malformed.yaml", "line 7, column"),
        ("alias-bomb.yaml", "aliases expand to more than"),
    ],
)
def test_unloadable_fixtures(name: str, needle: str) -> None:
    with pytest.raises(DefinitionError) as info:
        load((FIXTURES / name).read_bytes())
    assert needle in info.value.message
