"""The statistics' monthly summary (`monthly_counts`), kept up to date with every order change.

What one order contributes is pure (`contribution`): one order in its district, month of
submission (Danish time) and category, one in its status, and whether it was decided and
carried out, each within its deadline or not. `projection.sync_entry`, which every change to
an order passes through (consumed events, officers' actions, retention), moves the order's
contribution from its old queue entry to its new one in the change's own transaction; the
counters are written at commit with one upsert per batch (`shared.db.stage_increments`). So
the statistics read a few hundred rows instead of counting a million orders, and a
redelivered event, skipped by its id, never counts twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import MonthlyCount, QueueEntry
from shared.clock import as_utc
from shared.counters import moved
from shared.danish_time import COPENHAGEN, local
from shared.db import Database, execute, stage_increments

ORDERS = "orders"
STATUS = "status:"
DECIDED = "decided"
DECIDED_IN_TIME = "decided_in_time"
EXECUTED = "executed"
EXECUTED_IN_TIME = "executed_in_time"
NO_DISTRICT = ""
"""The district of an order not routed yet (a primary key has no NULL)."""
BUILT = (NO_DISTRICT, "", "", "built")
"""The row that says the counters hold every order (written by `build`)."""

FIELDS = (
    "district_code",
    "category",
    "status",
    "submitted_at",
    "decision",
    "decided_at",
    "decision_due",
    "completed_at",
    "execution_due",
)
"""The queue entry's fields the statistics count by."""

Key = tuple[str, str, str, str]
"""district, month, category, measure: `monthly_counts`' primary key, in column order."""


def month_of(moment: datetime) -> str:
    """The month (YYYY-MM) a moment falls in on Copenhagen's wall clock."""
    month = _MONTHS.get(moment)
    if month is None:
        wall = local(moment)
        month = f"{wall.year:04d}-{wall.month:02d}"
        if len(_MONTHS) >= 4096:  # an order's moment is asked for a few times, then never
            _MONTHS.clear()
        _MONTHS[moment] = month
    return month


#: Moments seen lately and their months: every change of an order counts its month of
#: submission twice (before, after), and the zone conversion was 3 % of screening's batch.
_MONTHS: dict[datetime, str] = {}


def month_start(month: str) -> datetime:
    """The first moment of a month (YYYY-MM) in Danish time, as an aware datetime."""
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=COPENHAGEN)


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def contribution(entry: Mapping[str, Any] | None) -> dict[Key, int]:
    """The counters one order stands for, from its queue entry's values (`FIELDS`)."""
    if entry is None or entry.get("category") is None or entry.get("submitted_at") is None:
        return {}
    district = entry.get("district_code") or NO_DISTRICT
    month, category = month_of(entry["submitted_at"]), entry["category"]
    # A plain dict, not a Counter: every order change counts both sides (bench/consumer_batch).
    counted = {
        (district, month, category, ORDERS): 1,
        (district, month, category, STATUS + entry["status"]): 1,
    }
    decided_at, decision_due = entry.get("decided_at"), entry.get("decision_due")
    if entry.get("decision") is not None and decided_at is not None and decision_due is not None:
        counted[(district, month, category, DECIDED)] = 1
        if as_utc(decided_at) <= as_utc(decision_due):
            counted[(district, month, category, DECIDED_IN_TIME)] = 1
    completed_at, execution_due = entry.get("completed_at"), entry.get("execution_due")
    if completed_at is not None and execution_due is not None:
        counted[(district, month, category, EXECUTED)] = 1
        if as_utc(completed_at) <= as_utc(execution_due):
            counted[(district, month, category, EXECUTED_IN_TIME)] = 1
    return counted


def values_of(entry: QueueEntry) -> dict[str, Any]:
    """The fields of a stored queue entry that `contribution` reads."""
    return {name: getattr(entry, name) for name in FIELDS}


def stage_change(
    session: AsyncSession, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> None:
    """Move an order's contribution from its old entry's values to its new ones, at commit."""
    if before is not None and after is not None and all(before[f] == after[f] for f in FIELDS):
        return  # most steps move no counter: a cheap look before counting both sides
    delta = moved(contribution(before), contribution(after))
    if delta:
        stage_increments(session, MonthlyCount.__table__, delta)  # type: ignore[attr-defined]


async def build(db: Database, batch: int = 5000) -> int | None:
    """At start-up: count every queued order into the summary once, if it was never done
    (the table is new, or was emptied to be rebuilt); returns how many orders, or None.

    Idempotent and safe beside running consumers: on PostgreSQL the counters are locked
    against writers until the count commits, so a change to an order either is counted
    here or moves the counters after this; on SQLite the first write takes the database's
    one write lock.
    """
    async with db.reading() as session:
        if await _is_built(session):
            return None
    async with db.transaction() as session:
        if db.dialect == "postgresql":
            await execute(session, text("LOCK TABLE monthly_counts IN EXCLUSIVE MODE"))
        if await _is_built(session):
            return None
        await execute(session, delete(MonthlyCount))
        totals: Counter[Key] = Counter()
        counted, last = 0, ""
        columns = [col(getattr(QueueEntry, name)) for name in FIELDS]
        while True:
            query = (
                select(col(QueueEntry.order_id), *columns)
                .where(col(QueueEntry.order_id) > last)
                .order_by(col(QueueEntry.order_id))
                .limit(batch)
            )
            rows = (await session.exec(query)).all()
            if not rows:
                break
            for row in rows:
                totals.update(contribution(dict(zip(FIELDS, row[1:], strict=True))))
            counted += len(rows)
            last = rows[-1][0]
        keys = ("district_code", "month", "category", "measure")
        values = [{**dict(zip(keys, key, strict=True)), "value": n} for key, n in totals.items()]
        values.append({**dict(zip(keys, BUILT, strict=True)), "value": 1})
        for start in range(0, len(values), 1000):
            await execute(session, insert(MonthlyCount), values[start : start + 1000])
    return counted


async def _is_built(session: AsyncSession) -> bool:
    district, month, category, measure = BUILT
    found = await session.exec(
        select(MonthlyCount.value).where(
            MonthlyCount.district_code == district,
            MonthlyCount.month == month,
            MonthlyCount.category == category,
            MonthlyCount.measure == measure,
        )
    )
    return found.first() is not None
