"""Officers' accounts and credentials: argon2 password hashes, tokens and sessions stored as hashes,
and the record of failed sign-ins that locks an account for a while."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import Credential, LoginFailure, Officer, WebSession
from services.screening.security import locked_until, new_csrf_token
from shared import districts
from shared.clock import as_utc
from shared.references import hash_token, new_token
from shared.vocabulary import Role

_hasher = PasswordHasher()


class AccountError(Exception):
    pass


async def add_officer(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    district_code: str | None,
    role: Role,
    password: str,
    now: datetime,
) -> Officer:
    email = email.strip().lower()
    if len(password) < 12:
        raise AccountError("the password must be at least 12 characters")
    if role != Role.NATIONAL_ADMIN and districts.district(district_code or "") is None:
        raise AccountError(f"unknown district {district_code!r}")
    if (await session.exec(select(Officer).where(Officer.email == email))).first():
        raise AccountError(f"an officer with email {email} exists already")
    officer = Officer(
        id=str(uuid.uuid4()),
        email=email,
        name=name.strip(),
        district_code=None if role == Role.NATIONAL_ADMIN else district_code,
        role=role.value,
        password_hash=_hasher.hash(password),
        created_at=now,
    )
    session.add(officer)
    return officer


async def issue_token(
    session: AsyncSession,
    email: str,
    now: datetime,
    *,
    kind: str = "api",
    lifetime: timedelta | None = None,
) -> str:
    officer = (
        await session.exec(select(Officer).where(Officer.email == email.strip().lower()))
    ).first()
    if officer is None or not officer.active:
        raise AccountError(f"no active officer with email {email}")
    token = new_token()
    session.add(
        Credential(
            token_hash=hash_token(token),
            officer_id=officer.id,
            kind=kind,
            created_at=now,
            expires_at=now + lifetime if lifetime else None,
        )
    )
    return token


async def officer_for_token(
    session: AsyncSession, token: str, now: datetime, kind: str
) -> Officer | None:
    credential = await session.get(Credential, hash_token(token))
    if credential is None or credential.kind != kind:
        return None
    if credential.expires_at is not None and as_utc(credential.expires_at) <= now:
        return None
    officer = await session.get(Officer, credential.officer_id)
    return officer if officer and officer.active else None


async def check_password(session: AsyncSession, email: str, password: str) -> Officer | None:
    officer = (
        await session.exec(select(Officer).where(Officer.email == email.strip().lower()))
    ).first()
    if officer is None or not officer.active:
        await asyncio.to_thread(_hasher.hash, password)  # same time whether or not it exists
        return None
    try:
        # argon2 is made to be slow: keep it off the event loop so other requests go on.
        await asyncio.to_thread(_hasher.verify, officer.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return officer


async def revoke(session: AsyncSession, token: str) -> None:
    credential = await session.get(Credential, hash_token(token))
    if credential is not None:
        await session.delete(credential)


async def officer_by_email(session: AsyncSession, email: str) -> Officer | None:
    return (
        await session.exec(select(Officer).where(Officer.email == email.strip().lower()))
    ).first()


# --- browser sessions ------------------------------------------------------------------------


async def open_session(
    session: AsyncSession, officer: Officer, now: datetime, lifetime: timedelta, method: str
) -> tuple[str, WebSession]:
    """A new session (never a re-used one: no fixation); the cookie value is returned once."""
    token = new_token()
    web_session = WebSession(
        token_hash=hash_token(token),
        officer_id=officer.id,
        csrf_token=new_csrf_token(),
        method=method,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(web_session)
    return token, web_session


async def session_for_token(
    session: AsyncSession, token: str, now: datetime
) -> tuple[Officer, WebSession] | None:
    web_session = await session.get(WebSession, hash_token(token))
    if web_session is None or as_utc(web_session.expires_at) <= now:
        return None
    officer = await session.get(Officer, web_session.officer_id)
    if officer is None or not officer.active:
        return None
    return officer, web_session


async def close_session(session: AsyncSession, token: str) -> WebSession | None:
    web_session = await session.get(WebSession, hash_token(token))
    if web_session is not None:
        await session.delete(web_session)
    return web_session


# --- lock-out ---------------------------------------------------------------------------------


async def lockout_ends(
    session: AsyncSession, email: str, now: datetime, *, max_failures: int, minutes: int
) -> datetime | None:
    """When the account behind `email` opens again, if it is locked now."""
    since = now - timedelta(minutes=2 * minutes)
    rows = await session.exec(
        select(LoginFailure.at).where(
            LoginFailure.email == email.strip().lower(), col(LoginFailure.at) >= since
        )
    )
    return locked_until(
        [as_utc(at) for at in rows.all()], now, max_failures=max_failures, minutes=minutes
    )


async def record_failure(session: AsyncSession, email: str, now: datetime) -> None:
    """Count a failure, and forget those too old to matter (the table stays small)."""
    await session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - timedelta(days=1)))
    session.add(LoginFailure(email=email.strip().lower()[:200], at=now))


async def clear_failures(session: AsyncSession, email: str) -> None:
    await session.exec(delete(LoginFailure).where(col(LoginFailure.email) == email.strip().lower()))
