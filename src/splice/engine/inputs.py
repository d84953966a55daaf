"""Step inputs compiled once into resolver functions, then resolved per step run.

* ``value``: the literal string, as-is (``{{ liquid }}`` in it stays literal).
* ``reference``: ``stepKey.results[.path]``, ``loopKey.currentItem[.path]``, ``loopKey.index``.
* ``configVar``: the config variable's value; ``""`` means "not set" (None).
* ``template``: ``{{$reference}}`` and ``{{#Config Var}}`` replaced; objects and lists as JSON,
  None as ``""``, booleans as ``true``/``false``, integral floats without ``.0`` (as JS prints).
* ``complex``: a list. Entries with a ``name`` (plain or itself an input) become
  ``{"key": name, "value": value}`` unless the manifest says ``valuelist``; nested lists
  (condition trees) are resolved element by element, operator strings kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from splice.components.manifest import InputManifest
from splice.engine.references import parse_reference, walk

__all__ = [
    "Constant",
    "InputResolutionError",
    "Resolver",
    "Scope",
    "compile_input",
    "template_text",
]


class Scope:
    """What resolvers read: results by step key, active loops, config variables."""

    __slots__ = ("config_vars", "loops", "results")

    def __init__(self, config_vars: Mapping[str, Any]) -> None:
        self.results: dict[str, Any] = {}
        self.loops: dict[str, tuple[Any, int]] = {}
        self.config_vars = config_vars


Resolver = Callable[[Scope], Any]


class InputResolutionError(ValueError):
    """An input that cannot be resolved (an engine-side error, named by input key)."""


_PLACEHOLDER = re.compile(r"\{\{([$#])(.*?)\}\}", re.DOTALL)


def template_text(value: Any) -> str:
    """How a value is written into a template."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


class Constant:
    """A resolver that ignores the scope; steps fold these into their input dict once."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self, scope: Scope) -> Any:
        return self.value


def _constant(value: Any) -> Resolver:
    return Constant(value)


@lru_cache(maxsize=8192)
def _reference(text: str) -> Resolver:
    ref = parse_reference(text)
    step, path = ref.step, ref.path
    if ref.root == "results":
        if not path:
            return lambda scope: scope.results.get(step)
        return lambda scope: walk(scope.results.get(step), path)
    if ref.root == "index":

        def index(scope: Scope) -> Any:
            loop = scope.loops.get(step)
            return None if loop is None else loop[1]

        return index

    def current_item(scope: Scope) -> Any:
        loop = scope.loops.get(step)
        return None if loop is None else walk(loop[0], path) if path else loop[0]

    return current_item


def _config_var(name: Any) -> Resolver:
    return _config_var_named(str(name) if name is not None else "")


@lru_cache(maxsize=4096)
def _config_var_named(key: str) -> Resolver:
    if not key:
        return _constant(None)

    def config_var(scope: Scope) -> Any:
        value = scope.config_vars.get(key)
        return None if value == "" else value

    return config_var


@lru_cache(maxsize=4096)
def _template(text: str) -> Resolver:
    parts: list[str | Resolver] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        sigil, body = match.group(1), match.group(2).strip()
        parts.append(_reference(body) if sigil == "$" else _config_var(body))
        pos = match.end()
    if pos < len(text):
        parts.append(text[pos:])
    if all(isinstance(p, str) for p in parts):
        return _constant(text)
    frozen = tuple(parts)

    def template(scope: Scope) -> str:
        return "".join(p if isinstance(p, str) else template_text(p(scope)) for p in frozen)

    return template


def _is_input(item: Any) -> bool:
    return isinstance(item, dict) and "type" in item


def _tree(item: Any) -> Resolver:
    """A condition-tree node or nested list: inputs resolved, other scalars kept."""
    if isinstance(item, list):
        parts = tuple(_tree(part) for part in item)
        return lambda scope: [p(scope) for p in parts]
    if _is_input(item):
        return _simple(item.get("type"), item.get("value"))
    return _constant(item)


def _complex(value: Any, collection: str | None) -> Resolver:
    if value is None or value == "":
        return _constant([])
    if not isinstance(value, list):
        return _constant(value)
    entries: list[tuple[Resolver | None, Resolver]] = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else None
        resolve = _tree(item)
        if collection != "valuelist" and name not in (None, ""):
            key = _simple(name.get("type"), name.get("value")) if _is_input(name) else None
            entries.append((key or _constant(name), resolve))
        else:
            entries.append((None, resolve))
    frozen = tuple(entries)

    def complex_(scope: Scope) -> list[Any]:
        return [
            {"key": k(scope), "value": v(scope)} if k is not None else v(scope) for k, v in frozen
        ]

    return complex_


def _simple(kind: Any, value: Any, collection: str | None = None) -> Resolver:
    if kind == "value":
        return _constant(value)
    if kind == "reference":
        return _reference(str(value or ""))
    if kind == "configVar":
        return _config_var(value)
    if kind == "template":
        return _template(value if isinstance(value, str) else template_text(value))
    if kind == "complex":
        return _complex(value, collection)
    return _constant(value)


def compile_input(kind: str, value: Any, spec: InputManifest | None) -> Resolver:
    """A resolver for one step input; ``spec`` (the manifest's input) tells value lists apart."""
    return _simple(kind, value, spec.collection if spec else None)
