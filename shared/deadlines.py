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


#: Days the public administration is closed although they are no public holidays (month, day):
#: Grundlovsdag (5 June), Christmas Eve and New Year's Eve. The `holidays` package lists them
#: only among Denmark's optional days, beside 1 May, which is not a closed day by law.
PUBLIC_SECTOR_CLOSED_DAYS: frozenset[tuple[int, int]] = frozenset({(6, 5), (12, 24), (12, 31)})


@lru_cache(maxsize=8)
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_working_day(day: date, closed_days: bool = True) -> bool:
    """Monday to Friday, not a Danish public holiday, and (with `closed_days`, the default as
    in `DeadlineSettings`) not one of the public sector's closed days."""
    if day.weekday() >= 5 or day in _danish_holidays(day.year):
        return False
    return not (closed_days and (day.month, day.day) in PUBLIC_SECTOR_CLOSED_DAYS)


def add_days(start: datetime, days: int, day_count: str, *, closed_days: bool = True) -> datetime:
    """Calendar days, or working days (`is_working_day`) counted in Danish time."""
    if day_count == "calendar":
        return start + timedelta(days=days)
    local = start.astimezone(COPENHAGEN)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed_days):
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
    closed = settings.public_sector_closed_days
    decision_due = add_days(
        submitted_at, settings.decision_days, settings.day_count, closed_days=closed
    )
    execution_due = add_days(
        submitted_at, settings.execution_days, settings.day_count, closed_days=closed
    )
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


def days_left(
    now: datetime, due: datetime, day_count: str = "calendar", *, closed_days: bool = True
) -> int:
    """Whole days until a deadline (negative once passed), counted the configured way."""
    start = now.astimezone(COPENHAGEN).date()
    end = due.astimezone(COPENHAGEN).date()
    if day_count == "calendar":
        return (end - start).days
    sign = 1 if end >= start else -1
    lo, hi = sorted((start, end))
    count = sum(
        1
        for i in range(1, (hi - lo).days + 1)
        if is_working_day(lo + timedelta(days=i), closed_days)
    )
    return sign * count
