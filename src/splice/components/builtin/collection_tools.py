"""The `collection-tools` core component: build, reshape and inspect lists and objects."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="collection-tools",
    version=1,
    label="Collection Tools",
    description="Build, reshape and inspect lists and objects",
    category="Data",
    actions=(
        ActionManifest(
            key="addKey",
            label="Add Key/Value to Object",
            description="Returns the object with the key set",
            inputs=(
                _in("object", "Object", "data", required=True),
                _in("key", "Key", required=True),
                _in("value", "Value", "data"),
                _in("objectPath", "Object Path", comments="Dot path for where to insert"),
            ),
        ),
        ActionManifest(
            key="addMultipleKeys",
            label="Add Multiple Keys/Values to Object",
            description="Returns the object with every key set",
            inputs=(
                _in("object", "Object", "data", required=True),
                _in("objectPath", "Object Path"),
                _in("keyValueListInput", "Key Value List", collection="keyvaluelist"),
                _in("dynamicFields", "Dynamic Fields", "data", comments="Wins over the list"),
            ),
        ),
        ActionManifest(
            key="chunks",
            label="Chunk List",
            description="Splits a list into lists of the given size",
            inputs=(
                _in("listInput", "List", "data", required=True),
                _in("numberInput", "Chunk Size", default="1"),
            ),
        ),
        ActionManifest(
            key="create",
            label="Create List",
            description="Returns the items as a list",
            inputs=(_in("items", "Items", "data", collection="valuelist"),),
        ),
        ActionManifest(
            key="createObject",
            label="Create Object",
            description="Builds an object from key/value pairs",
            inputs=(_in("keyValueInput", "Key Value", "data", collection="keyvaluelist"),),
        ),
        ActionManifest(
            key="filter",
            label="Filter List",
            description="Keeps the items for which the JavaScript function returns true",
            inputs=(
                _in("listInput", "List", "data", required=True),
                _in("filterCodeInput", "Filter Function", "code"),
            ),
        ),
        ActionManifest(
            key="flatten",
            label="Flatten List",
            description="Flattens a list one level",
            inputs=(_in("listInput", "List", "data", required=True),),
        ),
        ActionManifest(
            key="last",
            label="Last Item",
            description="Returns the last element of a list",
            inputs=(_in("listInput", "List", "data", required=True),),
        ),
        ActionManifest(
            key="length",
            label="List Length",
            description="Returns the number of elements of a list",
            inputs=(_in("listInput", "List", "data", required=True),),
        ),
        ActionManifest(
            key="map",
            label="Map List",
            description="Transforms (and filters) each item with JavaScript functions",
            inputs=(
                _in("listInput", "List", "data", required=True),
                _in("transformCodeInput", "Transform Function", "code"),
                _in("filterCodeInput", "Filter Function", "code"),
                _in("contextInput", "Context", "data"),
            ),
        ),
        ActionManifest(
            key="validateJsonSchema",
            label="Validate JSON Schema",
            description="Validates JSON against a JSON Schema",
            inputs=(
                _in("jsonInput", "JSON", "data", required=True),
                _in("jsonSchema", "JSON Schema", "code", required=True),
            ),
        ),
    ),
)
