"""Coordinators' pages: their district's reply templates and audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from services.screening import audit, labels, reading, replies_store
from services.screening.context import ctx
from services.screening.domain import may_edit_templates, may_read_audit
from services.screening.queries import normalise_reference_query
from services.screening.replies import FIELDS, default_template, unknown_fields
from services.screening.web.common import WebUser, forbid_unless, form_user, render, web_user
from shared import districts
from shared.danish_time import COPENHAGEN
from shared.vocabulary import Language, ReasonCode, Role

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 100


def _template_district(user: WebUser, wanted: str | None) -> str:
    """The district whose templates are edited: one's own, or the admin's choice.

    Asking for another district's is refused (403) rather than silently answered with one's own.
    """
    if user.role == Role.NATIONAL_ADMIN:
        chosen = wanted or next(iter(districts.DISTRICTS))
        if districts.district(chosen) is None:
            raise HTTPException(404, "unknown district")
        return chosen
    own = user.officer.district_code or ""
    forbid_unless(wanted in (None, own))
    return own


@router.get("/templates")
async def templates_page(
    request: Request, district: str = "", user: WebUser = Depends(web_user)
) -> Response:
    code = _template_district(user, district or None)
    forbid_unless(may_edit_templates(user.role, user.officer.district_code, code))
    texts = await replies_store.reply_templates(ctx(request).db, code)
    return _templates_view(request, code, texts, errors={}, saved=request.query_params.get("saved"))


def district_title(code: str) -> str:
    """The district's name for the page's heading; its code if the code names no district."""
    found = districts.district(code)
    return found.name if found else code


def _templates_view(
    request: Request,
    code: str,
    texts: dict[tuple[str, str], str],
    *,
    errors: dict[str, str],
    saved: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "templates.html",
        {
            "code": code,
            "district_name": district_title(code),
            "texts": texts,
            "reasons": list(ReasonCode),
            "languages": [(Language.DA, "dansk"), (Language.EN, "engelsk")],
            "merge_fields": FIELDS,
            "errors": errors,
            "saved": saved,
        },
        status_code=status_code,
    )


@router.post("/templates")
async def save_templates(request: Request, user: WebUser = Depends(form_user)) -> Response:
    form = await request.form()
    code = _template_district(user, str(form.get("district") or "") or None)
    forbid_unless(may_edit_templates(user.role, user.officer.district_code, code))
    c = ctx(request)
    texts: dict[tuple[str, str], str] = {}
    errors: dict[str, str] = {}
    for reason in ReasonCode:
        for language in Language:
            name = f"{reason.value}.{language.value}"
            text = str(form.get(name) or "").strip().replace("\r\n", "\n")
            if not text:
                text = default_template(reason, language)  # an emptied field means the default
            if len(text) > 4000:
                errors[name] = "Teksten er for lang (højst 4000 tegn)."
            elif unknown := unknown_fields(text):
                errors[name] = "Ukendte flettefelter: " + ", ".join("{" + u + "}" for u in unknown)
            texts[(reason.value, language.value)] = text
    if errors:
        return _templates_view(request, code, texts, errors=errors, status_code=422)
    changed = await replies_store.save_reply_templates(
        c.db, user.officer, code, texts, now=c.clock()
    )
    target = f"/templates?saved={len(changed)}"
    if user.role == Role.NATIONAL_ADMIN:
        target += f"&district={code}"
    return RedirectResponse(target, status_code=303)


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(0), COPENHAGEN)
    except ValueError:
        return None


@router.get("/audit")
async def audit_page(
    request: Request,
    reference: str = "",
    officer: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    district: str = "",
    page: int = 1,
    user: WebUser = Depends(web_user),
) -> Response:
    forbid_unless(may_read_audit(user.role))
    c = ctx(request)
    page = max(1, min(page, 100_000))
    end = _day(until)
    wanted = audit.AuditFilter(
        district_code=district if user.is_admin and districts.district(district) else None,
        reference=normalise_reference_query(reference) or None,
        officer_email=officer or None,
        action=action if action in labels.AUDIT_ACTION else None,
        since=_day(since),
        until=end + timedelta(days=1) if end else None,
    )
    rows, total = await reading.audit_trail(
        c.db, user.officer, wanted, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE
    )
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // AUDIT_PAGE)),
            "filters": {
                "reference": reference,
                "officer": officer,
                "action": action,
                "since": since,
                "until": until,
                "district": wanted.district_code or "",
            },
            "actions": labels.AUDIT_ACTION,
        },
    )
