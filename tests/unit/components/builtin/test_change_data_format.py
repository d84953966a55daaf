"""change-data-format: JSON, XML and form data as the exports feed them (trigger bodies, files)."""

from __future__ import annotations

import json

import pytest

from splice.components.builtin.change_data_format import COMPONENT
from splice.components.inputs import InputValueError
from splice.components.testing import invoke
from tests.unit.components.builtin import payloads


async def test_binary_to_json_serialises_the_webhook_body_compactly() -> None:
    body = {"name": "Acme", "website": "acme.test", "employees": 12, "tags": ["crm", "ü"]}
    text = await invoke(COMPONENT, "binaryToJson", {"data": body})
    assert text == '{"name":"Acme","website":"acme.test","employees":12,"tags":["crm","ü"]}'
    assert json.loads(text) == body


async def test_binary_to_json_passes_json_bytes_through() -> None:
    assert await invoke(COMPONENT, "binaryToJson", {"data": b'{"a":1}'}) == '{"a":1}'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("MTA0", "MTA0"),
        (1234567, "1234567"),
        (2.0, "2"),
        (False, "false"),
        ({"a": [1]}, '{"a":[1]}'),
    ],
)
async def test_convert_to_string(value: object, text: str) -> None:
    assert await invoke(COMPONENT, "convertToString", {"value": value}) == text


async def test_deserialize_form_data_reads_a_slack_interactivity_body() -> None:
    body = payloads.data("change-data-format", "slack-interactivity-body.json")
    form = await invoke(COMPONENT, "deserializeFormData", {"data": body})
    assert form["token"] == "abc"
    payload = await invoke(COMPONENT, "deserializeFromJson", {"data": form["payload"]})
    assert payload["actions"][0]["value"] == "approve:INC-42:true"


async def test_deserialize_form_data_keeps_repeated_keys_and_blanks() -> None:
    assert await invoke(COMPONENT, "deserializeFormData", {"data": "a=1&a=2&b=&c=x+y"}) == {
        "a": ["1", "2"],
        "b": "",
        "c": "x y",
    }


async def test_deserialize_json_reads_an_sns_message() -> None:
    notification = payloads.data("change-data-format", "sns-notification.json")
    message = await invoke(COMPONENT, "deserializeFromJson", {"data": notification["Message"]})
    assert message["Records"][0]["s3"]["object"]["key"] == "invoices/2024-05.csv"


async def test_deserialize_json_refuses_broken_text_and_passes_parsed_values() -> None:
    with pytest.raises(InputValueError, match="data"):
        await invoke(COMPONENT, "deserializeFromJson", {"data": '{"a": '})
    assert await invoke(COMPONENT, "deserializeFromJson", {"data": {"a": 1}}) == {"a": 1}


async def test_deserialize_xml_gives_the_shape_later_steps_read() -> None:
    xml = payloads.path("change-data-format", "order.xml").read_bytes()
    file_result = {"data": xml, "contentType": "application/xml"}
    result = await invoke(
        COMPONENT, "deserializeFromXml", {"data": file_result, "numbersAsStrings": "false"}
    )
    order = result["order"]
    assert order["item"]["name"] == "Widget"
    assert order["qty"] == 3
    assert order["price"] == 19.95
    assert order["item"]["sku"] == "007"  # leading zeros are an identifier, kept as text
    assert order["$"] == {"id": "A-1001"}
    assert order["note"] == {"$": {"lang": "en"}, "_": "Leave at the door"}
    assert order["tag"] == ["red", "large"]
    assert order["acme:ref"] == "x-9"
    assert order["empty"] == ""


async def test_deserialize_xml_numbers_as_strings() -> None:
    xml = payloads.text("change-data-format", "order.xml")
    result = await invoke(
        COMPONENT, "deserializeFromXml", {"data": xml, "numbersAsStrings": "true"}
    )
    assert result["order"]["qty"] == "3"
    assert result["order"]["item"]["sku"] == "007"


async def test_deserialize_xml_refuses_malformed_text_and_entity_bombs() -> None:
    with pytest.raises(InputValueError, match="XML"):
        await invoke(COMPONENT, "deserializeFromXml", {"data": "<order><qty>3</order>"})
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]><l>&i;</l>"
    )
    with pytest.raises(InputValueError, match="XML"):
        await invoke(COMPONENT, "deserializeFromXml", {"data": bomb})


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ('{"a":1e400}', "too large"),
        ('{"a":1, "b":NaN}', "NaN"),
        ("[Infinity]", "Infinity"),
        ("-Infinity", "-Infinity"),
        ("[1" + "0" * 400 + "]", "too large"),
    ],
)
async def test_json_that_javascript_would_refuse_or_overflow_is_refused(
    text: str, cause: str
) -> None:
    with pytest.raises(InputValueError, match=f"input 'data' is not valid JSON .*{cause}"):
        await invoke(COMPONENT, "deserializeFromJson", {"data": text})


async def test_json_keeps_ordinary_large_and_small_numbers() -> None:
    parsed = await invoke(COMPONENT, "deserializeFromJson", {"data": "[1e308, -2.5e-300, 10]"})
    assert parsed == [1e308, -2.5e-300, 10]


@pytest.mark.parametrize("action", ["deserializeFromJson", "binaryToJson"])
async def test_bytes_that_are_not_utf8_name_the_input(action: str) -> None:
    binary = {"data": b'{"a":"\xff"}', "contentType": "application/json"}
    with pytest.raises(InputValueError, match="input 'data' holds binary data that is not UTF-8"):
        await invoke(COMPONENT, action, {"data": binary})


async def test_convert_to_string_decodes_a_binary_result() -> None:
    binary = {"data": "héllo".encode(), "contentType": "text/plain"}
    assert await invoke(COMPONENT, "convertToString", {"value": binary}) == "héllo"
    assert await invoke(COMPONENT, "convertToString", {"value": b"plain"}) == "plain"


async def test_convert_to_string_refuses_bytes_that_are_not_utf8() -> None:
    binary = {"data": b"\x89PNG\r\n", "contentType": "image/png"}
    with pytest.raises(InputValueError, match="input 'value' holds binary data that is not UTF-8"):
        await invoke(COMPONENT, "convertToString", {"value": binary})


async def test_convert_to_string_keeps_an_object_with_a_data_key_as_json() -> None:
    value = {"data": "x", "contentType": "text/plain"}
    assert await invoke(COMPONENT, "convertToString", {"value": value}) == (
        '{"data":"x","contentType":"text/plain"}'
    )


async def test_xml_text_ignores_its_declared_encoding_and_bytes_follow_it() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><r>café</r>'
    assert await invoke(COMPONENT, "deserializeFromXml", {"data": text}) == {"r": "café"}
    latin1 = {"data": text.encode("latin-1"), "contentType": "application/xml"}
    assert await invoke(COMPONENT, "deserializeFromXml", {"data": latin1}) == {"r": "café"}
