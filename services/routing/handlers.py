"""Routing's subscribers: each names its fact and calls one use case."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.routing import service
from services.routing.domain import BoundaryData
from shared import events
from shared.clock import Clock
from shared.messaging.consumer import Handler


def subscribers(data: BoundaryData | None, clock: Clock) -> dict[type[events.Message], Handler]:
    """The handler of each event routing reads; the boundary data and clock come from main."""

    async def on_order_submitted(session: AsyncSession, event: events.OrderSubmitted) -> None:
        await service.route_order(session, event, data, clock())

    async def on_reroute_requested(session: AsyncSession, event: events.RerouteRequested) -> None:
        await service.reroute_order(session, event, clock())

    return {
        events.OrderSubmitted: on_order_submitted,
        events.RerouteRequested: on_reroute_requested,
    }
