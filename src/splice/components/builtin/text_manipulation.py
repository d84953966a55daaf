"""The `text-manipulation` core component: join, split and change text (spec 15).

Text inputs take the string form of any value (``to_text``); bytes and binary step results
(``{data: bytes, contentType}``, e.g. an ``http`` response read as binary) are taken as their
UTF-8 text, and fail naming the input when they are not UTF-8.
"""

from __future__ import annotations

from typing import Any

from splice.components.builtin._support import text_input
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_int, as_list
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_text = component(
    "text-manipulation",
    label="Text Manipulation",
    description="Join, split and change text",
    category="Data",
)

# The picklist stores the escape sequence as written (``\n``); a real newline is taken as is.
_NEWLINES = {"\\n": "\n", "\\r\\n": "\r\n", "\\r": "\r", "\n": "\n", "\r\n": "\r\n", "\r": "\r"}


@_text.action(
    "join",
    label="Join",
    description="Joins strings with a separator",
    inputs=(
        Input("strings", "Strings", required=True, collection="valuelist"),
        Input("separator", "Separator"),
    ),
)
def join(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """Each item's string form, joined by ``separator`` (empty means none)."""
    strings = as_list(inputs.get("strings"), key="strings")
    return text_input(inputs.get("separator"), "separator").join(
        text_input(item, "strings") for item in strings
    )


@_text.action(
    "joinLines",
    label="Join Lines",
    description="Joins strings with newlines",
    inputs=(
        Input("strings", "Strings", required=True, collection="valuelist"),
        Input("newlineType", "Newline Type", type="picklist", default="\\n"),
        Input("numberOfNewlines", "Number of Newlines", default="1"),
    ),
)
def join_lines(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """Items joined by ``numberOfNewlines`` newlines of ``newlineType`` (``\\n``, ``\\r\\n``)."""
    strings = as_list(inputs.get("strings"), key="strings")
    kind = text_input(inputs.get("newlineType"), "newlineType") or "\\n"
    newline = _NEWLINES.get(kind)
    if newline is None:
        raise InputValueError(f"expects \\n, \\r\\n or \\r, got {kind!r}", "newlineType")
    count = as_int(inputs.get("numberOfNewlines"), 1, key="numberOfNewlines")
    if count < 0:
        raise InputValueError("expects zero or more", "numberOfNewlines")
    return (newline * count).join(text_input(item, "strings") for item in strings)


@_text.action(
    "replace",
    label="Find & Replace",
    description="Replaces every occurrence of a string",
    inputs=(
        Input("text", "Text", required=True),
        Input("find", "Find", required=True),
        Input("replace", "Replace"),
    ),
)
def replace(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """``text`` with every occurrence of ``find`` replaced (an empty ``find`` changes nothing)."""
    text = text_input(inputs.get("text"), "text")
    find = text_input(inputs.get("find"), "find")
    if not find:
        return text
    return text.replace(find, text_input(inputs.get("replace"), "replace"))


@_text.action(
    "split",
    label="Split String",
    description="Splits text on a separator",
    inputs=(Input("text", "Text", required=True), Input("separator", "Separator")),
)
def split(ctx: ActionContext, inputs: dict[str, Any]) -> list[str]:
    """The pieces of ``text`` between separators; no separator gives ``[text]``."""
    text = text_input(inputs.get("text"), "text")
    separator = text_input(inputs.get("separator"), "separator")
    if not separator:
        return [text]
    return text.split(separator)


@_text.action(
    "upperCase",
    label="Upper Case",
    description="Returns the text upper-cased",
    inputs=(Input("text", "Text", required=True),),
)
def upper_case(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """The text upper-cased."""
    return text_input(inputs.get("text"), "text").upper()


COMPONENT = _text.build()
MANIFEST = COMPONENT.manifest
