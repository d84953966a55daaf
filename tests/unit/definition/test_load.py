"""Loading: YAML 1.2 reading, string coercion, limits, encodings and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from splice.definition import IntegrationDefinition, load, to_data
from splice.errors import DefinitionError
from tests.unit.definition.corpus import FIXTURES, LEGACY, corpus_file, params, valid_files

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", params(valid_files()))
def test_every_v7_file_loads(path: Path) -> None:
    model = load(path.read_bytes())
    assert isinstance(model, IntegrationDefinition)
    assert model.definition_version == 7
    assert model.flows, "every corpus file has flows"
    assert all(flow.steps[0].is_trigger for flow in model.flows)


def test_legacy_file_is_rejected_as_unsupported_version() -> None:
    with pytest.raises(DefinitionError) as info:
        load(corpus_file(LEGACY).read_bytes())
    assert "unsupported definition version" in info.value.message
    assert info.value.fix and "definitionVersion: 7" in info.value.fix
    assert info.value.field == "definitionVersion"


@pytest.mark.parametrize("version", ["5", "8", '"7"', "7.0", "true"])
def test_other_versions_are_rejected(version: str) -> None:
    text = MINIMAL.replace("definitionVersion: 7", f"definitionVersion: {version}")
    with pytest.raises(DefinitionError, match="unsupported definition version"):
        load(text)


def test_version_6_is_accepted() -> None:
    assert (
        load(MINIMAL.replace("definitionVersion: 7", "definitionVersion: 6")).definition_version
        == 6
    )


def test_malformed_yaml_reports_line_and_column() -> None:
    text = "definitionVersion: 7\nname: x\nflows:\n  - name: [unclosed\n    steps: []\n"
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert re.search(r"line \d+, column \d+", info.value.message), info.value.message
    assert info.value.message.startswith("YAML syntax error")


def test_bad_indentation_points_at_the_line() -> None:
    text = "definitionVersion: 7\nname: x\n  flows: []\n"
    with pytest.raises(DefinitionError, match=r"line 3, column \d+"):
        load(text)


def test_duplicate_keys_are_a_syntax_error_with_position() -> None:
    with pytest.raises(DefinitionError, match=r"line 3, column 1"):
        load("definitionVersion: 7\nname: a\nname: b\nflows: []\n")


def test_control_character_reports_position() -> None:
    with pytest.raises(DefinitionError, match=r"line 2, column 7"):
        load("definitionVersion: 7\nname: \x07\n")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("- a\n- b\n", "must be a YAML mapping, but it is a list"),
        ("", "must be a YAML mapping, but it is empty"),
        ("just text", "must be a YAML mapping, but it is a str"),
        ("definitionVersion: 7\nflows: []\n", "no 'name'"),
        ("definitionVersion: 7\nname: x\n", "no 'flows'"),
    ],
)
def test_document_shape_errors_name_the_problem(text: str, needle: str) -> None:
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert needle in info.value.message


def test_model_errors_name_flow_and_step() -> None:
    text = MINIMAL.replace("          key: httpPost\n", "")
    with pytest.raises(DefinitionError) as info:
        load(text)
    message = info.value.message
    assert "flows[0].steps[1].action.key" in message
    assert "'Forward Payload'" in message and "'POST Request'" in message


def test_oversized_text_and_bytes_are_rejected() -> None:
    with pytest.raises(DefinitionError, match="limit is 1000 bytes"):
        load(MINIMAL + "#" * 1000, max_bytes=1000)
    with pytest.raises(DefinitionError, match="limit is 1000 bytes"):
        load((MINIMAL + "#" * 1000).encode(), max_bytes=1000)
    assert load(MINIMAL, max_bytes=len(MINIMAL.encode())).name == "Echo Example"


def test_size_limit_counts_encoded_bytes() -> None:
    text = MINIMAL.replace("Echo Example", "É" * 400)
    with pytest.raises(DefinitionError):
        load(text, max_bytes=len(text) + 10)  # 400 extra bytes once encoded


def test_alias_bomb_is_rejected() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = "definitionVersion: 7\nname: bomb\nflows: []\n" + "\n".join(lines) + "\n"
    assert len(text) < 2000
    with pytest.raises(DefinitionError, match="aliases expand to more than"):
        load(text)


def test_a_few_small_aliases_are_fine() -> None:
    text = MINIMAL + "x-shared: &shared {a: 1}\nx-copy: *shared\n"
    model = load(text)
    assert to_data(model)["x-copy"] == {"a": 1}


def test_recursive_alias_is_rejected() -> None:
    with pytest.raises(DefinitionError, match="alias"):
        load(MINIMAL + "loop: &l [1, *l]\n")


def test_utf8_bom_and_utf16le_bom_are_decoded() -> None:
    assert load(b"\xef\xbb\xbf" + MINIMAL.encode()).name == "Echo Example"
    assert load(b"\xff\xfe" + MINIMAL.encode("utf-16-le")).name == "Echo Example"
    assert load("\ufeff" + MINIMAL).name == "Echo Example"


def test_invalid_utf8_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="not valid UTF-8"):
        load(MINIMAL.encode() + b"\n# \xff\xfe\xfa\n")


def test_yaml_12_scalars_and_input_values_become_strings() -> None:
    model = load((FIXTURES / "hand-written-scalars.yaml").read_bytes())
    inputs = model.flows[0].steps[0].inputs
    assert inputs["statusCode"].value == "200"
    assert inputs["contentType"].value == "no"  # YAML 1.1 would read False
    assert inputs["body"].value == "1:30"  # YAML 1.1 would read 90
    headers = inputs["headers"].value
    assert [h["value"] for h in headers] == ["1e3", "true", "", "2024-01-01", "012"]
    assert headers[1]["name"] == "404"


def test_unknown_keys_are_kept_at_every_level() -> None:
    text = MINIMAL.replace("name: Echo Example", "name: Echo Example\npreviewExperience: {a: 1}")
    text = text.replace(
        "    isSynchronous: false", "    isSynchronous: false\n    isAgentFlow: true"
    )
    text = text.replace("        isTrigger: true", "        isTrigger: true\n        stableKey: s1")
    text = text.replace(
        "responseType: {type: value, value: json}",
        "responseType: {type: value, value: json, futureKey: [1, 2]}",
    )
    data = to_data(load(text))
    assert data["previewExperience"] == {"a": 1}
    assert data["flows"][0]["isAgentFlow"] is True
    assert data["flows"][0]["steps"][0]["stableKey"] == "s1"
    assert data["flows"][0]["steps"][1]["inputs"]["responseType"]["futureKey"] == [1, 2]


def test_snake_case_keys_are_unknown_keys_not_fields() -> None:
    text = MINIMAL.replace("    isSynchronous: false", "    is_synchronous: true")
    data = to_data(load(text))
    assert data["flows"][0]["is_synchronous"] is True
    assert "isSynchronous" not in data["flows"][0]


def test_unsupported_yaml_types_are_rejected() -> None:
    with pytest.raises(DefinitionError, match="unsupported YAML value of type bytes"):
        load(MINIMAL + "blob: !!binary aGVsbG8=\n")


def test_deep_nesting_is_refused_quickly() -> None:
    text = "definitionVersion: 7\nname: x\nflows: []\ndeep: " + "[" * 20000 + "]" * 20000 + "\n"
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert "nests more than 100 levels" in info.value.message
    assert "line 4" in info.value.message


def test_moderate_nesting_is_fine() -> None:
    text = MINIMAL + "deep: " + "[" * 60 + "]" * 60 + "\n"
    assert load(text).name == "Echo Example"
