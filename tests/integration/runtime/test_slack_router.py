"""The real ``slack-interactivity-router.yaml`` export, unmodified, through the server.

Registration stores a channel's instance URL in cross-flow state, Route Request decodes a Slack
form post, looks the URL up and forwards the request to it (a loopback recorder standing in for
the customer's instance), and Print Persisted Data returns the state from a JavaScript code step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.integration.runtime.conftest import Running
from tests.integration.runtime.recorder import Recorder, recording_server

ROUTER = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "conformance"
    / "yaml"
    / "slack-interactivity-router.yaml"
)
SYNC = {"prismatic-synchronous": "true"}


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with recording_server() as server:
        yield server


async def flow_urls(app: Running) -> dict[str, str]:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { flows { nodes { name testUrl } } } errors { messages } } }",
        d=ROUTER.read_text(encoding="utf-8"),
    )
    payload = data["importIntegration"]
    assert payload["errors"] == []
    return {
        node["name"]: node["testUrl"].replace("http://splice.test", "")
        for node in payload["integration"]["flows"]["nodes"]
    }


async def test_register_route_print_and_deregister(app: Running, recorder: Recorder) -> None:
    urls = await flow_urls(app)
    instance_url = f"{recorder.url}/instance-webhook"
    registered = await app.http.post(
        urls["Registration Endpoint"],
        json={
            "event": "register",
            "channelId": "C042",
            "instanceInteractivityWebhookUrl": instance_url,
        },
        headers=SYNC,
    )
    assert registered.status_code == 200, registered.text

    persisted = await app.http.post(urls["Print Persisted Data"], json={}, headers=SYNC)
    assert persisted.status_code == 200, persisted.text
    assert persisted.json() == {"C042": instance_url}

    slack_payload = json.dumps({"type": "block_actions", "channel": {"id": "C042"}})
    routed = await app.http.post(
        urls["Route Request"],
        content=urlencode({"payload": slack_payload}),
        headers={**SYNC, "content-type": "application/x-www-form-urlencoded"},
    )
    assert routed.status_code == 200, routed.text
    assert [r.path for r in recorder.requests] == ["/instance-webhook"]
    assert b"block_actions" in recorder.requests[0].body

    deregistered = await app.http.post(
        urls["Registration Endpoint"],
        json={"event": "deregister", "channelId": "C042"},
        headers=SYNC,
    )
    assert deregistered.status_code == 200, deregistered.text
    emptied = await app.http.post(urls["Print Persisted Data"], json={}, headers=SYNC)
    assert emptied.json() == {}
