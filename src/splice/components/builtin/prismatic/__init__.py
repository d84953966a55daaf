"""The `prismatic` core component: the platform's own GraphQL API, aimed at Splice itself.

Action keys follow the published component, including its ``disableInstnce`` misspelling;
input keys come from the exports where they are used (``instanceId``, ``query``,
``variables``) and are otherwise the camelCase of the documented labels. The modules:
``connection`` (refresh token, server, cached access token), ``client`` (the one GraphQL call
and how actions are declared), ``inputs`` (shared inputs and selections), ``lists`` (the list
actions as one table), ``actions`` (one-object reads and changes) and ``raw`` (``rawRequest``).
Actions are registered in the seed's order (by label).
"""

from __future__ import annotations

from splice.components.builtin.prismatic.actions import ACTIONS
from splice.components.builtin.prismatic.client import ActionDecl
from splice.components.builtin.prismatic.connection import PrismaticApiError, clear_token_cache
from splice.components.builtin.prismatic.lists import LIST_ACTIONS
from splice.components.builtin.prismatic.raw import RAW_REQUEST
from splice.components.sdk import ComponentSpec, Input, component

__all__ = ["COMPONENT", "MANIFEST", "PrismaticApiError", "clear_token_cache"]


def _build() -> ComponentSpec:
    builder = component(
        "prismatic",
        label="Prismatic",
        description="Interact with the platform API (Splice's own GraphQL API)",
        category="Platform",
    )
    builder.connection(
        "apiKey",
        label="Prismatic Refresh Token",
        inputs=[
            Input(
                "apiKey",
                "Refresh Token",
                type="password",
                required=True,
                comments="Provide the Refresh Token obtained from the command line by calling "
                "`splice me:token --type refresh` (or `prism me:token --type refresh`).",
            ),
            Input(
                "url",
                "Server URL",
                comments="The platform's URL; empty means the server running the flow.",
            ),
        ],
    )
    declared: list[ActionDecl] = [
        *ACTIONS,
        *(spec.declaration() for spec in LIST_ACTIONS),
        RAW_REQUEST,
    ]
    for decl in sorted(declared, key=lambda d: d.label):
        builder.action(
            decl.key, label=decl.label, description=decl.description, inputs=decl.inputs
        )(decl.run)
    return builder.build()


COMPONENT: ComponentSpec = _build()
MANIFEST = COMPONENT.manifest
