"""`bestil officer …`: operators manage officers' accounts and API tokens from the shell.

Every change goes through screening's use cases (`services.screening.account_changes`), so it
is written to the audit trail with the operator as its actor, like officers' own actions.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bestil.services import settings_for

if TYPE_CHECKING:
    from services.screening.settings import ScreeningSettings
    from shared.db import Database


def actor() -> str:
    """Who ran the command, as the audit trail names them."""
    try:
        return f"cli:{getpass.getuser()}"[:60]
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "cli"


@asynccontextmanager
async def _screening() -> AsyncIterator[tuple[Database, ScreeningSettings]]:
    from services.screening.models import ScreeningBase
    from shared import migrations
    from shared.db import Database

    settings: ScreeningSettings = settings_for("screening")
    db = Database(settings.resolved_database_url("screening"), ScreeningBase.metadata)
    try:
        await migrations.upgrade(db, "screening")
        yield db, settings
    finally:
        await db.dispose()


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


async def add(email: str, name: str, district: str | None, role: str, password: str) -> str:
    from services.screening import account_changes
    from shared.clock import utcnow
    from shared.vocabulary import Role

    async with _screening() as (db, _):
        officer = await account_changes.add_officer(
            db,
            email=email,
            name=name,
            district_code=district,
            role=Role(role),
            password=password,
            actor=actor(),
            now=utcnow(),
        )
    return officer.id


async def token(email: str, days: int | None) -> str:
    """A new API token: the token alone on stdout (scripts read it), its id and expiry on
    stderr."""
    from services.screening import account_changes
    from shared.clock import utcnow

    async with _screening() as (db, settings):
        lifetime = timedelta(days=days or settings.token_days)
        issued = await account_changes.issue_api_token(
            db, email, lifetime=lifetime, actor=actor(), now=utcnow()
        )
    print(f"token {issued.token_id}, expires {_when(issued.expires_at)}", file=sys.stderr)
    return issued.token


async def listing() -> str:
    """One line per account, and one indented line per API token (its id, never itself)."""
    from services.screening import account_changes
    from shared.clock import as_utc, utcnow

    async with _screening() as (db, settings):
        found = await account_changes.list_accounts(
            db, default_lifetime=timedelta(days=settings.token_days)
        )
    now, lines = utcnow(), []
    for account in found:
        state = "active" if account.active else "deactivated"
        lines.append(
            f"{account.email}\t{account.name}\t{account.role}\t"
            f"{account.district_code or '-'}\t{state}"
        )
        for t in account.tokens:
            expired = " (expired)" if t.expires_at <= now else ""
            used = as_utc(t.last_used_at) if t.last_used_at else None
            lines.append(
                f"  token {t.token_id}\tcreated {_when(as_utc(t.created_at))}\t"
                f"expires {_when(t.expires_at)}{expired}\tlast used {_when(used)}"
            )
    return "\n".join(lines)


async def revoke_token(email: str, token_id: str | None) -> list[str]:
    from services.screening import account_changes
    from shared.clock import utcnow

    async with _screening() as (db, _):
        return await account_changes.revoke_api_tokens(
            db, email, token_id, actor=actor(), now=utcnow()
        )


async def deactivate(email: str) -> dict[str, int]:
    from services.screening import account_changes
    from shared.clock import utcnow

    async with _screening() as (db, _):
        return await account_changes.deactivate_officer(db, email, actor=actor(), now=utcnow())
