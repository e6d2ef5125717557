"""Intake's rules: what makes an order acceptable, and the event a valid order becomes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import Field

from shared import districts
from shared.deadlines import COPENHAGEN, compute_deadlines, too_soon
from shared.events import EventPresenceDetails, OrderContent, OrderSubmitted
from shared.settings import DeadlineSettings
from shared.vocabulary import Channel

#: Denmark's extent with a margin (Bornholm and Christiansø included).
DK_LAT = (54.4, 57.9)
DK_LON = (7.9, 15.3)


class OrderRequest(OrderContent):
    """The citizen's part of an order, as the API and the form take it."""

    consent: bool = Field(description="The citizen agrees that the police process the data")
    channel: Literal["api", "phone", "web"] = Field(default="api", description="How it arrived")


@dataclass(frozen=True)
class FieldError:
    """A rule broken by one field; `type` picks the message shown to the citizen."""

    loc: tuple[str | int, ...]
    type: str
    ctx: dict[str, object] = field(default_factory=dict)


def check_order_rules(
    request: OrderRequest, now: datetime, settings: DeadlineSettings
) -> list[FieldError]:
    """The rules that need the clock or reference data, beyond the contract's field rules."""
    errors: list[FieldError] = []
    if request.consent is not True:
        errors.append(FieldError(("consent",), "consent_required"))
    location = request.location
    if location.municipality_code and districts.municipality(location.municipality_code) is None:
        errors.append(FieldError(("location", "municipality_code"), "unknown_municipality"))
    if location.lat is not None and not DK_LAT[0] <= location.lat <= DK_LAT[1]:
        errors.append(FieldError(("location", "lat"), "outside_denmark"))
    if location.lon is not None and not DK_LON[0] <= location.lon <= DK_LON[1]:
        errors.append(FieldError(("location", "lon"), "outside_denmark"))
    details = request.details
    if isinstance(details, EventPresenceDetails):
        if details.event_start <= now:
            errors.append(FieldError(("details", "event_start"), "in_the_past"))
        elif too_soon(now, details.event_start, settings):
            errors.append(
                FieldError(
                    ("details", "event_start"),
                    "event_too_soon",
                    {"hours": settings.min_event_notice_hours},
                )
            )
        if details.event_end <= now:
            errors.append(FieldError(("details", "event_end"), "in_the_past"))
    elif getattr(details, "preferred_dates", None):
        today = now.astimezone(COPENHAGEN).date()
        if any(d < today for d in details.preferred_dates or []):
            errors.append(FieldError(("details", "preferred_dates"), "in_the_past"))
    return errors


def build_order_submitted(
    request: OrderRequest,
    *,
    now: datetime,
    order_id: uuid.UUID,
    reference: str,
    correlation_id: str,
    settings: DeadlineSettings,
) -> OrderSubmitted:
    event_start = (
        request.details.event_start if isinstance(request.details, EventPresenceDetails) else None
    )
    due = compute_deadlines(now, settings, event_start)
    content = request.model_dump(exclude={"consent", "channel"})
    return OrderSubmitted(
        **content,
        order_id=order_id,
        reference=reference,
        correlation_id=correlation_id,
        occurred_at=now,
        submitted_at=now,
        decision_due=due.decision_due,
        execution_due=due.execution_due,
        urgent=due.urgent,
        channel=Channel(request.channel),
    )
