"""Intake follows every later step of an order so its citizen's status page stays current."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake import projection
from shared import events
from shared.messaging.consumer import Handler


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


def subscribers() -> dict[type[events.Message], Handler]:
    """The facts intake reads, each with its subscriber (intake's handlers need nothing injected)."""
    return {
        events.OrderRouted: on_order_routed,
        events.OrderUnroutable: on_order_unroutable,
        events.OrderScreened: on_order_screened,
        events.OrderScheduled: on_order_scheduled,
        events.OrderCompleted: on_order_completed,
        events.InfoRequested: on_info_requested,
    }
