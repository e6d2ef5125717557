"""Notifications' subscribers: each names its fact and calls one use case."""

from __future__ import annotations

from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications import retention, service
from services.notifications.models import deletions
from shared import events
from shared.clock import Clock
from shared.messaging.consumer import Handler
from shared.retention import keeping_anonymous


async def on_order_routed(session: AsyncSession, event: events.OrderRouted) -> None:
    await service.record_routing(session, event)


def subscribers(clock: Clock, mail_dir: Path | None = None) -> dict[type[events.Message], Handler]:
    """The handler of each event notifications reads; the clock dates the emails owed, and an
    erasure deletes the citizen's files under `mail_dir` too."""
    anonymise = retention.anonymiser(mail_dir)
    erase_order = retention.erasing(mail_dir, clock)

    async def on_order_submitted(session: AsyncSession, event: events.OrderSubmitted) -> None:
        await service.record_submission(session, event, clock())

    async def on_order_screened(session: AsyncSession, event: events.OrderScreened) -> None:
        await service.record_decision(session, event, clock())

    async def on_order_scheduled(session: AsyncSession, event: events.OrderScheduled) -> None:
        await service.record_schedule(session, event, clock())

    async def on_order_completed(session: AsyncSession, event: events.OrderCompleted) -> None:
        await service.record_completion(session, event, clock())

    async def on_info_requested(session: AsyncSession, event: events.InfoRequested) -> None:
        await service.record_question(session, event, clock())

    async def on_order_cancelled(session: AsyncSession, event: events.OrderCancelled) -> None:
        await service.record_cancellation(session, event, clock())

    async def on_erasure_requested(session: AsyncSession, event: events.ErasureRequested) -> None:
        await erase_order(session, event)

    followed: dict[type[events.Message], Handler] = {
        events.OrderSubmitted: on_order_submitted,
        events.OrderRouted: on_order_routed,
        events.OrderScreened: on_order_screened,
        events.OrderScheduled: on_order_scheduled,
        events.OrderCompleted: on_order_completed,
        events.InfoRequested: on_info_requested,
        events.OrderCancelled: on_order_cancelled,
        events.ErasureRequested: on_erasure_requested,
    }
    return keeping_anonymous(followed, deletions, anonymise, clock)
