"""Routing's use cases: route a new order, re-route on an officer's request."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.routing.domain import BoundaryData, Routed, choose_district
from services.routing.models import Routing, messages
from shared import districts, events
from shared.db import get_row, keep_row, load_rows, new_row
from shared.vocabulary import RoutingMethod


async def load_routings(session: AsyncSession, batch: list[events.Event]) -> None:
    """The routings a batch of events will touch, in one query."""
    await load_rows(session, Routing, Routing.order_id, [str(e.order_id) for e in batch])


async def route_order(
    session: AsyncSession, order: events.OrderSubmitted, data: BoundaryData | None, now: datetime
) -> None:
    """Route a submitted order, unless an officer already routed it by hand."""
    existing = await get_row(session, Routing, Routing.order_id, str(order.order_id))
    if existing is not None:
        return  # a manual routing (which may arrive first) wins over the automatic one
    decision = choose_district(order.location, data)
    if isinstance(decision, Routed):
        await _record_routed(session, order, decision.district, decision.method, now)
    else:
        keep_row(
            session,
            new_row(
                Routing,
                order_id=str(order.order_id),
                reference=order.reference,
                reason=decision.reason,
                routed_at=now,
            ),
            Routing.order_id,
        )
        await messages.enqueue(
            session,
            events.OrderUnroutable(
                order_id=order.order_id,
                reference=order.reference,
                correlation_id=order.correlation_id,
                occurred_at=now,
                reason=decision.reason,
            ),
        )


async def reroute_order(
    session: AsyncSession, request: events.RerouteRequested, now: datetime
) -> None:
    """An officer's routing by hand: always published, and never overridden automatically."""
    district = districts.district(request.to_district)
    if district is None:
        raise ValueError(f"unknown district {request.to_district}")
    await _record_routed(session, request, district, RoutingMethod.MANUAL, now)


async def _record_routed(
    session: AsyncSession,
    source: events.OrderSubmitted | events.RerouteRequested,
    district: districts.District,
    method: RoutingMethod,
    now: datetime,
) -> None:
    """Keep the order's latest routing and publish it, in the transaction of its cause."""
    row = await get_row(session, Routing, Routing.order_id, str(source.order_id)) or new_row(
        Routing, order_id=str(source.order_id), reference=source.reference, routed_at=now
    )
    row.district_code, row.method, row.reason, row.routed_at = (
        district.code,
        method.value,
        None,
        now,
    )
    keep_row(session, row, Routing.order_id)
    await messages.enqueue(
        session,
        events.OrderRouted(
            order_id=source.order_id,
            reference=source.reference,
            correlation_id=source.correlation_id,
            occurred_at=now,
            district_code=district.code,
            district_name=district.name,
            method=method,
            routed_at=now,
        ),
    )
