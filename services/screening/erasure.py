"""A national admin erases one order's personal data on request (DESIGN §7).

One transaction: screening's own copy is anonymised, the erasure is written to the deletion
log, the activity log and the audit trail, and `ErasureRequested` is staged in the outbox, so
every other service anonymises its copy too (each subscribes to it). The workspace's action and
`bestil erase BEB-…` both come here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit
from services.screening.models import Officer, OrderActivity, QueuedOrder, deletions, messages
from services.screening.queries import OrderNotVisibleError
from services.screening.retention import anonymise
from shared import events
from shared.db import Database
from shared.retention import Rule
from shared.vocabulary import Role

#: `requested_by` when an operator erased from the command line without naming an admin.
CLI = "cli"


class ErasureNotAllowedError(Exception):
    """Only a national admin may erase an order's personal data."""


@dataclass(frozen=True)
class ErasureDone:
    """What an erasure did: the event sent to the other services and the fields removed here."""

    event: events.ErasureRequested
    what: list[str]


def may_erase(role: Role | str) -> bool:
    """Erasure on request is a national admin's decision, for every district alike."""
    return Role(role) == Role.NATIONAL_ADMIN


async def order_by_reference(session: AsyncSession, reference: str) -> QueuedOrder | None:
    found = await session.exec(select(QueuedOrder).where(col(QueuedOrder.reference) == reference))
    return found.first()


async def _order(session: AsyncSession, order: str) -> QueuedOrder:
    """The order by its id or its reference; screening knows every order it was told of."""
    if order.upper().startswith("BEB-"):
        found = await order_by_reference(session, order.upper())
    else:
        try:
            uuid.UUID(order)
        except ValueError:
            raise OrderNotVisibleError(order) from None
        found = await session.get(QueuedOrder, order)
    if found is None:
        raise OrderNotVisibleError(order)
    return found


async def erase_order(
    db: Database,
    officer: Officer | None,
    order: str,
    *,
    now: datetime,
    via: str = "web",
    actor: str | None = None,
) -> ErasureDone:
    """Erase the order's personal data here and ask every other service to do the same.

    `officer` is the national admin who decided it; None only from the command line (`actor`
    names the operator there). Raises `ErasureNotAllowedError` for anyone else, and
    `OrderNotVisibleError` for an order screening does not know.
    """
    if officer is not None and not may_erase(officer.role):
        raise ErasureNotAllowedError(officer.id)
    requested_by = officer.id if officer else CLI
    async with db.transaction() as session:
        row = await _order(session, order)
        what = await anonymise(session, row.order_id)
        event = events.ErasureRequested(
            order_id=uuid.UUID(row.order_id),
            reference=row.reference,
            correlation_id=str((row.content or {}).get("correlation_id", "")),
            occurred_at=now,
            requested_by=requested_by,
            requested_at=now,
        )
        session.add(
            OrderActivity(
                order_id=row.order_id,
                kind="ErasureRequested",
                actor=officer.id if officer else None,
                at=now,
                facts={"fields": len(set(what))},
            )
        )
        audit.record(
            session,
            officer=officer,
            action="erased",
            now=now,
            order=row,
            via=via,
            facts={"event_id": str(event.event_id), **({"actor": actor} if actor else {})},
        )
        await deletions.record(session, row.order_id, Rule.ERASURE, what, at=now, by=requested_by)
        await messages.enqueue(session, event, now=now)
    return ErasureDone(event, what)
