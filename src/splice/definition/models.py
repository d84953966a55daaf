"""Pydantic models of an integration definition (``definitionVersion`` 7, spec sections 2-7, 10-12).

Every model keeps unknown keys (``extra="allow"``) so they are written back, and the dumper leaves
out fields the source did not set, so a load/dump round trip neither drops nor adds keys. Python
names are snake_case; the YAML keys are their camelCase aliases. Free-text fields accept ``null``
because hand-written YAML often leaves them empty.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ModelWrapValidatorHandler, model_validator
from pydantic.alias_generators import to_camel

from splice.definition.coerce import coerce_config_var, coerce_input
from splice.definition.keys import step_key

__all__ = [
    "Action",
    "Branch",
    "ComponentRef",
    "ConfigPage",
    "ConfigPageElement",
    "ConfigVar",
    "ConnectionRef",
    "DefinitionModel",
    "ErrorConfig",
    "Flow",
    "Input",
    "IntegrationDefinition",
    "QueueConfig",
    "RetryConfig",
    "Schedule",
    "Step",
]


class DefinitionModel(BaseModel):
    """Base of every definition model: camelCase keys, unknown keys kept."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        coerce_numbers_to_str=True,
    )

    @model_validator(mode="wrap")
    @classmethod
    def _set_only_by_alias(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        """Count a field as set only when its camelCase key was given.

        A snake_case key (``is_trigger``) is an unknown key kept as-is, but pydantic also marks
        the same-named field as set, which would make the dumper add a default the source lacked.
        """
        model = handler(data)
        if isinstance(data, dict) and isinstance(model, DefinitionModel):
            fields = type(model).model_fields
            model.__pydantic_fields_set__ = {
                name
                for name in model.model_fields_set
                if name not in fields or (fields[name].alias or name) in data
            }
        return model


class Input(DefinitionModel):
    """``{type, value}`` plus ``name`` (inside key/value lists) and ``meta`` (visibility)."""

    type: str
    value: Any = None
    name: Any = None
    meta: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data: Any) -> Any:
        return coerce_input(data)


class ComponentRef(DefinitionModel):
    """``{key, version, isPublic}``; ``version`` is ``LATEST`` or a number, or a ``signature``."""

    key: str
    version: int | str | None = None
    is_public: bool | None = None
    signature: str | None = None


class Action(DefinitionModel):
    """The action a step runs: ``key`` inside ``component``."""

    key: str
    component: ComponentRef


class ConnectionRef(DefinitionModel):
    """A config var's ``connection`` or ``dataSource``: a key inside a component."""

    key: str
    component: ComponentRef
    template: str | None = None


class Schedule(Input):
    """A trigger's ``schedule``: a cron value or a schedule config var, with UI ``meta``."""


class ErrorConfig(DefinitionModel):
    """Per-step error policy (section 4)."""

    error_handler_type: str | None = None
    max_attempts: int | None = None
    delay_seconds: int | None = None
    uses_exponential_backoff: bool | None = None
    ignore_final_error: bool | None = None


class Branch(DefinitionModel):
    """One named branch of a branching step."""

    name: str
    steps: list[Step] = Field(default_factory=list)


class Step(DefinitionModel):
    """A trigger (``steps[0]``) or an action; loops hold ``steps``, branching steps ``branches``."""

    name: str
    description: str | None = ""
    action: Action
    inputs: dict[str, Input] = Field(default_factory=dict)
    is_trigger: bool = False
    schedule: Schedule | None = None
    steps: list[Step] | None = None
    branches: list[Branch] | None = None
    error_config: ErrorConfig | None = None
    stable_key: str | None = None

    @property
    def key(self) -> str:
        """The step key references use (spec 5.1)."""
        return step_key(self.name)


class RetryConfig(DefinitionModel):
    """Retry of a whole failed execution."""

    max_attempts: int | None = None
    delay_minutes: int | None = None
    uses_exponential_backoff: bool | None = None
    unique_request_id_field: Input | None = None


class QueueConfig(DefinitionModel):
    """Queueing of a flow's executions."""

    uses_fifo_queue: bool | None = None
    singleton_executions: bool | None = None
    dedupe_id_field: Input | None = None
    concurrency_limit: int | None = None


class Flow(DefinitionModel):
    """A flow; ``steps[0]`` is its trigger."""

    name: str
    description: str | None = ""
    is_synchronous: bool = False
    endpoint_security_type: str | None = None
    organization_api_keys: list[str] | None = None
    retry_config: RetryConfig | None = None
    queue_config: QueueConfig | None = None
    schemas: dict[str, Any] | None = None
    is_agent_flow: bool | None = None
    trigger_resolver: dict[str, Any] | None = None
    supplemental_components: list[Any] | None = None
    stable_key: str | None = None
    steps: list[Step]


class ConfigVar(DefinitionModel):
    """An entry of ``requiredConfigVars``; ``key`` is both its display name and identifier."""

    key: str
    data_type: str | None = None
    description: str | None = ""
    default_value: str | None = None
    org_only: bool | None = None
    collection_type: str | None = None
    pick_list: list[str] | None = None
    code_language: str | None = None
    schedule_type: str | None = None
    time_zone: str | None = None
    connection: ConnectionRef | None = None
    data_source: ConnectionRef | None = None
    inputs: dict[str, Input] | None = None
    meta: dict[str, Any] | None = None
    on_premise_connection_config: str | None = None
    use_scoped_config_var: str | None = None
    stable_key: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data: Any) -> Any:
        return coerce_config_var(data)


class ConfigPageElement(DefinitionModel):
    """``configVar`` (names a config var), ``htmlElement`` or ``jsonForm``."""

    type: str
    value: Any = None


class ConfigPage(DefinitionModel):
    """A page of the configuration wizard."""

    name: str
    tagline: str | None = None
    user_level_configured: bool | None = None
    elements: list[ConfigPageElement] = Field(default_factory=list)


class IntegrationDefinition(DefinitionModel):
    """A whole integration definition document."""

    definition_version: int
    name: str
    description: str | None = ""
    category: str | None = ""
    documentation: str | None = ""
    labels: list[str] | None = None
    endpoint_type: str | None = None
    default_instance_profile: str | None = None
    preprocess_flow_name: str | None = None
    external_customer_id_field: Input | None = None
    external_customer_user_id_field: Input | None = None
    flow_name_field: Input | None = None
    rename_attributes: dict[str, Any] | None = None
    is_code_native: bool | None = None
    version: str | None = None
    import_metadata: dict[str, Any] | None = None
    required_config_vars: list[ConfigVar] = Field(default_factory=list)
    config_pages: list[ConfigPage] = Field(default_factory=list)
    flows: list[Flow]

    def config_var(self, key: str) -> ConfigVar | None:
        """The config variable with this key, if declared."""
        return next((cv for cv in self.required_config_vars if cv.key == key), None)


Branch.model_rebuild()
Step.model_rebuild()
