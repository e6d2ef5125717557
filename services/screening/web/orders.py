"""An order's page: all it says, its history, nearby orders; and the forms that act on it.

Every action can take a group of nearby orders: the form carries their ids, each order gets its
own event, and the whole group is one transaction (all or nothing).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit, forms, labels, service
from services.screening.context import ctx
from services.screening.domain import (
    COMPLETABLE,
    DECIDABLE,
    REROUTABLE,
    SCHEDULABLE,
    ActionRefusedError,
    CompleteRequest,
    RerouteRequest,
    ScheduleRequest,
    group_of,
)
from services.screening.models import QueuedOrder
from services.screening.replies import FIELDS, unknown_fields
from services.screening.security import safe_next
from services.screening.web.common import (
    WebUser,
    deadline_info,
    form_user,
    render,
    web_user,
)
from shared import districts
from shared.clock import as_utc
from shared.vocabulary import FINAL_STATUSES, Language, OrderStatus, ReasonCode

router = APIRouter(include_in_schema=False)

DONE = {
    "decided": "Afgørelsen er sendt",
    "scheduled": "Planlægningen er sendt",
    "scheduled_late": "Planlægningen er sendt – bemærk: efter fristen for udførelse",
    "completed": "Bestillingen er registreret som udført",
    "asked": "Spørgsmålet er sendt til borgeren",
    "rerouted": "Bestillingen er sendt til en anden kreds",
    "routed": "Bestillingen er sendt til den valgte kreds",
}

ACTION_WORD = {
    "decide": "træffe afgørelse om",
    "schedule": "planlægge",
    "complete": "registrere som udført",
    "re-route": "sende til en anden kreds",
    "ask about": "stille spørgsmål om",
}


def refusal_text(exc: ActionRefusedError) -> str:
    """The officer's explanation of a refusal, naming the order of a group that did not fit."""
    who = f"{exc.reference}: " if exc.reference else ""
    if exc.action and exc.status:
        status = labels.label(labels.STATUS, exc.status.value).lower()
        return f"{who}Bestillingen kan ikke {ACTION_WORD.get(exc.action, exc.action)}, fordi den er {status}. Intet er sendt."
    if "district already" in str(exc):
        return f"{who}Bestillingen hører allerede til den kreds. Intet er sendt."
    if "no district" in str(exc):
        return f"{who}Bestillingen har ingen kreds endnu. Fordel den først. Intet er sendt."
    return f"{who}Handlingen kunne ikke udføres. Intet er sendt."


def _content_rows(order: QueuedOrder) -> dict[str, Any]:
    content = order.content or {}
    return {
        "requester": content.get("requester") or {},
        "location": content.get("location") or {},
        "details": content.get("details") or {},
        "description": content.get("description", ""),
        "language": content.get("language", "da"),
        "channel": content.get("channel", "web"),
    }


async def _group(
    session: AsyncSession, user: WebUser, main: QueuedOrder, ids: list[str]
) -> list[QueuedOrder]:
    members = []
    for order_id in dict.fromkeys(ids):
        if order_id == main.order_id:
            continue
        try:
            members.append(await service.visible_order(session, user.officer, order_id))
        except service.OrderNotVisibleError:
            continue
    return members


async def order_page(
    request: Request,
    user: WebUser,
    order_id: str,
    *,
    group_ids: list[str],
    reason: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    late: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    c = ctx(request)
    now = c.clock()
    async with c.db.transaction() as session:
        try:
            order = await service.visible_order(session, user.officer, order_id)
        except service.OrderNotVisibleError:
            raise HTTPException(404, "order not found") from None
        audit.record(session, officer=user.officer, action="viewed", now=now, order=order)
        history = await service.activity(session, order.order_id)
        group = await _group(session, user, order, group_ids)
        nearby = await service.nearby_orders(
            session,
            user.officer,
            order,
            days=c.settings.nearby_days,
            metres=c.settings.nearby_metres,
        )
        names = await service.officers_by_id(session, {a.actor for a in history if a.actor})
        replies = (
            await service.reply_templates(session, order.district_code)
            if order.district_code
            else {}
        )
    status = OrderStatus(order.status)
    everyone = [order, *group]
    languages = {(o.content or {}).get("language", "da") for o in everyone}
    chosen = reason if reason in {r.value for r in ReasonCode} else ReasonCode.ACCEPTED.value
    form = dict(form or {})
    form.setdefault("message_da", replies.get((chosen, "da"), ""))
    form.setdefault("message_en", replies.get((chosen, "en"), ""))
    return render(
        request,
        "order.html",
        {
            "order": order,
            "o": _content_rows(order),
            "status": status,
            "decision_info": deadline_info(c, order.decision_due),
            "execution_info": deadline_info(c, order.execution_due),
            "history": history,
            "names": names,
            "questions": [a for a in history if a.kind in ("InfoRequested", "InfoProvided")],
            "group": group,
            "group_ids": [o.order_id for o in group],
            "nearby": nearby,
            "nearby_selectable": {
                n.order.order_id
                for n in nearby
                if OrderStatus(n.order.status) not in FINAL_STATUSES
            },
            "can": {
                "decide": status in DECIDABLE and order.district_code is not None,
                "schedule": status in SCHEDULABLE,
                "complete": status in COMPLETABLE,
                "ask": status in (DECIDABLE | SCHEDULABLE) and order.district_code is not None,
                "reroute": status in REROUTABLE,
            },
            "reasons": list(ReasonCode),
            "chosen_reason": form.get("reason_code", chosen),
            "replies_json": json.dumps(
                {
                    r.value: {
                        lang.value: replies.get((r.value, lang.value), "") for lang in Language
                    }
                    for r in ReasonCode
                },
                ensure_ascii=False,
            ).replace("</", "<\\/"),
            "needs_english": "en" in languages,
            "needs_danish": "en" not in languages or "da" in languages,
            "has_traffic": any(o.category == "traffic_control" for o in everyone),
            "merge_fields": FIELDS,
            "form": form,
            "errors": errors or {},
            "problem": problem,
            "late": late or [],
            "done": DONE.get(request.query_params.get("done", "")),
            "done_count": request.query_params.get("n", ""),
            "other_districts": [
                d for d in districts.DISTRICTS.values() if d.code != order.district_code
            ],
        },
        status_code=status_code,
    )


@router.get("/orders/{order_id}")
async def order_detail(
    request: Request, order_id: str, user: WebUser = Depends(web_user)
) -> Response:
    return await order_page(
        request,
        user,
        order_id,
        group_ids=request.query_params.getlist("group"),
        reason=request.query_params.get("svar"),
    )


# --- acting ------------------------------------------------------------------------------------

Run = Callable[[AsyncSession, list[str], datetime], Awaitable[Any]]


async def _act(
    request: Request,
    user: WebUser,
    order_id: str,
    run: Run,
    done: str,
    *,
    form: dict[str, Any],
    back: str | None = None,
) -> Response:
    """Run an action on the order and its group in one transaction; PRG on success."""
    c = ctx(request)
    extra = await _group_ids(request)
    try:
        ids = group_of(order_id, extra)
        async with c.db.transaction() as session:
            result = await run(session, ids, c.clock())
    except service.OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    except ActionRefusedError as exc:
        return await order_page(
            request,
            user,
            order_id,
            group_ids=extra,
            form=form,
            problem=refusal_text(exc),
            status_code=409,
        )
    except ValidationError:
        return await order_page(
            request,
            user,
            order_id,
            group_ids=extra,
            form=form,
            problem="Formularen indeholder fejl. Intet er sendt.",
            status_code=422,
        )
    c.runtime.relay.wake()
    if done == "scheduled" and result:
        done = "scheduled_late"
    target = safe_next(back) if back else f"/orders/{order_id}"
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}done={done}&n={len(ids)}", status_code=303)


async def _form(request: Request) -> dict[str, Any]:
    return {k: v for k, v in (await request.form()).items() if k not in ("csrf_token", "group")}


async def _group_ids(request: Request) -> list[str]:
    return [str(x) for x in (await request.form()).getlist("group")]


async def _invalid(
    request: Request, user: WebUser, order_id: str, form: dict[str, Any], errors: dict[str, str]
) -> Response:
    return await order_page(
        request,
        user,
        order_id,
        group_ids=await _group_ids(request),
        form=form,
        errors=errors,
        problem="Ret de markerede felter. Intet er sendt.",
        status_code=422,
    )


@router.post("/orders/{order_id}/decision")
async def decide(request: Request, order_id: str, user: WebUser = Depends(form_user)) -> Response:
    form = await _form(request)
    errors: dict[str, str] = {}
    try:
        reason = ReasonCode(form.get("reason_code", ""))
    except ValueError:
        reason = None
        errors["reason_code"] = "Vælg en afgørelse."
    texts: dict[Language, str] = {}
    for language, key in ((Language.DA, "message_da"), (Language.EN, "message_en")):
        if key not in form:
            continue
        try:
            texts[language] = forms.required_text(form.get(key), what="Beskeden")
        except forms.FieldProblem as exc:
            errors[key] = str(exc)
        else:
            if unknown := unknown_fields(texts[language]):
                errors[key] = (
                    "Ukendte flettefelter: "
                    + ", ".join("{" + u + "}" for u in unknown)
                    + ". Brug "
                    + ", ".join("{" + f + "}" for f in FIELDS)
                    + "."
                )
    if not texts and not errors:
        errors["message_da"] = "Beskeden skal udfyldes."
    if errors or reason is None:
        return await _invalid(request, user, order_id, form, errors)

    async def run(session: AsyncSession, ids: list[str], now: datetime) -> Any:
        return await service.decide_group(session, user.officer, ids, reason, texts, now)

    return await _act(request, user, order_id, run, "decided", form=form)


@router.post("/orders/{order_id}/schedule")
async def schedule(request: Request, order_id: str, user: WebUser = Depends(form_user)) -> Response:
    form = await _form(request)
    errors: dict[str, str] = {}
    start = end = None
    try:
        start = forms.local_datetime(form.get("planned_start"))
    except forms.FieldProblem as exc:
        errors["planned_start"] = str(exc)
    try:
        end = forms.local_datetime(form.get("planned_end"), required=False)
    except forms.FieldProblem as exc:
        errors["planned_end"] = str(exc)
    if start and end and end <= start:
        errors["planned_end"] = "Sluttidspunktet skal ligge efter starttidspunktet."
    note = str(form.get("note", "")).strip()
    if len(note) > 2000:
        errors["note"] = "Teksten er for lang (højst 2000 tegn)."
    if errors or start is None:
        return await _invalid(request, user, order_id, form, errors)
    request_body = ScheduleRequest(planned_start=start, planned_end=end, note=note)
    if not form.get("confirm_late"):
        late = await _late_orders(request, user, order_id, start)
        if late:  # warn first; the officer confirms to plan after the deadline anyway
            return await order_page(
                request, user, order_id, group_ids=await _group_ids(request), form=form, late=late
            )

    async def run(session: AsyncSession, ids: list[str], now: datetime) -> Any:
        return await service.schedule_group(session, user.officer, ids, request_body, now)

    return await _act(request, user, order_id, run, "scheduled", form=form)


async def _late_orders(
    request: Request, user: WebUser, order_id: str, start: datetime
) -> list[str]:
    c = ctx(request)
    extra = await _group_ids(request)
    late = []
    async with c.db.reading() as session:
        for member in dict.fromkeys([order_id, *extra]):
            try:
                order = await service.visible_order(session, user.officer, member)
            except service.OrderNotVisibleError:
                continue
            if order.execution_due and start > as_utc(order.execution_due):
                late.append(order.reference)
    return late


@router.post("/orders/{order_id}/complete")
async def complete(request: Request, order_id: str, user: WebUser = Depends(form_user)) -> Response:
    form = await _form(request)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["summary"] = forms.required_text(form.get("summary"), what="Opsummeringen")
    except forms.FieldProblem as exc:
        errors["summary"] = str(exc)
    try:
        values["completed_at"] = forms.local_datetime(form.get("completed_at"), required=False)
    except forms.FieldProblem as exc:
        errors["completed_at"] = str(exc)
    for key in ("vehicles_checked", "violations"):
        try:
            values[key] = forms.count(form.get(key))
        except forms.FieldProblem as exc:
            errors[key] = str(exc)
    c = ctx(request)
    if values.get("completed_at") and values["completed_at"] > c.clock():
        errors["completed_at"] = "Tidspunktet må ikke ligge i fremtiden."
    if errors:
        return await _invalid(request, user, order_id, form, errors)
    body = CompleteRequest(**values)

    async def run(session: AsyncSession, ids: list[str], now: datetime) -> Any:
        return await service.complete_group(session, user.officer, ids, body, now)

    return await _act(request, user, order_id, run, "completed", form=form)


@router.post("/orders/{order_id}/reroute")
async def reroute(request: Request, order_id: str, user: WebUser = Depends(form_user)) -> Response:
    form = await _form(request)
    errors: dict[str, str] = {}
    to_district = str(form.get("to_district", ""))
    if districts.district(to_district) is None:
        errors["to_district"] = "Vælg en politikreds."
    try:
        reason = forms.required_text(form.get("reason"), what="Begrundelsen")
    except forms.FieldProblem as exc:
        errors["reason"] = str(exc)
    back = form.get("back")
    if errors:
        if back == "/routing":
            return RedirectResponse("/routing?done=invalid", status_code=303)
        return await _invalid(request, user, order_id, form, errors)
    body = RerouteRequest(to_district=to_district, reason=reason)

    async def run(session: AsyncSession, ids: list[str], now: datetime) -> Any:
        return await service.reroute_group(session, user.officer, ids, body, now)

    done = "routed" if back == "/routing" else "rerouted"
    return await _act(request, user, order_id, run, done, form=form, back=str(back or "/"))


@router.post("/orders/{order_id}/question")
async def ask(request: Request, order_id: str, user: WebUser = Depends(form_user)) -> Response:
    form = await _form(request)
    try:
        question = forms.required_text(form.get("question"), what="Spørgsmålet")
    except forms.FieldProblem as exc:
        return await _invalid(request, user, order_id, form, {"question": str(exc)})

    async def run(session: AsyncSession, ids: list[str], now: datetime) -> Any:
        return await service.ask_group(session, user.officer, ids, question, now)

    return await _act(request, user, order_id, run, "asked", form=form)
