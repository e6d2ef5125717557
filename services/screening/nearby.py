"""Which orders are about the same place: so that neighbours asking about one road are seen together.

Two orders are nearby when they were submitted at most `days` apart and either lie in the
same municipality and name the same road (compared by a normalised key), or both carry
coordinates no more than `metres` apart. Pure functions: the service pre-selects candidates
in SQL and confirms them here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

EARTH_RADIUS_M = 6_371_008.8

# Words that start a description of *where on* the road, not its name.
STOP_WORDS = frozenset(
    {
        "mellem",
        "ved",
        "fra",
        "til",
        "ud",
        "udfor",
        "overfor",
        "nr",
        "nummer",
        "på",
        "i",
        "mod",
        "og",
        "omkring",
        "nær",
        "between",
        "near",
        "at",
        "from",
        "to",
        "by",
        "outside",
        "opposite",
        "and",
        "no",
    }
)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def normalise_road(text: str | None) -> str:
    """A key for a road name: lower case, no house numbers, punctuation or stretch description.

    "Skovvejen mellem nr. 2 og 40", "Skovvejen 12" and "SKOVVEJEN, ud for nr. 7" all give
    "skovvejen"; "Gl. Kongevej" and "Gl.Kongevej" both give "glkongevej"; the old spelling
    "aa" counts as "å".
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFC", text).casefold().replace(".", "")
    folded = folded.replace("aa", "å")
    tokens = _TOKEN.findall(folded)
    name: list[str] = []
    for token in tokens:
        if any(ch.isdigit() for ch in token) or token in STOP_WORDS:
            if name:
                break
            continue  # a description before the name ("ved skolen på …"): keep looking
        name.append(token)
    return "".join(name)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a square that holds every point within `metres`."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = math.degrees(metres / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class Place:
    """What nearness is judged on: where an order is about, and when it was submitted."""

    municipality_code: str | None
    road_key: str
    lat: float | None
    lon: float | None
    submitted_at: datetime


def is_nearby(a: Place, b: Place, *, days: int = 90, metres: float = 300) -> bool:
    """Same municipality and road, or within `metres`; and submitted at most `days` apart."""
    if abs(a.submitted_at - b.submitted_at) > timedelta(days=days):
        return False
    if (
        a.road_key
        and a.road_key == b.road_key
        and a.municipality_code
        and a.municipality_code == b.municipality_code
    ):
        return True
    if None not in (a.lat, a.lon, b.lat, b.lon):
        return haversine_m(a.lat, a.lon, b.lat, b.lon) <= metres  # type: ignore[arg-type]
    return False


def distance_m(a: Place, b: Place) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return haversine_m(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]


def road_of(content: dict[str, Any]) -> str | None:
    """The road an order is about: a traffic control's road, else the location's address."""
    details = content.get("details") or {}
    location = content.get("location") or {}
    return details.get("road") or location.get("address")


def place_of(content: dict[str, Any], submitted_at: datetime) -> Place:
    location = content.get("location") or {}
    return Place(
        municipality_code=location.get("municipality_code"),
        road_key=normalise_road(road_of(content)),
        lat=location.get("lat"),
        lon=location.get("lon"),
        submitted_at=submitted_at,
    )
