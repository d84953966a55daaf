"""Secrets at rest: Fernet with rotation, keys from SPLICE_ENCRYPTION_KEYS or derived."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from splice.errors import InternalError
from splice.services.secrets import PREFIX, SecretBox, derive_key
from splice.settings import AuthSettings, SecretsSettings, Settings


def test_round_trip_and_prefix() -> None:
    box = SecretBox([Fernet.generate_key()])
    stored = box.encrypt("hunter2")
    assert stored.startswith(PREFIX) and "hunter2" not in stored
    assert box.decrypt(stored) == "hunter2"
    assert box.decrypt("plain") == "plain"
    assert box.decrypt(None) is None


def test_rotation_moves_values_to_the_first_key() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    stored = SecretBox([old]).encrypt("v")
    both = SecretBox([new, old])
    rotated = both.rotate(stored)
    assert rotated is not None and rotated != stored
    assert SecretBox([new]).decrypt(rotated) == "v"
    with pytest.raises(InternalError, match="cannot be decrypted"):
        SecretBox([new]).decrypt(stored)
    assert both.rotate("plain") is not None and both.decrypt(both.rotate("plain")) == "plain"


def test_keys_come_from_settings_or_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    derived = Settings(auth=AuthSettings(secret_key=SecretStr("a-secret")))
    box = SecretBox.from_settings(derived)
    assert SecretBox([derive_key("a-secret")]).decrypt(box.encrypt("x")) == "x"

    first, second = Fernet.generate_key(), Fernet.generate_key()
    monkeypatch.setenv("SPLICE_ENCRYPTION_KEYS", f"{first.decode()}, {second.decode()}")
    configured = SecretBox.from_settings(Settings())
    assert SecretBox([first]).decrypt(configured.encrypt("y")) == "y"

    bad = Settings(secrets=SecretsSettings(encryption_keys=SecretStr("not-a-key")))
    with pytest.raises(InternalError, match="not a Fernet key"):
        SecretBox.from_settings(bad)
