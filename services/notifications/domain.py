"""Which email an event owes the citizen, and what it says."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.notifications.emails import EmailKind
from shared import districts, events
from shared.vocabulary import Decision


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


def _district_name(code: str) -> str:
    found = districts.district(code)
    return found.name if found else code


def facts_for(event: events.Event) -> dict[str, Any]:
    match event:
        case events.OrderSubmitted():
            return {
                "decision_due": event.decision_due,
                "execution_due": event.execution_due,
                "urgent": event.urgent,
            }
        case events.OrderScreened():
            return {
                "district_name": _district_name(event.district_code),
                "message": event.message,
                "reason_code": event.reason_code,
            }
        case events.OrderScheduled():
            return {
                "district_name": _district_name(event.district_code),
                "planned_start": event.planned_start,
                "planned_end": event.planned_end,
                "note": event.note,
            }
        case events.OrderCompleted():
            return {
                "district_name": _district_name(event.district_code),
                "completed_at": event.completed_at,
                "summary": event.summary,
            }
        case events.InfoRequested():
            return {
                "district_name": _district_name(event.district_code),
                "question": event.question,
            }
        case events.OrderCancelled():
            return {"cancelled_at": event.cancelled_at}
    return {}


def retry_delay(attempts: int) -> timedelta:
    """Back-off after a failed delivery: 30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def eml_filename(sent_at: datetime, reference: str, kind: str, email_id: int) -> str:
    return f"{sent_at:%Y%m%dT%H%M%S}-{reference}-{kind}-{email_id}.eml"
