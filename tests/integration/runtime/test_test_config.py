"""updateIntegration(testConfigVariables) sets the values test runs of the draft use."""

from __future__ import annotations

import yaml

from tests.integration.runtime.conftest import Running

GREETER = {
    "definitionVersion": 7,
    "name": "Greeter",
    "requiredConfigVars": [{"key": "Greeting", "dataType": "string", "defaultValue": "hi"}],
    "configPages": [{"name": "Settings", "elements": [{"type": "configVar", "value": "Greeting"}]}],
    "flows": [
        {
            "name": "Greet",
            "endpointSecurityType": "unsecured",
            "isSynchronous": True,
            "steps": [
                {
                    "name": "Greet Trigger",
                    "isTrigger": True,
                    "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
                    "inputs": {},
                },
                {
                    "name": "Answer",
                    "action": {"key": "stopExecution", "component": {"key": "stop-execution"}},
                    "inputs": {
                        "jsonBody": {"type": "template", "value": '{"said": "{{#Greeting}}"}'}
                    },
                },
            ],
        }
    ],
}
UPDATE = (
    "mutation($id: ID!, $vars: [InputInstanceConfigVariable]) { updateIntegration(input: "
    "{id: $id, testConfigVariables: $vars}) { integration { id } errors { field messages } } }"
)


async def test_test_config_values_reach_test_runs(app: Running) -> None:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id flows { nodes { testUrl } } } errors { messages } } }",
        d=yaml.safe_dump(GREETER),
    )
    integration = data["importIntegration"]["integration"]
    url = integration["flows"]["nodes"][0]["testUrl"].replace("http://splice.test", "")
    assert (await app.http.post(url, json={})).json() == {"said": "hi"}
    updated = await app.gql(
        UPDATE, id=integration["id"], vars=[{"key": "Greeting", "value": "hello"}]
    )
    assert updated["updateIntegration"]["errors"] == []
    assert (await app.http.post(url, json={})).json() == {"said": "hello"}
    refused = await app.gql(UPDATE, id=integration["id"], vars=[{"key": "Nope", "value": "x"}])
    assert refused["updateIntegration"]["errors"][0]["field"] == "configVariables"
