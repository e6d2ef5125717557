"""Which district an order belongs to: never a guess (DESIGN §5).

The municipality the citizen chose decides first; then the coordinates, when boundary data is
configured; then the postal code, when it lies in one district only. Otherwise the order goes
to the national manual-routing queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared import districts
from shared.events import Location
from shared.vocabulary import RoutingMethod


class BoundaryData(Protocol):
    """What routing needs of the reference data (reference_data.ReferenceData, or a fake)."""

    def district_at(self, lat: float, lon: float) -> str | None: ...

    def district_for_postal_code(self, code: str) -> str | None: ...


@dataclass(frozen=True)
class Routed:
    """The order belongs to this district, found this way."""

    district: districts.District
    method: RoutingMethod


@dataclass(frozen=True)
class Unroutable:
    """No district is certain: a person routes the order, told why."""

    reason: str


def choose_district(location: Location, data: BoundaryData | None) -> Routed | Unroutable:
    """The municipality, then the coordinates, then a single-district postal code."""
    if location.municipality_code:
        found = districts.district_for_municipality(location.municipality_code)
        if found:
            return Routed(found, RoutingMethod.MUNICIPALITY)
    if data is not None and location.lat is not None and location.lon is not None:
        code = data.district_at(location.lat, location.lon)
        if code and (found := districts.district(code)):
            return Routed(found, RoutingMethod.COORDINATES)
    if data is not None:
        code = data.district_for_postal_code(location.postal_code)
        if code and (found := districts.district(code)):
            return Routed(found, RoutingMethod.POSTAL_CODE)
        return Unroutable(f"postal code {location.postal_code} does not decide a single district")
    return Unroutable("no municipality given and no boundary or postal-code data configured")
