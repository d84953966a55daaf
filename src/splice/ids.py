"""Relay-style global IDs: standard base64 (with padding) of ``"<TypeName>:<uuid>"``.

Prismatic and the prism CLI treat IDs as opaque strings compared by exact equality, so every
object has exactly one canonical encoding.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from uuid_utils import compat as uuid_compat

from splice.errors import NotFound

__all__ = ["decode", "decode_any", "encode", "new_uuid"]


def new_uuid() -> uuid.UUID:
    """A fresh primary key: a time-ordered UUID (version 7, RFC 9562).

    Keys that grow with time are appended to the end of every index on them (the primary key,
    and the ``execution_id`` indexes of step results and logs) instead of landing on a random
    page each: a commit of a hundred run rows dirties a few pages instead of hundreds, which on
    SQLite is most of a commit's cost and most of the write-ahead log's growth. Within a process
    the keys are strictly increasing; the random part keeps them unguessable across processes.
    """
    return uuid_compat.uuid7()


def encode(type_name: str, pk: uuid.UUID | str) -> str:
    """Encode a primary key of type ``type_name`` as a global ID."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode_any(global_id: str, kind: str = "object") -> tuple[str, uuid.UUID]:
    """Decode a global ID into (type name, UUID); raise NotFound (naming ``kind``) when malformed."""
    try:
        raw = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
        type_name, _, pk = raw.partition(":")
        return type_name, uuid.UUID(pk)
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise NotFound(kind, global_id, fix="pass an ID exactly as Splice printed it") from exc


def decode(global_id: str, *type_names: str) -> uuid.UUID:
    """Decode a global ID and check its type prefix; a wrong type answers "not found"."""
    type_name, pk = decode_any(global_id, type_names[0].lower())
    if type_name not in type_names:
        raise NotFound(type_names[0].lower(), global_id)
    return pk
