"""Log-in, tokens and the first-start owner account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update

from splice import clock
from splice.errors import InvalidInput, NotAuthenticated
from splice.services.authz import Actor
from splice.services.passwords import hash_password, verify_password
from splice.services.tokens import (
    decode_access_token,
    encode_access_token,
    hash_refresh_token,
    new_refresh_token,
)
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Organization, RefreshToken, User

__all__ = ["AuthService", "Bootstrap", "TokenPair"]


@dataclass(frozen=True)
class TokenPair:
    """The answer of a successful log-in or refresh."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None


@dataclass(frozen=True)
class Bootstrap:
    """What first start created; ``generated_password`` is shown once, then forgotten."""

    organization_name: str
    email: str
    generated_password: str | None


def actor_for(user: User) -> Actor:
    """The Actor a user row acts as."""
    return Actor(
        user_id=user.id,
        organization_id=user.organization_id,
        email=user.email,
        role=user.role,
        customer_id=user.customer_id,
    )


class AuthService:
    """Passwords, access tokens, refresh tokens, revocation."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db

    @property
    def _secret(self) -> str:
        return self._settings.auth.secret_key.get_secret_value()

    async def bootstrap(self) -> Bootstrap | None:
        """On an empty database, create the organization and its owner; else do nothing."""
        auth = self._settings.auth
        async with self._db.session() as session:
            if (await session.execute(select(func.count(Organization.id)))).scalar_one():
                return None
            email = auth.admin_email or "admin@example.com"
            given = auth.admin_password.get_secret_value()
            password = given or secrets.token_urlsafe(12)
            org = Organization(name=auth.organization_name)
            session.add(org)
            await session.flush()
            session.add(
                User(
                    organization_id=org.id,
                    email=email.lower(),
                    name="Owner",
                    role="owner",
                    password_hash=hash_password(password),
                )
            )
            await session.commit()
            return Bootstrap(org.name, email.lower(), None if given else password)

    async def login(self, email: str, password: str, *, label: str = "login") -> TokenPair:
        """Check a password and hand out an access token plus a new refresh token."""
        async with self._db.session() as session:
            user = (
                await session.execute(select(User).where(User.email == email.strip().lower()))
            ).scalar_one_or_none()
            if (
                user is None
                or not user.is_active
                or not verify_password(user.password_hash, password)
            ):
                raise NotAuthenticated(
                    "wrong email or password", fix="check both, or ask an admin to reset it"
                )
            refresh = new_refresh_token()
            session.add(
                RefreshToken(user_id=user.id, token_hash=hash_refresh_token(refresh), label=label)
            )
            await session.commit()
            access, ttl = self._access_for(user)
            return TokenPair(access, ttl, refresh)

    async def create_refresh_token(self, actor: Actor, *, label: str = "api") -> str:
        """A new refresh token for the caller (e.g. for the ``prismatic`` component)."""
        refresh = new_refresh_token()
        async with self._db.session() as session:
            session.add(
                RefreshToken(
                    user_id=actor.user_id, token_hash=hash_refresh_token(refresh), label=label
                )
            )
            await session.commit()
        return refresh

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Exchange a valid, unrevoked refresh token for a new access token."""
        if not refresh_token:
            raise InvalidInput("refresh_token is required", field="refresh_token")
        async with self._db.session() as session:
            row = (
                await session.execute(
                    select(RefreshToken, User)
                    .join(User, User.id == RefreshToken.user_id)
                    .where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
                )
            ).one_or_none()
            if row is None or row[0].revoked_at is not None or not row[1].is_active:
                raise NotAuthenticated(
                    "the refresh token is invalid or revoked",
                    fix="log in again to get a new refresh token",
                )
            token, user = row
            token.last_used_at = clock.now()
            await session.commit()
            access, ttl = self._access_for(user)
            return TokenPair(access, ttl)

    async def revoke_all(self, refresh_token: str) -> int:
        """Revoke every refresh token of the user who owns ``refresh_token``; count revoked."""
        async with self._db.session() as session:
            owner = (
                await session.execute(
                    select(RefreshToken.user_id).where(
                        RefreshToken.token_hash == hash_refresh_token(refresh_token)
                    )
                )
            ).scalar_one_or_none()
            if owner is None:
                return 0
            result = await session.execute(
                update(RefreshToken)
                .where(RefreshToken.user_id == owner, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )
            await session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def authenticate(self, access_token: str) -> Actor:
        """The Actor an access token stands for; raise NotAuthenticated otherwise."""
        claims = decode_access_token(self._secret, access_token)
        async with self._db.session() as session:
            user = await session.get(User, claims.user_id)
            if user is None or not user.is_active:
                raise NotAuthenticated("the user of this token no longer exists or is disabled")
            return actor_for(user)

    def _access_for(self, user: User) -> tuple[str, int]:
        ttl = self._settings.auth.access_token_ttl_seconds
        return encode_access_token(self._secret, user.id, user.organization_id, ttl), ttl
