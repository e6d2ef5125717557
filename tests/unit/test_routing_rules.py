"""Which district an order goes to: the municipality, then coordinates, then postal code; never a guess."""

from __future__ import annotations

from typing import Any

import pytest

from services.routing.domain import Routed, Unroutable, choose_district
from shared.events import Location
from shared.vocabulary import RoutingMethod


class FakeBoundaryData:
    """Boundaries and postal codes as small tables: a point's district and a code's districts."""

    def __init__(
        self,
        points: dict[tuple[float, float], str] | None = None,
        postal_codes: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.points = points or {}
        self.postal_codes = postal_codes or {}

    def district_at(self, lat: float, lon: float) -> str | None:
        return self.points.get((lat, lon))

    def district_for_postal_code(self, code: str) -> str | None:
        found = self.postal_codes.get(code, ())
        return found[0] if len(found) == 1 else None


AARHUS = (56.1567, 10.2108)
COPENHAGEN = (55.6761, 12.5683)
DATA = FakeBoundaryData(
    points={AARHUS: "1461", COPENHAGEN: "1470"},
    postal_codes={
        "8000": ("1461",),
        "1550": ("1470",),
        "3700": ("1471",),
        "6000": ("1463", "1464"),  # Kolding: more than one district
        "9999": ("0000",),  # a district code that does not exist
    },
)


def location(**fields: Any) -> Location:
    return Location.model_validate({"postal_code": "8000", **fields})


def routed_to(result: Routed | Unroutable) -> tuple[str, RoutingMethod]:
    assert isinstance(result, Routed), result
    return result.district.code, result.method


# --- the municipality decides first -----------------------------------------------------


@pytest.mark.parametrize(
    ("municipality_code", "district_code", "district_name"),
    [
        pytest.param("751", "1461", "Østjyllands Politi", id="aarhus"),
        pytest.param("411", "1471", "Bornholms Politi", id="christiansoe"),
        pytest.param("400", "1471", "Bornholms Politi", id="bornholm"),
        pytest.param("101", "1470", "Københavns Politi", id="koebenhavn"),
    ],
)
@pytest.mark.parametrize(
    "data",
    [pytest.param(None, id="no-data"), pytest.param(DATA, id="with-data")],
)
def test_municipality_decides_the_district(municipality_code, district_code, district_name, data):
    result = choose_district(location(municipality_code=municipality_code), data)

    assert routed_to(result) == (district_code, RoutingMethod.MUNICIPALITY)
    assert result.district.name == district_name


def test_municipality_wins_over_coordinates_and_postal_code_elsewhere():
    place = location(
        municipality_code="751", postal_code="1550", lat=COPENHAGEN[0], lon=COPENHAGEN[1]
    )

    assert routed_to(choose_district(place, DATA)) == ("1461", RoutingMethod.MUNICIPALITY)


# --- then the coordinates, then the postal code ------------------------------------------


def test_coordinates_decide_when_no_municipality_is_given():
    place = location(postal_code="1550", lat=AARHUS[0], lon=AARHUS[1])

    assert routed_to(choose_district(place, DATA)) == ("1461", RoutingMethod.COORDINATES)


def test_unknown_municipality_falls_through_to_the_coordinates():
    place = location(municipality_code="999", lat=COPENHAGEN[0], lon=COPENHAGEN[1])

    assert routed_to(choose_district(place, DATA)) == ("1470", RoutingMethod.COORDINATES)


def test_postal_code_decides_when_it_lies_in_one_district():
    assert routed_to(choose_district(location(postal_code="3700"), DATA)) == (
        "1471",
        RoutingMethod.POSTAL_CODE,
    )


def test_postal_code_decides_when_the_coordinates_fall_outside_every_district():
    place = location(postal_code="8000", lat=56.0, lon=11.5)  # in the Kattegat

    assert routed_to(choose_district(place, DATA)) == ("1461", RoutingMethod.POSTAL_CODE)


# --- never a guess ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "data"),
    [
        pytest.param(location(postal_code="6000"), DATA, id="postal-code-in-two-districts"),
        pytest.param(location(postal_code="4321"), DATA, id="unknown-postal-code"),
        pytest.param(location(postal_code="9999"), DATA, id="postal-code-to-unknown-district"),
        pytest.param(
            location(postal_code="6000", lat=56.0, lon=11.5), DATA, id="coordinates-outside-too"
        ),
        pytest.param(location(postal_code="8000"), None, id="no-data-no-municipality"),
        pytest.param(
            location(postal_code="8000", lat=AARHUS[0], lon=AARHUS[1]),
            None,
            id="coordinates-but-no-data",
        ),
        pytest.param(location(municipality_code="999"), None, id="unknown-municipality-no-data"),
    ],
)
def test_order_without_a_certain_district_goes_to_manual_routing(place, data):
    result = choose_district(place, data)

    assert isinstance(result, Unroutable), result
    assert result.reason


def test_multi_district_postal_code_is_named_in_the_reason():
    result = choose_district(location(postal_code="6000"), DATA)

    assert isinstance(result, Unroutable)
    assert "6000" in result.reason


def test_coordinates_pointing_at_an_unknown_district_are_not_trusted():
    data = FakeBoundaryData(points={AARHUS: "0000"}, postal_codes={"8000": ("1461",)})
    place = location(postal_code="8000", lat=AARHUS[0], lon=AARHUS[1])

    assert routed_to(choose_district(place, data)) == ("1461", RoutingMethod.POSTAL_CODE)
