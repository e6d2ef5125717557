"""Intake's copy of an order without its personal data: the order's JSON, the citizen's timeline,
the idempotency keys that answered its submission, and the outbox rows it published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import HistoryEntry, IdempotencyRecord, Order, deletions, messages
from shared import events
from shared.clock import Clock
from shared.db import Database, execute, get_row, keep_row
from shared.messaging.consumer import Prefetch
from shared.retention import (
    RetentionJob,
    RetentionSettings,
    due_by_status,
    erase,
    prefetching,
    prefixed,
    scrub,
    scrub_outbox,
    settle,
)


async def anonymise(session: AsyncSession, order_id: str) -> list[str]:
    """Remove the order's personal data from every table of intake; returns what changed."""
    await settle(session)
    what: list[str] = []
    order = await get_row(session, Order, Order.id, order_id)
    if order is not None:
        cleaned, changed = scrub(order.event)
        if changed:
            order.event = cleaned
            keep_row(session, order, Order.id)
            what += prefixed("orders.event", changed)
    lines = await session.exec(select(HistoryEntry).where(col(HistoryEntry.order_id) == order_id))
    for line in lines.all():
        cleaned, changed = scrub(line.facts)
        if changed:
            line.facts = cleaned
            session.add(line)
            what += prefixed("order_history.facts", changed)
    # The stored answer to a retried submission names the order (and its status link's token).
    keys = await execute(
        session,
        delete(IdempotencyRecord).where(col(IdempotencyRecord.response).contains(order_id)),
    )
    if keys.rowcount:
        what.append("idempotency_keys")
    what += await scrub_outbox(session, messages, order_id)
    await session.flush()
    return what


due = due_by_status(col(Order.id), col(Order.status), col(Order.updated_at), deletions)
"""Orders whose retention period has run out and that were not anonymised yet."""


async def erase_order(session: AsyncSession, event: events.ErasureRequested, now: datetime) -> None:
    """A national admin's erasure, in the consumer's transaction."""
    await erase(session, deletions, anonymise, str(event.order_id), by=event.requested_by, at=now)


def job(db: Database, settings: RetentionSettings, clock: Clock) -> RetentionJob:
    """Intake's retention job (started by main, run by tests with a moved clock)."""
    return RetentionJob("intake", db, settings, clock, deletions, due, anonymise)


def prefetch(inner: Prefetch | None) -> Prefetch:
    """The consumer's prefetch, plus which of the batch's orders were anonymised before."""
    return prefetching(deletions, inner)
