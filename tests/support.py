"""Test helpers: realistic orders, bounded polling instead of sleeping, free ports."""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bestil.broker import free_port as free_port
from shared import events
from shared.settings import DeadlineSettings

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    within: float = 30.0,
    interval: float = 0.1,
    what: str = "",
) -> T:
    """Poll until `probe` returns something truthy; fail with the last value after `timeout`."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {within}s waiting for {what or probe}: last {last!r}")


def requester(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Mette Hansen",
        "email": "mette.hansen@example.dk",
        "phone": "+45 20 30 40 50",
        **overrides,
    }


def traffic_order(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "traffic_control",
        "language": "da",
        "requester": requester(),
        "location": {
            "address": "Skovvejen 12",
            "postal_code": "8000",
            "city": "Aarhus C",
            "municipality_code": "751",
        },
        "description": "Bilerne kører alt for stærkt forbi skolen om morgenen.",
        "details": {
            "road": "Skovvejen mellem nr. 2 og 40",
            "problem": "speeding",
            "speed_limit_kmh": 40,
            "time_of_day": ["morning"],
        },
        "consent": True,
        **overrides,
    }


def talk_order(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "talk",
        "language": "en",
        "requester": requester(
            name="Jens Jensen",
            email="jens@example.dk",
            organisation="Grundejerforeningen Solsikken",
        ),
        "location": {"postal_code": "5000", "city": "Odense C", "municipality_code": "461"},
        "description": "We would like a talk about burglary prevention for our members.",
        "details": {
            "topic": "burglary_prevention",
            "audience": "Members of the homeowners' association",
            "expected_attendees": 45,
        },
        "consent": True,
        **overrides,
    }


def event_order(
    now: datetime | None = None, *, starts_in: timedelta = timedelta(days=20), **overrides: Any
) -> dict[str, Any]:
    start = (now or datetime.now(UTC)) + starts_in
    return {
        "category": "event_presence",
        "language": "da",
        "requester": requester(
            name="Anna Berg", email="anna@example.dk", organisation="Rønne Byfest"
        ),
        "location": {"postal_code": "3700", "city": "Rønne", "municipality_code": "400"},
        "description": "Byfest med musik og mange gæster på torvet.",
        "details": {
            "event_name": "Rønne Byfest",
            "event_start": start.isoformat(),
            "event_end": (start + timedelta(hours=6)).isoformat(),
            "expected_attendees": 3000,
            "venue": "Store Torv",
        },
        "consent": True,
        **overrides,
    }


@functools.cache
def _deadlines() -> DeadlineSettings:
    """Read once: pydantic-settings reading the environment was two thirds of building an
    event (~2 ms), which the benchmarks' 100,000 orders and the tests' thousands paid each."""
    return DeadlineSettings()


def submitted_event(order: dict[str, Any] | None = None, **overrides: Any) -> events.OrderSubmitted:
    """An `OrderSubmitted` as intake would publish it."""
    from services.intake.domain import OrderRequest, build_order_submitted
    from shared.references import new_reference

    now = overrides.pop("now", datetime.now(UTC))
    event = build_order_submitted(
        OrderRequest.model_validate(order or traffic_order()),
        now=now,
        order_id=uuid.uuid4(),
        reference=new_reference(),
        correlation_id="test",
        settings=_deadlines(),
    )
    return event.model_copy(update=overrides) if overrides else event


async def staged_events(db: Any, store: Any, model: type | None = None) -> list[events.Event]:
    """The events a service put in its outbox, oldest first: of one type, or by default every
    internal event (not the agencies' stream, which screening stages alongside them)."""
    from sqlalchemy import select

    from shared.db import execute
    from shared.topics import BY_NAME

    table = store.outbox
    async with db.reading() as session:
        rows = (
            await execute(session, select(table.c.topic, table.c.payload).order_by(table.c.id))
        ).all()
    found = [BY_NAME[row.topic].model.model_validate_json(row.payload) for row in rows]
    return [
        e for e in found if isinstance(e, events.Event) and (model is None or isinstance(e, model))
    ]
