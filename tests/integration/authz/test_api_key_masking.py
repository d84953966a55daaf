"""Webhook API keys (``InstanceFlowConfig.apiKeys``) are secrets: viewers read them masked.

Uses the authorization matrix's world (two customers, one token per role); customer users belong
to customer A, whose instance gets a known key.
"""

from __future__ import annotations

from tests.integration.authz.test_matrix import CONFIGURERS, EVERYONE, World, world

__all__ = ["world"]  # the matrix's fixture, used here by name

KEY = "webhook-key-of-customer-a"
SET_KEYS = """mutation($id: ID!, $flow: ID!, $keys: [String]) {
  updateInstance(input: {id: $id, flowConfigs: [{flowId: $flow, apiKeys: $keys}]}) {
    errors { messages } } }"""
READ_KEYS = "query($id: ID!) { instance(id: $id) { flowConfigs { nodes { apiKeys } } } }"


async def test_only_those_who_may_set_api_keys_read_them(world: World) -> None:
    changed = await world.owner(
        SET_KEYS, id=world.objects["instanceA"], flow=world.objects["flow"], keys=[KEY]
    )
    assert changed["updateInstance"]["errors"] == []
    seen = {}
    for role in EVERYONE:
        body = await world.call(role, READ_KEYS, {"id": world.objects["instanceA"]})
        assert body.get("errors") is None, (role, body)
        seen[role] = body["data"]["instance"]["flowConfigs"]["nodes"][0]["apiKeys"]
    assert {role for role, keys in seen.items() if keys == [KEY]} == set(CONFIGURERS)
    assert seen["viewer"] == seen["customer-viewer"] == ["********"]
