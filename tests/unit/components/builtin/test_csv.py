"""csv: rows from a sheet to CSV text, and CSV text from an SFTP file back to rows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splice.components.builtin.csv import COMPONENT, generate_from_object, parse
from splice.components.inputs import InputValueError
from splice.components.testing import invoke, make_context
from tests.unit.components.builtin import payloads


async def test_generate_quotes_where_needed_and_unions_columns() -> None:
    rows = payloads.data("csv", "sheet-rows.json")
    result = await invoke(
        COMPONENT,
        "generateFromObject",
        {"inputArray": rows, "delimiter": ",", "includeHeader": "true"},
    )
    assert result.split("\n") == [
        "order_id,customer,total,paid,notes",
        '1001,"Acme, Inc.",250.5,true,',
        '1002,"Globex ""West""",99,false,rush',
    ]


async def test_generate_without_header_with_semicolons_from_json_text() -> None:
    result = await invoke(
        COMPONENT,
        "generateFromObject",
        {"inputArray": '[{"a": 1, "b": {"c": 2}}]', "delimiter": ";", "includeHeader": "false"},
    )
    assert result == '1;"{""c"":2}"'


async def test_generate_refuses_rows_that_are_not_objects() -> None:
    with pytest.raises(InputValueError, match="inputArray"):
        await invoke(COMPONENT, "generateFromObject", {"inputArray": [["a", "b"]]})


async def test_parse_handles_quotes_crlf_and_multiline_fields() -> None:
    text = payloads.text("csv", "orders.csv")
    rows = await invoke(COMPONENT, "parse", {"csv": text, "delimiter": ","})
    assert rows == [
        ["order_id", "customer", "total"],
        ["1001", "Acme, Inc.", "250.50"],
        ["1002", 'Globex "West"', "99"],
        ["1003", "Initech\nSuite 5", "12"],
    ]


async def test_parse_reads_a_binary_file_result_and_tabs() -> None:
    file = {"data": "\ufeffa\tb\n1\t2\n".encode(), "contentType": "text/csv"}
    assert await invoke(COMPONENT, "parse", {"csv": file, "delimiter": "\\t"}) == [
        ["a", "b"],
        ["1", "2"],
    ]


async def test_parse_refuses_a_long_delimiter() -> None:
    with pytest.raises(InputValueError, match="delimiter"):
        await invoke(COMPONENT, "parse", {"csv": "a,b", "delimiter": "||"})


_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"))


@given(
    st.lists(st.lists(_CELL, min_size=2, max_size=2), min_size=1, max_size=5),
    st.sampled_from([",", ";", "|", "\\t"]),
)
@settings(max_examples=60, deadline=None)
def test_generated_csv_parses_back_to_the_same_cells(
    cells: list[list[str]], delimiter: str
) -> None:
    rows = [{"first": a, "second": b} for a, b in cells]
    ctx = make_context()
    text = generate_from_object(
        ctx, {"inputArray": rows, "delimiter": delimiter, "includeHeader": "true"}
    )
    parsed = parse(ctx, {"csv": text, "delimiter": delimiter})
    assert parsed == [["first", "second"], *cells]


@pytest.mark.parametrize("text", ['a,"b\n1,2', '"x"\n"unclosed', 'a,"b" c\n'])
async def test_parse_refuses_broken_quoting(text: str) -> None:
    with pytest.raises(InputValueError, match="input 'csv' is not valid CSV"):
        await invoke(COMPONENT, "parse", {"csv": text})


async def test_parse_says_when_a_quote_is_never_closed() -> None:
    with pytest.raises(InputValueError, match="a quoted field is never closed"):
        await invoke(COMPONENT, "parse", {"csv": 'a,"b\n1,2'})


async def test_parse_refuses_binary_that_is_not_utf8() -> None:
    with pytest.raises(InputValueError, match="input 'csv' holds binary data that is not UTF-8"):
        await invoke(COMPONENT, "parse", {"csv": {"data": b"a,\xff", "contentType": "text/csv"}})
