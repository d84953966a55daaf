"""``executions:*``: bad flags and odd server answers end in one ``Error:`` line and exit 2."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cli.fakes import FakeServer, Invoker

RUN = {
    "id": "EX1",
    "flowName": "Echo",
    "status": "succeeded",
    "startedAt": "2026-01-01T00:00:00Z",
    "endedAt": "2026-01-01T00:00:01Z",
    "error": None,
    "isTestExecution": True,
}
STEP = {
    "stepName": "sayHello",
    "displayStepName": "Say Hello",
    "status": "succeeded",
    "startedAt": "2026-01-01T00:00:00Z",
    "endedAt": "2026-01-01T00:00:01Z",
    "error": None,
}
LIST_COLUMNS = "id, flowName, status, startedAt, endedAt, error, isTestExecution"
STEP_COLUMNS = "displayStepName, stepName, status, endedAt, error"


def listed() -> dict[str, Any]:
    return {"executionResults": {"nodes": [RUN]}}


def got() -> dict[str, Any]:
    return {"executionResult": {**RUN, "stepResults": {"nodes": [STEP]}}}


@pytest.mark.parametrize(
    ("args", "answer", "message"),
    [
        (
            ["executions:list", "--columns", "nope"],
            listed(),
            f"no column 'nope' (valid columns: {LIST_COLUMNS})",
        ),
        (
            ["executions:list", "--columns", "id,nope", "--output", "json"],
            listed(),
            f"no column 'nope' (valid columns: {LIST_COLUMNS})",
        ),
        (
            ["executions:get", "EX1", "--columns", "nope"],
            got(),
            f"no column 'nope' (valid columns: {STEP_COLUMNS})",
        ),
        (
            ["executions:get", "EX1", "--columns", "Step,nope,zz"],
            got(),
            f"no columns 'nope', 'zz' (valid columns: {STEP_COLUMNS})",
        ),
    ],
)
def test_unknown_columns_are_refused_before_asking_the_server(
    run: Invoker, server: FakeServer, args: list[str], answer: dict[str, Any], message: str
) -> None:
    server.answer(answer)  # would crash rendering rows without the check
    result = run(args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: --columns has an invalid value: {message}\n"
    assert server.requests == []


def test_known_columns_still_work_by_key_or_header(run: Invoker, server: FakeServer) -> None:
    server.answer(listed())
    assert run(["executions:list", "--columns", "id,Flow", "--no-header"]).stdout == " EX1 Echo \n"
    server.answer(got())
    result = run(["executions:get", "EX1", "--columns", "Step,key", "--no-header"])
    assert result.stdout == "Echo: succeeded\n Say Hello sayHello \n"


def test_other_list_commands_share_the_column_check(run: Invoker, server: FakeServer) -> None:
    server.answer({"customers": {"nodes": [{"id": "C1", "name": "Acme"}]}})
    result = run(["customers:list", "--columns", "name,colour"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: --columns has an invalid value: no column 'colour'")


def test_a_graphql_error_for_a_bad_status_is_printed_with_exit_2(
    run: Invoker, server: FakeServer
) -> None:
    server.answer(
        None, errors=[{"message": "status must be one of pending, running, succeeded, failed"}]
    )
    result = run(["executions:list", "--status", "bogus"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: status must be one of pending, running, succeeded, failed\n"
    assert server.variables == [{"first": 50, "status": "bogus"}]


def test_get_of_a_missing_execution_is_an_error(run: Invoker, server: FakeServer) -> None:
    server.answer({"executionResult": None})
    result = run(["executions:get", "EX404"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: Execution 'EX404' not found (pass an ID from")


def test_step_result_get_tolerates_missing_step_results(run: Invoker, server: FakeServer) -> None:
    server.answer({"executionResult": {"id": "EX1", "stepResults": None}})
    result = run(["executions:step-result:get", "-e", "EX1", "-s", "Say Hello"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert "No step results found." in result.stderr
    server.answer(
        {
            "executionResult": {
                "id": "EX1",
                "stepResults": {"nodes": [{"displayStepName": "Say Hello", "resultsUrl": None}]},
            }
        }
    )
    result = run(["executions:step-result:get", "-e", "EX1", "-s", "Say Hello"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Step 'Say Hello' has no stored result")
