"""The prism table helper (contract §3.1), rendered without any server."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from splice.cli.errors import CLIError
from splice.cli.output import (
    Column,
    TableOptions,
    cell_text,
    check_table_options,
    natural_key,
    print_table,
    render_table,
    start_case,
    table_options,
)

COLUMNS = [
    Column("id", "ID", extended=True),
    Column("name"),
    Column("externalId", extended=True),
    Column("versionNumber", "Version"),
]
ROWS: list[dict[str, Any]] = [
    {"id": "A1", "name": "Beta", "externalId": None, "versionNumber": 10},
    {"id": "A2", "name": "alpha", "externalId": "x-2", "versionNumber": 9},
    {"id": "A3", "name": "Gamma", "externalId": "x-3", "versionNumber": 0},
]


def render(rows: list[dict[str, Any]] = ROWS, **flags: Any) -> str:
    return render_table(rows, COLUMNS, TableOptions(**flags))


@pytest.mark.parametrize(
    ("key", "header"),
    [
        ("externalId", "External Id"),
        ("customerid", "Customerid"),
        ("versionNumber", "Version Number"),
        ("id", "Id"),
        ("testUrl", "Test Url"),
        ("customerExternalId", "Customer External Id"),
        ("HTTPServer", "HTTP Server"),
        ("snake_case_key", "Snake Case Key"),
    ],
)
def test_start_case_matches_lodash(key: str, header: str) -> None:
    assert start_case(key) == header


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (2.0, "2"),
        (2.5, "2.5"),
        ("plain", "plain"),
        (["gold", "beta"], '["gold","beta"]'),
        ({"a": 1, "b": [None]}, '{"a":1,"b":[null]}'),
        ({"ü": "é"}, '{"ü":"é"}'),
    ],
)
def test_cell_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


def test_natural_order_compares_numbers_as_numbers() -> None:
    values = ["item10", "item2", "Item1", "", "item2b"]
    assert sorted(values, key=natural_key) == ["", "Item1", "item2", "item2b", "item10"]


def test_text_layout_has_leading_and_trailing_space_and_rule() -> None:
    assert render().splitlines() == [
        " Name  Version ",
        " ───── ─────── ",
        " Beta  10      ",
        " alpha 9       ",
        " Gamma 0       ",
    ]


def test_columns_id_no_header_prints_padded_ids() -> None:
    assert render(columns="id", no_header=True) == " A1 \n A2 \n A3 \n"


def test_extended_adds_extended_columns_in_definition_order() -> None:
    assert render(extended=True).splitlines()[0] == " ID Name  External Id Version "


def test_columns_accept_keys_or_headers_case_insensitively_in_given_order() -> None:
    out = render(columns="VERSION,external id,Name")
    assert out.splitlines()[0] == " Version External Id Name  "
    assert out.splitlines()[3] == " 9       x-2         alpha "


def test_widths_count_the_header_even_without_header() -> None:
    rows = [{"name": "ab", "versionNumber": 1}]
    assert render(rows, no_header=True) == " ab   1       \n"


def test_zero_rows_prints_header_and_rule_or_nothing() -> None:
    assert render([]) == " Name Version \n ──── ─────── \n"
    assert render([], no_header=True) == ""
    assert render([], output="json") == "[]\n"
    assert yaml.safe_load(render([], output="yaml")) == []


def test_multiline_cells_span_physical_lines() -> None:
    rows = [{"name": "two\nlines", "versionNumber": 1}]
    assert render(rows).splitlines()[2:] == [" two   1       ", " lines         "]


def test_wide_characters_are_padded_by_display_width() -> None:
    rows = [{"name": "日本", "versionNumber": 1}, {"name": "abcde", "versionNumber": 2}]
    assert render(rows).splitlines()[2] == " 日本  1       "


def test_json_output_is_strings_keyed_by_column_key() -> None:
    records = json.loads(render(extended=True, output="json"))
    assert records[0] == {"id": "A1", "name": "Beta", "externalId": "", "versionNumber": "10"}
    assert list(records[0]) == ["id", "name", "externalId", "versionNumber"]


def test_yaml_output_matches_json_output() -> None:
    assert yaml.safe_load(render(output="yaml")) == json.loads(render(output="json"))


def test_csv_output_quotes_only_when_needed() -> None:
    rows: list[dict[str, Any]] = [
        {"name": 'say "hi", then\nleave', "versionNumber": 1},
        {"name": "plain"},
    ]
    assert render(rows, csv=True) == 'Name,Version\n"say ""hi"", then\nleave",1\nplain,\n'
    assert render(rows, output="csv", columns="name") == 'Name\n"say ""hi"", then\nleave"\nplain\n'


def test_csv_uses_headers_and_honours_no_header_with_output_flag() -> None:
    assert render(output="csv", columns="id,name", no_header=True).splitlines()[0] == "A1,Beta"
    assert render(output="csv", columns="id,name").splitlines()[0] == "ID,Name"


def test_filter_is_unanchored_and_case_sensitive() -> None:
    assert render(filter="name=et", columns="id", no_header=True) == " A1 \n"
    assert render(filter="name=^[A-Z]", columns="id", no_header=True) == " A1 \n A3 \n"
    assert render(filter="name=^g", columns="id", no_header=True) == ""
    assert render(filter="name=^Alpha$", columns="id") == " ID \n ── \n"


def test_filter_minus_prefix_inverts() -> None:
    assert render(filter="-name=^[A-Z]", columns="id", no_header=True) == " A2 \n"


def test_filter_runs_on_hidden_columns_and_accepts_headers() -> None:
    assert render(filter="External Id=^x-3$", columns="name", no_header=True) == " Gamma \n"
    assert render(filter="externalid=^$", no_header=True) == " Beta 10      \n"


def test_filter_regex_may_contain_equals_sign() -> None:
    rows = [{"name": "a=b", "versionNumber": 1}, {"name": "ab", "versionNumber": 2}]
    assert render(rows, filter="name=a=b", columns="name", no_header=True) == " a=b  \n"


@pytest.mark.parametrize("spec", ["nope=x", "name", "=x", "name=(unclosed"])
def test_bad_filter_is_a_clear_error(spec: str) -> None:
    with pytest.raises(CLIError, match="Filter flag has an invalid value"):
        render(filter=spec)


def test_sort_is_natural_and_supports_descending() -> None:
    assert render(sort="version", columns="id", no_header=True) == " A3 \n A2 \n A1 \n"
    assert render(sort="-Version", columns="id", no_header=True) == " A1 \n A2 \n A3 \n"
    assert render(sort="name", columns="name", no_header=True) == " alpha \n Beta  \n Gamma \n"


def test_sort_by_several_keys() -> None:
    rows = [
        {"id": "1", "name": "b", "versionNumber": 1},
        {"id": "2", "name": "a", "versionNumber": 2},
        {"id": "3", "name": "a", "versionNumber": 1},
    ]
    assert render(rows, sort="name,-version", columns="id", no_header=True) == " 2  \n 3  \n 1  \n"


def test_unknown_sort_column_is_a_clear_error() -> None:
    with pytest.raises(CLIError, match="Sort flag has an invalid value: no column 'color'"):
        render(sort="color")


@pytest.mark.parametrize("output", [None, "csv", "json", "yaml"])
def test_unknown_columns_are_an_error_naming_them_and_the_valid_ones(output: str | None) -> None:
    # Splice deviates from prism here: prism drops unknown names silently (and crashes
    # when none is left); a typo must not silently change what a script reads
    with pytest.raises(CLIError) as caught:
        render(columns="id,nope, Colour ", output=output)
    assert caught.value.text == (
        "--columns has an invalid value: no columns 'nope', 'Colour' "
        "(valid columns: id, name, externalId, versionNumber)"
    )
    with pytest.raises(CLIError, match=r"no column 'nope' \(valid columns: id, name"):
        render(columns="nope")
    with pytest.raises(CLIError, match=r"no column 'nope'"):
        render([], columns="nope")


def test_empty_columns_flag_is_an_error() -> None:
    with pytest.raises(CLIError, match=r"--columns is empty \(valid columns: id, name"):
        render(columns=" , ")


def test_check_table_options_rejects_bad_flags_without_rows() -> None:
    check_table_options(COLUMNS, TableOptions(columns="id,Version", sort="-name", filter="id=A"))
    for options, message in [
        (TableOptions(columns="nope"), "no column 'nope'"),
        (TableOptions(sort="nope"), "Sort flag"),
        (TableOptions(filter="nope=x"), "Filter flag"),
        (TableOptions(filter="name=("), "bad regular expression"),
        (TableOptions(columns="id", extended=True), "--columns and --extended"),
    ]:
        with pytest.raises(CLIError, match=message):
            check_table_options(COLUMNS, options)


def test_repeated_columns_are_kept() -> None:
    assert render(columns="id,id", no_header=True).splitlines()[0] == " A1 A1 "


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"columns": "id", "extended": True}, "--columns and --extended"),
        ({"csv": True, "no_header": True}, "--csv and --no-header"),
    ],
)
def test_exclusive_flags(flags: dict[str, Any], message: str) -> None:
    with pytest.raises(CLIError, match=message):
        render(**flags)


def test_getters_read_nested_values() -> None:
    columns = [Column("customerName", get=lambda row: (row.get("customer") or {}).get("name"))]
    rows: list[dict[str, Any]] = [{"customer": {"name": "Acme"}}, {"customer": None}]
    out = render_table(rows, columns, TableOptions(output="json"))
    assert json.loads(out) == [{"customerName": "Acme"}, {"customerName": ""}]


@click.command()
@table_options
def _demo(table: TableOptions) -> None:
    print_table(ROWS, COLUMNS, table)


def test_table_options_decorator_adds_every_flag() -> None:
    result = CliRunner().invoke(
        _demo, ["--columns", "id,name", "--filter", "name=a", "--sort", "-name", "--no-truncate"]
    )
    assert result.exit_code == 0
    assert result.output == " ID Name  \n ── ───── \n A3 Gamma \n A1 Beta  \n A2 alpha \n"
    help_text = CliRunner().invoke(_demo, ["--help"]).output
    for flag in (
        "--columns",
        "--csv",
        "--extended",
        "--filter",
        "--no-header",
        "--no-truncate",
        "--output",
        "--sort",
    ):
        assert flag in help_text


def test_output_flag_rejects_unknown_formats() -> None:
    result = CliRunner().invoke(_demo, ["--output", "xml"])
    assert result.exit_code == 2


cells = st.text(alphabet=st.characters(exclude_categories=["Cs"]))


@given(st.lists(st.tuples(cells, cells), max_size=5))
def test_csv_round_trips_through_a_csv_reader(pairs: list[tuple[str, str]]) -> None:
    columns = [Column("a"), Column("b")]
    rows = [{"a": a, "b": b} for a, b in pairs]
    text = render_table(rows, columns, TableOptions(csv=True))
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [["A", "B"], *[[a, b] for a, b in pairs]]


@given(st.lists(st.text(alphabet="ab01 ", max_size=6), max_size=8))
def test_sort_is_a_stable_permutation(values: list[str]) -> None:
    rows = [{"name": v, "versionNumber": i} for i, v in enumerate(values)]
    out = render_table(rows, COLUMNS, TableOptions(sort="name", output="json"))
    names = [row["name"] for row in json.loads(out)]
    assert sorted(names) == sorted(values)
    keys = [natural_key(name) for name in names]
    assert keys == sorted(keys)
