"""One officer action on one order, inside the use case's transaction.

Each step checks the order's status, builds the event, updates the row, the activity log and
the queue entry, writes the audit line and stages the event in the outbox: all or nothing,
because the use case in `actions` commits them together.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit, public_stream
from services.screening.domain import (
    COMPLETABLE,
    DECIDABLE,
    REROUTABLE,
    SCHEDULABLE,
    ActionRefusedError,
    CompleteRequest,
    DecisionRequest,
    QuestionRequest,
    RerouteRequest,
    ScheduleRequest,
    require,
    schedule_warning,
)
from services.screening.models import Officer, OrderActivity, QueuedOrder, messages
from services.screening.projection import activity_facts, sync_entry
from services.screening.queries import visible_order
from services.screening.replies import merge_values
from shared import districts, events
from shared.clock import as_utc
from shared.lifecycle import status_after
from shared.vocabulary import Language, OrderStatus

T = TypeVar("T")

_AUDIT_ACTION = {
    events.OrderScreened: "decided",
    events.OrderScheduled: "scheduled",
    events.OrderCompleted: "completed",
    events.RerouteRequested: "rerouted",
    events.InfoRequested: "asked",
}


async def _act(
    session: AsyncSession,
    officer: Officer,
    order: QueuedOrder,
    event: events.Event,
    now: datetime,
    via: str,
) -> None:
    before = public_stream.snapshot(public_stream.as_loaded(order))
    order.status = status_after(OrderStatus(order.status), event).value
    order.updated_at = now
    session.add(order)
    session.add(
        OrderActivity(
            order_id=order.order_id,
            kind=type(event).__name__,
            actor=officer.id,
            at=now,
            facts=activity_facts(event),
        )
    )
    action = _AUDIT_ACTION[type(event)]
    if isinstance(event, events.RerouteRequested) and event.from_district is None:
        action = "routed"
    audit.record(
        session,
        officer=officer,
        action=action,
        now=now,
        order=order,
        via=via,
        facts={"event_id": str(event.event_id), **_audit_facts(event)},
    )
    await sync_entry(session, order)
    await messages.enqueue(session, event, now=now)
    await public_stream.stage(session, before, order, event)


def _audit_facts(event: events.Event) -> dict[str, Any]:
    """Codes worth finding in the trail; never the free text sent to the citizen."""
    if isinstance(event, events.OrderScreened):
        return {"decision": event.decision.value, "reason_code": event.reason_code.value}
    if isinstance(event, events.RerouteRequested):
        return {"from_district": event.from_district, "to_district": event.to_district}
    return {}


def _ids(order: QueuedOrder, now: datetime) -> dict[str, Any]:
    content = order.content or {}
    return {
        "order_id": uuid.UUID(order.order_id),
        "reference": order.reference,
        "correlation_id": content.get("correlation_id", ""),
        "occurred_at": now,
    }


def _district(order: QueuedOrder) -> str:
    if order.district_code is None:
        raise ActionRefusedError("the order has no district yet: route it first")
    return order.district_code


async def decide(
    session: AsyncSession,
    officer: Officer,
    order_id: str,
    request: DecisionRequest,
    now: datetime,
    *,
    via: str = "api",
) -> events.OrderScreened:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), DECIDABLE, "decide")
    event = events.OrderScreened(
        **_ids(order, now),
        district_code=_district(order),
        decision=request.decision,
        reason_code=request.reason_code,
        message=request.message,
        decided_at=now,
        decided_by=officer.id,
    )
    order.decision, order.reason_code = request.decision.value, request.reason_code.value
    order.decided_at = now
    await _act(session, officer, order, event, now, via)
    return event


async def schedule(
    session: AsyncSession,
    officer: Officer,
    order_id: str,
    request: ScheduleRequest,
    now: datetime,
    *,
    via: str = "api",
) -> tuple[events.OrderScheduled, str | None]:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), SCHEDULABLE, "schedule")
    event = events.OrderScheduled(
        **_ids(order, now),
        district_code=_district(order),
        planned_start=request.planned_start,
        planned_end=request.planned_end,
        note=request.note,
    )
    order.planned_start = as_utc(request.planned_start)
    await _act(session, officer, order, event, now, via)
    due = as_utc(order.execution_due) if order.execution_due else None
    return event, schedule_warning(request.planned_start, due)


async def complete(
    session: AsyncSession,
    officer: Officer,
    order_id: str,
    request: CompleteRequest,
    now: datetime,
    *,
    via: str = "api",
) -> events.OrderCompleted:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), COMPLETABLE, "complete")
    completed_at = as_utc(request.completed_at or now)
    is_traffic = order.category == "traffic_control"
    event = events.OrderCompleted(
        **_ids(order, now),
        district_code=_district(order),
        completed_at=completed_at,
        summary=request.summary,
        vehicles_checked=request.vehicles_checked if is_traffic else None,
        violations=request.violations if is_traffic else None,
    )
    order.completed_at = completed_at
    await _act(session, officer, order, event, now, via)
    return event


async def reroute(
    session: AsyncSession,
    officer: Officer,
    order_id: str,
    request: RerouteRequest,
    now: datetime,
    *,
    via: str = "api",
) -> events.RerouteRequested:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), REROUTABLE, "re-route")
    if order.district_code is not None and request.to_district == order.district_code:
        raise ActionRefusedError("the order is in that district already", action="re-route")
    event = events.RerouteRequested(
        **_ids(order, now),
        from_district=order.district_code,
        to_district=request.to_district,
        reason=request.reason,
        requested_by=officer.id,
    )
    await _act(session, officer, order, event, now, via)
    return event


async def ask(
    session: AsyncSession,
    officer: Officer,
    order_id: str,
    request: QuestionRequest,
    now: datetime,
    *,
    via: str = "api",
) -> events.InfoRequested:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), DECIDABLE | SCHEDULABLE, "ask about")
    event = events.InfoRequested(
        **_ids(order, now),
        district_code=_district(order),
        question=request.question,
        asked_at=now,
        asked_by=officer.id,
    )
    await _act(session, officer, order, event, now, via)
    return event


async def each(
    session: AsyncSession, order_ids: list[str], act: Callable[[str], Awaitable[T]]
) -> list[T]:
    """Run `act` on every order; the first refusal names its order and undoes the whole group
    (the caller's transaction rolls back)."""
    results = []
    for order_id in order_ids:
        try:
            results.append(await act(order_id))
        except ActionRefusedError as exc:
            order = await session.get(QueuedOrder, order_id)
            exc.reference = order.reference if order else None
            raise
    return results


def merge_values_for(order: QueuedOrder) -> tuple[Language, dict[str, str]]:
    """The citizen's language and the merge fields a group's text is filled with for them."""
    content = order.content or {}
    language = Language(content.get("language", "da"))
    district = districts.district(order.district_code or "")
    values = merge_values(
        content, order.reference, district.name if district else "Politiet", language
    )
    return language, values
