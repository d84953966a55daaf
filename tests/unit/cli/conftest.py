"""Fixtures for CLI tests: a fake server, a controlled environment and an in-process runner."""

from __future__ import annotations

import pytest

from tests.unit.cli.fakes import BASE, FakeServer, Invoker, make_jwt


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def env() -> dict[str, str]:
    return {"SPLICE_ACCESS_TOKEN": make_jwt(), "SPLICE_URL": BASE}


@pytest.fixture
def run(server: FakeServer, env: dict[str, str]) -> Invoker:
    return Invoker(server, env)
