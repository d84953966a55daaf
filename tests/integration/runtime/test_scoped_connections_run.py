"""Scoped connections and client credentials end to end: GraphQL set-up, deploy, a real run.

The flow's steps call three APIs with three connections: the customer's own value of a
customer-activated connection, the organization's global client-credentials connection and
the instance's own client-credentials connection. The APIs and token endpoints are one
``httpx.MockTransport`` (the network edge); everything else is the real app.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.graphql_calls import graphql_data
from tests.integration.runtime.conftest import Running

DEFINITION = (
    Path(__file__).resolve().parents[2] / "fixtures" / "definitions" / "scoped-connections.yml"
)
PASSWORD = "a long enough password"
GLOBAL_SECRET = "billing-secret-plaintext"
PARTNER_KEY = "acme-partner-key-plaintext"

CREATE_SCOPED = """
mutation($input: CreateScopedConfigVariableInput!) { createScopedConfigVariable(input: $input) {
  scopedConfigVariable { id stableKey key variableScope managedBy component connection status
    inputs { nodes { name value } } } errors { field messages } } }
"""
CREATE_VALUE = """
mutation($scoped: ID!, $values: JSONString!) {
  createCustomerConfigVariable(input: {scopedConfigVariable: $scoped, values: $values}) {
    customerConfigVariable { id status customer { name } inputs { nodes { name value } } }
    errors { field messages } } }
"""
DEPLOY = """
mutation($id: ID!) { deployInstance(input: {id: $id}) {
  instance { id flowConfigs { nodes { webhookUrl } } } errors { field messages } } }
"""
CONFIG = """
query($id: ID!) { instance(id: $id) { configState configVariables { nodes { status statusMessage
  requiredConfigVariable { key } inputs { nodes { name value } } } } } }
"""


def values(**fields: str) -> str:
    return json.dumps([{"name": k, "type": "value", "value": v} for k, v in fields.items()])


class Edge:
    """Token endpoints and APIs: records every request, answers like the real services."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.refuse_reports = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/token":
            form = dict(httpx.QueryParams(request.content.decode()))
            if self.refuse_reports and request.url.host == "auth.reports.test":
                return httpx.Response(400, json={"error": "invalid_scope"})
            token = f"{form['client_id']}-{form['grant_type']}"
            return httpx.Response(200, json={"access_token": token, "expires_in": 3600})
        return httpx.Response(200, json={"host": request.url.host})

    def headers_to(self, host: str) -> httpx.Headers:
        return next(r.headers for r in self.requests if r.url.host == host)


async def as_user(app: Running, role: str, customer: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
    await app.gql(
        "mutation($e: String!, $r: String!, $p: String!, $c: ID) { createUser(input: "
        "{email: $e, role: $r, password: $p, customer: $c}) { errors { messages } } }",
        e=email,
        r=role,
        p=PASSWORD,
        c=customer,
    )
    response = await app.http.post(
        "/oauth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    token: str = response.json()["access_token"]
    return token


async def gql_as(app: Running, token: str, query: str, **variables: Any) -> dict[str, Any]:
    return await graphql_data(app.http, token, query, **variables)


async def test_a_run_gets_scoped_values_and_client_credentials_tokens(app: Running) -> None:
    edge = Edge()
    app.services.instances.http_transport = httpx.MockTransport(edge)
    app.services.executions.http_transport = httpx.MockTransport(edge)

    partner = (
        await app.gql(
            CREATE_SCOPED,
            input={
                "stableKey": "partner-api",
                "key": "Partner API",
                "variableScope": "customer",
                "managedBy": "customer",
                "component": "http",
                "connection": "apiKey",
                "inputs": values(headerName="X-Partner-Key"),
            },
        )
    )["createScopedConfigVariable"]
    assert partner["errors"] == [] and partner["scopedConfigVariable"]["status"] is None
    again = await app.gql(
        CREATE_SCOPED,
        input={
            "stableKey": "partner-api",
            "key": "Again",
            "variableScope": "customer",
            "managedBy": "team",
            "component": "http",
            "connection": "apiKey",
        },
    )
    assert again["createScopedConfigVariable"]["scopedConfigVariable"] is None
    assert again["createScopedConfigVariable"]["errors"][0]["field"] == "managedBy"
    billing = (
        await app.gql(
            CREATE_SCOPED,
            input={
                "stableKey": "billing-cc",
                "key": "Billing",
                "variableScope": "org",
                "managedBy": "org",
                "component": "http",
                "connection": "oauth2ClientCredentials",
                "values": values(
                    tokenUrl="https://auth.billing.test/token",
                    clientId="billing",
                    clientSecret=GLOBAL_SECRET,
                ),
            },
        )
    )["createScopedConfigVariable"]["scopedConfigVariable"]
    shown = {n["name"]: n["value"] for n in billing["inputs"]["nodes"]}
    assert shown["clientId"] == "billing" and shown["clientSecret"] == "********"

    customer = (
        await app.gql(
            'mutation { createCustomer(input: {name: "Acme", externalId: "acme"}) '
            "{ customer { id } } }"
        )
    )["createCustomer"]["customer"]["id"]
    imported = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { messages } } }",
        d=DEFINITION.read_text(),
    )
    integration = imported["importIntegration"]["integration"]["id"]
    version = (
        await app.gql(
            "mutation($id: ID!) { publishIntegration(input: {id: $id}) { integration { id } } }",
            id=integration,
        )
    )["publishIntegration"]["integration"]["id"]
    created = await app.gql(
        "mutation($v: ID!, $c: ID!, $cv: [InputInstanceConfigVariable]) { createInstance(input: "
        '{name: "Acme sync", integration: $v, customer: $c, configVariables: $cv}) '
        "{ instance { id } errors { messages } } }",
        v=version,
        c=customer,
        cv=[{"key": "Reports OAuth", "values": values(clientId="reports", clientSecret="rs")}],
    )
    instance = created["createInstance"]["instance"]["id"]

    # the customer has not connected their partner account yet: not configured, deploy refused;
    # the reports provider refuses the token too
    edge.refuse_reports = True
    state = await app.gql(CONFIG, id=instance)
    assert state["instance"]["configState"] == "NEEDS_INSTANCE_CONFIGURATION"
    refused = (await app.gql(DEPLOY, id=instance))["deployInstance"]
    assert refused["instance"] is None
    (error,) = refused["errors"]
    assert error["field"] == "configVariables"
    partner_line, reports_line = error["messages"]
    assert partner_line.startswith("cannot deploy: connection 'Partner API'")
    assert "customer 'Acme'" in partner_line and "createCustomerConfigVariable" in partner_line
    assert reports_line == (
        "cannot deploy: connection 'Reports OAuth': the token endpoint "
        "https://auth.reports.test/token answered 400: invalid_scope"
    )

    # the customer's admin connects once; their view of the global connection stays empty
    admin = await as_user(app, "customer-admin", customer)
    listed = await gql_as(app, admin, "query { scopedConfigVariables { nodes { id stableKey } } }")
    assert [n["stableKey"] for n in listed["scopedConfigVariables"]["nodes"]] == ["partner-api"]
    value = (
        await gql_as(
            app,
            admin,
            CREATE_VALUE,
            scoped=partner["scopedConfigVariable"]["id"],
            values=values(apiKey=PARTNER_KEY),
        )
    )["createCustomerConfigVariable"]
    assert value["errors"] == []
    assert value["customerConfigVariable"]["customer"]["name"] == "Acme"
    assert value["customerConfigVariable"]["status"] == "ACTIVE"
    admin_view = await gql_as(app, admin, CONFIG, id=instance)
    nodes = {
        n["requiredConfigVariable"]["key"]: n
        for n in admin_view["instance"]["configVariables"]["nodes"]
    }
    assert nodes["Billing"]["inputs"]["nodes"] == []
    assert PARTNER_KEY not in json.dumps(admin_view)
    listed_values = await gql_as(
        app, admin, "query { customerConfigVariables { nodes { id inputs { nodes { value } } } } }"
    )
    assert PARTNER_KEY not in json.dumps(listed_values)
    assert len(listed_values["customerConfigVariables"]["nodes"]) == 1

    # still refused for the token: the deploy names the connection and the endpoint's answer
    refused = (await app.gql(DEPLOY, id=instance))["deployInstance"]
    assert "connection 'Reports OAuth'" in refused["errors"][0]["messages"][0]
    assert "answered 400: invalid_scope" in refused["errors"][0]["messages"][0]
    state = await app.gql(CONFIG, id=instance)
    reports = next(
        n
        for n in state["instance"]["configVariables"]["nodes"]
        if n["requiredConfigVariable"]["key"] == "Reports OAuth"
    )
    assert reports["status"] == "ERROR" and "invalid_scope" in reports["statusMessage"]

    edge.refuse_reports = False
    deployed = (await app.gql(DEPLOY, id=instance))["deployInstance"]
    assert deployed["errors"] == []
    url = deployed["instance"]["flowConfigs"]["nodes"][0]["webhookUrl"]
    response = await app.http.post(url.replace("http://splice.test", ""), json={})
    assert response.status_code == 200, response.text

    assert edge.headers_to("partner.test")["X-Partner-Key"] == PARTNER_KEY
    assert edge.headers_to("billing.test")["Authorization"] == "Bearer billing-client_credentials"
    assert edge.headers_to("reports.test")["Authorization"] == "Bearer reports-client_credentials"
    token_requests = [r for r in edge.requests if r.url.path == "/token"]
    # billing once; reports refused twice, then granted; the run reuses the stored tokens
    assert len(token_requests) == 4
