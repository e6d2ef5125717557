"""What a citizen may see of an order: its public view, and the facts of each event on its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import HistoryEntry, Order
from shared import events, merge_fields
from shared.clock import as_utc
from shared.db import stage_insert
from shared.lifecycle import can_cancel
from shared.vocabulary import OrderStatus

HISTORY = HistoryEntry.__table__  # type: ignore[attr-defined]


def public_facts(event: events.Event) -> dict[str, Any]:
    """What the citizen's timeline may say about an event: no officer ids, no internal reasons."""
    match event:
        case events.OrderRouted():
            return {"district_code": event.district_code, "district_name": event.district_name}
        case events.OrderScreened():
            return {
                "decision": event.decision.value,
                "reason_code": event.reason_code.value,
                "message": event.message,
            }
        case events.OrderScheduled():
            return {
                "planned_start": event.planned_start.isoformat(),
                "planned_end": event.planned_end.isoformat() if event.planned_end else None,
                "note": event.note,
            }
        case events.OrderCompleted():
            return {
                "completed_at": event.completed_at.isoformat(),
                "summary": event.summary,
                "vehicles_checked": event.vehicles_checked,
                "violations": event.violations,
            }
        case events.InfoRequested():
            return {"question": event.question}
        case events.InfoProvided():
            return {"answer": event.answer}
        case events.OrderCancelled():
            return {"reason": event.reason}
        case events.FeedbackReceived():
            return {
                "carried_out_seen": event.carried_out_seen,
                "rating": event.rating,
                "comment": event.comment,
            }
    return {}


def history_row(event: events.Event, status: OrderStatus) -> dict[str, Any]:
    """One timeline line: the event's kind and public facts, and the status it left."""
    return {
        "order_id": str(event.order_id),
        "event_id": str(event.event_id),
        "kind": type(event).__name__,
        "status": status.value,
        "at": event.occurred_at,
        "facts": public_facts(event),
    }


def add_history(session: AsyncSession, event: events.Event, status: OrderStatus) -> None:
    """A line of the citizen's timeline, written with the batch's other lines at commit."""
    stage_insert(session, HISTORY, history_row(event, status))


#: The timeline's facts that are the district's words to the citizen, as the officer wrote them.
_DISTRICT_TEXTS = ("message", "note", "summary", "question")


def shown_text(order: Order, text: str) -> str:
    """The district's words as the status page shows them: merge fields filled in, except the
    name, which is left out (the page shows no name; the email greets by name)."""
    values = {merge_fields.REFERENCE: order.reference}
    if order.district_name:
        values[merge_fields.DISTRICT] = order.district_name
    return merge_fields.without_name(merge_fields.fill(text, values))


def _shown_facts(order: Order, facts: dict[str, Any]) -> dict[str, Any]:
    return {
        key: shown_text(order, value)
        if key in _DISTRICT_TEXTS and isinstance(value, str)
        else value
        for key, value in facts.items()
    }


def order_view(order: Order, history: Sequence[HistoryEntry]) -> dict[str, Any]:
    """The order, its deadlines, what the citizen may still do, and its timeline."""
    content = order.event
    status = OrderStatus(order.status)
    questions = [h for h in history if h.kind == "InfoRequested"]
    feedback_given = any(h.kind == "FeedbackReceived" for h in history)
    return {
        "order_id": order.id,
        "reference": order.reference,
        "status": order.status,
        "category": order.category,
        "language": order.language,
        "submitted_at": as_utc(order.submitted_at).isoformat(),
        "decision_due": as_utc(order.decision_due).isoformat(),
        "execution_due": as_utc(order.execution_due).isoformat(),
        "urgent": order.urgent,
        "district": {"code": order.district_code, "name": order.district_name}
        if order.district_code
        else None,
        "can_cancel": can_cancel(status),
        "open_question": _shown_facts(order, questions[-1].facts).get("question")
        if status == OrderStatus.INFO_REQUESTED and questions
        else None,
        "feedback_open": status == OrderStatus.COMPLETED and not feedback_given,
        "description": content.get("description"),
        "location": content.get("location"),
        "details": content.get("details"),
        "history": [
            {
                "kind": h.kind,
                "status": h.status,
                "at": as_utc(h.at).isoformat(),
                **_shown_facts(order, h.facts),
            }
            for h in history
        ],
    }
