"""``splice components:actions:list prismatic`` and the refresh token its connection takes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from splice.cli.main import cli
from splice.cli.state import AppState
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.cli.conftest import AppTransport

ACTIONS = {
    "deployInstance",
    "disableInstnce",
    "getCurrentUser",
    "getCustomer",
    "getExecution",
    "getInstance",
    "getIntegration",
    "importIntegration",
    "listComponents",
    "listCustomers",
    "listFlows",
    "listInstances",
    "listIntegrations",
    "publishIntegration",
    "rawRequest",
    "testFlow",
    "updateInstance",
    "updateIntegration",
}


def test_actions_list_shows_all_eighteen_actions(
    app_transport: AppTransport, tmp_path: Path
) -> None:
    env = {"SPLICE_CONFIG_FILE": str(tmp_path / "config.yml")}

    def run(*args: str, input: str | None = None) -> str:
        state = AppState(env=env, transport=app_transport)
        result = CliRunner().invoke(cli, list(args), obj=state, input=input)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("login", "--url", "http://splice.test", "--email", ADMIN_EMAIL, input=ADMIN_PASSWORD + "\n")
    listed = run("components:actions:list", "prismatic", "--columns", "key", "--no-header")
    keys = {line.strip() for line in listed.splitlines() if line.strip()}
    assert keys == ACTIONS
    extended = json.loads(run("components:actions:list", "prismatic", "-x", "--output", "json"))
    inputs = {row["key"]: row["inputs"] for row in extended}
    assert inputs["deployInstance"] == "connection* (connection), instanceId* (string)"
    assert all(inputs[key].startswith("connection* (connection)") for key in ACTIONS)
    token = run("me:token", "--type", "refresh").strip()
    assert token and " " not in token
