"""``splice instances:config-vars:data-source`` against the real app and a loopback "Acme" server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.cli.conftest import AppTransport
from tests.integration.cli.test_cli_against_app import BASE, Splice
from tests.integration.graphql.test_data_sources import (
    KEY,
    Acme,
    acme,
    connection,
    integration_yaml,
)

__all__ = ["acme"]


@pytest.fixture
def splice(app_transport: AppTransport, tmp_path: Path) -> Iterator[Splice]:
    runner = Splice(app_transport, tmp_path / "config.yml")
    runner("login", "--url", BASE, "--email", ADMIN_EMAIL, input=ADMIN_PASSWORD + "\n")
    yield runner


def test_picklist_choices_and_a_failure_from_the_terminal(
    splice: Splice, acme: Acme, tmp_path: Path
) -> None:
    source = tmp_path / "channels.yml"
    source.write_text(integration_yaml(), encoding="utf-8")
    customer = splice.out("customers:create", "--name", "Acme")
    version = splice.out(
        "integrations:publish", splice.out("integrations:import", "-p", str(source))
    )
    values = [connection(KEY), {"key": "Channels URL", "value": f"{acme.url}/channels"}]
    instance = splice.out(
        "instances:create", "-n", "Acme", "-i", version, "-c", customer, "-v", json.dumps(values)
    )
    shown = splice.out(
        "instances:config-vars:data-source", instance, "-k", "Channel", "--output", "json"
    )
    assert json.loads(shown) == [
        {"key": "C1", "label": "general"},
        {"key": "C2", "label": "random"},
    ]
    refused = splice(
        "instances:config-vars:data-source",
        instance,
        "-k",
        "Channel",
        "-v",
        json.dumps([connection("wrong")]),
        ok=False,
    )
    assert refused.exit_code == 2
    assert "configVariableKey: config variable 'Channel'" in refused.stderr
    assert "answered 401" in refused.stderr
