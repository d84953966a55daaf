"""Secrets at rest: Fernet encryption of connection inputs and other write-only values.

Keys come from ``SPLICE_ENCRYPTION_KEYS`` (comma-separated; the first encrypts, every key
decrypts, so a new key goes first and old ones stay until ``rotate`` has re-encrypted every
value). Without that setting one key is derived from ``SPLICE_SECRET_KEY`` with HKDF. Stored
ciphertext carries the prefix ``fernet:`` so plaintext and ciphertext are never confused.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from splice.errors import InternalError
from splice.settings import Settings

__all__ = ["MASK", "PREFIX", "SecretBox", "derive_key"]

PREFIX = "fernet:"
MASK = "********"
HKDF_SALT = b"splice-secrets-at-rest"
HKDF_INFO = b"splice fernet key v1"


def derive_key(secret_key: str) -> bytes:
    """A Fernet key derived from the server's secret key (HKDF-SHA256)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


class SecretBox:
    """Encrypts and decrypts secret strings with the configured keys."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise InternalError("no encryption key configured")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The box for ``SPLICE_ENCRYPTION_KEYS``, or for a key derived from the secret key."""
        configured = settings.secrets.encryption_keys.get_secret_value()
        keys = [part.strip().encode() for part in configured.split(",") if part.strip()]
        if not keys:
            keys = [derive_key(settings.auth.secret_key.get_secret_value())]
        try:
            return cls(keys)
        except ValueError as exc:
            raise InternalError(
                "SPLICE_ENCRYPTION_KEYS holds a value that is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc

    @staticmethod
    def is_encrypted(text: str | None) -> bool:
        """True for text this box produced."""
        return bool(text) and str(text).startswith(PREFIX)

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext for storage."""
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, stored: str | None) -> str | None:
        """The plaintext of stored text (text without the prefix is returned unchanged)."""
        if stored is None or not self.is_encrypted(stored):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
        except InvalidToken as exc:
            raise InternalError(
                "a stored secret cannot be decrypted with the configured keys; "
                "keep the old key in SPLICE_ENCRYPTION_KEYS until rotation finished"
            ) from exc

    def seal(self, plaintext: str) -> str:
        """A URL-safe, tamper-proof token of ``plaintext`` (e.g. an OAuth ``state``)."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def unseal(self, token: str, *, ttl: int) -> str | None:
        """The plaintext of a sealed token, or None when forged or older than ``ttl`` seconds."""
        try:
            return self._fernet.decrypt(token.encode("ascii"), ttl=ttl).decode()
        except (InvalidToken, UnicodeError):
            return None

    def rotate(self, stored: str | None) -> str | None:
        """The same secret re-encrypted with the first key (plaintext gets encrypted)."""
        if stored is None:
            return None
        if not self.is_encrypted(stored):
            return self.encrypt(stored)
        token = stored[len(PREFIX) :].encode("ascii")
        try:
            return PREFIX + self._fernet.rotate(token).decode("ascii")
        except InvalidToken as exc:
            raise InternalError("a stored secret cannot be decrypted for rotation") from exc
