"""The forms that act on an order and, with it, on a group of nearby orders.

The form carries the group's ids; the action's use case gives each order its own event and
runs the whole group in one transaction (all or nothing). Success redirects (PRG); a refusal
or a field to correct shows the order's page again, with nothing sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from services.screening import actions, forms, labels, reading
from services.screening.context import ctx
from services.screening.domain import (
    ActionRefusedError,
    CompleteRequest,
    DecisionRequest,
    QuestionRequest,
    RerouteRequest,
    ScheduleRequest,
    decision_for,
    group_of,
)
from services.screening.queries import OrderNotVisibleError
from services.screening.security import safe_next
from services.screening.web.common import WebUser, form_user
from services.screening.web.orders import order_page
from shared import districts
from shared.merge_fields import FIELDS, placeholder, unknown_fields
from shared.vocabulary import Language, ReasonCode

router = APIRouter(include_in_schema=False)

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


Run = Callable[[list[str], datetime], Awaitable[Any]]


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
    """Run an action's use case on the order and its group (one transaction); PRG on success."""
    c = ctx(request)
    extra = await _group_ids(request)
    try:
        ids = group_of(order_id, extra)
        result = await run(ids, c.clock())
    except OrderNotVisibleError:
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


def _message_texts(form: dict[str, Any], errors: dict[str, str]) -> dict[Language, str]:
    """The decision's text per language the form offered; problems go into `errors`."""
    texts: dict[Language, str] = {}
    for language, key in ((Language.DA, "message_da"), (Language.EN, "message_en")):
        if key not in form:
            continue
        try:
            texts[language] = forms.required_text(form.get(key), what="Beskeden")
        except forms.FieldProblem as exc:
            errors[key] = str(exc)
        else:
            if problem := _unknown_fields_problem(texts[language]):
                errors[key] = problem
    return texts


def _unknown_fields_problem(text: str) -> str | None:
    """The officer's explanation of merge fields that would never be filled in, if any."""
    unknown = unknown_fields(text)
    if not unknown:
        return None
    return (
        "Ukendte flettefelter: "
        + ", ".join(placeholder(u) for u in unknown)
        + ". Brug "
        + ", ".join(placeholder(f) for f in FIELDS)
        + "."
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
    texts = _message_texts(form, errors)
    if not texts and not errors:
        errors["message_da"] = "Beskeden skal udfyldes."
    if errors or reason is None:
        return await _invalid(request, user, order_id, form, errors)

    async def run(ids: list[str], now: datetime) -> Any:
        template = DecisionRequest(
            decision=decision_for(reason), reason_code=reason, message=next(iter(texts.values()))
        )
        return await actions.record_decision(
            ctx(request).db, user.officer, ids, template, now=now, via="web", texts=texts
        )

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

    async def run(ids: list[str], now: datetime) -> Any:
        done = await actions.schedule_order(
            ctx(request).db, user.officer, ids, request_body, now=now, via="web"
        )
        return [d.event.reference for d in done if d.warning]

    return await _act(request, user, order_id, run, "scheduled", form=form)


async def _late_orders(
    request: Request, user: WebUser, order_id: str, start: datetime
) -> list[str]:
    ids = [order_id, *await _group_ids(request)]
    return await reading.late_orders(ctx(request).db, user.officer, ids, start)


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

    async def run(ids: list[str], now: datetime) -> Any:
        return await actions.complete_order(
            ctx(request).db, user.officer, ids, body, now=now, via="web"
        )

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

    async def run(ids: list[str], now: datetime) -> Any:
        return await actions.request_reroute(
            ctx(request).db, user.officer, ids, body, now=now, via="web"
        )

    done = "routed" if back == "/routing" else "rerouted"
    return await _act(request, user, order_id, run, done, form=form, back=str(back or "/"))


@router.post("/orders/{order_id}/question")
async def ask(request: Request, order_id: str, user: WebUser = Depends(form_user)) -> Response:
    form = await _form(request)
    try:
        question = forms.required_text(form.get("question"), what="Spørgsmålet")
    except forms.FieldProblem as exc:
        return await _invalid(request, user, order_id, form, {"question": str(exc)})
    if problem := _unknown_fields_problem(question):
        return await _invalid(request, user, order_id, form, {"question": problem})

    async def run(ids: list[str], now: datetime) -> Any:
        body = QuestionRequest(question=question)
        return await actions.ask_citizen(
            ctx(request).db, user.officer, ids, body, now=now, via="web", merge=True
        )

    return await _act(request, user, order_id, run, "asked", form=form)
