"""prism's customer commands against a real server: contract §6 scenarios 6 to 11 and part of 25.

The tests build on one customer ("Acme", scenario 6) and run in file order.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.harness import SpliceServer
from tests.e2e.prism import Prism, PrismResult, assert_id

SEEDED = 250


def stripped_lines(result: PrismResult) -> list[str]:
    """Non-empty stdout lines without table padding."""
    assert result.code == 0, str(result)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def acme(prism: Prism, splice_server: SpliceServer) -> str:
    """Scenario 6: create Acme with two labels; the request carried them as a list."""
    mark = splice_server.request_mark()
    created = prism(
        "customers:create", "-n", "Acme", "-e", "acme-1", "-d", "First", "-l", "gold", "-l", "beta"
    )
    customer_id = assert_id(created, "Customer")
    (request,) = splice_server.graphql_since(mark)
    assert request.variables["labels"] == ["gold", "beta"]
    return customer_id


def test_6_create_stores_name_and_labels(prism: Prism, acme: str) -> None:
    result = prism.ok(
        "graphql:query",
        "query($id: ID!){customer(id:$id){name labels}}",
        "-v",
        json.dumps({"id": acme}),
        "-r",
    )
    assert json.loads(result.stdout) == {"customer": {"name": "Acme", "labels": ["gold", "beta"]}}


def test_7_duplicate_external_id_is_a_field_error(prism: Prism, acme: str) -> None:
    result = prism("customers:create", "-n", "Acme2", "-e", "acme-1")
    assert result.code == 1, str(result)
    assert result.stdout == ""
    assert any(line.startswith("    Error: externalId: ") for line in result.stderr.splitlines())


def test_8_extended_json_has_the_four_string_columns(prism: Prism, acme: str) -> None:
    rows = json.loads(prism.ok("customers:list", "-x", "--output", "json").stdout)
    assert rows
    for row in rows:
        assert list(row) == ["id", "externalId", "name", "description"]
        assert all(isinstance(value, str) for value in row.values())
    assert {"id": acme, "externalId": "acme-1", "name": "Acme", "description": "First"} in rows


def test_9_csv_with_chosen_columns(prism: Prism, acme: str) -> None:
    lines = prism.ok("customers:list", "--csv", "--columns", "id,name").lines
    assert lines[0] == "Id,Name"
    assert any(line.startswith(f"{acme},Acme") for line in lines[1:])


def test_10_every_page_is_fetched(prism: Prism, splice_server: SpliceServer, acme: str) -> None:
    before = len(stripped_lines(prism("customers:list", "--columns", "id", "--no-header")))
    seed = " ".join(
        f'c{n}: createCustomer(input: {{name: "Seeded {n:03d}"}}) {{ errors {{ field }} }}'
        for n in range(SEEDED)
    )
    answer = splice_server.graphql(f"mutation {{ {seed} }}")
    assert all(payload["errors"] == [] for payload in answer["data"].values()), answer

    mark = splice_server.request_mark()
    ids = stripped_lines(prism("customers:list", "--columns", "id", "--no-header"))

    assert before == 1
    assert len(ids) == SEEDED + 1
    assert len(set(ids)) == len(ids)
    assert acme in ids
    afters = [request.variables.get("after") for request in splice_server.graphql_since(mark)]
    assert len(afters) >= 2, "250 customers must not fit on one page"
    assert afters[0] == ""
    assert all(afters[1:]) and len(set(afters)) == len(afters)


def test_11_update_then_filter_by_the_new_name(prism: Prism, acme: str) -> None:
    assert assert_id(prism("customers:update", acme, "-n", "Acme Corp"), "Customer") == acme
    found = prism.ok(
        "customers:list", "--filter", "name=^Acme Corp$", "--columns", "id", "--no-header"
    )
    assert found.stdout == f" {acme} \n"


def test_25_customer_users_then_delete(prism: Prism, acme: str) -> None:
    users = prism.ok("customers:users:list", acme)
    assert users.lines[0].split() == ["Name", "Email", "Role"], str(users)

    deleted = prism("customers:delete", acme)
    assert deleted.code == 0, str(deleted)
    assert deleted.stdout == ""
    remaining = stripped_lines(prism("customers:list", "--columns", "id", "--no-header"))
    assert acme not in remaining
