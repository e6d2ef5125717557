"""Optional run-time reference data for routing: district boundaries and postal codes.

Both files are loaded from a configurable directory (in production: an export of the official
Danish boundary and address data) and either may be missing; the routing service then falls
back to the municipality the citizen chose. Pure standard library, so that the routing service
needs no geometry packages: a point-in-polygon test with edges bucketed by latitude is fast
enough for thousands of lookups a second on Denmark's 12 district outlines.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from shared.districts import DISTRICTS

__all__ = [
    "DEFAULT_NEAR_METRES",
    "DISTRICTS_GEOJSON",
    "POSTAL_CODES_CSV",
    "PostalCodeInfo",
    "ReferenceData",
    "load_reference_data",
    "normalise_postal_code",
]

log = logging.getLogger(__name__)

DISTRICTS_GEOJSON = "police_districts.geojson"
POSTAL_CODES_CSV = "postal_codes.csv"

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


@dataclass(frozen=True, slots=True)
class PostalCodeInfo:
    """A postal code and the police districts and municipalities its area overlaps."""

    postal_code: str
    name: str
    district_codes: tuple[str, ...]
    municipality_codes: tuple[str, ...]
    multi_district: bool


def normalise_postal_code(code: str) -> str | None:
    """The 4-digit form of a Danish postal code ("800" -> "0800"), or None if it is not one."""
    code = code.strip()
    if not code.isascii() or not code.isdigit() or len(code) > 4:
        return None
    return code.zfill(4)


class _Polygon:
    """One polygon (outer ring and holes) with its edges bucketed into latitude bands.

    A horizontal ray from a point only meets edges whose latitude span covers the point, and
    all of those sit in the point's band, so a lookup tests a handful of edges, not thousands.
    """

    __slots__ = (
        "_band_height",
        "_bands",
        "district_code",
        "max_lat",
        "max_lon",
        "min_lat",
        "min_lon",
    )

    def __init__(self, district_code: str, rings: Sequence[Sequence[Sequence[float]]]) -> None:
        edges: list[_Edge] = []
        for ring in rings:
            points = [(float(p[0]), float(p[1])) for p in ring]
            if len(points) < 3:
                raise ValueError(f"district {district_code}: a ring has fewer than 3 points")
            if points[0] != points[-1]:
                points.append(points[0])
            for (x1, y1), (x2, y2) in pairwise(points):
                if (x1, y1) != (x2, y2):
                    edges.append((x1, y1, x2, y2, (x2 - x1) / (y2 - y1) if y1 != y2 else 0.0))
        if not edges:
            raise ValueError(f"district {district_code}: empty polygon")
        self.district_code = district_code
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


def _grid_index(polygons: Sequence[_Polygon]) -> dict[tuple[int, int], tuple[_Polygon, ...]]:
    cells: dict[tuple[int, int], list[_Polygon]] = {}
    margin = _CELL_MARGIN_DEGREES
    for polygon in polygons:
        west, south = _cell(polygon.min_lon - margin, polygon.min_lat - margin)
        east, north = _cell(polygon.max_lon + margin, polygon.max_lat + margin)
        for x in range(west, east + 1):
            for y in range(south, north + 1):
                cells.setdefault((x, y), []).append(polygon)
    return {cell: tuple(found) for cell, found in cells.items()}


class ReferenceData:
    """District boundaries and postal codes, each optional; lookups return None when unsure."""

    def __init__(
        self,
        polygons: Iterable[_Polygon] | None = None,
        postal_codes: Mapping[str, PostalCodeInfo] | None = None,
    ) -> None:
        self._polygons: tuple[_Polygon, ...] | None = (
            tuple(polygons) if polygons is not None else None
        )
        self._grid = _grid_index(self._polygons) if self._polygons else {}
        self._postal_codes: dict[str, PostalCodeInfo] = dict(postal_codes or {})

    @property
    def has_boundaries(self) -> bool:
        """Whether district boundaries were loaded, so that coordinates can be routed."""
        return bool(self._polygons)

    @property
    def has_postal_codes(self) -> bool:
        """Whether the postal-code table was loaded."""
        return bool(self._postal_codes)

    @property
    def postal_codes(self) -> Mapping[str, PostalCodeInfo]:
        """Every loaded postal code, keyed by its 4-digit form; empty when none were loaded."""
        return self._postal_codes

    def district_at(
        self, lat: float, lon: float, *, near_metres: float = DEFAULT_NEAR_METRES
    ) -> str | None:
        """The code of the district covering this WGS84 point, or None.

        A point inside no polygon (a pier, an islet the simplified outline lost) goes to the
        one district whose boundary is within near_metres; if none or several are that close,
        the answer is None, so the order is routed by hand rather than guessed.
        """
        if not self._polygons or not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
        candidates = self._grid.get(_cell(lon, lat), ())
        for polygon in candidates:
            if polygon.contains(lon, lat):
                return polygon.district_code
        if near_metres <= 0:
            return None
        if near_metres > _CELL_MARGIN_METRES:
            candidates = self._polygons
        near: set[str] = set()
        for polygon in candidates:
            if polygon.district_code not in near and polygon.is_near(lon, lat, near_metres):
                near.add(polygon.district_code)
        return near.pop() if len(near) == 1 else None

    def postal_code(self, code: str) -> PostalCodeInfo | None:
        """What is known about this postal code ("8000"), or None if it is unknown."""
        normalised = normalise_postal_code(code)
        return self._postal_codes.get(normalised) if normalised else None

    def district_for_postal_code(self, code: str) -> str | None:
        """The district of this postal code if it lies in exactly one district, else None."""
        info = self.postal_code(code)
        if info is None or info.multi_district or len(info.district_codes) != 1:
            return None
        return info.district_codes[0]


def load_reference_data(directory: Path) -> ReferenceData:
    """Load whatever reference data the directory holds; a missing file disables that lookup.

    A file that exists but cannot be read raises ValueError or OSError: better to fail at
    start-up than to route on half a table.
    """
    directory = Path(directory)
    geojson_path = directory / DISTRICTS_GEOJSON
    postal_path = directory / POSTAL_CODES_CSV
    polygons = _load_polygons(geojson_path) if geojson_path.is_file() else None
    postal_codes = _load_postal_codes(postal_path) if postal_path.is_file() else None
    log.info(
        "routing reference data from %s: %s district polygons, %s postal codes",
        directory,
        len(polygons) if polygons is not None else "no",
        len(postal_codes) if postal_codes is not None else "no",
    )
    return ReferenceData(polygons, postal_codes)


def _check_district_code(value: Any, source: Path) -> str:
    code = str(value).strip()
    if code not in DISTRICTS:
        raise ValueError(f"{source}: unknown police district code {value!r}")
    return code


def _load_polygons(path: Path) -> list[_Polygon]:
    with path.open(encoding="utf-8") as file:
        collection = json.load(file)
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    polygons: list[_Polygon] = []
    for feature in features:
        properties = feature.get("properties") or {}
        code = _check_district_code(properties.get("district_code"), path)
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"{path}: district {code} has geometry {kind!r}, not a polygon")
        if not isinstance(coordinates, list):
            # else a missing "coordinates" surfaced as a TypeError, not as a bad file
            raise ValueError(f"{path}: district {code} has no coordinates")
        parts: list[Any] = [coordinates] if kind == "Polygon" else coordinates
        polygons.extend(_Polygon(code, rings) for rings in parts)
    if not polygons:
        raise ValueError(f"{path}: no district polygons")
    return polygons


def _split_codes(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def _load_postal_codes(path: Path) -> dict[str, PostalCodeInfo]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        required = {"postal_code", "name", "district_codes", "municipality_codes"}
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        postal_codes: dict[str, PostalCodeInfo] = {}
        for row in reader:
            code = normalise_postal_code(row["postal_code"] or "")
            if code is None:
                raise ValueError(f"{path}: bad postal code {row['postal_code']!r}")
            districts = tuple(
                _check_district_code(d, path) for d in _split_codes(row["district_codes"])
            )
            flag = (row.get("multi_district") or "").strip()
            postal_codes[code] = PostalCodeInfo(
                postal_code=code,
                name=(row["name"] or "").strip(),
                district_codes=districts,
                municipality_codes=tuple(
                    m.lstrip("0") or "0" for m in _split_codes(row["municipality_codes"])
                ),
                multi_district=len(districts) > 1 or flag == "1",
            )
    return postal_codes
