"""The executions API's argument errors: not-found names the argument, unknown statuses."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from splice import ids
from tests.integration.graphql.conftest import Api

EXECUTIONS = (
    "query($i: ID, $s: String) { executionResults(instance: $i, status: $s) { nodes { id } } }"
)
LOGS = "query($e: ID) { logs(executionResult: $e) { nodes { message } } }"
SECTIONS = "query($e: ID) { executionSections(executionResult: $e) { nodes { label } } }"
EXECUTION = "query($id: ID!) { executionResult(id: $id) { id } }"


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    (error,) = body["errors"]
    return dict(error)


@pytest.mark.parametrize(
    ("query", "variable", "field", "kind"),
    [
        (EXECUTIONS, "i", "instance", "instance"),
        (LOGS, "e", "executionResult", "execution"),
        (SECTIONS, "e", "executionResult", "execution"),
        (EXECUTION, "id", "id", "execution"),
    ],
)
async def test_a_bad_id_is_not_found_naming_the_argument(
    api: Api, query: str, variable: str, field: str, kind: str
) -> None:
    type_name = "Instance" if field == "instance" else "InstanceExecutionResult"
    malformed, wrong_type = "garbage", ids.encode("Customer", uuid.uuid4())
    for bad in (malformed, wrong_type, ids.encode(type_name, uuid.uuid4())):
        error = only_error(await api.gql(query, **{variable: bad}))
        assert error["message"] == f"{kind} not found: {bad}"
        assert error["extensions"] == {"field": field, "code": "NotFound"}


async def test_unknown_statuses_are_errors_naming_the_accepted_values(api: Api) -> None:
    error = only_error(await api.gql(EXECUTIONS, s="bogus"))
    assert error["extensions"]["field"] == "status"
    assert "unknown execution status 'bogus'" in error["message"]
    for accepted in ("queued", "pending", "running", "succeeded", "failed", "stopped"):
        assert accepted in error["message"]

    for status in ("succeeded", "FAILED", "queued", "SUCCESS", "ERROR"):
        body = await api.gql(EXECUTIONS, s=status)
        assert body.get("errors") is None, body
        assert body["data"]["executionResults"]["nodes"] == []
