"""The `csv` core component: parse and generate CSV text (spec 15).

Generated CSV quotes only where needed and separates lines with ``\\n`` (no trailing newline);
nested values are written as JSON. Parsed rows are lists of strings.
"""

from __future__ import annotations

import csv as _csv
import io
from typing import Any

from splice.components.builtin._support import (
    parse_json_text,
    text_input,
    to_text,
    unwrap_binary,
)
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_bool, as_list
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_csv_component = component(
    "csv", label="CSV", description="Parse and generate CSV text", category="Data"
)


def _delimiter(value: Any) -> str:
    delimiter = to_text(value) or ","
    if delimiter in ("\\t", "tab"):
        return "\t"
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise InputValueError(f"expects one character, got {delimiter!r}", "delimiter")
    return delimiter


def _cell(value: Any) -> str:
    return "" if value is None else to_text(value)


@_csv_component.action(
    "generateFromObject",
    label="Generate CSV",
    description="Returns CSV text for a list of flat objects",
    inputs=(
        Input("inputArray", "Input Array", type="data", required=True),
        Input("delimiter", "Delimiter", default=","),
        Input("includeHeader", "Include Header", type="boolean", default="true"),
    ),
)
def generate_from_object(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """Columns are the objects' keys in first-seen order; a missing key gives an empty cell."""
    rows = as_list(parse_json_text(inputs.get("inputArray"), "inputArray"), key="inputArray")
    columns: dict[str, None] = {}
    for row in rows:
        if not isinstance(row, dict):
            raise InputValueError(f"expects a list of objects, found {row!r}", "inputArray")
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = _csv.writer(out, delimiter=_delimiter(inputs.get("delimiter")), lineterminator="\n")
    if as_bool(inputs.get("includeHeader"), True, key="includeHeader"):
        writer.writerow(columns)
    for row in rows:
        writer.writerow(_cell(row.get(column)) for column in columns)
    return out.getvalue().removesuffix("\n")


@_csv_component.action(
    "parse",
    label="Parse CSV",
    description="Returns the rows of CSV text",
    inputs=(
        Input("csv", "CSV", type="text", required=True),
        Input("delimiter", "Delimiter", default=","),
    ),
)
def parse(ctx: ActionContext, inputs: dict[str, Any]) -> list[list[str]]:
    """Every row as a list of strings (quoted fields may span lines); blank lines are skipped.

    Quoting is strict (RFC 4180): a quote that is never closed, or text after a closing quote,
    fails naming the input instead of swallowing the rest of the text into one field.
    """
    text = text_input(unwrap_binary(inputs.get("csv")), "csv").removeprefix("\ufeff")
    reader = _csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(inputs.get("delimiter")), strict=True
    )
    try:
        return [row for row in reader if row]
    except _csv.Error as error:
        reason = str(error)
        if reason == "unexpected end of data":
            reason = "a quoted field is never closed"
        raise InputValueError(
            f"is not valid CSV (line {reader.line_num}: {reason})", "csv"
        ) from None


COMPONENT = _csv_component.build()
MANIFEST = COMPONENT.manifest
