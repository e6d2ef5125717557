"""Screening's copy of an order without its personal data: the order's JSON, the queue entry
made from it, the activity log's texts, and the outbox rows it published."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import OrderActivity, QueuedOrder, QueueEntry, deletions, messages
from services.screening.projection import sync_entry
from shared.clock import Clock
from shared.db import Database, get_row, keep_row
from shared.messaging.consumer import Prefetch
from shared.retention import (
    RetentionJob,
    RetentionSettings,
    due_by_status,
    prefetching,
    prefixed,
    scrub,
    scrub_outbox,
    settle,
)

#: The queue entry's columns that come from the citizen's words or place.
_ENTRY_FIELDS = ("road_key", "subject", "lat", "lon")


async def anonymise(session: AsyncSession, order_id: str) -> list[str]:
    """Remove the order's personal data from every table of screening; returns what changed.

    What statistics count (category, district, status, dates, decision) stays.
    """
    await settle(session)
    what: list[str] = []
    order = await get_row(session, QueuedOrder, QueuedOrder.order_id, order_id)
    if order is not None and order.content:
        cleaned, changed = scrub(order.content)
        if changed:
            order.content = cleaned
            keep_row(session, order, QueuedOrder.order_id)
            what += prefixed("queued_orders.content", changed)
        entry = await get_row(session, QueueEntry, QueueEntry.order_id, order_id)
        before = {f: getattr(entry, f) for f in _ENTRY_FIELDS} if entry else {}
        await sync_entry(session, order)  # the entry's place follows the content
        entry = await get_row(session, QueueEntry, QueueEntry.order_id, order_id)
        if entry is not None:
            what += [f"queue_entries.{f}" for f in before if before[f] != getattr(entry, f)]
    activities = await session.exec(
        select(OrderActivity).where(col(OrderActivity.order_id) == order_id)
    )
    for activity in activities.all():
        cleaned, changed = scrub(activity.facts)
        if changed:
            activity.facts = cleaned
            session.add(activity)
            what += prefixed(f"order_activity.{activity.kind}", changed)
    what += await scrub_outbox(session, messages, order_id)
    await session.flush()
    return what


due = due_by_status(
    col(QueuedOrder.order_id), col(QueuedOrder.status), col(QueuedOrder.updated_at), deletions
)
"""Orders whose retention period has run out and that were not anonymised yet."""


def job(db: Database, settings: RetentionSettings, clock: Clock) -> RetentionJob:
    """Screening's retention job (started by main, run by tests with a moved clock)."""
    return RetentionJob("screening", db, settings, clock, deletions, due, anonymise)


def prefetch(inner: Prefetch | None) -> Prefetch:
    """The consumer's prefetch, plus which of the batch's orders were anonymised before."""
    return prefetching(deletions, inner)
