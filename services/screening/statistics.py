"""Screening's figures: orders by category, district, status and month, and deadlines kept.

The same figures feed GET /api/v1/stats and the statistics page. They are read from the
monthly summary (`monthly_counts`, kept by `monthly`), so they take a few hundred rows at any
number of orders; months are months of submission in Danish time. `grouped_statistics`
counts the same figures from the queue entries themselves: the summary's reference (tests
compare the two, `bench/stats_page.py` times both) and the answer for part of a month.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, literal
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from services.screening import monthly
from services.screening.domain import DECIDABLE, share
from services.screening.models import MonthlyCount, Officer, QueueEntry
from shared.clock import as_utc
from shared.db import Database
from shared.vocabulary import Role


@dataclass
class Statistics:
    total: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_district: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_month: Counter[str] = field(default_factory=Counter)
    by_month_and_category: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    decided: int = 0
    decided_in_time: int = 0
    executed: int = 0
    executed_in_time: int = 0
    open_overdue: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_category": dict(self.by_category),
            "by_district": dict(self.by_district),
            "by_status": dict(self.by_status),
            "by_month": dict(sorted(self.by_month.items())),
            "by_month_and_category": {
                month: dict(counts) for month, counts in sorted(self.by_month_and_category.items())
            },
            "decisions": {
                "count": self.decided,
                "within_deadline": self.decided_in_time,
                "share_within_deadline": share(self.decided_in_time, self.decided),
            },
            "executions": {
                "count": self.executed,
                "within_deadline": self.executed_in_time,
                "share_within_deadline": share(self.executed_in_time, self.executed),
            },
            "open_decisions_overdue": self.open_overdue,
        }


def _month_key(session: AsyncSession, column: Any) -> Any:
    """What to group a moment by for its Danish month: on PostgreSQL the month itself; on
    SQLite, which knows no time zones, the UTC month, except in the last two UTC hours of a
    month (22:00 and 23:00, the only ones that can be the next month in Copenhagen), which
    are grouped by their hour and placed in Python."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return func.to_char(func.timezone("Europe/Copenhagen", column), "YYYY-MM")
    at_the_end = and_(
        func.strftime("%d", column, "+1 day") == "01", func.strftime("%H", column) >= "22"
    )
    return case(
        (at_the_end, func.strftime("%Y-%m-%d %H", column)),
        else_=func.strftime("%Y-%m", column),
    )


def _danish_month(key: str) -> str:
    if len(key) == 7:
        return key
    return monthly.month_of(datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC))


def _count_when(*conditions: Any) -> Any:
    return func.sum(case((and_(*conditions), 1), else_=0))


def _district_in_scope(officer: Officer, district_code: str | None) -> tuple[bool, str | None]:
    """(whether the officer may see figures at all, the one district or None for all)."""
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        return officer.district_code is not None, officer.district_code
    return True, district_code or None


async def statistics(
    db: Database,
    officer: Officer,
    *,
    district_code: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Statistics:
    """The figures from the monthly summary, plus a count of the open orders past deadline.

    Officers and coordinators get their district's figures; a national admin all, or one
    `district_code`'s. `since` counts orders submitted from then on: whole months come from
    the summary; when `since` falls inside a month, the rest of that month is counted from
    the queue entries (at most a month of orders, along the submission index).
    """
    allowed, district = _district_in_scope(officer, district_code)
    stats = Statistics()
    if not allowed:
        return stats
    first_month = None
    async with db.reading() as session:
        if since is not None:
            first_month = monthly.month_of(since)
            if monthly.month_start(first_month) < since:
                first_month = monthly.next_month(first_month)
                part = _scope(district, since, until=monthly.month_start(first_month))
                await _add_totals(session, stats, part, None)
                await _add_months(session, stats, part)
        await _add_counters(session, stats, district, first_month)
        if now is not None:
            stats.open_overdue = await _count_overdue(session, _scope(district, since), now)
    return stats


async def grouped_statistics(
    db: Database,
    officer: Officer,
    *,
    district_code: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Statistics:
    """The same figures counted from every queue entry in scope: two GROUP BYs over the
    queue entries' covering indexes (what the statistics did before the monthly summary)."""
    allowed, district = _district_in_scope(officer, district_code)
    stats = Statistics()
    if not allowed:
        return stats
    scope = _scope(district, since)
    async with db.reading() as session:
        await _add_totals(session, stats, scope, now)
        await _add_months(session, stats, scope)
    return stats


def _scope(
    district_code: str | None, since: datetime | None, until: datetime | None = None
) -> list[Any]:
    q = QueueEntry
    scope: list[Any] = []
    if district_code is not None:
        scope.append(col(q.district_code) == district_code)
    if since is not None:
        scope.append(col(q.submitted_at) >= since)
    if until is not None:
        scope.append(col(q.submitted_at) < until)
    return scope


def _overdue(now: datetime | None) -> Any:
    q = QueueEntry
    if now is None:
        return literal(False)
    return and_(
        col(q.status).in_([s.value for s in DECIDABLE]),
        col(q.decision_due) < as_utc(now),
    )


async def _count_overdue(session: AsyncSession, scope: list[Any], now: datetime) -> int:
    """Open orders past their decision deadline: few, read along the (status, next deadline)
    index, since an undecided order's next deadline is its decision's."""
    q = QueueEntry
    query = select(func.count()).where(*scope, _overdue(now), col(q.next_due) < as_utc(now))
    return int((await session.exec(query)).one())


async def _add_counters(
    session: AsyncSession, stats: Statistics, district: str | None, first_month: str | None
) -> None:
    m = MonthlyCount
    scope: list[Any] = [col(m.month) != ""]  # not the summary's "built" mark
    if district is not None:
        scope.append(col(m.district_code) == district)
    if first_month is not None:
        scope.append(col(m.month) >= first_month)
    totals = (
        select(m.district_code, m.category, m.measure, func.sum(m.value))
        .where(*scope)
        .group_by(m.district_code, m.category, m.measure)
    )
    for district_code, category, measure, value in (await session.exec(totals)).all():
        n = int(value or 0)
        if not n:
            continue
        if measure == monthly.ORDERS:
            stats.total += n
            stats.by_category[category] += n
            stats.by_district[district_code or "unrouted"] += n
        elif measure.startswith(monthly.STATUS):
            stats.by_status[measure.removeprefix(monthly.STATUS)] += n
        elif measure == monthly.DECIDED:
            stats.decided += n
        elif measure == monthly.DECIDED_IN_TIME:
            stats.decided_in_time += n
        elif measure == monthly.EXECUTED:
            stats.executed += n
        elif measure == monthly.EXECUTED_IN_TIME:
            stats.executed_in_time += n
    months = (
        select(m.month, m.category, func.sum(m.value))
        .where(*scope, col(m.measure) == monthly.ORDERS)
        .group_by(m.month, m.category)
    )
    for month, category, value in (await session.exec(months)).all():
        if int(value or 0):
            stats.by_month[month] += int(value)
            stats.by_month_and_category[month][category] += int(value)


async def _add_totals(
    session: AsyncSession, stats: Statistics, scope: list[Any], now: datetime | None
) -> None:
    q = QueueEntry
    decided = and_(
        col(q.decision).is_not(None),
        col(q.decided_at).is_not(None),
        col(q.decision_due).is_not(None),
    )
    executed = and_(col(q.completed_at).is_not(None), col(q.execution_due).is_not(None))
    # sqlmodel's select() is typed for at most four columns; Select() takes any number.
    totals: Select[*tuple[Any, ...]] = (
        Select(
            col(q.district_code),
            col(q.category),
            col(q.status),
            func.count(),
            _count_when(decided),
            _count_when(decided, col(q.decided_at) <= col(q.decision_due)),
            _count_when(executed),
            _count_when(executed, col(q.completed_at) <= col(q.execution_due)),
            _count_when(_overdue(now)),
        )
        .where(*scope)
        .group_by(col(q.district_code), col(q.category), col(q.status))
    )
    for district, category, status, n, d, d_ok, e, e_ok, late in (await session.exec(totals)).all():
        stats.total += n
        stats.by_category[category] += n
        stats.by_district[district or "unrouted"] += n
        stats.by_status[status] += n
        stats.decided += int(d or 0)
        stats.decided_in_time += int(d_ok or 0)
        stats.executed += int(e or 0)
        stats.executed_in_time += int(e_ok or 0)
        stats.open_overdue += int(late or 0)


async def _add_months(session: AsyncSession, stats: Statistics, scope: list[Any]) -> None:
    """Orders by month of submission (Danish time) and category."""
    q = QueueEntry
    key = _month_key(session, col(q.submitted_at))
    grouped = select(key, q.category, func.count()).where(*scope).group_by(key, q.category)
    for month_key, category, n in (await session.exec(grouped)).all():
        if month_key:
            month = _danish_month(month_key)
            stats.by_month[month] += n
            stats.by_month_and_category[month][category] += n
