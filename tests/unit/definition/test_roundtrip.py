"""Round trip: parse -> dump -> parse gives the same data, for the corpus and generated documents.

Equality is over parsed data (PyYAML ``safe_load``, a YAML 1.1 reader) after the spec's string
coercion of input values, never over bytes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from splice.definition import dump, from_data, load, to_data
from splice.definition.coerce import coerce_definition_data
from tests.unit.definition.corpus import FIXTURES, params, valid_files


def expected_data(text: str | bytes) -> Any:
    return coerce_definition_data(yaml.safe_load(text))


@pytest.mark.parametrize("path", params(valid_files()))
def test_corpus_round_trip(path: Path) -> None:
    text = path.read_bytes()
    out = dump(load(text))
    assert yaml.safe_load(out) == expected_data(text)


@pytest.mark.parametrize("path", params(valid_files()))
def test_dump_is_canonical_and_stable(path: Path) -> None:
    once = dump(load(path.read_bytes()))
    assert dump(load(once)) == once


@pytest.mark.parametrize("path", params(valid_files()))
def test_to_data_from_data_round_trip(path: Path) -> None:
    model = load(path.read_bytes())
    data = to_data(model)
    assert to_data(from_data(copy.deepcopy(data))) == data
    assert dump(from_data(data)) == dump(model)


def test_hand_written_scalars_round_trip_as_strings() -> None:
    text = (FIXTURES / "hand-written-scalars.yaml").read_text(encoding="utf-8")
    out = dump(load(text))
    data = yaml.safe_load(out)
    inputs = data["flows"][0]["steps"][0]["inputs"]
    assert inputs["contentType"]["value"] == "no"
    assert inputs["body"]["value"] == "1:30"
    assert inputs["statusCode"]["value"] == "200"
    assert data == yaml.safe_load(dump(load(out)))


def test_absent_keys_are_not_added() -> None:
    text = (
        "definitionVersion: 7\nname: Bare\nflows:\n  - name: F\n    steps:\n"
        "      - name: T\n        isTrigger: true\n"
        "        action: {key: webhook, component: {key: webhook-triggers}}\n"
    )
    assert yaml.safe_load(dump(load(text))) == yaml.safe_load(text)


def test_dump_layout_is_block_style_with_sorted_keys() -> None:
    out = dump(load((FIXTURES / "minimal.yaml").read_bytes()))
    assert "{key:" not in out and "[" not in out
    top_keys = [line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()]
    assert top_keys == sorted(top_keys)
    assert "flows:\n  - description:" in out  # sequences indented under their key


def test_multiline_strings_are_literal_blocks() -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        'description: ""\ncategory', 'description: "line one\\nline two\\n"\ncategory'
    )
    out = dump(load(text))
    assert "description: |\n  line one\n  line two\n" in out


AMBIGUOUS = [
    "no",
    "No",
    "yes",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "0",
    "012",
    "0o12",
    "0x1F",
    "1_000",
    "1:30",
    "190:20:30",
    "null",
    "Null",
    "~",
    "",
    "1e3",
    ".inf",
    "-.5",
    "+1",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "=",
    "<<",
    "007",
]


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_ambiguous_strings_read_back_as_strings_in_yaml_11_and_12(value: str) -> None:
    model = load(f"definitionVersion: 7\nname: x\nflows: []\nextra: {json.dumps(value)}\n")
    out = dump(model)
    assert yaml.safe_load(out)["extra"] == value  # YAML 1.1 (PyYAML)
    assert YAML(typ="safe", pure=True).load(out)["extra"] == value  # YAML 1.2 (ruamel)
    assert load(out).model_extra == {"extra": value}


# ---- property test ------------------------------------------------------------------------

# Printable text (what YAML allows raw), with tabs, newlines, quotes, emoji and non-ASCII letters.
_chars = st.characters(
    blacklist_categories=("Cs", "Co", "Cn", "Cc", "Zl", "Zp"),
    blacklist_characters="\ufeff",
    whitelist_characters="\t\n",
)
SYNTAX_LIKE = ["a: b", "- x", "#c", "'q'", '"dq"', "{x}", "[y]", "@", "`", "% p", "&a", "*b"]
SYNTAX_LIKE += ["!t", "|", ">", "?", "trailing ", " lead", "tab\tin", "end\n", "\n\nblank"]
_odd_text = st.one_of(
    st.sampled_from([*AMBIGUOUS, *SYNTAX_LIKE]),
    st.text(alphabet=_chars, max_size=40),
    st.lists(st.text(alphabet=_chars, max_size=12), min_size=1, max_size=4).map("\n".join),
)
_name = st.text(alphabet=_chars, min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@st.composite
def _input(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["value", "template", "complex"]))
    if kind == "complex":
        items = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"name": _odd_text, "type": st.just("value"), "value": _odd_text}
                ),
                max_size=3,
            )
        )
        return {"type": "complex", "value": items}
    return {"type": kind, "value": draw(_odd_text)}


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    flows = []
    for flow_name in draw(st.lists(_name, min_size=1, max_size=3, unique=True)):
        steps = [
            {
                "name": draw(_name),
                "description": draw(_odd_text),
                "isTrigger": index == 0,
                "action": {
                    "key": draw(st.sampled_from(["webhook", "writeLog"])),
                    "component": {
                        "key": draw(st.sampled_from(["webhook-triggers", "log", "x-y"])),
                        "version": draw(st.one_of(st.just("LATEST"), st.integers(0, 99))),
                        "isPublic": draw(st.booleans()),
                    },
                },
                "inputs": draw(st.dictionaries(_name, _input(), max_size=3)),
            }
            for index in range(draw(st.integers(1, 3)))
        ]
        flows.append({"name": flow_name, "description": draw(_odd_text), "steps": steps})
    doc: dict[str, Any] = {
        "definitionVersion": draw(st.sampled_from([6, 7])),
        "name": draw(_name),
        "description": draw(_odd_text),
        "labels": draw(st.lists(_odd_text, max_size=3)),
        "flows": flows,
    }
    if draw(st.booleans()):
        doc["requiredConfigVars"] = [
            {"key": draw(_name), "dataType": "string", "defaultValue": draw(_odd_text)}
        ]
    if draw(st.booleans()):
        doc["unknownTopLevel"] = {draw(_name): draw(st.one_of(_odd_text, st.integers()))}
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_property_parse_dump_parse(doc: dict[str, Any]) -> None:
    source = json.dumps(doc, ensure_ascii=False, indent=1)  # JSON is YAML 1.2 with no ambiguity
    model = load(source)
    out = dump(model)
    assert yaml.safe_load(out) == doc
    assert to_data(load(out)) == to_data(model)
    assert dump(load(out)) == out
