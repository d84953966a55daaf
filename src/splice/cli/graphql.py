"""``graphql:query``: run any GraphQL document against the server (contract §3.6)."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import yaml

from splice.cli.documents import read_text
from splice.cli.errors import CLIError, GraphQLError
from splice.cli.output import Column, TableOptions, print_table
from splice.cli.state import command, open_client

__all__ = ["COMMANDS", "dig", "parse_variables"]


def dig(value: Any, path: str) -> Any:
    """Follow a dotted path (``customers.nodes``; list indexes allowed) into ``value``."""
    for part in [p for p in path.split(".") if p]:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def parse_variables(text: str | None) -> dict[str, Any]:
    """``-v``: a JSON object, or ``@file`` holding one."""
    if not text:
        return {}
    source = "--variables"
    if text.startswith("@"):
        source = text[1:]
        text = read_text(Path(source))
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise CLIError(f"{source} is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise CLIError(f'{source} must be a JSON object of variables, e.g. \'{{"id": "..."}}\'')
    return parsed


def _rows(data: Any, path: str | None) -> list[dict[str, Any]]:
    found = dig(data, path) if path else data
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list) and all(isinstance(item, dict) for item in found):
        return found
    raise CLIError(
        f"--dataPath '{path or ''}' does not lead to an object or a list of objects",
        fix="point -d at a list, e.g. -d customers.nodes",
    )


def _columns(rows: Sequence[dict[str, Any]], names: str | None) -> list[Column]:
    paths = (
        [p.strip() for p in names.split(",") if p.strip()]
        if names
        else list(rows[0] if rows else [])
    )
    return [Column(p, p.upper(), get=functools.partial(_cell, path=p)) for p in paths]


def _cell(row: Mapping[str, Any], path: str) -> Any:
    return dig(row, path)


@command("graphql:query")
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@click.option("-v", "--variables", metavar="JSON|@FILE", help="Variables as a JSON object.")
@click.option(
    "-o",
    "--output",
    "output_format",
    type=click.Choice(["json", "yaml", "table"]),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option("-c", "--columns", metavar="PATHS", help="Table columns (dotted paths).")
@click.option("-d", "--dataPath", "data_path", metavar="PATH", help="Table rows (dotted path).")
@click.option("-r", "--raw", is_flag=True, help="Compact JSON.")
def query(
    query: str | None,
    file: Path | None,
    variables: str | None,
    output_format: str,
    columns: str | None,
    data_path: str | None,
    raw: bool,
) -> None:
    """Run a GraphQL query or mutation and print its data."""
    if query and file:
        raise CLIError("Give the query either as an argument or with --file, not both")
    text = query or (read_text(file) if file else sys.stdin.read())
    if not text.strip():
        raise CLIError("No query given", fix="pass it as an argument, with --file, or on stdin")
    parsed = parse_variables(variables)
    try:
        data = open_client().graphql(text, parsed)
    except GraphQLError as exc:
        raise CLIError(f"GraphQL query failed: {exc.message}") from exc
    if output_format == "table":
        rows = _rows(data, data_path)
        print_table(rows, _columns(rows, columns), TableOptions())
    elif output_format == "yaml":
        click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    elif raw:
        click.echo(json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    else:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))


COMMANDS: list[click.Command] = [query]
