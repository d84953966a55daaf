"""Scoped connections and OAuth 2.0 client credentials through the services (SQLite, PostgreSQL).

The token endpoint is an ``httpx.MockTransport`` at the network edge; everything else is real.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text

from splice import clock, ids
from splice.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from splice.services import Services
from splice.services.authz import Actor
from splice.services.client_credentials import needs_token
from splice.services.secrets import MASK
from splice.services.startup import build_services
from splice.settings import Settings
from splice.store.tables import Instance
from tests.integration.services.conftest import add_user
from tests.integration.services.test_instances import customer, customer_actor

DEFINITION = (
    Path(__file__).resolve().parents[2] / "fixtures" / "definitions" / "scoped-connections.yml"
)
CLIENT_SECRET = "reports-client-secret-plaintext"
GLOBAL_SECRET = "billing-client-secret-plaintext"
PARTNER_KEY_A = "partner-key-of-customer-a"


def values(**fields: str) -> str:
    return json.dumps([{"name": k, "type": "value", "value": v} for k, v in fields.items()])


class TokenServer:
    """A token endpoint that hands out numbered tokens, or refuses with ``refuse``."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.requests: list[dict[str, str]] = []
        self.expires_in = expires_in
        self.refuse: tuple[int, dict[str, Any]] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        self.requests.append({"url": str(request.url), **form})
        if self.refuse is not None:
            return httpx.Response(self.refuse[0], json=self.refuse[1])
        number = len(self.requests)
        return httpx.Response(
            200,
            json={
                "access_token": f"{form['client_id']}-token-{number}",
                "token_type": "bearer",
                "expires_in": self.expires_in,
            },
        )


async def define_scoped(services: Services, owner: Actor) -> None:
    """partner-api: customer-activated API key; billing-cc: org-global client credentials."""
    await services.scoped_connections.create(
        owner,
        stable_key="partner-api",
        key="Partner API",
        component="http",
        connection="apiKey",
        variable_scope="customer",
        managed_by="customer",
        inputs=values(headerName="X-Partner-Key"),
    )
    await services.scoped_connections.create(
        owner,
        stable_key="billing-cc",
        key="Billing",
        component="http",
        connection="oauth2ClientCredentials",
        variable_scope="org",
        managed_by="org",
        values=values(
            tokenUrl="https://auth.billing.test/token",
            clientId="billing",
            clientSecret=GLOBAL_SECRET,
            scopes="invoices",
        ),
    )


async def scoped_instance(
    services: Services, owner: Actor, customer_id: str, *, client_id: str = "reports"
) -> Instance:
    text = DEFINITION.read_text().replace(
        "name: Scoped Connections", f"name: Scoped Connections {uuid.uuid4().hex[:6]}"
    )
    draft = await services.integrations.import_definition(owner, text)
    version = await services.versions.publish(owner, draft.global_id, "v1")
    return await services.instances.create(
        owner,
        name="Scoped",
        integration=version.global_id,
        customer=customer_id,
        config_variables=[
            {
                "key": "Reports OAuth",
                "values": values(clientId=client_id, clientSecret=CLIENT_SECRET),
            }
        ],
    )


async def raw_rows(services: Services) -> str:
    async with services.db.session() as session:
        cells = []
        for table in (
            "instance_config_values",
            "scoped_config_variables",
            "customer_config_variables",
        ):
            for row in await session.execute(text(f'SELECT "values" FROM {table}')):
                cells.extend(str(cell) for cell in row)
        for row in await session.execute(text("SELECT definition FROM scoped_config_variables")):
            cells.extend(str(cell) for cell in row)
    return " ".join(cells)


def by_key(views: list[Any]) -> dict[str, Any]:
    return {view.key: view for view in views}


async def test_client_credentials_token_is_fetched_at_deploy_stored_encrypted_and_refreshed(
    services: Services, owner: Actor
) -> None:
    server = TokenServer(expires_in=60)  # inside the 5-minute margin: every run refreshes
    services.instances.http_transport = httpx.MockTransport(server)
    await define_scoped(services, owner)
    acme = await customer(services, owner)
    await services.scoped_connections.create_customer_value(
        owner,
        scoped=(await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[
            0
        ].global_id,
        customer=acme,
        values=values(apiKey=PARTNER_KEY_A),
    )
    instance = await scoped_instance(services, owner, acme)
    before = by_key(await services.instances.config_variables(owner, instance))
    assert before["Reports OAuth"].status == "ACTIVE"  # no authorize step: nothing to wait for
    assert before["Reports OAuth"].authorize_url is None

    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    assert {r["url"] for r in server.requests} == {
        "https://auth.reports.test/token",
        "https://auth.billing.test/token",
    }
    reports = next(r for r in server.requests if r["client_id"] == "reports")
    assert reports["grant_type"] == "client_credentials"
    assert reports["client_secret"] == CLIENT_SECRET and reports["scope"] == "reports.read"

    raw = await raw_rows(services)
    for secret in (CLIENT_SECRET, GLOBAL_SECRET, PARTNER_KEY_A, "reports-token-", "billing-token-"):
        assert secret not in raw

    (config,) = await services.instances.flow_configs(owner, instance)
    target = await services.instances.webhook_target(config.global_id)
    runtime = target.config_vars
    # 60-second tokens expire within the margin, so the run got fresh ones (requests 3 and 4)
    assert runtime["Reports OAuth"]["token"]["access_token"] in (
        "reports-token-3",
        "reports-token-4",
    )
    assert runtime["Billing"]["token"]["access_token"] in ("billing-token-3", "billing-token-4")
    assert runtime["Billing"]["fields"]["clientId"] == "billing"
    assert runtime["Partner API"]["fields"] == {
        "headerName": "X-Partner-Key",
        "apiKey": PARTNER_KEY_A,
    }
    assert len(server.requests) == 4

    server.expires_in = 3600
    await services.instances.webhook_target(config.global_id)  # refreshes the 60 s ones once more
    await services.instances.webhook_target(config.global_id)  # now valid for an hour: no request
    assert len(server.requests) == 6


def test_needs_token_follows_the_refresh_margin() -> None:
    now = clock.to_iso(clock.now())
    assert needs_token(None)
    assert not needs_token({"access_token": "a"})  # no lifetime given: valid until refused
    assert needs_token({"access_token": "a", "expires_in": 240, "obtained_at": now})
    assert not needs_token({"access_token": "a", "expires_in": 600, "obtained_at": now})
    old = clock.to_iso(clock.now() - timedelta(hours=2))
    assert needs_token({"access_token": "a", "expires_in": 3600, "obtained_at": old})


async def test_a_refused_token_request_sets_error_and_refuses_the_deploy(
    services: Services, owner: Actor
) -> None:
    server = TokenServer()
    server.refuse = (401, {"error": "invalid_client", "error_description": "unknown client"})
    services.instances.http_transport = httpx.MockTransport(server)
    await define_scoped(services, owner)
    acme = await customer(services, owner)
    partner = (await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[0]
    await services.scoped_connections.create_customer_value(
        owner, scoped=partner.global_id, customer=acme, values=values(apiKey=PARTNER_KEY_A)
    )
    instance = await scoped_instance(services, owner, acme)
    with pytest.raises(InvalidInput) as refused:
        await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    message = refused.value.text
    assert "connection 'Reports OAuth'" in message
    assert (
        "https://auth.reports.test/token answered 401: invalid_client (unknown client)" in message
    )
    assert "connection 'Billing'" in message
    assert CLIENT_SECRET not in message and GLOBAL_SECRET not in message
    assert refused.value.field == "configVariables"

    views = by_key(await services.instances.config_variables(owner, instance))
    assert views["Reports OAuth"].status == "ERROR"
    assert "invalid_client" in (views["Reports OAuth"].error or "")
    assert views["Billing"].status == "ERROR"
    (billing,) = await services.scoped_connections.list_scoped(owner, stable_key="billing-cc")
    assert billing.state.status == "ERROR" and "auth.billing.test" in (
        billing.state.status_message or ""
    )

    server.refuse = None  # the provider is fixed: the next deploy obtains tokens and clears errors
    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    views = by_key(await services.instances.config_variables(owner, instance))
    assert views["Reports OAuth"].status == "ACTIVE" and views["Reports OAuth"].error is None
    assert views["Billing"].status == "ACTIVE"


async def test_an_unreachable_or_non_json_token_endpoint_is_named_without_secrets(
    services: Services, owner: Actor
) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if "billing" in str(request.url):
            raise httpx.ConnectError("refused")
        return httpx.Response(500, text=f"<html>oops {CLIENT_SECRET}</html>")

    services.instances.http_transport = httpx.MockTransport(broken)
    await define_scoped(services, owner)
    acme = await customer(services, owner)
    instance = await scoped_instance(services, owner, acme)
    with pytest.raises(InvalidInput) as refused:
        await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    message = refused.value.text
    assert "https://auth.billing.test/token could not be reached (ConnectError)" in message
    assert f"answered 500: <html>oops {MASK}</html>" in message
    assert CLIENT_SECRET not in message


async def test_customer_activated_values_configure_every_instance_of_the_customer(
    services: Services, owner: Actor
) -> None:
    services.instances.http_transport = httpx.MockTransport(TokenServer())
    await define_scoped(services, owner)
    acme = await customer(services, owner, "Acme")
    beta = await customer(services, owner, "Beta")
    first = await scoped_instance(services, owner, acme)
    second = await scoped_instance(services, owner, acme)
    other = await scoped_instance(services, owner, beta)

    assert await services.instances.config_state(owner, first) == "NEEDS_INSTANCE_CONFIGURATION"
    views = by_key(await services.instances.config_variables(owner, first))
    assert views["Partner API"].status == "PENDING" and views["Billing"].status == "ACTIVE"
    with pytest.raises(InvalidInput) as refused:
        await services.instances.deploy(owner, ids.encode("Instance", first.id))
    assert "connection 'Partner API'" in refused.value.text
    assert "customer 'Acme'" in refused.value.text
    assert "createCustomerConfigVariable" in refused.value.text

    admin = await customer_actor(services, owner, acme, "admin@acme.test")
    partner = (await services.scoped_connections.list_scoped(admin))[0]
    assert partner.row.stable_key == "partner-api"  # customer users see only customer-activated
    value = await services.scoped_connections.create_customer_value(
        admin, scoped=partner.global_id, values=values(apiKey=PARTNER_KEY_A)
    )
    assert value.state.status == "ACTIVE"
    assert {i["name"]: i["value"] for i in value.state.inputs}["apiKey"] == MASK
    with pytest.raises(Conflict, match="updateCustomerConfigVariable"):
        await services.scoped_connections.create_customer_value(
            admin, scoped=partner.global_id, values=values(apiKey="again")
        )

    for instance in (first, second):
        assert await services.instances.config_state(owner, instance) == "FULLY_CONFIGURED"
        await services.instances.deploy(owner, ids.encode("Instance", instance.id))
        (config,) = await services.instances.flow_configs(owner, instance)
        target = await services.instances.webhook_target(config.global_id)
        assert target.config_vars["Partner API"]["fields"]["apiKey"] == PARTNER_KEY_A
    assert await services.instances.config_state(owner, other) == "NEEDS_INSTANCE_CONFIGURATION"

    # a changed value reaches running instances at once, without a redeploy
    await services.scoped_connections.update_customer_value(
        admin, value.global_id, values=values(apiKey="rotated-key")
    )
    (config,) = await services.instances.flow_configs(owner, first)
    target = await services.instances.webhook_target(config.global_id)
    assert target.config_vars["Partner API"]["fields"]["apiKey"] == "rotated-key"

    # customer users never see the organization's global connection
    admin_views = by_key(await services.instances.config_variables(admin, first))
    assert admin_views["Billing"].inputs == [] and admin_views["Billing"].value is None
    owner_views = by_key(await services.instances.config_variables(owner, first))
    billing_inputs = {i["name"]: i["value"] for i in owner_views["Billing"].inputs}
    assert billing_inputs["clientId"] == "billing" and billing_inputs["clientSecret"] == MASK

    await services.scoped_connections.delete_customer_value(admin, value.global_id)
    assert await services.instances.config_state(owner, first) == "NEEDS_INSTANCE_CONFIGURATION"


async def test_undefined_scoped_connection_and_instance_values_are_refused_clearly(
    services: Services, owner: Actor
) -> None:
    acme = await customer(services, owner)
    with pytest.raises(InvalidInput, match="scoped connection 'partner-api'"):
        await services.instances.create(
            owner,
            name="X",
            integration=(
                await services.versions.publish(
                    owner,
                    (
                        await services.integrations.import_definition(owner, DEFINITION.read_text())
                    ).global_id,
                    "v1",
                )
            ).global_id,
            customer=acme,
            config_variables=[{"key": "Partner API", "values": values(apiKey="k")}],
        )
    instance = await scoped_instance(services, owner, acme)
    with pytest.raises(InvalidInput) as refused:
        await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    assert "'partner-api', which the organization has not defined" in refused.value.text
    assert "createScopedConfigVariable" in refused.value.text


async def test_who_may_define_and_set_scoped_connections(services: Services, owner: Actor) -> None:
    await define_scoped(services, owner)
    acme = await customer(services, owner, "Acme")
    beta = await customer(services, owner, "Beta")
    viewer = await add_user(services, owner, "viewer", "viewer@org.test")
    integrator = await add_user(services, owner, "integrator", "integrator@org.test")
    admin_a = await customer_actor(services, owner, acme, "admin@a.test")
    viewer_a = await customer_actor(services, owner, acme, "viewer@a.test", "customer-viewer")
    managed = await services.scoped_connections.create(
        integrator,
        stable_key="erp",
        key="ERP",
        component="http",
        connection="basic",
        variable_scope="customer",
        managed_by="org",
    )
    partner = (await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[0]

    with pytest.raises(PermissionDenied):
        await services.scoped_connections.create(
            viewer,
            stable_key="x",
            key="X",
            component="http",
            connection="basic",
            variable_scope="org",
            managed_by="org",
        )
    with pytest.raises(PermissionDenied):
        await services.scoped_connections.create_customer_value(
            viewer_a, scoped=partner.global_id, values=values(apiKey="k")
        )
    with pytest.raises(NotFound):  # org-managed connections are not the customer's to see
        await services.scoped_connections.create_customer_value(
            admin_a, scoped=managed.global_id, values=values(username="u", password="p")
        )
    with pytest.raises(NotFound):  # another customer does not exist for them
        await services.scoped_connections.create_customer_value(
            admin_a, scoped=partner.global_id, customer=beta, values=values(apiKey="k")
        )
    erp_b = await services.scoped_connections.create_customer_value(
        integrator,
        scoped=managed.global_id,
        customer=beta,
        values=values(username="erp-user", password="erp-password"),
    )
    seen = await services.scoped_connections.customer_values(viewer)
    assert [v.global_id for v in seen] == [erp_b.global_id]
    assert {i["name"]: i["value"] for i in seen[0].state.inputs} == {
        "username": MASK,
        "password": MASK,
    }
    shown = await services.scoped_connections.customer_values(integrator)
    assert {i["name"]: i["value"] for i in shown[0].state.inputs} == {
        "username": "erp-user",
        "password": MASK,
    }
    assert await services.scoped_connections.customer_values(admin_a) == []
    with pytest.raises(NotFound):
        await services.scoped_connections.update_customer_value(
            admin_a, erp_b.global_id, values=values(username="mine")
        )
    assert [v.row.stable_key for v in await services.scoped_connections.list_scoped(viewer_a)] == [
        "partner-api"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda kw: kw.update(variable_scope="team"), "variableScope 'team'"),
        (lambda kw: kw.update(managed_by="customer"), "managed by the organization"),
        (lambda kw: kw.update(component="nope"), "no component 'nope'"),
        (lambda kw: kw.update(connection="nope"), "has no connection 'nope'"),
        (lambda kw: kw.update(stable_key=" "), "stableKey must not be empty"),
        (lambda kw: kw.update(values=values(bogus="x")), "has no input 'bogus'"),
    ],
)
async def test_bad_scoped_definitions_name_the_field(
    services: Services, owner: Actor, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    kwargs: dict[str, Any] = {
        "stable_key": "k",
        "key": "K",
        "component": "http",
        "connection": "basic",
        "variable_scope": "org",
        "managed_by": "org",
    }
    change(kwargs)
    with pytest.raises(InvalidInput, match=message):
        await services.scoped_connections.create(owner, **kwargs)


async def test_duplicate_stable_key_conflicts(services: Services, owner: Actor) -> None:
    await define_scoped(services, owner)
    with pytest.raises(Conflict, match="partner-api"):
        await services.scoped_connections.create(
            owner,
            stable_key="partner-api",
            key="Again",
            component="http",
            connection="apiKey",
            variable_scope="customer",
            managed_by="customer",
        )


async def test_use_scoped_config_var_round_trips_through_import_and_export(
    services: Services, owner: Actor
) -> None:
    draft = await services.integrations.import_definition(owner, DEFINITION.read_text())
    exported = yaml.safe_load(await services.integrations.export(owner, draft.global_id))
    original = yaml.safe_load(DEFINITION.read_text())
    assert [cv for cv in exported["requiredConfigVars"] if "useScopedConfigVar" in cv] == [
        cv for cv in original["requiredConfigVars"] if "useScopedConfigVar" in cv
    ]


async def test_key_rotation_re_encrypts_scoped_definitions_and_values(
    services: Services, owner: Actor, settings: Settings
) -> None:
    from cryptography.fernet import Fernet
    from pydantic import SecretStr

    from splice.services.secrets import derive_key
    from splice.settings import SecretsSettings

    await define_scoped(services, owner)
    acme = await customer(services, owner)
    partner = (await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[0]
    await services.scoped_connections.create_customer_value(
        owner, scoped=partner.global_id, customer=acme, values=values(apiKey=PARTNER_KEY_A)
    )
    new_key = Fernet.generate_key().decode()
    old_key = derive_key(settings.auth.secret_key.get_secret_value()).decode()

    def with_keys(keys: str) -> Settings:
        secrets = SecretsSettings(encryption_keys=SecretStr(keys))
        return settings.model_copy(update={"secrets": secrets})

    both = build_services(with_keys(f"{new_key},{old_key}"))
    assert await both.instances.rotate_secrets(owner) >= 3  # two definitions and one value
    await both.db.dispose()
    only_new = build_services(with_keys(new_key))
    try:
        (value,) = await only_new.scoped_connections.customer_values(owner)
        assert value.state.inputs == [
            {"name": "headerName", "value": "X-Partner-Key"},
            {"name": "apiKey", "value": MASK},
        ]
        box = only_new.scoped_connections.box
        assert [box.decrypt(item["value"]) for item in value.row.values or []] == [PARTNER_KEY_A]
        (billing,) = await only_new.scoped_connections.list_scoped(owner, stable_key="billing-cc")
        assert {i["name"]: i["value"] for i in billing.state.inputs}["clientId"] == "billing"
    finally:
        await only_new.db.dispose()


async def test_a_customer_activated_client_credentials_token_is_shared_by_the_customers_instances(
    services: Services, owner: Actor
) -> None:
    server = TokenServer()
    services.instances.http_transport = httpx.MockTransport(server)
    await define_scoped(services, owner)
    acme = await customer(services, owner, "Acme")
    admin = await customer_actor(services, owner, acme, "admin@acme.test")
    partner = (await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[0]
    await services.scoped_connections.delete(owner, partner.global_id)
    partner = await services.scoped_connections.create(
        owner,
        stable_key="partner-api",
        key="Partner CC",
        component="http",
        connection="oauth2ClientCredentials",
        variable_scope="customer",
        managed_by="customer",
        inputs=values(tokenUrl="https://auth.partner.test/token", scopes="items"),
    )
    await services.scoped_connections.create_customer_value(
        admin, scoped=partner.global_id, values=values(clientId="acme", clientSecret="acme-secret")
    )
    first = await scoped_instance(services, owner, acme)
    second = await scoped_instance(services, owner, acme)
    await services.instances.deploy(owner, ids.encode("Instance", first.id))
    partner_requests = [r for r in server.requests if r["url"] == "https://auth.partner.test/token"]
    assert partner_requests == [
        {
            "url": "https://auth.partner.test/token",
            "grant_type": "client_credentials",
            "client_id": "acme",
            "client_secret": "acme-secret",
            "scope": "items",
        }
    ]
    await services.instances.deploy(owner, ids.encode("Instance", second.id))
    assert [r["client_id"] for r in server.requests].count("acme") == 1  # stored once, reused
    (config,) = await services.instances.flow_configs(owner, second)
    target = await services.instances.webhook_target(config.global_id)
    assert target.config_vars["Partner API"]["token"]["access_token"].startswith("acme-token-")
    (value,) = await services.scoped_connections.customer_values(admin)
    assert value.state.status == "ACTIVE"
    assert "acme-token-" not in await raw_rows(services)
