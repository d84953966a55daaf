"""``splice dev run``: a flow runs from a YAML file with no server and no database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from splice.cli.main import cli

DEFINITION = """
definitionVersion: 7
name: Dev Demo
requiredConfigVars:
  - {key: Greeting, dataType: string, defaultValue: Hello}
flows:
  - name: Greet
    steps:
      - name: Trigger
        isTrigger: true
        action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
        inputs: {}
      - name: Loop Over Items
        action: {key: loopOverItems, component: {key: loop, version: LATEST}}
        inputs: {items: {type: reference, value: trigger.results.body.data.names}}
        steps:
          - name: Say
            action: {key: writeLog, component: {key: log, version: LATEST}}
            inputs:
              message: {type: template, value: "{{#Greeting}}, {{$loopOverItems.currentItem}}"}
          - name: Count
            action: {key: incrementExecutionValue, component: {key: persist-data, version: LATEST}}
            inputs: {keyInput: {type: value, value: n}}
  - name: Caller
    steps:
      - name: Trigger
        isTrigger: true
        action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
        inputs: {}
      - name: Invoke
        action: {key: invokeFlow, component: {key: cross-flow, version: LATEST}}
        inputs:
          flowName: {type: value, value: Greet}
          data: {type: reference, value: trigger.results.body.data}
  - name: Broken
    steps:
      - name: Trigger
        isTrigger: true
        action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
        inputs: {}
      - name: Loop
        action: {key: loopOverItems, component: {key: loop, version: LATEST}}
        inputs: {items: {type: value, value: "not a list"}}
        steps: []
"""


def _file(tmp_path: Path) -> str:
    path = tmp_path / "demo.yaml"
    path.write_text(DEFINITION)
    return str(path)


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_runs_a_flow_and_prints_step_results(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["dev", "run", _file(tmp_path), "--flow", "Greet", "--payload", '{"names": ["a", "b"]}',
         "--config", "Greeting=Hi"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [line["step"] for line in lines[:-1]] == [
        "trigger",
        "loopOverItems[0].say",
        "loopOverItems[0].count",
        "loopOverItems[1].say",
        "loopOverItems[1].count",
        "loopOverItems",
    ]
    assert lines[-1]["execution"] == "succeeded"
    assert lines[-1]["data"] == [1, 2]
    assert "[info] loopOverItems[1].say: Hi, b" in result.stderr


def test_payload_from_file_and_invoked_flows(tmp_path: Path) -> None:
    payload = tmp_path / "p.json"
    payload.write_text('{"names": ["z"]}')
    result = CliRunner().invoke(
        cli, ["dev", "run", _file(tmp_path), "--flow", "Caller", "--payload", f"@{payload}"]
    )
    assert result.exit_code == 0, result.output
    assert "Hello, z" in result.stderr
    assert _lines(result.stdout)[-1]["data"] == {"executionId": "invoked-Greet"}


def test_failed_execution_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dev", "run", _file(tmp_path), "--flow", "Broken"])
    assert result.exit_code == 1
    summary = _lines(result.stdout)[-1]
    assert summary["execution"] == "failed"
    assert summary["failedStep"] == "loop"


def test_user_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    file = _file(tmp_path)
    cases = [
        (["--flow", "Nope"], "no flow named 'Nope'; flows: Greet, Caller, Broken"),
        (["--flow", "Greet", "--payload", "{x"], "--payload is not valid JSON"),
        (["--flow", "Greet", "--config", "Other=1"], "unknown config variable 'Other'"),
        (["--flow", "Greet", "--config", "Greeting"], "--config expects KEY=VALUE"),
        ([], "--flow is required"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, ["dev", "run", file, *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    result = CliRunner().invoke(cli, ["dev", "run", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("flows: [")
    result = CliRunner().invoke(cli, ["dev", "run", str(bad)])
    assert result.exit_code == 2
    assert "YAML syntax error" in result.stderr


CHECKED = """
definitionVersion: 7
name: Dev Checks
requiredConfigVars:
  - {key: Count, dataType: number, defaultValue: "3"}
  - {key: Enabled, dataType: boolean}
flows:
  - name: Saver
    steps:
      - name: Trigger
        isTrigger: true
        action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
        inputs: {}
      - name: Save
        action: {key: saveInstanceValue, component: {key: persist-data, version: LATEST}}
        inputs: {keyInput: {type: value, value: k}, valueInput: {type: value, value: mine}}
      - name: Invoke
        action: {key: invokeFlow, component: {key: cross-flow, version: LATEST}}
        inputs: {flowName: {type: value, value: Reader}, data: {type: value, value: ""}}
  - name: Reader
    steps:
      - name: Trigger
        isTrigger: true
        action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
        inputs: {}
      - name: Read
        action: {key: getInstanceValue, component: {key: persist-data, version: LATEST}}
        inputs: {keyInput: {type: value, value: k}}
      - name: Types
        action: {key: runCode, component: {key: code, version: LATEST}}
        inputs:
          code:
            type: value
            value: >-
              module.exports = async (context) => ({data: [typeof context.configVars.Count,
              context.configVars.Count, context.configVars.Enabled]});
  - name: Broken
    steps:
      - name: Trigger
        isTrigger: true
        action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
        inputs: {}
      - name: Log
        action: {key: writeLog, component: {key: log, version: LATEST}}
        inputs: {message: {type: reference, value: nosuch.results.x}}
"""


def _checked(tmp_path: Path) -> str:
    path = tmp_path / "checked.yaml"
    path.write_text(CHECKED)
    return str(path)


def test_a_broken_flow_is_refused_before_it_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dev", "run", _checked(tmp_path), "--flow", "Broken"])
    assert result.exit_code == 2, result.output
    assert "the definition has 1 problem(s)" in result.stderr
    assert "Flow 'Broken', step 'Log', input 'message'" in result.stderr
    assert "nosuch.results.x" in result.stderr
    assert result.stdout == ""  # nothing ran
    # the other flows run, with the broken flow's problem as a warning
    result = CliRunner().invoke(cli, ["dev", "run", _checked(tmp_path), "--flow", "Reader"])
    assert result.exit_code == 0, result.output
    assert "[warning] Flow 'Broken', step 'Log'" in result.stderr


def test_each_flow_has_its_own_flow_scope(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dev", "run", _checked(tmp_path), "--flow", "Saver"])
    assert result.exit_code == 0, result.output
    steps = {line.get("step"): line for line in _lines(result.stdout)}
    assert steps["read"]["data"] is None  # Saver's flow value is not Reader's


def test_config_values_are_checked_and_typed_as_on_a_deployed_instance(tmp_path: Path) -> None:
    file = _checked(tmp_path)
    result = CliRunner().invoke(
        cli, ["dev", "run", file, "--flow", "Reader", "--config", "Enabled=true"]
    )
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout)[-1]["data"] == ["number", 3, True]
    result = CliRunner().invoke(
        cli, ["dev", "run", file, "--flow", "Reader", "--config", "Count=abc"]
    )
    assert result.exit_code == 2
    assert "--config Count:" in result.stderr and "must be a number" in result.stderr
