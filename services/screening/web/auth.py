"""Signing in and out: local accounts always, an OpenID Connect provider when switched on."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.screening import oidc, signing_in
from services.screening.context import ScreeningContext, ctx
from services.screening.models import OidcLogin
from services.screening.security import csrf_matches, new_csrf_token, safe_next
from services.screening.web.common import (
    WebUser,
    form_user,
    format_datetime,
    render,
)
from shared.clock import as_utc

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

WRONG = "Forkert e-mail eller adgangskode."
EXPIRED = "Formularen var udløbet. Prøv at logge ind igen."


def _login_page(
    request: Request, token: str, *, error: str | None, next_path: str, status_code: int
) -> Response:
    c = ctx(request)
    response = render(
        request,
        "login.html",
        {
            "error": error,
            "login_token": token,
            "next": next_path,
            "oidc_label": c.settings.oidc.label if c.settings.oidc.enabled else None,
        },
        status_code=status_code,
    )
    _set_login_cookie(c, response, token)
    return response


def _set_login_cookie(c: ScreeningContext, response: Response, token: str) -> None:
    """The sign-in form's token, double-submitted: a cookie this site alone can set and read."""
    response.set_cookie(
        c.login_cookie,
        token,
        httponly=True,
        samesite="strict",
        secure=c.settings.over_https,
        max_age=3600,
        path="/",
    )


def _signed_in(c: ScreeningContext, token: str, next_path: str) -> Response:
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        c.session_cookie,
        token,
        httponly=True,
        samesite="strict",
        secure=c.settings.over_https,
        max_age=c.settings.session_hours * 3600,
        path="/",
    )
    response.delete_cookie(c.login_cookie, path="/")
    return response


@router.get("/was")
async def accessibility_statement(request: Request) -> Response:
    """The accessibility statement, at the address Danish public websites give it (/was)."""
    return RedirectResponse(ctx(request).settings.accessibility_statement_url, status_code=302)


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    c = ctx(request)
    token = request.cookies.get(c.login_cookie) or new_csrf_token()
    return _login_page(request, token, error=None, next_path=safe_next(next), status_code=200)


@router.post("/login")
async def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    c = ctx(request)
    next_path = safe_next(next)
    if not csrf_matches(request.cookies.get(c.login_cookie), csrf_token):
        return _login_page(
            request, new_csrf_token(), error=EXPIRED, next_path=next_path, status_code=403
        )
    settings = c.settings
    attempt = await signing_in.sign_in_with_password(
        c.db,
        email.strip().lower()[:200],
        password,
        now=c.clock(),
        lockout=signing_in.LockoutRule(settings.login_max_failures, settings.login_lockout_minutes),
        session_length=timedelta(hours=settings.session_hours),
        address=c.client_address(request),
        address_limit=signing_in.LockoutRule(
            settings.login_address_max_failures, settings.login_address_minutes
        ),
    )
    if attempt.token is not None:
        return _signed_in(c, attempt.token, next_path)
    token = request.cookies.get(c.login_cookie) or new_csrf_token()
    if attempt.address_waits:
        message = (
            "For mange mislykkede login fra din netværksadresse. Vent "
            f"{settings.login_address_minutes} minutter, og prøv så igen."
        )
        return _login_page(request, token, error=message, next_path=next_path, status_code=429)
    if attempt.locked_until is not None:
        message = (
            "For mange mislykkede forsøg. Kontoen er låst indtil "
            f"{format_datetime(attempt.locked_until)}. Kontakt din koordinator, hvis du har "
            "glemt adgangskoden."
        )
        return _login_page(request, token, error=message, next_path=next_path, status_code=429)
    return _login_page(request, token, error=WRONG, next_path=next_path, status_code=401)


@router.post("/logout")
async def logout(request: Request, user: WebUser = Depends(form_user)) -> Response:
    c = ctx(request)
    token = request.cookies.get(c.session_cookie, "")
    await signing_in.sign_out(c.db, user.officer, token, now=c.clock())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(c.session_cookie, path="/")
    return response


# --- OpenID Connect ----------------------------------------------------------------------------

OIDC_FAILED = "Log ind via det fælles login mislykkedes. Prøv igen, eller log ind med adgangskode."
OIDC_UNKNOWN = (
    "Du er logget ind hos det fælles login, men har ingen konto i Bestil en betjent. "
    "Kontakt din koordinator."
)


@router.get("/login/oidc")
async def oidc_start(request: Request, next: str = "/") -> Response:
    c = ctx(request)
    if not c.settings.oidc.enabled:
        return RedirectResponse("/login", status_code=302)
    try:
        metadata = await oidc.provider_metadata(
            c.outbound(), c.settings.oidc, c.oidc_metadata, environment=c.settings.environment
        )
    except oidc.OidcError as exc:
        log.warning("OIDC sign-in unavailable: %s", exc)
        return _login_page(
            request, new_csrf_token(), error=OIDC_FAILED, next_path=safe_next(next), status_code=502
        )
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier, challenge = oidc.pkce_pair()
    pending = OidcLogin(
        state=state, nonce=nonce, verifier=verifier, next_path=safe_next(next), created_at=c.clock()
    )
    await signing_in.begin_oidc_login(c.db, pending)
    response = RedirectResponse(
        oidc.authorization_url(
            metadata, c.settings.oidc, state=state, nonce=nonce, challenge=challenge
        ),
        status_code=302,
    )
    # Lax, not Strict: the provider sends the browser back with a top-level cross-site GET.
    response.set_cookie(
        "bestil_oidc_state",
        state,
        httponly=True,
        samesite="lax",
        secure=c.settings.over_https,
        max_age=600,
        path="/login/oidc",
    )
    return response


@router.get("/login/oidc/callback")
async def oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
    c = ctx(request)
    if not c.settings.oidc.enabled:
        return RedirectResponse("/login", status_code=302)
    now = c.clock()

    def failed(message: str) -> Response:
        response = _login_page(
            request, new_csrf_token(), error=message, next_path="/", status_code=401
        )
        response.delete_cookie("bestil_oidc_state", path="/login/oidc")
        return response

    if not code or not csrf_matches(request.cookies.get("bestil_oidc_state"), state):
        return failed(OIDC_FAILED)
    pending = await signing_in.take_oidc_login(c.db, state)
    if pending is None or now - as_utc(pending.created_at) > signing_in.OIDC_LOGIN_LIFETIME:
        return failed(OIDC_FAILED)
    try:
        metadata = await oidc.provider_metadata(
            c.outbound(), c.settings.oidc, c.oidc_metadata, environment=c.settings.environment
        )
        tokens = await oidc.exchange_code(
            c.outbound(), metadata, c.settings.oidc, code=code, verifier=pending.verifier
        )
        claims = await oidc.id_token_claims(
            c.outbound(), metadata, str(tokens.get("id_token", "")), c.oidc_keys
        )
        email = oidc.verified_email(claims, c.settings.oidc, nonce=pending.nonce, now=now)
    except oidc.OidcError as exc:
        log.warning("OIDC sign-in refused: %s", exc)
        return failed(OIDC_FAILED)
    token = await signing_in.sign_in_by_oidc(
        c.db, email, now=now, session_length=timedelta(hours=c.settings.session_hours)
    )
    if token is None:
        return failed(OIDC_UNKNOWN)
    response = _signed_in(c, token, pending.next_path)
    response.delete_cookie("bestil_oidc_state", path="/login/oidc")
    return response
