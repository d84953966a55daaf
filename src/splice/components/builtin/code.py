"""The `code` core component: JavaScript steps (CommonJS modules) and the JSON-forms data source.

Its generic connections let a code step receive credentials; keys follow the docs' labels.
"""

from __future__ import annotations

from splice.components.manifest import (
    ActionManifest,
    ComponentManifest,
    ConnectionManifest,
    DataSourceManifest,
    InputManifest,
)

__all__ = ["MANIFEST"]


def _auth(key: str, label: str, *inputs: str) -> ConnectionManifest:
    return ConnectionManifest(key, label, tuple(InputManifest(i, i) for i in inputs))


_CODE = InputManifest(
    "code",
    "Code",
    type="code",
    required=True,
    comments="module.exports = async (context, stepResults) => ({ data })",
)

MANIFEST = ComponentManifest(
    key="code",
    version=1,
    label="Code",
    description="Run JavaScript as a step or a data source",
    category="Logic",
    actions=(
        ActionManifest(
            key="runCode",
            label="Code Block",
            description="Runs a JavaScript module and returns its data",
            inputs=(_CODE,),
        ),
    ),
    data_sources=(
        DataSourceManifest(
            key="runCodeJsonForm",
            label="JSON Form Data Source",
            description="Runs JavaScript that returns a JSON-Forms schema, UI schema and data",
            inputs=(_CODE, InputManifest("connection", "Connection", type="connection")),
        ),
    ),
    connections=(
        _auth("apiKey", "API Key", "apiKey"),
        _auth("apiKeySecret", "API Key Secret", "apiKey", "apiSecret"),
        _auth("basic", "Basic Auth", "username", "password"),
        _auth(
            "oauth2",
            "OAuth 2.0 Authorization Code",
            "authorizeUrl",
            "tokenUrl",
            "scopes",
            "clientId",
            "clientSecret",
        ),
        _auth(
            "oauth2ClientCredentials",
            "OAuth 2.0 Client Credentials",
            "tokenUrl",
            "scopes",
            "clientId",
            "clientSecret",
        ),
        _auth("privateKey", "Private Key", "username", "privateKey"),
    ),
)
