"""prism's table output (contract §3.1): columns, filter, sort and text/csv/json/yaml rendering.

Every cell is turned into a string first; ``--filter`` runs on all columns (hidden ones too),
then ``--sort``, then ``--columns``/``-x`` choose what is shown.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click
import yaml
from rich.cells import cell_len

from splice.cli.errors import CLIError

__all__ = [
    "Column",
    "TableOptions",
    "cell_text",
    "check_table_options",
    "natural_key",
    "print_table",
    "render_table",
    "start_case",
    "table_options",
]

RULE = "\u2500"
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_CHUNK = re.compile(r"(\d+)")
_Row = Mapping[str, Any]


def start_case(key: str) -> str:
    """lodash ``startCase``: ``externalId`` → ``External Id``, ``customerid`` → ``Customerid``."""
    return " ".join(word[0].upper() + word[1:] for word in _WORD.findall(key))


def cell_text(value: Any) -> str:
    """A cell as text: null → ``""``, booleans → ``true``/``false``, objects → compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key for natural ordering: digit runs compare as numbers, text case-insensitively."""
    parts: list[tuple[int, int, str]] = []
    for index, chunk in enumerate(_CHUNK.split(text)):
        if not chunk:
            continue
        if index % 2:
            parts.append((0, int(chunk), chunk))
        else:
            parts.append((1, 0, chunk.casefold()))
    return tuple(parts)


@dataclass(frozen=True)
class Column:
    """A table column: ``key`` (JSON key, flag name), ``header`` and whether it is extended."""

    key: str
    header: str | None = None
    extended: bool = False
    get: Callable[[_Row], Any] | None = None

    @property
    def title(self) -> str:
        """The explicit header, else the start case of the key."""
        return self.header if self.header is not None else start_case(self.key)

    def value(self, row: _Row) -> Any:
        """The raw value of this column for ``row``."""
        return self.get(row) if self.get is not None else row.get(self.key)

    def named(self, name: str) -> bool:
        """Whether ``name`` (case-insensitive) is this column's key or header."""
        wanted = name.strip().casefold()
        return wanted in (self.key.casefold(), self.title.casefold())


@dataclass(frozen=True)
class TableOptions:
    """The eight table flags of every list command."""

    columns: str | None = None
    csv: bool = False
    extended: bool = False
    filter: str | None = None
    no_header: bool = False
    no_truncate: bool = False
    output: str | None = None
    sort: str | None = None


def _find(columns: Sequence[Column], name: str, flag: str) -> Column:
    for column in columns:
        if column.named(name):
            return column
    known = ", ".join(c.key for c in columns)
    raise CLIError(f"{flag} has an invalid value: no column '{name}' (columns: {known})")


def _filtered(
    rows: list[dict[str, str]], columns: Sequence[Column], spec: str
) -> list[dict[str, str]]:
    name, sep, pattern = spec.partition("=")
    invert = name.startswith("-")
    if not sep or not name.lstrip("-"):
        raise CLIError(f"Filter flag has an invalid value: '{spec}' is not COLUMN=REGEX")
    column = _find(columns, name.lstrip("-"), "Filter flag")
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise CLIError(f"Filter flag has an invalid value: bad regular expression ({exc})") from exc
    return [row for row in rows if (regex.search(row[column.key]) is None) == invert]


def _sorted(
    rows: list[dict[str, str]], columns: Sequence[Column], spec: str
) -> list[dict[str, str]]:
    keys = [name.strip() for name in spec.split(",") if name.strip()]
    for name in reversed(keys):
        column = _find(columns, name.lstrip("-"), "Sort flag")
        rows = sorted(
            rows, key=lambda row: natural_key(row[column.key]), reverse=name.startswith("-")
        )
    return rows


def _shown(columns: Sequence[Column], options: TableOptions) -> list[Column]:
    if options.columns is None:
        return [c for c in columns if options.extended or not c.extended]
    known = ", ".join(c.key for c in columns)
    names = [name.strip() for name in options.columns.split(",") if name.strip()]
    if not names:
        raise CLIError("--columns is empty", fix=f"valid columns: {known}")
    picked = [(name, _pick(columns, name)) for name in names]
    unknown = [repr(name) for name, column in picked if column is None]
    if unknown:
        noun = "column" if len(unknown) == 1 else "columns"
        raise CLIError(
            f"--columns has an invalid value: no {noun} {', '.join(unknown)}",
            fix=f"valid columns: {known}",
        )
    return [column for _, column in picked if column is not None]


def _pick(columns: Sequence[Column], name: str) -> Column | None:
    return next((c for c in columns if c.named(name)), None)


def check_table_options(columns: Sequence[Column], options: TableOptions) -> None:
    """Raise ``CLIError`` for flags that cannot work with ``columns`` (before any I/O)."""
    _conflicts(options)
    if options.filter is not None:
        _filtered([], columns, options.filter)
    if options.sort:
        _sorted([], columns, options.sort)
    _shown(columns, options)


def _conflicts(options: TableOptions) -> None:
    if options.columns is not None and options.extended:
        raise CLIError("--columns and --extended cannot be used together")
    if options.csv and options.no_header:
        raise CLIError("--csv and --no-header cannot be used together")


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def _text(rows: list[dict[str, str]], columns: list[Column], header: bool, bold: bool) -> str:
    widths = [
        max([cell_len(c.title)] + [cell_len(line) for r in rows for line in r[c.key].split("\n")])
        for c in columns
    ]
    lines: list[str] = []
    if header:
        titles = " ".join(_pad(c.title, w) for c, w in zip(columns, widths, strict=True))
        lines.append(" " + (click.style(titles, bold=True) if bold else titles) + " ")
        lines.append(" " + " ".join(RULE * w for w in widths) + " ")
    for row in rows:
        cells = [row[c.key].split("\n") for c in columns]
        for index in range(max(len(cell) for cell in cells)):
            parts = [cell[index] if index < len(cell) else "" for cell in cells]
            lines.append(
                " " + " ".join(_pad(p, w) for p, w in zip(parts, widths, strict=True)) + " "
            )
    return "".join(line + "\n" for line in lines)


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(rows: list[dict[str, str]], columns: list[Column], header: bool) -> str:
    lines = [[c.title for c in columns]] if header else []
    lines += [[row[c.key] for c in columns] for row in rows]
    return "".join(",".join(_csv_cell(cell) for cell in line) + "\n" for line in lines)


def render_table(
    data: Sequence[_Row], columns: Sequence[Column], options: TableOptions, *, bold: bool = False
) -> str:
    """Render ``data`` as prism renders tables; bad flags raise ``CLIError``.

    Column widths count the header even with ``--no-header``, as prism's do.
    """
    _conflicts(options)
    shown = _shown(columns, options)
    rows = [{c.key: cell_text(c.value(item)) for c in columns} for item in data]
    if options.filter is not None:
        rows = _filtered(rows, columns, options.filter)
    if options.sort:
        rows = _sorted(rows, columns, options.sort)
    form = "csv" if options.csv else options.output
    header = not options.no_header
    if form == "csv":
        return _csv(rows, shown, header)
    records = [{c.key: row[c.key] for c in shown} for row in rows]
    if form == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if form == "yaml":
        return yaml.safe_dump(records, sort_keys=False, allow_unicode=True)
    if not header and not rows:
        return ""
    return _text(rows, shown, header, bold)


def print_table(data: Sequence[_Row], columns: Sequence[Column], options: TableOptions) -> None:
    """Render and write the table to stdout (bold headers only on a colour terminal)."""
    click.echo(render_table(data, columns, options, bold=True), nl=False)


_FLAGS: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option("--columns", metavar="COLUMNS", help="Only show these columns (comma-separated)."),
    click.option("--csv", is_flag=True, help="Output as CSV (same as --output=csv)."),
    click.option("-x", "--extended", is_flag=True, help="Show extra columns."),
    click.option("--filter", metavar="COLUMN=REGEX", help="Keep rows whose column matches."),
    click.option("--no-header", is_flag=True, help="Hide the table header."),
    click.option("--no-truncate", is_flag=True, help="Do not truncate output (never done)."),
    click.option("--output", type=click.Choice(["csv", "json", "yaml"]), help="Output format."),
    click.option("--sort", metavar="[-]COLUMN,...", help="Sort by columns ('-' for descending)."),
]


def table_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the table flags to a command; the command receives them as ``table: TableOptions``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        options = TableOptions(
            **{name: kwargs.pop(name) for name in TableOptions.__dataclass_fields__}
        )
        return func(*args, table=options, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for flag in reversed(_FLAGS):
        decorated = flag(decorated)
    return decorated
