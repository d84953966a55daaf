"""Small definitions for runtime tests (core components only)."""

from __future__ import annotations

import yaml


def definition(
    name: str,
    *,
    synchronous: bool = False,
    fail: bool = False,
    trigger_inputs: dict[str, object] | None = None,
    answer_headers: list[dict[str, object]] | None = None,
) -> str:
    """Two flows: one logging and echoing its body, one failing at its second step.

    ``trigger_inputs`` are the webhook trigger's (its async response); ``answer_headers`` the
    complex value of the answering step's headers."""
    steps: list[dict[str, object]] = [
        {
            "name": "Echo Trigger",
            "isTrigger": True,
            "action": {
                "key": "webhook",
                "component": {"key": "webhook-triggers", "version": "LATEST", "isPublic": True},
            },
            "inputs": dict(trigger_inputs or {}),
        },
        {
            "name": "Say Hello",
            "action": {
                "key": "writeLog",
                "component": {"key": "log", "version": "LATEST", "isPublic": True},
            },
            "inputs": {
                "level": {"type": "value", "value": "info"},
                "message": {
                    "type": "template",
                    "value": "hello {{$echoTrigger.results.body.data.name}}",
                },
            },
        },
        {
            "name": "Answer",
            "action": {
                "key": "stopExecution",
                "component": {"key": "stop-execution", "version": "LATEST", "isPublic": True},
            },
            "inputs": {
                "statusCode": {"type": "value", "value": "201"},
                "contentType": {"type": "value", "value": "application/json"},
                "jsonBody": {
                    "type": "template",
                    "value": '{"hello": "{{$echoTrigger.results.body.data.name}}"}',
                },
                "headers": {"type": "complex", "value": list(answer_headers or [])},
            },
        },
    ]
    if fail:
        steps[1] = {
            "name": "Say Hello",
            "action": {
                "key": "httpGet",
                "component": {"key": "http", "version": "LATEST", "isPublic": True},
            },
            "inputs": {"url": {"type": "value", "value": "http://127.0.0.1:9/closed-port"}},
        }
    document = {
        "definitionVersion": 7,
        "name": name,
        "description": "",
        "category": "",
        "endpointType": "flow_specific",
        "requiredConfigVars": [],
        "configPages": [],
        "flows": [
            {
                "name": "Echo",
                "description": "",
                "isSynchronous": synchronous,
                "endpointSecurityType": "unsecured",
                "steps": steps,
            }
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)
