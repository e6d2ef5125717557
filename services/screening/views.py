"""Orders as the JSON API shows them: the whole order to those who may see it, and nearby
orders without personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.screening.models import OrderActivity, QueuedOrder
from services.screening.queries import NearbyOrder
from shared.clock import as_utc


def order_view(order: QueuedOrder, history: list[OrderActivity] | None = None) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return as_utc(value).isoformat() if value else None

    view: dict[str, Any] = {
        "order_id": order.order_id,
        "reference": order.reference,
        "status": order.status,
        "district_code": order.district_code,
        "routing_method": order.routing_method,
        "category": order.category,
        "urgent": order.urgent,
        "submitted_at": iso(order.submitted_at),
        "decision_due": iso(order.decision_due),
        "execution_due": iso(order.execution_due),
        "municipality_code": order.municipality_code,
        "deadline_alerts": {"decision": order.decision_alert, "execution": order.execution_alert},
        "decision": order.decision,
        "reason_code": order.reason_code,
        "planned_start": iso(order.planned_start),
        "completed_at": iso(order.completed_at),
        "order": order.content,
    }
    if history is not None:
        view["history"] = [
            {"kind": a.kind, "at": iso(a.at), "actor": a.actor, **a.facts} for a in history
        ]
    return view


def nearby_view(found: list[NearbyOrder]) -> list[dict[str, Any]]:
    return [
        {
            "order_id": n.order.order_id,
            "reference": n.order.reference,
            "status": n.order.status,
            "category": n.order.category,
            "subject": n.order.subject,
            "submitted_at": as_utc(n.order.submitted_at).isoformat()
            if n.order.submitted_at
            else None,
            "same_road": n.same_road,
            "distance_m": round(n.distance_m) if n.distance_m is not None else None,
        }
        for n in found
    ]
