"""What screening's routes need at hand, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request

from services.screening import accounts
from services.screening.models import Officer
from services.screening.settings import ScreeningSettings
from shared.clock import Clock
from shared.db import Database
from shared.messaging.runtime import MessagingRuntime

SESSION_COOKIE = "bestil_session"


@dataclass
class ScreeningContext:
    settings: ScreeningSettings
    db: Database
    runtime: MessagingRuntime
    clock: Clock


def ctx(request: Request) -> ScreeningContext:
    return request.app.state.ctx


async def api_officer(request: Request) -> Officer:
    """The officer behind a Bearer token; 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    c = ctx(request)
    async with c.db.reading() as session:
        officer = await accounts.officer_for_token(session, token.strip(), c.clock(), "api")
    if officer is None:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return officer


async def session_officer(request: Request) -> Officer | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    c = ctx(request)
    async with c.db.reading() as session:
        return await accounts.officer_for_token(session, token, c.clock(), "session")
