"""text-manipulation: inputs shaped as the exports send them (value lists, strings)."""

from __future__ import annotations

import pytest

from splice.components.builtin.text_manipulation import COMPONENT
from splice.components.inputs import InputValueError
from splice.components.testing import invoke


async def test_join_with_empty_separator_as_databricks_builds_an_s3_path() -> None:
    parts = ["s3://acme-bucket/unity-catalog/", "sales", "/", "orders.csv"]
    result = await invoke(COMPONENT, "join", {"strings": parts, "separator": ""})
    assert result == "s3://acme-bucket/unity-catalog/sales/orders.csv"


async def test_join_turns_numbers_and_objects_into_text() -> None:
    result = await invoke(
        COMPONENT, "join", {"strings": [1, 2.0, True, {"a": 1}], "separator": "|"}
    )
    assert result == '1|2|true|{"a":1}'


async def test_join_lines_reads_the_escaped_picklist_value_and_count() -> None:
    assert await invoke(COMPONENT, "joinLines", {"strings": ["a", "b"]}) == "a\nb"
    result = await invoke(
        COMPONENT,
        "joinLines",
        {"strings": ["a", "b"], "newlineType": "\\r\\n", "numberOfNewlines": "2"},
    )
    assert result == "a\r\n\r\nb"


async def test_join_lines_refuses_an_unknown_newline() -> None:
    with pytest.raises(InputValueError, match="newlineType"):
        await invoke(COMPONENT, "joinLines", {"strings": ["a"], "newlineType": "<br>"})


async def test_replace_changes_every_occurrence_like_moving_a_dropbox_path() -> None:
    result = await invoke(
        COMPONENT,
        "replace",
        {
            "text": "/Unprocessed/a.xml /Unprocessed/b.xml",
            "find": "/Unprocessed",
            "replace": "/Processed",
        },
    )
    assert result == "/Processed/a.xml /Processed/b.xml"


async def test_replace_with_unset_replacement_deletes() -> None:
    assert (
        await invoke(COMPONENT, "replace", {"text": "a-b-c", "find": "-", "replace": ""}) == "abc"
    )


async def test_split_gives_indexable_pieces() -> None:
    result = await invoke(COMPONENT, "split", {"text": "approve:INC-42:true", "separator": ":"})
    assert result == ["approve", "INC-42", "true"]
    assert await invoke(COMPONENT, "split", {"text": "orders.csv", "separator": "."}) == [
        "orders",
        "csv",
    ]


async def test_split_without_separator_keeps_the_text_whole() -> None:
    assert await invoke(COMPONENT, "split", {"text": "a b", "separator": ""}) == ["a b"]


async def test_upper_case() -> None:
    assert await invoke(COMPONENT, "upperCase", {"text": "Comment body ß"}) == "COMMENT BODY SS"


async def test_text_actions_read_a_binary_result_as_its_utf8_text() -> None:
    binary = {"data": "a,b,ç".encode(), "contentType": "text/plain"}
    assert await invoke(COMPONENT, "split", {"text": binary, "separator": ","}) == ["a", "b", "ç"]
    assert await invoke(COMPONENT, "upperCase", {"text": binary}) == "A,B,Ç"
    assert await invoke(COMPONENT, "join", {"strings": [binary, b"x"], "separator": "|"}) == (
        "a,b,ç|x"
    )
    assert (
        await invoke(COMPONENT, "replace", {"text": binary, "find": ",", "replace": ";"}) == "a;b;ç"
    )


async def test_text_actions_refuse_bytes_that_are_not_utf8() -> None:
    binary = {"data": b"\xff\xfe", "contentType": "application/octet-stream"}
    with pytest.raises(InputValueError, match="input 'text' holds binary data that is not UTF-8"):
        await invoke(COMPONENT, "upperCase", {"text": binary})
