"""prism's integration commands against a real server: contract §6 scenarios 12 to 19.

The module imports ``min.yml`` once per server (scenario 12) and publishes it once (16); the
version tests then run in file order on that integration.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.harness import SpliceServer
from tests.e2e.prism import Prism, PrismResult, assert_id

DEFINITIONS = Path(__file__).resolve().parents[1] / "fixtures" / "definitions"
MIN_YML = DEFINITIONS / "min.yml"
BAD_YML = DEFINITIONS / "bad.yml"
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def ids_of(result: PrismResult) -> list[str]:
    """The IDs printed by ``--columns id --no-header`` (one per line, padded with spaces)."""
    assert result.code == 0, str(result)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def json_rows(result: PrismResult) -> list[dict[str, Any]]:
    """The rows of ``--output json``."""
    assert result.code == 0, str(result)
    rows = json.loads(result.stdout)
    assert isinstance(rows, list), str(result)
    return rows


def shape(definition: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Flow names with their steps' names and component/action keys."""
    return [
        (
            flow["name"],
            [
                (step["name"], step["action"]["component"]["key"], step["action"]["key"])
                for step in flow["steps"]
            ],
        )
        for flow in definition["flows"]
    ]


@pytest.fixture(scope="module")
def imported(prism: Prism) -> PrismResult:
    """Scenario 12's import of min.yml."""
    return prism("integrations:import", "-p", str(MIN_YML))


@pytest.fixture(scope="module")
def integration_id(imported: PrismResult) -> str:
    """The imported integration's ID."""
    return assert_id(imported, "Integration")


@pytest.fixture(scope="module")
def published(prism: Prism, splice_server: SpliceServer, integration_id: str) -> str:
    """Scenario 16's publish of the imported integration; checks the request's attributes."""
    mark = splice_server.request_mark()
    version_id = assert_id(
        prism("integrations:publish", integration_id, "-c", "v1", "--commitHash", "abc"),
        "Integration",
    )
    (request,) = splice_server.graphql_since(mark)
    assert request.variables["comment"] == "v1"
    assert json.loads(request.variables["attributes"]) == {"commitHash": "abc"}
    return version_id


def test_12_import_then_export_round_trips(
    prism: Prism, splice_server: SpliceServer, imported: PrismResult, integration_id: str
) -> None:
    source = yaml.safe_load(MIN_YML.read_text())
    export = prism.ok("integrations:export", integration_id)
    exported = yaml.safe_load(export.stdout)
    assert exported["definitionVersion"] == 7
    assert exported["name"] == source["name"]
    assert shape(exported) == shape(source)
    stored = splice_server.graphql(
        "query($id: ID!) { integration(id: $id) { definition(version: 7) } }",
        {"id": integration_id},
    )
    assert exported == yaml.safe_load(stored["data"]["integration"]["definition"])


def test_13_validate_yaml_accepts_min_and_rejects_a_dangling_reference(prism: Prism) -> None:
    valid = prism.ok("integrations:validate-yaml", str(MIN_YML))
    assert valid.stdout.strip() == "✓ Integration YAML is valid"
    invalid = prism("integrations:validate-yaml", str(BAD_YML))
    assert invalid.code == 1, str(invalid)
    assert "Validation failed:" in invalid.message


def test_14_create_then_find_by_filter_and_by_search(
    prism: Prism, splice_server: SpliceServer
) -> None:
    created = assert_id(prism("integrations:create", "-n", "Int A", "-d", "desc"), "Integration")

    by_filter = prism(
        "integrations:list", "--filter", "name=^Int A$", "--columns", "id", "--no-header"
    )
    assert ids_of(by_filter) == [created]

    mark = splice_server.request_mark()
    by_search = prism("integrations:list", "-o", "-s", "int a", "--columns", "id", "--no-header")
    assert created in ids_of(by_search)
    requests = splice_server.graphql_since(mark)
    assert requests, "integrations:list sent no GraphQL request"
    assert requests[0].variables["customerIsnull"] is True
    assert requests[0].variables["search"] == "int a"


def test_15_update_and_fork(prism: Prism) -> None:
    original = assert_id(prism("integrations:create", "-n", "Int B", "-d", "desc"), "Integration")

    updated = prism("integrations:update", original, "-n", "Int B2", "-d", "d2")
    assert assert_id(updated, "Integration") == original
    forked = assert_id(
        prism("integrations:fork", original, "-n", "Forked", "-d", "f"), "Integration"
    )
    assert forked != original

    rows = json_rows(prism("integrations:list", "-x", "--output", "json"))
    by_id = {row["id"]: row for row in rows}
    assert by_id[original]["name"] == "Int B2"
    assert by_id[original]["description"] == "d2"
    assert by_id[forked]["name"] == "Forked"


def test_16_publish_lists_version_one(prism: Prism, integration_id: str, published: str) -> None:
    table = prism.ok("integrations:versions", integration_id)
    header, rule, *rows = table.lines
    assert header.split() == ["Version", "Created", "At", "Created", "By", "Comment", "Available"]
    assert set(rule.strip()) <= {"─", " "}
    version_one = [row.split() for row in rows if row.split()[:1] == ["1"]]
    assert len(version_one) == 1, str(table)
    cells = version_one[0]
    assert ISO_MILLIS.match(cells[1]), cells
    assert cells[-2:] == ["v1", "true"]

    rows_json = json_rows(prism("integrations:versions", integration_id, "-x", "--output", "json"))
    (row,) = [r for r in rows_json if r["versionNumber"] == "1"]
    assert row["id"] == published
    assert ISO_MILLIS.match(row["versionCreatedAt"])


def test_17_latest_available_version(
    prism: Prism, splice_server: SpliceServer, integration_id: str, published: str
) -> None:
    mark = splice_server.request_mark()
    latest = prism("integrations:versions", integration_id, "-l", "--columns", "id", "--no-header")
    assert latest.stdout == f" {published} \n"
    (request,) = splice_server.graphql_since(mark)
    assert request.variables["onlyAvailable"] is True
    assert request.variables["onlyShowOne"] == 1


def test_18_availability_and_marketplace(prism: Prism, integration_id: str, published: str) -> None:
    assert_id(prism("integrations:available", published, "--no-available"), "Integration")
    rows = json_rows(prism("integrations:versions", integration_id, "--output", "json"))
    (row,) = [r for r in rows if r["versionNumber"] == "1"]
    assert row["available"] == "false"

    marketplace = prism("integrations:marketplace", published, "--available", "-o", "Overview")
    assert_id(marketplace, "Integration")


def test_19_flows_have_absolute_test_urls(prism: Prism, integration_id: str) -> None:
    rows = json_rows(prism("integrations:flows:list", integration_id, "-x", "--output", "json"))
    assert [row["name"] for row in rows] == ["Forward Payload"]
    for row in rows:
        assert set(row) == {"id", "name", "description", "testUrl"}
        assert re.match(r"^https?://[^/]+/", row["testUrl"]), row
