"""Intake follows every later step of an order so its citizen's status page stays current."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake import service
from shared import events


async def on_order_progressed(session: AsyncSession, event: events.Event) -> None:
    await service.apply_event(session, event)


HANDLERS = {
    events.OrderRouted: on_order_progressed,
    events.OrderUnroutable: on_order_progressed,
    events.OrderScreened: on_order_progressed,
    events.OrderScheduled: on_order_progressed,
    events.OrderCompleted: on_order_progressed,
    events.InfoRequested: on_order_progressed,
}
