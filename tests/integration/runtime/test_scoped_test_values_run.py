"""A flow test (``testIntegrationFlow``, as ``prism integrations:flows:test``) uses a scoped
connection's test value: designers test flows before any customer has connected.

The APIs and token endpoints are one ``httpx.MockTransport`` (the network edge).
"""

from __future__ import annotations

import httpx

from tests.integration.runtime.conformance import IMPORT, TEST_CONFIG, test_run
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.test_scoped_connections_run import (
    CREATE_SCOPED,
    DEFINITION,
    Edge,
    values,
)

TEST_KEY = "designer-test-key"
STATUS = "query($id: ID!) { executionResult(id: $id) { status error isTestExecution } }"


async def test_a_flow_test_runs_with_the_scoped_connections_test_value(app: Running) -> None:
    edge = Edge()
    app.services.instances.http_transport = httpx.MockTransport(edge)
    app.services.executions.http_transport = httpx.MockTransport(edge)
    for given in (
        {
            "stableKey": "partner-api",
            "key": "Partner API",
            "variableScope": "customer",
            "managedBy": "customer",
            "component": "http",
            "connection": "apiKey",
            "inputs": values(headerName="X-Partner-Key"),
            "testValues": values(apiKey=TEST_KEY),
        },
        {
            "stableKey": "billing-cc",
            "key": "Billing",
            "variableScope": "org",
            "managedBy": "org",
            "component": "http",
            "connection": "oauth2ClientCredentials",
            "values": values(
                tokenUrl="https://auth.billing.test/token", clientId="billing", clientSecret="s"
            ),
        },
    ):
        created = await app.gql(CREATE_SCOPED, input=given)
        assert created["createScopedConfigVariable"]["errors"] == []

    imported = (await app.gql(IMPORT, d=DEFINITION.read_text()))["importIntegration"]
    integration = imported["integration"]
    configured = await app.gql(
        TEST_CONFIG,
        id=integration["id"],
        vars=[{"key": "Reports OAuth", "values": values(clientId="reports", clientSecret="rs")}],
    )
    assert configured["updateIntegration"]["errors"] == []
    (flow,) = integration["flows"]["nodes"]

    execution = await test_run(app, flow["id"], {})
    result = (await app.gql(STATUS, id=execution))["executionResult"]
    assert result == {"status": "succeeded", "error": None, "isTestExecution": True}
    assert edge.headers_to("partner.test")["X-Partner-Key"] == TEST_KEY
    assert edge.headers_to("billing.test")["Authorization"] == "Bearer billing-client_credentials"
