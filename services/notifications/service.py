"""Notifications' use cases: owe an email when an event calls for one, and deliver what is owed."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date, datetime
from email.message import EmailMessage

import aiosmtplib
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.deadlines import (
    DISTRICT_BREACH,
    DISTRICT_DIGEST,
    load_deadlines,
    track_deadlines,
)
from services.notifications.district_emails import DigestLine, compose_breach, compose_digest
from services.notifications.domain import email_kind_for, eml_filename, facts_for, retry_delay
from services.notifications.emails import Recipient, compose, message_id_for
from services.notifications.models import Contact, OutgoingEmail
from services.notifications.settings import NotificationsSettings
from shared import districts, events
from shared.clock import Clock
from shared.db import Database, get_row, keep_row, load_rows
from shared.metrics import EMAILS_FAILED, EMAILS_SENT
from shared.references import status_url
from shared.topics import BY_NAME, topic_for
from shared.vocabulary import Category, DeadlineKind, DeadlineState, Language

log = logging.getLogger(__name__)


async def load_batch(session: AsyncSession, batch: list[events.Event]) -> None:
    """The contacts and deadlines a batch of events will touch, one query per table."""
    await load_rows(session, Contact, Contact.order_id, [str(e.order_id) for e in batch])
    await load_deadlines(session, batch)


async def record_event(session: AsyncSession, event: events.Event, now: datetime) -> None:
    """Remember the citizen, follow the deadlines, and owe an email where the event calls for one."""
    await track_deadlines(session, event)
    if (
        isinstance(event, events.OrderSubmitted)
        and await get_row(session, Contact, Contact.order_id, str(event.order_id)) is None
    ):
        keep_row(
            session,
            Contact(
                order_id=str(event.order_id),
                reference=event.reference,
                name=event.requester.name,
                email=str(event.requester.email),
                language=event.language.value,
                category=event.category.value,
            ),
            Contact.order_id,
        )
    kind = email_kind_for(event)
    if kind is None:
        return
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
    """Delivers owed emails over SMTP, or as .eml files when no SMTP server is configured."""

    def __init__(self, db: Database, settings: NotificationsSettings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def deliver(self, message: EmailMessage, filename: str) -> None:
        s = self.settings
        if s.smtp_host:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout_s,
            )
            return
        directory = s.resolved_mail_dir()
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(message.as_bytes())
        os.replace(tmp, directory / filename)

    def compose_for(
        self, email: OutgoingEmail, contact: Contact | None, now: datetime
    ) -> EmailMessage:
        if email.kind in (DISTRICT_BREACH, DISTRICT_DIGEST):
            return self.compose_for_district(email, now)
        assert contact is not None
        event = BY_NAME[email.topic].model.model_validate_json(email.payload)
        links = self.settings.links
        recipient = Recipient(
            name=contact.name,
            email=contact.email,
            language=Language(contact.language),
            reference=contact.reference,
            category=Category(contact.category),
            status_url=status_url(links.public_url, contact.reference, links.status_link_secret),
        )
        return compose(
            email.kind,
            recipient,
            sender=self.settings.sender,
            facts=facts_for(event),
            message_id=message_id_for(event.event_id),
            now=now,
        )

    def compose_for_district(self, email: OutgoingEmail, now: datetime) -> EmailMessage:
        data = json.loads(email.payload)
        s = self.settings
        message_id = f"<{email.event_id}.{email.kind}@bestil.politi.dk>"
        if email.kind == DISTRICT_BREACH:
            alert = events.DeadlineAlert.model_validate(data["alert"])
            code = alert.district_code or ""
            return compose_breach(
                sender=s.sender,
                to=email.recipient or "",
                district_name=_district_name(code),
                reference=alert.reference,
                category=data.get("category"),
                kind=alert.kind,
                due_at=alert.due_at,
                queue_url=f"{s.screening_url.rstrip('/')}/?q={alert.reference}",
                message_id=message_id,
                now=now,
            )
        lines = [
            DigestLine(
                reference=line["reference"],
                category=line["category"],
                kind=DeadlineKind(line["kind"]),
                due_at=datetime.fromisoformat(line["due_at"]),
                state=DeadlineState(line["state"]) if line["state"] else None,
            )
            for line in data["lines"]
        ]
        return compose_digest(
            sender=s.sender,
            to=email.recipient or "",
            district_name=_district_name(data["district"]),
            day=date.fromisoformat(data["day"]),
            lines=lines,
            queue_url=f"{s.screening_url.rstrip('/')}/",
            message_id=message_id,
            now=now,
        )

    async def send_due(self, limit: int = 50) -> int:
        """Send what is due; a failure is retried with back-off, then reported, never dropped."""
        now = self.clock()
        handled = 0
        async with self.db.transaction() as session:
            query = (
                select(OutgoingEmail, Contact)
                .outerjoin(Contact, col(Contact.order_id) == col(OutgoingEmail.order_id))
                .where(
                    OutgoingEmail.status == "pending",
                    col(OutgoingEmail.next_attempt_at) <= now,
                    # a citizen's email waits until the order (with the address) has arrived
                    or_(
                        col(OutgoingEmail.recipient).is_not(None),
                        col(Contact.order_id).is_not(None),
                    ),
                )
                .order_by(col(OutgoingEmail.id))
                .limit(limit)
            )
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True, of=OutgoingEmail)  # type: ignore[arg-type]
            for email, contact in (await session.exec(query)).all():
                handled += 1
                try:
                    message = self.compose_for(email, contact, now)
                    reference = contact.reference if contact else email.order_id
                    await self.deliver(
                        message, eml_filename(now, reference, email.kind, email.id or 0)
                    )
                except Exception as exc:
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
                else:
                    email.status, email.sent_at = "sent", now
                    email.attempts += 1
                    EMAILS_SENT.labels(email.kind).inc()
                session.add(email)
        return handled


def _district_name(code: str) -> str:
    found = districts.district(code)
    return found.name if found else code
