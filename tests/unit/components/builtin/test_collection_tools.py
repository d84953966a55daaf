"""collection-tools: every action with inputs shaped as the exports send them."""

from __future__ import annotations

import json

import pytest

from splice.components.builtin import collection_tools
from splice.components.builtin._js import JsError, JsLimits, JsTimeout
from splice.components.inputs import InputValueError
from splice.components.testing import invoke
from tests.unit.components.builtin import payloads

SPEC = collection_tools.COMPONENT


async def test_add_key_sets_the_key_without_touching_the_input() -> None:
    run_result = {"finalOutput": "ok", "pendingApprovals": []}
    result = await invoke(
        SPEC,
        "addKey",
        {"object": run_result, "key": "agentConfig", "value": {"model": "gpt"}, "objectPath": ""},
    )
    assert result == {"finalOutput": "ok", "pendingApprovals": [], "agentConfig": {"model": "gpt"}}
    assert "agentConfig" not in run_result


async def test_add_key_at_an_object_path_creates_missing_objects() -> None:
    result = await invoke(
        SPEC, "addKey", {"object": '{"a": {"b": 1}}', "key": "c", "value": 2, "objectPath": "a.x"}
    )
    assert result == {"a": {"b": 1, "x": {"c": 2}}}
    with pytest.raises(InputValueError, match="objectPath"):
        await invoke(SPEC, "addKey", {"object": {"a": 1}, "key": "c", "objectPath": "a"})


async def test_add_multiple_keys_from_the_key_value_list() -> None:
    result = await invoke(
        SPEC,
        "addMultipleKeys",
        {
            "object": {"title": "Checkout latency"},
            "objectPath": "",
            "keyValueListInput": [{"key": "approvalRequest", "value": {"tool": "createIncident"}}],
            "dynamicFields": "",
        },
    )
    assert result == {"title": "Checkout latency", "approvalRequest": {"tool": "createIncident"}}


async def test_add_multiple_keys_dynamic_fields_win_over_the_list() -> None:
    result = await invoke(
        SPEC,
        "addMultipleKeys",
        {
            "object": {},
            "keyValueListInput": [{"key": "a", "value": 1}],
            "dynamicFields": '{"b": 2}',
        },
    )
    assert result == {"b": 2}


async def test_chunks_splits_comments_into_pages_of_fifty() -> None:
    comments = [{"id": i} for i in range(120)]
    result = await invoke(SPEC, "chunks", {"listInput": comments, "numberInput": "50"})
    assert [len(chunk) for chunk in result] == [50, 50, 20]
    assert result[2][0] == {"id": 100}
    with pytest.raises(InputValueError, match="numberInput"):
        await invoke(SPEC, "chunks", {"listInput": comments, "numberInput": "0"})


async def test_create_and_create_object() -> None:
    assert await invoke(SPEC, "create", {"items": ["a", 2, None]}) == ["a", 2, None]
    result = await invoke(
        SPEC,
        "createObject",
        {
            "keyValueInput": [
                {"key": "event", "value": "register"},
                {"key": "dropboxAccountId", "value": "dbid:AAH4f99"},
                {"key": "instanceChangesWebhookUrl", "value": "https://hooks.test/x"},
            ]
        },
    )
    assert result == {
        "event": "register",
        "dropboxAccountId": "dbid:AAH4f99",
        "instanceChangesWebhookUrl": "https://hooks.test/x",
    }


async def test_filter_runs_the_javascript_predicate() -> None:
    issues = [{"key": "A-1", "points": 3}, {"key": "A-2", "points": 8}, {"key": "A-3", "points": 5}]
    result = await invoke(
        SPEC,
        "filter",
        {"listInput": issues, "filterCodeInput": "(item, index) => item.points >= 5 && index > 0"},
    )
    assert [issue["key"] for issue in result] == ["A-2", "A-3"]


async def test_filter_without_a_function_keeps_everything() -> None:
    assert await invoke(SPEC, "filter", {"listInput": [1, 2], "filterCodeInput": ""}) == [1, 2]


async def test_flatten_last_and_length() -> None:
    pages = [[{"id": 1}, {"id": 2}], [{"id": 3}], {"id": 4}]
    assert await invoke(SPEC, "flatten", {"listInput": pages}) == [
        {"id": 1},
        {"id": 2},
        {"id": 3},
        {"id": 4},
    ]
    records = [
        {"Id": "001A", "CreatedDate": "2024-01-01"},
        {"Id": "001B", "CreatedDate": "2024-01-02"},
    ]
    assert await invoke(SPEC, "last", {"listInput": records}) == records[1]
    assert await invoke(SPEC, "last", {"listInput": []}) is None
    assert await invoke(SPEC, "length", {"listInput": records}) == 2


async def test_map_updates_approval_requests_with_the_context() -> None:
    result = await invoke(
        SPEC,
        "map",
        {
            "listInput": payloads.data("collection-tools", "pending-approvals.json"),
            "transformCodeInput": payloads.text("collection-tools", "update-approval-transform.js"),
            "filterCodeInput": "(item, index) => { return true; }",
            "contextInput": "true",
        },
    )
    assert result == [
        {"tool": "createIncident", "title": "Checkout latency", "priority": "P1", "approved": True},
        {"tool": "pageOnCall", "title": "Checkout latency", "priority": "P1", "approved": True},
    ]


async def test_map_filters_before_transforming() -> None:
    result = await invoke(
        SPEC,
        "map",
        {
            "listInput": [1, 2, 3, 4],
            "filterCodeInput": "(n) => n % 2 === 0",
            "transformCodeInput": "async (n, i, ctx) => `${ctx.prefix}${i}:${n * 10}`",
            "contextInput": {"prefix": "#"},
        },
    )
    assert result == ["#0:20", "#1:40"]


async def test_map_refuses_a_non_function_and_stops_runaway_code() -> None:
    with pytest.raises(JsError, match="transformCodeInput is not a function"):
        await invoke(SPEC, "map", {"listInput": [1], "transformCodeInput": "42"})
    tight = collection_tools.make_component(limits=JsLimits(timeout_s=0.3))
    with pytest.raises(JsTimeout):
        await invoke(
            tight, "filter", {"listInput": [1], "filterCodeInput": "() => { for (;;) {} }"}
        )


async def test_validate_json_schema_accepts_a_matching_company() -> None:
    company = {
        "name": "Acme",
        "website": "acme.test",
        "country": "NL",
        "numberofemployees": "12",
        "annualrevenue": "1000000",
        "id": "42",
    }
    schema = payloads.text("collection-tools", "hubspot-company-schema.json")
    result = await invoke(
        SPEC, "validateJsonSchema", {"jsonInput": json.dumps(company), "jsonSchema": schema}
    )
    assert result is True


async def test_validate_json_schema_fails_listing_every_violation() -> None:
    schema = payloads.text("collection-tools", "hubspot-company-schema.json")
    with pytest.raises(ValueError, match=r"2 errors.*'country' is a required property") as caught:
        await invoke(
            SPEC,
            "validateJsonSchema",
            {
                "jsonInput": {
                    "name": "Acme",
                    "website": 7,
                    "numberofemployees": "1",
                    "annualrevenue": "1",
                    "id": "1",
                },
                "jsonSchema": schema,
            },
        )
    assert "$.website: 7 is not of type 'string'" in str(caught.value)


async def test_validate_json_schema_refuses_a_broken_schema() -> None:
    with pytest.raises(InputValueError, match="jsonSchema"):
        await invoke(SPEC, "validateJsonSchema", {"jsonInput": "{}", "jsonSchema": '{"type": 5}'})


@pytest.mark.parametrize("action", ["length", "last", "flatten"])
@pytest.mark.parametrize("value", [{"a": 1}, '{"a": [1, 2]}'])
async def test_list_actions_refuse_an_object(action: str, value: object) -> None:
    with pytest.raises(InputValueError, match="input 'listInput' expects a list, got an object"):
        await invoke(SPEC, action, {"listInput": value})
