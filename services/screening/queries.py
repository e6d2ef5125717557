"""Questions asked of screening's read model, inside the caller's session.

The building blocks of the use cases in `reading` and `actions`, which own the transactions;
every question is scoped to what the officer may see.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, literal_column, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import cursors
from services.screening.domain import OPEN_STATUSES, may_see
from services.screening.models import Officer, OrderActivity, QueuedOrder, QueueEntry
from services.screening.nearby import Place, bounding_box, distance_m, is_nearby
from services.screening.projection import entry_values
from shared.clock import as_utc
from shared.vocabulary import FINAL_STATUSES, OrderStatus, Role


class OrderNotVisibleError(Exception):
    """Unknown order, or another district's: both look the same to the caller (404)."""


async def visible_order(session: AsyncSession, officer: Officer, order_id: str) -> QueuedOrder:
    """The order, if the officer may see it; `OrderNotVisibleError` otherwise."""
    try:
        uuid.UUID(order_id)
    except ValueError:
        raise OrderNotVisibleError(order_id) from None
    order = await session.get(QueuedOrder, order_id)
    if (
        order is None
        or order.content is None
        or not may_see(Role(officer.role), officer.district_code, order.district_code)
    ):
        raise OrderNotVisibleError(order_id)
    return order


def _visible_to(query: Any, officer: Officer, table: Any = QueuedOrder) -> Any:
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        query = query.where(table.district_code == officer.district_code)
    return query


_REFERENCE = re.compile(r"^BEB-[0-9A-HJKMNP-TV-Z]{8}$")


def normalise_reference_query(text: str | None) -> str:
    """What an officer typed into the search box, as (part of) a reference."""
    cleaned = re.sub(r"[^0-9A-Za-z-]", "", text or "").upper()
    if len(cleaned) == 8 and "-" not in cleaned:
        cleaned = "BEB-" + cleaned
    return cleaned


@dataclass(frozen=True)
class OrderPage:
    """One page of a listing, and the cursor of the next (None after the last page)."""

    orders: list[QueuedOrder]
    next_cursor: cursors.Cursor | None


async def list_orders(
    session: AsyncSession,
    officer: Officer,
    *,
    status: str | None = None,
    category: str | None = None,
    updated_since: datetime | None = None,
    after: cursors.Cursor | None = None,
    limit: int = 500,
) -> OrderPage:
    """A page of the caller's orders; admins see all and the unroutable ones.

    Without `updated_since`: the most urgent decision first (the deadline, then the reference,
    neither of which changes, so the pages never overlap). With it: the orders changed at or
    after it, the oldest change first, then by id; an order that changes while the pages are
    walked moves behind the cursor and comes again, with its new state, on a later page.
    """
    q = QueuedOrder
    query = _visible_to(select(q).where(col(q.content).is_not(None)), officer)
    if status:
        query = query.where(q.status == status)
    if category:
        query = query.where(q.category == category)
    if updated_since is None:
        query = query.order_by(col(q.decision_due), col(q.reference))
        if after is not None:
            query = query.where(
                or_(
                    col(q.decision_due) > after.at,
                    and_(col(q.decision_due) == after.at, col(q.reference) > after.key),
                )
            )
    else:
        query = query.where(col(q.updated_at) >= updated_since)
        query = query.order_by(col(q.updated_at), col(q.order_id))
        if after is not None:
            query = query.where(
                or_(
                    col(q.updated_at) > after.at,
                    and_(col(q.updated_at) == after.at, col(q.order_id) > after.key),
                )
            )
    found = list((await session.exec(query.limit(limit + 1))).all())
    if len(found) <= limit:
        return OrderPage(found, None)
    last = found[limit - 1]
    if updated_since is None:
        assert last.decision_due is not None  # every order with content has its deadline
        cursor = cursors.Cursor(cursors.BY_DEADLINE, last.decision_due, last.reference)
    else:
        cursor = cursors.Cursor(cursors.BY_CHANGE, last.updated_at, last.order_id)
    return OrderPage(found[:limit], cursor)


@dataclass(frozen=True)
class QueueFilter:
    """What the officer narrowed the queue to: "open" (the default), "all" or one status."""

    status: str = "open"
    category: str | None = None
    reference: str | None = None
    district_code: str | None = None
    alerts_only: bool = False


_FINAL = [s.value for s in FINAL_STATUSES]
_OPEN = [s.value for s in OPEN_STATUSES]


def _queue_conditions(officer: Officer, wanted: QueueFilter) -> list[Any]:
    """The filter's conditions on `queue_entries`, status aside."""
    q = QueueEntry
    conditions: list[Any] = []
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        conditions.append(q.district_code == officer.district_code)
    elif wanted.district_code:
        conditions.append(q.district_code == wanted.district_code)
    if wanted.category:
        conditions.append(q.category == wanted.category)
    if wanted.alerts_only:
        conditions.append(
            or_(col(q.decision_alert).is_not(None), col(q.execution_alert).is_not(None))
        )
    needle = normalise_reference_query(wanted.reference)
    if needle and _REFERENCE.match(needle):
        conditions.append(q.reference == needle)
    elif needle:
        conditions.append(col(q.reference).contains(needle, autoescape=True))
    return conditions


COUNT_CAP = 10_000
"""Beyond this many, a queue's total is shown as "more than 10,000": nobody reads the exact
number, and counting the whole archive for it was most of the national page's time."""


@dataclass(frozen=True)
class QueueSlice:
    """One page of the queue; `total` is exact unless `more` says there are more than it."""

    rows: list[QueueEntry]
    total: int
    more: bool = False


async def queue_page(
    session: AsyncSession, officer: Officer, wanted: QueueFilter, *, page: int, page_size: int
) -> QueueSlice:
    """One page of the officer's queue and the total, counted up to `COUNT_CAP`.

    Open orders come first, the most urgent next deadline first; finished ones (when asked
    for) follow, the newest first. Both parts are read from the narrow `queue_entries` along
    its indexes, so that neither has to sort the archive.
    """
    q = QueueEntry
    conditions = _queue_conditions(officer, wanted)
    if wanted.status == "open":
        open_statuses, final_statuses = _OPEN, []
    elif wanted.status == "all":
        open_statuses, final_statuses = _OPEN, _FINAL
    elif wanted.status in _FINAL:
        open_statuses, final_statuses = [], [wanted.status]
    else:
        open_statuses, final_statuses = [wanted.status], []

    async def count(statuses: list[str], cap: int | None = COUNT_CAP) -> int:
        """How many, or `cap + 1` when more: stops after that many index entries."""
        if not statuses:
            return 0
        matching: Any = select(literal_column("1")).where(*conditions, col(q.status).in_(statuses))
        if cap is not None:
            matching = matching.limit(cap + 1)
        query = select(func.count()).select_from(matching.subquery())
        return int((await session.exec(query)).one())

    offset = page * page_size
    open_total = await count(open_statuses)
    if open_total > COUNT_CAP and final_statuses and offset + page_size > COUNT_CAP:
        open_total = await count(open_statuses, cap=None)  # a deep page: where finished begin
    final_total = await count(final_statuses)
    rows: list[QueueEntry] = []
    if open_statuses and (offset < open_total or open_total > COUNT_CAP):
        query = (
            select(q)
            .where(*conditions, col(q.status).in_(open_statuses))
            .order_by(col(q.next_due).asc().nulls_last(), col(q.reference))
            .limit(page_size)
            .offset(offset)
        )
        rows.extend((await session.exec(query)).all())
    if final_statuses and len(rows) < page_size:
        query = (
            select(q)
            .where(*conditions, col(q.status).in_(final_statuses))
            .order_by(col(q.submitted_at).desc(), col(q.order_id))
            .limit(page_size - len(rows))
            .offset(max(0, offset - open_total))
        )
        rows.extend((await session.exec(query)).all())
    total = open_total + final_total
    if total > COUNT_CAP:
        return QueueSlice(rows, COUNT_CAP, more=True)
    return QueueSlice(rows, total)


async def same_road_counts(
    session: AsyncSession, officer: Officer, rows: list[QueueEntry], *, since: datetime
) -> dict[str, int]:
    """For each queue row: how many *other* open orders the officer sees name the same road in
    the same municipality since `since` (the queue's hint; the order page looks closer)."""
    q = QueueEntry
    pairs = sorted(
        {(r.municipality_code, r.road_key) for r in rows if r.road_key and r.municipality_code}
    )
    if not pairs:
        return {}
    query = (
        select(q.municipality_code, q.road_key, func.count())
        .where(
            or_(*(and_(col(q.municipality_code) == m, col(q.road_key) == r) for m, r in pairs)),
            col(q.status).in_(_OPEN),
            col(q.submitted_at) >= since,
        )
        .group_by(q.municipality_code, q.road_key)
    )
    counts = {(m, r): n for m, r, n in (await session.exec(_visible_to(query, officer, q))).all()}
    result = {}
    for row in rows:
        others = counts.get((row.municipality_code, row.road_key), 0)
        others -= (
            1
            if row.status in _OPEN and row.submitted_at and as_utc(row.submitted_at) >= since
            else 0
        )
        if others > 0:
            result[row.order_id] = others
    return result


async def count_unroutable(session: AsyncSession) -> int:
    query = select(func.count()).where(QueueEntry.status == OrderStatus.NEEDS_ROUTING.value)
    return int((await session.exec(query)).one())


async def unroutable_orders(
    session: AsyncSession, limit: int = 200
) -> list[tuple[QueuedOrder, str]]:
    """The national manual-routing queue, oldest first, each with why routing gave up."""
    query = (
        select(QueuedOrder)
        .where(
            col(QueuedOrder.category).is_not(None),
            QueuedOrder.status == OrderStatus.NEEDS_ROUTING.value,
        )
        .order_by(col(QueuedOrder.decision_due), col(QueuedOrder.reference))
        .limit(limit)
    )
    orders = list((await session.exec(query)).all())
    reasons: dict[str, str] = {}
    if orders:
        found = await session.exec(
            select(OrderActivity).where(
                col(OrderActivity.order_id).in_([o.order_id for o in orders]),
                OrderActivity.kind == "OrderUnroutable",
            )
        )
        for entry in found.all():
            reasons[entry.order_id] = str(entry.facts.get("reason", ""))
    return [(o, reasons.get(o.order_id, "")) for o in orders]


async def activity(session: AsyncSession, order_id: str) -> list[OrderActivity]:
    query = (
        select(OrderActivity)
        .where(OrderActivity.order_id == order_id)
        .order_by(col(OrderActivity.at), col(OrderActivity.id))
    )
    return list((await session.exec(query)).all())


async def officers_by_id(session: AsyncSession, ids: set[str]) -> dict[str, Officer]:
    if not ids:
        return {}
    found = await session.exec(select(Officer).where(col(Officer.id).in_(sorted(ids))))
    return {o.id: o for o in found.all()}


@dataclass(frozen=True)
class NearbyOrder:
    order: QueueEntry
    distance_m: float | None
    same_road: bool


async def nearby_orders(
    session: AsyncSession, officer: Officer, order: QueuedOrder, *, days: int, metres: float
) -> list[NearbyOrder]:
    """Other orders the officer may see about the same road, or within `metres`, ±`days`."""
    if order.content is None:
        return []
    q = QueueEntry
    here = _place(QueueEntry(**entry_values(order)))
    conditions = []
    if here.road_key and here.municipality_code:
        conditions.append(
            and_(
                col(q.municipality_code) == here.municipality_code,
                col(q.road_key) == here.road_key,
            )
        )
    if here.lat is not None and here.lon is not None:
        lat0, lat1, lon0, lon1 = bounding_box(here.lat, here.lon, metres)
        conditions.append(and_(col(q.lat).between(lat0, lat1), col(q.lon).between(lon0, lon1)))
    if not conditions:
        return []
    window = timedelta(days=days)
    query = (
        select(q)
        .where(
            q.order_id != order.order_id,
            col(q.submitted_at).between(here.submitted_at - window, here.submitted_at + window),
            or_(*conditions),
        )
        .limit(500)
    )
    found = []
    for other in (await session.exec(_visible_to(query, officer, q))).all():
        there = _place(other)
        if not is_nearby(here, there, days=days, metres=metres):
            continue
        same_road = bool(here.road_key) and here.road_key == there.road_key
        found.append(NearbyOrder(other, distance_m(here, there), same_road))
    found.sort(key=lambda n: (n.order.status in _FINAL, as_utc(n.order.submitted_at)))
    return found


def _place(row: QueueEntry) -> Place:
    return Place(
        municipality_code=row.municipality_code,
        road_key=row.road_key,
        lat=row.lat,
        lon=row.lon,
        submitted_at=as_utc(row.submitted_at),
    )
