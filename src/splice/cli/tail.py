"""Follow an execution's logs and step results by polling (contract §3.2 ``flows:test`` step 8).

Time and sleeping come from ``AppState`` so tests run instantly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from splice.cli.client import SpliceClient
from splice.cli.errors import CLIError
from splice.cli.executions import fetch_result

__all__ = [
    "CNI_COMPLETE",
    "LOGS",
    "SECTIONS",
    "STEP_RESULTS",
    "Tailer",
    "poll_interval",
    "run_tail",
]

LOGS = """query GetExecutionLogs($executionId: ID!, $nextCursor: String) {
  logs(executionResult: $executionId, after: $nextCursor, \
orderBy: {field: TIMESTAMP, direction: ASC}) {
    edges { node { timestamp severity message sectionId } cursor }
  }
}"""

SECTIONS = """query GetExecutionSections($executionId: ID!, $sectionIds: [UUID!]) {
  executionSections(executionResult: $executionId, sectionId_In: $sectionIds, \
orderBy: {field: STARTED_AT, direction: ASC}) {
    nodes { sectionId label }
  }
}"""

STEP_RESULTS = """query GetExecutionStepResults($executionId: ID!, $nextCursor: String) {
  executionResult(id: $executionId) {
    stepResults(after: $nextCursor, orderBy: {field: ENDED_AT, direction: ASC}) {
      edges { node { stepName endedAt resultsUrl } cursor }
      totalCount
    }
  }
}"""

CNI_COMPLETE = """query IsCniExecutionComplete($executionId: ID!) {
  executionResult(id: $executionId) { stepResults { totalCount } }
}"""


def poll_interval(elapsed: float) -> float:
    """Seconds to wait before the next poll: 1 s, then 5 s after 30 s, 30 s after 1 min, 60 s after 5."""
    if elapsed < 30:
        return 1.0
    if elapsed < 60:
        return 5.0
    if elapsed < 300:
        return 30.0
    return 60.0


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


@dataclass
class Tailer:
    """Prints what is new since the last poll; remembers cursors and section labels."""

    client: SpliceClient
    execution_id: str
    jsonl: bool = False
    record: Path | None = None
    log_cursor: str | None = None
    step_cursor: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    logs_query: str = LOGS
    severity_prefix: str = "LOG_"

    def _emit(self, text: str, record: Any) -> None:
        click.echo(_dumps(record) if self.jsonl else text)
        if self.record is not None:
            with self.record.open("a", encoding="utf-8") as handle:
                handle.write(_dumps(record) + "\n")

    def _label_sections(self, ids: set[str]) -> None:
        missing = sorted(ids - set(self.labels))
        if not missing:
            return
        variables = {"executionId": self.execution_id, "sectionIds": missing}
        try:
            data = self.client.graphql(SECTIONS, variables)
        except CLIError as exc:
            click.echo(f"Could not look up section labels: {exc}", err=True)
            return
        for node in (data.get("executionSections") or {}).get("nodes") or []:
            self.labels[str(node["sectionId"])] = str(node.get("label") or node["sectionId"])

    def poll_logs(self) -> list[dict[str, Any]]:
        """Print the logs written since the last call and return them."""
        variables: dict[str, Any] = {"executionId": self.execution_id}
        if self.log_cursor is not None:
            variables["nextCursor"] = self.log_cursor
        data = self.client.graphql(self.logs_query, variables)
        edges = (data.get("logs") or {}).get("edges") or []
        if edges:
            self.log_cursor = str(edges[-1]["cursor"])
        nodes = [edge["node"] for edge in edges]
        self._label_sections({str(n["sectionId"]) for n in nodes if n.get("sectionId")})
        for node in nodes:
            section = node.get("sectionId")
            name = self.labels.get(str(section), str(section)) if section else None
            message = f"[{name}] {node['message']}" if name else str(node["message"])
            record = {**node, "sectionName": name}
            severity = f"{self.severity_prefix}{node['severity']}"
            self._emit(f" {node['timestamp']} {severity} {message}", record)
        return nodes

    def poll_results(self) -> list[dict[str, Any]]:
        """Print the step results finished since the last call and return them."""
        variables: dict[str, Any] = {"executionId": self.execution_id}
        if self.step_cursor is not None:
            variables["nextCursor"] = self.step_cursor
        data = self.client.graphql(STEP_RESULTS, variables)
        edges = ((data.get("executionResult") or {}).get("stepResults") or {}).get("edges") or []
        if edges:
            self.step_cursor = str(edges[-1]["cursor"])
        shown: list[dict[str, Any]] = []
        for edge in edges:
            node = edge["node"]
            result = fetch_result(self.client, str(node["resultsUrl"]))
            record = {"stepName": node["stepName"], "endedAt": node["endedAt"], "result": result}
            self._emit(f" {node['endedAt']} STEP_{node['stepName']} {_dumps(result)}", record)
            shown.append(record)
        return shown

    def cni_complete(self) -> bool:
        """Whether a code-native execution has both of its step results."""
        data = self.client.graphql(CNI_COMPLETE, {"executionId": self.execution_id})
        total = ((data.get("executionResult") or {}).get("stepResults") or {}).get("totalCount")
        return total == 2


def run_tail(
    tailer: Tailer,
    *,
    logs: bool,
    results: bool,
    timeout: float,
    now: Callable[[], float],
    sleep: Callable[[float], None],
    until: Callable[[], bool] | None = None,
    quiet: bool = False,
) -> None:
    """Poll until ``until()`` says done or ``timeout`` seconds pass (then say so unless quiet)."""
    start = now()
    while True:
        elapsed = now() - start
        if elapsed >= timeout:
            if not quiet:
                click.echo("Timeout reached. Stopping polling.", err=True)
            return
        sleep(min(poll_interval(elapsed), timeout - elapsed))
        if logs:
            tailer.poll_logs()
        if results:
            tailer.poll_results()
        if until is not None and until():
            return
