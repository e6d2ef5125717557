"""The week plan's use cases: reading a district's weeks, and a coordinator setting capacity.

Each opens its own transaction. The plan shows no personal data (reference, time, category,
the road, topic or event name, municipality: what the queue shows), so reading it is not
audited; a change of capacity is, in the change's own transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit, planning
from services.screening.models import Officer, QueuedOrder, QueueEntry, WeeklyCapacity
from services.screening.planning import Week, WeekLoad
from shared.clock import as_utc
from shared.danish_time import local
from shared.db import Database
from shared.vocabulary import Category, OrderStatus, Role

#: Visits that take a place in the week: planned, and those already carried out as planned.
BOOKED_STATUSES = (OrderStatus.SCHEDULED.value, OrderStatus.COMPLETED.value)
#: How many accepted, unscheduled orders the plan lists (the most pressing first).
WAITING_LIMIT = 100


class PlanRefusedError(Exception):
    """The officer may not see, or change, this district's plan."""


@dataclass(frozen=True)
class PlannedVisit:
    """A visit on the plan: what the queue would show of the order, and when."""

    order_id: str
    reference: str
    category: str
    status: str
    planned_start: datetime
    subject: str
    municipality_code: str | None
    execution_due: datetime | None


@dataclass(frozen=True)
class WeekPlan:
    """A district's weeks: load against capacity, visits by day, and what waits to be planned."""

    district_code: str
    weeks: list[Week]
    loads: list[WeekLoad]
    visits: dict[date, list[PlannedVisit]]
    waiting: list[QueueEntry]
    waiting_total: int
    capacities: dict[tuple[str, str], int] = field(default_factory=dict)

    def defaults(self) -> dict[str, int | None]:
        return {c.value: self.capacities.get((c.value, planning.DEFAULT_WEEK)) for c in Category}

    def own(self, week: Week) -> dict[str, int | None]:
        """The week's own capacities (None where the default applies)."""
        return {c.value: self.capacities.get((c.value, week.key)) for c in Category}


async def week_plan(
    db: Database, officer: Officer, district_code: str, weeks: list[Week]
) -> WeekPlan:
    """The district's plan for `weeks` (consecutive), if the officer may see it."""
    if not planning.may_see_plan(Role(officer.role), officer.district_code, district_code):
        raise PlanRefusedError(district_code)
    async with db.reading() as session:
        visits = await _visits(session, district_code, weeks[0].starts, weeks[-1].ends)
        capacities = await _capacities(session, district_code, weeks)
        waiting, total = await _waiting(session, district_code)
    booked = planning.bookings((v.planned_start, v.category) for v in visits)
    by_day: dict[date, list[PlannedVisit]] = defaultdict(list)
    for visit in visits:
        by_day[local(visit.planned_start).date()].append(visit)
    return WeekPlan(
        district_code=district_code,
        weeks=weeks,
        loads=planning.week_loads(weeks, booked, capacities),
        visits=dict(by_day),
        waiting=waiting,
        waiting_total=total,
        capacities=capacities,
    )


async def _visits(
    session: AsyncSession, district_code: str, start: datetime, end: datetime
) -> list[PlannedVisit]:
    o, q = QueuedOrder, QueueEntry
    query = (
        select(o, q.subject, q.municipality_code)
        .join(q, col(q.order_id) == col(o.order_id))
        .where(
            col(o.district_code) == district_code,
            col(o.status).in_(BOOKED_STATUSES),
            col(o.planned_start) >= as_utc(start),
            col(o.planned_start) < as_utc(end),
        )
        .order_by(col(o.planned_start), col(o.reference))
    )
    found = []
    for order, subject, municipality in (await session.exec(query)).all():
        assert order.planned_start is not None  # the query asked for a planned start
        found.append(
            PlannedVisit(
                order_id=order.order_id,
                reference=order.reference,
                category=order.category or "",
                status=order.status,
                planned_start=as_utc(order.planned_start),
                subject=subject,
                municipality_code=municipality,
                execution_due=as_utc(order.execution_due) if order.execution_due else None,
            )
        )
    return found


async def _capacities(
    session: AsyncSession, district_code: str, weeks: list[Week]
) -> dict[tuple[str, str], int]:
    keys = [planning.DEFAULT_WEEK, *(w.key for w in weeks)]
    query = select(WeeklyCapacity).where(
        WeeklyCapacity.district_code == district_code, col(WeeklyCapacity.week).in_(keys)
    )
    return {(row.category, row.week): row.visits for row in (await session.exec(query)).all()}


async def _waiting(session: AsyncSession, district_code: str) -> tuple[list[QueueEntry], int]:
    """Accepted orders with no visit planned, the nearest execution deadline first."""
    q = QueueEntry
    where = (col(q.district_code) == district_code, q.status == OrderStatus.ACCEPTED.value)
    query = (
        select(q)
        .where(*where)
        .order_by(col(q.execution_due).asc().nulls_last(), col(q.reference))
        .limit(WAITING_LIMIT)
    )
    rows = list((await session.exec(query)).all())
    total = int((await session.exec(select(func.count()).where(*where))).one())
    return rows, total


async def set_capacity(
    db: Database,
    officer: Officer,
    district_code: str,
    week: Week | None,
    visits: dict[str, int | None],
    *,
    now: datetime,
) -> list[str]:
    """Set the district's weekly capacity per category: the default (`week` None) or one week's.

    None removes the value (a week then follows the default; the default becomes "not set").
    The categories that changed are audited with their old and new values, in this transaction.
    """
    if not planning.may_set_capacity(Role(officer.role), officer.district_code, district_code):
        raise PlanRefusedError(district_code)
    key = week.key if week else planning.DEFAULT_WEEK
    changed: dict[str, dict[str, int | None]] = {}
    async with db.transaction() as session:
        for category, wanted in visits.items():
            Category(category)  # a category the plan knows, or ValueError
            row = await session.get(WeeklyCapacity, (district_code, category, key))
            before = row.visits if row else None
            if before == wanted:
                continue
            changed[category] = {"before": before, "after": wanted}
            if wanted is None:
                assert row is not None
                await session.delete(row)
            elif row is None:
                session.add(
                    WeeklyCapacity(
                        district_code=district_code,
                        category=category,
                        week=key,
                        visits=wanted,
                        updated_at=now,
                        updated_by=officer.id,
                    )
                )
            else:
                row.visits, row.updated_at, row.updated_by = wanted, now, officer.id
        if changed:
            audit.record(
                session,
                officer=officer,
                action="capacity_set",
                now=now,
                district_code=district_code,
                facts={"week": key or "default", "changed": sorted(changed), "values": changed},
            )
    return sorted(changed)
