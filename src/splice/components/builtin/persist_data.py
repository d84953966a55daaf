"""The `persist-data` core component: values kept per execution, per flow, or across flows.

Flow scope uses the ``...InstanceValue`` action keys, as Prismatic's exports do. Everything goes
through ``ctx.state``: the engine keeps the execution scope in memory for the run, the other
scopes in the run's ``StateStore``. A save returns ``{"key", "value"}`` (exports read
``.results.value``); with ``dynamicValues`` it returns the saved dict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_int, as_str, kv_dict
from splice.components.manifest import InputManifest
from splice.components.sdk import ComponentBuilder, Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_SCOPES = (("Execution", "Execution"), ("Instance", "Flow"), ("CrossFlow", "Cross Flow"))
_STATE_SCOPE = {"Execution": "execution", "Instance": "instance", "CrossFlow": "crossFlow"}

_KEY = Input("keyInput", "Key", required=True)
_VALUE = Input("valueInput", "Value", type="data")
_DEFAULT = Input("defaultValueInput", "Default Value", type="data")
_DYNAMIC = Input(
    "dynamicValues", "Dynamic Values", collection="keyvaluelist", comments="Wins over Key/Value"
)

_persist = component(
    "persist-data",
    label="Persist Data",
    description="Keep values between steps, executions and flows",
    category="Data",
)

Action = Callable[[ActionContext, dict[str, Any]], Any]


def _key(inputs: dict[str, Any]) -> str:
    key = as_str(inputs.get("keyInput"))
    if not key:
        raise InputValueError("must name the key", "keyInput")
    return key


def _save(scope: str) -> Action:
    async def save(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        dynamic = kv_dict(inputs.get("dynamicValues"), key="dynamicValues")
        if dynamic:
            for key, value in dynamic.items():
                await ctx.state.set(scope, key, value)
            return dynamic
        key, value = _key(inputs), inputs.get("valueInput")
        await ctx.state.set(scope, key, value)
        return {"key": key, "value": value}

    return save


def _get(scope: str) -> Action:
    async def get(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        value = await ctx.state.get(scope, _key(inputs))
        return inputs.get("defaultValueInput") if value is None else value

    return get


def _remove(scope: str) -> Action:
    async def remove(ctx: ActionContext, inputs: dict[str, Any]) -> None:
        await ctx.state.delete(scope, _key(inputs))

    return remove


_MAKERS: tuple[tuple[str, str, str, Callable[[str], Action], tuple[InputManifest, ...]], ...] = (
    ("save", "Save Value", "Stores a value at {} scope", _save, (Input("keyInput", "Key"), _VALUE, _DYNAMIC)),
    ("get", "Get Value", "Returns the value stored at {} scope, or the default", _get, (_KEY, _DEFAULT)),
    ("remove", "Remove Value", "Removes the value stored at {} scope", _remove, (_KEY,)),
)  # fmt: skip


def _declare(builder: ComponentBuilder) -> None:
    for scope, label in _SCOPES:
        for verb, title, description, make, inputs in _MAKERS:
            builder.action(
                f"{verb}{scope}Value",
                label=f"{label} - {title}",
                description=description.format(label.lower()),
                inputs=inputs,
            )(make(_STATE_SCOPE[scope]))


_declare(_persist)


@_persist.action(
    "appendExecutionValueToList",
    label="Execution - Append Value to List",
    description="Appends to the list stored at the key, creating it if needed",
    inputs=(_KEY, _VALUE),
)
async def append_execution_value(ctx: ActionContext, inputs: dict[str, Any]) -> list[Any]:
    key = _key(inputs)
    current = await ctx.state.get("execution", key)
    items = list(current) if isinstance(current, list) else ([] if current is None else [current])
    items.append(inputs.get("valueInput"))
    await ctx.state.set("execution", key, items)
    return items


@_persist.action(
    "incrementExecutionValue",
    label="Execution - Increment Value",
    description="Adds to the integer stored at the key",
    inputs=(_KEY, Input("amountInput", "Amount", default="1")),
)
async def increment_execution_value(ctx: ActionContext, inputs: dict[str, Any]) -> int:
    key = _key(inputs)
    amount = as_int(inputs.get("amountInput"), 1, key="amountInput")
    current = await ctx.state.get("execution", key)
    try:
        value = as_int(current, 0) + amount
    except InputValueError:
        raise InputValueError(
            f"the value stored at '{key}' is not an integer", "keyInput"
        ) from None
    await ctx.state.set("execution", key, value)
    return value


@_persist.action(
    "listInstanceKeys",
    label="Flow - List Keys",
    description="Returns the keys stored at flow scope",
)
async def list_instance_keys(ctx: ActionContext, inputs: dict[str, Any]) -> list[str]:
    return await ctx.state.keys("instance")


COMPONENT = _persist.build()
MANIFEST = COMPONENT.manifest
