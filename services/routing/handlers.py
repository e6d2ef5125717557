"""Routing's subscribers: each names its fact and calls one use case."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.routing import retention, service
from services.routing.domain import BoundaryData
from services.routing.models import deletions
from shared import events
from shared.clock import Clock
from shared.messaging.consumer import Handler
from shared.retention import keeping_anonymous


def subscribers(data: BoundaryData | None, clock: Clock) -> dict[type[events.Message], Handler]:
    """The handler of each event routing reads; the boundary data and clock come from main."""

    async def on_order_submitted(session: AsyncSession, event: events.OrderSubmitted) -> None:
        await service.route_order(session, event, data, clock())

    async def on_reroute_requested(session: AsyncSession, event: events.RerouteRequested) -> None:
        await service.reroute_order(session, event, clock())

    async def on_erasure_requested(session: AsyncSession, event: events.ErasureRequested) -> None:
        await retention.erase_order(session, event, clock())

    followed: dict[type[events.Event], Handler] = {
        events.OrderSubmitted: on_order_submitted,
        events.RerouteRequested: on_reroute_requested,
        events.ErasureRequested: on_erasure_requested,
    }
    return keeping_anonymous(followed, deletions, retention.anonymise, clock)
