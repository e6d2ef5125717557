"""The promise in numbers: when a decision and the work are due (DESIGN §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from shared.danish_time import COPENHAGEN
from shared.settings import DeadlineSettings


@dataclass(frozen=True)
class Deadlines:
    decision_due: datetime
    execution_due: datetime
    urgent: bool


@lru_cache(maxsize=8)
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def add_days(start: datetime, days: int, day_count: str) -> datetime:
    """Calendar days, or working days (Mon–Fri, not Danish public holidays) counted in Danish time."""
    if day_count == "calendar":
        return start + timedelta(days=days)
    local = start.astimezone(COPENHAGEN)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    moved = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=COPENHAGEN)
    return moved.astimezone(start.tzinfo)


def compute_deadlines(
    submitted_at: datetime, settings: DeadlineSettings, event_start: datetime | None = None
) -> Deadlines:
    """Decision within 14 days, execution within 30; an event is due when it starts.

    An event starting sooner than the ordinary decision deadline is urgent. For every event the
    decision is due two days before it starts at the latest, so that an event 14 days out is
    not decided on its own start day.
    """
    decision_due = add_days(submitted_at, settings.decision_days, settings.day_count)
    execution_due = add_days(submitted_at, settings.execution_days, settings.day_count)
    urgent = False
    if event_start is not None:
        execution_due = event_start
        urgent = event_start < decision_due
        latest = event_start - timedelta(days=settings.urgent_decision_lead_days)
        decision_due = max(submitted_at, min(decision_due, latest))
    return Deadlines(decision_due, execution_due, urgent)


def too_soon(submitted_at: datetime, event_start: datetime, settings: DeadlineSettings) -> bool:
    """An event this close cannot be screened in time: the citizen is sent to 114."""
    return event_start - submitted_at < timedelta(hours=settings.min_event_notice_hours)


def days_left(now: datetime, due: datetime, day_count: str = "calendar") -> int:
    """Whole days until a deadline (negative once passed), counted the configured way."""
    start = now.astimezone(COPENHAGEN).date()
    end = due.astimezone(COPENHAGEN).date()
    if day_count == "calendar":
        return (end - start).days
    sign = 1 if end >= start else -1
    lo, hi = sorted((start, end))
    count = sum(1 for i in range(1, (hi - lo).days + 1) if is_working_day(lo + timedelta(days=i)))
    return sign * count
