"""An oversized payload sent to an instance or shared endpoint gets 413 before any routing work.

Without the early check, routing answered first (404 for an unknown customer, 409 for a disabled
instance).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from splice.settings import Settings
from tests.integration.runtime.conftest import Running, running_app
from tests.integration.runtime.test_endpoint_routing import (
    definition,
    deploy,
    ext,
    gql_ok,
    path,
    problem,
)

LIMIT = 1024
BIG = {"blob": "x" * (LIMIT + 1)}


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Running]:
    limits = settings.limits.model_copy(update={"webhook_payload_bytes": LIMIT})
    async for running in running_app(settings.model_copy(update={"limits": limits})):
        yield running


async def test_shared_endpoint_refuses_an_oversized_payload_before_routing(
    app: Running,
) -> None:
    setup = await deploy(
        app,
        definition(
            "shared_instance",
            flowNameField="payload.results.headers.x-acme-flow",
            externalCustomerIdField="payload.results.headers.x-acme-customer",
        ),
        [ext()],
    )
    assert setup.shared_url is not None
    url = path(setup.shared_url)
    headers = {"x-acme-flow": "Orders", "x-acme-customer": "nobody"}
    small = await app.http.post(url, json={}, headers=headers)
    assert "no customer has the external ID 'nobody'" in problem(small, 404)

    big = await app.http.post(url, json=BIG, headers=headers)
    message = problem(big, 413)
    assert message.startswith(f"the webhook payload is {len(big.request.content)} bytes; ")
    assert f"the limit is {LIMIT} bytes" in message


async def test_instance_endpoint_refuses_an_oversized_payload_before_routing(
    app: Running,
) -> None:
    customer = ext()
    setup = await deploy(
        app,
        definition("instance_specific", flowNameField="payload.results.headers.x-acme-flow"),
        [customer],
    )
    instance = setup.instances[customer]
    await gql_ok(
        app,
        "mutation($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        "{ instance { id } errors { field messages } } }",
        id=instance["id"],
    )
    url = path(instance["webhookUrl"])
    headers = {"x-acme-flow": "Orders"}
    assert "is disabled" in problem(await app.http.post(url, json={}, headers=headers), 409)
    big = await app.http.post(url, json=BIG, headers=headers)
    assert "the limit is 1024 bytes" in problem(big, 413)
