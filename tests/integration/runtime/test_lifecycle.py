"""Management triggers: instanceDeploy flows run on deploy, instanceRemove flows before delete."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.integration.runtime.conftest import Running
from tests.integration.runtime.recorder import Recorder, recording_server


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with recording_server() as server:
        yield server


def lifecycle_definition(url: str) -> str:
    def flow(name: str, trigger: str, message: str) -> dict[str, Any]:
        return {
            "name": name,
            "steps": [
                {
                    "name": f"{name} Trigger",
                    "isTrigger": True,
                    "action": {"key": trigger, "component": {"key": "management-triggers"}},
                    "inputs": {},
                },
                {
                    "name": "Tell",
                    "action": {"key": "httpPost", "component": {"key": "http"}},
                    "inputs": {
                        "url": {"type": "value", "value": url},
                        "data": {
                            "type": "template",
                            "value": '{"event": "' + message + '", '
                            '"instance": "{{$' + name.lower() + 'Trigger.results.instance.name}}"}',
                        },
                        "responseType": {"type": "value", "value": "json"},
                    },
                },
            ],
        }

    return yaml.safe_dump(
        {
            "definitionVersion": 7,
            "name": "Lifecycle",
            "flows": [
                flow("Deployed", "instanceDeploy", "deployed"),
                flow("Removed", "instanceRemove", "removed"),
            ],
        }
    )


async def test_deploy_and_remove_flows_run(app: Running, recorder: Recorder) -> None:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { messages } } }",
        d=lifecycle_definition(recorder.url + "/events"),
    )
    integration_id = data["importIntegration"]["integration"]["id"]
    published = await app.gql(
        "mutation($id: ID!) { publishIntegration(input: {id: $id}) { integration { id } "
        "errors { messages } } }",
        id=integration_id,
    )
    version_id = published["publishIntegration"]["integration"]["id"]
    customer = await app.gql(
        'mutation { createCustomer(input: {name: "Life Co"}) { customer { id } } }'
    )
    created = await app.gql(
        'mutation($v: ID!, $c: ID!) { createInstance(input: {name: "Life", integration: $v, '
        "customer: $c}) { instance { id } errors { field messages } } }",
        v=version_id,
        c=customer["createCustomer"]["customer"]["id"],
    )
    instance_id = created["createInstance"]["instance"]["id"]
    deployed = await app.gql(
        "mutation($id: ID!) { deployInstance(input: {id: $id}) { instance { id } "
        "errors { field messages } } }",
        id=instance_id,
    )
    assert deployed["deployInstance"]["errors"] == []
    for _ in range(200):
        if recorder.requests:
            break
        await asyncio.sleep(0.05)
    assert [json.loads(r.body) for r in recorder.requests] == [
        {"event": "deployed", "instance": "Life"}
    ]
    deleted = await app.gql(
        "mutation($id: ID!) { deleteInstance(input: {id: $id}) { instance { id } "
        "errors { field messages } } }",
        id=instance_id,
    )
    assert deleted["deleteInstance"]["errors"] == []
    assert json.loads(recorder.requests[-1].body) == {"event": "removed", "instance": "Life"}
