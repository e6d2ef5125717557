"""Orders taken by phone: the officer's form becomes the citizen's order for intake's API.

The order enters like any other (intake validates, stores and publishes it) with channel
"phone", which intake grants only to callers holding the shared phone-channel key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from services.screening import audit
from services.screening.forms import FieldProblem, local_datetime
from services.screening.models import Officer, QueuedOrder
from shared.db import Database

#: The form's prefix for each category's details (their fields share names across categories).
DETAIL_PREFIX = {"traffic_control": "traffic", "talk": "talk", "event_presence": "event"}

_INTS = {"speed_limit_kmh", "expected_attendees"}


def _text(form: dict[str, Any], name: str) -> str | None:
    value = form.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def _list(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name)
    values = value if isinstance(value, list) else [value]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _number(text: str | None) -> int | float | str | None:
    """Numbers as numbers; anything else is passed on for intake to reject in its words."""
    if text is None:
        return None
    cleaned = text.replace(" ", "").replace(".", "")
    if cleaned.lstrip("-").isdigit():
        return int(cleaned)
    return text


def _coordinate(text: str | None) -> float | str | None:
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def order_payload(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body for intake's POST /api/v1/orders, and the problems found before sending.

    Only intake decides what is valid; this reads the form's shapes (numbers, Danish local
    times) so that intake can judge the values.
    """
    problems: dict[str, str] = {}
    category = _text(form, "category")
    requester = {
        key: _text(form, f"requester.{key}") for key in ("name", "email", "phone", "organisation")
    }
    location: dict[str, Any] = {
        key: _text(form, f"location.{key}")
        for key in ("address", "postal_code", "city", "municipality_code")
    }
    location["lat"] = _coordinate(_text(form, "location.lat"))
    location["lon"] = _coordinate(_text(form, "location.lon"))
    details: dict[str, Any] = {}
    prefix = DETAIL_PREFIX.get(category or "")
    if prefix == "traffic":
        details = {
            "road": _text(form, "traffic.road"),
            "problem": _text(form, "traffic.problem"),
            "speed_limit_kmh": _number(_text(form, "traffic.speed_limit_kmh")),
            "time_of_day": _list(form, "traffic.time_of_day") or None,
        }
    elif prefix == "talk":
        details = {
            "topic": _text(form, "talk.topic"),
            "audience": _text(form, "talk.audience"),
            "expected_attendees": _number(_text(form, "talk.expected_attendees")),
            "preferred_dates": _list(form, "talk.preferred_dates") or None,
        }
    elif prefix == "event":
        details = {
            "event_name": _text(form, "event.event_name"),
            "expected_attendees": _number(_text(form, "event.expected_attendees")),
            "venue": _text(form, "event.venue"),
        }
        for key in ("event_start", "event_end"):
            try:
                moment = local_datetime(_text(form, f"event.{key}"), required=False)
            except FieldProblem as exc:
                problems[f"event.{key}"] = str(exc)
                moment = None
            details[key] = moment.isoformat() if moment else None
    payload = {
        "category": category,
        "language": _text(form, "language") or "da",
        "requester": _without_none(requester),
        "location": _without_none(location),
        "description": _text(form, "description"),
        "details": _without_none(details),
        "consent": form.get("consent") in ("on", "true", "1", True),
        "channel": "phone",
    }
    return _without_none(payload), problems


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def form_field(intake_field: str, category: str | None) -> str:
    """The form field an intake error belongs to ("details.road" → "traffic.road")."""
    if intake_field.startswith("details.") and category in DETAIL_PREFIX:
        rest = intake_field.removeprefix("details.").split(".")[0]
        return f"{DETAIL_PREFIX[category]}.{rest}"
    parts = intake_field.split(".")
    if parts[0] in ("requester", "location") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0] if parts and parts[0] else ""


def field_errors(
    detail: Any, category: str | None, known: set[str]
) -> tuple[dict[str, str], list[str]]:
    """Intake's 422 detail list → (errors by form field, errors that fit no field)."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for entry in detail if isinstance(detail, list) else []:
        if not isinstance(entry, dict):
            continue
        message = str(entry.get("msg") or "Ugyldig værdi.")
        name = form_field(str(entry.get("field") or ""), category)
        if name in known:
            by_field.setdefault(name, message)
        else:
            general.append(message)
    return by_field, general


class IntakeUnavailableError(Exception):
    """Intake did not answer; nothing is known to have been stored."""


@dataclass
class IntakeAnswer:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)


async def submit(
    http: httpx.AsyncClient,
    intake_url: str,
    key: str,
    payload: dict[str, Any],
    *,
    idempotency_key: str,
    correlation_id: str,
) -> IntakeAnswer:
    """POST the order to intake; the idempotency key makes a double click one order."""
    try:
        response = await http.post(
            intake_url.rstrip("/") + "/api/v1/orders",
            json=payload,
            headers={
                "X-Phone-Channel-Key": key,
                "Idempotency-Key": idempotency_key,
                "X-Correlation-Id": correlation_id,
                "Accept-Language": "da",
            },
        )
    except httpx.HTTPError as exc:
        raise IntakeUnavailableError(type(exc).__name__) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    return IntakeAnswer(response.status_code, body if isinstance(body, dict) else {})


async def record_registered(
    db: Database, officer: Officer, *, now: datetime, order_id: str | None, reference: str
) -> None:
    """Note in the audit trail who registered which order by phone, under the order's district.

    Routing usually has not placed the order yet: then the entry has no district until the
    routed event fills it in (`audit.file_phone_order_under`); if it already has, it is used.
    """
    async with db.transaction() as session:
        order = await session.get(QueuedOrder, order_id) if order_id else None
        audit.record_phone_order(
            session,
            officer,
            now=now,
            order_id=order_id,
            reference=reference,
            district_code=order.district_code if order else None,
        )
