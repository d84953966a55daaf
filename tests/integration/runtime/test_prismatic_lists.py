"""Every paging and filter input of the `prismatic` list actions, through the engine.

Each input is sent by a real flow step to the live app; what comes back is checked against the
server's own answer (its order, its objects), so an input that is dropped, misnamed or ignored
by the server fails here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.runtime.flows import definition
from tests.integration.runtime.prismatic_platform import Platform

pytestmark = pytest.mark.usefixtures("fresh_tokens")


IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) "
    "{ integration { id flows { nodes { id } } } errors { field messages } } }"
)
UPDATE_INTEGRATION = (
    "mutation($id: ID!, $d: String, $c: String, $l: [String]) { updateIntegration(input: "
    "{id: $id, description: $d, category: $c, labels: $l}) { errors { field messages } } }"
)
PUBLISH = (
    "mutation($id: ID!) { publishIntegration(input: {id: $id}) "
    "{ integration { id } errors { field messages } } }"
)
CREATE_CUSTOMER = (
    "mutation($n: String!, $e: String) { createCustomer(input: {name: $n, externalId: $e}) "
    "{ customer { id } errors { messages } } }"
)
CREATE_INSTANCE = (
    "mutation($n: String!, $i: ID!, $c: ID!, $d: String, $l: [String]) { createInstance(input: "
    "{name: $n, integration: $i, customer: $c, description: $d, labels: $l}) "
    "{ instance { id } errors { field messages } } }"
)
DEPLOY = "mutation($id: ID!) { deployInstance(input: {id: $id}) { errors { field messages } } }"


async def _mutate(platform: Platform, query: str, field: str, **variables: Any) -> dict[str, Any]:
    data = await platform.gql(query, **variables)
    result: dict[str, Any] = data[field]
    assert not result.get("errors"), result
    return result


async def _import(platform: Platform, name: str) -> str:
    result = await _mutate(platform, IMPORT, "importIntegration", d=definition(name))
    return str(result["integration"]["id"])


async def _publish(platform: Platform, integration: str) -> str:
    """Publish the draft; the new version's ID."""
    result = await _mutate(platform, PUBLISH, "publishIntegration", id=integration)
    return str(result["integration"]["id"])


async def _customer(platform: Platform, name: str, external_id: str | None = None) -> str:
    result = await _mutate(platform, CREATE_CUSTOMER, "createCustomer", n=name, e=external_id)
    return str(result["customer"]["id"])


async def _server_order(platform: Platform, root: str, args: str) -> list[str]:
    data = await platform.gql(f"{{ {root}({args}, first: 500) {{ nodes {{ id }} }} }}")
    return [n["id"] for n in data[root]["nodes"]]


class Lister:
    """Runs one list action with fixed inputs plus per-call ones; the IDs and the connection."""

    def __init__(self, platform: Platform, action: str, root: str, **fixed: Any) -> None:
        self.platform, self.action, self.root, self.fixed = platform, action, root, fixed

    async def __call__(self, **inputs: Any) -> tuple[list[str], dict[str, Any]]:
        data = await self.platform.ok(self.action, **{**self.fixed, **inputs})
        connection: dict[str, Any] = data[self.root]
        return [n["id"] for n in connection["nodes"]], connection

    async def ids(self, **inputs: Any) -> list[str]:
        return (await self(**inputs))[0]

    async def error(self, **inputs: Any) -> str:
        result = await self.platform.step(self.action, **{**self.fixed, **inputs})
        assert result.status == "failed", result.data
        assert result.error is not None and f"prismatic {self.action}" in result.error
        return result.error


async def _assert_paging(lister: Lister, order: list[str]) -> None:
    """after/first, before/last and offset select the windows Relay and graphene define."""
    n = len(order)
    assert n >= 3, order
    head, first_page = await lister(first="2")
    assert head == order[:2]
    assert first_page["totalCount"] == n
    info = first_page["pageInfo"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (False, True)

    nxt, second = await lister(first="2", after=info["endCursor"])
    assert nxt == order[2:4]
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["pageInfo"]["hasNextPage"] is (n > 4)

    tail, last_page = await lister(last="2")
    assert tail == order[-2:]
    info = last_page["pageInfo"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, False)
    back, back_page = await lister(last="1", before=info["startCursor"])
    assert back == order[-3:-2]
    assert back_page["pageInfo"]["hasNextPage"] is True
    assert await lister.ids(before=info["startCursor"]) == order[:-2]

    assert await lister.ids(offset="1") == order[1:]
    assert await lister.ids(offset="1", first="1") == order[1:2]
    assert await lister.ids(after=first_page["pageInfo"]["startCursor"], offset="1") == order[2:]
    assert await lister.ids(offset=str(n)) == []

    assert "first must not be negative" in await lister.error(first="-1")
    assert "last must not be negative" in await lister.error(last="-2")
    assert "offset must not be negative" in await lister.error(offset="-1")
    assert "invalid cursor in before" in await lister.error(before="bm9wZQ==", last="1")


async def test_list_customers_pages_forward_backward_and_by_offset(platform: Platform) -> None:
    tag = uuid.uuid4().hex[:6]
    for i in range(5):
        await _customer(platform, f"Pager {tag} {i}", f"pager-{tag}-{i}")
    order = await _server_order(platform, "customers", f'name_Istartswith: "Pager {tag}"')
    assert len(order) == 5
    await _assert_paging(
        Lister(platform, "listCustomers", "customers", nameStartsWith="pager"), order
    )


async def test_list_instances_inputs_take_effect(platform: Platform) -> None:
    tag = uuid.uuid4().hex[:6]
    integration = await _import(platform, f"Inst {tag}")
    v1 = await _publish(platform, integration)
    await _mutate(platform, UPDATE_INTEGRATION, "updateIntegration", id=integration, d="v2")
    v2 = await _publish(platform, integration)
    east = await _customer(platform, f"East {tag}", f"east-{tag}")
    west = await _customer(platform, f"West {tag}", f"west-{tag}")
    made = {}
    for name, version, customer, description, labels in (
        (f"Pg {tag} Alpha", v1, east, "First East", ["gold"]),
        (f"Pg {tag} Beta", v1, west, "second WEST", []),
        (f"Pg {tag} Gamma", v2, east, "", []),
    ):
        created = await _mutate(
            platform,
            CREATE_INSTANCE,
            "createInstance",
            n=name,
            i=version,
            c=customer,
            d=description,
            l=labels,
        )
        made[name.rsplit(" ", 1)[1]] = created["instance"]["id"]
        await _mutate(platform, DEPLOY, "deployInstance", id=created["instance"]["id"])
    alpha, beta, gamma = made["Alpha"], made["Beta"], made["Gamma"]

    listed = Lister(platform, "listInstances", "instances", nameContains=f"pg {tag}")
    assert sorted(await listed.ids()) == sorted([alpha, beta, gamma])
    assert sorted(await listed.ids(customerExternalId=f"east-{tag}")) == sorted([alpha, gamma])
    assert await listed.ids(customer=west) == [beta]
    assert sorted(await listed.ids(compatibility="1")) == sorted([alpha, beta])
    assert await listed.ids(compatibility="2") == [gamma]
    assert await listed.ids(compatibility="3") == []
    assert await listed.ids(name=f"Pg {tag} Beta") == [beta]
    assert await listed.ids(name=f"pg {tag} beta") == []  # name is exact
    assert await listed.ids(description="First East") == [alpha]
    assert await listed.ids(descriptionContains="west") == [beta]
    assert await listed.ids(labelContains="GOLD") == [alpha]
    assert sorted(await listed.ids(integration=integration)) == sorted([alpha, beta, gamma])
    assert await listed.ids(integration=v2) == [gamma]
    assert await listed.ids(needsDeploy="true") == []

    await platform.gql(
        "mutation($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        "{ errors { messages } } }",
        id=beta,
    )
    assert beta not in await listed.ids()  # enabled defaults to true
    assert await listed.ids(enabled="false") == [beta]

    order = await _server_order(platform, "instances", f'name_Icontains: "pg {tag}"')
    await _assert_paging(
        Lister(platform, "listInstances", "instances", nameContains=f"pg {tag}", enabled=""), order
    )


async def test_list_integrations_inputs_take_effect(platform: Platform) -> None:
    tag = uuid.uuid4().hex[:6]
    alpha = await _import(platform, f"Lst {tag} Alpha")
    beta = await _import(platform, f"Lst {tag} Beta")
    gamma = await _import(platform, f"Lst {tag} Gamma")
    await _mutate(
        platform, UPDATE_INTEGRATION, "updateIntegration", id=alpha, d="Alpha one", c="Sales Tools"
    )
    alpha_v1 = await _publish(platform, alpha)
    await _mutate(platform, UPDATE_INTEGRATION, "updateIntegration", id=alpha, d="Alpha two")
    await _publish(platform, alpha)
    await _mutate(
        platform, UPDATE_INTEGRATION, "updateIntegration", id=beta, c="Marketing", l=["crm"]
    )
    beta_v1 = await _publish(platform, beta)
    await _mutate(platform, UPDATE_INTEGRATION, "updateIntegration", id=gamma, d="Gamma desc")
    customer = await _customer(platform, f"Buyer {tag}")
    await _mutate(platform, CREATE_INSTANCE, "createInstance", n="Uses beta", i=beta_v1, c=customer)

    # the seed's defaults (hasUnpublishedChanges and versionIsAvailable true) are switched off
    listed = Lister(
        platform,
        "listIntegrations",
        "integrations",
        nameContains=f"lst {tag}",
        hasUnpublishedChanges="",
        versionIsAvailable="",
    )
    everything = sorted([alpha, beta, gamma])
    assert sorted(await listed.ids()) == everything
    assert await listed.ids(categoryContains="sales") == [alpha]
    assert await listed.ids(categoryContains="MARK") == [beta]
    assert await listed.ids(category="Marketing") == [beta]
    assert await listed.ids(category="marketing") == []  # category is exact
    assert await listed.ids(versionNumber="2") == [alpha]
    assert await listed.ids(versionNumber="1") == [beta]
    assert await listed.ids(versionNumber="0") == [gamma]
    assert await listed.ids(description="Alpha two") == [alpha]
    assert await listed.ids(description="Alpha") == []
    assert await listed.ids(descriptionContains="GAMMA") == [gamma]
    assert await listed.ids(labelContains="CRM") == [beta]
    assert await listed.ids(name=f"Lst {tag} Beta") == [beta]
    assert await listed.ids(hasInstances="true") == [beta]
    assert sorted(await listed.ids(hasInstances="false")) == everything  # false: no restriction
    assert await listed.ids(hasUnpublishedChanges="true") == [gamma]
    assert sorted(await listed.ids(hasUnpublishedChanges="false")) == sorted([alpha, beta])
    assert sorted(await listed.ids(versionIsAvailable="true")) == sorted([alpha, beta])
    assert await listed.ids(versionIsAvailable="false") == [gamma]
    assert await listed.ids(versionSequenceId=beta) == [beta]
    assert await listed.ids(marketplace="true") == []
    assert sorted(await listed.ids(marketplace="false")) == everything
    assert await listed.ids(marketplaceConfig="AVAILABLE_AND_DEPLOYABLE") == []
    versions = await listed.ids(allVersions="true", versionSequenceId=alpha, versionNumber="1")
    assert versions == [alpha_v1]

    order = await _server_order(platform, "integrations", f'name_Icontains: "lst {tag}"')
    await _assert_paging(listed, order)


async def test_list_components_and_flows_answer_with_page_info(platform: Platform) -> None:
    components = await platform.ok("listComponents")
    server = await _server_order(platform, "components", "public: true")
    listed = [n["id"] for n in components["components"]["nodes"]]
    assert set(server) <= set(listed)
    assert components["components"]["totalCount"] == len(listed)

    integration = await _import(platform, f"Flows {uuid.uuid4().hex[:6]}")
    flows = await platform.ok("listFlows", integrationId=integration)
    data = await platform.gql(
        "query($id: ID!) { integration(id: $id) { flows { nodes { id } } } }", id=integration
    )
    listed_flows = [n["id"] for n in flows["integration"]["flows"]["nodes"]]
    assert listed_flows == [n["id"] for n in data["integration"]["flows"]["nodes"]]
    assert flows["integration"]["flows"]["pageInfo"]["hasNextPage"] is False


async def test_get_execution_and_execution_lists_page_alike(platform: Platform) -> None:
    """Executions of a flow tested three times, and one execution's step results, paged."""
    flow = (await _mutate(platform, IMPORT, "importIntegration", d=definition("Runs")))[
        "integration"
    ]["flows"]["nodes"][0]["id"]
    for name in ("a", "b", "c"):
        await platform.ok("testFlow", flowId=flow, payload=f'{{"name": "{name}"}}')
    await platform.settle()
    page = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"
    runs = await platform.gql(
        f"{{ executionResults(isTestExecution: true, first: 10) {{ nodes {{ id }} {page} }} }}"
    )
    order = [n["id"] for n in runs["executionResults"]["nodes"]]
    assert len(order) == 3
    tail = await platform.gql(
        f"{{ executionResults(isTestExecution: true, last: 2) {{ nodes {{ id }} {page} }} }}"
    )
    assert [n["id"] for n in tail["executionResults"]["nodes"]] == order[1:]
    assert tail["executionResults"]["pageInfo"]["hasPreviousPage"] is True
    skipped = await platform.gql(
        "{ executionResults(isTestExecution: true, offset: 2) { nodes { id } } }"
    )
    assert [n["id"] for n in skipped["executionResults"]["nodes"]] == order[2:]

    got = await platform.ok("getExecution", executionId=order[0])
    steps = [s["id"] for s in got["executionResult"]["stepResults"]["nodes"]]
    assert len(steps) >= 2
    last = await platform.gql(
        "query($id: ID!) { executionResult(id: $id) { stepResults(last: 1) { nodes { id } } } }",
        id=order[0],
    )
    assert [n["id"] for n in last["executionResult"]["stepResults"]["nodes"]] == steps[-1:]
