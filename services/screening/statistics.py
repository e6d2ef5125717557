"""Screening's figures: orders by category, district, status and month, and deadlines kept.

The same figures feed GET /api/v1/stats and the statistics page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, literal
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from services.screening.domain import DECIDABLE, share
from services.screening.models import Officer, QueueEntry
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


def _month_of(session: AsyncSession, column: Any) -> Any:
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _count_when(*conditions: Any) -> Any:
    return func.sum(case((and_(*conditions), 1), else_=0))


async def statistics(
    db: Database,
    officer: Officer,
    *,
    district_code: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Statistics:
    """Aggregated in the database: two GROUP BYs over the queue entries' covering indexes.

    Officers and coordinators get their district's figures; a national admin all, or one
    `district_code`'s.
    """
    scope = _scope(officer, district_code, since)
    stats = Statistics()
    async with db.reading() as session:
        await _add_totals(session, stats, scope, now)
        await _add_months(session, stats, scope)
    return stats


def _scope(officer: Officer, district_code: str | None, since: datetime | None) -> list[Any]:
    q = QueueEntry
    scope: list[Any] = []
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        scope.append(col(q.district_code) == officer.district_code)
    elif district_code:
        scope.append(col(q.district_code) == district_code)
    if since is not None:
        scope.append(col(q.submitted_at) >= since)
    return scope


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
    overdue = (
        and_(
            col(q.status).in_([s.value for s in DECIDABLE]),
            col(q.decision_due) < as_utc(now),
        )
        if now is not None
        else literal(False)
    )
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
            _count_when(overdue),
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
    q = QueueEntry
    month = _month_of(session, col(q.submitted_at))
    monthly = select(month, q.category, func.count()).where(*scope).group_by(month, q.category)
    for month_key, category, n in (await session.exec(monthly)).all():
        if month_key:
            stats.by_month[month_key] += n
            stats.by_month_and_category[month_key][category] += n
