"""Config variable values: per-type validation, defaults, required-ness, runtime and display forms.

Pure functions over a version's ``requiredConfigVars`` (stored definition data) and the values
an instance gives them (yaml-definition §6, runtime-semantics §5.1). Every error names the
config variable and the rule it broke, with ``field="configVariables"``. Connection inputs and
write-only values are encrypted before they are stored and masked when shown.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from splice.components.manifest import InputManifest
from splice.components.registry import Registry
from splice.errors import InvalidInput
from splice.services.secrets import MASK, SecretBox

__all__ = [
    "ERROR_TYPE",
    "SCHEDULE_TYPES",
    "TOKEN_TYPE",
    "CleanValue",
    "ConfigInput",
    "DisplayValue",
    "connection_error",
    "connection_fields",
    "connection_token",
    "declared",
    "display_value",
    "missing_keys",
    "parse_inputs",
    "required_variable_id",
    "runtime_values",
    "scoped_key",
    "uses_authorization_code",
    "uses_client_credentials",
    "validate",
    "variable_id",
    "with_error",
    "with_token",
]

FIELD = "configVariables"
SCHEDULE_TYPES = ("none", "minute", "hour", "day", "week", "custom")
JSON_TYPES = ("jsonForm", "objectSelection", "objectFieldMap")
CONNECTION_TYPES = ("connection", "credential")
TOKEN_TYPE = "oauth2Token"
ERROR_TYPE = "oauth2Error"
ID_NAMESPACE = uuid.UUID("6f1c7a52-2d0e-4b1e-9a57-1d3c5e1f0a11")


@dataclass(frozen=True)
class ConfigInput:
    """One ``InputInstanceConfigVariable`` as the API received it."""

    key: str
    value: str | None = None
    values: Any = None
    schedule_type: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class CleanValue:
    """A validated value in its stored form (secrets already encrypted)."""

    value: str | None
    values: list[dict[str, Any]] | None = None
    schedule_type: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class DisplayValue:
    """What the API shows: ``value`` (masked when secret) or a connection's ``inputs``."""

    value: str | None
    inputs: list[dict[str, str | None]]


def _error(key: str, rule: str, fix: str | None = None) -> InvalidInput:
    return InvalidInput(f"config variable '{key}': {rule}", field=FIELD, fix=fix)


def declared(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The config variables that hold values (``htmlElement`` is display only)."""
    return [
        cv
        for cv in definition.get("requiredConfigVars") or []
        if isinstance(cv, dict) and cv.get("dataType") != "htmlElement"
    ]


def variable_id(instance_id: uuid.UUID, key: str) -> uuid.UUID:
    """The stable UUID of an instance's config variable (global type ``InstanceConfigVariable``)."""
    return uuid.uuid5(ID_NAMESPACE, f"instance:{instance_id}:{key}")


def required_variable_id(definition_owner_id: uuid.UUID, key: str) -> uuid.UUID:
    """The stable UUID of a version's config variable (global type ``RequiredConfigVariable``)."""
    return uuid.uuid5(ID_NAMESPACE, f"required:{definition_owner_id}:{key}")


def parse_inputs(
    items: Sequence[Mapping[str, Any] | None] | None, definition: Mapping[str, Any]
) -> list[ConfigInput]:
    """API input items as ConfigInputs; every key must be declared and appear once."""
    known = {cv["key"] for cv in declared(definition)}
    seen: set[str] = set()
    parsed: list[ConfigInput] = []
    for item in items or []:
        if not item:
            continue
        key = str(item.get("key") or "")
        if key not in known:
            raise InvalidInput(
                f"config variable '{key}' is not declared by this integration version",
                field=FIELD,
                fix="use one of: " + ", ".join(sorted(known)) if known else "remove it",
            )
        if key in seen:
            raise _error(key, "is given more than once", "give each key once")
        seen.add(key)
        parsed.append(
            ConfigInput(
                key=key,
                value=item.get("value"),
                values=item.get("values"),
                schedule_type=item.get("scheduleType"),
                time_zone=item.get("timeZone"),
            )
        )
    return parsed


def connection_inputs(cv: Mapping[str, Any], registry: Registry) -> tuple[InputManifest, ...]:
    """The input specs of a connection config variable's component connection (if installed)."""
    ref = cv.get("connection") or {}
    component = (ref.get("component") or {}).get("key")
    manifest = registry.get(component) if component else None
    connection = manifest.connection(ref.get("key", "")) if manifest else None
    return connection.inputs if connection else ()


def _definition_inputs(cv: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    inputs = cv.get("inputs") or {}
    return {str(k): v for k, v in inputs.items() if isinstance(v, dict)}


SECRET_WORDS = ("password", "secret", "token", "apikey", "privatekey")


def _write_only(cv: Mapping[str, Any], name: str, specs: Iterable[InputManifest]) -> bool:
    """Inputs never shown, even to integrators: writeOnly, password-typed or secret by name."""
    meta = (_definition_inputs(cv).get(name) or {}).get("meta") or {}
    if meta.get("writeOnly") or any(word in name.lower() for word in SECRET_WORDS):
        return True
    return any(spec.key == name and spec.type == "password" for spec in specs)


def _is_secret(cv: Mapping[str, Any]) -> bool:
    meta = cv.get("meta") or {}
    return cv.get("dataType") in CONNECTION_TYPES or bool(meta.get("writeOnly"))


def _parse_json(key: str, text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _error(key, f"the value must be {what}", f"got {text[:40]!r}") from exc


def validate(
    cv: Mapping[str, Any], given: ConfigInput, registry: Registry, box: SecretBox
) -> CleanValue | None:
    """The stored form of a value, or None when it is empty (the default then applies)."""
    key = cv["key"]
    data_type = cv.get("dataType") or "string"
    scoped = scoped_key(cv)
    if scoped is not None:
        if given.values in (None, "", []) and given.value in (None, ""):
            return None
        raise _error(
            key,
            f"takes its value from the scoped connection '{scoped}', not from the instance",
            "set it with createCustomerConfigVariable (or on the scoped connection, when global)",
        )
    if data_type in CONNECTION_TYPES and (
        given.values not in (None, "", []) or data_type == "connection"
    ):
        return _connection_value(cv, given, registry, box)
    value = given.value
    if value is None and given.values not in (None, ""):
        value = given.values if isinstance(given.values, str) else json.dumps(given.values)
    if data_type == "schedule":
        return _schedule_value(key, value, given)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        value = json.dumps(value) if isinstance(value, list | dict) else str(value)
    checked = _check_scalar(cv, key, data_type, value)
    if _is_secret(cv):
        return CleanValue(box.encrypt(checked))
    return CleanValue(checked)


def _check_scalar(cv: Mapping[str, Any], key: str, data_type: str, value: str) -> str:
    collection = cv.get("collectionType")
    if data_type == "string" and collection:
        return _collection(key, collection, value)
    if data_type == "boolean":
        if value.lower() not in ("true", "false"):
            raise _error(key, "a boolean must be 'true' or 'false'", f"got {value!r}")
        return value.lower()
    if data_type == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _error(key, "the value must be a number", f"got {value!r}")
        return value.strip()
    if data_type == "picklist":
        choices = cv.get("pickList")
        if choices and value not in [str(c) for c in choices]:
            raise _error(
                key,
                f"{value!r} is not one of the picklist's choices",
                "choose one of: " + ", ".join(str(c) for c in choices),
            )
        return value
    if data_type == "code" and cv.get("codeLanguage") == "json":
        _parse_json(key, value, "JSON code")
        return value
    if data_type in JSON_TYPES:
        _parse_json(key, value, "JSON text")
        return value
    if data_type == "date":
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise _error(key, "a date must be YYYY-MM-DD", f"got {value!r}") from exc
        return value
    if data_type == "timestamp":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise _error(
                key, "a timestamp must be ISO-8601, e.g. 2026-01-31T12:00:00Z", f"got {value!r}"
            ) from exc
        return value
    return value


def _collection(key: str, collection: str, value: str) -> str:
    items = _parse_json(key, value, f"a JSON array ({collection})")
    if not isinstance(items, list):
        raise _error(key, f"a {collection} must be a JSON array")
    if collection == "valuelist":
        if not all(isinstance(item, str | int | float | bool) for item in items):
            raise _error(key, "every item of a valuelist must be a string", 'e.g. ["a","b"]')
        return json.dumps([str(item) for item in items])
    for item in items:
        if not isinstance(item, dict) or "key" not in item or "value" not in item:
            raise _error(
                key,
                "every item of a keyvaluelist must be an object with key and value",
                'e.g. [{"key":"k","value":"v"}]',
            )
    return json.dumps([{"key": str(i["key"]), "value": i["value"]} for i in items])


def _schedule_value(key: str, value: str | None, given: ConfigInput) -> CleanValue | None:
    schedule_type = (given.schedule_type or "").strip().lower() or None
    if schedule_type is not None and schedule_type not in SCHEDULE_TYPES:
        raise _error(
            key,
            f"unknown scheduleType {given.schedule_type!r}",
            "use one of " + ", ".join(t.upper() for t in SCHEDULE_TYPES),
        )
    time_zone = (given.time_zone or "").strip() or None
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise _error(
                key, f"unknown time zone {time_zone!r}", "use an IANA name like Europe/Paris"
            ) from exc
    cron = (value or "").strip()
    if cron:
        if len(cron.split()) != 5 or not croniter.is_valid(cron):
            raise _error(
                key,
                f"{cron!r} is not a valid 5-field cron expression",
                "write minute hour day-of-month month day-of-week, e.g. '*/5 * * * *'",
            )
    elif schedule_type not in (None, "none"):
        raise _error(key, f"a {schedule_type} schedule needs a cron value")
    if not cron and schedule_type is None and time_zone is None:
        return None
    return CleanValue(
        cron or None, None, schedule_type or ("custom" if cron else "none"), time_zone
    )


def _connection_items(cv: Mapping[str, Any], values: Any) -> list[tuple[str, str, Any]]:
    key = cv["key"]
    if isinstance(values, str):
        values = _parse_json(key, values, "a JSON list of {name, type, value}")
    if isinstance(values, dict):
        values = [{"name": k, "type": "value", "value": v} for k, v in values.items()]
    if not isinstance(values, list):
        raise _error(key, "connection values must be a list of {name, type, value}")
    items: list[tuple[str, str, Any]] = []
    for item in values:
        if not isinstance(item, dict) or not item.get("name"):
            raise _error(key, "every connection value needs a name", '[{"name":"username",...}]')
        items.append((str(item["name"]), str(item.get("type") or "value"), item.get("value")))
    return items


def _connection_value(
    cv: Mapping[str, Any], given: ConfigInput, registry: Registry, box: SecretBox
) -> CleanValue | None:
    key = cv["key"]
    if given.values in (None, "", []):
        if given.value not in (None, ""):
            raise _error(
                key,
                "a connection takes 'values' (a JSON list of {name, type, value}), not 'value'",
                '"values": "[{\\"name\\":\\"username\\",\\"type\\":\\"value\\",\\"value\\":\\"u\\"}]"',
            )
        return None
    specs = connection_inputs(cv, registry)
    known = {spec.key for spec in specs} | set(_definition_inputs(cv))
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, kind, raw in _connection_items(cv, given.values):
        if known and name not in known:
            raise _error(
                key,
                f"the connection has no input '{name}'",
                "use one of: " + ", ".join(sorted(known)),
            )
        if name in seen:
            raise _error(key, f"connection input '{name}' is given more than once")
        seen.add(name)
        text = raw if isinstance(raw, str) else json.dumps(raw)
        stored.append({"name": name, "type": kind, "value": box.encrypt(text)})
    return CleanValue(None, stored)


def _connection_fields(
    cv: Mapping[str, Any], stored: CleanValue | None, registry: Registry, box: SecretBox
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for spec in connection_inputs(cv, registry):
        if spec.default is not None:
            fields[spec.key] = spec.default
    for name, spec_input in _definition_inputs(cv).items():
        if spec_input.get("type", "value") == "value" and spec_input.get("value") not in (None, ""):
            fields[name] = spec_input.get("value")
    for item in (stored.values if stored else None) or []:
        if item.get("type") not in (TOKEN_TYPE, ERROR_TYPE):
            fields[item["name"]] = box.decrypt(item.get("value"))
    return fields


def connection_token(stored: CleanValue | None, box: SecretBox) -> dict[str, Any] | None:
    """The OAuth 2.0 token an authorization stored with a connection, if any."""
    for item in (stored.values if stored else None) or []:
        if item.get("type") == TOKEN_TYPE:
            text = box.decrypt(item.get("value"))
            token = json.loads(text) if text else None
            return token if isinstance(token, dict) else None
    return None


def with_token(stored: CleanValue | None, token: Mapping[str, Any], box: SecretBox) -> CleanValue:
    """A connection value with ``token`` (encrypted) replacing any earlier one and any error."""
    items = [
        i
        for i in (stored.values if stored else None) or []
        if i.get("type") not in (TOKEN_TYPE, ERROR_TYPE)
    ]
    items.append({"name": "token", "type": TOKEN_TYPE, "value": box.encrypt(json.dumps(token))})
    return CleanValue(None, items)


def connection_error(stored: CleanValue | None, box: SecretBox) -> str | None:
    """Why the last token request of a connection failed (None when it did not)."""
    for item in (stored.values if stored else None) or []:
        if item.get("type") == ERROR_TYPE:
            return box.decrypt(item.get("value"))
    return None


def with_error(stored: CleanValue | None, message: str, box: SecretBox) -> CleanValue:
    """A connection value that records a failed token request (an earlier token is kept)."""
    items = [i for i in (stored.values if stored else None) or [] if i.get("type") != ERROR_TYPE]
    items.append({"name": "tokenError", "type": ERROR_TYPE, "value": box.encrypt(message)})
    return CleanValue(None, items)


def scoped_key(cv: Mapping[str, Any]) -> str | None:
    """The stable key of the scoped connection a config variable uses (``useScopedConfigVar``)."""
    key = cv.get("useScopedConfigVar")
    return str(key) if key not in (None, "") else None


def connection_fields(
    cv: Mapping[str, Any], stored: CleanValue | None, registry: Registry, box: SecretBox
) -> dict[str, Any]:
    """A connection's decrypted input values with defaults applied."""
    return _connection_fields(cv, stored, registry, box)


def uses_authorization_code(cv: Mapping[str, Any], registry: Registry) -> bool:
    """True for connections a user authorizes in a browser (OAuth 2.0 authorization code)."""
    if cv.get("dataType") != "connection":
        return False
    names = {spec.key for spec in connection_inputs(cv, registry)} | set(_definition_inputs(cv))
    return {"authorizeUrl", "tokenUrl"} <= names


def uses_client_credentials(cv: Mapping[str, Any], registry: Registry) -> bool:
    """True for OAuth 2.0 client-credentials connections, whose token Splice obtains itself.

    Named by ``oauth2Type: client_credentials``, or recognised by their inputs: a token URL and
    client credentials but no authorize URL (the http and code components' connections).
    """
    if cv.get("dataType") != "connection":
        return False
    if cv.get("oauth2Type") == "client_credentials":
        return True
    names = {spec.key for spec in connection_inputs(cv, registry)} | set(_definition_inputs(cv))
    return {"tokenUrl", "clientId", "clientSecret"} <= names and "authorizeUrl" not in names


def _effective_scalar(cv: Mapping[str, Any], stored: CleanValue | None, box: SecretBox) -> Any:
    if stored is not None and stored.value is not None:
        return box.decrypt(stored.value)
    default = cv.get("defaultValue")
    return None if default in (None, "") else str(default)


def missing_keys(
    definition: Mapping[str, Any],
    stored: Mapping[str, CleanValue],
    registry: Registry,
    box: SecretBox,
) -> list[str]:
    """Keys that have neither a value nor a default (booleans and schedules never miss)."""
    missing: list[str] = []
    for cv in declared(definition):
        key = cv["key"]
        data_type = cv.get("dataType") or "string"
        if data_type in ("boolean", "schedule"):
            continue
        if data_type == "connection":
            fields = _connection_fields(cv, stored.get(key), registry, box)
            specs = connection_inputs(cv, registry)
            required = [s.key for s in specs if s.required]
            if required:
                if any(fields.get(name) in (None, "") for name in required):
                    missing.append(key)
            elif (specs or _definition_inputs(cv)) and not any(
                v not in (None, "") for v in fields.values()
            ):
                missing.append(key)
            continue
        if _effective_scalar(cv, stored.get(key), box) is None:
            missing.append(key)
    return missing


def runtime_values(
    definition: Mapping[str, Any],
    stored: Mapping[str, CleanValue],
    registry: Registry,
    box: SecretBox,
) -> dict[str, Any]:
    """``configVars`` as actions see them: decrypted, defaults applied, typed."""
    result: dict[str, Any] = {}
    for cv in declared(definition):
        key = cv["key"]
        data_type = cv.get("dataType") or "string"
        value = stored.get(key)
        if data_type == "connection" or (data_type == "credential" and value and value.values):
            result[key] = {
                "key": (cv.get("connection") or {}).get("key", ""),
                "configVarKey": key,
                "fields": _connection_fields(cv, value, registry, box),
            }
            token = connection_token(value, box)
            if token is not None:
                result[key]["token"] = token
            continue
        if data_type == "schedule":
            cron = value.value if value else None
            cron = cron or (str(cv["defaultValue"]) if cv.get("defaultValue") else None)
            result[key] = {
                "value": cron or "",
                "scheduleType": (value.schedule_type if value else None)
                or cv.get("scheduleType")
                or ("custom" if cron else "none"),
                "timeZone": (value.time_zone if value else None) or cv.get("timeZone") or "",
            }
            continue
        result[key] = _typed(cv, data_type, _effective_scalar(cv, value, box))
    return result


def _typed(cv: Mapping[str, Any], data_type: str, text: str | None) -> Any:
    if text is None:
        return False if data_type == "boolean" else None
    try:
        if data_type == "string" and cv.get("collectionType"):
            return json.loads(text)
        if data_type in JSON_TYPES:
            return json.loads(text)
    except ValueError:
        return text
    if data_type == "boolean":
        return text.lower() == "true"
    if data_type == "number":
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    return text


def display_value(
    cv: Mapping[str, Any],
    stored: CleanValue | None,
    registry: Registry,
    box: SecretBox,
    *,
    reveal: bool,
) -> DisplayValue:
    """The value as the API shows it; secrets are masked unless ``reveal`` (never write-only ones)."""
    data_type = cv.get("dataType") or "string"
    if data_type == "connection" or (data_type == "credential" and stored and stored.values):
        specs = connection_inputs(cv, registry)
        fields = _connection_fields(cv, stored, registry, box)
        inputs: list[dict[str, str | None]] = []
        for name, value in fields.items():
            shown = None if value is None else str(value)
            if shown and (not reveal or _write_only(cv, name, specs)):
                shown = MASK
            inputs.append({"name": name, "value": shown})
        return DisplayValue(None, inputs)
    if data_type == "schedule":
        cron = stored.value if stored and stored.value else cv.get("defaultValue")
        return DisplayValue(None if cron in (None, "") else str(cron), [])
    value = _effective_scalar(cv, stored, box)
    always = data_type == "credential" or bool((cv.get("meta") or {}).get("writeOnly"))
    if value and _is_secret(cv) and (not reveal or always):
        value = MASK
    return DisplayValue(value, [])
