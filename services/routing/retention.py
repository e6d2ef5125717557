"""Routing's copy of an order, for retention and erasure: it keeps no personal data.

`routings` holds the order's id, reference, district, method and routing's own reason for an
unroutable order; the outbox holds `OrderRouted` and `OrderUnroutable`, which carry none
either. Routing still answers erasures and runs the job, so that the deletion log shows it was
asked, and so that a field added later is anonymised by the same path (`shared.retention.scrub`
covers every order event's personal fields).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.routing.models import Routing, deletions, messages
from shared import events
from shared.clock import Clock
from shared.db import Database
from shared.messaging.consumer import Prefetch
from shared.retention import (
    RetentionJob,
    RetentionSettings,
    Rule,
    cutoffs,
    erase,
    prefetching,
    scrub_outbox,
    settle,
)


async def anonymise(session: AsyncSession, order_id: str) -> list[str]:
    """Whatever personal data routing's outbox rows of the order hold (none today)."""
    await settle(session)
    return await scrub_outbox(session, messages, order_id)


async def due(
    session: AsyncSession, now: datetime, limit: int, settings: RetentionSettings
) -> list[tuple[str, Rule]]:
    """Routing does not learn when an order closes: it counts the longest period (an order that
    never closed) from the order's latest routing."""
    query = (
        select(Routing.order_id)
        .where(
            col(Routing.routed_at) < cutoffs(now, settings)[Rule.OPEN],
            deletions.not_logged(col(Routing.order_id)),
        )
        .order_by(col(Routing.routed_at))
        .limit(limit)
    )
    return [(order_id, Rule.OPEN) for order_id in await session.exec(query)]


async def erase_order(session: AsyncSession, event: events.ErasureRequested, now: datetime) -> None:
    """A national admin's erasure, in the consumer's transaction."""
    await erase(session, deletions, anonymise, str(event.order_id), by=event.requested_by, at=now)


def job(db: Database, settings: RetentionSettings, clock: Clock) -> RetentionJob:
    """Routing's retention job (started by main, run by tests with a moved clock)."""
    return RetentionJob("routing", db, settings, clock, deletions, due, anonymise)


def prefetch(inner: Prefetch | None) -> Prefetch:
    """The consumer's prefetch, plus which of the batch's orders were anonymised before."""
    return prefetching(deletions, inner)
