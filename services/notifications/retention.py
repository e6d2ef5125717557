"""Notifications' copy of an order without its personal data: the citizen's contact, the
payloads of the emails owed to them (an unsent one is not sent any more), the `.eml` files the
file delivery wrote, and the outbox rows it published."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.emails.kinds import DISTRICT_BREACH, DISTRICT_DIGEST, EmailKind
from services.notifications.models import Contact, Deadline, OutgoingEmail, deletions, messages
from shared import events
from shared.clock import Clock
from shared.db import Database, get_row, keep_row
from shared.messaging.consumer import Prefetch
from shared.retention import (
    ANONYMISED,
    ANONYMISED_EMAIL,
    Anonymise,
    RetentionJob,
    RetentionSettings,
    Rule,
    cutoffs,
    erase,
    prefetching,
    prefixed,
    scrub_json,
    scrub_outbox,
    settle,
)

#: An owed email that was never sent and never will be: its order was anonymised.
ANONYMISED_STATUS = "anonymised"
#: Emails that close an order for the citizen, and the rule each falls under.
_CLOSING = {EmailKind.COMPLETED: Rule.CLOSED, EmailKind.DECLINED: Rule.CLOSED}
_DISTRICT_KINDS = frozenset({DISTRICT_BREACH, DISTRICT_DIGEST})


def email_files(mail_dir: Path, names: set[str]) -> list[Path]:
    """The citizen's `.eml` files of an order: named `{created}-{reference}-{kind}-{id}.eml`
    (`domain.eml_filename`), with the order id where the reference was not known yet. A
    district's breach email carries the reference but no personal data, and stays."""
    if not mail_dir.is_dir():
        return []
    found: list[Path] = []
    for name in names:
        for path in mail_dir.glob(f"*-{name}-*.eml"):
            kind = path.name.split(f"-{name}-", 1)[1].split("-", 1)[0]
            if kind not in _DISTRICT_KINDS:
                found.append(path)
    return sorted(set(found))


def anonymiser(mail_dir: Path | None) -> Anonymise:
    """Notifications' `anonymise`, deleting files under `mail_dir` (None: no file delivery)."""

    async def anonymise(session: AsyncSession, order_id: str) -> list[str]:
        await settle(session)
        what: list[str] = []
        names = {order_id}
        contact = await get_row(session, Contact, Contact.order_id, order_id)
        if contact is not None:
            names.add(contact.reference)
            if (contact.name, contact.email) != (ANONYMISED, ANONYMISED_EMAIL):
                contact.name, contact.email = ANONYMISED, ANONYMISED_EMAIL
                keep_row(session, contact, Contact.order_id)
                what += ["contacts.name", "contacts.email"]
        deadlines = await session.exec(select(Deadline).where(col(Deadline.order_id) == order_id))
        names.update(row.reference for row in deadlines.all())
        owed = await session.exec(
            select(OutgoingEmail).where(
                col(OutgoingEmail.order_id) == order_id, col(OutgoingEmail.recipient).is_(None)
            )
        )
        for email in owed.all():
            cleaned, changed = scrub_json(email.payload)
            if changed:
                email.payload = cleaned
                what += prefixed(f"outgoing_emails.{email.kind}.payload", changed)
            if email.status == "pending":
                email.status = ANONYMISED_STATUS
                what.append(f"outgoing_emails.{email.kind}.unsent")
            session.add(email)
        what += await scrub_outbox(session, messages, order_id)
        await session.flush()
        # After the rows: a mailer sending one of them holds it (or, on SQLite, the connection)
        # until its file is written, so the file is there to be deleted.
        for path in email_files(mail_dir, names) if mail_dir else []:
            path.unlink(missing_ok=True)
            what.append("mail_files.eml")
        return what

    return anonymise


async def due(
    session: AsyncSession, now: datetime, limit: int, settings: RetentionSettings
) -> list[tuple[str, Rule]]:
    """Orders whose retention period has run out, from the emails the citizen was sent: a
    completion or decline closes the order, a withdrawal without either cancels it, and an
    order with neither counts from its latest email."""
    limit_at = cutoffs(now, settings)
    created = col(OutgoingEmail.created_at)
    kind = col(OutgoingEmail.kind)
    closed_at = func.max(case((kind.in_([k.value for k in _CLOSING]), created)))
    cancelled_at = func.max(case((kind == EmailKind.CANCELLED.value, created)))
    last_at = func.max(created)
    query = (
        select(col(OutgoingEmail.order_id), closed_at, cancelled_at)
        .where(
            col(OutgoingEmail.recipient).is_(None),
            deletions.not_logged(col(OutgoingEmail.order_id)),
        )
        .group_by(col(OutgoingEmail.order_id))
        .having(
            or_(
                closed_at < limit_at[Rule.CLOSED],
                and_(closed_at.is_(None), cancelled_at < limit_at[Rule.CANCELLED]),
                and_(closed_at.is_(None), cancelled_at.is_(None), last_at < limit_at[Rule.OPEN]),
            )
        )
        .limit(limit)
    )
    rows = (await session.exec(query)).all()
    return [(order_id, _rule(closed, cancelled)) for order_id, closed, cancelled in rows]


def _rule(closed: object, cancelled: object) -> Rule:
    if closed is not None:
        return Rule.CLOSED
    return Rule.CANCELLED if cancelled is not None else Rule.OPEN


def erasing(
    mail_dir: Path | None, clock: Callable[[], datetime]
) -> Callable[[AsyncSession, events.ErasureRequested], Awaitable[None]]:
    """The subscriber's use case: erase the order on a national admin's request."""
    anonymise = anonymiser(mail_dir)

    async def erase_order(session: AsyncSession, event: events.ErasureRequested) -> None:
        await erase(
            session, deletions, anonymise, str(event.order_id), by=event.requested_by, at=clock()
        )

    return erase_order


def job(
    db: Database, settings: RetentionSettings, clock: Clock, mail_dir: Path | None
) -> RetentionJob:
    """Notifications' retention job (started by main, run by tests with a moved clock)."""
    return RetentionJob("notifications", db, settings, clock, deletions, due, anonymiser(mail_dir))


def prefetch(inner: Prefetch | None) -> Prefetch:
    """The consumer's prefetch, plus which of the batch's orders were anonymised before."""
    return prefetching(deletions, inner)
