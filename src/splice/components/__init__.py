"""Splice components: the SDK to write one, the manifests that describe them, and the registry.

```python
from splice.components import ActionContext, ActionResult, Input, component
```

``component(...)`` returns a builder whose decorators (``action``, ``trigger``, ``data_source``)
return the function unchanged; ``build()`` gives a frozen ``ComponentSpec`` (manifest plus
functions) that a ``Registry`` is handed explicitly. Input coercion helpers live in
``splice.components.inputs``; test helpers in ``splice.components.testing``.
"""

from __future__ import annotations

from splice.components.context import (
    ActionContext,
    InvokeFlow,
    LogSeverity,
    StateScope,
    StateStore,
    StepLogger,
)
from splice.components.inputs import InputValueError
from splice.components.manifest import (
    ActionManifest,
    ComponentManifest,
    ConnectionManifest,
    DataSourceManifest,
    InputManifest,
)
from splice.components.registry import Registry
from splice.components.sdk import (
    ActionError,
    ActionFunction,
    ActionResult,
    ComponentBuilder,
    ComponentSpec,
    HttpResponse,
    Input,
    TriggerResult,
    component,
)

__all__ = [
    "ActionContext",
    "ActionError",
    "ActionFunction",
    "ActionManifest",
    "ActionResult",
    "ComponentBuilder",
    "ComponentManifest",
    "ComponentSpec",
    "ConnectionManifest",
    "DataSourceManifest",
    "HttpResponse",
    "Input",
    "InputManifest",
    "InputValueError",
    "InvokeFlow",
    "LogSeverity",
    "Registry",
    "StateScope",
    "StateStore",
    "StepLogger",
    "TriggerResult",
    "component",
]
