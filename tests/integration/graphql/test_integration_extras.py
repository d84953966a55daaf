"""Splice's additions to the integration API: icons, attachments, diff, templates, validation."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest
import yaml

from tests.integration.graphql.conftest import Api

CONFORMANCE = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "yaml"
CREATE = (
    "mutation($n: String!) { createIntegration(input: {name: $n}) "
    "{ integration { id } errors { field messages } } }"
)


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def create(api: Api, name: str) -> str:
    body = await api.gql(CREATE, n=name)
    assert body["data"]["createIntegration"]["errors"] == []
    integration_id: str = body["data"]["createIntegration"]["integration"]["id"]
    return integration_id


async def test_upload_media_then_avatar_url_sets_the_icon_with_warnings(api: Api) -> None:
    iid = await create(api, "With Icon")
    body = await api.gql(
        "query($id: ID!, $f: String!) { uploadMedia(objectId: $id, fileName: $f, "
        "mediaType: AVATAR) { uploadUrl objectUrl error } }",
        id=iid,
        f="icon.png",
    )
    upload = body["data"]["uploadMedia"]
    put = await api.http.put(
        upload["uploadUrl"], content=png(64, 32), headers={"Content-Type": "image/png"}
    )
    assert put.status_code == 204
    body = await api.gql(
        "mutation($id: ID!, $u: String!) { updateIntegration(input: {id: $id, avatarUrl: $u}) "
        "{ integration { hasIcon iconUrl } errors { field messages } warnings } }",
        id=iid,
        u=upload["objectUrl"],
    )
    payload = body["data"]["updateIntegration"]
    assert payload["errors"] == []
    assert payload["integration"]["hasIcon"] is True
    assert any("400x400" in w for w in payload["warnings"])
    icon = await api.http.get(
        payload["integration"]["iconUrl"], headers={"Authorization": f"Bearer {api.token}"}
    )
    assert icon.content.startswith(b"\x89PNG")
    forged = await api.http.put(upload["uploadUrl"] + "x", content=b"x")
    assert forged.status_code == 401


async def test_attachments_over_graphql_and_download(api: Api) -> None:
    iid = await create(api, "With Files")
    body = await api.gql(
        "mutation($i: ID!, $c: String!) { createAttachment(input: {integration: $i, "
        'name: "notes.txt", contentBase64: $c}) { attachment { id url size contentType } '
        "errors { field messages } } }",
        i=iid,
        c=base64.b64encode(b"hello").decode(),
    )
    attachment = body["data"]["createAttachment"]["attachment"]
    assert attachment["size"] == 5 and attachment["contentType"] == "text/plain"
    download = await api.http.get(
        attachment["url"], headers={"Authorization": f"Bearer {api.token}"}
    )
    assert download.content == b"hello"
    anonymous = await api.http.get(attachment["url"])
    assert anonymous.status_code == 401
    body = await api.gql(
        "query($id: ID!) { integration(id: $id) { attachments { nodes { name } } } }", id=iid
    )
    assert body["data"]["integration"]["attachments"]["nodes"] == [{"name": "notes.txt"}]


async def test_oversized_request_is_refused_with_413(api: Api) -> None:
    response = await api.http.post(
        "/api",
        content=b"x" * (20 * 1024 * 1024 + 1),
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["message"]


async def test_validate_reports_each_issue_as_its_own_message(api: Api) -> None:
    body = await api.gql(
        "mutation($d: String!) { validateIntegrationSchema(input: {definition: $d}) "
        "{ result { isValid } errors { field messages } } }",
        d=(CONFORMANCE / "sample-integration.yml").read_text(),
    )
    errors = body["data"]["validateIntegrationSchema"]["errors"]
    assert errors[0]["field"] == "definition"
    assert len(errors[0]["messages"]) >= 5
    assert any("trigger.results.body" in m for m in errors[0]["messages"])


async def test_missing_components_are_listed_on_the_draft(api: Api) -> None:
    body = await api.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id missingComponents } errors { field messages } } }",
        d=(CONFORMANCE / "jira-example-integration.yml").read_text(),
    )
    integration = body["data"]["importIntegration"]["integration"]
    assert "atlassian-jira" in integration["missingComponents"]


async def test_diff_and_templates(api: Api) -> None:
    text = (CONFORMANCE / "slack-interactivity-router.yaml").read_text()
    body = await api.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { id } errors { field messages } } }",
        d=text,
    )
    iid = body["data"]["importIntegration"]["integration"]["id"]
    publish = "mutation($id: ID!) { publishIntegration(input: {id: $id}) { integration { id } } }"
    v1 = (await api.gql(publish, id=iid))["data"]["publishIntegration"]["integration"]["id"]
    await api.gql(
        'mutation($id: ID!) { updateIntegration(input: {id: $id, category: "Chat"}) '
        "{ errors { field } } }",
        id=iid,
    )
    body = await api.gql(
        "query($a: ID!, $b: ID!) { integrationDiff(base: $a, head: $b) { diff } }", a=v1, b=iid
    )
    diff = body["data"]["integrationDiff"]["diff"]
    assert "+category: Chat" in diff
    body = await api.gql(
        'mutation($id: ID!) { updateIntegrationTemplate(input: {id: $id, templateVisibility: "org"}) '
        "{ integration { templateVisibility } errors { field messages } } }",
        id=v1,
    )
    assert body["data"]["updateIntegrationTemplate"]["integration"]["templateVisibility"] == "org"
    body = await api.gql(
        'mutation($t: ID!) { createIntegration(input: {name: "Copy", template: $t}) '
        "{ integration { id definition } errors { field messages } } }",
        t=v1,
    )
    copied = yaml.safe_load(body["data"]["createIntegration"]["integration"]["definition"])
    assert [f["name"] for f in copied["flows"]] == [
        f["name"] for f in yaml.safe_load(text)["flows"]
    ]


@pytest.mark.parametrize(
    "bad_id", ["nope", "Q3VzdG9tZXI6MmUzZDllOTUtMWIyMy00N2FjLTk3MjUtMzU1OTA2YzgyZWZj"]
)
async def test_unknown_ids_fail_queries_with_null_data(api: Api, bad_id: str) -> None:
    body = await api.gql("query($id: ID!) { integration(id: $id) { name } }", id=bad_id)
    assert body["data"] is None
    assert "integration not found" in body["errors"][0]["message"]
