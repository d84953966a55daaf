"""Killing the server mid-execution loses no accepted execution (issue 3, "done means").

A flow sleeps between two steps; the server is killed with SIGKILL while the execution runs, then
started again on the same database. The execution's lease expires, the start-up sweep hands it out
again, and it finishes, exactly once, with every step recorded once.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, new_postgres_database
from tests.e2e.harness import SpliceServer, start_server
from tests.e2e.tls import TLSFiles, make_tls_files

LEASE_SECONDS = "1"
POLL_SECONDS = 0.1
POLL_ROUNDS = 300

SLOW_FLOW = {
    "definitionVersion": 7,
    "name": "Slow Flow",
    "flows": [
        {
            "name": "Slow",
            "endpointSecurityType": "unsecured",
            "steps": [
                {
                    "name": "Slow Trigger",
                    "isTrigger": True,
                    "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
                    "inputs": {},
                },
                {
                    "name": "Before",
                    "action": {"key": "writeLog", "component": {"key": "log"}},
                    "inputs": {"message": {"type": "value", "value": "before the pause"}},
                },
                {
                    "name": "Pause",
                    "action": {"key": "sleep", "component": {"key": "sleep"}},
                    "inputs": {"ms": {"type": "value", "value": "1500"}},
                },
                {
                    "name": "After",
                    "action": {"key": "writeLog", "component": {"key": "log"}},
                    "inputs": {"message": {"type": "value", "value": "after the pause"}},
                },
            ],
        }
    ],
}
STATUS = (
    "query($id: ID!) { executionResult(id: $id) { status endedAt "
    "stepResults { nodes { stepName } } } }"
)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """The harness always opens a TLS listener too."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def launch(database_url: str, workdir: Path, tls: TLSFiles) -> SpliceServer:
    workdir.mkdir(parents=True, exist_ok=True)
    return start_server(
        backend="crash",
        database_url=database_url,
        workdir=workdir,
        tls=tls,
        owner_email=ADMIN_EMAIL,
        owner_password=ADMIN_PASSWORD,
        extra_env={"SPLICE_RUNTIME_LEASE_SECONDS": LEASE_SECONDS},
    )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_killed_server_finishes_the_execution_after_restart(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, tls_files: TLSFiles
) -> None:
    database_url = (
        f"sqlite+aiosqlite:///{tmp_path / 'splice.db'}"
        if backend == "sqlite"
        else new_postgres_database(request)
    )
    first = launch(database_url, tmp_path / "first", tls_files)
    try:
        imported = first.graphql(
            "mutation($d: String!) { importIntegration(input: {definition: $d}) "
            "{ integration { flows { nodes { testUrl } } } errors { messages } } }",
            {"d": yaml.safe_dump(SLOW_FLOW)},
        )["data"]["importIntegration"]
        assert imported["errors"] == []
        url = imported["integration"]["flows"]["nodes"][0]["testUrl"]
        accepted = httpx.post(url, json={"n": 1}, timeout=30)
        assert accepted.status_code == 200
        execution_id = accepted.json()["executionId"]
        for _ in range(POLL_ROUNDS):
            state = first.graphql(STATUS, {"id": execution_id})["data"]["executionResult"]
            if {"slowTrigger", "before"} <= {s["stepName"] for s in state["stepResults"]["nodes"]}:
                break
            time.sleep(POLL_SECONDS)
        assert state["endedAt"] is None, "the flow ended before the kill; make it slower"
    finally:
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)

    second = launch(database_url, tmp_path / "second", tls_files)
    try:
        for _ in range(POLL_ROUNDS):
            state = second.graphql(STATUS, {"id": execution_id})["data"]["executionResult"]
            if state["endedAt"] is not None:
                break
            time.sleep(POLL_SECONDS)
        assert state["status"] == "succeeded", state
        names = [s["stepName"] for s in state["stepResults"]["nodes"]]
        assert names.count("after") == 1
        executions = second.graphql("query { executionResults { totalCount } }", {})
        assert executions["data"]["executionResults"]["totalCount"] == 1
    finally:
        second.stop()
