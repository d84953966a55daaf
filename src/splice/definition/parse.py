"""YAML text -> plain data -> models, refusing anything unsafe or unsupported with a clear error.

YAML 1.2 rules (ruamel.yaml, safe constructor), so ``no`` and ``1:30`` stay strings; dates stay
strings too, because the definition format has none. Untrusted input is bounded: a size limit, and
a limit on how far aliases expand (an "alias bomb" is tiny as text and huge as data).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from splice.definition.coerce import coerce_definition_data
from splice.definition.models import IntegrationDefinition
from splice.errors import DefinitionError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "SUPPORTED_VERSIONS",
    "from_data",
    "load",
    "parse_yaml",
]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ALIAS_EXPANSION = 10_000
MAX_DEPTH = 100  # exports nest about 20 deep; deeper input only costs parse time
SUPPORTED_VERSIONS = (6, 7)


class _Int(int):
    """An int that remembers its YAML text, so string coercion can give back what was written."""

    yaml_text: str


class _Float(float):
    """A float that remembers its YAML text (``1e3`` stays ``"1e3"`` once coerced)."""

    yaml_text: str


class _Constructor(SafeConstructor):
    """The safe constructor, with numbers that keep their text and timestamps left as strings."""

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        number = _Int(super().construct_yaml_int(node))
        number.yaml_text = str(node.value)
        return number

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        number = _Float(super().construct_yaml_float(node))
        number.yaml_text = str(node.value)
        return number

    def construct_yaml_timestamp(self, node: ScalarNode, values: Any = None) -> Any:
        return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    return yaml


def _decode(text: str | bytes, max_bytes: int) -> str:
    """Bytes -> text: UTF-8 (BOM optional) or UTF-16 with a BOM; enforce the size limit."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise DefinitionError(
            f"the definition is {size} bytes; the limit is {max_bytes} bytes",
            field="definition",
            fix="split the integration or remove unused steps",
        )
    if isinstance(text, str):
        return text.removeprefix("\ufeff")
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if text.startswith(bom):
            return _decode_bytes(text[len(bom) :], codec)
    return _decode_bytes(text.removeprefix(b"\xef\xbb\xbf"), "utf-8")


def _decode_bytes(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"the definition is not valid {codec.upper()} text (bad byte at offset {exc.start})",
            field="definition",
            fix="save the file as UTF-8",
        ) from None


def _syntax_error(exc: YAMLError, text: str) -> DefinitionError:
    """A YAML error as a DefinitionError whose message carries line and column (1-based)."""
    line = column = None
    problem = str(exc)
    fix = "correct the YAML near that position (indentation, quoting, duplicate keys)"
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        line, column = exc.problem_mark.line + 1, exc.problem_mark.column + 1
        problem = exc.problem or problem
    elif isinstance(exc, ReaderError):
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        problem = f"character {exc.character!r} is not allowed in YAML"
    if isinstance(exc, MaxDepthExceededError):
        problem = f"the document nests more than {MAX_DEPTH} levels deep"
        fix = "flatten the data; exported definitions nest about 20 levels"
    where = f" at line {line}, column {column}" if line is not None else ""
    return DefinitionError(f"YAML syntax error{where}: {problem}", field="definition", fix=fix)


def _check_expansion(root: Node) -> None:
    """Refuse alias graphs that are recursive or expand to MAX_ALIAS_EXPANSION extra nodes.

    Composed nodes are shared where aliases point, so the expanded size is the sum over
    references while the distinct size counts each node once; their difference is what aliases
    add when the data is copied out (pydantic, JSON storage, the dumper).
    """
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in open_ids:
            raise DefinitionError(
                f"YAML alias at line {node.start_mark.line + 1} refers to a node that contains it",
                field="definition",
                fix="remove recursive aliases; write the data out in full",
            )
        open_ids.add(id(node))
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        open_ids.discard(id(node))
        sizes[id(node)] = total
        return total

    if size(root) - len(sizes) > MAX_ALIAS_EXPANSION:
        raise DefinitionError(
            f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes",
            field="definition",
            fix="write the data out instead of repeating it through anchors and aliases",
        )


def _plain(value: Any, path: str) -> Any:
    """Plain JSON-like data: number subclasses dropped, mapping keys as strings."""
    if isinstance(value, dict):
        return {_key_text(k): _plain(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise DefinitionError(
        f"unsupported YAML value of type {type(value).__name__} at {path.lstrip('.')}",
        field="definition",
        fix="use only strings, numbers, booleans, null, lists and mappings",
    )


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int | float):
        return str(getattr(key, "yaml_text", key))
    raise DefinitionError(
        f"unsupported YAML mapping key {key!r}",
        field="definition",
        fix="use plain strings as mapping keys",
    )


def parse_yaml(text: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Parse YAML text into plain data (no model yet); syntax errors carry line and column."""
    decoded = _decode(text, max_bytes)
    yaml = _yaml()
    try:
        node = yaml.compose(decoded)  # one parse; depth is capped while composing
        if node is None:
            return None
        _check_expansion(node)
        return yaml.constructor.construct_document(node)
    except YAMLError as exc:
        raise _syntax_error(exc, decoded) from None


def _check_document(data: Any) -> dict[str, Any]:
    """Refuse non-mappings, unsupported versions and documents without name or flows."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise DefinitionError(
            f"the definition must be a YAML mapping, but it is {kind}",
            field="definition",
            fix="export the integration from Prismatic or Splice as YAML (definitionVersion 7)",
        )
    version = data.get("definitionVersion")
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or version not in SUPPORTED_VERSIONS
    ):
        found = "missing" if "definitionVersion" not in data else repr(version)
        raise DefinitionError(
            f"unsupported definition version ({found}); supported: "
            + ", ".join(str(v) for v in SUPPORTED_VERSIONS),
            field="definitionVersion",
            fix="re-export the integration with a current Prismatic or Splice "
            "(definitionVersion: 7); legacy documents with top-level trigger/steps are not read",
        )
    for key in ("name", "flows"):
        if key not in data or data[key] in (None, ""):
            raise DefinitionError(
                f"the definition has no '{key}'",
                field=key,
                fix=f"add a top-level '{key}' key",
            )
    return data


def _validation_error(exc: ValidationError, data: dict[str, Any]) -> DefinitionError:
    """Pydantic errors as one DefinitionError that names the flow and step at fault."""
    parts = [f"{_where(data, err['loc'])}: {err['msg']}" for err in exc.errors()[:5]]
    more = len(exc.errors()) - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return DefinitionError(
        "invalid definition: " + "; ".join(parts),
        field="definition",
        fix="correct the named keys",
    )


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    names: list[str] = []
    path = ""
    node = data
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
        node = _child(node, part)
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("name"), str):
            names.append(f"'{node['name']}'")
    label = " > ".join(names)
    return f"{path.lstrip('.')}" + (f" ({label})" if label else "")


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def from_data(data: Any) -> IntegrationDefinition:
    """Plain data (e.g. stored JSON) -> model, with the same checks and coercion as ``load``."""
    document = _check_document(data)
    coerced = coerce_definition_data(document)
    try:
        return IntegrationDefinition.model_validate(_plain(coerced, ""))
    except ValidationError as exc:
        raise _validation_error(exc, coerced) from None


def load(text: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> IntegrationDefinition:
    """Parse and model a YAML definition; every failure is a DefinitionError a user can act on."""
    return from_data(parse_yaml(text, max_bytes=max_bytes))
