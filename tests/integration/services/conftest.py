"""Fixtures for service tests: a prepared service bundle and the owner as an Actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from splice.services import Services
from splice.services.auth import actor_for
from splice.services.authz import Actor
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from splice.store.tables import User
from tests.conftest import ADMIN_EMAIL

SHARED = Path(__file__).resolve().parents[4] / "shared"
CONFORMANCE = SHARED / "conformance" / "yaml"


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Services on a migrated, bootstrapped database."""
    bundle = build_services(settings)
    await prepare(bundle)
    yield bundle
    await bundle.db.dispose()


@pytest.fixture
async def owner(services: Services) -> Actor:
    """The organization's owner."""
    from sqlalchemy import select

    async with services.db.session() as session:
        user = (await session.execute(select(User).where(User.email == ADMIN_EMAIL))).scalar_one()
    return actor_for(user)


async def add_user(services: Services, owner: Actor, role: str, email: str) -> Actor:
    """Another org user with ``role``."""
    async with services.db.session() as session:
        user = User(organization_id=owner.organization_id, email=email, role=role, name=role)
        session.add(user)
        await session.commit()
    return actor_for(user)
