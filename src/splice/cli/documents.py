"""YAML definitions on disk and on screen: read UTF-8 or UTF-16LE, dump like prism (js-yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from splice.cli.errors import CLIError

__all__ = ["config_variable_keys", "decode_text", "dump_yaml", "parse_yaml", "read_text"]


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key (``key:\\n  - item``), as js-yaml does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def decode_text(raw: bytes) -> str:
    """Decode file bytes: a UTF-16 byte-order mark or NUL-interleaved text means UTF-16LE."""
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if len(raw) >= 2 and raw[1] == 0 and raw[0] != 0:
        return raw.decode("utf-16-le")
    return raw.decode("utf-8")


def read_text(path: Path) -> str:
    """Read a text file, naming the file when it cannot be read or decoded."""
    try:
        return decode_text(path.read_bytes())
    except OSError as exc:
        raise CLIError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeError as exc:
        raise CLIError(f"{path} is neither UTF-8 nor UTF-16LE text") from exc


def parse_yaml(text: str, what: str) -> Any:
    """Parse YAML, naming ``what`` and the line when it is malformed."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise CLIError(f"{what} is not valid YAML{where}") from exc


def dump_yaml(data: Any) -> str:
    """Dump data as block-style YAML with keys in their original order."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


def config_variable_keys(definition: Any) -> set[str]:
    """Keys of the config variables in ``configPages[].elements[].value`` of a definition."""
    keys: set[str] = set()
    pages = definition.get("configPages") if isinstance(definition, dict) else None
    for page in pages if isinstance(pages, list) else []:
        elements = page.get("elements") if isinstance(page, dict) else None
        for element in elements if isinstance(elements, list) else []:
            if isinstance(element, dict) and isinstance(element.get("value"), str):
                keys.add(element["value"])
    return keys
