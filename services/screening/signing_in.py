"""Signing in and out, as use cases: each opens its own transaction, so a session, a failure
count or a lock-out is never written without its audit line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, delete, select

from services.screening import accounts, audit
from services.screening.models import Officer, OidcLogin, WebSession
from services.screening.security import address_waits
from shared.db import Database

#: How long a sign-in sent to the OpenID Connect provider may take to come back.
OIDC_LOGIN_LIFETIME = timedelta(minutes=10)
_PURGE_BATCH = 500


@dataclass(frozen=True)
class SignInAttempt:
    """How a password sign-in went: a session token, or (when locked) until when."""

    token: str | None = None
    locked_until: datetime | None = None
    address_waits: bool = False


@dataclass(frozen=True)
class LockoutRule:
    """`max_failures` failed sign-ins within `minutes` lock the email for that long."""

    max_failures: int
    minutes: int


NO_ADDRESS_LIMIT = LockoutRule(0, 15)


async def sign_in_with_password(
    db: Database,
    email: str,
    password: str,
    *,
    now: datetime,
    lockout: LockoutRule,
    session_length: timedelta,
    address: str = "unknown",
    address_limit: LockoutRule = NO_ADDRESS_LIMIT,
) -> SignInAttempt:
    """Check the password unless the client address must wait or the email is locked; count
    a failure, lock after too many.

    `address_limit.max_failures` failures from one address within its `minutes`, whatever
    the emails, make that address wait (password spraying across many accounts). Attempts
    that are refused unchecked are not counted, so neither wait lasts for ever.
    """
    limits = {"max_failures": lockout.max_failures, "minutes": lockout.minutes}
    async with db.transaction() as session:
        if address_limit.max_failures > 0:
            recent = await accounts.address_failures(
                session, address, now, minutes=address_limit.minutes
            )
            if address_waits(recent, max_failures=address_limit.max_failures):
                return SignInAttempt(address_waits=True)
        known = await accounts.officer_by_email(session, email) if email else None
        ends = await accounts.lockout_ends(session, email, now, **limits)
        if ends is not None:
            return SignInAttempt(locked_until=ends)
        officer = await accounts.check_password(session, email, password)
        if officer is None:
            await accounts.record_failure(session, email, now, address)
            audit.record(session, officer=known, action="sign_in_failed", now=now)
            await session.flush()
            ends = await accounts.lockout_ends(session, email, now, **limits)
            if ends is not None:
                audit.record(session, officer=known, action="locked_out", now=now)
            return SignInAttempt(locked_until=ends)
        await accounts.clear_failures(session, email)
        token, _ = await accounts.open_session(session, officer, now, session_length, "password")
        audit.record(session, officer=officer, action="signed_in", now=now)
    return SignInAttempt(token=token)


async def sign_out(db: Database, officer: Officer, token: str, *, now: datetime) -> None:
    """End the browser's session."""
    async with db.transaction() as session:
        await accounts.close_session(session, token)
        audit.record(session, officer=officer, action="signed_out", now=now)


async def begin_oidc_login(db: Database, pending: OidcLogin) -> None:
    """Remember a sign-in sent to the provider (state, nonce, PKCE verifier) until it returns.

    Anyone can start one, and most are never finished: each start also forgets a bounded
    batch of those past their lifetime, so the table holds about ten minutes' worth.
    """
    async with db.transaction() as session:
        expired = (
            select(OidcLogin.state)
            .where(col(OidcLogin.created_at) < pending.created_at - OIDC_LOGIN_LIFETIME)
            .limit(_PURGE_BATCH)
        )
        await session.exec(delete(OidcLogin).where(col(OidcLogin.state).in_(expired)))
        session.add(pending)


async def take_oidc_login(db: Database, state: str) -> OidcLogin | None:
    """The pending sign-in for `state`, removed so that it can be used once only."""
    async with db.transaction() as session:
        pending = await session.get(OidcLogin, state)
        if pending is not None:
            await session.delete(pending)
    return pending


async def sign_in_by_oidc(
    db: Database, email: str, *, now: datetime, session_length: timedelta
) -> str | None:
    """A session for the active local account the provider vouched for; None if there is none."""
    async with db.transaction() as session:
        officer = await accounts.officer_by_email(session, email)
        if officer is None or not officer.active:
            return None
        token, _ = await accounts.open_session(session, officer, now, session_length, "oidc")
        audit.record(session, officer=officer, action="signed_in", now=now, facts={"via": "oidc"})
    return token


async def officer_for_bearer(
    db: Database,
    token: str,
    *,
    now: datetime,
    default_lifetime: timedelta = accounts.DEFAULT_TOKEN_LIFETIME,
) -> Officer | None:
    """The officer behind an API token that is still valid (its last use noted)."""
    async with db.transaction() as session:
        return await accounts.officer_for_token(
            session, token, now, "api", default_lifetime=default_lifetime
        )


async def signed_in(
    db: Database, cookie_token: str, *, now: datetime
) -> tuple[Officer, WebSession] | None:
    """The officer and web session behind a session cookie that is still valid."""
    async with db.reading() as session:
        return await accounts.session_for_token(session, cookie_token, now)
