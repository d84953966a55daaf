"""End-to-end fixtures: a real ``splice server`` per module and backend, and the real prism CLI.

Every test module gets its own server process on SQLite and another on PostgreSQL (a fresh
database), with a TLS listener whose certificate comes from a CA made for the session. When a
test fails, the server output written during that test is attached to the report.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, new_postgres_database
from tests.e2e.harness import SpliceServer, start_server
from tests.e2e.prism import Prism, find_prism
from tests.e2e.tls import TLSFiles, make_tls_files

HERE = Path(__file__).parent
LOG_MARK = pytest.StashKey[int]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e carries the ``e2e`` marker."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure, attach what the server printed while the test ran."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        server = getattr(item, "funcargs", {}).get("splice_server")
        if isinstance(server, SpliceServer):
            report.sections.append(
                ("splice server output", server.log_since(item.stash.get(LOG_MARK, 0)))
            )
    return report


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """A CA plus a certificate for 127.0.0.1/localhost, shared by every server of the session."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def prism_bin() -> Path:
    """The prism 10.4.0 binary; missing is a failure in CI and a skip locally."""
    found = find_prism()
    if found is None or not found.exists():
        message = "prism is not installed: run 'make prism' or set SPLICE_PRISM_BIN"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def splice_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tls_files: TLSFiles
) -> Iterator[SpliceServer]:
    """A running ``splice server`` on a fresh database of the parametrised backend."""
    backend: str = request.param
    workdir = tmp_path_factory.mktemp(f"splice-{backend}")
    if backend == "sqlite":
        database_url = f"sqlite+aiosqlite:///{workdir / 'splice.db'}"
    else:
        database_url = new_postgres_database(request)
    server = start_server(
        backend=backend,
        database_url=database_url,
        workdir=workdir,
        tls=tls_files,
        owner_email=ADMIN_EMAIL,
        owner_password=ADMIN_PASSWORD,
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _server_log_mark(request: pytest.FixtureRequest, splice_server: SpliceServer) -> None:
    """Remember where the server log stood when the test started."""
    request.node.stash[LOG_MARK] = splice_server.log_mark()


@pytest.fixture(scope="module")
def prism(
    prism_bin: Path, splice_server: SpliceServer, tmp_path_factory: pytest.TempPathFactory
) -> Prism:
    """Runs prism as the owner against this module's server."""
    return Prism(prism_bin, splice_server, tmp_path_factory.mktemp("prism-homes"))
