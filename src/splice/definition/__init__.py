"""Integration definitions: read, check and write Prismatic-compatible YAML (definitionVersion 7).

``load`` turns YAML text into models, ``validate`` lists what is wrong with them against a
component registry, and ``dump`` writes them back in canonical form. This package does no I/O and
imports nothing from the store, the API or the engine.
"""

from __future__ import annotations

from splice.definition.dump import dump, dump_data, to_data
from splice.definition.keys import step_key
from splice.definition.models import (
    Action,
    Branch,
    ComponentRef,
    ConfigPage,
    ConfigPageElement,
    ConfigVar,
    ConnectionRef,
    ErrorConfig,
    Flow,
    Input,
    IntegrationDefinition,
    QueueConfig,
    RetryConfig,
    Schedule,
    Step,
)
from splice.definition.parse import DEFAULT_MAX_BYTES, SUPPORTED_VERSIONS, from_data, load
from splice.definition.validate import DefinitionIssue, missing_components, validate

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_VERSIONS",
    "Action",
    "Branch",
    "ComponentRef",
    "ConfigPage",
    "ConfigPageElement",
    "ConfigVar",
    "ConnectionRef",
    "DefinitionIssue",
    "ErrorConfig",
    "Flow",
    "Input",
    "IntegrationDefinition",
    "QueueConfig",
    "RetryConfig",
    "Schedule",
    "Step",
    "dump",
    "dump_data",
    "from_data",
    "load",
    "missing_components",
    "step_key",
    "to_data",
    "validate",
]
