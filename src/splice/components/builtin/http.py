"""The `http` core component: HTTP requests with the same core inputs on every method (spec 15).

``httpDelete`` and ``httpPatch`` are documented but unused in exports; their keys follow the naming
pattern. The generic connections are the ones the docs list for the http component.
"""

from __future__ import annotations

from splice.components.manifest import (
    ActionManifest,
    ComponentManifest,
    ConnectionManifest,
    InputManifest,
)

__all__ = ["COMMON_INPUTS", "MANIFEST"]

COMMON_INPUTS = (
    InputManifest("url", "URL", required=True),
    InputManifest("connection", "Connection", type="connection"),
    InputManifest("headers", "Header", collection="keyvaluelist"),
    InputManifest("queryParams", "Query Parameter", collection="keyvaluelist"),
    InputManifest(
        "responseType",
        "Response Type",
        type="picklist",
        default="json",
        comments="json|text|binary",
    ),
    InputManifest("timeout", "Timeout", comments="Milliseconds; empty means no timeout"),
    InputManifest("maxRetries", "Max Retry Count", default="0"),
    InputManifest("retryDelayMS", "Retry Delay (ms)", default="0"),
    InputManifest("useExponentialBackoff", "Use Exponential Backoff", "boolean", default="false"),
    InputManifest("retryOnAllErrors", "Retry On All Errors", "boolean", default="false"),
    InputManifest("includeFullResponse", "Include Full Response", "boolean", default="false"),
    InputManifest("debugRequest", "Debug Request", "boolean", default="false"),
    InputManifest("ignoreSslErrors", "Ignore SSL Errors", "boolean", default="false"),
)

_DATA = InputManifest("data", "Data", type="data", comments="A string, or an object sent as JSON")


def _method(key: str, label: str, *extra: InputManifest) -> ActionManifest:
    return ActionManifest(
        key=key, label=label, description=f"Issue an HTTP {label}", inputs=COMMON_INPUTS + extra
    )


def _auth(key: str, label: str, *inputs: str) -> ConnectionManifest:
    return ConnectionManifest(key, label, tuple(InputManifest(i, i) for i in inputs))


MANIFEST = ComponentManifest(
    key="http",
    version=1,
    label="HTTP",
    description="Make HTTP requests to any URL",
    category="Application Connectors",
    actions=(
        _method("httpGet", "GET Request"),
        _method("httpPost", "POST Request", _DATA),
        _method("httpPut", "PUT Request", _DATA),
        _method("httpPatch", "PATCH Request", _DATA),
        _method("httpDelete", "DELETE Request", _DATA),
        _method(
            "httpPostFormData",
            "POST Form Data Request",
            InputManifest("httpMethod", "HTTP Method", "picklist", default="post"),
            InputManifest("formData", "Form Data", collection="keyvaluelist"),
            InputManifest("fileData", "File Data", type="data", collection="keyvaluelist"),
            InputManifest("fileDataFileNames", "File Data File Names", collection="keyvaluelist"),
        ),
        _method(
            "rawRequest",
            "Raw Request",
            InputManifest("method", "Method", "picklist", default="get"),
            _DATA,
        ),
    ),
    connections=(
        _auth("apiKey", "API Key", "apiKey", "headerName"),
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
    ),
)
