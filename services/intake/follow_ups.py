"""The citizen's status page and follow-ups: withdrawing, answering a question, feedback.

Each follow-up is one transaction: the order locked, checked, its status, timeline line and
event in the outbox together. The status token is checked before anything is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import (
    Feedback,
)
from services.intake.models import HistoryEntry, Order, deletions, messages
from services.intake.views import add_history, order_view
from shared import events
from shared.db import Database
from shared.lifecycle import can_cancel, status_after
from shared.references import status_token_valid
from shared.vocabulary import OrderStatus

E = TypeVar("E", bound=events.Event)
#: The keys a status token is checked against: the current one first, then retired ones.
Keys = str | Sequence[str]


class OrderNotFoundError(Exception):
    """No such order for this token; the caller must not learn which part was wrong."""


class FollowUpRefusedError(Exception):
    """The order is not in a state for this follow-up; `reason` names the words that say why."""

    reason = "refused"


class CannotCancelError(FollowUpRefusedError):
    """Carried out, declined or withdrawn already: there is nothing left to withdraw."""

    reason = "cannot_withdraw"

    def __init__(self, status: OrderStatus) -> None:
        super().__init__(status)
        self.status = status


class NoOpenQuestionError(FollowUpRefusedError):
    """The officer has asked nothing that waits for an answer (or it was answered already)."""

    reason = "no_open_question"


class FeedbackNotOpenError(FollowUpRefusedError):
    """Feedback is asked for once, after the work was carried out."""

    reason = "feedback_not_open"


def check_status_token(reference: str, token: str, keys: Keys) -> None:
    """`OrderNotFoundError` unless the token is the reference's (under any of the keys): no
    database is read, so a follow-up can be refused before its body is."""
    if not status_token_valid(reference, token, keys):
        raise OrderNotFoundError(reference)


async def _find(
    session: AsyncSession, reference: str, token: str, keys: Keys, *, for_update: bool = False
) -> Order:
    check_status_token(reference, token, keys)
    query = select(Order).where(Order.reference == reference)
    if for_update:  # two clicks at once must not both pass the check before the change
        query = query.with_for_update()
    order = (await session.exec(query)).first()
    if order is None:
        raise OrderNotFoundError(reference)
    return order


async def order_status(db: Database, reference: str, token: str, keys: Keys) -> dict[str, Any]:
    """The order as its citizen may see it, with its timeline."""
    async with db.reading() as session:
        order = await _find(session, reference, token, keys)
        history = (
            await session.exec(
                select(HistoryEntry)
                .where(HistoryEntry.order_id == order.id)
                .order_by(col(HistoryEntry.at), col(HistoryEntry.id))
            )
        ).all()
    return order_view(order, history)


async def _follow_up(
    db: Database,
    reference: str,
    token: str,
    keys: Keys,
    *,
    now: datetime,
    decide: Callable[[AsyncSession, Order], Awaitable[E]],
) -> E:
    """One transaction for a citizen's follow-up: find the order (locked), let `decide` check
    it and name the event (or refuse), then the status, the timeline line and the outbox."""
    async with db.transaction() as session:
        order = await _find(session, reference, token, keys, for_update=True)
        if await deletions.rule_of(session, order.id) is not None:
            # anonymised (erased on request, or past retention): what the citizen would add
            # now would be personal data about an order that no longer holds any
            raise OrderNotFoundError(reference)
        event = await decide(session, order)
        status = status_after(OrderStatus(order.status), event)
        if status.value != order.status:
            order.status = status.value
            order.updated_at = now
            session.add(order)
        add_history(session, event, status)
        await messages.enqueue(session, event, now=now)
    return event


def _about(order: Order, now: datetime) -> dict[str, Any]:
    """The fields every event about this order carries."""
    return {
        "order_id": uuid.UUID(order.id),
        "reference": order.reference,
        "correlation_id": order.event.get("correlation_id", ""),
        "occurred_at": now,
    }


async def cancel_order(
    db: Database, reference: str, token: str, keys: Keys, *, now: datetime, reason: str | None
) -> events.OrderCancelled:
    """Withdraw the order at its citizen's request and stage `OrderCancelled`."""

    async def decide(_session: AsyncSession, order: Order) -> events.OrderCancelled:
        status = OrderStatus(order.status)
        if not can_cancel(status):
            raise CannotCancelError(status)
        return events.OrderCancelled(**_about(order, now), cancelled_at=now, reason=reason)

    return await _follow_up(db, reference, token, keys, now=now, decide=decide)


async def provide_info(
    db: Database, reference: str, token: str, keys: Keys, *, now: datetime, answer: str
) -> events.InfoProvided:
    """Record the citizen's answer to the officer's open question and stage `InfoProvided`."""

    async def decide(_session: AsyncSession, order: Order) -> events.InfoProvided:
        if OrderStatus(order.status) != OrderStatus.INFO_REQUESTED:
            raise NoOpenQuestionError(reference)
        return events.InfoProvided(**_about(order, now), answer=answer, answered_at=now)

    return await _follow_up(db, reference, token, keys, now=now, decide=decide)


async def record_feedback(
    db: Database, reference: str, token: str, keys: Keys, *, now: datetime, feedback: Feedback
) -> events.FeedbackReceived:
    """Record the citizen's one answer to "did you see us, did it help" and stage it for the district."""

    async def decide(session: AsyncSession, order: Order) -> events.FeedbackReceived:
        given = (
            await session.exec(
                select(HistoryEntry.id).where(
                    HistoryEntry.order_id == order.id, HistoryEntry.kind == "FeedbackReceived"
                )
            )
        ).first()
        if OrderStatus(order.status) != OrderStatus.COMPLETED or given is not None:
            raise FeedbackNotOpenError(reference)
        return events.FeedbackReceived(
            **_about(order, now),
            carried_out_seen=feedback.carried_out_seen,
            rating=feedback.rating,
            comment=feedback.comment or None,
            received_at=now,
        )

    return await _follow_up(db, reference, token, keys, now=now, decide=decide)
