"""Built-in components, listed explicitly (no import-time discovery, no global registry).

Each module holds one core component's manifest; input keys are the ones Prismatic's exports use
(spec sections 14-15). Implementations arrive later through the SDK and must produce the same
manifests.
"""

from __future__ import annotations

from splice.components.builtin import (
    branch,
    change_data_format,
    code,
    collection_tools,
    cross_flow,
    csv,
    datetime,
    http,
    liquid_template,
    log,
    loop,
    management_triggers,
    math,
    messagepack,
    persist_data,
    prismatic,
    recursive_flow,
    schedule_triggers,
    sleep,
    stop_execution,
    text_manipulation,
    webhook_triggers,
)
from splice.components.manifest import ComponentManifest

__all__ = ["BUILTINS"]

BUILTINS: tuple[ComponentManifest, ...] = (
    branch.MANIFEST,
    change_data_format.MANIFEST,
    code.MANIFEST,
    collection_tools.MANIFEST,
    cross_flow.MANIFEST,
    csv.MANIFEST,
    datetime.MANIFEST,
    http.MANIFEST,
    liquid_template.MANIFEST,
    log.MANIFEST,
    loop.MANIFEST,
    management_triggers.MANIFEST,
    math.MANIFEST,
    messagepack.MANIFEST,
    persist_data.MANIFEST,
    prismatic.MANIFEST,
    recursive_flow.MANIFEST,
    schedule_triggers.MANIFEST,
    sleep.MANIFEST,
    stop_execution.MANIFEST,
    text_manipulation.MANIFEST,
    webhook_triggers.MANIFEST,
)
