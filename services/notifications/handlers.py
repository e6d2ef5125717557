"""Notifications' subscribers: each event may open or close a deadline and owe one email."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications import service
from shared import events
from shared.clock import Clock


def make_handlers(clock: Clock) -> dict[type[events.Event], Callable]:
    async def on_order_event(session: AsyncSession, event: events.Event) -> None:
        await service.record_event(session, event, clock())

    return {
        model: on_order_event
        for model in (
            events.OrderSubmitted,
            events.OrderRouted,
            events.OrderScreened,
            events.OrderScheduled,
            events.OrderCompleted,
            events.InfoRequested,
            events.OrderCancelled,
        )
    }
