"""Run the real ``prism`` CLI against a Splice server with the common environment of contract §6."""

from __future__ import annotations

import base64
import binascii
import os
import re
import subprocess
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import SpliceServer

__all__ = ["Prism", "PrismResult", "assert_id", "find_prism", "table_cells"]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PRISM = REPO_ROOT / ".cache" / "prism" / "node_modules" / ".bin" / "prism"
ID_PATTERN = re.compile(r"^[A-Za-z0-9+/]+=*$")
TIMEOUT_SECONDS = 90


def find_prism() -> Path | None:
    """``SPLICE_PRISM_BIN``, else the copy ``make prism`` installs; None when neither exists."""
    configured = os.environ.get("SPLICE_PRISM_BIN")
    if configured:
        return Path(configured)
    return DEFAULT_PRISM if DEFAULT_PRISM.exists() else None


@dataclass(frozen=True)
class PrismResult:
    """What one prism run produced."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    home: Path

    def __str__(self) -> str:
        return (
            f"prism {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )

    @property
    def message(self) -> str:
        """stderr with whitespace collapsed (oclif wraps long error lines at 80 columns)."""
        return " ".join(self.stderr.split())

    @property
    def lines(self) -> list[str]:
        """The stdout lines."""
        return self.stdout.splitlines()


@dataclass
class Prism:
    """Runs prism with a fresh HOME per call; env values of None remove a variable."""

    binary: Path
    server: SpliceServer
    homes: Path

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        stdin: str | None = None,
        home_files: Mapping[str, str] | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> PrismResult:
        """Run ``prism *args``; stderr must never show a TypeError (a crash on a null).

        ``home_files`` are written into the fresh HOME first (e.g. ``prism.yml``, the config file).
        """
        home = Path(tempfile.mkdtemp(prefix="prism-home-", dir=self.homes))
        for name, text in (home_files or {}).items():
            (home / name).write_text(text, encoding="utf-8")
        environment: dict[str, str] = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PRISM_CONFIG_FILE": str(home / "prism.yml"),
            "PRISM_SKIP_NEW_VERSION_CHECK": "true",
            "PRISMATIC_URL": self.server.base_url,
            "PRISM_ACCESS_TOKEN": self.server.tokens.access_token,
            "NODE_EXTRA_CA_CERTS": str(self.server.tls.ca_cert),
        }
        for name, value in (env or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        completed = subprocess.run(
            [str(self.binary), *args],
            env=environment,
            cwd=home,
            input=stdin.encode() if stdin is not None else None,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        result = PrismResult(
            tuple(args),
            completed.returncode,
            completed.stdout.decode("utf-8", errors="replace"),
            completed.stderr.decode("utf-8", errors="replace"),
            home,
        )
        assert "TypeError" not in result.stderr, str(result)
        return result

    def ok(
        self,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        home_files: Mapping[str, str] | None = None,
    ) -> PrismResult:
        """Run prism and require exit code 0."""
        result = self(*args, env=env, home_files=home_files)
        assert result.code == 0, str(result)
        return result


def assert_id(result: PrismResult, type_name: str) -> str:
    """The single stdout line must be a global ID of ``type_name``; return it."""
    assert result.code == 0, str(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, str(result)
    value = lines[0]
    assert ID_PATTERN.match(value), str(result)
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise AssertionError(f"{value!r} is not base64: {result}") from exc
    prefix, _, pk = decoded.partition(":")
    assert prefix == type_name, f"{value!r} decodes to {decoded!r}, not a {type_name} ID"
    uuid.UUID(pk)
    return value


def table_cells(result: PrismResult) -> list[list[str]]:
    """The whitespace-separated cells of every non-empty stdout line."""
    return [line.split() for line in result.stdout.splitlines() if line.strip()]
