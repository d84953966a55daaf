"""The `text-manipulation` core component: join, split and change text."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="text-manipulation",
    version=1,
    label="Text Manipulation",
    description="Join, split and change text",
    category="Data",
    actions=(
        ActionManifest(
            key="join",
            label="Join",
            description="Joins strings with a separator",
            inputs=(
                _in("strings", "Strings", required=True, collection="valuelist"),
                _in("separator", "Separator"),
            ),
        ),
        ActionManifest(
            key="joinLines",
            label="Join Lines",
            description="Joins strings with newlines",
            inputs=(
                _in("strings", "Strings", required=True, collection="valuelist"),
                _in("newlineType", "Newline Type", "picklist", default="\\n"),
                _in("numberOfNewlines", "Number of Newlines", default="1"),
            ),
        ),
        ActionManifest(
            key="replace",
            label="Find & Replace",
            description="Replaces every occurrence of a string",
            inputs=(
                _in("text", "Text", required=True),
                _in("find", "Find", required=True),
                _in("replace", "Replace"),
            ),
        ),
        ActionManifest(
            key="split",
            label="Split String",
            description="Splits text on a separator",
            inputs=(_in("text", "Text", required=True), _in("separator", "Separator")),
        ),
        ActionManifest(
            key="upperCase",
            label="Upper Case",
            description="Returns the text upper-cased",
            inputs=(_in("text", "Text", required=True),),
        ),
    ),
)
