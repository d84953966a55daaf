"""Instance-specific and shared endpoints: routing by request field or preprocess flow, and the
errors a caller gets when a request cannot be routed (runtime-semantics §3.7)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import yaml

from splice import ids
from tests.integration.runtime.conftest import Running

SYNC = {"prismatic-synchronous": "true"}
BASE = "http://splice.test"


def trigger(name: str) -> dict[str, Any]:
    return {
        "name": f"{name} Trigger",
        "isTrigger": True,
        "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
        "inputs": {},
    }


def target_flow(name: str, security: str) -> dict[str, Any]:
    """Answers which flow ran, for which customer, with which body id."""
    key = name.lower() + "Trigger"
    body = (
        '{"flow": "' + name + '", "customer": "{{$' + key + '.results.customer.externalId}}", '
        '"id": "{{$' + key + '.results.body.data.id}}"}'
    )
    return {
        "name": name,
        "endpointSecurityType": security,
        "steps": [
            trigger(name),
            {
                "name": "Answer",
                "action": {"key": "stopExecution", "component": {"key": "stop-execution"}},
                "inputs": {
                    "statusCode": {"type": "value", "value": "200"},
                    "contentType": {"type": "value", "value": "application/json"},
                    "jsonBody": {"type": "template", "value": body},
                },
            },
        ],
    }


def router_flow() -> dict[str, Any]:
    """A preprocess flow: ``{kind: "Order", tenant}`` in the body -> ``{flowName: "Orders", ...}``."""
    template = (
        '{"flowName": "{{$routerTrigger.results.body.data.kind}}s", '
        '"customer": "{{$routerTrigger.results.body.data.tenant}}"}'
    )
    return {
        "name": "Router",
        "endpointSecurityType": "unsecured",
        "steps": [
            trigger("Router"),
            {
                "name": "Route",
                "action": {
                    "key": "deserializeFromJson",
                    "component": {"key": "change-data-format"},
                },
                "inputs": {"data": {"type": "template", "value": template}},
            },
        ],
    }


def definition(endpoint: str, *, preprocess: bool = False, **fields: str) -> str:
    flows = [target_flow("Orders", "unsecured"), target_flow("Refunds", "customer_required")]
    document: dict[str, Any] = {
        "definitionVersion": 7,
        "name": f"Routed {uuid.uuid4().hex[:8]}",
        "endpointType": endpoint,
        "flows": [*flows, router_flow()] if preprocess else flows,
    }
    if preprocess:
        document["preprocessFlowName"] = "Router"
    for key, value in fields.items():
        document[key] = {"type": "reference", "value": value}
    return yaml.safe_dump(document, sort_keys=False)


@dataclass
class Deployed:
    integration_id: str
    shared_url: str | None
    endpoint_type: str
    instances: dict[str, dict[str, Any]]  # customer external ID -> instance fields


INSTANCE_FIELDS = (
    "id name endpointType webhookUrl flowConfigs { nodes { id webhookUrl apiKeys flow { name } } }"
)


async def gql_ok(app: Running, query: str, **variables: Any) -> dict[str, Any]:
    data = await app.gql(query, **variables)
    (payload,) = data.values()
    assert payload.get("errors", []) == [], payload
    return dict(payload)


async def deploy(app: Running, text: str, customers: list[str]) -> Deployed:
    """Import, publish, and deploy one instance per customer (named by external ID)."""
    imported = await gql_ok(
        app,
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { field messages } } }",
        d=text,
    )
    integration_id = imported["integration"]["id"]
    published = await gql_ok(
        app,
        "mutation($id: ID!) { publishIntegration(input: {id: $id}) "
        "{ integration { id webhookUrl endpointType } errors { field messages } } }",
        id=integration_id,
    )
    instances = {}
    for external_id in customers:
        customer = await gql_ok(
            app,
            "mutation($n: String!, $e: String!) { createCustomer(input: {name: $n, "
            "externalId: $e}) { customer { id } errors { field messages } } }",
            n=f"Customer {external_id}",
            e=external_id,
        )
        created = await gql_ok(
            app,
            "mutation($n: String!, $v: ID!, $c: ID!) { createInstance(input: {name: $n, "
            "integration: $v, customer: $c}) { instance { id } errors { field messages } } }",
            n=f"Instance of {external_id}",
            v=published["integration"]["id"],
            c=customer["customer"]["id"],
        )
        deployed = await gql_ok(
            app,
            "mutation($id: ID!) { deployInstance(input: {id: $id}) "
            f"{{ instance {{ {INSTANCE_FIELDS} }} errors {{ field messages }} }} }}",
            id=created["instance"]["id"],
        )
        instances[external_id] = deployed["instance"]
    integration = published["integration"]
    return Deployed(
        integration_id, integration["webhookUrl"], integration["endpointType"], instances
    )


def path(url: str) -> str:
    assert url.startswith(BASE), url
    return url[len(BASE) :]


def api_key(instance: dict[str, Any], flow: str) -> str:
    node = next(n for n in instance["flowConfigs"]["nodes"] if n["flow"]["name"] == flow)
    key: str = node["apiKeys"][0]
    return key


def problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["message"]
    return message


async def executions(app: Running) -> list[dict[str, Any]]:
    data = await app.gql(
        "query { executionResults { nodes { id flowName status endedAt isTestExecution "
        "instance { id } } } }"
    )
    nodes: list[dict[str, Any]] = data["executionResults"]["nodes"]
    return nodes


def ext() -> str:
    return f"ext-{uuid.uuid4().hex[:8]}"


async def test_instance_url_routes_by_header_with_the_target_flows_api_key(app: Running) -> None:
    customer = ext()
    setup = await deploy(
        app,
        definition("instance_specific", flowNameField="payload.results.headers.x-acme-flow"),
        [customer],
    )
    instance = setup.instances[customer]
    assert setup.endpoint_type == "INSTANCE_SPECIFIC" and setup.shared_url is None
    assert instance["endpointType"] == "INSTANCE_SPECIFIC"
    url = path(instance["webhookUrl"])
    assert url == f"/trigger/{instance['id']}"
    flow_urls = {n["webhookUrl"] for n in instance["flowConfigs"]["nodes"]}
    assert url not in {path(u) for u in flow_urls}, "flow configs keep their own URLs"

    orders = await app.http.post(url, json={"id": 7}, headers={**SYNC, "X-Acme-Flow": "Orders"})
    assert orders.status_code == 200, orders.text
    assert orders.json() == {"flow": "Orders", "customer": customer, "id": "7"}
    assert "prismatic-executionid" in orders.headers

    refunds_headers = {**SYNC, "x-acme-flow": "Refunds"}
    refused = await app.http.post(url, json={"id": 8}, headers=refunds_headers)
    assert "Api-Key" in problem(refused, 401)
    keyed = await app.http.post(
        url, json={"id": 8}, headers={**refunds_headers, "Api-Key": api_key(instance, "Refunds")}
    )
    assert keyed.json() == {"flow": "Refunds", "customer": customer, "id": "8"}

    unknown = await app.http.post(url, json={}, headers={**SYNC, "x-acme-flow": "Invoices"})
    message = problem(unknown, 404)
    assert "has no flow named 'Invoices'" in message and "'Orders', 'Refunds'" in message
    missing = await app.http.post(url, json={}, headers=SYNC)
    message = problem(missing, 400)
    assert "no value at flowNameField (headers.x-acme-flow of the request)" in message


async def test_instance_url_routes_by_body_field_and_answers_async_after_commit(
    app: Running,
) -> None:
    customer = ext()
    setup = await deploy(
        app,
        definition("instance_specific", flowNameField="payload.results.body.data.route.flow"),
        [customer],
    )
    url = path(setup.instances[customer]["webhookUrl"])
    response = await app.http.post(url, json={"id": 3, "route": {"flow": "Orders"}})
    assert response.status_code == 200, response.text
    execution_id = response.json()["executionId"]
    assert response.headers["prismatic-executionid"] == execution_id
    row = await app.services.executions.get_unchecked(
        ids.decode(execution_id, "InstanceExecutionResult")
    )
    assert row.flow_name == "Orders"
    assert json.loads(row.payload) == {"id": 3, "route": {"flow": "Orders"}}
    assert row.request["url"].endswith(url)

    await gql_ok(
        app,
        "mutation($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        "{ instance { id } errors { field messages } } }",
        id=setup.instances[customer]["id"],
    )
    disabled = await app.http.post(url, json={"route": {"flow": "Orders"}})
    assert "is disabled" in problem(disabled, 409)
    customer_url = await app.http.post(f"/trigger/{ids.encode('Customer', uuid.uuid4())}")
    assert "webhook endpoint not found" in problem(customer_url, 404)


async def test_preprocess_flow_picks_the_flow_and_its_execution_is_recorded(
    app: Running,
) -> None:
    customer = ext()
    setup = await deploy(
        app,
        definition("instance_specific", preprocess=True, flowNameField="route.results.flowName"),
        [customer],
    )
    instance = setup.instances[customer]
    url = path(instance["webhookUrl"])
    response = await app.http.post(url, json={"kind": "Order", "id": 11}, headers=SYNC)
    assert response.status_code == 200, response.text
    assert response.json() == {"flow": "Orders", "customer": customer, "id": "11"}
    mine = [e for e in await executions(app) if e["instance"]["id"] == instance["id"]]
    assert sorted((e["flowName"], e["status"]) for e in mine) == [
        ("Orders", "stopped"),
        ("Router", "succeeded"),
    ]

    unknown = await app.http.post(url, json={"kind": "Invoice"}, headers=SYNC)
    message = problem(unknown, 404)
    assert "has no flow named 'Invoices'" in message
    broken = await app.http.post(url, json={"kind": 'Or"der'}, headers=SYNC)
    message = problem(broken, 400)
    assert "preprocess flow 'Router' failed" in message
    failed = [e for e in await executions(app) if e["status"] == "failed"]
    assert [e["flowName"] for e in failed] == ["Router"]


async def test_shared_endpoint_routes_each_customer_to_its_own_instance(app: Running) -> None:
    first, second, without = ext(), ext(), ext()
    setup = await deploy(
        app,
        definition(
            "shared_instance",
            flowNameField="payload.results.headers.x-acme-flow",
            externalCustomerIdField="payload.results.queryParameters.customer",
        ),
        [first, second],
    )
    assert setup.endpoint_type == "SHARED_INSTANCE"
    assert setup.shared_url is not None
    url = path(setup.shared_url)
    assert url == f"/trigger/{setup.integration_id}"
    assert {i["webhookUrl"] for i in setup.instances.values()} == {setup.shared_url}

    headers = {**SYNC, "x-acme-flow": "Orders"}
    for customer in (first, second):
        response = await app.http.post(
            url, params={"customer": customer}, json={"id": 1}, headers=headers
        )
        assert response.json() == {"flow": "Orders", "customer": customer, "id": "1"}
    keyed = await app.http.post(
        url,
        params={"customer": second},
        json={"id": 2},
        headers={
            **SYNC,
            "x-acme-flow": "Refunds",
            "Api-Key": api_key(setup.instances[second], "Refunds"),
        },
    )
    assert keyed.json() == {"flow": "Refunds", "customer": second, "id": "2"}
    wrong_key = await app.http.post(
        url,
        params={"customer": first},
        json={},
        headers={
            **SYNC,
            "x-acme-flow": "Refunds",
            "Api-Key": api_key(setup.instances[second], "Refunds"),
        },
    )
    problem(wrong_key, 401)

    stranger = await app.http.post(url, params={"customer": "nobody"}, json={}, headers=headers)
    assert "no customer has the external ID 'nobody'" in problem(stranger, 404)
    await gql_ok(
        app,
        "mutation($e: String!) { createCustomer(input: {name: $e, externalId: $e}) "
        "{ customer { id } errors { field messages } } }",
        e=without,
    )
    undeployed = await app.http.post(url, params={"customer": without}, json={}, headers=headers)
    assert "has no deployed instance of integration" in problem(undeployed, 404)
    no_customer = await app.http.post(url, json={}, headers=headers)
    assert "externalCustomerIdField (queryParameters.customer" in problem(no_customer, 400)

    await gql_ok(
        app,
        "mutation($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        "{ instance { id } errors { field messages } } }",
        id=setup.instances[second]["id"],
    )
    disabled = await app.http.post(url, params={"customer": second}, json={}, headers=headers)
    assert "is disabled" in problem(disabled, 409)

    customers = await app.gql(
        "query($e: String!) { customers(externalId: $e) { nodes { id } } }", e=first
    )
    twin = await gql_ok(
        app,
        'mutation($v: ID!, $c: ID!) { createInstance(input: {name: "Twin", integration: $v, '
        "customer: $c}) { instance { id } errors { field messages } } }",
        v=setup.integration_id,
        c=customers["customers"]["nodes"][0]["id"],
    )
    await gql_ok(
        app,
        "mutation($id: ID!) { deployInstance(input: {id: $id}) "
        "{ instance { id } errors { field messages } } }",
        id=twin["instance"]["id"],
    )
    ambiguous = await app.http.post(url, params={"customer": first}, json={}, headers=headers)
    message = problem(ambiguous, 409)
    assert "has 2 enabled instances" in message and "'Twin'" in message


async def test_shared_endpoint_with_a_preprocess_flow(app: Running) -> None:
    first, second = ext(), ext()
    setup = await deploy(
        app,
        definition(
            "shared_instance",
            preprocess=True,
            flowNameField="route.results.flowName",
            externalCustomerIdField="route.results.customer",
        ),
        [first, second],
    )
    assert setup.shared_url is not None
    url = path(setup.shared_url)
    for customer in (second, first):
        response = await app.http.post(
            url, json={"kind": "Order", "tenant": customer, "id": 4}, headers=SYNC
        )
        assert response.json() == {"flow": "Orders", "customer": customer, "id": "4"}
    found = await executions(app)
    routers = [e for e in found if e["flowName"] == "Router"]
    assert len(routers) == 2 and all(e["isTestExecution"] for e in routers)
    assert sorted(e["instance"]["id"] for e in found if e["flowName"] == "Orders") == sorted(
        i["id"] for i in setup.instances.values()
    )


async def test_urls_of_another_endpoint_type_and_undeployed_instances_are_refused(
    app: Running,
) -> None:
    customer = ext()
    flow_specific = await deploy(app, definition("flow_specific"), [customer])
    instance = flow_specific.instances[customer]
    assert instance["webhookUrl"] is None and flow_specific.shared_url is None
    wrong = await app.http.post(f"/trigger/{instance['id']}", json={})
    assert "uses flow_specific endpoints" in problem(wrong, 404)
    shared_wrong = await app.http.post(f"/trigger/{flow_specific.integration_id}", json={})
    assert "uses flow_specific endpoints, not shared_instance" in problem(shared_wrong, 404)
    gone = await app.http.post(f"/trigger/{ids.encode('Instance', uuid.uuid4())}", json={})
    assert "instance not found" in problem(gone, 404)
    customer_id = await app.gql(
        "query($e: String!) { customers(externalId: $e) { nodes { id } } }", e=customer
    )
    created = await gql_ok(
        app,
        'mutation($v: ID!, $c: ID!) { createInstance(input: {name: "Later", integration: $v, '
        "customer: $c}) { instance { id } errors { field messages } } }",
        v=flow_specific.integration_id,
        c=customer_id["customers"]["nodes"][0]["id"],
    )
    later = await app.http.post(f"/trigger/{created['instance']['id']}", json={})
    assert "has not been deployed" in problem(later, 409)


async def test_import_refuses_routing_without_flow_name_field(app: Running) -> None:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { field messages } } }",
        d=definition("shared_instance", flowNameField="payload.results.headers.x-flow"),
    )
    errors = data["importIntegration"]["errors"]
    assert errors, data
    assert any("needs externalCustomerIdField" in m for e in errors for m in e["messages"])


async def test_routing_keeps_the_flow_specific_path_free_of_lookups(app: Running) -> None:
    """A flow config ID passes through untouched: no query (it names no row here)."""
    from splice.services.executions import WebhookRequest

    flow_config = ids.encode("InstanceFlowConfig", uuid.uuid4())
    request = WebhookRequest("POST", "/", {}, {}, b"")
    routed = await app.services.webhook_routing.flow_config_for(flow_config, request)
    assert routed == flow_config
