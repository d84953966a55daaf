"""The `change-data-format` core component: convert data between JSON, XML, form data and strings."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="change-data-format",
    version=1,
    label="Change Data Format",
    description="Convert data between JSON, XML, form data and strings",
    category="Data",
    actions=(
        ActionManifest(
            key="binaryToJson",
            label="JavaScript Object to JSON",
            description="Serialises an object to JSON text",
            inputs=(_in("data", "Data", "data", required=True),),
        ),
        ActionManifest(
            key="convertToString",
            label="Convert to String",
            description="Returns the value's string form",
            inputs=(_in("value", "Value", "data", required=True),),
        ),
        ActionManifest(
            key="deserializeFormData",
            label="Deserialize URL-encoded Form Data",
            description="Parses form-encoded text into an object",
            inputs=(_in("data", "Data", "data", required=True),),
        ),
        ActionManifest(
            key="deserializeFromJson",
            label="Deserialize JSON",
            description="Parses JSON text",
            inputs=(_in("data", "Data", "data", required=True),),
        ),
        ActionManifest(
            key="deserializeFromXml",
            label="Deserialize XML",
            description="Parses XML text into an object",
            inputs=(
                _in("data", "Data", "data", required=True),
                _in("numbersAsStrings", "Numbers as Strings", "boolean", default="false"),
            ),
        ),
    ),
)
