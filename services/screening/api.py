"""Screening's JSON API for integrations (DESIGN §4), behind Bearer tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from services.screening import audit, service
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
    async with c.db.transaction() as session:
        orders = await service.list_orders(session, officer, status=status, category=category)
        audit.record(
            session,
            officer=officer,
            action="listed",
            now=c.clock(),
            via="api",
            facts={"count": len(orders), "status": status, "category": category},
        )
    return {"orders": [service.order_view(o) for o in orders]}


@router.get("/orders/{order_id}")
async def get_order(
    request: Request, order_id: str, officer: Officer = Depends(api_officer)
) -> dict[str, Any]:
    """One order with its personal data and history; the view is recorded in the audit trail."""
    c = ctx(request)
    async with c.db.transaction() as session:
        try:
            order = await service.visible_order(session, officer, order_id)
        except service.OrderNotVisibleError:
            raise HTTPException(404, "order not found") from None
        audit.record(
            session, officer=officer, action="viewed", now=c.clock(), order=order, via="api"
        )
        return service.order_view(order, await service.activity(session, order_id))


@router.get("/orders/{order_id}/nearby")
async def nearby(
    request: Request, order_id: str, officer: Officer = Depends(api_officer)
) -> dict[str, Any]:
    """Other orders about the same road or within the configured distance (no personal data)."""
    c = ctx(request)
    async with c.db.reading() as session:
        try:
            order = await service.visible_order(session, officer, order_id)
        except service.OrderNotVisibleError:
            raise HTTPException(404, "order not found") from None
        found = await service.nearby_orders(
            session,
            officer,
            order,
            days=c.settings.nearby_days,
            metres=c.settings.nearby_metres,
        )
    return {"nearby": service.nearby_view(found)}


async def _perform(
    request: Request,
    officer: Officer,
    order_id: str,
    action: Callable[..., Awaitable[Any]],
    body: Any,
) -> JSONResponse:
    c = ctx(request)
    warning = None
    try:
        async with c.db.transaction() as session:
            result = await action(session, officer, order_id, body, c.clock())
            if isinstance(result, tuple):
                result, warning = result
            order = await service.visible_order(session, officer, order_id)
            view = service.order_view(order)
    except service.OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    except ActionRefusedError as exc:
        raise HTTPException(409, str(exc)) from None
    c.runtime.relay.wake()
    payload = {"order": view, "event_id": str(result.event_id)}
    if warning:
        payload["warning"] = warning
    return JSONResponse(payload)


@router.post("/orders/{order_id}/decision")
async def decide(
    request: Request, order_id: str, body: DecisionRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, service.record_decision, body)


@router.post("/orders/{order_id}/schedule")
async def schedule(
    request: Request, order_id: str, body: ScheduleRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, service.schedule_order, body)


@router.post("/orders/{order_id}/complete")
async def complete(
    request: Request, order_id: str, body: CompleteRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, service.complete_order, body)


@router.post("/orders/{order_id}/reroute")
async def reroute(
    request: Request, order_id: str, body: RerouteRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, service.request_reroute, body)


@router.post("/orders/{order_id}/questions")
async def ask(
    request: Request, order_id: str, body: QuestionRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, service.ask_citizen, body)


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
    async with c.db.reading() as session:
        return await service.statistics(
            session, officer, district_code=district, since=start, now=c.clock()
        )
