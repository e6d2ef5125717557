"""shared.districts: its lookups, and its agreement with the reference data files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from shared.districts import (
    _MUNICIPALITIES_BY_DISTRICT,
    DISTRICTS,
    MUNICIPALITIES,
    District,
    Municipality,
    danish_sort_key,
    district,
    district_for_municipality,
    municipalities_sorted,
    municipality,
)
from tests.reference_data import reference_data_dir

DATA_DIR = reference_data_dir()
needs_data = pytest.mark.skipif(DATA_DIR is None, reason="reference data directory not found")


def _read_csv(name: str) -> list[dict[str, str]]:
    assert DATA_DIR is not None
    with Path(DATA_DIR, name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


# --- lookups (no data files needed) ---


@pytest.mark.parametrize(
    ("code", "district_code"),
    [
        pytest.param("101", "1470", id="koebenhavn"),
        pytest.param("0101", "1470", id="kommunekode-with-leading-zero"),
        pytest.param(" 751 ", "1461", id="surrounding-spaces"),
        pytest.param("259", "1467", id="koege"),
        pytest.param("330", "1466", id="slagelse"),
        pytest.param("787", "1462", id="thisted-not-nordjylland"),
        pytest.param("746", "1463", id="skanderborg"),
        pytest.param("157", "1468", id="gentofte-not-koebenhavn"),
        pytest.param("400", "1471", id="bornholm"),
        pytest.param("0411", "1471", id="christiansoe"),
    ],
)
def test_municipality_routes_to_its_district(code: str, district_code: str) -> None:
    found = district_for_municipality(code)
    assert found is not None
    assert found.code == district_code


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("", id="empty"),
        pytest.param("0", id="zero"),
        pytest.param("999", id="unknown"),
        pytest.param("1460", id="district-code-is-not-a-municipality"),
        pytest.param("abc", id="not-a-number"),
    ],
)
def test_unknown_municipality_code_gives_none(code: str) -> None:
    assert municipality(code) is None
    assert district_for_municipality(code) is None


def test_municipality_lookup_accepts_four_digit_kommunekode() -> None:
    assert municipality("0101") == municipality("101") == Municipality("101", "København", "1470")


def test_district_lookup_by_code() -> None:
    assert district("1460") == District(
        "1460", "Nordjyllands Politi", "Nordjylland", "nordjyllands-politi"
    )
    assert district("9999") is None
    assert district("") is None


def test_there_are_twelve_districts_coded_1460_to_1471() -> None:
    assert list(DISTRICTS) == [str(code) for code in range(1460, 1472)]
    assert all(d.code == code for code, d in DISTRICTS.items())


def test_every_municipality_points_at_a_known_district() -> None:
    assert {m.district_code for m in MUNICIPALITIES.values()} == set(DISTRICTS)


def test_there_are_98_municipalities_plus_christiansoe() -> None:
    assert len(MUNICIPALITIES) == 99
    assert sum(m.is_municipality for m in MUNICIPALITIES.values()) == 98
    assert MUNICIPALITIES["411"] == Municipality(
        "411", "Christiansø", "1471", is_municipality=False
    )


def test_no_municipality_is_listed_under_two_districts() -> None:
    listed = Counter(code for rows in _MUNICIPALITIES_BY_DISTRICT.values() for code, _ in rows)
    assert [code for code, count in listed.items() if count > 1] == []


def test_codes_are_stored_without_leading_zeros() -> None:
    assert all(code == code.lstrip("0") == m.code for code, m in MUNICIPALITIES.items())


def test_short_name_and_slug_follow_the_district_name() -> None:
    for d in DISTRICTS.values():
        assert d.name.endswith(" Politi")
        assert d.slug.isascii()
        assert d.slug == (
            d.name.lower()
            .replace(" ", "-")
            .replace("æ", "ae")
            .replace("ø", "oe")
            .replace("å", "aa")
        ).replace("--", "-")


def test_municipalities_sorted_is_in_danish_alphabetical_order() -> None:
    names = [m.name for m in municipalities_sorted()]
    assert len(names) == 99
    assert names[0] == "Albertslund"
    assert names[-4:] == ["Ærø", "Aabenraa", "Aalborg", "Aarhus"]
    assert names.index("Tønder") < names.index("Tårnby")
    assert names.index("Vordingborg") < names.index("Ærø")


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        pytest.param("Zealand", "Ærø", id="ae-after-z"),
        pytest.param("Ærø", "Ølstykke", id="oe-after-ae"),
        pytest.param("Ølstykke", "Åbenrå", id="a-ring-after-oe"),
        pytest.param("Åbenrå", "Aarhus", id="double-a-sorts-like-a-ring"),
        pytest.param("albertslund", "Ballerup", id="ignores-case"),
    ],
)
def test_danish_sort_key_orders_special_letters_last(earlier: str, later: str) -> None:
    assert danish_sort_key(earlier) < danish_sort_key(later)


# --- agreement with the reference data files ---


@needs_data
def test_districts_match_the_reference_csv() -> None:
    rows = _read_csv("police_districts.csv")
    assert {r["district_code"]: r["district_name"] for r in rows} == {
        code: d.name for code, d in DISTRICTS.items()
    }
    assert {r["district_code"]: r["slug"] for r in rows} == {
        code: d.slug for code, d in DISTRICTS.items()
    }


@needs_data
def test_every_reference_municipality_is_in_the_table_with_the_same_district() -> None:
    rows = _read_csv("municipalities.csv")
    expected = {
        r["municipality_code"]: (r["municipality_name"], r["district_code"], r["is_municipality"])
        for r in rows
    }
    actual = {
        code: (m.name, m.district_code, "true" if m.is_municipality else "false")
        for code, m in MUNICIPALITIES.items()
    }
    assert actual == expected


@needs_data
def test_reference_kommunekode_with_leading_zero_finds_the_same_municipality() -> None:
    for row in _read_csv("municipalities.csv"):
        found = municipality(row["kommunekode"])
        assert found is not None, row["kommunekode"]
        assert found.code == row["municipality_code"]


@needs_data
def test_municipality_count_per_district_matches_the_reference_csv() -> None:
    counted = Counter(m.district_code for m in MUNICIPALITIES.values() if m.is_municipality)
    expected = {
        r["district_code"]: int(r["municipality_count"]) for r in _read_csv("police_districts.csv")
    }
    assert dict(counted) == expected
    assert sum(expected.values()) == 98
