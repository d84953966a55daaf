"""A real ``splice server`` process for end-to-end tests: start, wait until ready, inspect, stop.

The process runs the ``splice server`` command on free loopback ports (plain HTTP plus a TLS
listener for ``/oauth/token``) and records every request it receives (see ``recording_server``),
so tests can assert what prism sent.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.e2e.recording_server import REQUEST_LOG_ENV
from tests.e2e.tls import TLSFiles

__all__ = ["RecordedRequest", "SpliceServer", "TokenPair", "free_port", "start_server"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "e2e-secret-key-that-is-long-enough-for-hs256-signing"
READY_ATTEMPTS = 300
BIND_ATTEMPTS = 3
READY_INTERVAL_SECONDS = 0.1
LOG_TAIL_CHARS = 20_000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class TokenPair:
    """The owner's tokens from the password grant."""

    access_token: str
    refresh_token: str


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the server received."""

    scheme: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str

    def form(self) -> dict[str, str]:
        """The url-encoded form fields (single values)."""
        return {k: v[0] for k, v in parse_qs(self.body, keep_blank_values=True).items()}

    def json(self) -> Any:
        """The JSON body."""
        return json.loads(self.body)

    @property
    def variables(self) -> dict[str, Any]:
        """The GraphQL ``variables`` of an ``/api`` request."""
        variables: dict[str, Any] = self.json().get("variables") or {}
        return variables

    @property
    def query_text(self) -> str:
        """The GraphQL document of an ``/api`` request."""
        text: str = self.json().get("query", "")
        return text


@dataclass
class SpliceServer:
    """A running server: its URLs, owner tokens, log and request record."""

    backend: str
    process: subprocess.Popen[bytes]
    base_url: str
    tls_url: str
    tls: TLSFiles
    log_path: Path
    requests_path: Path
    database_url: str
    owner_email: str
    tokens: TokenPair = field(init=False, repr=False)

    def request_mark(self) -> int:
        """A position in the request record; pass it to ``requests_since``."""
        return self.requests_path.stat().st_size if self.requests_path.exists() else 0

    def requests_since(self, mark: int) -> list[RecordedRequest]:
        """Every request received after ``mark``, in order."""
        if not self.requests_path.exists():
            return []
        with self.requests_path.open("rb") as record:
            record.seek(mark)
            lines = record.read().decode("utf-8").splitlines()
        return [RecordedRequest(**json.loads(line)) for line in lines if line.strip()]

    def graphql_since(self, mark: int) -> list[RecordedRequest]:
        """The ``POST /api`` requests received after ``mark``."""
        return [r for r in self.requests_since(mark) if r.method == "POST" and r.path == "/api"]

    def log_mark(self) -> int:
        """A position in the server's output; pass it to ``log_since``."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, mark: int = 0) -> str:
        """The server's stdout/stderr after ``mark`` (at most the last 20 000 characters)."""
        with self.log_path.open("rb") as log:
            log.seek(mark)
            text = log.read().decode("utf-8", errors="replace")
        return text[-LOG_TAIL_CHARS:]

    def client(self) -> httpx.Client:
        """An HTTP client for the plain listener."""
        return httpx.Client(base_url=self.base_url, timeout=30)

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        """Run a GraphQL operation as the owner and return the whole response body."""
        with self.client() as http:
            response = http.post(
                "/api",
                json={"query": query, "variables": dict(variables or {})},
                headers={"Authorization": f"Bearer {self.tokens.access_token}"},
            )
        return response.json()

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL if it does not exit)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


class ServerDidNotStart(RuntimeError):
    """The server exited or never answered /healthz; the message holds its log."""


def _wait_until_ready(server: SpliceServer) -> None:
    """Poll /healthz on both listeners with bounded retries; fail early if the process exits."""
    targets: list[tuple[str, ssl.SSLContext | bool]] = [
        (f"{server.base_url}/healthz", True),
        (f"{server.tls_url}/healthz", server.tls.client_context()),
    ]
    for url, verify in targets:
        with httpx.Client(verify=verify, timeout=2) as http:
            for _ in range(READY_ATTEMPTS):
                try:
                    if http.get(url).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                try:
                    code = server.process.wait(timeout=READY_INTERVAL_SECONDS)
                except subprocess.TimeoutExpired:
                    continue
                raise ServerDidNotStart(
                    f"splice server exited with {code} before it was ready:\n{server.log_since()}"
                )
            else:
                raise ServerDidNotStart(f"{url} never answered 200:\n{server.log_since()}")


def _password_grant(server: SpliceServer, password: str) -> TokenPair:
    with server.client() as http:
        response = http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": server.owner_email, "password": password},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    return TokenPair(body["access_token"], body["refresh_token"])


def start_server(
    *,
    backend: str,
    database_url: str,
    workdir: Path,
    tls: TLSFiles,
    owner_email: str,
    owner_password: str,
    extra_env: Mapping[str, str] | None = None,
) -> SpliceServer:
    """Start ``splice server`` on free ports, wait until it answers, log the owner in.

    A port can be taken by another process between ``free_port()`` and the bind; that case is
    retried a few times with new ports.
    """
    for attempt in range(1, BIND_ATTEMPTS + 1):
        try:
            return _launch(
                backend=backend,
                database_url=database_url,
                workdir=workdir,
                tls=tls,
                owner_email=owner_email,
                owner_password=owner_password,
                extra_env=extra_env,
            )
        except ServerDidNotStart as exc:
            if attempt == BIND_ATTEMPTS or "address already in use" not in str(exc).lower():
                raise
    raise AssertionError("unreachable")


def _launch(
    *,
    backend: str,
    database_url: str,
    workdir: Path,
    tls: TLSFiles,
    owner_email: str,
    owner_password: str,
    extra_env: Mapping[str, str] | None = None,
) -> SpliceServer:
    port, tls_port = free_port(), free_port()
    log_path = workdir / "server.log"
    requests_path = workdir / "requests.jsonl"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir / "home"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "SPLICE_DATA_DIR": str(workdir / "data"),
        "SPLICE_DATABASE_URL": database_url,
        "SPLICE_SECRET_KEY": SECRET_KEY,
        "SPLICE_ADMIN_EMAIL": owner_email,
        "SPLICE_ADMIN_PASSWORD": owner_password,
        "SPLICE_ACCESS_TOKEN_TTL_SECONDS": str(24 * 3600),
        REQUEST_LOG_ENV: str(requests_path),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(extra_env or {})
    command = [
        sys.executable,
        "-m",
        "tests.e2e.recording_server",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--tls-port",
        str(tls_port),
        "--tls-cert",
        str(tls.server_cert),
        "--tls-key",
        str(tls.server_key),
    ]
    (workdir / "home").mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = SpliceServer(
        backend=backend,
        process=process,
        base_url=f"http://127.0.0.1:{port}",
        tls_url=f"https://127.0.0.1:{tls_port}",
        tls=tls,
        log_path=log_path,
        requests_path=requests_path,
        database_url=database_url,
        owner_email=owner_email,
    )
    try:
        _wait_until_ready(server)
        server.tokens = _password_grant(server, owner_password)
    except BaseException:
        server.stop()
        raise
    return server
