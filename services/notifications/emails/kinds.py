"""Which emails exist, whom a citizen's email goes to, and the Message-ID that marks a repeat."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from shared.vocabulary import Category, Language

MESSAGE_ID_DOMAIN = "bestil.politi.dk"

#: The districts' emails: not EmailKinds, since they are composed by emails.district alone.
DISTRICT_BREACH = "district_breach"
DISTRICT_DIGEST = "district_digest"


class EmailKind(StrEnum):
    """Which email the citizen gets; one per fact the citizen should hear about."""

    RECEIPT = "receipt"
    ROUTED = "routed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    INFO_REQUESTED = "info_requested"
    CANCELLED = "cancelled"
    DEADLINE_BREACHED = "deadline_breached"


@dataclass(frozen=True)
class Recipient:
    """The citizen an email goes to, and what every email about their order repeats."""

    name: str
    email: str
    language: Language
    reference: str
    category: Category
    status_url: str


def message_id_for(event_id: uuid.UUID) -> str:
    """A Message-ID fixed by the event, so that a resent email is recognisably the same."""
    return f"<{event_id}@{MESSAGE_ID_DOMAIN}>"
