"""Models -> canonical YAML and plain data.

Canonical means: block style, keys sorted alphabetically at every level (what Prismatic's exporter
mostly does, so diffs against exports stay small), sequences indented under their key, multi-line
strings as literal blocks, and every string that a YAML 1.1 *or* 1.2 reader would take for
something else (``no``, ``0``, ``1:30``, ``0o12``, ``null``, ``~``) quoted, so PyYAML, js-yaml and
ruamel all read the same data back. Only fields the source set are written (``exclude_unset``).
"""

from __future__ import annotations

from typing import Any

import yaml
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver

from splice.definition.models import IntegrationDefinition
from splice.definition.parse import from_data

__all__ = ["dump", "dump_data", "from_data", "to_data"]

_STR_TAG = "tag:yaml.org,2002:str"
_YAML12 = VersionedResolver(version=(1, 2))


class _Dumper(yaml.SafeDumper):
    """SafeDumper with js-yaml-like indentation and strings that read the same in YAML 1.1/1.2."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in data:
        style = "|"
    elif _YAML12.resolve(RuamelScalarNode, data, (True, False)) != _STR_TAG:
        style = "'"
    return dumper.represent_scalar(_STR_TAG, data, style=style)


_Dumper.add_representer(str, _represent_str)


def to_data(model: IntegrationDefinition) -> dict[str, Any]:
    """Plain JSON-compatible data with camelCase keys, only the keys the source had."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def dump_data(data: Any) -> str:
    """Plain data as canonical YAML text."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


def dump(model: IntegrationDefinition) -> str:
    """A definition as canonical YAML text (``load(dump(m))`` gives ``m`` back)."""
    return dump_data(to_data(model))
