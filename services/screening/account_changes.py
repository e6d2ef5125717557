"""Operators' changes to accounts (`bestil officer …`), as use cases: each owns its transaction
and writes its audit entry in it, like the officers' own actions.

The actor is who ran the command ("cli:<OS user>"), kept in the entry's facts; the entry is
filed under the account's district, so its coordinator sees what was done to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import accounts, audit
from services.screening.accounts import AccountError
from services.screening.models import Officer
from shared.db import Database
from shared.vocabulary import Role


@dataclass(frozen=True)
class TokenInfo:
    """An API token as `bestil officer list` shows it: never the token itself."""

    token_id: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class AccountInfo:
    email: str
    name: str
    role: str
    district_code: str | None
    active: bool
    tokens: list[TokenInfo]


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: str
    expires_at: datetime


def _record(
    session: AsyncSession,
    officer: Officer,
    action: str,
    *,
    actor: str,
    now: datetime,
    **facts: object,
) -> None:
    audit.record(
        session,
        officer=None,
        action=action,
        now=now,
        via="cli",
        district_code=officer.district_code,
        facts={"actor": actor, "officer_id": officer.id, "email": officer.email, **facts},
    )


async def _account(session: AsyncSession, email: str) -> Officer:
    officer = await accounts.officer_by_email(session, email)
    if officer is None:
        raise AccountError(f"no officer with email {email}")
    return officer


async def add_officer(
    db: Database,
    *,
    email: str,
    name: str,
    district_code: str | None,
    role: Role,
    password: str,
    actor: str,
    now: datetime,
) -> Officer:
    """A new account, recorded in the audit trail."""
    async with db.transaction() as session:
        officer = await accounts.add_officer(
            session,
            email=email,
            name=name,
            district_code=district_code,
            role=role,
            password=password,
            now=now,
        )
        _record(session, officer, "officer_added", actor=actor, now=now, role=officer.role)
    return officer


async def issue_api_token(
    db: Database, email: str, *, lifetime: timedelta, actor: str, now: datetime
) -> IssuedToken:
    """A new API token for an active account (shown once), recorded by its id."""
    async with db.transaction() as session:
        officer = await _account(session, email)
        token, credential = await accounts.new_api_token(session, officer, now, lifetime)
        issued = IssuedToken(token, accounts.token_id(credential), now + lifetime)
        _record(
            session,
            officer,
            "token_issued",
            actor=actor,
            now=now,
            token_ids=[issued.token_id],
            expires_at=issued.expires_at.isoformat(),
        )
    return issued


async def revoke_api_tokens(
    db: Database, email: str, token_id: str | None, *, actor: str, now: datetime
) -> list[str]:
    """Revoke one API token (by id) or, with None, all of the account's; their ids."""
    async with db.transaction() as session:
        officer = await _account(session, email)
        revoked = await accounts.revoke_tokens(session, officer, token_id)
        _record(session, officer, "token_revoked", actor=actor, now=now, token_ids=revoked)
    return revoked


async def deactivate_officer(
    db: Database, email: str, *, actor: str, now: datetime
) -> dict[str, int]:
    """Close an account at once: it cannot sign in, and its sessions and tokens end."""
    async with db.transaction() as session:
        officer = await _account(session, email)
        ended = await accounts.deactivate(session, officer)
        _record(session, officer, "officer_deactivated", actor=actor, now=now, **ended)
    return ended


async def list_accounts(db: Database, *, default_lifetime: timedelta) -> list[AccountInfo]:
    """Every account with its API tokens' dates (a reading: not audited, no personal data
    of citizens)."""
    async with db.reading() as session:
        found = await accounts.officers_with_tokens(session)
    return [
        AccountInfo(
            email=officer.email,
            name=officer.name,
            role=officer.role,
            district_code=officer.district_code,
            active=officer.active,
            tokens=[
                TokenInfo(
                    accounts.token_id(c),
                    c.created_at,
                    accounts.token_expires(c, default_lifetime),
                    c.last_used_at,
                )
                for c in credentials
            ],
        )
        for officer, credentials in found
    ]
