"""Notifications' rules: which email an event owes, and when a deadline needs an alert."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.notifications.emails.kinds import EmailKind
from shared import districts, events
from shared.danish_time import COPENHAGEN
from shared.vocabulary import DeadlineKind, DeadlineState, Decision


def email_kind_for(event: events.Event) -> EmailKind | None:
    """The citizen hears of receipt, decision, schedule, completion, questions and withdrawal."""
    match event:
        case events.OrderSubmitted():
            return EmailKind.RECEIPT
        case events.OrderScreened(decision=Decision.ACCEPTED):
            return EmailKind.ACCEPTED
        case events.OrderScreened():
            return EmailKind.DECLINED
        case events.OrderScheduled():
            return EmailKind.SCHEDULED
        case events.OrderCompleted():
            return EmailKind.COMPLETED
        case events.InfoRequested():
            return EmailKind.INFO_REQUESTED
        case events.OrderCancelled():
            return EmailKind.CANCELLED
    return None


def district_name(code: str) -> str:
    """The district's name for the citizen; an unknown code is shown as it is."""
    found = districts.district(code)
    return found.name if found else code


def facts_for(event: events.Event) -> dict[str, Any]:
    """What the citizen's email about this event tells them, by name."""
    match event:
        case events.OrderSubmitted():
            return {
                "decision_due": event.decision_due,
                "execution_due": event.execution_due,
                "urgent": event.urgent,
            }
        case events.OrderScreened():
            return {
                "district_name": district_name(event.district_code),
                "message": event.message,
                "reason_code": event.reason_code,
            }
        case events.OrderScheduled():
            return {
                "district_name": district_name(event.district_code),
                "planned_start": event.planned_start,
                "planned_end": event.planned_end,
                "note": event.note,
            }
        case events.OrderCompleted():
            return {
                "district_name": district_name(event.district_code),
                "completed_at": event.completed_at,
                "summary": event.summary,
            }
        case events.InfoRequested():
            return {
                "district_name": district_name(event.district_code),
                "question": event.question,
            }
        case events.OrderCancelled():
            return {"cancelled_at": event.cancelled_at}
        case events.DeadlineAlert():
            return {"kind": event.kind, "due_at": event.due_at}
    return {}


def retry_delay(attempts: int) -> timedelta:
    """Back-off after a failed delivery: 30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def eml_filename(created_at: datetime, reference: str, kind: str, message_id: str) -> str:
    """The file of one email, fixed by what never changes on a retry: a repeat finds it there."""
    local_part = message_id.strip().strip("<>").split("@", 1)[0]
    return _UNSAFE.sub("_", f"{created_at:%Y%m%dT%H%M%S}-{reference}-{kind}-{local_part}") + ".eml"


# --- deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineChange:
    """What an event does to one of an order's two deadlines."""

    kind: DeadlineKind
    due_at: datetime | None = None
    close: bool = False


def deadline_changes(event: events.Event) -> list[DeadlineChange]:
    """A decision is owed until the order is decided; the work until it is done or withdrawn."""
    decision, execution = DeadlineKind.DECISION, DeadlineKind.EXECUTION
    match event:
        case events.OrderSubmitted():
            return [
                DeadlineChange(decision, event.decision_due),
                DeadlineChange(execution, event.execution_due),
            ]
        case events.OrderScreened(decision=Decision.ACCEPTED):
            return [DeadlineChange(decision, close=True)]
        case events.OrderScreened() | events.OrderCompleted() | events.OrderCancelled():
            return [DeadlineChange(decision, close=True), DeadlineChange(execution, close=True)]
    return []


def alerts_due(
    *,
    due_at: datetime | None,
    closed: bool,
    warning_at: datetime | None,
    breached_at: datetime | None,
    now: datetime,
    warning_before: timedelta,
) -> list[DeadlineState]:
    """The alerts to raise now; each at most once, and no warning once the deadline has passed."""
    if closed or due_at is None or breached_at is not None:
        return []
    if now >= due_at:
        return [DeadlineState.BREACHED]
    if warning_at is None and now >= due_at - warning_before:
        return [DeadlineState.WARNING]
    return []


def district_mailbox(code: str, configured: dict[str, str], pattern: str) -> str:
    """The district's configured address, else one made from its slug."""
    if code in configured:
        return configured[code]
    found = districts.district(code)
    return pattern.format(slug=found.slug if found else code, code=code)


def digest_due(now: datetime, hour: int) -> date | None:
    """The Danish calendar day whose digest is due now (from `hour` o'clock on), if any."""
    local = now.astimezone(COPENHAGEN)
    return local.date() if local.hour >= hour else None
