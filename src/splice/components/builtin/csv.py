"""The `csv` core component: parse and generate CSV text."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="csv",
    version=1,
    label="CSV",
    description="Parse and generate CSV text",
    category="Data",
    actions=(
        ActionManifest(
            key="generateFromObject",
            label="Generate CSV",
            description="Returns CSV text for a list of flat objects",
            inputs=(
                _in("inputArray", "Input Array", "data", required=True),
                _in("delimiter", "Delimiter", default=","),
                _in("includeHeader", "Include Header", "boolean", default="true"),
            ),
        ),
        ActionManifest(
            key="parse",
            label="Parse CSV",
            description="Returns the rows of CSV text",
            inputs=(
                _in("csv", "CSV", "text", required=True),
                _in("delimiter", "Delimiter", default=","),
            ),
        ),
    ),
)
