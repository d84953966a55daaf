"""Log sections end to end: the engine opens one per step run that logs, the sink stores it, and
GraphQL serves ``Log.sectionId`` and ``executionSections`` as prism 10.4 reads them."""

from __future__ import annotations

import uuid
from typing import Any

import yaml
from sqlalchemy import select

from splice import ids
from splice.services.auth import actor_for
from splice.store.tables import User
from tests.integration.runtime.conftest import Running

LOGS = (
    "query GetExecutionLogs($executionId: ID!, $nextCursor: String) { logs(executionResult: "
    "$executionId, after: $nextCursor, orderBy: {field: TIMESTAMP, direction: ASC}) "
    "{ edges { node { timestamp severity message sectionId } cursor } } }"
)
SECTIONS = (
    "query GetExecutionSections($executionId: ID!, $sectionIds: [UUID!]) { executionSections("
    "executionResult: $executionId, sectionId_In: $sectionIds, orderBy: {field: STARTED_AT, "
    "direction: ASC}) { nodes { sectionId label } } }"
)


def log_step(name: str, message: str) -> dict[str, Any]:
    return {
        "name": name,
        "action": {"key": "writeLog", "component": {"key": "log"}},
        "inputs": {
            "level": {"type": "value", "value": "info"},
            "message": {"type": "template", "value": message},
        },
    }


DEFINITION = {
    "definitionVersion": 7,
    "name": "Sections",
    "flows": [
        {
            "name": "Loud",
            "endpointSecurityType": "unsecured",
            "steps": [
                {
                    "name": "Loud Trigger",
                    "isTrigger": True,
                    "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
                    "inputs": {},
                },
                log_step("Greet", "hello {{$loudTrigger.results.body.data.name}}"),
                {
                    "name": "Each Item",
                    "action": {"key": "loopOverItems", "component": {"key": "loop"}},
                    "inputs": {
                        "items": {
                            "type": "reference",
                            "value": "loudTrigger.results.body.data.items",
                        }
                    },
                    "steps": [log_step("Tell Item", "item {{$eachItem.currentItem}}")],
                },
                {
                    "name": "Quiet",
                    "action": {"key": "stopExecution", "component": {"key": "stop-execution"}},
                    "inputs": {"statusCode": {"type": "value", "value": "200"}},
                },
            ],
        }
    ],
}


async def run_once(app: Running) -> str:
    async with app.services.db.session() as session:
        user = (await session.execute(select(User))).scalars().first()
    assert user is not None
    owner = actor_for(user)
    document = {**DEFINITION, "name": f"Sections {uuid.uuid4().hex[:6]}"}
    record = await app.services.integrations.import_definition(owner, yaml.safe_dump(document))
    configs = await app.services.integrations.test_flow_configs(owner, record)
    response = await app.http.post(
        f"/trigger/{ids.encode('InstanceFlowConfig', configs['Loud'])}",
        json={"name": "Ada", "items": ["x", "y"]},
        headers={"prismatic-synchronous": "true"},
    )
    assert response.status_code == 200, response.text
    return response.headers["prismatic-executionid"]


async def test_step_logs_carry_sections_whose_labels_graphql_serves(app: Running) -> None:
    execution = await run_once(app)
    edges = (await app.gql(LOGS, executionId=execution))["logs"]["edges"]
    by_message = {e["node"]["message"]: e["node"]["sectionId"] for e in edges}
    assert by_message["Starting Instance Execution of flow 'Loud'"] is None
    assert by_message["Ending Instance Execution"] is None
    section_ids = [by_message["hello Ada"], by_message["item x"], by_message["item y"]]
    assert None not in section_ids and len(set(section_ids)) == 3
    assert all(str(uuid.UUID(s)) == s for s in section_ids), "plain UUIDs, not global IDs"

    asked = [section_ids[2], section_ids[0]]
    nodes = (await app.gql(SECTIONS, executionId=execution, sectionIds=asked))["executionSections"][
        "nodes"
    ]
    assert nodes == [
        {"sectionId": section_ids[0], "label": "Greet"},
        {"sectionId": section_ids[2], "label": "Tell Item (eachItem[1].tellItem)"},
    ]
    every = (await app.gql(SECTIONS, executionId=execution))["executionSections"]["nodes"]
    assert [n["label"] for n in every] == [
        "Greet",
        "Tell Item (eachItem[0].tellItem)",
        "Tell Item (eachItem[1].tellItem)",
    ]


async def test_sections_of_another_execution_are_not_served(app: Running) -> None:
    first, second = await run_once(app), await run_once(app)
    edges = (await app.gql(LOGS, executionId=first))["logs"]["edges"]
    first_sections = [e["node"]["sectionId"] for e in edges if e["node"]["sectionId"]]
    nodes = (await app.gql(SECTIONS, executionId=second, sectionIds=first_sections))[
        "executionSections"
    ]["nodes"]
    assert nodes == []
    response = await app.http.post(
        "/api",
        json={"query": SECTIONS, "variables": {"executionId": first, "sectionIds": ["nope"]}},
        headers={"Authorization": f"Bearer {app.token}"},
    )
    assert response.json().get("errors"), "a malformed section ID is an error, not a crash"
