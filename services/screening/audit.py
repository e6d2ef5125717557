"""The audit trail: who viewed an order's personal data and who did what, when.

Entries are written in the same transaction as the action they record, so an action that is
rolled back leaves no entry and no action goes unrecorded. Entries carry ids and codes only:
never a citizen's name, address or free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import AuditEntry, Officer, QueuedOrder
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
        query = query.where(AuditEntry.reference == wanted.reference)
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
