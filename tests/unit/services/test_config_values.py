"""Config value rules without a database: typing, defaults, required-ness and masking."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from splice.components.registry import Registry
from splice.errors import InvalidInput
from splice.services import config_values as rules
from splice.services.secrets import MASK, SecretBox

BOX = SecretBox([Fernet.generate_key()])
REGISTRY = Registry()
DEFINITION = {
    "requiredConfigVars": [
        {"key": "Count", "dataType": "number", "defaultValue": "2.5"},
        {"key": "Flag", "dataType": "boolean"},
        {"key": "Token", "dataType": "string", "meta": {"writeOnly": True}},
        {"key": "Legacy", "dataType": "credential"},
        {"key": "Pairs", "dataType": "string", "collectionType": "keyvaluelist"},
        {"key": "Picture", "dataType": "objectFieldMap"},
        {"key": "Note", "dataType": "htmlElement"},
    ]
}


def clean(key: str, value: str) -> rules.CleanValue | None:
    cv = next(c for c in rules.declared(DEFINITION) if c["key"] == key)
    return rules.validate(cv, rules.ConfigInput(key, value), REGISTRY, BOX)


def test_html_elements_hold_no_value() -> None:
    assert [cv["key"] for cv in rules.declared(DEFINITION)] == [
        "Count", "Flag", "Token", "Legacy", "Pairs", "Picture"
    ]  # fmt: skip


def test_runtime_values_are_typed_and_defaulted() -> None:
    stored = {
        "Token": clean("Token", "t0ken"),
        "Pairs": clean("Pairs", '[{"key": "a", "value": "1"}]'),
        "Picture": clean("Picture", '{"fields": []}'),
    }
    values = rules.runtime_values(DEFINITION, {k: v for k, v in stored.items() if v}, REGISTRY, BOX)
    assert values["Count"] == 2.5
    assert values["Flag"] is False
    assert values["Token"] == "t0ken"
    assert values["Pairs"] == [{"key": "a", "value": "1"}]
    assert values["Picture"] == {"fields": []}
    assert rules.missing_keys(DEFINITION, {}, REGISTRY, BOX) == [
        "Token", "Legacy", "Pairs", "Picture"
    ]  # fmt: skip


def test_write_only_and_credentials_are_encrypted_and_always_masked() -> None:
    for key in ("Token", "Legacy"):
        stored = clean(key, "s3cret")
        assert stored is not None and stored.value is not None
        assert "s3cret" not in stored.value
        cv = next(c for c in rules.declared(DEFINITION) if c["key"] == key)
        shown = rules.display_value(cv, stored, REGISTRY, BOX, reveal=True)
        assert shown.value == MASK


def test_empty_values_mean_the_default() -> None:
    assert clean("Count", "") is None


@pytest.mark.parametrize(("key", "value"), [("Count", "nan"), ("Count", "inf"), ("Flag", "1")])
def test_rejections_name_the_key(key: str, value: str) -> None:
    with pytest.raises(InvalidInput, match=f"config variable '{key}'"):
        clean(key, value)
