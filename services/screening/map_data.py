"""What the district map shows: each order's deadline state, and the traffic-control hotspots.

Pure functions, unit-tested without I/O. A hotspot is a road or a place with several
traffic-control orders in the last twelve months: orders in the same municipality naming the
same road (the `nearby.normalise_road` key), or, for the rest, orders with coordinates within
`metres` of one another. A place is found greedily around the order with the most
neighbours, so a hotspot never chains along a whole town the way a transitive grouping would.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from services.screening.nearby import EARTH_RADIUS_M, haversine_m

#: How an open order stands against the deadline it is worked against now.
DEADLINE_STATES = ("ok", "warning", "breached")
#: Orders on one road or place that make it a hotspot.
HOTSPOT_MIN_ORDERS = 3
#: How close orders without a shared road key must be to count as one place.
HOTSPOT_METRES = 300.0
#: Decimal places of the coordinates the map's data carries: about 100 m, enough to place an
#: order on a district map and too coarse to point at one house (the order page, whose
#: viewing is audited, has the exact position).
MAP_COORDINATE_PLACES = 3


def deadline_state(urgency: str | None, alerts: Iterable[str | None] = ()) -> str:
    """ "breached" once the deadline has passed (or notifications said so), "warning" when it
    is near (or was announced near), else "ok". `urgency` is `domain.urgency`'s word."""
    given = set(alerts)
    if urgency == "past" or "breached" in given:
        return "breached"
    if urgency == "soon" or "warning" in given:
        return "warning"
    return "ok"


def coarse(value: float | None) -> float | None:
    """A coordinate as the map's data carries it (see `MAP_COORDINATE_PLACES`)."""
    return None if value is None else round(value, MAP_COORDINATE_PLACES)


@dataclass(frozen=True)
class HotspotCandidate:
    """A traffic-control order of the last twelve months, as hotspots are judged on."""

    order_id: str
    municipality_code: str | None
    road_key: str
    road: str | None  # the road's name as written, for the hotspot's label
    lat: float | None
    lon: float | None
    is_open: bool = False


@dataclass(frozen=True)
class Hotspot:
    """A road or place with at least `HOTSPOT_MIN_ORDERS` traffic-control orders."""

    kind: str  # "road": same road key in one municipality; "place": within HOTSPOT_METRES
    road: str
    municipality_code: str | None
    count: int
    open_count: int
    lat: float | None
    lon: float | None
    radius_m: float
    order_ids: tuple[str, ...] = field(default=())


def find_hotspots(
    candidates: Sequence[HotspotCandidate],
    *,
    min_orders: int = HOTSPOT_MIN_ORDERS,
    metres: float = HOTSPOT_METRES,
) -> list[Hotspot]:
    """The hotspots among `candidates`, the busiest first."""
    by_road: dict[tuple[str, str], list[HotspotCandidate]] = {}
    for c in candidates:
        if c.road_key and c.municipality_code:
            by_road.setdefault((c.municipality_code, c.road_key), []).append(c)
    found: list[Hotspot] = []
    taken: set[str] = set()
    for members in by_road.values():
        if len(members) >= min_orders:
            found.append(_hotspot("road", members))
            taken.update(m.order_id for m in members)
    rest = [c for c in candidates if c.order_id not in taken and c.lat is not None]
    for members in _places(rest, min_orders=min_orders, metres=metres):
        found.append(_hotspot("place", members))
    found.sort(key=lambda h: (-h.count, h.road.casefold(), h.municipality_code or ""))
    return found


def _places(
    points: list[HotspotCandidate], *, min_orders: int, metres: float
) -> list[list[HotspotCandidate]]:
    """Groups of at least `min_orders` points within `metres` of a seed, seeds taken by how
    many neighbours they have; neighbours are looked up in a grid of `metres`-sized cells."""
    if len(points) < min_orders:
        return []
    mean_lat = sum(p.lat for p in points if p.lat is not None) / len(points)
    cell_lat = math.degrees(metres / EARTH_RADIUS_M)
    cell_lon = cell_lat / max(math.cos(math.radians(mean_lat)), 1e-6)

    def cell(p: HotspotCandidate) -> tuple[int, int]:
        return math.floor(p.lat / cell_lat), math.floor(p.lon / cell_lon)  # type: ignore[operator]

    grid: dict[tuple[int, int], list[int]] = {}
    for i, p in enumerate(points):
        grid.setdefault(cell(p), []).append(i)
    neighbours: list[list[int]] = []
    for p in points:
        row, col = cell(p)
        close = [
            j
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for j in grid.get((row + dr, col + dc), [])
            if haversine_m(p.lat, p.lon, points[j].lat, points[j].lon) <= metres  # type: ignore[arg-type]
        ]
        neighbours.append(close)  # includes the point itself
    seeds = sorted(range(len(points)), key=lambda i: (-len(neighbours[i]), points[i].order_id))
    used: set[int] = set()
    groups = []
    for seed in seeds:
        if seed in used:
            continue
        members = [j for j in neighbours[seed] if j not in used]
        if len(members) < min_orders:
            continue
        used.update(members)
        groups.append([points[j] for j in sorted(members, key=lambda j: points[j].order_id)])
    return groups


def _hotspot(kind: str, members: list[HotspotCandidate]) -> Hotspot:
    names = Counter(m.road for m in members if m.road)
    # The most used spelling; on a tie the capitalised one ("Skovvejen" over "skovvejen").
    road = max(names, key=lambda name: (names[name], name[:1].isupper(), name)) if names else "–"
    municipalities = Counter(m.municipality_code for m in members if m.municipality_code)
    placed = [m for m in members if m.lat is not None and m.lon is not None]
    lat = lon = None
    radius = 0.0
    if placed:
        lat = sum(m.lat for m in placed) / len(placed)  # type: ignore[misc]
        lon = sum(m.lon for m in placed) / len(placed)  # type: ignore[misc]
        radius = max(haversine_m(lat, lon, m.lat, m.lon) for m in placed)  # type: ignore[arg-type]
    return Hotspot(
        kind=kind,
        road=road,
        municipality_code=municipalities.most_common(1)[0][0] if municipalities else None,
        count=len(members),
        open_count=sum(1 for m in members if m.is_open),
        lat=lat,
        lon=lon,
        radius_m=max(radius, 100.0),
        order_ids=tuple(sorted(m.order_id for m in members)),
    )
