"""What the district map reads: the open orders the officer may see, and the hotspots' orders.

One reading transaction, scoped like the queue (an officer's or coordinator's own district, a
national admin's chosen district or all). It reads `queue_entries` only, whose fields the
queue shows: no name, contact or address, so, like the queue, the map is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from services.screening.domain import OPEN_STATUSES
from services.screening.map_data import HotspotCandidate
from services.screening.models import Officer, QueueEntry
from services.screening.public_stream import road_name
from shared.db import Database
from shared.vocabulary import Category, Role

#: At most this many orders on the map and in its list, the most urgent first.
MAP_LIMIT = 1000
#: At most this many traffic-control orders are looked at for hotspots, the newest first.
HOTSPOT_ROWS = 20_000
HOTSPOT_WINDOW = timedelta(days=365)

_OPEN = sorted(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class MapFilter:
    """What the officer narrowed the map to: "open" (every open status) or one open status."""

    status: str = "open"
    category: str | None = None
    district_code: str | None = None  # national admins only; None: every district


@dataclass(frozen=True)
class MapOrders:
    """The orders to draw (the most urgent first), whether more matched, and the candidates
    the hotspots are found among."""

    rows: list[QueueEntry]
    truncated: bool
    hotspot_candidates: list[HotspotCandidate]


def _scope(officer: Officer, district_code: str | None) -> list[Any]:
    if Role(officer.role) != Role.NATIONAL_ADMIN:
        return [QueueEntry.district_code == officer.district_code]
    return [QueueEntry.district_code == district_code] if district_code else []


async def open_orders(
    session: AsyncSession, officer: Officer, wanted: MapFilter, *, limit: int = MAP_LIMIT
) -> tuple[list[QueueEntry], bool]:
    """Up to `limit` open orders the officer may see, the nearest deadline first."""
    q = QueueEntry
    statuses = _OPEN if wanted.status == "open" else [wanted.status]
    conditions = [*_scope(officer, wanted.district_code), col(q.status).in_(statuses)]
    if wanted.category:
        conditions.append(q.category == wanted.category)
    query = (
        select(q)
        .where(*conditions)
        .order_by(col(q.next_due).asc().nulls_last(), col(q.reference))
        .limit(limit + 1)
    )
    rows = list((await session.exec(query)).all())
    return rows[:limit], len(rows) > limit


async def hotspot_candidates(
    session: AsyncSession, officer: Officer, district_code: str | None, *, since: datetime
) -> list[HotspotCandidate]:
    """The traffic-control orders (any status) the officer may see, submitted since `since`."""
    q = QueueEntry
    # sqlmodel's select() is typed for at most four columns; Select() takes any number.
    query: Select[*tuple[Any, ...]] = (
        Select(
            col(q.order_id),
            col(q.municipality_code),
            col(q.road_key),
            col(q.subject),
            col(q.lat),
            col(q.lon),
            col(q.status),
        )
        .where(
            *_scope(officer, district_code),
            q.category == Category.TRAFFIC_CONTROL.value,
            col(q.submitted_at) >= since,
        )
        .order_by(col(q.submitted_at).desc())
        .limit(HOTSPOT_ROWS)
    )
    return [
        HotspotCandidate(
            order_id=order_id,
            municipality_code=municipality,
            road_key=road_key or "",
            road=road_name(subject),
            lat=lat,
            lon=lon,
            is_open=status in _OPEN,
        )
        for order_id, municipality, road_key, subject, lat, lon, status in (
            await session.exec(query)
        ).all()
    ]


async def map_orders(
    db: Database, officer: Officer, wanted: MapFilter, *, now: datetime
) -> MapOrders:
    """The map's orders and the hotspots' candidates of the last twelve months."""
    async with db.reading() as session:
        rows, truncated = await open_orders(session, officer, wanted)
        candidates = await hotspot_candidates(
            session, officer, wanted.district_code, since=now - HOTSPOT_WINDOW
        )
    return MapOrders(rows, truncated, candidates)
