"""The consumer's side: fold each order event into screening's read model (`queued_orders`,
`queue_entries`, the activity log); a routed phone order's audit entry gets its district.

These functions take the consumer's `session`: the messaging runtime owns that transaction, so
the change, the processed event id and any outbox row commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import text as sql_text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit, monthly, public_stream
from services.screening.domain import next_deadline
from services.screening.models import OrderActivity, QueuedOrder, QueueEntry
from services.screening.nearby import place_of
from services.screening.replies import short_subject
from shared import events
from shared.clock import as_utc
from shared.db import Database, assign, get_row, keep_row, load_rows, new_row, stage_insert
from shared.lifecycle import status_after
from shared.vocabulary import Channel, DeadlineState, OrderStatus


async def load_batch(session: AsyncSession, batch: list[events.Event]) -> None:
    """The queue rows a batch of events will touch, the orders and their entries in one query."""
    ids = [str(e.order_id) for e in batch]
    entries = (QueueEntry, QueueEntry.order_id)  # an order's entry exists only beside it
    await load_rows(session, QueuedOrder, QueuedOrder.order_id, ids, joined=entries)


Change = Callable[[QueuedOrder], None]
ACTIVITY = OrderActivity.__table__  # type: ignore[attr-defined]


async def fold(session: AsyncSession, event: events.Event, change: Change | None = None) -> None:
    """Fold an event into the order's queue row; the row may be created by any of them.

    `change` writes what only this kind of event says; the status, the history line, the
    queue entry and the agencies' message (when the public state changed) follow from every
    event alike.
    """
    order = await get_row(session, QueuedOrder, QueuedOrder.order_id, str(event.order_id))
    if order is None:
        order = new_row(
            QueuedOrder,
            order_id=str(event.order_id),
            reference=event.reference,
            status=OrderStatus.RECEIVED.value,
            updated_at=event.occurred_at,
        )
    before = public_stream.snapshot(order)
    if change is not None:
        change(order)
    assign(
        order,
        status=status_after(OrderStatus(order.status), event).value,
        updated_at=max(as_utc(order.updated_at), event.occurred_at),
    )
    keep_row(session, order, QueuedOrder.order_id)
    # A Core row written with the batch's others at commit: through the ORM, each was an
    # INSERT of its own (SQLite hands back one id per statement).
    stage_insert(
        session,
        ACTIVITY,
        {
            "order_id": order.order_id,
            "kind": type(event).__name__,
            "actor": None,
            "at": event.occurred_at,
            "facts": activity_facts(event),
        },
    )
    await sync_entry(session, order)
    await public_stream.stage(session, before, order, event)


async def order_submitted(session: AsyncSession, event: events.OrderSubmitted) -> None:
    """The order's content arrives: from now on it can be screened."""

    def take_content(order: QueuedOrder) -> None:
        assign(
            order,
            category=event.category.value,
            urgent=event.urgent,
            submitted_at=event.submitted_at,
            decision_due=event.decision_due,
            execution_due=event.execution_due,
            municipality_code=event.location.municipality_code,
            content=event.model_dump(mode="json"),
        )

    await fold(session, event, take_content)


async def order_routed(session: AsyncSession, event: events.OrderRouted) -> None:
    """The order joins its district's queue."""

    def take_district(order: QueuedOrder) -> None:
        assign(order, district_code=event.district_code, routing_method=event.method.value)

    await fold(session, event, take_district)
    order = await get_row(session, QueuedOrder, QueuedOrder.order_id, str(event.order_id))
    # Only an order registered by phone has an audit entry waiting for its district; one whose
    # content has not arrived yet might be one.
    if order is None or not order.content or order.content.get("channel") == Channel.PHONE:
        await audit.file_phone_order_under(session, str(event.order_id), event.district_code)


async def deadline_alert(session: AsyncSession, event: events.DeadlineAlert) -> None:
    """A deadline draws near or has passed; a breach is never softened by a later warning."""

    def take_alert(order: QueuedOrder) -> None:
        field_name = f"{event.kind.value}_alert"
        if getattr(order, field_name) != DeadlineState.BREACHED.value:
            setattr(order, field_name, event.state.value)

    await fold(session, event, take_alert)


async def apply_event(session: AsyncSession, event: events.Event) -> None:
    """Fold any order event, by its type (for callers replaying a mixed stream)."""
    if isinstance(event, events.OrderSubmitted):
        await order_submitted(session, event)
    elif isinstance(event, events.OrderRouted):
        await order_routed(session, event)
    elif isinstance(event, events.DeadlineAlert):
        await deadline_alert(session, event)
    else:
        await fold(session, event)


def activity_facts(event: events.Event) -> dict[str, Any]:
    """What the order's history keeps of an event: the facts, not its envelope."""
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
    # The statistics' counters move with the entry they count (services/screening/monthly.py).
    monthly.stage_change(session, monthly.values_of(entry) if entry else None, values)
    if entry is None:
        keep_row(session, new_row(QueueEntry, **values), QueueEntry.order_id)
        return
    # an ORM attribute set costs more than a look
    assign(entry, **{key: value for key, value in values.items() if getattr(entry, key) != value})
    keep_row(session, entry, QueueEntry.order_id)


async def prepare_queue(db: Database) -> None:
    """At start-up: give older orders their queue entry, count them into the monthly
    summary once, and (on SQLite, which keeps no statistics of its own) let the planner know
    the queue's shape, so that it walks the right index for the archive's pages."""
    async with db.transaction() as session:
        await backfill_entries(session)
    await monthly.build(db)
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
            values = entry_values(order)
            session.add(QueueEntry(**values))
            monthly.stage_change(session, None, values)
        await session.flush()
        done += len(missing)
