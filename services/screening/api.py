"""Screening's JSON API for integrations (DESIGN §4), behind Bearer tokens.

Routes translate HTTP to a use case and its answer back; the use cases own the transactions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from services.screening import actions, cursors, reading, statistics
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
from services.screening.schemas import (
    ActionResult,
    ApiError,
    NearbyList,
    OrderList,
    OrderView,
    Statistics,
)
from services.screening.views import nearby_view, order_view
from shared.api_models import complete_openapi, error_responses
from shared.danish_time import COPENHAGEN

router = APIRouter(prefix="/api/v1", tags=["screening"])

BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "An officer's API token: `bestil officer token --email …` prints a new one. Officers "
        "and coordinators see their own district's orders only; national admins every district."
    ),
}
ERRORS = {
    400: "The body is not JSON",
    401: "No Bearer token, or one that is unknown, revoked or expired",
    404: "No such order in the caller's districts (another district's order is not found too)",
    409: "The order's state does not allow this action now",
}
MAX_PAGE = 500
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string", "const": "Bearer"}}
}


def _answers(
    model: type[Any], text: str, *codes: int, texts: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=`: the route's 200 body (built by the route, so not re-validated by FastAPI)
    and the errors it can answer, in FastAPI's shape (`texts` words a code for this route)."""
    wording = {**ERRORS, **(texts or {})}
    errors = error_responses(
        {code: wording[code] for code in (401, *codes)},
        model=ApiError,
        headers={401: WWW_AUTHENTICATE},
    )
    return {200: {"model": model, "description": text}, **errors}


LISTING_ERRORS = {400: "The cursor is not one this API handed out, or belongs to another listing"}


@router.get(
    "/orders",
    response_model=None,
    responses=_answers(OrderList, "A page of the orders", 400, texts=LISTING_ERRORS),
)
async def list_orders(
    request: Request,
    status: str | None = None,
    category: str | None = None,
    updated_since: Annotated[
        AwareDatetime | None,
        Query(
            description=(
                "Only orders changed at or after this moment (ISO 8601 with an offset), the "
                "oldest change first: for integrations that poll. Without it, the most urgent "
                "decision deadline first."
            ),
            examples=["2026-12-01T08:00:00Z"],
        ),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            description="`next_cursor` of the previous page, with the same `updated_since`",
            max_length=200,
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description=f"Orders per page, at most {MAX_PAGE}")
    ] = MAX_PAGE,
    officer: Officer = Depends(api_officer),
) -> dict[str, Any]:
    """A page of the caller's orders with their content; the listing is recorded in the audit
    trail. `next_cursor` asks for the next page; it is null after the last."""
    c = ctx(request)
    order = cursors.BY_DEADLINE if updated_since is None else cursors.BY_CHANGE
    try:
        after = cursors.decode(cursor, order) if cursor is not None else None
    except cursors.BadCursorError as exc:
        raise HTTPException(400, str(exc)) from None
    page = await reading.list_orders(
        c.db,
        officer,
        status=status,
        category=category,
        updated_since=updated_since,
        after=after,
        limit=limit,
        now=c.clock(),
    )
    return {
        "orders": [order_view(o) for o in page.orders],
        "next_cursor": cursors.encode(page.next_cursor) if page.next_cursor else None,
    }


@router.get(
    "/orders/{order_id}", response_model=None, responses=_answers(OrderView, "The order", 404)
)
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


@router.get(
    "/orders/{order_id}/nearby",
    response_model=None,
    responses=_answers(NearbyList, "Orders nearby", 404),
)
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


@router.post(
    "/orders/{order_id}/decision",
    response_model=ActionResult,
    responses=_answers(ActionResult, "Done; the event is on its way", 400, 404, 409),
)
async def decide(
    request: Request, order_id: str, body: DecisionRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.record_decision, body)


@router.post(
    "/orders/{order_id}/schedule",
    response_model=ActionResult,
    responses=_answers(ActionResult, "Done; the event is on its way", 400, 404, 409),
)
async def schedule(
    request: Request, order_id: str, body: ScheduleRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.schedule_order, body)


@router.post(
    "/orders/{order_id}/complete",
    response_model=ActionResult,
    responses=_answers(ActionResult, "Done; the event is on its way", 400, 404, 409),
)
async def complete(
    request: Request, order_id: str, body: CompleteRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.complete_order, body)


@router.post(
    "/orders/{order_id}/reroute",
    response_model=ActionResult,
    responses=_answers(ActionResult, "Done; the event is on its way", 400, 404, 409),
)
async def reroute(
    request: Request, order_id: str, body: RerouteRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.request_reroute, body)


@router.post(
    "/orders/{order_id}/questions",
    response_model=ActionResult,
    responses=_answers(ActionResult, "Done; the event is on its way", 400, 404, 409),
)
async def ask(
    request: Request, order_id: str, body: QuestionRequest, officer: Officer = Depends(api_officer)
) -> JSONResponse:
    return await _perform(request, officer, order_id, actions.ask_citizen, body)


@router.get("/stats", response_model=None, responses=_answers(Statistics, "The figures"))
async def stats(
    request: Request,
    district: str | None = None,
    since: date | None = None,
    officer: Officer = Depends(api_officer),
) -> dict[str, Any]:
    """Counts by category, district, status and month of submission (Danish time); deadlines
    kept. Officers and coordinators get their district's figures; a national admin all, or one
    `district`'s. `since` is a day in Danish time: orders submitted from its start."""
    c = ctx(request)
    start = datetime.combine(since, time(0), tzinfo=COPENHAGEN) if since else None
    figures = await statistics.statistics(
        c.db, officer, district_code=district, since=start, now=c.clock()
    )
    return figures.as_json()


def _bearer_everywhere(document: dict[str, Any]) -> None:
    """Every route of the JSON API asks for the Bearer token (`api_officer`)."""
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            if path.startswith("/api/") and isinstance(operation, dict):
                operation.setdefault("security", [{"BearerToken": []}])


def publish_openapi(app: FastAPI) -> None:
    """The published OpenAPI document of screening (docs/openapi/screening.json)."""
    complete_openapi(
        app,
        security_schemes={"BearerToken": BEARER},
        servers=[{"url": "http://127.0.0.1:8002", "description": "A local run (`bestil dev`)"}],
        finish=_bearer_everywhere,
    )
