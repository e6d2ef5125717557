"""Screening follows an order's events to keep each district's queue current."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import service
from shared import events


async def on_order_event(session: AsyncSession, event: events.Event) -> None:
    await service.apply_event(session, event)


HANDLERS = {
    events.OrderSubmitted: on_order_event,
    events.OrderRouted: on_order_event,
    events.OrderUnroutable: on_order_event,
    events.OrderCancelled: on_order_event,
    events.InfoProvided: on_order_event,
    events.FeedbackReceived: on_order_event,
    events.DeadlineAlert: on_order_event,
}
