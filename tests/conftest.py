"""Shared test configuration: safety checks, settings, and one database per backend and worker.

Tests never touch the user's real data directory or a non-test database: every settings object
points at a temporary directory, and PostgreSQL databases are created (and dropped) per run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from splice.settings import AuthSettings, DatabaseSettings, ServerSettings, Settings

PG_ADMIN_DSN = os.environ.get("SPLICE_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real home, config files or SPLICE_* variables."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in list(os.environ):
        if name.startswith(("SPLICE_", "PRISM")) and name not in ("SPLICE_PRISM_BIN",):
            monkeypatch.delenv(name, raising=False)


def _pg_available() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    """Whether the PostgreSQL server is up; in CI it must be."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN} (CI needs it)")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}")
    return True


def new_postgres_database(request: pytest.FixtureRequest) -> str:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    request.getfixturevalue("postgres_available")
    name = f"splice_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    request.addfinalizer(
        lambda: asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    )
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].split("://", 1)[1]
    return f"postgresql+asyncpg://{base}/{name}"


def make_settings(tmp_path: Path, database_url: str = "", **server: object) -> Settings:
    """Settings for a test: temp data dir, known owner, fixed secret."""
    return Settings(
        data_dir=tmp_path / "data",
        database=DatabaseSettings(url=database_url),
        server=ServerSettings(**server),  # type: ignore[arg-type]
        auth=AuthSettings(
            secret_key=SecretStr("test-secret-key-that-is-long-enough-for-hs256"),
            admin_email=ADMIN_EMAIL,
            admin_password=SecretStr(ADMIN_PASSWORD),
        ),
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL (a fresh database each)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'splice.db'}"
    return new_postgres_database(request)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings on the parametrised backend."""
    return make_settings(tmp_path, database_url)
