"""``integrations:attachments:*``: documents kept next to an integration (Splice extra)."""

from __future__ import annotations

import base64
import mimetypes
import sys
from pathlib import Path
from typing import Any

import click

from splice.cli.client import SpliceClient
from splice.cli.errors import CLIError
from splice.cli.output import Column, TableOptions, print_table, table_options
from splice.cli.state import command, open_client

__all__ = ["COMMANDS"]

LIST = """query listAttachments($id: ID!) {
  integration(id: $id) {
    attachments { nodes { id name size contentType createdAt url } }
  }
}"""

CREATE = """mutation createAttachment($integration: ID!, $name: String!, $contentBase64: String!, \
$contentType: String) {
  createAttachment(input: {integration: $integration, name: $name, contentBase64: $contentBase64, \
contentType: $contentType}) {
    attachment { id }
    errors { field messages }
  }
}"""

DELETE = """mutation deleteAttachment($id: ID!) {
  deleteAttachment(input: {id: $id}) {
    attachment { id }
    errors { field messages }
  }
}"""

COLUMNS = [
    Column("id", "ID", extended=True),
    Column("name"),
    Column("size"),
    Column("contentType"),
    Column("createdAt", "Created At"),
    Column("url", "URL", extended=True),
]


def _attachments(client: SpliceClient, integration_id: str) -> list[dict[str, Any]]:
    data = client.graphql(LIST, {"id": integration_id})
    nodes: list[dict[str, Any]] = data["integration"]["attachments"]["nodes"]
    return nodes


@command("integrations:attachments:list")
@click.argument("integration_id")
@table_options
def list_(integration_id: str, table: TableOptions) -> None:
    """List an integration's attachments."""
    print_table(_attachments(open_client(), integration_id), COLUMNS, table)


@command("integrations:attachments:upload")
@click.argument("integration_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-n", "--name", help="Name to store it under (default: the file name).")
@click.option("--content-type", help="MIME type (default: guessed from the name).")
def upload(integration_id: str, file: Path, name: str | None, content_type: str | None) -> None:
    """Attach a file to an integration and print the attachment's ID."""
    stored = name or file.name
    guessed = content_type or mimetypes.guess_type(stored)[0] or "application/octet-stream"
    try:
        content = base64.b64encode(file.read_bytes()).decode("ascii")
    except OSError as exc:
        raise CLIError(f"Cannot read {file}: {exc.strerror or exc}") from exc
    variables = {
        "integration": integration_id,
        "name": stored,
        "contentBase64": content,
        "contentType": guessed,
    }
    click.echo(open_client().mutation_id(CREATE, variables, "createAttachment", "attachment"))


@command("integrations:attachments:download")
@click.argument("integration_id")
@click.argument("attachment", metavar="ATTACHMENT_ID_OR_NAME")
@click.option(
    "-o", "--out", metavar="PATH", help="Where to save it ('-' for stdout; default: its name)."
)
def download(integration_id: str, attachment: str, out: str | None) -> None:
    """Download one attachment of an integration."""
    client = open_client()
    nodes = _attachments(client, integration_id)
    found = next((n for n in nodes if attachment in (n.get("id"), n.get("name"))), None)
    if found is None:
        raise CLIError(
            f"Attachment not found: {attachment}",
            fix=f"see 'splice integrations:attachments:list {integration_id} -x'",
        )
    headers = {"Authorization": f"Bearer {client.access_token()}"}
    response = client.send("GET", str(found["url"]), headers=headers)
    if response.is_error:
        raise CLIError(f"Downloading {found['name']} failed: HTTP {response.status_code}")
    if out == "-":
        sys.stdout.buffer.write(response.content)
        return
    target = Path(out or Path(str(found["name"])).name)
    try:
        target.write_bytes(response.content)
    except OSError as exc:
        raise CLIError(f"Cannot write {target}: {exc.strerror or exc}") from exc
    click.echo(str(target), err=True)


@command("integrations:attachments:delete")
@click.argument("attachment_id")
def delete(attachment_id: str) -> None:
    """Delete an attachment."""
    open_client().graphql(DELETE, {"id": attachment_id})


COMMANDS: list[click.Command] = [list_, upload, download, delete]
