"""Intake follows the other services' events (in the consumer's transaction), so each citizen's
status page stays current."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Order
from services.intake.overview import store as overview_store
from services.intake.views import add_history
from shared import events
from shared.db import get_row, keep_row, load_rows
from shared.lifecycle import status_after
from shared.vocabulary import OrderStatus


async def load_orders(session: AsyncSession, batch: list[events.Message]) -> None:
    """The orders a batch of events will touch, and the public states, one query each."""
    ids = [str(e.order_id) for e in batch if isinstance(e, events.Event)]
    await load_rows(session, Order, Order.id, ids)
    public = [e for e in batch if isinstance(e, events.PublicOrderEvent)]
    if public:
        await overview_store.load_states(session, public)


def _take_district(order: Order, event: events.OrderRouted) -> None:
    order.district_code, order.district_name = event.district_code, event.district_name


#: What an event changes on the order besides its status, per type.
_ALSO_CHANGES: dict[type[events.Event], Callable[[Order, Any], None]] = {
    events.OrderRouted: _take_district,
}


async def apply_event(session: AsyncSession, event: events.Event) -> None:
    """Follow another service's event so the citizen's status stays current."""
    order = await get_row(session, Order, Order.id, str(event.order_id))
    if order is None:
        return  # not an order taken here (another intake's database): nothing to show
    new_status = status_after(OrderStatus(order.status), event)
    order.status = new_status.value
    also = _ALSO_CHANGES.get(type(event))
    if also:
        also(order, event)
    order.updated_at = event.occurred_at
    keep_row(session, order, Order.id)
    add_history(session, event, new_status)
