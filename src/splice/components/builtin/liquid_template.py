"""The `liquid-template` core component: render Liquid templates with python-liquid (spec 15).

The data is available as ``data`` and, when it is an object, its keys are variables too: the
exports write both ``{{ data | json }}`` and ``{{ details.title }}``. ``json`` prints compact
JSON like liquidjs. Rendering is bounded (loop iterations, output size) so a template cannot
spin or balloon.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from liquid import Environment
from liquid.exceptions import LiquidError

from splice.components.builtin._support import json_default, to_json_text, to_text
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST", "render"]


class _BoundedEnvironment(Environment):
    loop_iteration_limit: ClassVar[int | None] = 1_000_000
    local_namespace_limit: ClassVar[int | None] = 10_000_000
    output_stream_limit: ClassVar[int | None] = 50_000_000


def _json(value: object, indent: object = None) -> str:
    if indent in (None, "", 0):
        return to_json_text(value)
    return json.dumps(value, default=json_default, ensure_ascii=False, indent=int(str(indent)))


def _environment() -> Environment:
    env = _BoundedEnvironment()
    env.add_filter("json", _json)
    return env


_ENV = _environment()


def render(template: str, data: Any) -> str:
    """Render ``template`` with ``data`` as ``data`` and, for an object, its keys as variables."""
    variables: dict[str, Any] = {}
    if isinstance(data, Mapping):
        variables.update({str(k): v for k, v in data.items()})
    variables["data"] = data
    try:
        return _ENV.from_string(template).render(**variables)
    except LiquidError as error:
        raise InputValueError(
            f"is not a valid Liquid template: {error}", "liquidTemplate"
        ) from None


_liquid = component(
    "liquid-template",
    label="Liquid Template",
    description="Render Liquid templates",
    category="Data",
)


@_liquid.action(
    "transform",
    label="Transform",
    description="Renders the Liquid template with the data available as data",
    inputs=(
        Input("data", "Data", type="data"),
        Input("liquidTemplate", "Liquid Template", type="code", required=True),
    ),
)
def transform(ctx: ActionContext, inputs: dict[str, Any]) -> str:
    """The rendered text."""
    return render(to_text(inputs.get("liquidTemplate")), inputs.get("data"))


COMPONENT = _liquid.build()
MANIFEST = COMPONENT.manifest
