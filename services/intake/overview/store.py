"""Keeping the overview's counters, in the consumer's transaction (so a redelivered event,
skipped by its id, never counts twice), and reading them for the page."""

from __future__ import annotations

from sqlalchemy import func, literal, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import OverviewCount, PublicOrderState
from services.intake.overview.figures import changes
from shared.db import get_row, keep_row, load_rows, stage_increments
from shared.events import PublicOrderEvent

Row = tuple[str, str, str, str, int]


async def take(session: AsyncSession, event: PublicOrderEvent) -> None:
    """Move the order's contribution from its last public state to this one."""
    key = str(event.public_id)
    known = await get_row(session, PublicOrderState, PublicOrderState.public_id, key)
    before = PublicOrderEvent.model_validate(known.state) if known is not None else None
    if before is not None and before.occurred_at > event.occurred_at:
        return  # an older step arriving late: the newer state already counts
    stage_increments(
        session,
        OverviewCount.__table__,  # type: ignore[attr-defined]
        {
            (cell.district_code, cell.month, cell.category, measure): n
            for (cell, measure), n in changes(before, event).items()
        },
    )
    state = event.model_dump(mode="json")
    if known is None:
        known = PublicOrderState(public_id=key, state=state)
    else:
        known.state = state
    keep_row(session, known, PublicOrderState.public_id)


async def load_states(session: AsyncSession, batch: list[PublicOrderEvent]) -> None:
    """The states a batch of public events will change, in one query (the consumer's prefetch)."""
    ids = [str(e.public_id) for e in batch]
    await load_rows(session, PublicOrderState, PublicOrderState.public_id, ids)


async def counts(
    session: AsyncSession,
    *,
    district_code: str | None,
    first_month: str,
    last_month: str,
    per_district: bool = True,
) -> list[Row]:
    """The counters of one district (or all) for a range of months, inclusive; without
    `per_district`, all districts' counters added up in the query (the page's rows, a twelfth
    of the open data's)."""
    value = col(OverviewCount.value)
    district = col(OverviewCount.district_code)
    keys = (col(OverviewCount.month), col(OverviewCount.category), col(OverviewCount.measure))
    if per_district:
        query = select(district, *keys, value)
    else:
        query = select(literal(district_code or ""), *keys, func.sum(value)).group_by(*keys)
    query = query.where(keys[0] >= first_month, keys[0] <= last_month, value != 0)
    if district_code is not None:
        query = query.where(district == district_code)
    result = await session.exec(query)  # type: ignore[call-overload]
    return [tuple(row) for row in result.all()]


async def months_with_figures(session: AsyncSession) -> list[str]:
    query = select(col(OverviewCount.month)).distinct().order_by(col(OverviewCount.month))
    result = await session.exec(query)  # type: ignore[call-overload]
    return [row[0] for row in result.all()]
