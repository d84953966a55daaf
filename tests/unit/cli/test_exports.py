"""Lock the CLI's public surface: module exports and the command names scripts rely on."""

from __future__ import annotations

import importlib

import click
import pytest

from splice.cli.main import cli

EXPORTS = {
    "errors": ["CLIError", "GraphQLError", "NotLoggedIn"],
    "config": ["ConfigFile", "Profile", "default_config_path", "load_config", "save_config"],
    "credentials": [
        "Credentials",
        "DEFAULT_URL",
        "REFRESH_MARGIN_SECONDS",
        "check_url",
        "env_url",
        "jwt_expiry",
        "refresh_due",
        "resolve_credentials",
        "select_profile_name",
    ],
    "client": ["NOT_AUTHENTICATED", "SpliceClient", "payload_error_lines"],
    "output": [
        "Column",
        "TableOptions",
        "cell_text",
        "check_table_options",
        "natural_key",
        "print_table",
        "render_table",
        "start_case",
        "table_options",
    ],
    "state": [
        "AppState",
        "command",
        "get_state",
        "open_client",
        "print_requests_option",
        "profile_option",
        "selected_profile",
    ],
    "main": ["Failure", "SpliceGroup", "cli", "main"],
    "documents": ["config_variable_keys", "decode_text", "dump_yaml", "parse_yaml", "read_text"],
}

COMMAND_NAMES = {
    "components:actions:list",
    "components:list",
    "components:triggers:list",
    "customers:create",
    "customers:delete",
    "customers:list",
    "customers:update",
    "customers:users:list",
    "executions:get",
    "executions:list",
    "executions:replay",
    "executions:step-result:get",
    "instances:config-vars:list",
    "instances:create",
    "instances:delete",
    "instances:deploy",
    "instances:disable",
    "instances:enable",
    "instances:flow-configs:list",
    "instances:flow-configs:test",
    "instances:list",
    "instances:update",
    "integrations:flows:test",
    "logs:severities:list",
    "organization:users:list",
    "db",
    "graphql:query",
    "integrations:attachments:delete",
    "integrations:attachments:download",
    "integrations:attachments:list",
    "integrations:attachments:upload",
    "integrations:available",
    "integrations:create",
    "integrations:delete",
    "integrations:diff",
    "integrations:export",
    "integrations:flows:list",
    "integrations:fork",
    "integrations:import",
    "integrations:list",
    "integrations:marketplace",
    "integrations:publish",
    "integrations:update",
    "integrations:validate-yaml",
    "integrations:versions",
    "login",
    "logout",
    "me",
    "me:token",
    "me:token:revoke",
    "server",
    "worker",
}


@pytest.mark.parametrize(("module", "names"), sorted(EXPORTS.items()))
def test_module_exports(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(f"splice.cli.{module}")
    assert sorted(loaded.__all__) == sorted(names)
    for name in names:
        assert hasattr(loaded, name)


def test_command_names_are_stable() -> None:
    assert set(cli.list_commands(click.Context(cli))) >= COMMAND_NAMES
