"""Routing reference data: point-in-district and postal-code lookups on optional data files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pytest

from services.routing.reference_data import (
    DISTRICTS_GEOJSON,
    POSTAL_CODES_CSV,
    ReferenceData,
    load_reference_data,
    normalise_postal_code,
)
from shared.districts import MUNICIPALITIES
from tests.reference_data import reference_data_dir

DATA_DIR = reference_data_dir()
needs_data = pytest.mark.skipif(DATA_DIR is None, reason="reference data directory not found")


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    assert DATA_DIR is not None
    return load_reference_data(DATA_DIR)


# --- the real reference data ---


@needs_data
@pytest.mark.parametrize(
    ("lat", "lon", "district_code"),
    [
        pytest.param(57.0480, 9.9187, "1460", id="aalborg"),
        pytest.param(56.1567, 10.2108, "1461", id="aarhus"),
        pytest.param(56.9552, 8.6945, "1462", id="thisted"),
        pytest.param(56.1393, 9.1578, "1462", id="herning"),
        pytest.param(55.7308, 9.1153, "1463", id="billund"),
        pytest.param(56.0480, 9.9200, "1463", id="skanderborg"),
        pytest.param(55.4765, 8.4594, "1464", id="esbjerg"),
        pytest.param(55.3959, 10.3883, "1465", id="odense"),
        pytest.param(55.4028, 11.3546, "1466", id="slagelse"),
        pytest.param(54.7691, 11.8742, "1466", id="nykoebing-falster"),
        pytest.param(55.4570, 12.1800, "1467", id="koege"),
        pytest.param(55.6415, 12.0803, "1467", id="roskilde"),
        pytest.param(55.9267, 12.3109, "1468", id="hilleroed"),
        pytest.param(55.7390, 12.5770, "1468", id="gentofte"),
        pytest.param(55.6666, 12.4000, "1469", id="glostrup"),
        pytest.param(55.6761, 12.5683, "1470", id="koebenhavn-raadhuspladsen"),
        pytest.param(55.6180, 12.6476, "1470", id="kastrup-airport"),
        pytest.param(55.1009, 14.7066, "1471", id="roenne"),
        pytest.param(55.3200, 15.1900, "1471", id="christiansoe"),
    ],
)
def test_town_is_routed_to_its_district(
    reference: ReferenceData, lat: float, lon: float, district_code: str
) -> None:
    assert reference.district_at(lat, lon) == district_code


@needs_data
@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        pytest.param(56.0, 6.0, id="north-sea"),
        pytest.param(55.6050, 13.0038, id="malmoe-sweden"),
        pytest.param(54.7833, 9.4333, id="flensburg-germany"),
        pytest.param(59.9139, 10.7522, id="oslo-norway"),
        pytest.param(0.0, 0.0, id="null-island"),
        pytest.param(float("nan"), 10.0, id="not-a-number"),
    ],
)
def test_point_outside_denmark_is_not_routed(
    reference: ReferenceData, lat: float, lon: float
) -> None:
    assert reference.district_at(lat, lon) is None


@needs_data
def test_every_municipality_interior_point_lies_in_its_district(reference: ReferenceData) -> None:
    assert DATA_DIR is not None
    collection = json.loads(Path(DATA_DIR, "municipalities.geojson").read_text(encoding="utf-8"))
    wrong = {}
    for feature in collection["features"]:
        code = str(feature["properties"]["municipality_code"]).lstrip("0")
        lon, lat = _interior_point(feature["geometry"])
        found = reference.district_at(lat, lon)
        if found != MUNICIPALITIES[code].district_code:
            wrong[code] = (found, MUNICIPALITIES[code].district_code, lat, lon)
    assert wrong == {}
    assert len(collection["features"]) == 99


@needs_data
@pytest.mark.parametrize(
    ("postal_code", "district_code"),
    [
        pytest.param("8000", "1461", id="aarhus-c"),
        pytest.param("9000", "1460", id="aalborg"),
        pytest.param("3700", "1471", id="roenne"),
        pytest.param("2770", "1470", id="kastrup"),
        pytest.param("0800", "1469", id="hoeje-taastrup-large-customer-code"),
        pytest.param("800", "1469", id="leading-zero-dropped"),
        pytest.param(" 8000 ", "1461", id="surrounding-spaces"),
    ],
)
def test_postal_code_in_one_district_is_routed(
    reference: ReferenceData, postal_code: str, district_code: str
) -> None:
    assert reference.district_for_postal_code(postal_code) == district_code


@needs_data
@pytest.mark.parametrize(
    ("postal_code", "district_codes"),
    [
        pytest.param("4000", ("1467", "1469"), id="roskilde"),
        pytest.param("2900", ("1468", "1470"), id="hellerup"),
        pytest.param("4682", ("1466", "1467"), id="tureby"),
    ],
)
def test_postal_code_spanning_districts_is_not_routed(
    reference: ReferenceData, postal_code: str, district_codes: tuple[str, ...]
) -> None:
    info = reference.postal_code(postal_code)
    assert info is not None
    assert info.multi_district
    assert info.district_codes == district_codes
    assert reference.district_for_postal_code(postal_code) is None


@needs_data
@pytest.mark.parametrize(
    "postal_code",
    [
        pytest.param("0001", id="unknown"),
        pytest.param("", id="empty"),
        pytest.param("80000", id="five-digits"),
        pytest.param("DK-8000", id="prefixed"),
        pytest.param("８０００", id="full-width-digits"),
    ],
)
def test_unknown_postal_code_gives_none(reference: ReferenceData, postal_code: str) -> None:
    assert reference.postal_code(postal_code) is None
    assert reference.district_for_postal_code(postal_code) is None


@needs_data
def test_postal_code_info_carries_name_and_municipalities(reference: ReferenceData) -> None:
    info = reference.postal_code("4000")
    assert info is not None
    assert info.postal_code == "4000"
    assert info.name == "Roskilde"
    assert info.municipality_codes == ("265", "350", "169")


@needs_data
def test_72_postal_codes_span_several_districts(reference: ReferenceData) -> None:
    assert len(reference.postal_codes) == 1124
    assert sum(info.multi_district for info in reference.postal_codes.values()) == 72


@needs_data
def test_every_postal_code_municipality_is_in_the_district_table(reference: ReferenceData) -> None:
    for info in reference.postal_codes.values():
        assert set(info.municipality_codes) <= set(MUNICIPALITIES), info.postal_code


# --- behaviour on small made-up data (no data files needed) ---


def _square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _write_geojson(directory: Path, features: Sequence[tuple[str, str, list]]) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"district_code": code},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
            for code, kind, coordinates in features
        ],
    }
    (directory / DISTRICTS_GEOJSON).write_text(json.dumps(collection), encoding="utf-8")


@pytest.fixture
def made_up(tmp_path: Path) -> ReferenceData:
    """1460: a 1° square with a square hole; 1461: a square 0.02° (about 1.2 km) east of it."""
    outer = _square(10.0, 56.0, 11.0, 57.0)
    hole = _square(10.4, 56.4, 10.6, 56.6)
    _write_geojson(
        tmp_path,
        [
            ("1460", "Polygon", [outer, hole]),
            ("1461", "MultiPolygon", [[_square(11.02, 56.0, 12.0, 57.0)]]),
        ],
    )
    return load_reference_data(tmp_path)


@pytest.mark.parametrize(
    ("lat", "lon", "district_code"),
    [
        pytest.param(56.2, 10.2, "1460", id="inside-polygon"),
        pytest.param(56.5, 11.5, "1461", id="inside-multipolygon"),
        pytest.param(56.5, 10.5, None, id="inside-hole"),
        pytest.param(56.5, 11.004, "1460", id="250m-off-one-coast"),
        pytest.param(56.5, 11.016, "1461", id="250m-off-the-other-coast"),
        pytest.param(56.5, 11.01, None, id="600m-from-both"),
        pytest.param(57.1, 10.5, None, id="11km-off-coast"),
    ],
)
def test_point_routing_on_made_up_districts(
    made_up: ReferenceData, lat: float, lon: float, district_code: str | None
) -> None:
    assert made_up.district_at(lat, lon) == district_code


def test_point_near_two_districts_is_not_guessed(made_up: ReferenceData) -> None:
    assert made_up.district_at(56.5, 11.01, near_metres=700) is None


def test_near_coast_fallback_can_be_switched_off(made_up: ReferenceData) -> None:
    assert made_up.district_at(56.5, 11.004, near_metres=0) is None


def test_missing_files_disable_the_lookups(tmp_path: Path) -> None:
    data = load_reference_data(tmp_path / "does-not-exist")
    assert not data.has_boundaries
    assert not data.has_postal_codes
    assert data.district_at(56.1567, 10.2108) is None
    assert data.postal_code("8000") is None
    assert data.district_for_postal_code("8000") is None


def test_postal_codes_load_without_boundaries(tmp_path: Path) -> None:
    (tmp_path / POSTAL_CODES_CSV).write_text(
        "postal_code,name,municipality_codes,district_codes,multi_district\n"
        "0800,Høje Taastrup,0169,1469,0\n"
        "4000,Roskilde,265;350;169,1467;1469,1\n",
        encoding="utf-8",
    )
    data = load_reference_data(tmp_path)
    assert data.has_postal_codes and not data.has_boundaries
    assert data.district_for_postal_code("800") == "1469"
    assert data.district_for_postal_code("4000") is None
    info = data.postal_code("0800")
    assert info is not None
    assert info.municipality_codes == ("169",)


def test_unknown_district_code_in_boundaries_fails_loading(tmp_path: Path) -> None:
    _write_geojson(tmp_path, [("1999", "Polygon", [_square(10.0, 56.0, 11.0, 57.0)])])
    with pytest.raises(ValueError, match="1999"):
        load_reference_data(tmp_path)


def test_non_polygon_geometry_fails_loading(tmp_path: Path) -> None:
    _write_geojson(tmp_path, [("1460", "Point", [10.0, 56.0])])
    with pytest.raises(ValueError, match="Point"):
        load_reference_data(tmp_path)


def test_polygon_without_coordinates_fails_loading_as_a_bad_file(tmp_path: Path) -> None:
    _write_geojson(tmp_path, [("1460", "Polygon", None)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="1460 has no coordinates"):
        load_reference_data(tmp_path)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        pytest.param("8000", "8000", id="four-digits"),
        pytest.param("800", "0800", id="leading-zero-restored"),
        pytest.param(" 2100\n", "2100", id="whitespace"),
        pytest.param("21OO", None, id="letters"),
        pytest.param("12345", None, id="too-long"),
        pytest.param("", None, id="empty"),
    ],
)
def test_normalise_postal_code(raw: str, normalised: str | None) -> None:
    assert normalise_postal_code(raw) == normalised


def _interior_point(geometry: dict) -> tuple[float, float]:
    """A point well inside the largest part: the middle of its widest span at mid-latitude."""
    parts = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )

    def area(ring: list[list[float]]) -> float:
        return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)))

    rings = max(parts, key=lambda rings: area(rings[0]))
    lats = [p[1] for p in rings[0]]
    lat = (min(lats) + max(lats)) / 2 + 1e-7
    crossings = sorted(
        x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        for ring in rings
        for (x1, y1), (x2, y2) in pairwise(ring)
        if (y1 > lat) != (y2 > lat)
    )
    west, east = max(zip(crossings[::2], crossings[1::2], strict=True), key=lambda s: s[1] - s[0])
    return (west + east) / 2, lat
