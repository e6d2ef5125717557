"""Intake's use cases: each owns its transaction and stages its events in the outbox."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain import (
    FieldError,
    OrderRequest,
    PostalCodes,
    build_order_submitted,
    check_order_rules,
    check_postal_code,
)
from services.intake.field_errors import from_field_errors, from_validation_error
from services.intake.models import IdempotencyRecord, Order, messages
from services.intake.settings import IntakeSettings
from services.intake.views import add_history
from shared import events
from shared.db import Database, Work, stage_insert
from shared.references import new_reference, status_token, status_url
from shared.settings import DeadlineSettings
from shared.vocabulary import OrderStatus

ORDERS = Order.__table__  # type: ignore[attr-defined]
IDEMPOTENCY = IdempotencyRecord.__table__  # type: ignore[attr-defined]


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before for a different request."""


class InvalidOrderError(Exception):
    """The order breaks the contract or a rule; `errors` say which fields, in the citizen's words."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} field errors")
        self.errors = errors


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
