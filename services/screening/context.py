"""What screening's routes need at hand, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from fastapi import HTTPException, Request

from services.screening import signing_in
from services.screening.models import Officer
from services.screening.security import client_address
from services.screening.settings import ScreeningSettings
from shared.clock import Clock
from shared.db import Database
from shared.messaging.runtime import MessagingRuntime


@dataclass
class ScreeningContext:
    settings: ScreeningSettings
    db: Database
    runtime: MessagingRuntime
    clock: Clock
    http: httpx.AsyncClient | None = None
    """Outbound HTTP (intake's API, the OIDC provider); tests put an in-process transport here."""
    oidc_metadata: dict[str, Any] = field(default_factory=dict)
    oidc_keys: dict[str, Any] = field(default_factory=dict)
    """The provider's signing keys (JWKS), fetched on first use and again when it rotates."""

    def outbound(self) -> httpx.AsyncClient:
        if self.http is None:
            self.http = httpx.AsyncClient(timeout=self.settings.http_timeout_s)
        return self.http

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix pins the cookie to this host and path, over HTTPS only.
        return "__Host-bestil_session" if self.settings.over_https else "bestil_session"

    @property
    def login_cookie(self) -> str:
        return "__Host-bestil_login" if self.settings.over_https else "bestil_login"

    def client_address(self, request: Request) -> str:
        """Who the per-address sign-in throttle counts (see `security.client_address`)."""
        return client_address(
            request.client.host if request.client else "unknown",
            request.headers.getlist("x-forwarded-for"),
            self.settings.trusted_proxy_hops,
        )


def ctx(request: Request) -> ScreeningContext:
    return request.app.state.ctx


async def api_officer(request: Request) -> Officer:
    """The officer behind a Bearer token; 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    c = ctx(request)
    officer = await signing_in.officer_for_bearer(
        c.db, token.strip(), now=c.clock(), default_lifetime=timedelta(days=c.settings.token_days)
    )
    if officer is None:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return officer
