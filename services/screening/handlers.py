"""Screening follows an order's events to keep each district's queue current.

Every subscriber takes the consumer's session: the messaging runtime owns that transaction, so
the queue's change and the processed event id commit together.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import projection, retention
from services.screening.models import deletions
from shared import events
from shared.clock import Clock, utcnow
from shared.messaging.consumer import Handler
from shared.retention import keeping_anonymous


async def on_order_submitted(session: AsyncSession, event: events.OrderSubmitted) -> None:
    await projection.order_submitted(session, event)


async def on_order_routed(session: AsyncSession, event: events.OrderRouted) -> None:
    await projection.order_routed(session, event)


async def on_order_unroutable(session: AsyncSession, event: events.OrderUnroutable) -> None:
    await projection.fold(session, event)


async def on_order_cancelled(session: AsyncSession, event: events.OrderCancelled) -> None:
    await projection.fold(session, event)


async def on_info_provided(session: AsyncSession, event: events.InfoProvided) -> None:
    await projection.fold(session, event)


async def on_feedback_received(session: AsyncSession, event: events.FeedbackReceived) -> None:
    await projection.fold(session, event)


async def on_deadline_alert(session: AsyncSession, event: events.DeadlineAlert) -> None:
    await projection.deadline_alert(session, event)


def subscribers(clock: Clock = utcnow) -> dict[type[events.Message], Handler]:
    """The facts screening follows, each with its subscriber; an order anonymised before stays
    so whatever arrives late (shared/retention.py). Screening writes erasures, never reads them."""
    followed: dict[type[events.Message], Handler] = {
        events.OrderSubmitted: on_order_submitted,
        events.OrderRouted: on_order_routed,
        events.OrderUnroutable: on_order_unroutable,
        events.OrderCancelled: on_order_cancelled,
        events.InfoProvided: on_info_provided,
        events.FeedbackReceived: on_feedback_received,
        events.DeadlineAlert: on_deadline_alert,
    }
    return keeping_anonymous(followed, deletions, retention.anonymise, clock)
