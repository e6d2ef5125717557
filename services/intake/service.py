"""Intake's use cases: each owns its transaction and stages its events in the outbox."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import (
    Feedback,
    FieldError,
    OrderRequest,
    PostalCodes,
    build_order_submitted,
    check_order_rules,
    check_postal_code,
)
from services.intake.field_errors import from_field_errors, from_validation_error
from services.intake.models import HistoryEntry, IdempotencyRecord, Order, messages
from services.intake.settings import IntakeSettings
from services.intake.views import add_history, order_view
from shared import events
from shared.db import Database, Work, get_row, keep_row, load_rows, stage_insert
from shared.lifecycle import can_cancel, status_after
from shared.references import new_reference, status_token, status_token_valid, status_url
from shared.settings import DeadlineSettings
from shared.vocabulary import OrderStatus

ORDERS = Order.__table__  # type: ignore[attr-defined]
IDEMPOTENCY = IdempotencyRecord.__table__  # type: ignore[attr-defined]
E = TypeVar("E", bound=events.Event)
#: The keys a status token is checked against: the current one first, then retired ones.
Keys = str | Sequence[str]


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before for a different request."""


class InvalidOrderError(Exception):
    """The order breaks the contract or a rule; `errors` say which fields, in the citizen's words."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} field errors")
        self.errors = errors


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


@dataclass(frozen=True)
class Submitted:
    """The answer to a submission: the receipt body, and whether it replays an earlier one."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class Submission:
    """An order as a channel (API, form, phone) hands it over, and how to know a repeat of it."""

    data: Any  # the order as the API's JSON: the request body, or the form turned into it
    language: str
    correlation_id: str
    idempotency_key: str | None = None
    fingerprint: str = ""
    #: What the channel itself asks beyond the API (the form: a municipality, an empty honeypot).
    channel_errors: Sequence[FieldError] = ()


def request_fingerprint(raw: bytes) -> str:
    """What tells a repeated request from another one under the same Idempotency-Key."""
    return hashlib.sha256(raw).hexdigest()


# --- submitting ------------------------------------------------------------------------


async def accept_order(
    db: Database,
    submission: Submission,
    *,
    settings: IntakeSettings,
    now: datetime,
    postal_codes: PostalCodes | None = None,
) -> Submitted:
    """The one way in for an order, whichever channel it came by: validate, then submit.

    Raises `InvalidOrderError` with every field error found, `IdempotencyConflictError` when
    the key was used for another request.
    """
    order = validated_order(submission, now, settings.deadlines, postal_codes)
    return await submit_order(
        db,
        order,
        settings=settings,
        now=now,
        correlation_id=submission.correlation_id,
        idempotency_key=submission.idempotency_key,
        fingerprint=submission.fingerprint,
    )


def validated_order(
    submission: Submission,
    now: datetime,
    deadlines: DeadlineSettings,
    postal_codes: PostalCodes | None = None,
) -> OrderRequest:
    """The order the data describes, or `InvalidOrderError` with all its field errors at once.

    With `postal_codes` (the shipped or configured table) a postal code must be a Danish one.
    """
    data, language = submission.data, submission.language
    order: OrderRequest | None = None
    try:
        order = OrderRequest.model_validate(data)
    except ValidationError as exc:
        errors = from_validation_error(exc, language)
        consent_given = isinstance(data, dict) and data.get("consent") is True
        if not consent_given and "consent" not in {e["field"] for e in errors}:
            errors += from_field_errors([FieldError(("consent",), "consent_required")], language)
        # Said at once with the others, not only once the rest of the order is right.
        location = data.get("location") if isinstance(data, dict) else None
        if isinstance(location, dict) and "location.postal_code" not in {
            e["field"] for e in errors
        }:
            postal = check_postal_code(location.get("postal_code"), postal_codes)
            errors += from_field_errors(postal, language)
    else:
        errors = from_field_errors(check_order_rules(order, now, deadlines, postal_codes), language)
    errors += from_field_errors(list(submission.channel_errors), language)
    if errors or order is None:
        raise InvalidOrderError(errors)
    return order


async def _replay(session: AsyncSession, key: str, fingerprint: str) -> Submitted | None:
    record = await session.get(IdempotencyRecord, key)
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyConflictError(key)
    return Submitted(record.status_code, json.loads(record.response), replayed=True)


async def _replayed(db: Database, key: str | None, fingerprint: str) -> Submitted | None:
    if not key:
        return None
    async with db.reading() as session:
        return await _replay(session, key, fingerprint)


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
    replay = await _replayed(db, idempotency_key, fingerprint)
    if replay:
        return replay
    order_id = uuid.uuid4()
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
        body = _receipt_body(event, settings)
        try:
            await db.grouped(_submission(event, now, body, idempotency_key, fingerprint))
            return Submitted(201, body)
        except IntegrityError:
            replay = await _replayed(db, idempotency_key, fingerprint)
            if replay:
                return replay
    raise RuntimeError("could not allocate a unique reference")


def _receipt_body(event: events.OrderSubmitted, settings: IntakeSettings) -> dict[str, Any]:
    links = settings.links
    return {
        "order_id": str(event.order_id),
        "reference": event.reference,
        "status": OrderStatus.RECEIVED.value,
        "status_token": status_token(event.reference, links.status_link_secret),
        "status_url": status_url(links.public_url, event.reference, links.status_link_secret),
        "decision_due": event.decision_due.isoformat(),
        "execution_due": event.execution_due.isoformat(),
        "urgent": event.urgent,
    }


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
        add_history(session, event, OrderStatus.RECEIVED)
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


# --- following the other services (in the consumer's transaction) ---------------------


async def load_orders(session: AsyncSession, batch: list[events.Event]) -> None:
    """The orders a batch of events will touch, in one query."""
    await load_rows(session, Order, Order.id, [str(e.order_id) for e in batch])


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


# --- the citizen's status and follow-ups -----------------------------------------------


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
