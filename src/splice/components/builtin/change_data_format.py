"""The `change-data-format` core component: convert data between JSON, XML, form data and strings.

XML becomes objects the way xml2js does with ``explicitArray: false``: the root element is the
top key, a repeated child becomes a list, attributes sit under ``$`` and text next to children
or attributes under ``_``; namespaced names keep their prefix (``soap:Body``). Unless
``numbersAsStrings``, numeric text becomes numbers
(text with leading zeros, such as ``007``, stays text). Parsing uses the standard library's expat,
which refuses entity-expansion bombs and never fetches external entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, cast
from urllib.parse import parse_qs

from splice.components.builtin._support import (
    parse_json_text,
    text_input,
    to_json_text,
    to_text,
    unwrap_binary,
    utf8_text,
)
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_bool
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST", "xml_to_object"]

_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")

_format = component(
    "change-data-format",
    label="Change Data Format",
    description="Convert data between JSON, XML, form data and strings",
    category="Data",
)


@_format.action(
    "binaryToJson",
    label="JavaScript Object to JSON",
    description="Serialises an object to JSON text",
    inputs=(Input("data", "Data", type="data", required=True),),
)
def binary_to_json(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """``JSON.stringify(data)``; binary data (bytes) is taken to be JSON text already."""
    data = unwrap_binary(inputs.get("data"))
    if isinstance(data, bytes | bytearray | memoryview):
        return utf8_text(data, "data")
    return to_json_text(data)


@_format.action(
    "convertToString",
    label="Convert to String",
    description="Returns the value's string form",
    inputs=(Input("value", "Value", type="data", required=True),),
)
def convert_to_string(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """Numbers as JavaScript prints them, objects and lists as JSON; bytes and binary results
    (``{data: bytes, contentType}``) as their UTF-8 text."""
    return text_input(inputs.get("value"), "value")


@_format.action(
    "deserializeFormData",
    label="Deserialize URL-encoded Form Data",
    description="Parses form-encoded text into an object",
    inputs=(Input("data", "Data", type="data", required=True),),
)
def deserialize_form_data(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    """``a=1&b=2`` as ``{a: "1", b: "2"}``; a repeated key gives a list. Takes a trigger body."""
    data = unwrap_binary(inputs.get("data"))
    if isinstance(data, dict):
        return data  # already parsed (a form body the trigger decoded)
    parsed = parse_qs(to_text(data).lstrip("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


@_format.action(
    "deserializeFromJson",
    label="Deserialize JSON",
    description="Parses JSON text",
    inputs=(Input("data", "Data", type="data", required=True),),
)
def deserialize_from_json(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    """The parsed value; a value that is already parsed (not text) is returned as is."""
    return parse_json_text(inputs.get("data"), "data")


@_format.action(
    "deserializeFromXml",
    label="Deserialize XML",
    description="Parses XML text into an object",
    inputs=(
        Input("data", "Data", type="data", required=True),
        Input("numbersAsStrings", "Numbers as Strings", type="boolean", default="false"),
    ),
)
def deserialize_from_xml(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    """``<order><qty>2</qty></order>`` as ``{order: {qty: 2}}``."""
    data = unwrap_binary(inputs.get("data"))
    raw = bytes(data) if isinstance(data, bytes | bytearray | memoryview) else to_text(data)
    numbers_as_strings = as_bool(inputs.get("numbersAsStrings"), key="numbersAsStrings")
    return xml_to_object(raw, numbers_as_strings=numbers_as_strings)


def xml_to_object(xml: str | bytes, *, numbers_as_strings: bool = False) -> dict[str, Any]:
    """Parse XML into ``{rootName: value}`` (xml2js ``explicitArray: false`` shape).

    Bytes are decoded as their XML declaration says (UTF-8 without one). A ``str`` is text
    already, so its declared ``encoding`` is ignored (expat is told the text is UTF-8).
    """
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start-ns", "end"))
    prefixes: dict[str, str] = {}
    root: ET.Element | None = None
    try:
        parser.feed(xml)
        parser.close()
        for event, item in cast("list[tuple[str, Any]]", list(parser.read_events())):
            if event == "start-ns":
                prefix, uri = item
                prefixes.setdefault(uri, prefix)
            else:
                root = item
    except ET.ParseError as error:
        raise InputValueError(f"is not well-formed XML ({error})", "data") from None
    if root is None:
        raise InputValueError("holds no XML element", "data")
    convert = _Converter(prefixes, numbers_as_strings)
    return {convert.name(root.tag): convert.element(root)}


class _Converter:
    def __init__(self, prefixes: dict[str, str], numbers_as_strings: bool) -> None:
        self._prefixes = prefixes
        self._numbers_as_strings = numbers_as_strings

    def name(self, tag: str) -> str:
        if tag.startswith("{"):
            uri, _, local = tag[1:].partition("}")
            prefix = self._prefixes.get(uri, "")
            return f"{prefix}:{local}" if prefix else local
        return tag

    def scalar(self, text: str) -> Any:
        if not self._numbers_as_strings and _NUMBER.fullmatch(text.strip()):
            number = float(text)
            return int(number) if "." not in text and "e" not in text.lower() else number
        return text

    def element(self, element: ET.Element) -> Any:
        text = "".join([element.text or ""] + [child.tail or "" for child in element])
        has_text = bool(text.strip())
        if not element.attrib and len(element) == 0:
            return self.scalar(text) if has_text else ""
        node: dict[str, Any] = {}
        if element.attrib:
            node["$"] = {self.name(k): self.scalar(v) for k, v in element.attrib.items()}
        children: dict[str, list[Any]] = {}
        for child in element:
            children.setdefault(self.name(child.tag), []).append(self.element(child))
        for key, values in children.items():
            node[key] = values[0] if len(values) == 1 else values
        if has_text:
            node["_"] = self.scalar(text.strip())
        return node


COMPONENT = _format.build()
MANIFEST = COMPONENT.manifest
