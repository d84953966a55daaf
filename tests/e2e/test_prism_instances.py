"""prism's flow tests and executions: contract §6 scenarios 20, 21, 24 and ``instances:delete`` of 25.

One integration (``fixtures/echo-run.yml``: a webhook trigger and a log step, core components
only) is imported and published per server; the instance tests run in file order. Scenarios 22
and 23 on every config variable type live in ``test_prism_instance_config.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.harness import SpliceServer
from tests.e2e.prism import Prism, PrismResult, assert_id

ECHO_RUN = Path(__file__).parent / "fixtures" / "echo-run.yml"
FLOW = "Echo"
END_MARKER = "Ending Instance Execution"
LOG_LINE = re.compile(r"^ \S+ LOG_\w+ +.*")


def json_rows(result: PrismResult) -> list[dict[str, Any]]:
    """The rows of ``--output json``."""
    assert result.code == 0, str(result)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def stripped_lines(result: PrismResult) -> list[str]:
    """Non-empty stdout lines without table padding."""
    assert result.code == 0, str(result)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def integration_id(prism: Prism) -> str:
    """The imported echo-run integration."""
    return assert_id(prism("integrations:import", "-p", str(ECHO_RUN)), "Integration")


@pytest.fixture(scope="module")
def version_id(prism: Prism, integration_id: str) -> str:
    """Its first published version."""
    return assert_id(prism("integrations:publish", integration_id, "-c", "v1"), "Integration")


@pytest.fixture(scope="module")
def customer_id(prism: Prism) -> str:
    """A customer to deploy to."""
    return assert_id(prism("customers:create", "-n", "Instance Co", "-e", "inst-1"), "Customer")


@pytest.fixture(scope="module")
def instance_id(prism: Prism, version_id: str, customer_id: str) -> str:
    """Scenario 22's instance of the published version for the customer, deployed (23)."""
    created = prism(
        "instances:create",
        "-n",
        "Inst1",
        "-i",
        version_id,
        "-c",
        customer_id,
        "-v",
        '[{"key":"Endpoint","value":"https://x"}]',
        "-l",
        "prod",
    )
    instance = assert_id(created, "Instance")
    assert assert_id(prism("instances:deploy", instance), "Instance") == instance
    return instance


def test_20_flow_test_tails_the_logs_until_the_timeout(
    prism: Prism, splice_server: SpliceServer, integration_id: str
) -> None:
    mark = splice_server.request_mark()
    result = prism(
        "integrations:flows:test",
        "-i",
        integration_id,
        "-n",
        FLOW,
        "--tail-logs",
        "--timeout",
        "5",
        "--quiet",
    )
    assert result.code == 0, str(result)
    assert '"executionId"' in result.stdout
    logs = [line for line in result.lines if LOG_LINE.match(line)]
    assert logs, str(result)
    # prism pads each log line to the table width, so compare without the trailing spaces
    assert any(line.rstrip().endswith(END_MARKER) for line in logs), str(result)
    triggers = [
        r
        for r in splice_server.requests_since(mark)
        if r.method == "POST" and r.path not in ("/api", "/oauth/token", "/auth/revoke")
    ]
    assert len(triggers) == 1, [r.path for r in splice_server.requests_since(mark)]
    assert "authorization" not in triggers[0].headers


def test_20b_the_test_url_answers_with_the_execution_id(prism: Prism, integration_id: str) -> None:
    (flow,) = json_rows(prism("integrations:flows:list", integration_id, "-x", "--output", "json"))
    response = httpx.post(flow["testUrl"], json={"hello": "world"}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["executionId"] == response.headers["prismatic-executionid"]


def test_21_flow_test_tails_step_results_as_json_lines(prism: Prism, integration_id: str) -> None:
    result = prism(
        "integrations:flows:test",
        "-i",
        integration_id,
        "-n",
        FLOW,
        "--tail-results",
        "--jsonl",
        "--timeout",
        "5",
        "--quiet",
    )
    assert result.code == 0, str(result)
    parsed = []
    for line in result.lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            continue
    results = [
        p for p in parsed if isinstance(p, dict) and {"stepName", "endedAt", "result"} <= set(p)
    ]
    assert results, str(result)


def test_24_flow_config_test_ends_by_itself(
    prism: Prism, splice_server: SpliceServer, instance_id: str
) -> None:
    flow_configs = stripped_lines(
        # scenario 24 writes "-x --columns id"; prism refuses that pair, and --columns alone
        # may name the extended id column
        prism("instances:flow-configs:list", instance_id, "--columns", "id", "--no-header")
    )
    assert flow_configs
    mark = splice_server.request_mark()
    tested = prism(
        "instances:flow-configs:test",
        flow_configs[0],
        "-p",
        '{"a":1}',
        "-c",
        "application/json",
        "--tail",
        timeout=30,
    )
    assert tested.code == 0, str(tested)
    assert any(END_MARKER in line for line in tested.lines), str(tested)
    polls = [r for r in splice_server.graphql_since(mark) if "listInstanceTestLogs" in r.query_text]
    assert polls
    execution_id = polls[0].variables["executionId"]

    step = prism.ok("executions:step-result:get", "-e", execution_id, "-s", "Echo Trigger")
    assert '"a":1' in step.stdout, str(step)
    json.loads(step.stdout)


def test_25_instances_delete(prism: Prism, customer_id: str, instance_id: str) -> None:
    deleted = prism("instances:delete", instance_id)
    assert deleted.code == 0, str(deleted)
    assert deleted.stdout == ""
    remaining = stripped_lines(
        prism("instances:list", "-c", customer_id, "--columns", "id", "--no-header")
    )
    assert instance_id not in remaining
