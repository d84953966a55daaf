"""The integration lifecycle through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import struct
import zlib

import pytest
import yaml

from splice import ids
from splice.errors import (
    Conflict,
    DefinitionError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from splice.services import Services
from splice.services.authz import Actor
from splice.services.integrations import IntegrationFilter
from splice.services.pagination import PageRequest
from tests.integration.services.conftest import CONFORMANCE, add_user

ROUTER = CONFORMANCE / "slack-interactivity-router.yaml"


async def test_create_blank_has_one_webhook_flow_and_a_test_instance(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.create(owner, "Orders", "Sync orders")
    assert ids.decode_any(record.global_id)[0] == "Integration"
    assert record.version_number == 0
    flows = await services.integrations.flows(owner, record)
    assert [f.name for f in flows] == ["Flow 1"]
    assert flows[0].trigger_component == "webhook-triggers"
    configs = await services.integrations.test_flow_configs(owner, record)
    assert set(configs) == {"Flow 1"}


async def test_duplicate_name_is_a_conflict_on_name_and_changes_nothing(
    services: Services, owner: Actor
) -> None:
    await services.integrations.create(owner, "Orders", "")
    with pytest.raises(Conflict) as caught:
        await services.integrations.create(owner, "Orders", "again")
    assert caught.value.field == "name"
    page = await services.integrations.search(owner, IntegrationFilter(), PageRequest())
    assert page.total_count == 1


async def test_update_lower_cases_labels_and_mirrors_the_definition(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.create(owner, "Orders", "")
    result = await services.integrations.update(
        owner,
        record.global_id,
        name="Orders 2",
        labels=["CRM", " Gold ", "crm"],
        category="ERP",
        documentation="# Hello",
    )
    assert result.record.labels == ["crm", "gold"]
    exported = yaml.safe_load(await services.integrations.export(owner, record.global_id))
    assert exported["name"] == "Orders 2"
    assert exported["labels"] == ["crm", "gold"]
    assert exported["category"] == "ERP"
    assert exported["documentation"] == "# Hello"


async def test_import_export_round_trips_a_real_export(services: Services, owner: Actor) -> None:
    text = ROUTER.read_text()
    record = await services.integrations.import_definition(owner, text)
    exported = await services.integrations.export(owner, record.global_id)
    assert yaml.safe_load(exported) == yaml.safe_load(text)
    flows = await services.integrations.flows(owner, record)
    assert [f.name for f in flows] == [f["name"] for f in yaml.safe_load(text)["flows"]]


async def test_import_with_missing_components_is_a_draft_that_cannot_publish(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.import_definition(
        owner, (CONFORMANCE / "hubspot-example-integration.yml").read_text()
    )
    with pytest.raises(InvalidInput, match=r"components not installed: .*hubspot"):
        await services.versions.publish(owner, record.global_id, "v1")


async def test_import_refuses_legacy_and_broken_definitions(
    services: Services, owner: Actor
) -> None:
    with pytest.raises(DefinitionError, match="unsupported definition version"):
        await services.integrations.import_definition(
            owner, (CONFORMANCE / "progix-acmeerp.yaml").read_text()
        )
    with pytest.raises(InvalidInput) as caught:
        await services.integrations.import_definition(
            owner, (CONFORMANCE / "sample-integration.yml").read_text()
        )
    assert caught.value.field == "definition"
    with pytest.raises(DefinitionError):
        await services.integrations.import_definition(owner, "name: [unclosed")
    page = await services.integrations.search(owner, IntegrationFilter(), PageRequest())
    assert page.total_count == 0


async def test_import_replaces_a_draft_and_keeps_flow_ids(services: Services, owner: Actor) -> None:
    text = ROUTER.read_text()
    record = await services.integrations.import_definition(owner, text)
    before = {f.name: f.id for f in await services.integrations.flows(owner, record)}
    data = yaml.safe_load(text)
    data["description"] = "changed"
    again = await services.integrations.import_definition(
        owner, yaml.safe_dump(data), integration_id=record.global_id, replace=True
    )
    assert again.global_id == record.global_id
    after = {f.name: f.id for f in await services.integrations.flows(owner, again)}
    assert after == before
    assert again.description == "changed"


async def test_publish_versions_availability_marketplace_and_labels(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.import_definition(owner, ROUTER.read_text())
    v1 = await services.versions.publish(owner, record.global_id, "first", '{"commitHash":"abc"}')
    assert v1.version_number == 1 and v1.version is not None
    assert v1.version.attributes == {"commitHash": "abc"}
    assert v1.published_by is not None and v1.published_by.email == owner.email
    await services.integrations.update(owner, record.global_id, description="second draft")
    v2 = await services.versions.publish(owner, record.global_id, "second")
    assert v2.version_number == 2
    versions = await services.versions.versions(owner, record.global_id)
    assert [v.version_number for v in versions] == [2, 1]
    await services.versions.set_available(owner, v2.global_id, False)
    latest = await services.versions.versions(owner, record.global_id, only_available=True, first=1)
    assert [v.global_id for v in latest] == [v1.global_id]
    market = await services.versions.set_marketplace(
        owner, v1.global_id, "AVAILABLE_AND_DEPLOYABLE", "Overview", True
    )
    assert market.version is not None
    assert market.version.marketplace_configuration == "AVAILABLE_AND_DEPLOYABLE"
    with pytest.raises(InvalidInput):
        await services.versions.set_marketplace(owner, v1.global_id, "SOMETIMES", None, None)
    labelled = await services.integrations.update(owner, v1.global_id, labels=["Prod"])
    assert labelled.record.labels == ["prod"]
    with pytest.raises(Conflict):
        await services.integrations.update(owner, v1.global_id, name="renamed")
    draft = await services.integrations.get(owner, record.global_id)
    assert draft.version_number == 2 and not draft.integration.has_unpublished_changes


async def test_published_version_is_immutable_after_draft_edits(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.import_definition(owner, ROUTER.read_text())
    v1 = await services.versions.publish(owner, record.global_id, "first")
    before = await services.integrations.export(owner, v1.global_id)
    await services.integrations.update(owner, record.global_id, name="Renamed Router")
    assert await services.integrations.export(owner, v1.global_id) == before
    diff = await services.versions.diff(owner, v1.global_id, record.global_id)
    assert "-name: " in diff and "+name: Renamed Router" in diff


async def test_fork_copies_the_definition_under_a_new_name(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.import_definition(owner, ROUTER.read_text())
    fork = await services.integrations.fork(owner, record.global_id, "Router Copy", "copy")
    assert fork.global_id != record.global_id
    assert fork.integration.parent_id == record.integration.id
    original = yaml.safe_load(await services.integrations.export(owner, record.global_id))
    copied = yaml.safe_load(await services.integrations.export(owner, fork.global_id))
    assert copied["flows"] == original["flows"]
    assert copied["name"] == "Router Copy"


async def test_delete_removes_the_integration_and_its_versions(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.import_definition(owner, ROUTER.read_text())
    v1 = await services.versions.publish(owner, record.global_id, "first")
    await services.integrations.delete(owner, record.global_id)
    for gone in (record.global_id, v1.global_id):
        with pytest.raises(NotFound):
            await services.integrations.get(owner, gone)


async def test_list_filters_and_cursor_pagination(services: Services, owner: Actor) -> None:
    for n in range(7):
        await services.integrations.create(
            owner,
            f"Int {n}",
            "alpha" if n % 2 else "beta",
            category="CRM" if n < 3 else "ERP",
            labels=["even"] if n % 2 == 0 else [],
        )
    seen: list[str] = []
    after = None
    while True:
        page = await services.integrations.search(
            owner, IntegrationFilter(), PageRequest(after=after, first=3)
        )
        seen += [r.name for r in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == [f"Int {n}" for n in range(7)]

    async def names(**kwargs: object) -> list[str]:
        page = await services.integrations.search(
            owner,
            IntegrationFilter(**kwargs),
            PageRequest(),  # type: ignore[arg-type]
        )
        return [r.name for r in page.items]

    assert await names(name_icontains="INT 1") == ["Int 1"]
    assert await names(description_icontains="alp") == ["Int 1", "Int 3", "Int 5"]
    assert await names(category="CRM") == ["Int 0", "Int 1", "Int 2"]
    assert await names(labels_contains="EVEN") == ["Int 0", "Int 2", "Int 4", "Int 6"]
    assert await names(customer_isnull=True) == [f"Int {n}" for n in range(7)]
    await services.versions.publish(owner, (await _by_name(services, owner, "Int 3")), "v1")
    assert await names(has_unpublished_changes=False) == ["Int 3"]
    assert "Int 3" in await names(all_versions=True)
    assert len(await names(all_versions=True)) == 8


async def _by_name(services: Services, owner: Actor, name: str) -> str:
    page = await services.integrations.search(owner, IntegrationFilter(name=name), PageRequest())
    return page.items[0].global_id


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_icon_must_be_png_and_small_or_oblong_icons_warn(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.create(owner, "Orders", "")
    good = await services.integrations.update(owner, record.global_id, icon_png=_png(400, 400))
    assert good.warnings == []
    small = await services.integrations.update(owner, record.global_id, icon_png=_png(100, 50))
    assert any("at least 400x400" in w for w in small.warnings)
    assert any("square" in w for w in small.warnings)
    with pytest.raises(InvalidInput, match="not a PNG"):
        await services.integrations.update(owner, record.global_id, icon_png=b"GIF89a....")


async def test_attachments_upload_list_download_delete_and_size_limit(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.create(owner, "Orders", "")
    attachment = await services.attachments.upload(
        owner, record.global_id, "spec.pdf", b"%PDF-1.4 hello"
    )
    assert attachment.content_type == "application/pdf"
    listed = await services.attachments.list_for(owner, record.integration.id)
    assert [a.name for a in listed] == ["spec.pdf"]
    fetched = await services.attachments.get(owner, ids.encode("Attachment", attachment.id))
    assert fetched.content == b"%PDF-1.4 hello"
    limit = services.settings.limits.attachment_bytes
    with pytest.raises(PayloadTooLarge):
        await services.attachments.upload(owner, record.global_id, "big.bin", b"x" * (limit + 1))
    await services.attachments.delete(owner, ids.encode("Attachment", attachment.id))
    assert await services.attachments.list_for(owner, record.integration.id) == []


async def test_templates_create_new_integrations_from_a_version(
    services: Services, owner: Actor
) -> None:
    record = await services.integrations.import_definition(owner, ROUTER.read_text())
    v1 = await services.versions.publish(owner, record.global_id, "first")
    with pytest.raises(InvalidInput, match="not available as a template"):
        await services.integrations.create(owner, "From Template", "", template=v1.global_id)
    await services.versions.set_template(owner, v1.global_id, "org")
    assert [t.global_id for t in await services.versions.templates(owner)] == [v1.global_id]
    made = await services.integrations.create(owner, "From Template", "", template=v1.global_id)
    flows = await services.integrations.flows(owner, made)
    assert len(flows) == 3


async def test_viewers_read_but_do_not_change(services: Services, owner: Actor) -> None:
    viewer = await add_user(services, owner, "viewer", "viewer@example.com")
    record = await services.integrations.create(owner, "Orders", "")
    assert (await services.integrations.get(viewer, record.global_id)).name == "Orders"
    with pytest.raises(PermissionDenied):
        await services.integrations.create(viewer, "Nope", "")
    with pytest.raises(PermissionDenied):
        await services.integrations.delete(viewer, record.global_id)


async def test_unknown_and_wrong_type_ids_are_not_found(services: Services, owner: Actor) -> None:
    with pytest.raises(NotFound):
        await services.integrations.get(owner, "not-base64!")
    with pytest.raises(NotFound):
        await services.integrations.get(owner, ids.encode("Customer", ids.new_uuid()))
