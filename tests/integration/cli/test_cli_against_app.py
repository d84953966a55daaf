"""The ``splice`` CLI against the real ASGI app on SQLite: the seed documents' examples end to end.

The app runs in-process behind ``AppTransport``, so nothing listens on a port.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from splice.cli.main import cli
from splice.cli.state import AppState
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.cli.conftest import AppTransport

BASE = "http://splice.test"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "definitions"


class Splice:
    """Runs ``splice`` commands against one app with one config file."""

    def __init__(self, transport: httpx.BaseTransport, config: Path) -> None:
        self.transport = transport
        self.env = {"SPLICE_CONFIG_FILE": str(config)}

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Result:
        state = AppState(env=self.env, transport=self.transport)
        result = CliRunner().invoke(cli, list(args), obj=state, input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.stderr
        return result

    def out(self, *args: str) -> str:
        return self(*args).stdout.strip()


@pytest.fixture
def splice(app_transport: AppTransport, tmp_path: Path) -> Iterator[Splice]:
    runner = Splice(app_transport, tmp_path / "config.yml")
    runner("login", "--url", BASE, "--email", ADMIN_EMAIL, input=ADMIN_PASSWORD + "\n")
    yield runner


def test_me_after_login(splice: Splice) -> None:
    lines = splice.out("me").splitlines()
    assert lines[1] == f"Email: {ADMIN_EMAIL}"
    assert lines[-3:] == [f"Endpoint URL: {BASE}", "Authentication: Profile", "Profile: default"]


def test_create_list_update_fork_delete(splice: Splice) -> None:
    name = "Send a .rocket render to the 3D printer"
    first = splice.out(
        "integrations:create", "--name", name, "--description", "Fetch a .rocket file"
    )
    assert (
        splice.out(
            "integrations:list", "--filter", f"Name={name}", "--columns", "id", "--no-header"
        )
        == first
    )
    assert (
        splice.out("integrations:list", "-o", "-s", "ROCKET", "--columns", "id", "--no-header")
        == first
    )
    rows = json.loads(
        splice.out("integrations:list", "--filter", "Name=rocket", "--output", "json", "-x")
    )
    assert [row["id"] for row in rows] == [first]
    assert (
        splice.out("integrations:update", first, "-n", "Renamed", "--labels", "Gold,beta") == first
    )
    fork = splice.out("integrations:fork", first, "--name", "Forked", "--description", "copy")
    assert fork != first
    assert splice("integrations:delete", fork).stdout == ""
    names = splice.out("integrations:list", "--columns", "name", "--no-header").split("\n")
    assert [n.strip() for n in names] == ["Renamed"]


def test_import_publish_versions_export_diff(splice: Splice) -> None:
    path = FIXTURES / "min.yml"
    assert splice.out("integrations:validate-yaml", str(path)) == "✓ Integration YAML is valid"
    iid = splice.out("integrations:import", "-p", str(path))
    exported = yaml.safe_load(splice.out("integrations:export", iid))
    original = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (exported["definitionVersion"], exported["name"]) == (7, original["name"])
    flows = json.loads(splice.out("integrations:flows:list", iid, "-x", "--output", "json"))
    assert flows and all(flow["testUrl"].startswith("http") for flow in flows)
    vid = splice.out("integrations:publish", iid, "--comment", "v1", "--commitHash", "abc")
    assert splice.out("integrations:versions", iid, "-l", "--columns", "id", "--no-header") == vid
    assert splice.out("integrations:available", vid, "--no-available") == vid
    versions = json.loads(splice.out("integrations:versions", iid, "--output", "json"))
    assert versions[0]["available"] == "false" and versions[0]["versionComment"] == "v1"
    assert splice.out("integrations:marketplace", vid, "--available", "-o", "Overview") == vid
    splice.out("integrations:update", iid, "-n", "Changed")
    diff = splice.out("integrations:diff", vid, iid)
    assert "+name: Changed" in diff


def test_user_errors_exit_2_with_one_line(splice: Splice) -> None:
    result = splice("integrations:delete", "SW50ZWdyYXRpb246bm9wZQ==", ok=False)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    bad = splice("integrations:validate-yaml", str(FIXTURES / "bad.yml"), ok=False)
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: Validation failed:")


def test_graphql_query_and_revoke(splice: Splice) -> None:
    splice.out("integrations:create", "-n", "Q", "-d", "q")
    table = splice.out(
        "graphql:query",
        "query { integrations { nodes { id name } } }",
        "-o",
        "table",
        "-d",
        "integrations.nodes",
        "-c",
        "id,name",
    )
    assert table.splitlines()[0].split() == ["ID", "NAME"]
    revoked = splice.out("me:token:revoke", "--no-confirm")
    assert revoked == "All refresh tokens for your user have been revoked."
    assert splice("me", ok=False).exit_code == 2


def test_expired_access_token_is_refreshed_and_saved(splice: Splice, tmp_path: Path) -> None:
    config_path = tmp_path / "config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    expired = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEwMDB9.sig"  # {"exp": 1000}
    config["profiles"]["default"]["accessToken"] = expired
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert splice.out("me").splitlines()[1] == f"Email: {ADMIN_EMAIL}"
    saved = yaml.safe_load(config_path.read_text(encoding="utf-8"))["profiles"]["default"]
    assert saved["accessToken"] not in ("", expired)
    assert saved["refreshToken"] == config["profiles"]["default"]["refreshToken"]
