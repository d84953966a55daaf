"""Management triggers: instanceDeploy flows run on deploy, instanceRemove flows before delete."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from tests.integration.runtime.conftest import Running


class Recorder(BaseHTTPRequestHandler):
    received: list[Any] = []  # noqa: RUF012 - one server per test, reset by the fixture

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        Recorder.received.append(json.loads(self.rfile.read(length) or b"null"))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: Any) -> None:
        return None


@pytest.fixture
def sink_url() -> Iterator[str]:
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/events"
    server.shutdown()
    server.server_close()


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


async def test_deploy_and_remove_flows_run(app: Running, sink_url: str) -> None:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { messages } } }",
        d=lifecycle_definition(sink_url),
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
        if Recorder.received:
            break
        await asyncio.sleep(0.05)
    assert Recorder.received == [{"event": "deployed", "instance": "Life"}]
    deleted = await app.gql(
        "mutation($id: ID!) { deleteInstance(input: {id: $id}) { instance { id } "
        "errors { field messages } } }",
        id=instance_id,
    )
    assert deleted["deleteInstance"]["errors"] == []
    assert Recorder.received[-1] == {"event": "removed", "instance": "Life"}
