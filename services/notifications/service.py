"""Notifications' use cases: owe an email when an event calls for one, and deliver what is owed."""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.deadline_watch import assign_deadlines, load_deadlines, track_deadlines
from services.notifications.delivery import EmailDelivery, delivery_for
from services.notifications.domain import email_kind_for, eml_filename, retry_delay
from services.notifications.emails.from_row import message_for
from services.notifications.emails.kinds import EmailKind
from services.notifications.models import Contact, OutgoingEmail
from services.notifications.settings import NotificationsSettings
from shared import events
from shared.clock import Clock
from shared.db import Database, get_row, keep_row, load_rows
from shared.metrics import EMAILS_FAILED, EMAILS_SENT
from shared.topics import topic_for

log = logging.getLogger(__name__)


async def load_batch(session: AsyncSession, batch: list[events.Event]) -> None:
    """The contacts and deadlines a batch of events will touch, one query per table."""
    await load_rows(session, Contact, Contact.order_id, [str(e.order_id) for e in batch])
    await load_deadlines(session, batch)


async def record_submission(
    session: AsyncSession, order: events.OrderSubmitted, now: datetime
) -> None:
    """Open the order's deadlines, remember its citizen, and owe them a receipt."""
    await track_deadlines(session, order, category=order.category.value)
    if await get_row(session, Contact, Contact.order_id, str(order.order_id)) is None:
        keep_row(
            session,
            Contact(
                order_id=str(order.order_id),
                reference=order.reference,
                name=order.requester.name,
                email=str(order.requester.email),
                language=order.language.value,
                category=order.category.value,
            ),
            Contact.order_id,
        )
    _owe(session, order, EmailKind.RECEIPT, now)


async def record_routing(session: AsyncSession, routed: events.OrderRouted) -> None:
    """The district an order went to answers for its deadlines (the citizen gets no email)."""
    await assign_deadlines(session, routed)


async def record_decision(
    session: AsyncSession, decided: events.OrderScreened, now: datetime
) -> None:
    """A decision closes the deadline(s) it meets, and the citizen hears it."""
    await _follow(session, decided, now)


async def record_schedule(
    session: AsyncSession, scheduled: events.OrderScheduled, now: datetime
) -> None:
    """The citizen is told when the police come, with a calendar file."""
    await _follow(session, scheduled, now)


async def record_completion(
    session: AsyncSession, completed: events.OrderCompleted, now: datetime
) -> None:
    """Done: no deadline is open any more, and the citizen is told."""
    await _follow(session, completed, now)


async def record_question(
    session: AsyncSession, question: events.InfoRequested, now: datetime
) -> None:
    """The district asks the citizen something; the citizen answers on the status page."""
    await _follow(session, question, now)


async def record_cancellation(
    session: AsyncSession, cancelled: events.OrderCancelled, now: datetime
) -> None:
    """Withdrawn: no deadline is open any more, and the citizen gets a confirmation."""
    await _follow(session, cancelled, now)


async def _follow(session: AsyncSession, event: events.Event, now: datetime) -> None:
    """Close the deadlines the event meets, and owe the citizen the email it calls for."""
    await track_deadlines(session, event)
    kind = email_kind_for(event)
    if kind is not None:
        _owe(session, event, kind, now)


def _owe(session: AsyncSession, event: events.Event, kind: EmailKind, now: datetime) -> None:
    """An owed email is a row, written in the transaction of the event that owes it."""
    session.add(
        OutgoingEmail(
            event_id=str(event.event_id),
            order_id=str(event.order_id),
            kind=kind.value,
            topic=topic_for(event).name,
            payload=event.model_dump_json(),
            next_attempt_at=now,
            created_at=now,
        )
    )


class Mailer:
    """Sends owed emails through an `EmailDelivery`: one transaction per email."""

    def __init__(
        self,
        db: Database,
        settings: NotificationsSettings,
        clock: Clock,
        delivery: EmailDelivery | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.delivery = delivery or delivery_for(settings)

    async def deliver(self, message: EmailMessage, filename: str) -> None:
        """Hand one message to the delivery port; `filename` is fixed by the row."""
        await self.delivery.deliver(message, filename)

    async def send_due(self, limit: int = 50) -> int:
        """Send what is due, one email per transaction: a crash repeats at most the one in flight.

        A failure is retried with back-off, then reported, never dropped.
        """
        now = self.clock()
        async with self.db.reading() as session:
            due = select(col(OutgoingEmail.id)).where(*_due(now)).order_by(col(OutgoingEmail.id))
            ids = (await session.exec(due.limit(limit))).all()
        handled = 0
        for email_id in ids:
            async with self.db.transaction() as session:
                query = select(OutgoingEmail).where(col(OutgoingEmail.id) == email_id, *_due(now))
                if self.db.dialect == "postgresql":
                    # another instance holding the row is sending it: leave it to them
                    query = query.with_for_update(skip_locked=True)
                email = (await session.exec(query)).first()
                if email is None:  # sent, claimed or put off since the ids were read
                    continue
                contact = await session.get(Contact, email.order_id)
                await self.send_one(email, contact, now)
                session.add(email)
            handled += 1
        return handled

    async def send_one(self, email: OutgoingEmail, contact: Contact | None, now: datetime) -> None:
        """Compose and deliver one email, and record on its row how that went."""
        try:
            message = message_for(email, contact, self.settings, now)
            reference = contact.reference if contact else email.order_id
            filename = eml_filename(
                email.created_at, reference, email.kind, str(message["Message-ID"])
            )
            await self.deliver(message, filename)
        except Exception as exc:
            self._failed(email, exc, now)
        else:
            email.status, email.sent_at = "sent", now
            email.attempts += 1
            EMAILS_SENT.labels(email.kind).inc()

    def _failed(self, email: OutgoingEmail, exc: Exception, now: datetime) -> None:
        """Try again after a back-off; after `max_send_attempts` report it as failed."""
        email.attempts += 1
        email.last_error = type(exc).__name__
        EMAILS_FAILED.labels(email.kind).inc()
        if email.attempts >= self.settings.max_send_attempts:
            email.status = "failed"
            log.error(
                "email %s (%s) failed %d times: %s",
                email.id,
                email.kind,
                email.attempts,
                type(exc).__name__,
            )
        else:
            email.next_attempt_at = now + retry_delay(email.attempts)
            log.warning(
                "email %s (%s) not delivered (%s); retrying",
                email.id,
                email.kind,
                type(exc).__name__,
            )


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Pending emails whose time has come; a citizen's waits until the order has arrived."""
    contact_known = exists().where(col(Contact.order_id) == col(OutgoingEmail.order_id))
    return (
        col(OutgoingEmail.status) == "pending",
        col(OutgoingEmail.next_attempt_at) <= now,
        or_(col(OutgoingEmail.recipient).is_not(None), contact_known),
    )
