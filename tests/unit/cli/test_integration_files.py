"""``integrations:export|import|validate-yaml|diff`` and the YAML helpers behind them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

from splice.cli import integration_files
from splice.cli.documents import config_variable_keys, decode_text, dump_yaml
from tests.unit.cli.fakes import FakeServer, Invoker

DEFINITION = """definitionVersion: 7
name: Min
flows:
  - name: Flow 1
    steps: [{name: trigger, isTrigger: true}]
configPages:
  - elements: [{type: configVar, value: Endpoint}, {type: configVar, value: Token}]
"""
IMPORTED = {
    "importIntegration": {
        "integration": {
            "id": "IID",
            "flows": {"nodes": []},
            "testConfigVariables": {"nodes": []},
            "systemInstance": {"id": "S", "flowConfigs": {"nodes": []}},
        },
        "errors": [],
    }
}


@pytest.fixture
def min_yml(tmp_path: Path) -> Path:
    path = tmp_path / "min.yml"
    path.write_text(DEFINITION, encoding="utf-8")
    return path


def test_export_reprints_yaml_with_a_blank_line(run: Invoker, server: FakeServer) -> None:
    server.answer({"integration": {"definition": DEFINITION}})
    result = run(["integrations:export", "IID"])
    assert server.variables == [{"id": "IID", "version": 7, "useLatestComponentVersions": False}]
    assert result.stdout.endswith("\n\n")
    assert yaml.safe_load(result.stdout) == yaml.safe_load(DEFINITION)
    assert "flows:\n  - name: Flow 1\n" in result.stdout


def test_export_flags(run: Invoker, server: FakeServer) -> None:
    server.answer({"integration": {"definition": DEFINITION}})
    run(["integrations:export", "IID", "-l", "-v", "6"])
    assert server.variables == [{"id": "IID", "version": 6, "useLatestComponentVersions": True}]


def test_export_of_invalid_yaml_is_a_clear_error(run: Invoker, server: FakeServer) -> None:
    server.answer({"integration": {"definition": "a: [1"}})
    result = run(["integrations:export", "IID"])
    assert result.exit_code == 2 and "not valid YAML (line" in result.stderr


def test_import_sends_replace_false_and_prints_the_id(
    run: Invoker, server: FakeServer, min_yml: Path
) -> None:
    server.answer(IMPORTED)
    result = run(["integrations:import", "-p", str(min_yml)])
    assert (result.exit_code, result.stdout) == (0, "IID\n")
    assert server.graphql[0] == {
        "query": integration_files.IMPORT,
        "variables": {"definition": DEFINITION, "replace": False},
    }
    assert 'testConfigVariables(status: "pending")' in integration_files.IMPORT


def test_import_reads_utf16le_files(run: Invoker, server: FakeServer, tmp_path: Path) -> None:
    path = tmp_path / "utf16.yml"
    path.write_bytes(b"\xff\xfe" + DEFINITION.encode("utf-16-le"))
    server.answer(IMPORTED)
    run(["integrations:import", "-p", str(path), "-i", "IID"])
    assert server.variables == [
        {"definition": DEFINITION, "replace": False, "integrationId": "IID"}
    ]


def test_import_replace_warns_about_dropped_config_variables(
    run: Invoker, server: FakeServer, min_yml: Path
) -> None:
    old = DEFINITION.replace("value: Token}", "value: Token}, {type: configVar, value: Gone}")
    server.answer({"integration": {"definition": old}})
    server.answer(IMPORTED)
    result = run(["integrations:import", "-p", str(min_yml), "-i", "IID", "-r", "--no-confirm"])
    assert result.stdout == "IID\n"
    assert "config variable 'Gone' is not in the new definition" in result.stderr
    assert server.variables[0] == {"integrationId": "IID"}
    assert server.variables[1]["replace"] is True


def test_import_replace_needs_an_id(run: Invoker, server: FakeServer, min_yml: Path) -> None:
    result = run(["integrations:import", "-p", str(min_yml), "--replace"])
    assert result.exit_code == 2 and "--replace needs --integrationId" in result.stderr


def test_import_with_icon_sets_it_after_import(
    run: Invoker, server: FakeServer, min_yml: Path, tmp_path: Path
) -> None:
    icon = tmp_path / "icon.png"
    icon.write_bytes(b"\x89PNG")
    server.answer(IMPORTED)
    server.answer({"updateIntegration": {"integration": {"id": "IID"}, "errors": []}})
    result = run(["integrations:import", "-p", str(min_yml), "--icon-path", str(icon)])
    assert result.stdout == "IID\n"
    assert server.variables[1] == {"id": "IID", "iconBase64": base64.b64encode(b"\x89PNG").decode()}


def test_icon_failure_is_only_a_warning(
    run: Invoker, server: FakeServer, min_yml: Path, tmp_path: Path
) -> None:
    icon = tmp_path / "icon.png"
    icon.write_bytes(b"x")
    server.answer(IMPORTED)
    errors = [{"field": "iconBase64", "messages": ["not a PNG"]}]
    server.answer({"updateIntegration": {"integration": None, "errors": errors}})
    result = run(["integrations:import", "-p", str(min_yml), "--icon-path", str(icon)])
    assert (result.exit_code, result.stdout) == (0, "IID\n")
    assert "Error setting integration icon: iconBase64: not a PNG" in result.stderr


def test_import_without_integration_fails(run: Invoker, server: FakeServer, min_yml: Path) -> None:
    server.answer({"importIntegration": {"integration": None, "errors": []}})
    result = run(["integrations:import", "-p", str(min_yml)])
    assert (result.exit_code, result.stderr) == (2, "Error: Failed to import integration\n")


def test_validate_yaml_valid(run: Invoker, server: FakeServer, min_yml: Path) -> None:
    server.answer({"validateIntegrationSchema": {"result": {"isValid": True}, "errors": []}})
    result = run(["integrations:validate-yaml", str(min_yml)])
    assert (result.exit_code, result.stdout) == (0, "✓ Integration YAML is valid\n")
    assert server.graphql[0] == {
        "query": integration_files.VALIDATE,
        "variables": {"definition": DEFINITION},
    }


def test_validate_yaml_from_stdin_with_payload_errors(run: Invoker, server: FakeServer) -> None:
    errors = [{"field": "flows", "messages": ["Flow 'A' step 'b': unknown action"]}]
    server.answer({"validateIntegrationSchema": {"result": None, "errors": errors}})
    result = run(["integrations:validate-yaml", "-"], input=DEFINITION)
    assert result.exit_code == 2
    assert result.stderr == "Error: Validation failed: flows: Flow 'A' step 'b': unknown action\n"


def test_validate_yaml_invalid_without_errors(
    run: Invoker, server: FakeServer, min_yml: Path
) -> None:
    server.answer({"validateIntegrationSchema": {"result": {"isValid": False}, "errors": []}})
    result = run(["integrations:validate-yaml", str(min_yml)])
    assert result.stderr == "Error: Validation failed: Validation failed\n"


def test_validate_yaml_empty_file_sends_nothing(
    run: Invoker, server: FakeServer, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.yml"
    empty.write_text("  \n", encoding="utf-8")
    assert run(["integrations:validate-yaml", str(empty)]).exit_code == 2
    assert run(["integrations:validate-yaml", str(tmp_path / "missing.yml")]).exit_code == 2
    assert server.requests == []


def test_diff_prints_the_server_diff(run: Invoker, server: FakeServer) -> None:
    text = "--- base\n+++ head\n@@ -1 +1 @@\n-name: A\n+name: B\n"
    server.answer({"integrationDiff": {"diff": text}})
    result = run(["integrations:diff", "V1", "I1"])
    assert result.stdout == text
    assert server.graphql[0] == {
        "query": integration_files.DIFF,
        "variables": {"base": "V1", "head": "I1"},
    }
    server.answer({"integrationDiff": {"diff": ""}})
    assert run(["integrations:diff", "V1", "V1"]).stdout == ""


def test_decode_text_variants() -> None:
    assert decode_text("é".encode()) == "é"
    assert decode_text(b"\xef\xbb\xbfa") == "a"
    assert decode_text("ab".encode("utf-16-le")) == "ab"


def test_dump_yaml_keeps_order_and_indents_lists() -> None:
    assert dump_yaml({"b": 1, "a": [{"x": "y"}]}) == "b: 1\na:\n  - x: y\n"


def test_config_variable_keys_tolerates_odd_shapes() -> None:
    assert config_variable_keys(yaml.safe_load(DEFINITION)) == {"Endpoint", "Token"}
    assert config_variable_keys({"configPages": "x"}) == set()
    assert config_variable_keys(None) == set()
