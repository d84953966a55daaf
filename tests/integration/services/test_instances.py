"""Instances through the service layer on SQLite and PostgreSQL: create, configure, deploy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from splice import ids
from splice.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from splice.services import Services
from splice.services.auth import actor_for
from splice.services.authz import Actor
from splice.services.instances import InstanceFilter
from splice.services.pagination import PageRequest
from splice.services.records import IntegrationRecord
from splice.services.secrets import MASK
from tests.integration.services.conftest import add_user

DEFINITIONS = Path(__file__).resolve().parents[2] / "fixtures" / "definitions"
CONFIG_TYPES = DEFINITIONS / "config-types.yml"
SECRET = "s3cr3t-pa55w0rd-plaintext"


async def published(services: Services, owner: Actor) -> tuple[IntegrationRecord, str]:
    """config-types.yml imported and published once: (version record, integration ID)."""
    draft = await services.integrations.import_definition(owner, CONFIG_TYPES.read_text())
    version = await services.versions.publish(owner, draft.global_id, "v1")
    return version, draft.global_id


async def customer(services: Services, owner: Actor, name: str = "Acme") -> str:
    row = await services.customers.create(owner, name, external_id=name.lower())
    return ids.encode("Customer", row.id)


async def customer_actor(
    services: Services, owner: Actor, customer_id: str, email: str, role: str = "customer-admin"
) -> Actor:
    """A customer user of ``customer_id`` as an Actor."""
    user = await services.users.create(owner, email, role=role, customer=customer_id)
    return actor_for(user)


def basic_auth(username: str = "u", password: str = SECRET) -> dict[str, Any]:
    return {
        "key": "Basic Auth",
        "values": json.dumps(
            [
                {"name": "username", "type": "value", "value": username},
                {"name": "password", "type": "value", "value": password},
            ]
        ),
    }


async def test_create_deploy_and_needs_deploy(services: Services, owner: Actor) -> None:
    version, _ = await published(services, owner)
    cid = await customer(services, owner)
    instance = await services.instances.create(
        owner,
        name="Inst1",
        integration=version.global_id,
        customer=cid,
        labels=["Prod"],
        config_variables=[{"key": "Endpoint", "value": "https://x"}, basic_auth()],
    )
    assert instance.needs_deploy and instance.deployed_at is None
    assert instance.labels == ["prod"]
    deployed = await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    assert not deployed.needs_deploy
    assert deployed.deployed_at is not None
    assert deployed.deployed_version_id == version.version.id  # type: ignore[union-attr]

    changed = await services.instances.update(
        owner,
        ids.encode("Instance", instance.id),
        config_variables=[{"key": "Endpoint", "value": "https://y"}, basic_auth()],
    )
    assert changed.needs_deploy
    renamed = await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    assert not renamed.needs_deploy
    only_name = await services.instances.update(
        owner, ids.encode("Instance", instance.id), name="B"
    )
    assert not only_name.needs_deploy and only_name.name == "B"


async def test_integration_id_means_its_latest_available_version(
    services: Services, owner: Actor
) -> None:
    v1, integration_id = await published(services, owner)
    v2 = await services.versions.publish(owner, integration_id, "v2")
    await services.versions.set_available(owner, v2.global_id, False)
    instance = await services.instances.create(
        owner, name="I", integration=integration_id, customer=await customer(services, owner)
    )
    assert instance.version_id == v1.version.id  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="not available") as caught:
        await services.instances.create(
            owner, name="J", integration=v2.global_id, customer=await customer(services, owner, "B")
        )
    assert caught.value.field == "integration"


async def test_draft_only_integration_cannot_be_instantiated(
    services: Services, owner: Actor
) -> None:
    draft = await services.integrations.create(owner, "Unpublished")
    with pytest.raises(Conflict, match="no available published version"):
        await services.instances.create(
            owner, name="I", integration=draft.global_id, customer=await customer(services, owner)
        )


async def test_deploy_lists_missing_keys(services: Services, owner: Actor) -> None:
    version, _ = await published(services, owner)
    instance = await services.instances.create(
        owner, name="I", integration=version.global_id, customer=await customer(services, owner)
    )
    with pytest.raises(InvalidInput) as caught:
        await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    assert caught.value.field == "configVariables"
    assert "'Endpoint'" in caught.value.message and "'Basic Auth'" in caught.value.message
    assert "'Retries'" not in caught.value.message
    state = await services.instances.config_state(owner, instance)
    assert state == "NEEDS_INSTANCE_CONFIGURATION"
    forced = await services.instances.deploy(owner, ids.encode("Instance", instance.id), force=True)
    assert not forced.needs_deploy


@pytest.mark.parametrize(
    ("item", "rule"),
    [
        ({"key": "Retries", "value": "many"}, "must be a number"),
        ({"key": "Verbose", "value": "maybe"}, "boolean"),
        ({"key": "Region", "value": "mars"}, "picklist"),
        ({"key": "Tags", "value": "not json"}, "JSON array"),
        ({"key": "Headers", "value": '[{"k": 1}]'}, "key and value"),
        ({"key": "Template", "value": "{nope"}, "JSON code"),
        ({"key": "Sync Schedule", "value": "every day"}, "cron"),
        ({"key": "Sync Schedule", "value": "0 2 * * *", "timeZone": "Mars/Base"}, "time zone"),
        ({"key": "Sync Schedule", "value": "0 2 * * *", "scheduleType": "yearly"}, "scheduleType"),
        ({"key": "Start Date", "value": "31/01/2026"}, "YYYY-MM-DD"),
        ({"key": "Cutoff", "value": "yesterday"}, "ISO-8601"),
        ({"key": "Form", "value": "{"}, "JSON text"),
        ({"key": "Basic Auth", "values": '[{"name": "nope", "value": "x"}]'}, "no input 'nope'"),
        ({"key": "Basic Auth", "value": "x"}, "'values'"),
        ({"key": "Unknown", "value": "x"}, "not declared"),
    ],
)
async def test_each_type_rejects_bad_values_naming_the_key(
    services: Services, owner: Actor, item: dict[str, Any], rule: str
) -> None:
    version, _ = await published(services, owner)
    with pytest.raises(InvalidInput) as caught:
        await services.instances.create(
            owner,
            name="I",
            integration=version.global_id,
            customer=await customer(services, owner),
            config_variables=[item],
        )
    assert caught.value.field == "configVariables"
    assert f"'{item['key']}'" in caught.value.message
    assert rule in caught.value.text


async def test_runtime_values_are_typed_with_defaults_and_decrypted(
    services: Services, owner: Actor
) -> None:
    version, _ = await published(services, owner)
    instance = await services.instances.create(
        owner,
        name="I",
        integration=version.global_id,
        customer=await customer(services, owner),
        config_variables=[
            {"key": "Endpoint", "value": "https://x"},
            {"key": "Verbose", "value": "TRUE"},
            {"key": "Tags", "value": '["x", "y"]'},
            {"key": "Sync Schedule", "value": "*/5 * * * *", "timeZone": "Europe/Paris"},
            {"key": "Form", "value": '{"a": 1}'},
            basic_auth(),
        ],
    )
    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    configs = await services.instances.flow_configs(owner, instance)
    target = await services.instances.webhook_target(configs[0].global_id)
    values = target.config_vars
    assert values["Endpoint"] == "https://x"
    assert values["Retries"] == 3
    assert values["Verbose"] is True
    assert values["Region"] == "us"
    assert values["Tags"] == ["x", "y"]
    assert values["Headers"] == []
    assert values["Sync Schedule"] == {
        "value": "*/5 * * * *",
        "scheduleType": "custom",
        "timeZone": "Europe/Paris",
    }
    assert values["Form"] == {"a": 1}
    assert values["Basic Auth"]["fields"] == {"username": "u", "password": SECRET}
    assert values["Basic Auth"]["configVarKey"] == "Basic Auth"


async def test_secrets_are_encrypted_at_rest_and_masked(services: Services, owner: Actor) -> None:
    version, _ = await published(services, owner)
    cid = await customer(services, owner)
    instance = await services.instances.create(
        owner,
        name="I",
        integration=version.global_id,
        customer=cid,
        config_variables=[{"key": "Endpoint", "value": "https://x"}, basic_auth()],
    )
    async with services.db.session() as session:
        rows = await session.execute(text('SELECT value, "values" FROM instance_config_values'))
        raw = " ".join(str(cell) for row in rows for cell in row)
    assert "https://x" in raw
    assert SECRET not in raw and "fernet:" in raw

    def auth(views: list[Any]) -> dict[str, Any]:
        view = next(v for v in views if v.key == "Basic Auth")
        return {i["name"]: i["value"] for i in view.inputs}

    assert auth(await services.instances.config_variables(owner, instance)) == {
        "username": "u",
        "password": MASK,
    }
    viewer = await add_user(services, owner, "viewer", "viewer@example.com")
    assert auth(await services.instances.config_variables(viewer, instance)) == {
        "username": MASK,
        "password": MASK,
    }


async def test_key_rotation_keeps_values_readable(services: Services, owner: Actor) -> None:
    from cryptography.fernet import Fernet

    from splice.services.secrets import SecretBox

    version, _ = await published(services, owner)
    instance = await services.instances.create(
        owner,
        name="I",
        integration=version.global_id,
        customer=await customer(services, owner),
        config_variables=[{"key": "Endpoint", "value": "https://x"}, basic_auth()],
    )
    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    old_box = services.instances.box
    new_key = Fernet.generate_key()
    old_key = services.settings.auth.secret_key.get_secret_value()
    from splice.services.secrets import derive_key

    services.instances.box = SecretBox([new_key, derive_key(old_key)])
    assert await services.instances.rotate_secrets(owner) >= 1
    services.instances.box = SecretBox([new_key])
    configs = await services.instances.flow_configs(owner, instance)
    target = await services.instances.webhook_target(configs[0].global_id)
    assert target.config_vars["Basic Auth"]["fields"]["password"] == SECRET
    assert old_box is not services.instances.box


async def test_flow_configs_keys_security_and_stable_webhooks(
    services: Services, owner: Actor
) -> None:
    version, integration_id = await published(services, owner)
    instance = await services.instances.create(
        owner,
        name="I",
        integration=version.global_id,
        customer=await customer(services, owner),
        config_variables=[{"key": "Endpoint", "value": "https://x"}, basic_auth()],
    )
    global_id = ids.encode("Instance", instance.id)
    assert await services.instances.flow_configs(owner, instance) == []
    await services.instances.deploy(owner, global_id)
    configs = {c.flow.name: c for c in await services.instances.flow_configs(owner, instance)}
    assert set(configs) == {"Receive", "Open", "Org Keyed"}
    assert len(configs["Receive"].api_keys) == 1
    assert configs["Open"].api_keys == []

    receive = await services.instances.webhook_target(configs["Receive"].global_id)
    assert receive.endpoint_security == "customer_required"
    assert receive.api_keys == configs["Receive"].api_keys
    assert receive.enabled and not receive.is_system
    assert receive.customer["externalId"] == "acme"
    assert receive.instance == {"id": global_id, "name": "I"}
    assert receive.integration["versionNumber"] == 1
    assert receive.flow_definition["name"] == "Receive"
    assert set(receive.webhook_urls) == {"Receive", "Open", "Org Keyed"}
    assert receive.webhook_urls["Open"].endswith("/trigger/" + configs["Open"].global_id)
    org = await services.instances.webhook_target(configs["Org Keyed"].global_id)
    assert org.api_keys == ["org-key-1"]

    v2 = await services.versions.publish(owner, integration_id, "v2")
    moved = await services.instances.update(owner, global_id, integration=v2.global_id)
    assert moved.needs_deploy
    before = await services.instances.webhook_target(configs["Receive"].global_id)
    assert before.integration["versionNumber"] == 1
    await services.instances.deploy(owner, global_id)
    after = {c.flow.name: c for c in await services.instances.flow_configs(owner, instance)}
    assert {n: c.id for n, c in after.items()} == {n: c.id for n, c in configs.items()}
    assert after["Receive"].api_keys == configs["Receive"].api_keys
    target = await services.instances.webhook_target(configs["Receive"].global_id)
    assert target.integration["versionNumber"] == 2

    await services.instances.update(
        owner,
        global_id,
        flow_configs=[
            {"flowId": ids.encode("IntegrationFlow", after["Open"].flow.id), "apiKeys": ["k2"]}
        ],
    )
    opened = await services.instances.webhook_target(configs["Open"].global_id)
    assert opened.api_keys == ["k2"]

    disabled = await services.instances.update(owner, global_id, enabled=False)
    assert not disabled.enabled
    assert not (await services.instances.webhook_target(configs["Open"].global_id)).enabled


async def test_webhook_target_unknown_id_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        await services.instances.webhook_target(ids.encode("InstanceFlowConfig", ids.new_uuid()))
    with pytest.raises(NotFound):
        await services.instances.webhook_target("garbage")


async def test_system_instance_target_runs_the_draft(services: Services, owner: Actor) -> None:
    draft = await services.integrations.import_definition(owner, CONFIG_TYPES.read_text())
    system = await services.integrations.system_instance(owner, draft)
    configs = await services.instances.flow_configs(owner, system)
    target = await services.instances.webhook_target(configs[0].global_id)
    assert target.is_system
    assert target.integration["versionNumber"] == 0
    assert target.config_vars["Retries"] == 3
    page = await services.instances.search(owner, InstanceFilter(is_system=False), PageRequest())
    assert page.items == []


async def test_listing_filters_and_deletion(services: Services, owner: Actor) -> None:
    version, integration_id = await published(services, owner)
    acme, other = await customer(services, owner), await customer(services, owner, "Other")
    a = await services.instances.create(
        owner, name="A", integration=version.global_id, customer=acme
    )
    await services.instances.create(owner, name="B", integration=version.global_id, customer=other)
    by_customer = await services.instances.search(
        owner, InstanceFilter(customer=acme, is_system=False), PageRequest()
    )
    assert [i.name for i in by_customer.items] == ["A"]
    by_integration = await services.instances.search(
        owner, InstanceFilter(integration=integration_id, is_system=False), PageRequest()
    )
    assert [i.name for i in by_integration.items] == ["A", "B"]
    everything = await services.instances.search(owner, InstanceFilter(), PageRequest())
    assert any(i.is_system for i in everything.items)
    record = await services.integrations.get(owner, integration_id)
    assert [i.name for i in await services.instances.for_integration(owner, record)] == ["A", "B"]
    await services.instances.delete(owner, ids.encode("Instance", a.id))
    with pytest.raises(NotFound):
        await services.instances.get(owner, ids.encode("Instance", a.id))


async def test_roles_and_customer_isolation(services: Services, owner: Actor) -> None:
    version, _ = await published(services, owner)
    acme, other = await customer(services, owner), await customer(services, owner, "Other")
    mine = await services.instances.create(
        owner, name="Mine", integration=version.global_id, customer=acme
    )
    theirs = await services.instances.create(
        owner, name="Theirs", integration=version.global_id, customer=other
    )
    viewer = await add_user(services, owner, "viewer", "v@example.com")
    integrator = await add_user(services, owner, "integrator", "i@example.com")
    assert (await services.instances.get(viewer, ids.encode("Instance", mine.id))).name == "Mine"
    with pytest.raises(PermissionDenied):
        await services.instances.update(viewer, ids.encode("Instance", mine.id), name="x")
    await services.instances.update(integrator, ids.encode("Instance", mine.id), name="Mine2")

    customer_user = await customer_actor(services, owner, acme, "c@example.com")
    page = await services.instances.search(customer_user, InstanceFilter(), PageRequest())
    assert [i.name for i in page.items] == ["Mine2"]
    with pytest.raises(NotFound):
        await services.instances.get(customer_user, ids.encode("Instance", theirs.id))
    # customer admins configure their own customer's instances, never another's
    with pytest.raises(NotFound):
        await services.instances.deploy(customer_user, ids.encode("Instance", theirs.id))
    with pytest.raises(NotFound):
        await services.instances.delete(customer_user, ids.encode("Instance", theirs.id))
    paused = await services.instances.update(
        customer_user, ids.encode("Instance", mine.id), name="Ours", enabled=False
    )
    assert (paused.name, paused.enabled) == ("Ours", False)
    with pytest.raises(PermissionDenied, match="labels"):
        await services.instances.update(
            customer_user, ids.encode("Instance", mine.id), labels=["gold"]
        )
    member = await customer_actor(services, owner, acme, "m@example.com", "customer-viewer")
    with pytest.raises(PermissionDenied):
        await services.instances.deploy(member, ids.encode("Instance", mine.id))


SCHEDULED = """
definitionVersion: 7
name: Scheduled
requiredConfigVars:
  - key: When
    dataType: schedule
configPages:
  - name: Settings
    elements: [{type: configVar, value: When}]
flows:
  - name: Fixed
    steps:
      - name: Fixed Trigger
        isTrigger: true
        schedule: {type: value, value: "0 2 * * *", meta: {scheduleType: custom, timeZone: Europe/Paris}}
        action:
          key: schedule
          component: {key: schedule-triggers, version: LATEST, isPublic: true}
        inputs: {}
  - name: Per Instance
    steps:
      - name: Per Instance Trigger
        isTrigger: true
        schedule: {type: configVar, value: When}
        action:
          key: schedule
          component: {key: schedule-triggers, version: LATEST, isPublic: true}
        inputs: {}
"""


async def test_scheduled_flows_of_enabled_deployed_instances(
    services: Services, owner: Actor
) -> None:
    draft = await services.integrations.import_definition(owner, SCHEDULED)
    version = await services.versions.publish(owner, draft.global_id, "v1")
    instance = await services.instances.create(
        owner,
        name="S",
        integration=version.global_id,
        customer=await customer(services, owner),
        config_variables=[{"key": "When", "value": "*/5 * * * *", "timeZone": "America/New_York"}],
    )
    assert await services.instances.scheduled_flows() == []
    global_id = ids.encode("Instance", instance.id)
    await services.instances.deploy(owner, global_id)
    schedules = {
        s.flow_name: (s.cron, s.time_zone) for s in await services.instances.scheduled_flows()
    }
    assert schedules == {
        "Fixed": ("0 2 * * *", "Europe/Paris"),
        "Per Instance": ("*/5 * * * *", "America/New_York"),
    }
    await services.instances.update(
        owner, global_id, config_variables=[{"key": "When", "scheduleType": "NONE"}]
    )
    await services.instances.deploy(owner, global_id)
    assert [s.flow_name for s in await services.instances.scheduled_flows()] == ["Fixed"]
    await services.instances.update(owner, global_id, enabled=False)
    assert await services.instances.scheduled_flows() == []


async def test_runs_use_the_config_of_the_last_deploy(services: Services, owner: Actor) -> None:
    version, _ = await published(services, owner)
    instance = await services.instances.create(
        owner,
        name="I",
        integration=version.global_id,
        customer=await customer(services, owner),
        config_variables=[{"key": "Endpoint", "value": "https://old"}, basic_auth()],
    )
    global_id = ids.encode("Instance", instance.id)
    await services.instances.deploy(owner, global_id)
    (config, *_) = await services.instances.flow_configs(owner, instance)
    await services.instances.set_config_values(
        owner, global_id, [{"key": "Endpoint", "value": "https://new"}]
    )
    pending = await services.instances.webhook_target(config.global_id)
    assert pending.config_vars["Endpoint"] == "https://old"
    await services.instances.deploy(owner, global_id)
    deployed = await services.instances.webhook_target(config.global_id)
    assert deployed.config_vars["Endpoint"] == "https://new"
    assert deployed.config_vars["Basic Auth"]["fields"]["password"] == SECRET


async def test_deleting_the_integration_or_customer_removes_its_instances(
    services: Services, owner: Actor
) -> None:
    version, integration_id = await published(services, owner)
    acme = await customer(services, owner)
    instance = await services.instances.create(
        owner,
        name="I",
        integration=version.global_id,
        customer=acme,
        config_variables=[{"key": "Endpoint", "value": "https://x"}, basic_auth()],
    )
    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    other = await services.instances.create(
        owner,
        name="J",
        integration=version.global_id,
        customer=await customer(services, owner, "B"),
    )
    await services.customers.delete(owner, acme)
    with pytest.raises(NotFound):
        await services.instances.get(owner, ids.encode("Instance", instance.id))
    await services.integrations.delete(owner, integration_id)
    with pytest.raises(NotFound):
        await services.instances.get(owner, ids.encode("Instance", other.id))


async def test_oauth_authorization_code_stores_the_token_encrypted(
    services: Services, owner: Actor
) -> None:
    import httpx

    draft = await services.integrations.import_definition(
        owner, (DEFINITIONS / "oauth-connection.yml").read_text()
    )
    version = await services.versions.publish(owner, draft.global_id, "v1")
    client = json.dumps(
        [
            {"name": "clientId", "type": "value", "value": "cid"},
            {"name": "clientSecret", "type": "value", "value": "client-secret-value"},
        ]
    )
    instance = await services.instances.create(
        owner,
        name="O",
        integration=version.global_id,
        customer=await customer(services, owner),
        config_variables=[{"key": "Acme OAuth", "values": client}],
    )
    (view,) = await services.instances.config_variables(owner, instance)
    assert view.status == "PENDING" and view.authorize_url is not None
    url = httpx.URL(view.authorize_url)
    assert url.host == "auth.example.test" and url.params["client_id"] == "cid"
    assert url.params["redirect_uri"].endswith("/oauth2/callback")
    state = url.params["state"]

    seen: list[httpx.Request] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        form = dict(httpx.QueryParams(request.content.decode()))
        if form["grant_type"] == "refresh_token":
            assert form["refresh_token"] == "rt-9"
            return httpx.Response(200, json={"access_token": "at-456", "expires_in": 3600})
        return httpx.Response(
            200, json={"access_token": "at-123", "refresh_token": "rt-9", "expires_in": 60}
        )

    services.instances.http_transport = httpx.MockTransport(token_endpoint)
    with pytest.raises(InvalidInput, match="state"):
        await services.instances.complete_authorization(state[:-4] + "AAAA", "code-1")
    await services.instances.complete_authorization(state, "code-1")
    form = dict(httpx.QueryParams(seen[0].content.decode()))
    assert form["code"] == "code-1" and form["client_secret"] == "client-secret-value"
    assert form["grant_type"] == "authorization_code"

    (view,) = await services.instances.config_variables(owner, instance)
    assert view.status == "ACTIVE"
    assert "token" not in {i["name"] for i in view.inputs}
    async with services.db.session() as session:
        raw = " ".join(
            str(cell)
            for row in await session.execute(text('SELECT "values" FROM instance_config_values'))
            for cell in row
        )
    assert "at-123" not in raw and "client-secret-value" not in raw

    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    (config,) = await services.instances.flow_configs(owner, instance)
    target = await services.instances.webhook_target(config.global_id)
    connection = target.config_vars["Acme OAuth"]
    # the first token lives 60 s, inside the 5-minute margin: the run gets a refreshed one
    assert connection["token"]["access_token"] == "at-456"
    assert connection["token"]["refresh_token"] == "rt-9"
    assert connection["fields"]["clientId"] == "cid"
    assert [dict(httpx.QueryParams(r.content.decode()))["grant_type"] for r in seen] == [
        "authorization_code",
        "refresh_token",
    ]
    again = await services.instances.webhook_target(config.global_id)
    assert again.config_vars["Acme OAuth"]["token"]["access_token"] == "at-456"
    assert len(seen) == 2


async def test_the_test_instance_never_blocks_flow_tests(services: Services, owner: Actor) -> None:
    draft = await services.integrations.import_definition(owner, CONFIG_TYPES.read_text())
    system = await services.integrations.system_instance(owner, draft)
    assert await services.instances.config_state(owner, system) == "FULLY_CONFIGURED"
