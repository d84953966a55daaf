"""Routing fields of instance-specific and shared endpoints: parsing, lookup and validation."""

from __future__ import annotations

import pytest

from splice.components.registry import Registry
from splice.definition import load, validate
from splice.definition.routing import FieldPath, field_path, lookup
from tests.unit.definition.corpus import FIXTURES

REGISTRY = Registry.with_builtins()
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def texts(endpoint: str, *extra: str) -> list[str]:
    return texts_of(MINIMAL, endpoint, *extra)


def texts_of(document: str, endpoint: str, *extra: str) -> list[str]:
    text = document.replace("endpointType: flow_specific", f"endpointType: {endpoint}")
    text = text.replace('category: ""', 'category: ""\n' + "\n".join(extra))
    return [issue.text for issue in validate(load(text), REGISTRY)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("payload.results.headers.x-acme-flow", FieldPath("payload", ("headers", "x-acme-flow"))),
        ("headers.x-acme-flow", FieldPath(None, ("headers", "x-acme-flow"))),
        ("onExecution.results.flowName", FieldPath("onExecution", ("flowName",))),
        ("results.body.data.event", FieldPath(None, ("body", "data", "event"))),
    ],
)
def test_field_path_splits_source_and_path(value: str, expected: FieldPath) -> None:
    assert field_path(value) == expected


def test_lookup_walks_dicts_and_lists_and_ignores_header_case() -> None:
    request = {
        "headers": {"x-acme-flow": "Orders"},
        "body": {"data": {"items": [{"kind": "a"}, {"kind": "b"}]}},
    }
    assert lookup(request, ("headers", "X-Acme-Flow")) == "Orders"
    assert lookup(request, ("body", "data", "items", "1", "kind")) == "b"
    assert lookup(request, ("body", "data", "Items")) is None
    assert lookup(request, ("body", "data", "items", "7")) is None
    assert lookup(request, ("queryParameters", "flow")) is None


def test_instance_specific_needs_flow_name_field() -> None:
    found = texts("instance_specific")
    assert any(t.startswith("endpointType instance_specific needs flowNameField") for t in found)
    assert not any("externalCustomerIdField" in t for t in found)
    fine = texts(
        "instance_specific", "flowNameField: {type: reference, value: payload.results.headers.x}"
    )
    assert fine == []


def test_shared_needs_the_customer_field_too() -> None:
    found = texts(
        "shared_instance", "flowNameField: {type: reference, value: payload.results.headers.x}"
    )
    assert len(found) == 1
    assert "needs externalCustomerIdField" in found[0]


def test_field_paths_must_point_into_the_request() -> None:
    found = texts(
        "instance_specific", "flowNameField: {type: reference, value: payload.results.flow}"
    )
    assert len(found) == 1
    assert found[0].startswith("flowNameField: 'payload.results.flow' does not point into")


def test_a_config_var_is_not_a_routing_field() -> None:
    found = texts("instance_specific", "flowNameField: {type: configVar, value: Flow}")
    assert any("flowNameField: must be a reference" in t for t in found)


def test_preprocess_flow_and_request_paths_are_not_mixed() -> None:
    found = texts(
        "instance_specific",
        "preprocessFlowName: Forward Payload",
        "flowNameField: {type: reference, value: payload.results.headers.x-flow}",
    )
    assert len(found) == 1
    assert "two routing mechanisms" in found[0]
    assert "flowNameField" in found[0]


def test_preprocess_flow_must_exist() -> None:
    found = texts(
        "instance_specific",
        "preprocessFlowName: Router",
        "flowNameField: {type: reference, value: onExecution.results.flow}",
    )
    assert found == [
        "preprocessFlowName 'Router' names no flow "
        "(use the name of one of the flows: 'Forward Payload')"
    ]


def test_routing_settings_on_a_flow_specific_integration_are_a_warning() -> None:
    text = MINIMAL.replace(
        'category: ""',
        'category: ""\nflowNameField: {type: reference, value: payload.results.headers.x}',
    )
    (issue,) = validate(load(text), REGISTRY)
    assert issue.severity == "warning"
    assert "only apply to instance_specific and shared_instance" in issue.message


def test_spectral_keys_allow_one_preprocess_flow_and_one_mechanism() -> None:
    two_marked = MINIMAL.replace(
        "  - name: Forward Payload\n",
        "  - name: Forward Payload\n    preprocessFlowConfig: {flowNameField: flow}\n",
    )
    second = two_marked[two_marked.index("  - name: Forward Payload") :].replace(
        "Forward Payload", "Second Router"
    )
    found = texts_of(
        two_marked + second,
        "instance_specific",
        "preprocessFlowName: Forward Payload",
        "flowNameField: {type: reference, value: onExecution.results.flow}",
    )
    assert any(
        "more than one preprocess flow: 'Forward Payload', 'Second Router'" in t for t in found
    )
    both = texts(
        "instance_specific",
        "preprocessFlowName: Forward Payload",
        "triggerPreprocessFlowConfig: {flowNameField: headers.x-flow}",
        "flowNameField: {type: reference, value: onExecution.results.flow}",
    )
    assert len(both) == 1 and "two routing mechanisms" in both[0]
