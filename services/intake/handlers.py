"""Intake follows every later step of an order so its citizen's status page stays current."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake import projection, retention
from services.intake.models import deletions
from services.intake.overview import store as overview_store
from shared import events
from shared.clock import Clock, utcnow
from shared.messaging.consumer import Handler
from shared.retention import keeping_anonymous


async def on_order_routed(session: AsyncSession, event: events.OrderRouted) -> None:
    await projection.apply_event(session, event)


async def on_order_unroutable(session: AsyncSession, event: events.OrderUnroutable) -> None:
    await projection.apply_event(session, event)


async def on_order_screened(session: AsyncSession, event: events.OrderScreened) -> None:
    await projection.apply_event(session, event)


async def on_order_scheduled(session: AsyncSession, event: events.OrderScheduled) -> None:
    await projection.apply_event(session, event)


async def on_order_completed(session: AsyncSession, event: events.OrderCompleted) -> None:
    await projection.apply_event(session, event)


async def on_info_requested(session: AsyncSession, event: events.InfoRequested) -> None:
    await projection.apply_event(session, event)


async def on_public_order(session: AsyncSession, event: events.PublicOrderEvent) -> None:
    """The agencies' stream feeds the public overview (`/tal`), so it holds no personal data."""
    await overview_store.take(session, event)


def subscribers(clock: Clock = utcnow) -> dict[type[events.Message], Handler]:
    """The facts intake reads, each with its subscriber; an order anonymised before stays so
    whatever arrives late (shared/retention.py)."""

    async def on_erasure_requested(session: AsyncSession, event: events.ErasureRequested) -> None:
        await retention.erase_order(session, event, clock())

    followed: dict[type[events.Message], Handler] = {
        events.OrderRouted: on_order_routed,
        events.OrderUnroutable: on_order_unroutable,
        events.OrderScreened: on_order_screened,
        events.OrderScheduled: on_order_scheduled,
        events.OrderCompleted: on_order_completed,
        events.InfoRequested: on_info_requested,
        events.ErasureRequested: on_erasure_requested,
        events.PublicOrderEvent: on_public_order,
    }
    return keeping_anonymous(followed, deletions, retention.anonymise, clock)
