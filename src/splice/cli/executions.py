"""Step results: MessagePack blobs at ``resultsUrl`` and ``executions:step-result:get`` (§3.6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import msgpack

from splice.cli.client import SpliceClient
from splice.cli.errors import CLIError
from splice.cli.output import (
    Column,
    TableOptions,
    check_table_options,
    print_table,
    table_options,
)
from splice.cli.state import command, open_client

__all__ = ["COMMANDS", "LIST", "STEP_OUTPUT", "fetch_result", "render_output"]

STEP_OUTPUT = """query getStepOutputDetails($executionId: ID!, $stepName: String!) {
  executionResult(id: $executionId) {
    id
    stepResults(displayStepName: $stepName) { nodes { displayStepName resultsUrl } }
  }
}"""

_TEXT_TYPES = ("text/", "xml", "csv")


def fetch_result(client: SpliceClient, url: str) -> Any:
    """GET a step result (no credentials: the URL is signed) and decode its MessagePack body."""
    response = client.send("GET", url)
    if response.is_error:
        raise CLIError(f"Fetching the step result failed: {url} answered {response.status_code}")
    try:
        return msgpack.unpackb(response.content, raw=False)
    except (ValueError, msgpack.UnpackException) as exc:
        raise CLIError(f"The step result at {url} is not valid MessagePack") from exc


def _text(data: Any) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))


def render_output(result: Any) -> str:
    """A step's output as prism prints it, from the decoded ``{data, contentType}`` map."""
    if not isinstance(result, dict):
        return json.dumps(result, separators=(",", ":"), ensure_ascii=False)
    data = result.get("data")
    content_type = str(result.get("contentType") or "").lower()
    if "json" in content_type:
        if not isinstance(data, str | bytes):
            raise CLIError("Received malformed JSON payload.")
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise CLIError("Received malformed JSON payload.") from exc
        return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
    if any(kind in content_type for kind in _TEXT_TYPES):
        return _text(data)
    if isinstance(data, dict | list | int | float | bool) or data is None:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return _text(data)


@command("executions:step-result:get")
@click.option("-e", "--executionId", "execution_id", required=True, help="Execution ID.")
@click.option("-s", "--stepName", "step_name", required=True, help="Step name as displayed.")
@click.option(
    "-p",
    "--outputPath",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to this file instead of stdout.",
)
def step_result_get(execution_id: str, step_name: str, output_path: Path | None) -> None:
    """Print the output of one step of an execution."""
    client = open_client()
    data = client.graphql(STEP_OUTPUT, {"executionId": execution_id, "stepName": step_name})
    nodes = ((data.get("executionResult") or {}).get("stepResults") or {}).get("nodes") or []
    if not nodes:
        click.echo("No step results found. Did you enter the correct step name?", err=True)
        return
    if not nodes[0].get("resultsUrl"):
        raise CLIError(f"Step {step_name!r} has no stored result (it may not have run yet)")
    text = render_output(fetch_result(client, str(nodes[0]["resultsUrl"])))
    if output_path is None:
        click.echo(text)
        return
    try:
        output_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"Cannot write {output_path}: {exc.strerror or exc}") from exc


LIST = """query listExecutions($first: Int, $instance: ID, $isTest: Boolean, $status: String) {
  executionResults(first: $first, instance: $instance, isTestExecution: $isTest, status: $status) {
    nodes { id flowName status startedAt endedAt error isTestExecution }
  }
}"""

GET = """query getExecution($id: ID!) {
  executionResult(id: $id) {
    id flowName status startedAt endedAt error isTestExecution
    replayForExecution { id }
    stepResults { nodes { stepName displayStepName status startedAt endedAt error } }
  }
}"""

REPLAY = """mutation replayExecution($id: ID!) {
  replayExecution(input: {id: $id}) { instanceExecutionResult { id } errors { field messages } }
}"""

RESUME = """mutation resumeExecution($id: ID!) {
  resumeExecution(input: {id: $id}) { instanceExecutionResult { id } errors { field messages } }
}"""

COLUMNS = [
    Column("id", extended=True),
    Column("flowName", "Flow"),
    Column("status"),
    Column("startedAt"),
    Column("endedAt", extended=True),
    Column("error"),
    Column("isTestExecution", "Test", extended=True),
]

STEP_COLUMNS = [
    Column("displayStepName", "Step"),
    Column("stepName", "Key", extended=True),
    Column("status"),
    Column("endedAt"),
    Column("error"),
]


@command("executions:list")
@click.option("-i", "--instance", help="Only this instance's executions.")
@click.option("--status", help="pending, running, succeeded, failed or stopped.")
@click.option("--test/--no-test", "is_test", default=None, help="Only test runs, or none.")
@click.option("-n", "--limit", type=int, default=50, show_default=True, help="Newest N.")
@table_options
def list_(
    instance: str | None, status: str | None, is_test: bool | None, limit: int, table: TableOptions
) -> None:
    """List executions, newest first."""
    check_table_options(COLUMNS, table)
    variables = {"first": limit, "instance": instance, "isTest": is_test, "status": status}
    data = open_client().graphql(LIST, {k: v for k, v in variables.items() if v is not None})
    print_table((data.get("executionResults") or {}).get("nodes") or [], COLUMNS, table)


@command("executions:get")
@click.argument("execution_id")
@table_options
def get(execution_id: str, table: TableOptions) -> None:
    """Show one execution and its steps."""
    check_table_options(STEP_COLUMNS, table)
    result = open_client().graphql(GET, {"id": execution_id}).get("executionResult")
    if not isinstance(result, dict):
        raise CLIError(
            f"Execution {execution_id!r} not found",
            fix="pass an ID from 'splice executions:list -x'",
        )
    click.echo(
        f"{result.get('flowName')}: {result.get('status')}"
        + (f" ({result['error']})" if result.get("error") else "")
    )
    print_table((result.get("stepResults") or {}).get("nodes") or [], STEP_COLUMNS, table)


@command("executions:replay")
@click.argument("execution_id")
@click.option(
    "--resume", is_flag=True, help="Reuse the steps that succeeded; start at the failed one."
)
def replay(execution_id: str, resume: bool) -> None:
    """Run an execution again with the same trigger payload; prints the new execution's ID."""
    client = open_client()
    if resume:
        click.echo(
            client.mutation_id(
                RESUME, {"id": execution_id}, "resumeExecution", "instanceExecutionResult"
            )
        )
    else:
        click.echo(
            client.mutation_id(
                REPLAY, {"id": execution_id}, "replayExecution", "instanceExecutionResult"
            )
        )


COMMANDS: list[click.Command] = [step_result_get, list_, get, replay]
