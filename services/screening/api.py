"""Screening's JSON API for integrations (DESIGN §4), behind Bearer tokens.

Routes translate HTTP to a use case and its answer back; the use cases own the transactions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from services.screening import actions, reading, statistics
from services.screening.actions import ActionDone
from services.screening.context import api_officer, ctx
from services.screening.domain import (
    ActionRefusedError,
    CompleteRequest,
    DecisionRequest,
    QuestionRequest,
    RerouteRequest,
    ScheduleRequest,
)
from services.screening.models import Officer
from services.screening.queries import OrderNotVisibleError
from services.screening.views import nearby_view, order_view

router = APIRouter(prefix="/api/v1", tags=["screening"])


@router.get("/orders")
async def list_orders(
    request: Request,
    status: str | None = None,
    category: str | None = None,
    officer: Officer = Depends(api_officer),
) -> dict[str, Any]:
    """The caller's orders with their content: the listing is recorded in the audit trail."""
    c = ctx(request)
    orders = await reading.list_orders(
        c.db, officer, status=status, category=category, now=c.clock()
    )
    return {"orders": [order_view(o) for o in orders]}


@router.get("/orders/{order_id}")
async def get_order(
    request: Request, order_id: str, officer: Officer = Depends(api_officer)
) -> dict[str, Any]:
    """One order with its personal data and history; the view is recorded in the audit trail."""
    c = ctx(request)
    try:
        found = await reading.view_order(c.db, officer, order_id, now=c.clock(), via="api")
    except OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    return order_view(found.order, found.history)


@router.get("/orders/{order_id}/nearby")
async def nearby(
    request: Request, order_id: str, officer: Officer = Depends(api_officer)
) -> dict[str, Any]:
    """Other orders about the same road or within the configured distance (no personal data)."""
    c = ctx(request)
    try:
        found = await reading.nearby(
            c.db, officer, order_id, days=c.settings.nearby_days, metres=c.settings.nearby_metres
        )
    except OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    return {"nearby": nearby_view(found)}


Action = Callable[..., Awaitable[list[ActionDone]]]


async def _perform(
    request: Request, officer: Officer, order_id: str, action: Action, body: Any
) -> JSONResponse:
    c = ctx(request)
    try:
        [done] = await action(c.db, officer, [order_id], body, now=c.clock(), via="api")
    except OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    except ActionRefusedError as exc:
        raise HTTPException(409, str(exc)) from None
    c.runtime.relay.wake()
    payload = {"order": done.order, "event_id": str(done.event.event_id)}
    if done.warning:
        payload["warning"] = done.warning
    return JSONResponse(payload)


@router.post("/orders/{order_id}/decision")
async def decide(
    request: Request, order_id: str, body: DecisionRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.record_decision, body)


@router.post("/orders/{order_id}/schedule")
async def schedule(
    request: Request, order_id: str, body: ScheduleRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.schedule_order, body)


@router.post("/orders/{order_id}/complete")
async def complete(
    request: Request, order_id: str, body: CompleteRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.complete_order, body)


@router.post("/orders/{order_id}/reroute")
async def reroute(
    request: Request, order_id: str, body: RerouteRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.request_reroute, body)


@router.post("/orders/{order_id}/questions")
async def ask(
    request: Request, order_id: str, body: QuestionRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.ask_citizen, body)


@router.get("/stats")
async def stats(
    request: Request,
    district: str | None = None,
    since: date | None = None,
    officer: Officer = Depends(api_officer),
) -> dict[str, Any]:
    """Counts by category, district, status and month (UTC); deadlines kept. Officers and
    coordinators get their district's figures; a national admin all, or one `district`'s."""
    c = ctx(request)
    start = datetime.combine(since, time(0), tzinfo=UTC) if since else None
    figures = await statistics.statistics(
        c.db, officer, district_code=district, since=start, now=c.clock()
    )
    return figures.as_json()
