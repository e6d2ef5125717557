"""An owed email's row turned back into its message, at the moment it is sent.

The row keeps the event, not the finished message, so that a message is composed with the
contact as it is known when the email goes out (it may arrive after the event that owes it).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

from services.notifications.domain import district_name, facts_for
from services.notifications.emails.citizen import compose
from services.notifications.emails.district import DigestLine, compose_breach, compose_digest
from services.notifications.emails.kinds import (
    DISTRICT_BREACH,
    DISTRICT_DIGEST,
    EmailKind,
    Recipient,
    message_id_for,
)
from services.notifications.models import Contact, OutgoingEmail
from services.notifications.settings import NotificationsSettings
from shared import events
from shared.references import status_url
from shared.topics import BY_NAME
from shared.vocabulary import Category, DeadlineKind, DeadlineState, Language


def message_for(
    email: OutgoingEmail,
    contact: Contact | None,
    settings: NotificationsSettings,
    now: datetime,
) -> EmailMessage:
    """The message one row owes: to the order's citizen, or to a district's mailbox."""
    if email.kind == DISTRICT_BREACH:
        return _breach_for_district(email, settings, now)
    if email.kind == DISTRICT_DIGEST:
        return _digest_for_district(email, settings, now)
    if contact is None:
        raise ValueError(f"email {email.id} is owed to a citizen not known yet")
    event = BY_NAME[email.topic].model.model_validate_json(email.payload, context=events.FROM_TOPIC)
    if not isinstance(event, events.Event):
        raise ValueError(f"email {email.id} stems from {email.topic}, which is no order event")
    links = settings.links
    recipient = Recipient(
        name=contact.name,
        email=contact.email,
        language=Language(contact.language),
        reference=contact.reference,
        category=Category(contact.category),
        status_url=status_url(links.public_url, contact.reference, links.status_link_secret),
    )
    facts = facts_for(event)
    if isinstance(event, events.OrderSubmitted):
        # The receipt repeats what the citizen sent, from the event it stems from.
        facts |= {"submitted_at": event.submitted_at, "order": event}
    return compose(
        EmailKind(email.kind),
        recipient,
        sender=settings.sender,
        facts=facts,
        message_id=message_id_for(event.event_id),
        now=now,
    )


def _district_message_id(email: OutgoingEmail) -> str:
    return f"<{email.event_id}.{email.kind}@bestil.politi.dk>"


def _breach_for_district(
    email: OutgoingEmail, settings: NotificationsSettings, now: datetime
) -> EmailMessage:
    data = json.loads(email.payload)
    alert = events.DeadlineAlert.model_validate(data["alert"])
    return compose_breach(
        sender=settings.sender,
        to=email.recipient or "",
        district_name=district_name(alert.district_code or ""),
        reference=alert.reference,
        category=data.get("category"),
        kind=alert.kind,
        due_at=alert.due_at,
        queue_url=f"{settings.screening_url.rstrip('/')}/?q={alert.reference}",
        message_id=_district_message_id(email),
        now=now,
    )


def _digest_for_district(
    email: OutgoingEmail, settings: NotificationsSettings, now: datetime
) -> EmailMessage:
    data = json.loads(email.payload)
    return compose_digest(
        sender=settings.sender,
        to=email.recipient or "",
        district_name=district_name(data["district"]),
        day=date.fromisoformat(data["day"]),
        lines=[_digest_line(line) for line in data["lines"]],
        queue_url=f"{settings.screening_url.rstrip('/')}/",
        message_id=_district_message_id(email),
        now=now,
    )


def _digest_line(line: dict[str, Any]) -> DigestLine:
    return DigestLine(
        reference=line["reference"],
        category=line["category"],
        kind=DeadlineKind(line["kind"]),
        due_at=datetime.fromisoformat(line["due_at"]),
        state=DeadlineState(line["state"]) if line["state"] else None,
    )
