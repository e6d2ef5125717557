"""Notifications' use cases: owe an email when an event calls for one, and deliver what is owed."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from sqlalchemy import ColumnElement, exists, or_
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
        """Over SMTP when configured; else as `filename`, written once whatever the retries."""
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
        await asyncio.to_thread(write_once, s.resolved_mail_dir(), filename, message.as_bytes())

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
            message = self.compose_for(email, contact, now)
            reference = contact.reference if contact else email.order_id
            filename = eml_filename(
                email.created_at, reference, email.kind, str(message["Message-ID"])
            )
            await self.deliver(message, filename)
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


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Pending emails whose time has come; a citizen's waits until the order has arrived."""
    contact_known = exists().where(col(Contact.order_id) == col(OutgoingEmail.order_id))
    return (
        col(OutgoingEmail.status) == "pending",
        col(OutgoingEmail.next_attempt_at) <= now,
        or_(col(OutgoingEmail.recipient).is_not(None), contact_known),
    )


def write_once(directory: Path, filename: str, content: bytes) -> None:
    """Write `directory/filename` whole or not at all, and never a second time.

    A file already there was delivered by a process that died before it could mark the email
    sent. The temporary name is fixed too, so a write cut short is overwritten by the retry.
    """
    target = directory / filename
    if target.exists():
        log.info("email file %s exists; it was delivered before a restart", filename)
        return
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{filename}.tmp"
    try:
        with tmp.open("wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fd = os.open(directory, os.O_RDONLY)  # make the rename itself survive a power cut
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _district_name(code: str) -> str:
    found = districts.district(code)
    return found.name if found else code
