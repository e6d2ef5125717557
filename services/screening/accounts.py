"""Officers' accounts and credentials: argon2 password hashes, tokens stored only as hashes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import Credential, Officer
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
        _hasher.hash(password)  # spend the same time whether or not the account exists
        return None
    try:
        _hasher.verify(officer.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return officer


async def revoke(session: AsyncSession, token: str) -> None:
    credential = await session.get(Credential, hash_token(token))
    if credential is not None:
        await session.delete(credential)
