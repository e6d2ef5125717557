"""Which polygon of a boundary layer holds a point: pure Python, no geometry packages.

Edges are bucketed by latitude band and polygons indexed in a 0.1° grid, fast enough for
thousands of lookups a second on Denmark's 12 district or 99 municipality outlines. Routing
finds the police district with it, intake the municipality a map pin falls in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_NEAR_METRES", "Polygon", "PolygonIndex", "read_polygons"]

# Simplified boundary polygons move coasts and borders by up to a few hundred metres, so a
# harbour, a pier or a tiny islet can fall just outside every polygon. Such a point is given
# to the one district whose boundary lies within this distance; when two districts are that
# close the point is ambiguous and is left for manual routing instead of guessed.
DEFAULT_NEAR_METRES = 500.0

_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0  # mean Earth radius, along a meridian
_EDGES_PER_BAND = 4  # average edges per latitude band: smaller is faster but uses more memory
_MAX_BANDS = 512
# Polygons are indexed in a grid of cells this many degrees wide, each cell listing every
# polygon whose bounding box, widened by the margin, touches it. The margin (0.02° is at least
# 1.1 km in Denmark) lets the near-coast fallback use the grid too; a larger near_metres than
# the margin covers falls back to checking every polygon.
_CELL_DEGREES = 0.1
_CELL_MARGIN_DEGREES = 0.02
_CELL_MARGIN_METRES = _CELL_MARGIN_DEGREES * _METRES_PER_DEGREE * math.cos(math.radians(60.0))

# One polygon edge: x1, y1, x2, y2 (lon/lat degrees) and dx/dy (0.0 for horizontal edges).
_Edge = tuple[float, float, float, float, float]


class Polygon:
    """One polygon (outer ring and holes) with its edges bucketed into latitude bands.

    A horizontal ray from a point only meets edges whose latitude span covers the point, and
    all of those sit in the point's band, so a lookup tests a handful of edges, not thousands.
    """

    __slots__ = (
        "_band_height",
        "_bands",
        "code",
        "max_lat",
        "max_lon",
        "min_lat",
        "min_lon",
    )

    def __init__(self, code: str, rings: Sequence[Sequence[Sequence[float]]]) -> None:
        edges: list[_Edge] = []
        for ring in rings:
            points = [(float(p[0]), float(p[1])) for p in ring]
            if len(points) < 3:
                raise ValueError(f"{code}: a ring has fewer than 3 points")
            if points[0] != points[-1]:
                points.append(points[0])
            for (x1, y1), (x2, y2) in pairwise(points):
                if (x1, y1) != (x2, y2):
                    edges.append((x1, y1, x2, y2, (x2 - x1) / (y2 - y1) if y1 != y2 else 0.0))
        if not edges:
            raise ValueError(f"{code}: empty polygon")
        self.code = code
        self.min_lon = min(min(e[0], e[2]) for e in edges)
        self.max_lon = max(max(e[0], e[2]) for e in edges)
        self.min_lat = min(min(e[1], e[3]) for e in edges)
        self.max_lat = max(max(e[1], e[3]) for e in edges)
        count = max(1, min(_MAX_BANDS, len(edges) // _EDGES_PER_BAND))
        self._band_height = (self.max_lat - self.min_lat) / count or 1.0
        self._bands: list[list[_Edge]] = [[] for _ in range(count)]
        for edge in edges:
            low, high = sorted((edge[1], edge[3]))
            for band in range(self._band(low), self._band(high) + 1):
                self._bands[band].append(edge)

    def _band(self, lat: float) -> int:
        index = int((lat - self.min_lat) / self._band_height)
        return min(max(index, 0), len(self._bands) - 1)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point is inside (ray casting, even-odd rule, so holes are excluded)."""
        if not (self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat):
            return False
        inside = False
        for x1, y1, _x2, y2, dxdy in self._bands[self._band(lat)]:
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * dxdy:
                inside = not inside
        return inside

    def is_near(self, lon: float, lat: float, metres: float) -> bool:
        """Whether some boundary edge (outer ring or hole) is within this many metres."""
        d_lat = metres / _METRES_PER_DEGREE
        kx = _METRES_PER_DEGREE * math.cos(math.radians(lat))
        d_lon = metres / kx if kx > 0 else 360.0
        if not (
            self.min_lon - d_lon <= lon <= self.max_lon + d_lon
            and self.min_lat - d_lat <= lat <= self.max_lat + d_lat
        ):
            return False
        limit_squared = metres * metres
        for band in range(self._band(lat - d_lat), self._band(lat + d_lat) + 1):
            for x1, y1, x2, y2, _ in self._bands[band]:
                # Equirectangular projection around the point: accurate to well under a metre
                # at the distances that matter here.
                ax, ay = (x1 - lon) * kx, (y1 - lat) * _METRES_PER_DEGREE
                bx, by = (x2 - lon) * kx, (y2 - lat) * _METRES_PER_DEGREE
                dx, dy = bx - ax, by - ay
                t = max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
                cx, cy = ax + t * dx, ay + t * dy
                if cx * cx + cy * cy <= limit_squared:
                    return True
        return False


def _cell(lon: float, lat: float) -> tuple[int, int]:
    return math.floor(lon / _CELL_DEGREES), math.floor(lat / _CELL_DEGREES)


def _grid_index(polygons: Sequence[Polygon]) -> dict[tuple[int, int], tuple[Polygon, ...]]:
    cells: dict[tuple[int, int], list[Polygon]] = {}
    margin = _CELL_MARGIN_DEGREES
    for polygon in polygons:
        west, south = _cell(polygon.min_lon - margin, polygon.min_lat - margin)
        east, north = _cell(polygon.max_lon + margin, polygon.max_lat + margin)
        for x in range(west, east + 1):
            for y in range(south, north + 1):
                cells.setdefault((x, y), []).append(polygon)
    return {cell: tuple(found) for cell, found in cells.items()}


class PolygonIndex:
    """Polygons, each with the code of the area it belongs to, indexed for point lookups."""

    def __init__(self, polygons: Iterable[Polygon]) -> None:
        self.polygons: tuple[Polygon, ...] = tuple(polygons)
        self._grid = _grid_index(self.polygons)

    def __len__(self) -> int:
        return len(self.polygons)

    def code_at(
        self, lat: float, lon: float, *, near_metres: float = DEFAULT_NEAR_METRES
    ) -> str | None:
        """The code of the area covering this WGS84 point, or None.

        A point inside no polygon (a pier, an islet the simplified outline lost) goes to the
        one area whose boundary is within near_metres; if none or several are that close,
        the answer is None, so nothing is guessed.
        """
        if not self.polygons or not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
        candidates = self._grid.get(_cell(lon, lat), ())
        for polygon in candidates:
            if polygon.contains(lon, lat):
                return polygon.code
        if near_metres <= 0:
            return None
        if near_metres > _CELL_MARGIN_METRES:
            candidates = self.polygons
        near: set[str] = set()
        for polygon in candidates:
            if polygon.code not in near and polygon.is_near(lon, lat, near_metres):
                near.add(polygon.code)
        return near.pop() if len(near) == 1 else None


def read_polygons(
    path: Path, code_of: Callable[[Mapping[str, Any]], str], what: str = "area"
) -> list[Polygon]:
    """Every polygon of a GeoJSON FeatureCollection, each under the code `code_of` reads
    from its feature's properties (it raises ValueError for a code it does not know).

    A file that is there but is no collection of polygons raises ValueError, naming the file.
    """
    with path.open(encoding="utf-8") as file:
        collection = json.load(file)
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    polygons: list[Polygon] = []
    for feature in features:
        code = code_of(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"{path}: {what} {code} has geometry {kind!r}, not a polygon")
        if not isinstance(coordinates, list):
            # else a missing "coordinates" surfaced as a TypeError, not as a bad file
            raise ValueError(f"{path}: {what} {code} has no coordinates")
        parts: list[Any] = [coordinates] if kind == "Polygon" else coordinates
        polygons.extend(Polygon(code, rings) for rings in parts)
    if not polygons:
        raise ValueError(f"{path}: no {what} polygons")
    return polygons
