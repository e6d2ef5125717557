"""What every workspace page shares: the signed-in officer, the form token, rendering, words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from services.screening import labels, signing_in
from services.screening.context import ScreeningContext, ctx
from services.screening.domain import may_read_audit, may_route_manually, urgency
from services.screening.models import Officer, WebSession
from services.screening.security import csrf_matches
from shared import danish_time, districts
from shared.clock import as_utc
from shared.danish_time import datetime_local_value, days_text, format_month
from shared.deadlines import days_left
from shared.vocabulary import Role

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
templates = Jinja2Templates(directory=TEMPLATE_DIR)


class SignInRequiredError(Exception):
    """No valid session: the browser is sent to the sign-in page and back afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefusedError(Exception):
    """A form came without this session's token: refused, nothing changed."""


@dataclass(frozen=True)
class WebUser:
    officer: Officer
    web_session: WebSession

    @property
    def role(self) -> Role:
        return Role(self.officer.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.NATIONAL_ADMIN


async def web_user(request: Request) -> WebUser:
    """The signed-in officer, or a redirect to the sign-in page."""
    c = ctx(request)
    token = request.cookies.get(c.session_cookie)
    found = None
    if token:
        found = await signing_in.signed_in(c.db, token, now=c.clock())
    if found is None:
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise SignInRequiredError(target)
    user = WebUser(*found)
    request.state.user = user
    return user


async def form_user(request: Request, user: WebUser = Depends(web_user)) -> WebUser:
    """The signed-in officer of a form post that carries this session's CSRF token."""
    form = await request.form()
    given = form.get("csrf_token")
    if not csrf_matches(user.web_session.csrf_token, given if isinstance(given, str) else None):
        raise CsrfRefusedError
    return user


def forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise HTTPException(403, "forbidden")


# --- words and numbers ---------------------------------------------------------------------


def format_datetime(moment: datetime | None) -> str:
    """12. jun. 2026 kl. 09.00 (Danish time); "–" where there is none."""
    return danish_time.format_datetime(moment, short=True) if moment else "–"


def format_iso(text: str | None) -> str:
    """A timestamp from an event's JSON, shown like every other time."""
    try:
        return format_datetime(datetime.fromisoformat(text)) if text else "–"
    except (TypeError, ValueError):
        return str(text)


def format_date(moment: datetime | None) -> str:
    """12. jun. 2026 (Danish time); "–" where there is none."""
    return danish_time.format_date(moment, short=True) if moment else "–"


def deadline_info(c: ScreeningContext, due: datetime | None) -> dict[str, Any] | None:
    if due is None:
        return None
    deadlines = c.settings.deadlines
    left = days_left(
        c.clock(),
        as_utc(due),
        deadlines.day_count,
        closed_days=deadlines.public_sector_closed_days,
    )
    return {"due": due, "days": left, "text": days_text(left), "urgency": urgency(left)}


def municipality_name(code: str | None) -> str:
    found = districts.municipality(code or "")
    return found.name if found else "–"


def district_name(code: str | None, short: bool = False) -> str:
    found = districts.district(code or "")
    if found is None:
        return "Ingen kreds"
    return found.short_name if short else found.name


def query_string(**params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return ("?" + urlencode(clean, doseq=True)) if clean else ""


templates.env.filters.update(
    datetime=format_datetime,
    isodt=format_iso,
    date=format_date,
    month=format_month,
    days=days_text,
    dtlocal=datetime_local_value,
    municipality=municipality_name,
    district=district_name,
)
templates.env.globals.update(
    labels=labels,
    label=labels.label,
    districts=list(districts.DISTRICTS.values()),
    query_string=query_string,
)


# --- rendering -------------------------------------------------------------------------------


def navigation(user: WebUser | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    items = [("/", "Kø"), ("/phone", "Telefonbestilling"), ("/stats", "Statistik")]
    items.insert(1, ("/plan", "Ugeplan"))
    items.insert(1, ("/map", "Kort"))
    if may_route_manually(user.role):
        items.insert(1, ("/routing", "Manuel fordeling"))
    if user.role in (Role.COORDINATOR, Role.NATIONAL_ADMIN):
        items.append(("/templates", "Svarskabeloner"))
    if may_read_audit(user.role):
        items.append(("/audit", "Revisionsspor"))
    return items


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    user: WebUser | None = getattr(request.state, "user", None)
    base = {
        "user": user,
        "officer": user.officer if user else None,
        "csrf_token": user.web_session.csrf_token if user else "",
        "nav": navigation(user),
        "path": request.url.path,
        "role_label": labels.label(labels.ROLE, user.officer.role) if user else "",
        "home_district": districts.district(user.officer.district_code or "") if user else None,
        "accessibility_statement_url": request.app.state.ctx.settings.accessibility_statement_url,
    }
    response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    return response
