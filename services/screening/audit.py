"""The audit trail: who viewed an order's personal data and who did what, when.

Entries are written in the same transaction as the action they record, so an action that is
rolled back leaves no entry and no action goes unrecorded. Entries carry ids and codes only:
never a citizen's name, address or free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, or_
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import AuditEntry, Officer, QueuedOrder
from shared.db import execute
from shared.vocabulary import Role


def record(
    session: AsyncSession,
    *,
    officer: Officer | None,
    action: str,
    now: datetime,
    order: QueuedOrder | None = None,
    via: str = "web",
    facts: dict[str, Any] | None = None,
    district_code: str | None = None,
    order_id: str | None = None,
    reference: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=now,
            officer_id=officer.id if officer else None,
            action=action,
            via=via,
            order_id=order.order_id if order else order_id,
            reference=order.reference if order else reference,
            district_code=district_code
            or (order.district_code if order else None)
            or (officer.district_code if officer else None),
            facts=facts or {},
        )
    )


def record_listing(
    session: AsyncSession,
    officer: Officer,
    orders: list[QueuedOrder],
    *,
    now: datetime,
    via: str,
    status: str | None,
    category: str | None,
) -> None:
    """A listing of orders with their personal data: which orders, not just how many.

    One entry per district the orders belong to, holding that district's order ids, so each
    district's coordinator sees who read their orders (a national admin's listing spans
    several). An empty listing is one entry with no ids.
    """
    by_district: dict[str | None, list[str]] = {}
    for order in orders:
        by_district.setdefault(order.district_code, []).append(order.order_id)
    if not by_district:
        by_district[officer.district_code] = []
    for district_code, order_ids in by_district.items():
        record(
            session,
            officer=officer,
            action="listed",
            now=now,
            via=via,
            district_code=district_code,
            facts={
                "count": len(order_ids),
                "order_ids": order_ids,
                "status": status,
                "category": category,
            },
        )


def record_phone_order(
    session: AsyncSession,
    officer: Officer,
    *,
    now: datetime,
    order_id: str | None,
    reference: str,
    district_code: str | None,
) -> None:
    """Who registered an order by phone, under the order's district (none before routing)."""
    session.add(
        AuditEntry(
            at=now,
            officer_id=officer.id,
            action="phone_order",
            order_id=order_id,
            reference=reference,
            district_code=district_code,
            facts={},
        )
    )


async def file_phone_order_under(session: AsyncSession, order_id: str, district_code: str) -> None:
    """A phone order's entry joins the order's district once routing gives it one.

    At registration the order has no district yet, so its entry has none (only national
    admins see it meanwhile); the first routing fills it in, and later re-routings leave it:
    the order belonged to that district when it was registered.

    A Core statement, not the ORM's bulk UPDATE: the entry is written by the officer's own
    transaction, never by the batch of events this runs in, so there is nothing to flush or
    to synchronise first. The ORM's doing both was 6 % of screening's py-spy samples at 100
    orders/s (2 % as Core), wherever a routing arrived before its order's content.
    """
    entries = AuditEntry.__table__  # type: ignore[attr-defined]
    await execute(
        session,
        update(entries)
        .where(
            entries.c.order_id == order_id,
            entries.c.action == "phone_order",
            entries.c.district_code.is_(None),
        )
        .values(district_code=district_code),
    )


@dataclass(frozen=True)
class AuditFilter:
    district_code: str | None = None
    reference: str | None = None
    officer_email: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def entries(
    session: AsyncSession, viewer: Officer, wanted: AuditFilter, *, limit: int, offset: int
) -> tuple[list[tuple[AuditEntry, Officer | None]], int]:
    """The entries `viewer` may see (their district's; a national admin's: all), newest first."""
    query = select(AuditEntry, Officer).join(
        Officer, col(Officer.id) == col(AuditEntry.officer_id), isouter=True
    )
    if Role(viewer.role) != Role.NATIONAL_ADMIN:
        query = query.where(AuditEntry.district_code == viewer.district_code)
    elif wanted.district_code:
        query = query.where(AuditEntry.district_code == wanted.district_code)
    if wanted.reference:
        query = query.where(await _about_reference(session, wanted.reference))
    if wanted.officer_email:
        query = query.where(Officer.email == wanted.officer_email.strip().lower())
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.since:
        query = query.where(col(AuditEntry.at) >= wanted.since)
    if wanted.until:
        query = query.where(col(AuditEntry.at) < wanted.until)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    page = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    rows = (await session.exec(page.limit(limit).offset(offset))).all()
    return [(entry, officer) for entry, officer in rows], int(total)


async def _about_reference(session: AsyncSession, reference: str) -> Any:
    """Entries about one order: those naming it, and the listings that included it."""
    order_ids = (
        await session.exec(select(QueuedOrder.order_id).where(QueuedOrder.reference == reference))
    ).all()
    listed = [
        (col(AuditEntry.action) == "listed")
        & cast(col(AuditEntry.facts), Text).like(f'%"{order_id}"%')
        for order_id in order_ids
    ]
    return or_(col(AuditEntry.reference) == reference, *listed)
