"""List filters the `prismatic` component sends: instances and integrations."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.graphql.conftest import Api
from tests.integration.runtime.flows import definition

IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) "
    "{ integration { id } errors { messages } } }"
)
PUBLISH = (
    "mutation($id: ID!) { publishIntegration(input: {id: $id}) "
    "{ integration { id } errors { messages } } }"
)
INTEGRATIONS = (
    "query($hi: Boolean, $va: Boolean, $vs: ID, $m: Boolean, $all: Boolean) { integrations("
    "hasInstances: $hi, versionIsAvailable: $va, versionSequenceId: $vs, marketplace: $m, "
    "allVersions: $all) { nodes { id versionNumber } } }"
)
INSTANCES = (
    "query($nd: Boolean, $l: String) { instances(needsDeploy: $nd, labels_Contains: $l, "
    "isSystem: false) { nodes { id } } }"
)


async def _data(api: Api, query: str, **variables: Any) -> dict[str, Any]:
    body = await api.gql(query, **variables)
    assert body.get("errors") is None, body
    data: dict[str, Any] = body["data"]
    return data


async def _integration(api: Api, publish: bool) -> str:
    data = await _data(api, IMPORT, d=definition(f"F {uuid.uuid4().hex[:6]}"))
    integration: str = data["importIntegration"]["integration"]["id"]
    if publish:
        await _data(api, PUBLISH, id=integration)
    return integration


async def test_integration_filters(api: Api) -> None:
    draft = await _integration(api, publish=False)
    published = await _integration(api, publish=True)
    customer = await _data(
        api, 'mutation { createCustomer(input: {name: "C"}) { customer { id } } }'
    )
    created = await _data(
        api,
        'mutation($i: ID!, $c: ID!) { createInstance(input: {name: "I", integration: $i, '
        'customer: $c, labels: ["Gold"]}) { instance { id } errors { messages } } }',
        i=published,
        c=customer["createCustomer"]["customer"]["id"],
    )
    instance = created["createInstance"]["instance"]["id"]

    def ids(data: dict[str, Any]) -> list[str]:
        return [n["id"] for n in data["integrations"]["nodes"]]

    assert ids(await _data(api, INTEGRATIONS, va=True)) == [published]
    assert ids(await _data(api, INTEGRATIONS, va=False)) == [draft]
    assert ids(await _data(api, INTEGRATIONS, hi=True)) == [published]
    assert ids(await _data(api, INTEGRATIONS, hi=False)) == [draft]
    assert ids(await _data(api, INTEGRATIONS, vs=draft)) == [draft]
    assert ids(await _data(api, INTEGRATIONS, m=True)) == []
    assert sorted(ids(await _data(api, INTEGRATIONS, m=False))) == sorted([draft, published])
    versions = await _data(api, INTEGRATIONS, vs=published, all=True, va=True)
    assert [n["versionNumber"] for n in versions["integrations"]["nodes"]] == [1]

    def instance_ids(data: dict[str, Any]) -> list[str]:
        return [n["id"] for n in data["instances"]["nodes"]]

    assert instance_ids(await _data(api, INSTANCES, nd=True)) == [instance]
    assert instance_ids(await _data(api, INSTANCES, nd=False)) == []
    assert instance_ids(await _data(api, INSTANCES, l="gold")) == [instance]
    assert instance_ids(await _data(api, INSTANCES, l="silver")) == []
