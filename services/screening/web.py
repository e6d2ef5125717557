"""Officers' pages: sign-in and the district queue (the full workspace comes with a later issue)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.screening import accounts, service
from services.screening.context import SESSION_COOKIE, ctx, session_officer
from shared import districts
from shared.clock import as_utc
from shared.deadlines import days_left

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login")
async def login(request: Request, email: str = Form(""), password: str = Form("")) -> Response:
    c = ctx(request)
    async with c.db.transaction() as session:
        officer = await accounts.check_password(session, email, password)
        token = None
        if officer is not None:
            token = await accounts.issue_token(
                session,
                officer.email,
                c.clock(),
                kind="session",
                lifetime=timedelta(hours=c.settings.session_hours),
            )
    if token is None:
        return templates.TemplateResponse(
            request, "login.html", {"error": "Forkert e-mail eller adgangskode."}, status_code=401
        )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=c.settings.secure_cookies,
        max_age=c.settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with ctx(request).db.transaction() as session:
            await accounts.revoke(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def queue(request: Request, status: str | None = None) -> Response:
    officer = await session_officer(request)
    if officer is None:
        return RedirectResponse("/login", status_code=302)
    c = ctx(request)
    now = c.clock()
    async with c.db.reading() as session:
        orders = await service.list_orders(session, officer, status=status or None)
    rows = [
        {
            "order": o,
            "days_left": days_left(now, as_utc(o.decision_due), c.settings.deadlines.day_count)
            if o.decision_due
            else None,
            "municipality": districts.municipality(o.municipality_code or ""),
            "district": districts.district(o.district_code or ""),
        }
        for o in orders
    ]
    return templates.TemplateResponse(
        request,
        "queue.html",
        {
            "officer": officer,
            "rows": rows,
            "status": status,
            "district": districts.district(officer.district_code or ""),
        },
    )
