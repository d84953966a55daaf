"""List filters the `prismatic` component sends: instances and integrations."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import yaml

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


async def _integration(api: Api, publish: bool, flows: int = 1) -> str:
    document = yaml.safe_load(definition(f"F {uuid.uuid4().hex[:6]}"))
    echo = document["flows"][0]
    document["flows"] = [{**echo, "name": f"Echo {i}"} for i in range(flows)]
    data = await _data(api, IMPORT, d=yaml.safe_dump(document))
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


PAGING = "after: $a, first: $f, before: $b, last: $l, offset: $o"
PAGING_VARS = "$a: String, $f: Int, $b: String, $l: Int, $o: Int"


class Paged:
    """One list field queried with the shared paging arguments; ``path`` leads to it."""

    def __init__(self, api: Api, query: str, path: tuple[str, ...], **fixed: Any) -> None:
        self.api, self.query, self.path, self.fixed = api, query, path, fixed

    async def __call__(self, **paging: Any) -> dict[str, Any]:
        names = {"after": "a", "first": "f", "before": "b", "last": "l", "offset": "o"}
        variables = {names[k]: v for k, v in paging.items()}
        node: Any = await _data(self.api, self.query, **self.fixed, **variables)
        for key in self.path:
            node = node[0] if isinstance(node, list) else node
            node = node[key]
        result: dict[str, Any] = node
        return result

    async def ids(self, **paging: Any) -> list[str]:
        return [n["id"] for n in (await self(**paging))["nodes"]]


async def _assert_pages(paged: Paged) -> None:
    order = await paged.ids(first=500)
    n = len(order)
    assert n >= 2, (paged.path, order)
    head = await paged(first=1)
    assert [x["id"] for x in head["nodes"]] == order[:1]
    assert head["pageInfo"]["hasNextPage"] is True and head["pageInfo"]["hasPreviousPage"] is False
    assert await paged.ids(first=1, after=head["pageInfo"]["endCursor"]) == order[1:2]
    tail = await paged(last=1)
    assert [x["id"] for x in tail["nodes"]] == order[-1:]
    assert tail["pageInfo"]["hasPreviousPage"] is True and tail["pageInfo"]["hasNextPage"] is False
    assert await paged.ids(last=1, before=tail["pageInfo"]["startCursor"]) == order[-2:-1]
    assert await paged.ids(offset=1) == order[1:]
    assert await paged.ids(offset=1, first=1) == order[1:2]
    assert await paged.ids(first=0) == []
    edges = (await paged(first=2))["edges"]
    assert [e["cursor"] for e in edges][:1] == [head["pageInfo"]["startCursor"]]


def _paged_root(field: str, args: str = "", extra_vars: str = "") -> str:
    inner = f"{PAGING}, {args}" if args else PAGING
    declared = f"{PAGING_VARS}, {extra_vars}" if extra_vars else PAGING_VARS
    return (
        f"query({declared}) {{ {field}({inner}) {{ nodes {{ id }} edges {{ cursor }} "
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    )


def _paged_nested(root: str, field: str) -> str:
    return (
        f"query({PAGING_VARS}, $id: ID!) {{ {root}(id: $id) {{ {field}({PAGING}) {{ "
        "nodes { id } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor "
        "endCursor } } } }"
    )


async def test_every_list_pages_alike(api: Api) -> None:
    tag = uuid.uuid4().hex[:6]
    integrations = [await _integration(api, publish=True, flows=3) for _ in range(3)]
    customers = []
    for i in range(3):
        made = await _data(
            api,
            "mutation($n: String!) { createCustomer(input: {name: $n}) { customer { id } } }",
            n=f"Paged {tag} {i}",
        )
        customers.append(made["createCustomer"]["customer"]["id"])
    instances = []
    for i, customer in enumerate(customers):
        made = await _data(
            api,
            "mutation($n: String!, $i: ID!, $c: ID!) { createInstance(input: {name: $n, "
            "integration: $i, customer: $c}) { instance { id } errors { messages } } }",
            n=f"Paged {tag} {i}",
            i=integrations[0],
            c=customer,
        )
        instances.append(made["createInstance"]["instance"]["id"])
    deployed = await _data(
        api,
        "mutation($id: ID!) { deployInstance(input: {id: $id}) { errors { messages } } }",
        id=instances[0],
    )
    assert deployed["deployInstance"]["errors"] == []

    lists = [
        Paged(
            api,
            _paged_root("customers", "name_Istartswith: $p", "$p: String"),
            ("customers",),
            p=f"Paged {tag}",
        ),
        Paged(api, _paged_root("integrations"), ("integrations",)),
        Paged(
            api, _paged_root("instances", "name_Icontains: $p", "$p: String"), ("instances",), p=tag
        ),
        Paged(api, _paged_root("components"), ("components",)),
        Paged(
            api, _paged_nested("integration", "flows"), ("integration", "flows"), id=integrations[0]
        ),
        Paged(
            api,
            _paged_nested("integration", "instances"),
            ("integration", "instances"),
            id=integrations[0],
        ),
        Paged(
            api,
            _paged_nested("instance", "flowConfigs"),
            ("instance", "flowConfigs"),
            id=instances[0],
        ),
        Paged(
            api,
            f'query({PAGING_VARS}) {{ components(key: "prismatic") {{ nodes {{ actions({PAGING}) '
            "{ nodes { id: key } edges { cursor } pageInfo { hasNextPage hasPreviousPage "
            "startCursor endCursor } } } } }",
            ("components", "nodes", "actions"),
        ),
    ]
    for paged in lists:
        await _assert_pages(paged)
    assert sorted(await lists[2].ids()) == sorted(instances)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ("first: -1", "first"),
        ("last: -1", "last"),
        ("offset: -3", "offset"),
        ('before: "bm9wZQ==", last: 1', "before"),
        ('after: "x"', "after"),
    ],
)
async def test_bad_paging_is_a_graphql_error_naming_the_argument(
    api: Api, arguments: str, field: str
) -> None:
    body = await api.gql(f"{{ customers({arguments}) {{ nodes {{ id }} }} }}")
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["field"] == field
    assert field in error["message"]


async def test_every_cursor_paged_field_declares_the_shared_paging_arguments(api: Api) -> None:
    body = await api.gql(
        "{ __schema { types { name fields { name args { name } type { name ofType { name "
        "ofType { name } } } } } } }"
    )
    missing = []
    checked = 0
    for gql_type in body["data"]["__schema"]["types"]:
        for field in gql_type.get("fields") or []:
            args = {a["name"] for a in field["args"]}
            if "after" not in args or field["name"] == "logs":  # logs: keyset cursors
                continue
            checked += 1
            if not {"after", "first", "before", "last", "offset"} <= args:
                missing.append(f"{gql_type['name']}.{field['name']}")
    assert checked >= 10
    assert missing == []
