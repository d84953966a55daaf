"""``splice`` flow tests and executions commands against the real app (inline workers)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.cli.conftest import AppTransport
from tests.integration.cli.test_cli_against_app import BASE, Splice
from tests.integration.runtime.flows import definition


@pytest.fixture
def splice(app_transport: AppTransport, tmp_path: Path) -> Iterator[Splice]:
    runner = Splice(app_transport, tmp_path / "config.yml")
    runner("login", "--url", BASE, "--email", ADMIN_EMAIL, input=ADMIN_PASSWORD + "\n")
    yield runner


def test_flow_test_then_list_get_and_replay(splice: Splice, tmp_path: Path) -> None:
    source = tmp_path / "echo.yml"
    source.write_text(definition("CLI Echo"), encoding="utf-8")
    iid = splice.out("integrations:import", "-p", str(source))
    payload = tmp_path / "payload.json"
    payload.write_text('{"name": "Ada"}', encoding="utf-8")
    answer = splice.out(
        "integrations:flows:test", "-i", iid, "-n", "Echo", "-p", str(payload), "--sync", "--quiet"
    )
    assert json.loads(answer) == {"hello": "Ada"}
    rows = json.loads(splice.out("executions:list", "--output", "json", "-x"))
    assert [(row["flowName"], row["status"]) for row in rows] == [("Echo", "stopped")]
    shown = splice.out("executions:get", rows[0]["id"])
    assert shown.splitlines()[0] == "Echo: stopped"
    assert "Say Hello" in shown
    again = splice.out("executions:replay", rows[0]["id"])
    assert again != rows[0]["id"]
    for _ in range(200):
        states = json.loads(splice.out("executions:list", "--output", "json", "-x"))
        if len(states) == 2 and all(row["endedAt"] for row in states):
            break
        time.sleep(0.05)
    assert sorted(row["status"] for row in states) == ["stopped", "stopped"]
    refused = splice("executions:replay", rows[0]["id"], "--resume", ok=False)
    assert refused.exit_code == 2 and "only a failed execution" in refused.stderr


def test_bad_flags_of_flow_test_and_executions_exit_2_with_one_line(
    splice: Splice, tmp_path: Path
) -> None:
    source = tmp_path / "echo.yml"
    source.write_text(definition("CLI Echo"), encoding="utf-8")
    iid = splice.out("integrations:import", "-p", str(source))
    splice.out("integrations:flows:test", "-i", iid, "-n", "Echo", "--sync", "--quiet")
    execution = json.loads(splice.out("executions:list", "--output", "json", "-x"))[0]["id"]

    def refused(*args: str) -> str:
        result = splice(*args, ok=False)
        assert (result.exit_code, result.stdout) == (2, ""), result.output
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: ")
        return result.stderr

    assert "no column 'nope' (valid columns: id, flowName" in refused(
        "executions:list", "--columns", "nope"
    )
    assert "no column 'nope'" in refused("executions:list", "--columns", "id,nope")
    assert "no column 'nope' (valid columns: displayStepName" in refused(
        "executions:get", execution, "--columns", "nope"
    )
    assert "must be an absolute http(s) URL, not 'notaurl'" in refused(
        "integrations:flows:test", "-u", "notaurl"
    )
    garbage = f"{BASE}/trigger/garbage"
    assert f"The test URL {garbage} answered 404 Not Found: webhook endpoint not found" in (
        refused("integrations:flows:test", "-u", garbage)
    )
    assert "--timeout must be a positive number of seconds, not -1" in refused(
        "integrations:flows:test", "-i", iid, "-n", "Echo", "--timeout", "-1"
    )
    assert len(json.loads(splice.out("executions:list", "--output", "json"))) == 1
