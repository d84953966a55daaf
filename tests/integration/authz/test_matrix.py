"""Every GraphQL root operation as every role, against two customers: who may see and do what.

The table below must name every root field of the schema (a new operation without an entry fails
the test). Each entry lists the roles that may run it; everyone else must be refused (a query
answers ``data: null``, a mutation returns payload errors). Customer users belong to customer A
and must never reach customer B's objects.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import yaml

from splice.api.app import create_app
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.runtime.flows import definition

ORG = ("owner", "admin", "integrator", "viewer")
CUSTOMER = ("customer-admin", "customer-viewer")
EVERYONE = ORG + CUSTOMER
INTEGRATORS = ("owner", "admin", "integrator")
ADMINS = ("owner", "admin")
# who configures, deploys, tests and deletes an instance of customer A (authz.require_instance_configurer)
CONFIGURERS = (*INTEGRATORS, "customer-admin")
PASSWORD = "a long enough password"


@dataclass
class World:
    """The app, one token per role, and the objects the operations touch."""

    http: httpx.AsyncClient
    tokens: dict[str, str]
    objects: dict[str, str]

    async def call(self, role: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            "/api",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
        )
        body: dict[str, Any] = response.json()
        return body

    async def owner(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.call("owner", query, variables)
        assert body.get("data") is not None, body
        data: dict[str, Any] = body["data"]
        return data


IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) { integration { id "
    "flows { nodes { id } } systemInstance { flowConfigs { nodes { id } } } } errors { messages } } }"
)


FORM_SOURCE = {
    "key": "Form",
    "dataType": "jsonForm",
    "defaultValue": "{}",
    "dataSource": {
        "key": "runCodeJsonForm",
        "component": {"key": "code", "version": "LATEST", "isPublic": True},
    },
    "inputs": {
        "code": {
            "type": "value",
            "value": "module.exports = async () => ({schema: {}, uiSchema: {}, data: {}})",
        }
    },
}


def with_data_source(name: str) -> str:
    """The runtime test definition plus a data-source config variable (``Form``)."""
    document = yaml.safe_load(definition(name))
    document["requiredConfigVars"] = [FORM_SOURCE]
    return yaml.safe_dump(document, sort_keys=False)


async def new_integration(world: World) -> dict[str, str]:
    data = await world.owner(IMPORT, d=with_data_source(f"Matrix {uuid.uuid4().hex[:6]}"))
    integration = data["importIntegration"]["integration"]
    return {
        "id": integration["id"],
        "flow": integration["flows"]["nodes"][0]["id"],
        "testConfig": integration["systemInstance"]["flowConfigs"]["nodes"][0]["id"],
    }


async def publish(world: World, integration_id: str) -> str:
    data = await world.owner(
        "mutation($id: ID!) { publishIntegration(input: {id: $id}) { integration { id } } }",
        id=integration_id,
    )
    version: str = data["publishIntegration"]["integration"]["id"]
    await world.owner(
        "mutation($id: ID!) { updateIntegrationMarketplaceConfiguration(input: {id: $id, "
        'marketplaceConfiguration: "AVAILABLE_AND_DEPLOYABLE", overview: "", '
        "allowMultipleMarketplaceInstances: true}) { errors { messages } } }",
        id=version,
    )
    return version


async def new_instance(world: World, version: str, customer: str) -> dict[str, str]:
    data = await world.owner(
        'mutation($v: ID!, $c: ID!) { createInstance(input: {name: "I", integration: $v, '
        "customer: $c}) { instance { id } errors { messages } } }",
        v=version,
        c=customer,
    )
    instance_id = data["createInstance"]["instance"]["id"]
    deployed = await world.owner(
        "mutation($id: ID!) { deployInstance(input: {id: $id}) { instance { id "
        "flowConfigs { nodes { id webhookUrl } } } errors { messages } } }",
        id=instance_id,
    )
    config = deployed["deployInstance"]["instance"]["flowConfigs"]["nodes"][0]
    response = await world.http.post(
        config["webhookUrl"], json={"name": "x"}, headers={"prismatic-synchronous": "true"}
    )
    return {
        "id": instance_id,
        "flowConfig": config["id"],
        "execution": response.headers["prismatic-executionid"],
    }


async def new_customer(world: World, name: str) -> str:
    data = await world.owner(
        "mutation($n: String!) { createCustomer(input: {name: $n}) { customer { id } } }", n=name
    )
    customer: str = data["createCustomer"]["customer"]["id"]
    return customer


async def user_token(world: World, role: str, customer: str | None = None) -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
    await world.owner(
        "mutation($e: String!, $r: String!, $p: String!, $c: ID) { createUser(input: "
        "{email: $e, role: $r, password: $p, customer: $c}) { user { id } errors { messages } } }",
        e=email,
        r=role,
        p=PASSWORD,
        c=customer,
    )
    response = await world.http.post(
        "/oauth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    token: str = response.json()["access_token"]
    return token


SCOPED_VALUES = '[{"name": "apiKey", "type": "value", "value": "k"}]'


async def new_scoped(world: World) -> str:
    """A customer-activated scoped connection (http apiKey)."""
    data = await world.owner(
        "mutation($k: String!) { createScopedConfigVariable(input: {stableKey: $k, key: $k, "
        'variableScope: "customer", managedBy: "customer", component: "http", '
        'connection: "apiKey"}) { scopedConfigVariable { id } errors { messages } } }',
        k=f"scoped-{uuid.uuid4().hex[:6]}",
    )
    scoped: str = data["createScopedConfigVariable"]["scopedConfigVariable"]["id"]
    return scoped


async def new_customer_value(world: World, scoped: str, customer: str) -> str:
    data = await world.owner(
        "mutation($s: ID!, $c: ID!, $v: JSONString!) { createCustomerConfigVariable(input: "
        "{scopedConfigVariable: $s, customer: $c, values: $v}) "
        "{ customerConfigVariable { id } errors { messages } } }",
        s=scoped,
        c=customer,
        v=SCOPED_VALUES,
    )
    value: str = data["createCustomerConfigVariable"]["customerConfigVariable"]["id"]
    return value


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    await app.state.dispatcher.start()
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://splice.test") as http:
        world = World(http, {"owner": pair.access_token}, {})
        customer_a = await new_customer(world, "Customer A")
        customer_b = await new_customer(world, "Customer B")
        integration = await new_integration(world)
        version = await publish(world, integration["id"])
        in_a = await new_instance(world, version, customer_a)
        in_b = await new_instance(world, version, customer_b)
        for role in ("admin", "integrator", "viewer"):
            world.tokens[role] = await user_token(world, role)
        world.tokens["customer-admin"] = await user_token(world, "customer-admin", customer_a)
        world.tokens["customer-viewer"] = await user_token(world, "customer-viewer", customer_a)
        world.objects.update(
            customerA=customer_a,
            customerB=customer_b,
            integration=integration["id"],
            flow=integration["flow"],
            version=version,
            instanceA=in_a["id"],
            instanceB=in_b["id"],
            flowConfigA=in_a["flowConfig"],
            executionA=in_a["execution"],
            executionB=in_b["execution"],
        )
        scoped = await new_scoped(world)
        world.objects.update(
            scoped=scoped,
            customerValueA=await new_customer_value(world, scoped, customer_a),
            customerValueB=await new_customer_value(world, scoped, customer_b),
        )
        yield world
    await app.state.dispatcher.stop()
    await services.db.dispose()


Vars = Callable[[World], Any]


@dataclass(frozen=True)
class Case:
    """One operation: its document, how to build its variables, and who may run it."""

    field: str
    document: str
    variables: Vars
    allowed: tuple[str, ...]
    mutation: bool = False


def o(name: str) -> Vars:
    return lambda world: {"id": world.objects[name]}


def nothing(world: World) -> dict[str, Any]:
    return {}


async def fresh(world: World, kind: str) -> dict[str, Any]:
    """A throwaway object for destructive mutations, made by the owner."""
    if kind == "integration":
        return {"id": (await new_integration(world))["id"]}
    if kind == "customer":
        return {"id": await new_customer(world, f"Gone {uuid.uuid4().hex[:4]}")}
    if kind in ("instance", "instanceB"):
        customer = world.objects["customerB" if kind == "instanceB" else "customerA"]
        return {"id": (await new_instance(world, world.objects["version"], customer))["id"]}
    if kind == "user":
        data = await world.owner(
            'mutation($e: String!) { createUser(input: {email: $e, role: "viewer", '
            'password: "a long enough password"}) { user { id } } }',
            e=f"gone-{uuid.uuid4().hex[:6]}@example.com",
        )
        return {"id": data["createUser"]["user"]["id"]}
    if kind == "attachment":
        data = await world.owner(
            'mutation($i: ID!) { createAttachment(input: {integration: $i, name: "a.txt", '
            'contentBase64: "aGk="}) { attachment { id } } }',
            i=world.objects["integration"],
        )
        return {"id": data["createAttachment"]["attachment"]["id"]}
    if kind == "scoped":
        return {"id": await new_scoped(world)}
    if kind == "scopedForA":
        return {"id": await new_scoped(world), "c": world.objects["customerA"]}
    if kind == "customerValue":
        scoped = await new_scoped(world)
        return {"id": await new_customer_value(world, scoped, world.objects["customerA"])}
    raise AssertionError(kind)


def throwaway(kind: str) -> Vars:
    return lambda world: ("fresh", kind)


CASES = [
    Case("authenticatedUser", "query { authenticatedUser { email } }", nothing, EVERYONE),
    Case("spliceVersion", "query { spliceVersion }", nothing, EVERYONE),
    Case("logSeverityLevels", "query { logSeverityLevels { name } }", nothing, EVERYONE),
    Case("components", "query { components { nodes { key } } }", nothing, EVERYONE),
    Case("organization", "query { organization { name users { nodes { email } } } }", nothing, ORG),
    Case("customers", "query { customers { nodes { id } } }", nothing, EVERYONE),
    Case("customer", "query($id: ID!) { customer(id: $id) { name } }", o("customerA"), EVERYONE),
    Case("customer", "query($id: ID!) { customer(id: $id) { name } }", o("customerB"), ORG),
    Case("integrations", "query { integrations { nodes { id } } }", nothing, EVERYONE),
    Case("integration", "query($id: ID!) { integration(id: $id) { name } }", o("integration"), ORG),
    Case(
        "integrationDiff",
        "query($id: ID!) { integrationDiff(base: $id, head: $id) { diff } }",
        o("integration"),
        ORG,
    ),
    Case(
        "integrationTemplates", "query { integrationTemplates { nodes { id } } }", nothing, EVERYONE
    ),
    Case(
        "uploadMedia",
        'query($id: ID!) { uploadMedia(objectId: $id, fileName: "i.png", '
        "mediaType: AVATAR) { uploadUrl } }",
        o("integration"),
        INTEGRATORS,
    ),
    Case("instances", "query { instances { nodes { id } } }", nothing, EVERYONE),
    Case("instance", "query($id: ID!) { instance(id: $id) { name } }", o("instanceA"), EVERYONE),
    Case("instance", "query($id: ID!) { instance(id: $id) { name } }", o("instanceB"), ORG),
    Case(
        "marketplaceIntegrations",
        "query { marketplaceIntegrations { nodes { id } } }",
        nothing,
        EVERYONE,
    ),
    Case("executionResults", "query { executionResults { nodes { id } } }", nothing, EVERYONE),
    Case(
        "executionResult",
        "query($id: ID!) { executionResult(id: $id) { status } }",
        o("executionA"),
        EVERYONE,
    ),
    Case(
        "executionResult",
        "query($id: ID!) { executionResult(id: $id) { status } }",
        o("executionB"),
        ORG,
    ),
    Case(
        "logs",
        "query($id: ID!) { logs(executionResult: $id) { nodes { message } } }",
        o("executionA"),
        EVERYONE,
    ),
    Case(
        "logs",
        "query($id: ID!) { logs(executionResult: $id) { nodes { message } } }",
        o("executionB"),
        ORG,
    ),
    Case(
        "executionSections",
        "query($id: ID!) { executionSections(executionResult: $id) { nodes { label } } }",
        o("executionA"),
        EVERYONE,
    ),
    Case(
        "enableMarketplaceIntegration",
        "mutation($id: ID!) { enableMarketplaceIntegration("
        "input: {integration: $id}) { instance { id } errors { messages } } }",
        o("integration"),
        ("customer-admin",),
        True,
    ),
    Case("noop", "mutation { noop }", nothing, EVERYONE),
    Case(
        "validateIntegrationSchema",
        "mutation($d: String!) { validateIntegrationSchema(input: "
        "{definition: $d}) { result { isValid } errors { messages } } }",
        lambda w: {"d": definition("Valid")},
        EVERYONE,
        True,
    ),
    Case(
        "createIntegration",
        "mutation($n: String!) { createIntegration(input: {name: $n}) "
        "{ integration { id } errors { messages } } }",
        lambda w: {"n": f"New {uuid.uuid4().hex[:6]}"},
        INTEGRATORS,
        True,
    ),
    Case(
        "importIntegration",
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { messages } } }",
        lambda w: {"d": definition(f"Imp {uuid.uuid4().hex[:6]}")},
        INTEGRATORS,
        True,
    ),
    Case(
        "forkIntegration",
        "mutation($id: ID!, $n: String!) { forkIntegration(input: "
        "{parent: $id, name: $n}) { integration { id } errors { messages } } }",
        lambda w: {"id": w.objects["integration"], "n": f"Fork {uuid.uuid4().hex[:6]}"},
        INTEGRATORS,
        True,
    ),
    Case(
        "updateIntegration",
        "mutation($id: ID!) { updateIntegration(input: {id: $id, "
        'description: "d"}) { integration { id } errors { messages } } }',
        o("integration"),
        INTEGRATORS,
        True,
    ),
    Case(
        "publishIntegration",
        "mutation($id: ID!) { publishIntegration(input: {id: $id}) "
        "{ integration { id } errors { messages } } }",
        o("integration"),
        INTEGRATORS,
        True,
    ),
    Case(
        "updateIntegrationVersionAvailability",
        "mutation($id: ID!) { "
        "updateIntegrationVersionAvailability(input: {id: $id, available: true}) "
        "{ integration { id } errors { messages } } }",
        o("version"),
        INTEGRATORS,
        True,
    ),
    Case(
        "updateIntegrationMarketplaceConfiguration",
        "mutation($id: ID!) { "
        'updateIntegrationMarketplaceConfiguration(input: {id: $id, overview: "o"}) '
        "{ integration { id } errors { messages } } }",
        o("version"),
        INTEGRATORS,
        True,
    ),
    Case(
        "updateIntegrationTemplate",
        "mutation($id: ID!) { updateIntegrationTemplate(input: "
        '{id: $id, templateVisibility: "org"}) { integration { id } errors { messages } } }',
        o("version"),
        INTEGRATORS,
        True,
    ),
    Case(
        "deleteIntegration",
        "mutation($id: ID!) { deleteIntegration(input: {id: $id}) { errors { messages } } }",
        throwaway("integration"),
        INTEGRATORS,
        True,
    ),
    Case(
        "createAttachment",
        "mutation($id: ID!) { createAttachment(input: {integration: $id, "
        'name: "n.txt", contentBase64: "aGk="}) { attachment { id } errors { messages } } }',
        o("integration"),
        INTEGRATORS,
        True,
    ),
    Case(
        "deleteAttachment",
        "mutation($id: ID!) { deleteAttachment(input: {id: $id}) { errors { messages } } }",
        throwaway("attachment"),
        INTEGRATORS,
        True,
    ),
    Case(
        "createCustomer",
        "mutation($n: String!) { createCustomer(input: {name: $n}) "
        "{ customer { id } errors { messages } } }",
        lambda w: {"n": f"C {uuid.uuid4().hex[:6]}"},
        ADMINS,
        True,
    ),
    Case(
        "updateCustomer",
        "mutation($id: ID!) { updateCustomer(input: {id: $id, "
        'description: "d"}) { customer { id } errors { messages } } }',
        o("customerA"),
        ADMINS,
        True,
    ),
    Case(
        "deleteCustomer",
        "mutation($id: ID!) { deleteCustomer(input: {id: $id}) { errors { messages } } }",
        throwaway("customer"),
        ADMINS,
        True,
    ),
    Case(
        "createUser",
        'mutation($e: String!) { createUser(input: {email: $e, role: "viewer"}) '
        "{ user { id } errors { messages } } }",
        lambda w: {"e": f"u-{uuid.uuid4().hex[:6]}@example.com"},
        ADMINS,
        True,
    ),
    Case(
        "updateUser",
        'mutation($id: ID!) { updateUser(input: {id: $id, role: "integrator"}) '
        "{ user { id } errors { messages } } }",
        throwaway("user"),
        ADMINS,
        True,
    ),
    Case(
        "deleteUser",
        "mutation($id: ID!) { deleteUser(input: {id: $id}) { errors { messages } } }",
        throwaway("user"),
        ADMINS,
        True,
    ),
    Case(
        "createInstance",
        'mutation($v: ID!, $c: ID!) { createInstance(input: {name: "N", '
        "integration: $v, customer: $c}) { instance { id } errors { messages } } }",
        lambda w: {"v": w.objects["version"], "c": w.objects["customerA"]},
        INTEGRATORS,
        True,
    ),
    *(
        Case(
            field,
            document,
            o(instance),
            CONFIGURERS if instance == "instanceA" else INTEGRATORS,
            True,
        )
        for instance in ("instanceA", "instanceB")
        for field, document in (
            (
                "updateInstance",
                "mutation($id: ID!) { updateInstance(input: {id: $id, "
                'description: "d", enabled: true}) { instance { id } errors { messages } } }',
            ),
            (
                "updateInstanceConfigVariables",
                "mutation($id: ID!) { updateInstanceConfigVariables(input: {id: $id, "
                "configVariables: []}) { instance { id } errors { messages } } }",
            ),
            (
                "deployInstance",
                "mutation($id: ID!) { deployInstance(input: {id: $id}) "
                "{ instance { id } errors { messages } } }",
            ),
        )
    ),
    *(
        Case(
            "runInstanceDataSource",
            "mutation($id: ID!) { runInstanceDataSource(input: {id: $id, "
            'configVariableKey: "Form"}) { dataSourceResult { result } errors { messages } } }',
            o(instance),
            CONFIGURERS if instance == "instanceA" else INTEGRATORS,
            True,
        )
        for instance in ("instanceA", "instanceB")
    ),
    Case(
        "updateInstance",
        "mutation($id: ID!) { updateInstance(input: {id: $id, "
        'labels: ["gold"]}) { instance { id } errors { messages } } }',
        o("instanceA"),
        INTEGRATORS,
        True,
    ),
    Case(
        "deleteInstance",
        "mutation($id: ID!) { deleteInstance(input: {id: $id}) { errors { messages } } }",
        throwaway("instance"),
        CONFIGURERS,
        True,
    ),
    Case(
        "deleteInstance",
        "mutation($id: ID!) { deleteInstance(input: {id: $id}) { errors { messages } } }",
        throwaway("instanceB"),
        INTEGRATORS,
        True,
    ),
    Case(
        "testIntegrationFlow",
        "mutation($id: ID!) { testIntegrationFlow(input: {id: $id, "
        'payload: "{}"}) { testIntegrationFlowResult { execution { id } } errors { messages } } }',
        o("flow"),
        INTEGRATORS,
        True,
    ),
    Case(
        "testInstanceFlowConfig",
        "mutation($id: ID!) { testInstanceFlowConfig(input: {id: $id, "
        'payload: "{}"}) { testInstanceFlowConfigResult { execution { id } } '
        "errors { messages } } }",
        o("flowConfigA"),
        CONFIGURERS,
        True,
    ),
    Case(
        "clearFifoWorkingSet",
        "mutation($id: ID!) { clearFifoWorkingSet(input: {id: $id}) "
        "{ instanceFlowConfig { id } errors { messages } } }",
        o("flowConfigA"),
        ADMINS,
        True,
    ),
    Case(
        "clearAllFifoData",
        "mutation($id: ID!) { clearAllFifoData(input: {id: $id}) "
        "{ instanceFlowConfig { id } errors { messages } } }",
        o("flowConfigA"),
        ADMINS,
        True,
    ),
    Case(
        "replayExecution",
        "mutation($id: ID!) { replayExecution(input: {id: $id}) "
        "{ instanceExecutionResult { id } errors { messages } } }",
        o("executionA"),
        INTEGRATORS,
        True,
    ),
    Case(
        "scopedConfigVariables",
        "query { scopedConfigVariables { nodes { id } } }",
        nothing,
        EVERYONE,
    ),
    Case(
        "customerConfigVariables",
        "query { customerConfigVariables { nodes { id } } }",
        nothing,
        EVERYONE,
    ),
    Case(
        "createScopedConfigVariable",
        "mutation($k: String!) { createScopedConfigVariable(input: {stableKey: $k, key: $k, "
        'variableScope: "org", managedBy: "org", component: "http", connection: "basic"}) '
        "{ scopedConfigVariable { id } errors { messages } } }",
        lambda w: {"k": f"new-{uuid.uuid4().hex[:6]}"},
        INTEGRATORS,
        True,
    ),
    Case(
        "updateScopedConfigVariable",
        "mutation($id: ID!) { updateScopedConfigVariable(input: {id: $id, "
        'description: "d"}) { scopedConfigVariable { id } errors { messages } } }',
        o("scoped"),
        INTEGRATORS,
        True,
    ),
    Case(
        "deleteScopedConfigVariable",
        "mutation($id: ID!) { deleteScopedConfigVariable(input: {id: $id}) "
        "{ errors { messages } } }",
        throwaway("scoped"),
        INTEGRATORS,
        True,
    ),
    Case(
        "createCustomerConfigVariable",
        "mutation($id: ID!, $c: ID!) { createCustomerConfigVariable(input: "
        '{scopedConfigVariable: $id, customer: $c, values: "[]"}) '
        "{ customerConfigVariable { id } errors { messages } } }",
        throwaway("scopedForA"),
        (*INTEGRATORS, "customer-admin"),
        True,
    ),
    Case(
        "updateCustomerConfigVariable",
        "mutation($id: ID!) { updateCustomerConfigVariable(input: {id: $id, values: "
        '"[{\\"name\\": \\"apiKey\\", \\"value\\": \\"n\\"}]"}) '
        "{ customerConfigVariable { id } errors { messages } } }",
        o("customerValueA"),
        (*INTEGRATORS, "customer-admin"),
        True,
    ),
    Case(
        "updateCustomerConfigVariable",
        "mutation($id: ID!) { updateCustomerConfigVariable(input: {id: $id, "
        'values: "[]"}) { customerConfigVariable { id } errors { messages } } }',
        o("customerValueB"),
        INTEGRATORS,
        True,
    ),
    Case(
        "deleteCustomerConfigVariable",
        "mutation($id: ID!) { deleteCustomerConfigVariable(input: {id: $id}) "
        "{ errors { messages } } }",
        throwaway("customerValue"),
        (*INTEGRATORS, "customer-admin"),
        True,
    ),
    Case(
        "resumeExecution",
        "mutation($id: ID!) { resumeExecution(input: {id: $id}) "
        "{ instanceExecutionResult { id } errors { messages } } }",
        o("executionA"),
        (),
        True,
    ),
]


def test_every_root_operation_has_an_entry() -> None:
    from splice.api.graphql.executable import build_schema

    schema = build_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    roots = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert roots - {case.field for case in CASES} == set()


def allowed_result(case: Case, body: dict[str, Any]) -> bool:
    data = body.get("data")
    if not case.mutation:
        return data is not None and not body.get("errors")
    if data is None:
        return False
    payload = data.get(case.field)
    return payload is True if case.field == "noop" else not (payload or {}).get("errors")


async def test_each_role_may_do_exactly_what_the_table_says(world: World) -> None:
    mismatches: list[str] = []
    for case in CASES:
        for role in EVERYONE:
            variables = case.variables(world)
            if isinstance(variables, tuple) and variables[0] == "fresh":
                variables = await fresh(world, variables[1])
            body = await world.call(role, case.document, variables)
            if allowed_result(case, body) != (role in case.allowed):
                expected = "allowed" if role in case.allowed else "refused"
                mismatches.append(
                    f"{case.field} {variables} as {role}: expected {expected}, got {body}"
                )
    assert mismatches == [], "\n".join(mismatches)


async def test_customer_users_lists_hold_only_their_customer(world: World) -> None:
    for role in CUSTOMER:
        customers = await world.call(role, "query { customers { nodes { id } } }", {})
        assert [n["id"] for n in customers["data"]["customers"]["nodes"]] == [
            world.objects["customerA"]
        ]
        instances = await world.call(role, "query { instances { nodes { id } } }", {})
        assert [n["id"] for n in instances["data"]["instances"]["nodes"]] == [
            world.objects["instanceA"]
        ]
        executions = await world.call(role, "query { executionResults { nodes { id } } }", {})
        seen = {n["id"] for n in executions["data"]["executionResults"]["nodes"]}
        assert world.objects["executionB"] not in seen and world.objects["executionA"] in seen
