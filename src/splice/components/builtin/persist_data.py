"""The `persist-data` core component: values kept per execution, per flow, or across flows.

Flow scope uses the ``...InstanceValue`` action keys, as Prismatic's exports do.
"""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_SCOPES = (("Execution", "Execution"), ("Instance", "Flow"), ("CrossFlow", "Cross Flow"))

_KEY = InputManifest("keyInput", "Key", required=True)
_VALUE = InputManifest("valueInput", "Value", type="data")
_DEFAULT = InputManifest("defaultValueInput", "Default Value", type="data")
_DYNAMIC = InputManifest(
    "dynamicValues", "Dynamic Values", collection="keyvaluelist", comments="Wins over Key/Value"
)


def _save(scope: str, label: str) -> ActionManifest:
    return ActionManifest(
        key=f"save{scope}Value",
        label=f"{label} - Save Value",
        description=f"Stores a value at {label.lower()} scope",
        inputs=(InputManifest("keyInput", "Key"), _VALUE, _DYNAMIC),
    )


def _get(scope: str, label: str) -> ActionManifest:
    return ActionManifest(
        key=f"get{scope}Value",
        label=f"{label} - Get Value",
        description=f"Returns the value stored at {label.lower()} scope, or the default",
        inputs=(_KEY, _DEFAULT),
    )


def _remove(scope: str, label: str) -> ActionManifest:
    return ActionManifest(
        key=f"remove{scope}Value",
        label=f"{label} - Remove Value",
        description=f"Removes the value stored at {label.lower()} scope",
        inputs=(_KEY,),
    )


MANIFEST = ComponentManifest(
    key="persist-data",
    version=1,
    label="Persist Data",
    description="Keep values between steps, executions and flows",
    category="Data",
    actions=(
        *(make(scope, label) for scope, label in _SCOPES for make in (_save, _get, _remove)),
        ActionManifest(
            key="appendExecutionValueToList",
            label="Execution - Append Value to List",
            description="Appends to the list stored at the key, creating it if needed",
            inputs=(_KEY, _VALUE),
        ),
        ActionManifest(
            key="incrementExecutionValue",
            label="Execution - Increment Value",
            description="Adds to the integer stored at the key",
            inputs=(_KEY, InputManifest("amountInput", "Amount", default="1")),
        ),
        ActionManifest(
            key="listInstanceKeys",
            label="Flow - List Keys",
            description="Returns the keys stored at flow scope",
        ),
    ),
)
