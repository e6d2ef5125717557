"""Officers' accounts and credentials: argon2 password hashes, tokens and sessions stored as hashes,
and the record of failed sign-ins that locks an account for a while."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, func, select
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


DEFAULT_TOKEN_LIFETIME = timedelta(days=90)  # BESTIL_SCREENING_TOKEN_DAYS's default
TOKEN_ID_LENGTH = 12
_USE_RESOLUTION = timedelta(minutes=1)  # "last used" to the minute: not a write per request


def token_id(credential: Credential) -> str:
    """How a token is named in listings and revocations: the start of its hash, never itself."""
    return credential.token_hash[:TOKEN_ID_LENGTH]


def token_expires(credential: Credential, default_lifetime: timedelta) -> datetime:
    """When a token stops working; tokens issued before expiry existed get the default."""
    if credential.expires_at is not None:
        return as_utc(credential.expires_at)
    return as_utc(credential.created_at) + default_lifetime


async def new_api_token(
    session: AsyncSession, officer: Officer, now: datetime, lifetime: timedelta
) -> tuple[str, Credential]:
    """A new API token for an active officer: the token (shown once) and its stored record."""
    if not officer.active:
        raise AccountError(f"{officer.email} is deactivated")
    token = new_token()
    credential = Credential(
        token_hash=hash_token(token),
        officer_id=officer.id,
        kind="api",
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(credential)
    return token, credential


async def issue_token(
    session: AsyncSession,
    email: str,
    now: datetime,
    *,
    lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> str:
    officer = await officer_by_email(session, email)
    if officer is None or not officer.active:
        raise AccountError(f"no active officer with email {email}")
    token, _ = await new_api_token(session, officer, now, lifetime)
    return token


async def officer_for_token(
    session: AsyncSession,
    token: str,
    now: datetime,
    kind: str,
    *,
    default_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> Officer | None:
    """The active officer behind a token that has not expired; notes when it was last used."""
    credential = await session.get(Credential, hash_token(token))
    if credential is None or credential.kind != kind:
        return None
    if token_expires(credential, default_lifetime) <= now:
        return None
    officer = await session.get(Officer, credential.officer_id)
    if officer is None or not officer.active:
        return None
    used = credential.last_used_at
    if used is None or now - as_utc(used) >= _USE_RESOLUTION:
        credential.last_used_at = now
        session.add(credential)
    return officer


async def officers_with_tokens(
    session: AsyncSession,
) -> list[tuple[Officer, list[Credential]]]:
    """Every account with its API tokens (oldest first), for `bestil officer list`."""
    found = (await session.exec(select(Officer).order_by(col(Officer.email)))).all()
    tokens = (
        await session.exec(
            select(Credential).where(Credential.kind == "api").order_by(col(Credential.created_at))
        )
    ).all()
    by_officer: dict[str, list[Credential]] = {}
    for credential in tokens:
        by_officer.setdefault(credential.officer_id, []).append(credential)
    return [(officer, by_officer.get(officer.id, [])) for officer in found]


async def revoke_tokens(
    session: AsyncSession, officer: Officer, wanted_id: str | None
) -> list[str]:
    """Delete one of the officer's API tokens (by its id) or, with None, all; their ids."""
    query = select(Credential).where(Credential.officer_id == officer.id, Credential.kind == "api")
    if wanted_id is not None:
        wanted_id = wanted_id.strip().lower()
        if len(wanted_id) < 8:
            raise AccountError("give at least 8 characters of the token id")
        query = query.where(col(Credential.token_hash).startswith(wanted_id))
    found = list((await session.exec(query)).all())
    if wanted_id is not None and len(found) != 1:
        raise AccountError(f"{officer.email} has no token {wanted_id}")
    for credential in found:
        await session.delete(credential)
    return [token_id(c) for c in found]


async def deactivate(session: AsyncSession, officer: Officer) -> dict[str, int]:
    """Close the account at once: no sign-in, and its sessions and API tokens are deleted."""
    officer.active = False
    session.add(officer)
    sessions = (
        await session.exec(select(WebSession).where(WebSession.officer_id == officer.id))
    ).all()
    tokens = (
        await session.exec(select(Credential).where(Credential.officer_id == officer.id))
    ).all()
    for row in [*sessions, *tokens]:
        await session.delete(row)
    return {"sessions": len(sessions), "tokens": len(tokens)}


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


async def record_failure(
    session: AsyncSession, email: str, now: datetime, address: str | None = None
) -> None:
    """Count a failure, and forget those too old to matter (the table stays small)."""
    await session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - timedelta(days=1)))
    session.add(LoginFailure(email=email.strip().lower()[:200], address=address, at=now))


async def address_failures(
    session: AsyncSession, address: str, now: datetime, *, minutes: int
) -> int:
    """Failed sign-ins from one client address within the last `minutes`, for any email."""
    since = now - timedelta(minutes=minutes)
    query = select(func.count()).where(
        LoginFailure.address == address, col(LoginFailure.at) >= since
    )
    return int((await session.exec(query)).one())


async def clear_failures(session: AsyncSession, email: str) -> None:
    await session.exec(delete(LoginFailure).where(col(LoginFailure.email) == email.strip().lower()))
