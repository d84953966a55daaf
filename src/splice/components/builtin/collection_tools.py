"""The `collection-tools` core component: build, reshape and inspect lists and objects (spec 15).

``filter`` and ``map`` take JavaScript function source (``(item, index) => boolean``,
``(item, index, context) => value``) and run it in a V8 isolate with the same limits as a code
step. ``map`` filters first, then transforms the kept items (``list.filter(f).map(t)``).
Object actions return a copy; the input object is never changed in place.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError

from splice.components.builtin._js import DEFAULT_LIMITS, JsError, JsLimits, run_js
from splice.components.builtin._support import as_object, is_unset, parse_json_text, to_text
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_int, as_list, kv_dict
from splice.components.sdk import ComponentSpec, Input, component

__all__ = ["COMPONENT", "MANIFEST", "make_component", "set_at_path"]


def set_at_path(target: dict[str, Any], path: str, values: dict[str, Any], key: str) -> None:
    """Set ``values`` in the object at dot ``path`` of ``target``, creating objects on the way."""
    node = target
    for segment in [s for s in path.split(".") if s] if path else []:
        child = node.get(segment)
        if child is None:
            child = node[segment] = {}
        if not isinstance(child, dict):
            raise InputValueError(f"path segment {segment!r} is not an object", key)
        node = child
    node.update(values)


def _list(inputs: dict[str, Any], key: str = "listInput") -> list[Any]:
    return as_list(parse_json_text(inputs.get(key), key), key=key)


def _only_list(inputs: dict[str, Any], key: str = "listInput") -> list[Any]:
    """``_list``, refusing an object: its length, last item or flattening is not a list's."""
    value = parse_json_text(inputs.get(key), key)
    if isinstance(value, Mapping):
        raise InputValueError("expects a list, got an object", key)
    return as_list(value, key=key)


def _function(source: Any, key: str) -> str | None:
    text = to_text(source).strip()
    return text or None


_FILTER_MAP = """\
const __filter = __args.filter === null ? null : (0, eval)("(" + __args.filter + ")");
const __transform = __args.transform === null ? null : (0, eval)("(" + __args.transform + ")");
for (const [name, fn] of [["filterCodeInput", __filter], ["transformCodeInput", __transform]]) {
  if (fn !== null && typeof fn !== "function") throw new TypeError(name + " is not a function");
}
let items = __args.items;
if (__filter !== null) {
  const kept = [];
  for (let i = 0; i < items.length; i++) if (await __filter(items[i], i)) kept.push(items[i]);
  items = kept;
}
if (__transform !== null) {
  const out = [];
  for (let i = 0; i < items.length; i++) out.push(await __transform(items[i], i, __args.context));
  items = out;
}
return items;
"""


def make_component(*, limits: JsLimits = DEFAULT_LIMITS) -> ComponentSpec:
    """The component; ``limits`` bound the JavaScript of ``filter`` and ``map``."""
    tools = component(
        "collection-tools",
        label="Collection Tools",
        description="Build, reshape and inspect lists and objects",
        category="Data",
    )

    async def filter_map(
        ctx: ActionContext,
        items: list[Any],
        filter_source: str | None,
        transform_source: str | None,
        context: Any,
    ) -> list[Any]:
        if filter_source is None and transform_source is None:
            return items
        args = {
            "items": items,
            "filter": filter_source,
            "transform": transform_source,
            "context": context,
        }
        try:
            outcome = await run_js(_FILTER_MAP, args, limits=limits)
        except JsError as error:
            for severity, message in error.logs:
                getattr(ctx.logger, severity, ctx.logger.info)(message)
            raise
        for severity, message in outcome.logs:
            getattr(ctx.logger, severity, ctx.logger.info)(message)
        result: list[Any] = outcome.value
        return result

    @tools.action(
        "addKey",
        label="Add Key/Value to Object",
        description="Returns the object with the key set",
        inputs=(
            Input("object", "Object", type="data", required=True),
            Input("key", "Key", required=True),
            Input("value", "Value", type="data"),
            Input("objectPath", "Object Path", comments="Dot path for where to insert"),
        ),
    )
    def add_key(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
        target = copy.deepcopy(as_object(inputs.get("object"), "object"))
        name = to_text(inputs.get("key"))
        if not name:
            raise InputValueError("is required", "key")
        path = to_text(inputs.get("objectPath"))
        set_at_path(target, path, {name: inputs.get("value")}, "objectPath")
        return target

    @tools.action(
        "addMultipleKeys",
        label="Add Multiple Keys/Values to Object",
        description="Returns the object with every key set",
        inputs=(
            Input("object", "Object", type="data", required=True),
            Input("objectPath", "Object Path"),
            Input("keyValueListInput", "Key Value List", collection="keyvaluelist"),
            Input("dynamicFields", "Dynamic Fields", type="data", comments="Wins over the list"),
        ),
    )
    def add_multiple_keys(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
        """``dynamicFields`` (an object), when given, is used instead of the key/value list."""
        target = copy.deepcopy(as_object(inputs.get("object"), "object"))
        dynamic = inputs.get("dynamicFields")
        if not is_unset(dynamic):
            values = as_object(dynamic, "dynamicFields")
        else:
            values = kv_dict(inputs.get("keyValueListInput"), key="keyValueListInput")
        set_at_path(target, to_text(inputs.get("objectPath")), values, "objectPath")
        return target

    @tools.action(
        "chunks",
        label="Chunk List",
        description="Splits a list into lists of the given size",
        inputs=(
            Input("listInput", "List", type="data", required=True),
            Input("numberInput", "Chunk Size", default="1"),
        ),
    )
    def chunks(ctx: ActionContext, inputs: dict[str, Any]) -> list[list[Any]]:
        items = _list(inputs)
        size = as_int(inputs.get("numberInput"), 1, key="numberInput")
        if size < 1:
            raise InputValueError(f"expects a chunk size of 1 or more, got {size}", "numberInput")
        return [items[i : i + size] for i in range(0, len(items), size)]

    @tools.action(
        "create",
        label="Create List",
        description="Returns the items as a list",
        inputs=(Input("items", "Items", type="data", collection="valuelist"),),
    )
    def create(ctx: ActionContext, inputs: dict[str, Any]) -> list[Any]:
        return as_list(inputs.get("items"), key="items")

    @tools.action(
        "createObject",
        label="Create Object",
        description="Builds an object from key/value pairs",
        inputs=(Input("keyValueInput", "Key Value", type="data", collection="keyvaluelist"),),
    )
    def create_object(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
        return kv_dict(inputs.get("keyValueInput"), key="keyValueInput")

    @tools.action(
        "filter",
        label="Filter List",
        description="Keeps the items for which the JavaScript function returns true",
        inputs=(
            Input("listInput", "List", type="data", required=True),
            Input("filterCodeInput", "Filter Function", type="code"),
        ),
    )
    async def filter_list(ctx: ActionContext, inputs: dict[str, Any]) -> list[Any]:
        source = _function(inputs.get("filterCodeInput"), "filterCodeInput")
        return await filter_map(ctx, _list(inputs), source, None, None)

    @tools.action(
        "flatten",
        label="Flatten List",
        description="Flattens a list one level",
        inputs=(Input("listInput", "List", type="data", required=True),),
    )
    def flatten(ctx: ActionContext, inputs: dict[str, Any]) -> list[Any]:
        flat: list[Any] = []
        for item in _only_list(inputs):
            if isinstance(item, list | tuple):
                flat.extend(item)
            else:
                flat.append(item)
        return flat

    @tools.action(
        "last",
        label="Last Item",
        description="Returns the last element of a list",
        inputs=(Input("listInput", "List", type="data", required=True),),
    )
    def last(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        """The last element; an empty list gives None."""
        items = _only_list(inputs)
        return items[-1] if items else None

    @tools.action(
        "length",
        label="List Length",
        description="Returns the number of elements of a list",
        inputs=(Input("listInput", "List", type="data", required=True),),
    )
    def length(ctx: ActionContext, inputs: dict[str, Any]) -> int:
        return len(_only_list(inputs))

    @tools.action(
        "map",
        label="Map List",
        description="Transforms (and filters) each item with JavaScript functions",
        inputs=(
            Input("listInput", "List", type="data", required=True),
            Input("transformCodeInput", "Transform Function", type="code"),
            Input("filterCodeInput", "Filter Function", type="code"),
            Input("contextInput", "Context", type="data"),
        ),
    )
    async def map_list(ctx: ActionContext, inputs: dict[str, Any]) -> list[Any]:
        return await filter_map(
            ctx,
            _list(inputs),
            _function(inputs.get("filterCodeInput"), "filterCodeInput"),
            _function(inputs.get("transformCodeInput"), "transformCodeInput"),
            inputs.get("contextInput"),
        )

    @tools.action(
        "validateJsonSchema",
        label="Validate JSON Schema",
        description="Validates JSON against a JSON Schema",
        inputs=(
            Input("jsonInput", "JSON", type="data", required=True),
            Input("jsonSchema", "JSON Schema", type="code", required=True),
        ),
    )
    def validate_json_schema(ctx: ActionContext, inputs: dict[str, Any]) -> bool:
        """True when valid; otherwise the step fails listing every violation with its path."""
        document = parse_json_text(inputs.get("jsonInput"), "jsonInput")
        schema = parse_json_text(inputs.get("jsonSchema"), "jsonSchema")
        if not isinstance(schema, dict):
            raise InputValueError("expects a JSON Schema object", "jsonSchema")
        try:
            validator_class = jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
        except SchemaError as error:
            raise InputValueError(
                f"is not a valid JSON Schema: {error.message}", "jsonSchema"
            ) from None
        errors = sorted(validator_class(schema).iter_errors(document), key=lambda e: list(e.path))
        if errors:
            problems = "; ".join(f"{e.json_path}: {e.message}" for e in errors[:20])
            raise ValueError(f"JSON does not match the schema ({len(errors)} errors): {problems}")
        return True

    return tools.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest
