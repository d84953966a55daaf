"""README "Deploying to a customer", step by step: the commands it shows give what it shows.

Runs ``examples/customer-greeting.yml`` through the same ``splice`` commands against the real
app (in-process), then calls the instance's webhook with no, a wrong and the right ``Api-Key``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.cli.conftest import AppTransport
from tests.integration.cli.test_cli_against_app import BASE, Splice

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "customer-greeting.yml"
README = ROOT / "README.md"
CONFIG = json.dumps(
    [
        {"key": "Greeting", "value": "Howdy"},
        {
            "key": "Acme API",
            "values": json.dumps([{"name": "apiKey", "type": "value", "value": "acme-secret"}]),
        },
    ]
)


@pytest.fixture
def splice(app_transport: AppTransport, tmp_path: Path) -> Iterator[Splice]:
    runner = Splice(app_transport, tmp_path / "config.yml")
    runner("login", "--url", BASE, "--email", ADMIN_EMAIL, input=ADMIN_PASSWORD + "\n")
    yield runner


def test_the_readme_shows_the_commands_this_test_runs() -> None:
    section = README.read_text(encoding="utf-8").split("## Deploying to a customer", 1)[1]
    section = section.split("\n## ", 1)[0]
    for command in (
        "splice customers:create",
        "splice integrations:import -p examples/customer-greeting.yml",
        "splice integrations:publish",
        "splice instances:create",
        "splice instances:deploy",
        "splice instances:flow-configs:list",
        "Api-Key: wrong-key",
        'Api-Key: $KEY"',
        "splice executions:list",
        "splice executions:get",
        "splice executions:step-result:get",
        "HTTP/1.1 401 Unauthorized",
        '{"message": "Howdy, Ada!"}',
    ):
        assert command in section, command


def test_deploy_to_a_customer_and_call_the_webhook(
    splice: Splice, app_transport: AppTransport
) -> None:
    customer = splice.out("customers:create", "--name", "Acme Corp", "--external-id", "acme")
    integration = splice.out("integrations:import", "-p", str(EXAMPLE))
    version = splice.out("integrations:publish", integration, "--comment", "First version")
    instance = splice.out(
        "instances:create", "-n", "Acme greeting", "-i", version, "-c", customer, "-v", CONFIG
    )
    assert splice.out("instances:deploy", instance) == instance
    configs = json.loads(
        splice.out("instances:flow-configs:list", instance, "-x", "--output", "json")
    )
    assert [c["name"] for c in configs] == ["Greet"]
    url, key = configs[0]["webhookUrl"], configs[0]["apiKeys"]
    assert url.startswith(f"{BASE}/trigger/") and len(key) >= 16

    with httpx.Client(transport=app_transport) as http:
        body = {"name": "Ada"}
        missing = http.post(url, json=body)
        wrong = http.post(url, json=body, headers={"Api-Key": "wrong-key"})
        right = http.post(url, json=body, headers={"Api-Key": key})
    assert missing.status_code == 401 and "requires an API key" in missing.json()["message"]
    assert wrong.status_code == 401 and "wrong Api-Key" in wrong.json()["message"]
    assert right.status_code == 200, right.text
    assert right.json() == {"message": "Howdy, Ada!"}

    rows = json.loads(splice.out("executions:list", "--output", "json", "-x"))
    assert [(r["id"], r["flowName"], r["status"]) for r in rows] == [
        (right.headers["prismatic-executionid"], "Greet", "succeeded")
    ]
    shown = splice.out("executions:get", rows[0]["id"]).splitlines()
    assert shown[0] == "Greet: succeeded"
    assert [line.split()[:2] for line in shown[-3:]] == [
        ["Greet", "Trigger"],
        ["Log", "Greeting"],
        ["Answer", "succeeded"],
    ]
    answer = splice.out("executions:step-result:get", "-e", rows[0]["id"], "-s", "Answer")
    assert json.loads(answer) == {"message": "Howdy, Ada!"}
