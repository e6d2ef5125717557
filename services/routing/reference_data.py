"""Routing's reference data: district boundaries and postal codes.

Both files come from the snapshot shipped in `shared/reference_data` unless
`BESTIL_REFERENCE_DATA_DIR` names another directory (in production: a refreshed export of
the official Danish boundary and address data, docs/reference-data.md). Either file may be
missing; routing then falls back to the municipality the citizen chose. The point-in-polygon
test is `shared.reference_data.boundaries`: pure standard library, no geometry packages.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.districts import DISTRICTS
from shared.reference_data import DISTRICTS_GEOJSON, POSTAL_CODES_CSV
from shared.reference_data.boundaries import (
    DEFAULT_NEAR_METRES,
    Polygon,
    PolygonIndex,
    read_polygons,
)

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


class ReferenceData:
    """District boundaries and postal codes, each optional; lookups return None when unsure."""

    def __init__(
        self,
        polygons: Iterable[Polygon] | None = None,
        postal_codes: Mapping[str, PostalCodeInfo] | None = None,
    ) -> None:
        self._boundaries = PolygonIndex(polygons) if polygons is not None else None
        self._postal_codes: dict[str, PostalCodeInfo] = dict(postal_codes or {})

    @property
    def has_boundaries(self) -> bool:
        """Whether district boundaries were loaded, so that coordinates can be routed."""
        return bool(self._boundaries)

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
        if self._boundaries is None:
            return None
        return self._boundaries.code_at(lat, lon, near_metres=near_metres)

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


def _load_polygons(path: Path) -> list[Polygon]:
    return read_polygons(
        path,
        lambda properties: _check_district_code(properties.get("district_code"), path),
        "district",
    )


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
