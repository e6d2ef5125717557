"""Screening's use cases: keep the queues current from events, and record officers' actions."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, literal, or_
from sqlalchemy import text as sql_text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit
from services.screening.domain import (
    COMPLETABLE,
    DECIDABLE,
    OPEN_STATUSES,
    REROUTABLE,
    SCHEDULABLE,
    ActionRefusedError,
    CompleteRequest,
    DecisionRequest,
    QuestionRequest,
    RerouteRequest,
    ScheduleRequest,
    decision_for,
    may_see,
    next_deadline,
    require,
    schedule_warning,
    share,
)
from services.screening.models import (
    Officer,
    OrderActivity,
    QueuedOrder,
    QueueEntry,
    ReplyTemplate,
    messages,
)
from services.screening.nearby import Place, bounding_box, distance_m, is_nearby, place_of
from services.screening.replies import default_template, fill, merge_values, short_subject
from shared import districts, events
from shared.clock import as_utc
from shared.db import Database, get_row, keep_row, load_rows
from shared.lifecycle import status_after
from shared.vocabulary import (
    FINAL_STATUSES,
    DeadlineState,
    Language,
    OrderStatus,
    ReasonCode,
    Role,
)


class OrderNotVisibleError(Exception):
    """Unknown order, or another district's: both look the same to the caller (404)."""


# --- following events ---------------------------------------------------------------------


async def load_batch(session: AsyncSession, batch: list[events.Event]) -> None:
    """The queue rows a batch of events will touch, one query per table."""
    ids = [str(e.order_id) for e in batch]
    await load_rows(session, QueuedOrder, QueuedOrder.order_id, ids)
    await load_rows(session, QueueEntry, QueueEntry.order_id, ids)


async def apply_event(session: AsyncSession, event: events.Event) -> None:
    """Fold an event into the order's queue row; the row may be created by any of them."""
    order = await get_row(session, QueuedOrder, QueuedOrder.order_id, str(event.order_id))
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
        field_name = f"{event.kind.value}_alert"
        if getattr(order, field_name) != DeadlineState.BREACHED.value:  # never softened
            setattr(order, field_name, event.state.value)
    order.status = status_after(OrderStatus(order.status), event).value
    order.updated_at = max(as_utc(order.updated_at), event.occurred_at)
    keep_row(session, order, QueuedOrder.order_id)
    session.add(
        OrderActivity(
            order_id=order.order_id,
            kind=type(event).__name__,
            at=event.occurred_at,
            facts=_activity_facts(event),
        )
    )
    await sync_entry(session, order)


def _activity_facts(event: events.Event) -> dict[str, Any]:
    skip = {"event_id", "order_id", "reference", "correlation_id", "occurred_at"}
    if isinstance(event, events.OrderSubmitted):
        return {"channel": event.channel.value}
    return event.model_dump(mode="json", exclude=skip)


def entry_values(order: QueuedOrder) -> dict[str, Any]:
    """The queue's narrow row for an order (see `QueueEntry`)."""
    content = order.content or {}
    submitted = as_utc(order.submitted_at) if order.submitted_at else as_utc(order.updated_at)
    place = place_of(content, submitted)
    due = next_deadline(
        OrderStatus(order.status),
        as_utc(order.decision_due) if order.decision_due else None,
        as_utc(order.execution_due) if order.execution_due else None,
    )
    return {
        "order_id": order.order_id,
        "reference": order.reference,
        "status": order.status,
        "district_code": order.district_code,
        "category": order.category,
        "urgent": order.urgent,
        "submitted_at": submitted,
        "decision_due": order.decision_due,
        "execution_due": order.execution_due,
        "next_due": due.due if due else None,
        "municipality_code": order.municipality_code,
        "decision_alert": order.decision_alert,
        "execution_alert": order.execution_alert,
        "decision": order.decision,
        "decided_at": order.decided_at,
        "completed_at": order.completed_at,
        "road_key": place.road_key[:200],
        "subject": short_subject(content)[:200],
        "lat": place.lat,
        "lon": place.lon,
    }


async def sync_entry(session: AsyncSession, order: QueuedOrder) -> None:
    """Bring the order's queue entry in line with it, in the caller's transaction.

    An order whose content has not arrived yet has no entry: there is nothing to screen.
    """
    if order.category is None:
        return
    values = entry_values(order)
    entry = await get_row(session, QueueEntry, QueueEntry.order_id, order.order_id)
    if entry is None:
        keep_row(session, QueueEntry(**values), QueueEntry.order_id)
        return
    for key, value in values.items():
        setattr(entry, key, value)
    keep_row(session, entry, QueueEntry.order_id)


async def prepare_queue(db: Database) -> None:
    """At start-up: give older orders their queue entry, and (on SQLite, which keeps no
    statistics of its own) let the planner know the queue's shape, so that it walks the
    right index for the archive's pages."""
    async with db.transaction() as session:
        await backfill_entries(session)
    if db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.execute(sql_text("ANALYZE queue_entries"))


async def backfill_entries(session: AsyncSession, batch: int = 1000) -> int:
    """Give orders queued before `queue_entries` existed their entry; returns how many."""
    done = 0
    while True:
        query = (
            select(QueuedOrder)
            .join(QueueEntry, col(QueueEntry.order_id) == col(QueuedOrder.order_id), isouter=True)
            .where(col(QueuedOrder.category).is_not(None), col(QueueEntry.order_id).is_(None))
            .limit(batch)
        )
        missing = (await session.exec(query)).all()
        if not missing:
            return done
        for order in missing:
            session.add(QueueEntry(**entry_values(order)))
        await session.flush()
        done += len(missing)


# --- reading --------------------------------------------------------------------------------


async def visible_order(session: AsyncSession, officer: Officer, order_id: str) -> QueuedOrder:
    try:
        uuid.UUID(order_id)
    except ValueError:
        raise OrderNotVisibleError(order_id) from None
    order = await session.get(QueuedOrder, order_id)
    if (
        order is None
        or order.content is None
        or not may_see(Role(officer.role), officer.district_code, order.district_code)
    ):
        raise OrderNotVisibleError(order_id)
    return order


def _visible_to(query: Any, officer: Officer, table: Any = QueuedOrder) -> Any:
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        query = query.where(table.district_code == officer.district_code)
    return query


_REFERENCE = re.compile(r"^BEB-[0-9A-HJKMNP-TV-Z]{8}$")


def normalise_reference_query(text: str | None) -> str:
    """What an officer typed into the search box, as (part of) a reference."""
    cleaned = re.sub(r"[^0-9A-Za-z-]", "", text or "").upper()
    if len(cleaned) == 8 and "-" not in cleaned:
        cleaned = "BEB-" + cleaned
    return cleaned


async def list_orders(
    session: AsyncSession,
    officer: Officer,
    *,
    status: str | None = None,
    category: str | None = None,
    limit: int = 500,
) -> list[QueuedOrder]:
    """The caller's queue, most urgent decision first; admins see all and the unroutable ones."""
    query = _visible_to(select(QueuedOrder).where(col(QueuedOrder.content).is_not(None)), officer)
    if status:
        query = query.where(QueuedOrder.status == status)
    if category:
        query = query.where(QueuedOrder.category == category)
    query = query.order_by(col(QueuedOrder.decision_due), col(QueuedOrder.reference)).limit(limit)
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class QueueFilter:
    """What the officer narrowed the queue to: "open" (the default), "all" or one status."""

    status: str = "open"
    category: str | None = None
    reference: str | None = None
    district_code: str | None = None
    alerts_only: bool = False


_FINAL = [s.value for s in FINAL_STATUSES]
_OPEN = [s.value for s in OPEN_STATUSES]


def _queue_conditions(officer: Officer, wanted: QueueFilter) -> list[Any]:
    """The filter's conditions on `queue_entries`, status aside."""
    q = QueueEntry
    conditions: list[Any] = []
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        conditions.append(q.district_code == officer.district_code)
    elif wanted.district_code:
        conditions.append(q.district_code == wanted.district_code)
    if wanted.category:
        conditions.append(q.category == wanted.category)
    if wanted.alerts_only:
        conditions.append(
            or_(col(q.decision_alert).is_not(None), col(q.execution_alert).is_not(None))
        )
    needle = normalise_reference_query(wanted.reference)
    if needle and _REFERENCE.match(needle):
        conditions.append(q.reference == needle)
    elif needle:
        conditions.append(col(q.reference).contains(needle, autoescape=True))
    return conditions


async def queue_page(
    session: AsyncSession, officer: Officer, wanted: QueueFilter, *, page: int, page_size: int
) -> tuple[list[QueueEntry], int]:
    """One page of the officer's queue and the total.

    Open orders come first, the most urgent next deadline first; finished ones (when asked
    for) follow, the newest first. Both parts are read from the narrow `queue_entries` along
    its indexes, so that neither has to sort the archive.
    """
    q = QueueEntry
    conditions = _queue_conditions(officer, wanted)
    if wanted.status == "open":
        open_statuses, final_statuses = _OPEN, []
    elif wanted.status == "all":
        open_statuses, final_statuses = _OPEN, _FINAL
    elif wanted.status in _FINAL:
        open_statuses, final_statuses = [], [wanted.status]
    else:
        open_statuses, final_statuses = [wanted.status], []

    async def count(statuses: list[str]) -> int:
        if not statuses:
            return 0
        query = select(func.count()).where(*conditions, col(q.status).in_(statuses))
        return int((await session.exec(query)).one())

    open_total, final_total = await count(open_statuses), await count(final_statuses)
    offset, rows = page * page_size, []
    if open_statuses and offset < open_total:
        query = (
            select(q)
            .where(*conditions, col(q.status).in_(open_statuses))
            .order_by(col(q.next_due).asc().nulls_last(), col(q.reference))
            .limit(page_size)
            .offset(offset)
        )
        rows.extend((await session.exec(query)).all())
    if final_statuses and len(rows) < page_size:
        query = (
            select(q)
            .where(*conditions, col(q.status).in_(final_statuses))
            .order_by(col(q.submitted_at).desc(), col(q.order_id))
            .limit(page_size - len(rows))
            .offset(max(0, offset - open_total))
        )
        rows.extend((await session.exec(query)).all())
    return list(rows), open_total + final_total


async def same_road_counts(
    session: AsyncSession, officer: Officer, rows: list[QueueEntry], *, since: datetime
) -> dict[str, int]:
    """For each queue row: how many *other* open orders the officer sees name the same road in
    the same municipality since `since` (the queue's hint; the order page looks closer)."""
    q = QueueEntry
    pairs = sorted(
        {(r.municipality_code, r.road_key) for r in rows if r.road_key and r.municipality_code}
    )
    if not pairs:
        return {}
    query = (
        select(q.municipality_code, q.road_key, func.count())
        .where(
            or_(*(and_(q.municipality_code == m, q.road_key == r) for m, r in pairs)),
            col(q.status).in_(_OPEN),
            col(q.submitted_at) >= since,
        )
        .group_by(q.municipality_code, q.road_key)
    )
    counts = {(m, r): n for m, r, n in (await session.exec(_visible_to(query, officer, q))).all()}
    result = {}
    for row in rows:
        others = counts.get((row.municipality_code, row.road_key), 0)
        others -= (
            1
            if row.status in _OPEN and row.submitted_at and as_utc(row.submitted_at) >= since
            else 0
        )
        if others > 0:
            result[row.order_id] = others
    return result


async def count_unroutable(session: AsyncSession) -> int:
    query = select(func.count()).where(QueueEntry.status == OrderStatus.NEEDS_ROUTING.value)
    return int((await session.exec(query)).one())


async def unroutable_orders(
    session: AsyncSession, limit: int = 200
) -> list[tuple[QueuedOrder, str]]:
    """The national manual-routing queue, oldest first, each with why routing gave up."""
    query = (
        select(QueuedOrder)
        .where(
            col(QueuedOrder.category).is_not(None),
            QueuedOrder.status == OrderStatus.NEEDS_ROUTING.value,
        )
        .order_by(col(QueuedOrder.decision_due), col(QueuedOrder.reference))
        .limit(limit)
    )
    orders = list((await session.exec(query)).all())
    reasons: dict[str, str] = {}
    if orders:
        found = await session.exec(
            select(OrderActivity).where(
                col(OrderActivity.order_id).in_([o.order_id for o in orders]),
                OrderActivity.kind == "OrderUnroutable",
            )
        )
        for entry in found.all():
            reasons[entry.order_id] = str(entry.facts.get("reason", ""))
    return [(o, reasons.get(o.order_id, "")) for o in orders]


async def activity(session: AsyncSession, order_id: str) -> list[OrderActivity]:
    query = (
        select(OrderActivity)
        .where(OrderActivity.order_id == order_id)
        .order_by(col(OrderActivity.at), col(OrderActivity.id))
    )
    return list((await session.exec(query)).all())


async def officers_by_id(session: AsyncSession, ids: set[str]) -> dict[str, Officer]:
    if not ids:
        return {}
    found = await session.exec(select(Officer).where(col(Officer.id).in_(sorted(ids))))
    return {o.id: o for o in found.all()}


@dataclass(frozen=True)
class NearbyOrder:
    order: QueueEntry
    distance_m: float | None
    same_road: bool


async def nearby_orders(
    session: AsyncSession, officer: Officer, order: QueuedOrder, *, days: int, metres: float
) -> list[NearbyOrder]:
    """Other orders the officer may see about the same road, or within `metres`, ±`days`."""
    if order.content is None:
        return []
    q = QueueEntry
    here = _place(QueueEntry(**entry_values(order)))
    conditions = []
    if here.road_key and here.municipality_code:
        conditions.append(
            and_(q.municipality_code == here.municipality_code, q.road_key == here.road_key)
        )
    if here.lat is not None and here.lon is not None:
        lat0, lat1, lon0, lon1 = bounding_box(here.lat, here.lon, metres)
        conditions.append(and_(col(q.lat).between(lat0, lat1), col(q.lon).between(lon0, lon1)))
    if not conditions:
        return []
    window = timedelta(days=days)
    query = (
        select(q)
        .where(
            q.order_id != order.order_id,
            col(q.submitted_at).between(here.submitted_at - window, here.submitted_at + window),
            or_(*conditions),
        )
        .limit(500)
    )
    found = []
    for other in (await session.exec(_visible_to(query, officer, q))).all():
        there = _place(other)
        if not is_nearby(here, there, days=days, metres=metres):
            continue
        same_road = bool(here.road_key) and here.road_key == there.road_key
        found.append(NearbyOrder(other, distance_m(here, there), same_road))
    found.sort(key=lambda n: (n.order.status in _FINAL, as_utc(n.order.submitted_at)))
    return found


def _place(row: QueueEntry) -> Place:
    return Place(
        municipality_code=row.municipality_code,
        road_key=row.road_key,
        lat=row.lat,
        lon=row.lon,
        submitted_at=as_utc(row.submitted_at),
    )


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


def nearby_view(found: list[NearbyOrder]) -> list[dict[str, Any]]:
    return [
        {
            "order_id": n.order.order_id,
            "reference": n.order.reference,
            "status": n.order.status,
            "category": n.order.category,
            "subject": n.order.subject,
            "submitted_at": as_utc(n.order.submitted_at).isoformat()
            if n.order.submitted_at
            else None,
            "same_road": n.same_road,
            "distance_m": round(n.distance_m) if n.distance_m is not None else None,
        }
        for n in found
    ]


# --- acting ---------------------------------------------------------------------------------

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


async def record_decision(
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


async def schedule_order(
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


async def complete_order(
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


async def request_reroute(
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


async def ask_citizen(
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


# --- acting on a group of orders ------------------------------------------------------------


async def _each(session: AsyncSession, order_ids: list[str], act: Any) -> list[Any]:
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


async def decide_group(
    session: AsyncSession,
    officer: Officer,
    order_ids: list[str],
    reason: ReasonCode,
    texts: dict[Language, str],
    now: datetime,
) -> list[events.OrderScreened]:
    """One decision for several orders: each citizen gets the text in their language, merged
    with their own name and reference, and each order its own `OrderScreened`."""

    async def one(order_id: str) -> events.OrderScreened:
        order = await visible_order(session, officer, order_id)
        content = order.content or {}
        language = Language(content.get("language", "da"))
        district = districts.district(order.district_code or "")
        values = merge_values(
            content, order.reference, district.name if district else "Politiet", language
        )
        request = DecisionRequest(
            decision=decision_for(reason),
            reason_code=reason,
            message=fill(texts.get(language) or next(iter(texts.values())), values),
        )
        return await record_decision(session, officer, order_id, request, now, via="web")

    return await _each(session, order_ids, one)


async def schedule_group(
    session: AsyncSession,
    officer: Officer,
    order_ids: list[str],
    request: ScheduleRequest,
    now: datetime,
) -> list[str]:
    """Plan several orders for the same visit; returns the references planned too late."""

    async def one(order_id: str) -> str | None:
        event, warning = await schedule_order(session, officer, order_id, request, now, via="web")
        return event.reference if warning else None

    return [ref for ref in await _each(session, order_ids, one) if ref]


async def complete_group(
    session: AsyncSession,
    officer: Officer,
    order_ids: list[str],
    request: CompleteRequest,
    now: datetime,
) -> list[events.OrderCompleted]:
    return await _each(
        session,
        order_ids,
        lambda order_id: complete_order(session, officer, order_id, request, now, via="web"),
    )


async def reroute_group(
    session: AsyncSession,
    officer: Officer,
    order_ids: list[str],
    request: RerouteRequest,
    now: datetime,
) -> list[events.RerouteRequested]:
    return await _each(
        session,
        order_ids,
        lambda order_id: request_reroute(session, officer, order_id, request, now, via="web"),
    )


async def ask_group(
    session: AsyncSession,
    officer: Officer,
    order_ids: list[str],
    question: str,
    now: datetime,
) -> list[events.InfoRequested]:
    async def one(order_id: str) -> events.InfoRequested:
        order = await visible_order(session, officer, order_id)
        content = order.content or {}
        language = Language(content.get("language", "da"))
        district = districts.district(order.district_code or "")
        values = merge_values(
            content, order.reference, district.name if district else "Politiet", language
        )
        request = QuestionRequest(question=fill(question, values))
        return await ask_citizen(session, officer, order_id, request, now, via="web")

    return await _each(session, order_ids, one)


# --- the districts' reply templates ---------------------------------------------------------


async def reply_templates(session: AsyncSession, district_code: str) -> dict[tuple[str, str], str]:
    """(reason code, language) → the district's text, or the national default."""
    texts = {
        (reason.value, language.value): default_template(reason, language)
        for reason in ReasonCode
        for language in Language
    }
    stored = await session.exec(
        select(ReplyTemplate).where(ReplyTemplate.district_code == district_code)
    )
    for row in stored.all():
        texts[(row.reason_code, row.language)] = row.text
    return texts


async def save_reply_templates(
    session: AsyncSession,
    officer: Officer,
    district_code: str,
    texts: dict[tuple[str, str], str],
    now: datetime,
) -> list[str]:
    """Store the texts that differ from what is in force; returns the changed keys."""
    current = await reply_templates(session, district_code)
    changed = []
    for (reason, language), text in texts.items():
        if current.get((reason, language)) == text:
            continue
        row = await session.get(ReplyTemplate, (district_code, reason, language))
        if row is None:
            row = ReplyTemplate(
                district_code=district_code,
                reason_code=reason,
                language=language,
                text=text,
                updated_at=now,
                updated_by=officer.id,
            )
        else:
            row.text, row.updated_at, row.updated_by = text, now, officer.id
        session.add(row)
        changed.append(f"{reason}/{language}")
    if changed:
        audit.record(
            session,
            officer=officer,
            action="templates_saved",
            now=now,
            district_code=district_code,
            facts={"changed": changed},
        )
    return changed


# --- statistics -----------------------------------------------------------------------------


@dataclass
class Statistics:
    total: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_district: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_month: Counter[str] = field(default_factory=Counter)
    by_month_and_category: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    decided: int = 0
    decided_in_time: int = 0
    executed: int = 0
    executed_in_time: int = 0
    open_overdue: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_category": dict(self.by_category),
            "by_district": dict(self.by_district),
            "by_status": dict(self.by_status),
            "by_month": dict(sorted(self.by_month.items())),
            "by_month_and_category": {
                month: dict(counts) for month, counts in sorted(self.by_month_and_category.items())
            },
            "decisions": {
                "count": self.decided,
                "within_deadline": self.decided_in_time,
                "share_within_deadline": share(self.decided_in_time, self.decided),
            },
            "executions": {
                "count": self.executed,
                "within_deadline": self.executed_in_time,
                "share_within_deadline": share(self.executed_in_time, self.executed),
            },
            "open_decisions_overdue": self.open_overdue,
        }


def _month_of(session: AsyncSession, column: Any) -> Any:
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _count_when(*conditions: Any) -> Any:
    return func.sum(case((and_(*conditions), 1), else_=0))


async def statistics(
    session: AsyncSession,
    officer: Officer,
    *,
    district_code: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Counts by category, district, status and month; share of deadlines kept."""
    return (
        await compute_statistics(
            session, officer, district_code=district_code, since=since, now=now
        )
    ).as_json()


async def compute_statistics(
    session: AsyncSession,
    officer: Officer,
    *,
    district_code: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Statistics:
    """Aggregated in the database: two GROUP BYs over the queue entries' covering indexes."""
    q = QueueEntry
    scope: list[Any] = []
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        scope.append(q.district_code == officer.district_code)
    elif district_code:
        scope.append(q.district_code == district_code)
    if since is not None:
        scope.append(col(q.submitted_at) >= since)
    decided = and_(
        col(q.decision).is_not(None),
        col(q.decided_at).is_not(None),
        col(q.decision_due).is_not(None),
    )
    executed = and_(col(q.completed_at).is_not(None), col(q.execution_due).is_not(None))
    overdue = (
        and_(
            col(q.status).in_([s.value for s in DECIDABLE]),
            col(q.decision_due) < as_utc(now),
        )
        if now is not None
        else literal(False)
    )
    totals = (
        select(
            q.district_code,
            q.category,
            q.status,
            func.count(),
            _count_when(decided),
            _count_when(decided, col(q.decided_at) <= col(q.decision_due)),
            _count_when(executed),
            _count_when(executed, col(q.completed_at) <= col(q.execution_due)),
            _count_when(overdue),
        )
        .where(*scope)
        .group_by(q.district_code, q.category, q.status)
    )
    stats = Statistics()
    for district, category, status, n, d, d_ok, e, e_ok, late in (await session.exec(totals)).all():
        stats.total += n
        stats.by_category[category] += n
        stats.by_district[district or "unrouted"] += n
        stats.by_status[status] += n
        stats.decided += int(d or 0)
        stats.decided_in_time += int(d_ok or 0)
        stats.executed += int(e or 0)
        stats.executed_in_time += int(e_ok or 0)
        stats.open_overdue += int(late or 0)
    month = _month_of(session, col(q.submitted_at))
    monthly = select(month, q.category, func.count()).where(*scope).group_by(month, q.category)
    for month_key, category, n in (await session.exec(monthly)).all():
        if month_key:
            stats.by_month[month_key] += n
            stats.by_month_and_category[month_key][category] += n
    return stats
