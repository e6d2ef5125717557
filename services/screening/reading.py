"""What officers read, as use cases behind the JSON API and the pages alike.

Each opens its own transaction. Reading an order's personal data is recorded in the audit
trail in the same transaction as the reading, so no viewing goes unrecorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.screening import audit, queries
from services.screening.cursors import Cursor
from services.screening.models import AuditEntry, Officer, OrderActivity, QueuedOrder, QueueEntry
from services.screening.queries import NearbyOrder, OrderPage, QueueFilter
from services.screening.replies_store import texts_in_force
from shared.clock import as_utc
from shared.db import Database


@dataclass(frozen=True)
class OrderFile:
    """An order as its page or the API shows it: the order and its history."""

    order: QueuedOrder
    history: list[OrderActivity]


@dataclass(frozen=True)
class Surroundings:
    """What the order page shows around an order: the group acted on with it, the orders
    nearby, who did what, and the district's reply texts."""

    group: list[QueuedOrder]
    nearby: list[NearbyOrder]
    names: dict[str, Officer]
    replies: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, with each row's same-road count and the manual-routing count."""

    rows: list[QueueEntry]
    total: int
    neighbours: dict[str, int]
    unroutable: int
    more: bool = False
    """There are more than `total` (`queries.COUNT_CAP`): the count stopped there."""


async def list_orders(
    db: Database,
    officer: Officer,
    *,
    status: str | None,
    category: str | None,
    now: datetime,
    updated_since: datetime | None = None,
    after: Cursor | None = None,
    limit: int = 500,
    via: str = "api",
) -> OrderPage:
    """A page of the caller's orders with their content; the audit trail records which
    orders it gave."""
    async with db.transaction() as session:
        page = await queries.list_orders(
            session,
            officer,
            status=status,
            category=category,
            updated_since=updated_since,
            after=after,
            limit=limit,
        )
        audit.record_listing(
            session, officer, page.orders, now=now, via=via, status=status, category=category
        )
    return page


async def view_order(
    db: Database, officer: Officer, order_id: str, *, now: datetime, via: str
) -> OrderFile:
    """One visible order with its history; the viewing is recorded in the audit trail."""
    async with db.transaction() as session:
        order = await queries.visible_order(session, officer, order_id)
        audit.record(session, officer=officer, action="viewed", now=now, order=order, via=via)
        return OrderFile(order, await queries.activity(session, order_id))


async def nearby(
    db: Database, officer: Officer, order_id: str, *, days: int, metres: float
) -> list[NearbyOrder]:
    """Other orders about the same road or within `metres` (no personal data: not audited)."""
    async with db.reading() as session:
        order = await queries.visible_order(session, officer, order_id)
        return await queries.nearby_orders(session, officer, order, days=days, metres=metres)


async def surroundings(
    db: Database,
    officer: Officer,
    found: OrderFile,
    group_ids: list[str],
    *,
    days: int,
    metres: float,
) -> Surroundings:
    """The rest of an order's page; group members the officer may not see are left out."""
    order = found.order
    async with db.reading() as session:
        group = []
        for order_id in dict.fromkeys(group_ids):
            if order_id == order.order_id:
                continue
            try:
                group.append(await queries.visible_order(session, officer, order_id))
            except queries.OrderNotVisibleError:
                continue
        close = await queries.nearby_orders(session, officer, order, days=days, metres=metres)
        actors = {a.actor for a in found.history if a.actor}
        names = await queries.officers_by_id(session, actors)
        replies = await texts_in_force(session, order.district_code) if order.district_code else {}
    return Surroundings(group, close, names, replies)


async def late_orders(
    db: Database, officer: Officer, order_ids: list[str], start: datetime
) -> list[str]:
    """The references of the visible orders that `start` would plan after their deadline."""
    late = []
    async with db.reading() as session:
        for order_id in dict.fromkeys(order_ids):
            try:
                order = await queries.visible_order(session, officer, order_id)
            except queries.OrderNotVisibleError:
                continue
            if order.execution_due and start > as_utc(order.execution_due):
                late.append(order.reference)
    return late


async def queue(
    db: Database,
    officer: Officer,
    wanted: QueueFilter,
    *,
    page: int,
    page_size: int,
    since: datetime,
    count_unroutable: bool,
) -> QueuePage:
    """A page of the officer's queue (`page` counts from 0); same-road hints since `since`."""
    async with db.reading() as session:
        found = await queries.queue_page(session, officer, wanted, page=page, page_size=page_size)
        neighbours = await queries.same_road_counts(session, officer, found.rows, since=since)
        unroutable = await queries.count_unroutable(session) if count_unroutable else 0
    return QueuePage(found.rows, found.total, neighbours, unroutable, more=found.more)


async def unroutable_orders(db: Database) -> list[tuple[QueuedOrder, str]]:
    """The national manual-routing queue, each order with why routing gave up."""
    async with db.reading() as session:
        return await queries.unroutable_orders(session)


async def audit_trail(
    db: Database, viewer: Officer, wanted: audit.AuditFilter, *, limit: int, offset: int
) -> tuple[list[tuple[AuditEntry, Officer | None]], int]:
    """A page of the audit entries `viewer` may see, and how many there are."""
    async with db.reading() as session:
        return await audit.entries(session, viewer, wanted, limit=limit, offset=offset)
