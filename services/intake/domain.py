"""Intake's rules: what makes an order acceptable, and the event a valid order becomes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    Field,
)

from services.intake.visible_text import VisibleText
from shared import districts
from shared.danish_time import COPENHAGEN
from shared.deadlines import compute_deadlines, too_soon
from shared.events import (
    EventPresenceDetails,
    LongText,
    OrderContent,
    OrderSubmitted,
    TalkDetails,
)
from shared.settings import DeadlineSettings
from shared.vocabulary import Channel

#: Denmark's extent with a margin (Bornholm and Christiansø included).
DK_LAT = (54.4, 57.9)
DK_LON = (7.9, 15.3)


class OrderRequest(VisibleText, OrderContent):
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
    request: OrderRequest,
    now: datetime,
    settings: DeadlineSettings,
    postal_codes: PostalCodes | None = None,
) -> list[FieldError]:
    """The rules that need the clock or reference data, beyond the contract's field rules."""
    errors: list[FieldError] = []
    if request.consent is not True:
        errors.append(FieldError(("consent",), "consent_required"))
    location = request.location
    errors += check_postal_code(location.postal_code, postal_codes)
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
    elif isinstance(details, TalkDetails) and details.preferred_dates:
        today = now.astimezone(COPENHAGEN).date()
        if any(d < today for d in details.preferred_dates):
            errors.append(FieldError(("details", "preferred_dates"), "in_the_past"))
    return errors


def check_postal_code(code: object, postal_codes: PostalCodes | None) -> list[FieldError]:
    """A postal code must be a place in Denmark: known to the table, and not 0960 (abroad)."""
    if not isinstance(code, str) or not code or postal_codes is None:
        return []
    problem = postal_codes.problem(code)
    return [FieldError(("location", "postal_code"), problem)] if problem else []


def build_order_submitted(
    request: OrderRequest,
    *,
    now: datetime,
    order_id: uuid.UUID,
    reference: str,
    correlation_id: str,
    settings: DeadlineSettings,
) -> OrderSubmitted:
    """The fact a valid order becomes, with its deadlines; consent and channel stay behind.

    Built from the request's already validated parts, not validated a second time: a second
    pass re-checked every e-mail address and text and cost a tenth of a submission's CPU.
    What is new here (ids, the reference, UTC deadlines) is valid by construction, and
    `tests/unit/test_order_validation.py` checks the result equals a validated one.
    """
    details = request.details
    event_start = details.event_start if isinstance(details, EventPresenceDetails) else None
    due = compute_deadlines(now, settings, event_start)
    if isinstance(details, EventPresenceDetails):
        # Timestamps are UTC on the wire (DESIGN §3), whatever offset the citizen sent.
        details = details.model_copy(
            update={
                "event_start": details.event_start.astimezone(UTC),
                "event_end": details.event_end.astimezone(UTC),
            }
        )
    content = {name: getattr(request, name) for name in OrderContent.model_fields}
    return OrderSubmitted.model_construct(
        **{**content, "details": details},
        order_id=order_id,
        reference=reference,
        correlation_id=correlation_id,
        occurred_at=now,
        submitted_at=now,
        decision_due=due.decision_due.astimezone(UTC),
        execution_due=due.execution_due.astimezone(UTC),
        urgent=due.urgent,
        channel=Channel(request.channel),
    )


# --- the citizen's follow-ups on the status page ---------------------------------------


class CancelRequest(VisibleText):
    # No docstring: it would become the schema's description in the published OpenAPI.
    reason: str | None = Field(default=None, max_length=2000)


class InfoAnswer(VisibleText):
    """The citizen's answer to the officer's question."""

    answer: LongText = Field(description="The answer, in the citizen's words")


class Feedback(VisibleText):
    """After the work: did the citizen see the police come, and did it help."""

    carried_out_seen: bool = Field(description="The citizen saw the police carry out the order")
    rating: int | None = Field(default=None, ge=1, le=5, description="Did it help, 1 (no) to 5")
    comment: str | None = Field(default=None, max_length=4000, description="Anything else")


# --- the web form ----------------------------------------------------------------------

#: The form's own names for its fields are the dotted paths of the JSON the API takes, so a
#: field error's `field` names the input it belongs to.
HONEYPOT = "website"
PREFERRED_DATES = 3


@dataclass(frozen=True)
class PostalArea:
    """A postal code's name and the municipalities its area overlaps (largest first)."""

    postal_code: str
    name: str
    municipality_codes: tuple[str, ...]


#: PostNord's postal code for post abroad ("Udland"): no place in Denmark has it.
ABROAD_POSTAL_CODE = "0960"


class PostalCodes:
    """The postal-code table (shipped, or configured): checks a postal code and fills in
    what it decides."""

    def __init__(self, areas: Mapping[str, PostalArea]) -> None:
        self._areas = dict(areas)

    def __len__(self) -> int:
        return len(self._areas)

    def lookup(self, code: str) -> PostalArea | None:
        code = code.strip()
        return self._areas.get(code) if len(code) == 4 and code.isdigit() else None

    def problem(self, code: str) -> str | None:
        """Why a well-formed postal code cannot be the place's (an error type), or None."""
        code = code.strip()
        if len(code) != 4 or not code.isdigit():
            return None  # the contract's own pattern reports it
        if code == ABROAD_POSTAL_CODE:
            return "postal_code_abroad"
        return None if code in self._areas else "unknown_postal_code"


def local_datetime(text: str) -> str:
    """A `datetime-local` value ("2026-12-20T17:00") read as Danish time, in UTC ISO 8601.

    Anything else is passed on unchanged, so that the contract reports it as invalid.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COPENHAGEN)
    return moment.astimezone(UTC).isoformat()


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def order_data_from_form(
    form: Mapping[str, Sequence[str]], category: str, language: str
) -> dict[str, Any]:
    """The form's fields as the JSON the API takes; empty fields are left out."""

    def put(target: dict[str, Any], key: str, name: str) -> None:
        value = _first(form, name)
        if value:
            target[key] = value

    requester: dict[str, Any] = {}
    for key in ("name", "email", "phone", "organisation"):
        put(requester, key, f"requester.{key}")
    location: dict[str, Any] = {}
    for key in ("address", "postal_code", "city", "municipality_code", "lat", "lon"):
        put(location, key, f"location.{key}")
    details: dict[str, Any] = {}
    if category == "traffic_control":
        for key in ("road", "problem", "speed_limit_kmh"):
            put(details, key, f"details.{key}")
        times = [v for v in form.get("details.time_of_day", []) if v]
        if times:
            details["time_of_day"] = times
    elif category == "talk":
        for key in ("topic", "audience", "expected_attendees"):
            put(details, key, f"details.{key}")
        dates = [_first(form, f"details.preferred_dates.{i}") for i in range(PREFERRED_DATES)]
        if any(dates):
            details["preferred_dates"] = [d for d in dates if d]
    elif category == "event_presence":
        for key in ("event_name", "expected_attendees", "venue"):
            put(details, key, f"details.{key}")
        for key in ("event_start", "event_end"):
            value = _first(form, f"details.{key}")
            if value:
                details[key] = local_datetime(value)
    data: dict[str, Any] = {
        "category": category,
        "language": language,
        "requester": requester,
        "location": location,
        "details": details,
        "consent": _first(form, "consent") == "yes",
        "channel": "web",
    }
    put(data, "description", "description")
    return data


def fill_from_postal_code(data: dict[str, Any], postal_codes: PostalCodes | None) -> None:
    """Fill in the city, and the municipality when the postal code lies in one only."""
    location = data.get("location")
    if postal_codes is None or not isinstance(location, dict):
        return
    area = postal_codes.lookup(str(location.get("postal_code", "")))
    if area is None:
        return
    if not location.get("city"):
        location["city"] = area.name
    if not location.get("municipality_code") and len(area.municipality_codes) == 1:
        location["municipality_code"] = area.municipality_codes[0]


def check_form_rules(data: Mapping[str, Any], honeypot: str) -> list[FieldError]:
    """What the web form asks beyond the API: a municipality to route by, an empty honeypot."""
    errors: list[FieldError] = []
    location = data.get("location") or {}
    if not location.get("municipality_code"):
        errors.append(FieldError(("location", "municipality_code"), "municipality_required"))
    if honeypot.strip():
        errors.append(FieldError((HONEYPOT,), "honeypot_filled"))
    return errors
