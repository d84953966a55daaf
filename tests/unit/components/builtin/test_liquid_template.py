"""liquid-template.transform: the Slack block templates of the incident-monitoring export."""

from __future__ import annotations

import json

import pytest

from splice.components.builtin.liquid_template import COMPONENT
from splice.components.inputs import InputValueError
from splice.components.testing import invoke
from tests.unit.components.builtin import payloads


async def test_prompt_template_prints_data_as_compact_json() -> None:
    template = (
        "Generate a new incident alert for the on-call user.\nAlert Detected:\n {{ data | json }}"
    )
    alert = {"service": "checkout-api", "latency_ms": 2400, "tags": ["prod"]}
    result = await invoke(COMPONENT, "transform", {"data": alert, "liquidTemplate": template})
    assert result.endswith(' {"service":"checkout-api","latency_ms":2400,"tags":["prod"]}')


async def test_block_template_reads_top_level_keys_and_filters_and_yields_json() -> None:
    result = await invoke(
        COMPONENT,
        "transform",
        {
            "data": payloads.data("liquid-template", "alert.json"),
            "liquidTemplate": payloads.text("liquid-template", "approval-block.liquid"),
        },
    )
    blocks = json.loads(result)["blocks"]
    assert blocks[0]["text"]["text"] == "🚨 P1 Anomaly Detected"
    assert [f["text"] for f in blocks[1]["fields"]] == [
        "*Service:*\n`checkout-api`",
        "*Response Time:*\n`2400ms`",
        "*Rejection Reason:*\nFalse positive",
    ]


async def test_unknown_variables_render_empty_and_bad_syntax_fails() -> None:
    assert (
        await invoke(COMPONENT, "transform", {"data": {}, "liquidTemplate": "[{{ nope }}]"}) == "[]"
    )
    with pytest.raises(InputValueError, match="liquidTemplate"):
        await invoke(COMPONENT, "transform", {"data": {}, "liquidTemplate": "{% for x in %}"})


async def test_runaway_loops_are_stopped() -> None:
    template = "{% for a in (1..2000) %}{% for b in (1..2000) %}x{% endfor %}{% endfor %}"
    with pytest.raises(InputValueError, match="limit"):
        await invoke(COMPONENT, "transform", {"data": None, "liquidTemplate": template})
