"""One injectable clock: every timestamp is timezone-aware UTC, and tests can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class FrozenClock:
    """A clock tests set and advance instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def as_utc(moment: datetime) -> datetime:
    """Normalise a timestamp to aware UTC; naive ones (SQLite hands those back) are UTC."""
    if moment.tzinfo is UTC:  # most are already: every column write and read passes here
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
