"""Input resolution: every input type, reference forms, templates and complex shapes."""

from __future__ import annotations

from typing import Any

import pytest

from splice.engine.references import parse_reference, walk
from tests.unit.engine.helpers import ECHO, echo_step, flow, run

DATA = {
    "items": [{"id": 7, "name": "a"}, {"id": 8, "name": "b"}],
    "webhookUrls": {"Process Changes": "https://x.test/pc"},
    "nested": {"deep": {"list": [[1, 2], [3, 4]]}},
    "flag": True,
    "ratio": 2.0,
    "text": "hello",
}


async def resolve(
    inputs: str, *, data: Any = DATA, config_vars: dict[str, Any] | None = None
) -> Any:
    result, sink = await run(
        flow(echo_step("Echo", inputs)), data, extra=[ECHO], config_vars=config_vars
    )
    assert result.status == "succeeded", result.error
    return sink.by_path()["echo"].data


async def test_value_is_the_literal_string_even_with_braces() -> None:
    got = await resolve(
        "a: {type: value, value: '{{ data | json }}'}\nb: {type: value, value: 'false'}"
    )
    assert got["a"] == "{{ data | json }}"
    assert got["b"] == "false"


async def test_missing_inputs_get_manifest_defaults_or_none() -> None:
    got = await resolve("a: {type: value, value: x}")
    assert got["withDefault"] == "dflt"
    assert got["values"] is None
    assert got["pairs"] is None


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("trigger.results.body.data.text", "hello"),
        ("trigger.results.body.data.items.1.name", "b"),
        ("trigger.results.body.data.items[0].id", 7),
        ('trigger.results.body.data.items[1]["name"]', "b"),
        ("trigger.results.body.data.nested.deep.list.1.0", 3),
        ("trigger.results.body.data.nested.deep.list[1][1]", 4),
        ("trigger.results.body.data.webhookUrls.Process Changes", "https://x.test/pc"),
        ("trigger.results.headers.X-Shopify-Topic", "orders/create"),
        ("trigger.results.headers.x-shopify-topic", "orders/create"),
        ("trigger.results.body.data.items.9.name", None),
        ("trigger.results.body.data.missing.deeper", None),
        ("trigger.results.body.data.text.more", None),
        ("trigger.results.body.data.items.length", 2),
        ("nowhere.results", None),
        ("trigger.results.body.data.flag", True),
    ],
)
async def test_reference_forms(reference: str, expected: Any) -> None:
    result, sink = await run(
        flow(echo_step("Echo", f"r: {{type: reference, value: '{reference}'}}")),
        DATA,
        extra=[ECHO],
        headers={"X-Shopify-Topic": "orders/create"},
    )
    assert result.status == "succeeded"
    assert sink.by_path()["echo"].data["r"] == expected


def test_parse_reference_caches_and_splits() -> None:
    ref = parse_reference("loopOverItems.currentItem.a[0].b c")
    assert (ref.step, ref.root) == ("loopOverItems", "currentItem")
    assert ref.path == (("a", None), ("0", 0), ("b c", None))
    assert parse_reference("loopOverItems.currentItem.a[0].b c") is ref
    assert parse_reference("x").root == "results"
    assert walk({"a": {"0": "zero"}}, parse_reference("s.results.a.0").path) == "zero"


async def test_config_vars_and_empty_config_var() -> None:
    got = await resolve(
        "a: {type: configVar, value: Acme API Endpoint}\n"
        "b: {type: configVar, value: ''}\n"
        "c: {type: configVar, value: Connection}\n"
        "d: {type: configVar, value: Unset}",
        config_vars={
            "Acme API Endpoint": "https://acme.test",
            "Connection": {"fields": {"k": 1}},
            "Unset": "",
        },
    )
    assert got["a"] == "https://acme.test"
    assert got["b"] is None
    assert got["c"] == {"fields": {"k": 1}}
    assert got["d"] is None


async def test_templates() -> None:
    got = await resolve(
        "a: {type: template, value: '{{$trigger.results.body.data.items.0.id}}.fifo'}\n"
        "b: {type: template, value: '/drives/{{#Drive}}/root?token={{$trigger.results.body.data.text}}'}\n"
        "c: {type: template, value: 'Analyze: {{$trigger.results.body.data.nested}}'}\n"
        "d: {type: template, value: 'none {{$trigger.results.body.data.missing}}|"
        "{{$trigger.results.body.data.flag}}|{{$trigger.results.body.data.ratio}}'}\n"
        "e: {type: template, value: 'literal {{ liquid }} stays'}\n"
        "f: {type: template, value: ''}\n"
        "g: {type: template, value: 'LIMIT {{#Page Size}}'}",
        config_vars={"Drive": "D1", "Page Size": 50},
    )
    assert got["a"] == "7.fifo"
    assert got["b"] == "/drives/D1/root?token=hello"
    assert got["c"] == 'Analyze: {"deep": {"list": [[1, 2], [3, 4]]}}'
    assert got["d"] == "none |true|2"
    assert got["e"] == "literal {{ liquid }} stays"
    assert got["f"] == ""
    assert got["g"] == "LIMIT 50"


async def test_complex_shapes() -> None:
    got = await resolve(
        """
        values:
          type: complex
          value:
            - {type: reference, value: trigger.results.body.data.items.0.id}
            - {type: value, value: "1"}
            - {type: template, value: "t-{{$trigger.results.body.data.text}}"}
        pairs:
          type: complex
          value:
            - name: {type: value, value: X-Batch}
              type: reference
              value: trigger.results.body.data.items.1.id
            - name: Accept
              type: value
              value: application/json
            - name: {type: reference, value: trigger.results.body.data.text}
              type: configVar
              value: Drive
        empty: {type: complex, value: []}
        conditions:
          type: complex
          value:
            - name: Is Big
              type: complex
              value:
                - and
                - - greaterThan
                  - {type: reference, value: trigger.results.body.data.items.0.id}
                  - {type: value, value: "10"}
                - [exists, {type: configVar, value: Drive}]
        """,
        config_vars={"Drive": "D1"},
    )
    assert got["values"] == [7, "1", "t-hello"]
    assert got["pairs"] == [
        {"key": "X-Batch", "value": 8},
        {"key": "Accept", "value": "application/json"},
        {"key": "hello", "value": "D1"},
    ]
    assert got["empty"] == []
    assert got["conditions"] == [
        {"key": "Is Big", "value": ["and", ["greaterThan", 7, "10"], ["exists", "D1"]]}
    ]


async def test_loop_references_inside_and_results_after() -> None:
    steps = """
    - name: Loop Over Items
      action: {key: loopOverItems, component: {key: loop, version: LATEST}}
      inputs: {items: {type: reference, value: trigger.results.body.data.items}}
      steps:
        - name: Inner
          action: {key: echo, component: {key: echo, version: LATEST}}
          inputs:
            item: {type: reference, value: loopOverItems.currentItem}
            name: {type: reference, value: loopOverItems.currentItem.name}
            index: {type: reference, value: loopOverItems.index}
    - name: After
      action: {key: echo, component: {key: echo, version: LATEST}}
      inputs:
        all: {type: reference, value: loopOverItems.results}
        gone: {type: reference, value: loopOverItems.currentItem}
        inner: {type: reference, value: inner.results.name}
    """
    result, sink = await run(flow(steps), DATA, extra=[ECHO])
    assert result.status == "succeeded", result.error
    steps_by_path = sink.by_path()
    assert steps_by_path["loopOverItems[1].inner"].data["name"] == "b"
    assert steps_by_path["loopOverItems[1].inner"].data["index"] == 1
    assert steps_by_path["loopOverItems[0].inner"].data["item"] == {"id": 7, "name": "a"}
    after = steps_by_path["after"].data
    assert [r["index"] for r in after["all"]] == [0, 1]
    assert after["gone"] is None
    assert after["inner"] == "b"


async def test_unknown_input_types_pass_their_value_through() -> None:
    got = await resolve(
        "a: {type: dataSource, value: Picker}\nb: {type: scopedConfigVar, value: X}"
    )
    assert (got["a"], got["b"]) == ("Picker", "X")
