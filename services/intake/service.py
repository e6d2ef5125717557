"""Intake's use cases: each owns its transaction and stages its events in the outbox."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import Feedback, OrderRequest, build_order_submitted
from services.intake.models import HistoryEntry, IdempotencyRecord, Order, messages
from services.intake.settings import IntakeSettings
from shared import events
from shared.clock import as_utc
from shared.db import Database, Work, get_row, keep_row, load_rows, stage_insert
from shared.lifecycle import can_cancel, status_after
from shared.references import new_reference, status_token, status_token_valid, status_url
from shared.vocabulary import OrderStatus

ORDERS = Order.__table__  # type: ignore[attr-defined]
HISTORY = HistoryEntry.__table__  # type: ignore[attr-defined]
IDEMPOTENCY = IdempotencyRecord.__table__  # type: ignore[attr-defined]


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before for a different request."""


class OrderNotFoundError(Exception):
    """No such order for this token; the caller must not learn which part was wrong."""


class CannotCancelError(Exception):
    def __init__(self, status: OrderStatus) -> None:
        super().__init__(status)
        self.status = status


class NoOpenQuestionError(Exception):
    """The officer has asked nothing that waits for an answer (or it was answered already)."""


class FeedbackNotOpenError(Exception):
    """Feedback is asked for once, after the work was carried out."""


@dataclass(frozen=True)
class Submitted:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def request_fingerprint(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


async def _replay(session: AsyncSession, key: str, fingerprint: str) -> Submitted | None:
    record = await session.get(IdempotencyRecord, key)
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyConflictError(key)
    return Submitted(record.status_code, json.loads(record.response), replayed=True)


async def submit_order(
    db: Database,
    request: OrderRequest,
    *,
    settings: IntakeSettings,
    now: datetime,
    correlation_id: str,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Submitted:
    """Store a valid order and stage `OrderSubmitted`; a repeated Idempotency-Key replays the answer."""
    if idempotency_key:
        async with db.reading() as session:
            replay = await _replay(session, idempotency_key, fingerprint)
            if replay:
                return replay
    order_id = uuid.uuid4()
    links = settings.links
    for _ in range(5):  # a reference collision (40 random bits) is rare; try another
        reference = new_reference()
        event = build_order_submitted(
            request,
            now=now,
            order_id=order_id,
            reference=reference,
            correlation_id=correlation_id,
            settings=settings.deadlines,
        )
        body = {
            "order_id": str(order_id),
            "reference": reference,
            "status": OrderStatus.RECEIVED.value,
            "status_token": status_token(reference, links.status_link_secret),
            "status_url": status_url(links.public_url, reference, links.status_link_secret),
            "decision_due": event.decision_due.isoformat(),
            "execution_due": event.execution_due.isoformat(),
            "urgent": event.urgent,
        }
        try:
            await db.grouped(_submission(event, now, body, idempotency_key, fingerprint))
            return Submitted(201, body)
        except IntegrityError:
            if idempotency_key:
                async with db.reading() as session:
                    replay = await _replay(session, idempotency_key, fingerprint)
                    if replay:
                        return replay
    raise RuntimeError("could not allocate a unique reference")


def _submission(
    event: events.OrderSubmitted,
    now: datetime,
    body: dict[str, Any],
    idempotency_key: str | None,
    fingerprint: str,
) -> Work[None]:
    """The writes of one accepted order, as a unit of work that may share its transaction
    with other orders arriving at the same moment (`Database.grouped`)."""

    async def work(session: AsyncSession) -> None:
        stage_insert(session, ORDERS, _order_row(event, now))
        _add_history(session, event, OrderStatus.RECEIVED)
        await messages.enqueue(session, event, now=now)
        if idempotency_key:
            stage_insert(
                session,
                IDEMPOTENCY,
                {
                    "key": idempotency_key,
                    "request_hash": fingerprint,
                    "status_code": 201,
                    "response": json.dumps(body),
                    "created_at": now,
                },
            )

    return work


def _order_row(event: events.OrderSubmitted, now: datetime) -> dict[str, Any]:
    return {
        "id": str(event.order_id),
        "reference": event.reference,
        "category": event.category.value,
        "language": event.language.value,
        "channel": event.channel.value,
        "status": OrderStatus.RECEIVED.value,
        "submitted_at": event.submitted_at,
        "decision_due": event.decision_due,
        "execution_due": event.execution_due,
        "urgent": event.urgent,
        "district_code": None,
        "district_name": None,
        "event": event.model_dump(mode="json"),
        "updated_at": now,
    }


def public_facts(event: events.Event) -> dict[str, Any]:
    """What the citizen's timeline may say about an event: no officer ids, no internal reasons."""
    match event:
        case events.OrderRouted():
            return {"district_code": event.district_code, "district_name": event.district_name}
        case events.OrderScreened():
            return {
                "decision": event.decision.value,
                "reason_code": event.reason_code.value,
                "message": event.message,
            }
        case events.OrderScheduled():
            return {
                "planned_start": event.planned_start.isoformat(),
                "planned_end": event.planned_end.isoformat() if event.planned_end else None,
                "note": event.note,
            }
        case events.OrderCompleted():
            return {
                "completed_at": event.completed_at.isoformat(),
                "summary": event.summary,
                "vehicles_checked": event.vehicles_checked,
                "violations": event.violations,
            }
        case events.InfoRequested():
            return {"question": event.question}
        case events.InfoProvided():
            return {"answer": event.answer}
        case events.OrderCancelled():
            return {"reason": event.reason}
        case events.FeedbackReceived():
            return {
                "carried_out_seen": event.carried_out_seen,
                "rating": event.rating,
                "comment": event.comment,
            }
    return {}


def _history_row(event: events.Event, status: OrderStatus) -> dict[str, Any]:
    return {
        "order_id": str(event.order_id),
        "event_id": str(event.event_id),
        "kind": type(event).__name__,
        "status": status.value,
        "at": event.occurred_at,
        "facts": public_facts(event),
    }


def _add_history(session: AsyncSession, event: events.Event, status: OrderStatus) -> None:
    """A line of the citizen's timeline, written with the batch's other lines at commit."""
    stage_insert(session, HISTORY, _history_row(event, status))


async def load_orders(session: AsyncSession, batch: list[events.Event]) -> None:
    """The orders a batch of events will touch, in one query."""
    await load_rows(session, Order, Order.id, [str(e.order_id) for e in batch])


async def apply_event(session: AsyncSession, event: events.Event) -> None:
    """Follow another service's event so the citizen's status stays current."""
    order = await get_row(session, Order, Order.id, str(event.order_id))
    if order is None:
        return  # not an order taken here (another intake's database): nothing to show
    new_status = status_after(OrderStatus(order.status), event)
    order.status = new_status.value
    if isinstance(event, events.OrderRouted):
        order.district_code, order.district_name = event.district_code, event.district_name
    order.updated_at = event.occurred_at
    keep_row(session, order, Order.id)
    _add_history(session, event, new_status)


async def _find(
    session: AsyncSession, reference: str, token: str, secret: str, *, for_update: bool = False
) -> Order:
    if not status_token_valid(reference, token, secret):
        raise OrderNotFoundError(reference)
    query = select(Order).where(Order.reference == reference)
    if for_update:  # two clicks at once must not both pass the check before the change
        query = query.with_for_update()
    order = (await session.exec(query)).first()
    if order is None:
        raise OrderNotFoundError(reference)
    return order


async def order_status(db: Database, reference: str, token: str, secret: str) -> dict[str, Any]:
    """The order as its citizen may see it, with its timeline."""
    async with db.reading() as session:
        order = await _find(session, reference, token, secret)
        history = (
            await session.exec(
                select(HistoryEntry)
                .where(HistoryEntry.order_id == order.id)
                .order_by(HistoryEntry.at, HistoryEntry.id)
            )
        ).all()
    content = order.event
    status = OrderStatus(order.status)
    questions = [h for h in history if h.kind == "InfoRequested"]
    feedback_given = any(h.kind == "FeedbackReceived" for h in history)
    return {
        "order_id": order.id,
        "reference": order.reference,
        "status": order.status,
        "category": order.category,
        "language": order.language,
        "submitted_at": as_utc(order.submitted_at).isoformat(),
        "decision_due": as_utc(order.decision_due).isoformat(),
        "execution_due": as_utc(order.execution_due).isoformat(),
        "urgent": order.urgent,
        "district": {"code": order.district_code, "name": order.district_name}
        if order.district_code
        else None,
        "can_cancel": can_cancel(status),
        "open_question": questions[-1].facts.get("question")
        if status == OrderStatus.INFO_REQUESTED and questions
        else None,
        "feedback_open": status == OrderStatus.COMPLETED and not feedback_given,
        "description": content.get("description"),
        "location": content.get("location"),
        "details": content.get("details"),
        "history": [
            {
                "kind": h.kind,
                "status": h.status,
                "at": as_utc(h.at).isoformat(),
                **h.facts,
            }
            for h in history
        ],
    }


async def cancel_order(
    db: Database, reference: str, token: str, secret: str, *, now: datetime, reason: str | None
) -> events.OrderCancelled:
    async with db.transaction() as session:
        order = await _find(session, reference, token, secret, for_update=True)
        status = OrderStatus(order.status)
        if not can_cancel(status):
            raise CannotCancelError(status)
        event = events.OrderCancelled(
            order_id=uuid.UUID(order.id),
            reference=order.reference,
            correlation_id=order.event.get("correlation_id", ""),
            occurred_at=now,
            cancelled_at=now,
            reason=reason,
        )
        order.status = OrderStatus.CANCELLED.value
        order.updated_at = now
        session.add(order)
        _add_history(session, event, OrderStatus.CANCELLED)
        await messages.enqueue(session, event, now=now)
    return event


async def provide_info(
    db: Database, reference: str, token: str, secret: str, *, now: datetime, answer: str
) -> events.InfoProvided:
    """Record the citizen's answer to the officer's open question and stage `InfoProvided`."""
    async with db.transaction() as session:
        order = await _find(session, reference, token, secret, for_update=True)
        if OrderStatus(order.status) != OrderStatus.INFO_REQUESTED:
            raise NoOpenQuestionError(reference)
        event = events.InfoProvided(
            order_id=uuid.UUID(order.id),
            reference=order.reference,
            correlation_id=order.event.get("correlation_id", ""),
            occurred_at=now,
            answer=answer,
            answered_at=now,
        )
        new_status = status_after(OrderStatus(order.status), event)
        order.status = new_status.value
        order.updated_at = now
        session.add(order)
        _add_history(session, event, new_status)
        await messages.enqueue(session, event, now=now)
    return event


async def record_feedback(
    db: Database, reference: str, token: str, secret: str, *, now: datetime, feedback: Feedback
) -> events.FeedbackReceived:
    """Record the citizen's one answer to "did you see us, did it help" and stage it for the district."""
    async with db.transaction() as session:
        order = await _find(session, reference, token, secret, for_update=True)
        given = (
            await session.exec(
                select(HistoryEntry.id).where(
                    HistoryEntry.order_id == order.id, HistoryEntry.kind == "FeedbackReceived"
                )
            )
        ).first()
        if OrderStatus(order.status) != OrderStatus.COMPLETED or given is not None:
            raise FeedbackNotOpenError(reference)
        event = events.FeedbackReceived(
            order_id=uuid.UUID(order.id),
            reference=order.reference,
            correlation_id=order.event.get("correlation_id", ""),
            occurred_at=now,
            carried_out_seen=feedback.carried_out_seen,
            rating=feedback.rating,
            comment=feedback.comment or None,
            received_at=now,
        )
        _add_history(session, event, OrderStatus.COMPLETED)
        await messages.enqueue(session, event, now=now)
    return event
