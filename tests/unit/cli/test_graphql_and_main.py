"""``graphql:query``, attachments, and the root command's wiring and error mapping."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import click
import httpx
import pytest
import yaml
from click.testing import CliRunner

from splice.cli import attachments
from splice.cli.main import cli
from splice.cli.state import AppState
from tests.unit.cli.fakes import BASE, FakeServer, Invoker

CUSTOMERS = {
    "customers": {"nodes": [{"id": "C1", "name": "Acme", "x": {"y": 1}}, {"id": "C2", "name": "B"}]}
}


def test_query_prints_pretty_json_by_default(run: Invoker, server: FakeServer) -> None:
    server.answer(CUSTOMERS)
    result = run(["graphql:query", "query { customers { nodes { id } } }"])
    assert json.loads(result.stdout) == CUSTOMERS and result.stdout.startswith("{\n  ")
    assert server.graphql[0] == {"query": "query { customers { nodes { id } } }", "variables": {}}


def test_query_raw_with_variables(run: Invoker, server: FakeServer) -> None:
    server.answer({"customer": {"name": "Acme", "labels": ["gold", "beta"]}})
    result = run(
        [
            "graphql:query",
            "query($id: ID!){customer(id:$id){name labels}}",
            "-v",
            '{"id":"C1"}',
            "-r",
        ]
    )
    assert result.stdout == '{"customer":{"name":"Acme","labels":["gold","beta"]}}\n'
    assert server.variables == [{"id": "C1"}]


def test_query_from_file_with_variables_file_as_yaml(
    run: Invoker, server: FakeServer, tmp_path: Path
) -> None:
    (tmp_path / "q.graphql").write_text("query { a }", encoding="utf-8")
    (tmp_path / "v.json").write_text('{"n": 1}', encoding="utf-8")
    server.answer({"a": [1]})
    args = ["graphql:query", "-f", str(tmp_path / "q.graphql"), "-v", f"@{tmp_path / 'v.json'}"]
    result = run([*args, "-o", "yaml"])
    assert yaml.safe_load(result.stdout) == {"a": [1]}
    assert server.graphql[0] == {"query": "query { a }", "variables": {"n": 1}}


def test_query_from_stdin(run: Invoker, server: FakeServer) -> None:
    server.answer({"a": 1})
    run(["graphql:query"], input="query { a }")
    assert server.graphql[0]["query"] == "query { a }"


def test_query_table_with_data_path_and_columns(run: Invoker, server: FakeServer) -> None:
    server.answer(CUSTOMERS)
    result = run(
        ["graphql:query", "q", "-o", "table", "-d", "customers.nodes", "-c", "id,name,x.y"]
    )
    assert result.stdout.splitlines() == [
        " ID NAME X.Y ",
        " ── ──── ─── ",
        " C1 Acme 1   ",
        " C2 B        ",
    ]


def test_query_table_defaults_to_first_row_keys(run: Invoker, server: FakeServer) -> None:
    server.answer(CUSTOMERS)
    result = run(["graphql:query", "q", "-o", "table", "-d", "customers.nodes.0"])
    assert result.stdout.splitlines()[0] == " ID NAME X       "


def test_query_table_needs_objects(run: Invoker, server: FakeServer) -> None:
    server.answer(CUSTOMERS)
    result = run(["graphql:query", "q", "-o", "table", "-d", "customers.nodes.0.name"])
    assert result.exit_code == 2 and "does not lead to an object" in result.stderr


def test_query_errors_are_prefixed(run: Invoker, server: FakeServer) -> None:
    server.answer(body={"errors": [{"message": "Cannot query field 'nope'"}]})
    result = run(["graphql:query", "query { nope }"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: GraphQL query failed: Cannot query field 'nope'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-v", "{"], "--variables is not valid JSON"),
        (["-v", "[1]"], "must be a JSON object"),
        (["-v", "@/nonexistent/v.json"], "Cannot read /nonexistent/v.json"),
    ],
)
def test_query_bad_variables(
    run: Invoker, server: FakeServer, args: list[str], message: str
) -> None:
    result = run(["graphql:query", "query { a }", *args])
    assert result.exit_code == 2 and message in result.stderr and server.requests == []


def test_query_needs_exactly_one_source(run: Invoker, tmp_path: Path) -> None:
    (tmp_path / "q").write_text("query { a }", encoding="utf-8")
    assert "not both" in run(["graphql:query", "q", "-f", str(tmp_path / "q")]).stderr
    assert "No query given" in run(["graphql:query"], input="").stderr


ATTACHMENT = {
    "id": "A1",
    "name": "spec.pdf",
    "size": 3,
    "contentType": "application/pdf",
    "createdAt": "2026-11-22T10:00:00.000Z",
    "url": f"{BASE}/attachments/A1",
}


def test_attachments_list(run: Invoker, server: FakeServer) -> None:
    server.answer({"integration": {"attachments": {"nodes": [ATTACHMENT]}}})
    result = run(["integrations:attachments:list", "I1", "-x", "--output", "json"])
    assert json.loads(result.stdout)[0]["url"] == ATTACHMENT["url"]
    assert server.graphql[0] == {"query": attachments.LIST, "variables": {"id": "I1"}}


def test_attachments_upload(run: Invoker, server: FakeServer, tmp_path: Path) -> None:
    file = tmp_path / "spec.pdf"
    file.write_bytes(b"%PD")
    server.answer({"createAttachment": {"attachment": {"id": "A1"}, "errors": []}})
    assert run(["integrations:attachments:upload", "I1", str(file)]).stdout == "A1\n"
    assert server.variables == [
        {
            "integration": "I1",
            "name": "spec.pdf",
            "contentBase64": base64.b64encode(b"%PD").decode(),
            "contentType": "application/pdf",
        }
    ]


def test_attachments_download_by_name(run: Invoker, server: FakeServer, tmp_path: Path) -> None:
    server.answer({"integration": {"attachments": {"nodes": [ATTACHMENT]}}})
    server.routes["/attachments/A1"] = lambda _r: httpx.Response(200, content=b"%PD")
    target = tmp_path / "out.pdf"
    result = run(["integrations:attachments:download", "I1", "spec.pdf", "-o", str(target)])
    assert result.exit_code == 0 and target.read_bytes() == b"%PD"
    assert server.requests[-1].headers["Authorization"].startswith("Bearer ")


def test_attachments_download_unknown(run: Invoker, server: FakeServer) -> None:
    server.answer({"integration": {"attachments": {"nodes": [ATTACHMENT]}}})
    result = run(["integrations:attachments:download", "I1", "nope"])
    assert result.exit_code == 2 and "Attachment not found: nope" in result.stderr


def test_attachments_delete(run: Invoker, server: FakeServer) -> None:
    server.answer({"deleteAttachment": {"attachment": {"id": "A1"}, "errors": []}})
    result = run(["integrations:attachments:delete", "A1"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert server.variables == [{"id": "A1"}]


def test_root_lists_every_command_including_lazy_ones() -> None:
    names = cli.list_commands(click.Context(cli))
    for name in ("server", "db", "login", "me:token:revoke", "integrations:list", "graphql:query"):
        assert name in names


def test_lazy_server_command_is_importable_or_reports_why() -> None:
    result = CliRunner().invoke(cli, ["server", "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_unknown_command_and_version() -> None:
    assert CliRunner().invoke(cli, ["nope"]).exit_code == 2
    assert CliRunner().invoke(cli, ["--version"]).output.startswith("splice, version ")


def test_corrupt_config_file_is_one_line_exit_2(run: Invoker, tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text("profiles: [", encoding="utf-8")
    run.env = {"SPLICE_CONFIG_FILE": str(path)}
    result = run(["integrations:list"])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert str(path) in result.stderr and "Traceback" not in result.output


def test_connection_refused_is_one_line_exit_2(env: dict[str, str]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    state = AppState(env=env, transport=httpx.MockTransport(refuse))
    result = CliRunner().invoke(cli, ["integrations:list"], obj=state)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert f"{BASE}/api" in result.stderr and "splice server" in result.stderr


def test_print_requests_echoes_to_stderr(run: Invoker, server: FakeServer) -> None:
    server.answer({"a": 1})
    result = run(["graphql:query", "query { a }", "--print-requests", "-r"])
    assert result.stdout == '{"a":1}\n'
    assert result.stderr == "query { a }\nvariables: {}\n"
    run.env = {**run.env, "SPLICE_PRINT_REQUESTS": "1"}
    server.answer({"a": 1})
    assert "variables: {}" in run(["graphql:query", "query { a }"]).stderr
