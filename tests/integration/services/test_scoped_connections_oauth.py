"""Scoped connections: OAuth 2.0 authorization code, test values, deleting one in use (SQLite, PG).

The OAuth provider's token endpoint is an ``httpx.MockTransport`` (the network edge); the
callback is the real ``/oauth2/callback`` of the app.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from splice import ids
from splice.api.app import create_app
from splice.errors import Conflict, InvalidInput
from splice.services import Services
from splice.services.authz import Actor
from splice.services.instances import InstanceFilter
from splice.services.pagination import PageRequest
from splice.services.records import IntegrationRecord
from splice.services.scoped_connections import ScopedView
from splice.services.secrets import MASK
from splice.settings import Settings
from splice.store.tables import Instance
from tests.integration.services.conftest import add_user
from tests.integration.services.test_instances import customer, customer_actor
from tests.integration.services.test_scoped_connections import (
    PARTNER_KEY_A,
    TokenServer,
    define_scoped,
    raw_rows,
    scoped_instance,
    values,
)

DEFINITIONS = Path(__file__).resolve().parents[2] / "fixtures" / "definitions"
OAUTH_APP = values(
    authorizeUrl="https://crm.test/authorize",
    tokenUrl="https://crm.test/token",
    scopes="contacts",
    clientId="splice-crm",
    clientSecret="crm-app-secret",
)


class Provider:
    """A token endpoint: codes become short-lived tokens, refresh tokens long-lived ones."""

    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        self.forms.append(form)
        if form["grant_type"] == "refresh_token":
            return httpx.Response(
                200, json={"access_token": f"renewed-{form['refresh_token']}", "expires_in": 3600}
            )
        return httpx.Response(
            200,
            json={
                "access_token": f"access-{form['code']}",
                "refresh_token": f"refresh-{form['code']}",
                "expires_in": 60,  # inside the refresh margin: the next run renews it
            },
        )


@pytest.fixture
async def callback(services: Services, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app's HTTP surface (for ``/oauth2/callback``), sharing ``services``."""
    app = create_app(settings, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://splice.test"
    ) as client:
        yield client


async def oauth_instance(services: Services, owner: Actor, customer_id: str) -> Instance:
    text = (DEFINITIONS / "scoped-oauth.yml").read_text()
    text = text.replace("name: Scoped OAuth", f"name: Scoped OAuth {uuid.uuid4().hex[:6]}")
    draft = await services.integrations.import_definition(owner, text)
    version = await services.versions.publish(owner, draft.global_id, "v1")
    return await services.instances.create(
        owner, name="CRM sync", integration=version.global_id, customer=customer_id
    )


async def define_oauth(services: Services, owner: Actor) -> tuple[ScopedView, ScopedView]:
    crm = await services.scoped_connections.create(
        owner,
        stable_key="crm-oauth",
        key="CRM",
        component="http",
        connection="oauth2",
        variable_scope="customer",
        managed_by="customer",
        inputs=OAUTH_APP,
    )
    ledger = await services.scoped_connections.create(
        owner,
        stable_key="ledger-oauth",
        key="Ledger",
        component="http",
        connection="oauth2",
        variable_scope="org",
        managed_by="org",
        values=OAUTH_APP.replace("crm.test", "ledger.test"),
    )
    return crm, ledger


async def authorize(callback: httpx.AsyncClient, url: str | None, code: str) -> str:
    """Follow an authorize URL as the provider would: back to the callback with a code."""
    assert url is not None
    state = httpx.URL(url).params["state"]
    page = await callback.get("/oauth2/callback", params={"state": state, "code": code})
    assert page.status_code == 200, page.text
    return page.text


async def test_customer_users_authorize_their_scoped_oauth_connection_once_for_every_instance(
    services: Services, owner: Actor, callback: httpx.AsyncClient
) -> None:
    provider = Provider()
    services.instances.http_transport = httpx.MockTransport(provider)
    _, ledger = await define_oauth(services, owner)
    acme = await customer(services, owner, "Acme")
    admin = await customer_actor(services, owner, acme, "admin@acme.test")
    member = await customer_actor(services, owner, acme, "member@acme.test", "customer-viewer")
    first = await oauth_instance(services, owner, acme)
    second = await oauth_instance(services, owner, acme)

    assert await services.instances.config_state(owner, first) == "NEEDS_INSTANCE_CONFIGURATION"
    with pytest.raises(InvalidInput, match="the scoped connection's authorizeUrl"):
        await services.instances.deploy(owner, ids.encode("Instance", first.id))
    (seen,) = await services.scoped_connections.list_scoped(admin)  # the global one is hidden
    assert await services.scoped_connections.authorize_url(member, seen) is None
    url = await services.scoped_connections.authorize_url(admin, seen)
    assert url is not None
    parsed = httpx.URL(url)
    assert (parsed.host, parsed.params["client_id"]) == ("crm.test", "splice-crm")
    assert parsed.params["redirect_uri"] == "http://127.0.0.1:8000/oauth2/callback"

    page = await authorize(callback, url, "acme-code")
    assert "Customer &#x27;Acme&#x27;&#x27;s value of the scoped connection" in page
    (value,) = await services.scoped_connections.customer_values(admin)
    assert value.state.status == "ACTIVE"
    assert await services.scoped_connections.customer_values(member) != []
    assert provider.forms[0] == {
        "grant_type": "authorization_code",
        "code": "acme-code",
        "redirect_uri": "http://127.0.0.1:8000/oauth2/callback",
        "client_id": "splice-crm",
        "client_secret": "crm-app-secret",
    }
    raw = await raw_rows(services)
    assert "access-acme-code" not in raw and "refresh-acme-code" not in raw

    # the organization authorizes its global (org-activated) connection the same way
    assert await services.scoped_connections.authorize_url(admin, ledger) is None
    ledger_page = await authorize(
        callback, await services.scoped_connections.authorize_url(owner, ledger), "org-code"
    )
    assert "The scoped connection &#x27;Ledger&#x27; is authorized" in ledger_page

    tokens = []
    for instance in (first, second):
        await services.instances.deploy(owner, ids.encode("Instance", instance.id))
        (config,) = await services.instances.flow_configs(owner, instance)
        target = await services.instances.webhook_target(config.global_id)
        tokens.append(
            (
                target.config_vars["CRM"]["token"]["access_token"],
                target.config_vars["Ledger"]["token"]["access_token"],
            )
        )
    # 60-second tokens were renewed once before the first run, then shared
    assert tokens == [("renewed-refresh-acme-code", "renewed-refresh-org-code")] * 2
    assert [f["grant_type"] for f in provider.forms] == [
        "authorization_code",
        "authorization_code",
        "refresh_token",
        "refresh_token",
    ]
    assert "renewed-refresh" not in await raw_rows(services)


async def test_forged_scoped_state_is_refused(
    services: Services, owner: Actor, callback: httpx.AsyncClient
) -> None:
    crm, _ = await define_oauth(services, owner)
    url = await services.scoped_connections.authorize_url(owner, crm, customer=None)
    assert url is None  # an org user must name the customer of a customer-scoped value
    acme = await customer(services, owner)
    url = await services.scoped_connections.authorize_url(owner, crm, customer=acme)
    assert url is not None
    state = httpx.URL(url).params["state"]
    page = await callback.get("/oauth2/callback", params={"state": state[:-4] + "AAAA"})
    assert page.status_code == 400 and "invalid or expired" in page.text


async def test_the_test_instance_uses_the_scoped_test_value(
    services: Services, owner: Actor
) -> None:
    services.instances.http_transport = httpx.MockTransport(TokenServer())
    await define_scoped(services, owner)
    partner = (await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[0]
    viewer = await add_user(services, owner, "viewer", "viewer@org.test")
    updated = await services.scoped_connections.update(
        owner, partner.global_id, test_values=values(apiKey="partner-test-key")
    )
    assert updated.test_state is not None and updated.test_state.status == "ACTIVE"
    (as_viewer,) = await services.scoped_connections.list_scoped(viewer, stable_key="partner-api")
    assert as_viewer.test_state is not None
    assert {i["name"]: i["value"] for i in as_viewer.test_state.inputs}["apiKey"] == MASK
    assert "partner-test-key" not in await raw_rows(services)

    acme = await customer(services, owner, "Acme")
    instance = await scoped_instance(services, owner, acme)
    admin = await customer_actor(services, owner, acme, "admin@acme.test")
    (as_customer,) = await services.scoped_connections.list_scoped(admin)
    assert as_customer.test_state is None  # test values are the organization's
    # a customer instance never falls back to the test value
    assert await services.instances.config_state(owner, instance) == "NEEDS_INSTANCE_CONFIGURATION"
    await services.scoped_connections.create_customer_value(
        admin, scoped=partner.global_id, values=values(apiKey=PARTNER_KEY_A)
    )

    async def test_run_config(record: IntegrationRecord) -> dict[str, object]:
        system = await services.integrations.system_instance(owner, record)
        (config,) = await services.instances.flow_configs(owner, system)
        target = await services.instances.webhook_target(config.global_id)
        return target.config_vars

    integration = await services.integrations.get(
        owner, ids.encode("Integration", instance.integration_id)
    )
    config = await test_run_config(integration)
    assert config["Partner API"]["fields"]["apiKey"] == "partner-test-key"  # type: ignore[index]
    # no test value on the global connection: test runs use its one value
    assert config["Billing"]["fields"]["clientId"] == "billing"  # type: ignore[index]

    await services.scoped_connections.update(owner, partner.global_id, test_values="")
    config = await test_run_config(integration)
    assert "apiKey" not in config["Partner API"]["fields"]  # type: ignore[index]
    await services.instances.deploy(owner, ids.encode("Instance", instance.id))
    (config_row,) = await services.instances.flow_configs(owner, instance)
    target = await services.instances.webhook_target(config_row.global_id)
    assert target.config_vars["Partner API"]["fields"]["apiKey"] == PARTNER_KEY_A


async def test_deleting_a_scoped_connection_in_use_is_refused_unless_forced(
    services: Services, owner: Actor
) -> None:
    services.instances.http_transport = httpx.MockTransport(TokenServer())
    await define_scoped(services, owner)
    partner = (await services.scoped_connections.list_scoped(owner, stable_key="partner-api"))[0]
    acme = await customer(services, owner, "Acme")
    beta = await customer(services, owner, "Beta")
    await scoped_instance(services, owner, acme)
    await scoped_instance(services, owner, beta)
    with pytest.raises(Conflict) as refused:
        await services.scoped_connections.delete(owner, partner.global_id)
    error = refused.value
    assert error.field == "id"
    assert error.message.startswith(
        "scoped connection 'Partner API' (stableKey 'partner-api') is used by 2 instances: "
        "'Scoped' (integration 'Scoped Connections "
    )
    assert "customer 'Acme'" in error.message and "customer 'Beta'" in error.message
    assert error.fix is not None and "force: true" in error.fix
    assert "useScopedConfigVar 'partner-api'" in error.fix
    assert len(await services.scoped_connections.list_scoped(owner)) == 2  # nothing deleted

    unused = await services.scoped_connections.create(
        owner,
        stable_key="unused",
        key="Unused",
        component="http",
        connection="basic",
        variable_scope="org",
        managed_by="org",
    )
    await services.scoped_connections.delete(owner, unused.global_id)  # nobody uses it
    await services.scoped_connections.delete(owner, partner.global_id, force=True)
    assert [v.row.stable_key for v in await services.scoped_connections.list_scoped(owner)] == [
        "billing-cc"
    ]
    found = await services.instances.search(owner, InstanceFilter(is_system=False), PageRequest())
    with pytest.raises(InvalidInput, match="which the organization has not defined"):
        await services.instances.deploy(owner, ids.encode("Instance", found.items[0].id))
