"""Screening's use cases: keep the queues current from events, and record officers' actions."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.domain import (
    COMPLETABLE,
    DECIDABLE,
    REROUTABLE,
    SCHEDULABLE,
    CompleteRequest,
    DecisionRequest,
    QuestionRequest,
    RerouteRequest,
    ScheduleRequest,
    may_see,
    require,
    schedule_warning,
)
from services.screening.models import Officer, OrderActivity, QueuedOrder, messages
from shared import events
from shared.clock import as_utc
from shared.lifecycle import status_after
from shared.vocabulary import DeadlineState, OrderStatus, Role


class OrderNotVisibleError(Exception):
    """Unknown order, or another district's: both look the same to the caller (404)."""


# --- following events ---------------------------------------------------------------------


async def apply_event(session: AsyncSession, event: events.Event) -> None:
    """Fold an event into the order's queue row; the row may be created by any of them."""
    order = await session.get(QueuedOrder, str(event.order_id))
    if order is None:
        order = QueuedOrder(
            order_id=str(event.order_id),
            reference=event.reference,
            status=OrderStatus.RECEIVED.value,
            updated_at=event.occurred_at,
        )
    if isinstance(event, events.OrderSubmitted):
        order.category = event.category.value
        order.urgent = event.urgent
        order.submitted_at = event.submitted_at
        order.decision_due = event.decision_due
        order.execution_due = event.execution_due
        order.municipality_code = event.location.municipality_code
        order.content = event.model_dump(mode="json")
    elif isinstance(event, events.OrderRouted):
        order.district_code = event.district_code
        order.routing_method = event.method.value
    elif isinstance(event, events.DeadlineAlert):
        field = f"{event.kind.value}_alert"
        if getattr(order, field) != DeadlineState.BREACHED.value:  # a late warning never softens it
            setattr(order, field, event.state.value)
    order.status = status_after(OrderStatus(order.status), event).value
    order.updated_at = max(as_utc(order.updated_at), event.occurred_at)
    session.add(order)
    session.add(
        OrderActivity(
            order_id=order.order_id,
            kind=type(event).__name__,
            at=event.occurred_at,
            facts=_activity_facts(event),
        )
    )


def _activity_facts(event: events.Event) -> dict[str, Any]:
    skip = {"event_id", "order_id", "reference", "correlation_id", "occurred_at"}
    if isinstance(event, events.OrderSubmitted):
        return {"channel": event.channel.value}
    return event.model_dump(mode="json", exclude=skip)


# --- reading --------------------------------------------------------------------------------


async def visible_order(session: AsyncSession, officer: Officer, order_id: str) -> QueuedOrder:
    order = await session.get(QueuedOrder, order_id)
    if order is None or not may_see(Role(officer.role), officer.district_code, order.district_code):
        raise OrderNotVisibleError(order_id)
    return order


async def list_orders(
    session: AsyncSession, officer: Officer, *, status: str | None = None, limit: int = 500
) -> list[QueuedOrder]:
    """The caller's queue, most urgent decision first; admins see all and the unroutable ones."""
    query = select(QueuedOrder).where(QueuedOrder.content.is_not(None))  # type: ignore[union-attr]
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        query = query.where(QueuedOrder.district_code == officer.district_code)
    if status:
        query = query.where(QueuedOrder.status == status)
    query = query.order_by(QueuedOrder.decision_due, QueuedOrder.reference).limit(limit)  # type: ignore[arg-type]
    return list((await session.exec(query)).all())


async def activity(session: AsyncSession, order_id: str) -> list[OrderActivity]:
    query = (
        select(OrderActivity)
        .where(OrderActivity.order_id == order_id)
        .order_by(OrderActivity.at, OrderActivity.id)
    )  # type: ignore[arg-type]
    return list((await session.exec(query)).all())


def order_view(order: QueuedOrder, history: list[OrderActivity] | None = None) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return as_utc(value).isoformat() if value else None

    view: dict[str, Any] = {
        "order_id": order.order_id,
        "reference": order.reference,
        "status": order.status,
        "district_code": order.district_code,
        "routing_method": order.routing_method,
        "category": order.category,
        "urgent": order.urgent,
        "submitted_at": iso(order.submitted_at),
        "decision_due": iso(order.decision_due),
        "execution_due": iso(order.execution_due),
        "municipality_code": order.municipality_code,
        "deadline_alerts": {"decision": order.decision_alert, "execution": order.execution_alert},
        "decision": order.decision,
        "reason_code": order.reason_code,
        "planned_start": iso(order.planned_start),
        "completed_at": iso(order.completed_at),
        "order": order.content,
    }
    if history is not None:
        view["history"] = [
            {"kind": a.kind, "at": iso(a.at), "actor": a.actor, **a.facts} for a in history
        ]
    return view


# --- acting ---------------------------------------------------------------------------------


async def _act(
    session: AsyncSession, officer: Officer, order: QueuedOrder, event: events.Event, now: datetime
) -> None:
    order.status = status_after(OrderStatus(order.status), event).value
    order.updated_at = now
    session.add(order)
    session.add(
        OrderActivity(
            order_id=order.order_id,
            kind=type(event).__name__,
            actor=officer.id,
            at=now,
            facts=_activity_facts(event),
        )
    )
    await messages.enqueue(session, event, now=now)


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
        from services.screening.domain import ActionRefusedError

        raise ActionRefusedError("the order has no district yet: route it first")
    return order.district_code


async def record_decision(
    session: AsyncSession, officer: Officer, order_id: str, request: DecisionRequest, now: datetime
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
    await _act(session, officer, order, event, now)
    return event


async def schedule_order(
    session: AsyncSession, officer: Officer, order_id: str, request: ScheduleRequest, now: datetime
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
    order.planned_start = request.planned_start
    await _act(session, officer, order, event, now)
    due = as_utc(order.execution_due) if order.execution_due else None
    return event, schedule_warning(request.planned_start, due)


async def complete_order(
    session: AsyncSession, officer: Officer, order_id: str, request: CompleteRequest, now: datetime
) -> events.OrderCompleted:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), COMPLETABLE, "complete")
    completed_at = request.completed_at or now
    event = events.OrderCompleted(
        **_ids(order, now),
        district_code=_district(order),
        completed_at=completed_at,
        summary=request.summary,
        vehicles_checked=request.vehicles_checked,
        violations=request.violations,
    )
    order.completed_at = completed_at
    await _act(session, officer, order, event, now)
    return event


async def request_reroute(
    session: AsyncSession, officer: Officer, order_id: str, request: RerouteRequest, now: datetime
) -> events.RerouteRequested:
    order = await visible_order(session, officer, order_id)
    require(OrderStatus(order.status), REROUTABLE, "re-route")
    event = events.RerouteRequested(
        **_ids(order, now),
        from_district=order.district_code,
        to_district=request.to_district,
        reason=request.reason,
        requested_by=officer.id,
    )
    await _act(session, officer, order, event, now)
    return event


async def ask_citizen(
    session: AsyncSession, officer: Officer, order_id: str, request: QuestionRequest, now: datetime
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
    await _act(session, officer, order, event, now)
    return event


async def statistics(session: AsyncSession, officer: Officer) -> dict[str, Any]:
    """Counts by category, district, status and month; share of deadlines kept."""
    query = select(QueuedOrder).where(QueuedOrder.content.is_not(None))  # type: ignore[union-attr]
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        query = query.where(QueuedOrder.district_code == officer.district_code)
    orders = (await session.exec(query)).all()
    decided = [o for o in orders if o.decision and o.decision_due]
    decided_in_time = sum(
        1
        for o in decided
        if o.decided_at and as_utc(o.decided_at) <= as_utc(o.decision_due)  # type: ignore[arg-type]
    )
    done = [o for o in orders if o.completed_at and o.execution_due]
    done_in_time = sum(1 for o in done if as_utc(o.completed_at) <= as_utc(o.execution_due))  # type: ignore[arg-type]
    return {
        "total": len(orders),
        "by_category": dict(Counter(o.category for o in orders)),
        "by_district": dict(Counter(o.district_code or "unrouted" for o in orders)),
        "by_status": dict(Counter(o.status for o in orders)),
        "by_month": dict(
            Counter(as_utc(o.submitted_at).strftime("%Y-%m") for o in orders if o.submitted_at)
        ),
        "decisions": {"count": len(decided), "within_deadline": decided_in_time},
        "executions": {"count": len(done), "within_deadline": done_in_time},
    }
