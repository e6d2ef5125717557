"""The district map (`/map`, `/map/data`), its hotspots, the order page's map and routing's
reasons in the officers' words: pure rules first, then over HTTP with a real database."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from services.screening import labels
from services.screening.main import security_headers, tile_origin
from services.screening.map_data import (
    HotspotCandidate,
    coarse,
    deadline_state,
    find_hotspots,
)
from services.screening.nearby import normalise_road
from shared import events
from shared.vocabulary import Role
from tests.handlers.test_screening_web import officer_browser, queued
from tests.support import submitted_event, talk_order, traffic_order

# --- pure rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "alerts", "state"),
    [
        ("ok", (None, None), "ok"),
        (None, (), "ok"),
        ("soon", (None, None), "warning"),
        ("ok", ("warning", None), "warning"),
        ("past", (None, None), "breached"),
        ("soon", (None, "breached"), "breached"),
    ],
    ids=["in-time", "no-deadline", "near", "announced-near", "passed", "announced-breach"],
)
def test_deadline_state_follows_the_days_left_and_the_alerts(urgency, alerts, state) -> None:
    assert deadline_state(urgency, alerts) == state


def test_the_maps_coordinates_are_rounded_to_about_100_m() -> None:
    assert coarse(56.191234) == 56.191
    assert coarse(None) is None


def _candidate(n: int, road: str | None, municipality: str = "751", **kw) -> HotspotCandidate:
    return HotspotCandidate(
        order_id=f"order-{n:02d}",
        municipality_code=municipality,
        road_key=normalise_road(road),
        road=road,
        lat=kw.get("lat"),
        lon=kw.get("lon"),
        is_open=kw.get("is_open", False),
    )


def test_three_orders_naming_one_road_make_a_hotspot_whatever_the_spelling() -> None:
    spots = find_hotspots(
        [
            _candidate(1, "Skovvejen", is_open=True),
            _candidate(2, "Skovvejen", lat=56.19, lon=10.23),
            _candidate(3, "skovvejen", lat=56.20, lon=10.24),
            _candidate(4, "Vestergade"),
        ]
    )
    assert [(s.kind, s.road, s.municipality_code, s.count, s.open_count) for s in spots] == [
        ("road", "Skovvejen", "751", 3, 1)
    ]
    assert spots[0].order_ids == ("order-01", "order-02", "order-03")
    assert spots[0].lat == pytest.approx(56.195)


def test_two_orders_or_one_road_in_two_municipalities_are_no_hotspot() -> None:
    assert find_hotspots([_candidate(1, "Skovvejen"), _candidate(2, "Skovvejen")]) == []
    assert (
        find_hotspots(
            [
                _candidate(1, "Skovvejen", "751"),
                _candidate(2, "Skovvejen", "751"),
                _candidate(3, "Skovvejen", "730"),
            ]
        )
        == []
    )


def test_orders_within_300_m_make_a_place_hotspot_without_a_common_road() -> None:
    lat, lon = 56.15, 10.2
    spots = find_hotspots(
        [
            _candidate(1, "Ringvejen", lat=lat, lon=lon),
            _candidate(2, "Ringvej Syd", lat=lat + 0.001, lon=lon),  # ~110 m north
            _candidate(3, None, lat=lat, lon=lon + 0.002),  # ~125 m east
            _candidate(4, "Ringvejen", lat=lat + 0.05, lon=lon),  # 5.5 km away
        ]
    )
    assert [(s.kind, s.road, s.count) for s in spots] == [("place", "Ringvejen", 3)]


def test_a_line_of_orders_300_m_apart_does_not_chain_into_one_hotspot() -> None:
    step = 0.0023  # ~255 m of latitude: each order is near the next one only
    line = [_candidate(n, None, lat=56.0 + n * step, lon=10.0) for n in range(4)]
    spots = find_hotspots(line)
    assert [s.count for s in spots] == [3]


def test_the_busiest_hotspot_comes_first() -> None:
    spots = find_hotspots(
        [_candidate(n, "Skovvejen") for n in range(3)]
        + [_candidate(n, "Vestergade") for n in range(10, 14)]
    )
    assert [(s.road, s.count) for s in spots] == [("Vestergade", 4), ("Skovvejen", 3)]


@pytest.mark.parametrize(
    ("reason", "known", "danish"),
    [
        (
            "no municipality given and no boundary or postal-code data configured",
            True,
            "Borgeren har ikke valgt en kommune",
        ),
        (
            "postal code 4000 does not decide a single district",
            True,
            "Postnummer 4000 peger ikke på én bestemt politikreds",
        ),
        ("a reason routing learnt later", False, "a reason routing learnt later"),
    ],
    ids=["no-data", "postal-code", "unknown"],
)
def test_routings_reasons_reach_officers_in_danish(reason, known, danish) -> None:
    text = labels.routing_reason(reason)
    assert text is not None
    assert text.known is known
    assert text.text.startswith(danish)
    english = labels.routing_reason(reason, "en")
    assert english is not None and english.original == reason
    assert labels.routing_reason("") is None


def test_the_tile_origin_is_allowed_for_images_and_nothing_else() -> None:
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    csp = security_headers("https://tile.openstreetmap.org/{z}/{x}/{y}.png")[
        "Content-Security-Policy"
    ]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert "connect-src 'self';" in csp
    assert "script-src 'self';" in csp
    assert "img-src 'self' data:;" in security_headers("")["Content-Security-Policy"]


# --- over HTTP ------------------------------------------------------------------------------

PLACE: dict[str, Any] = {
    "address": "Skovvejen 12",
    "postal_code": "8240",
    "city": "Risskov",
    "municipality_code": "751",
    "lat": 56.191234,
    "lon": 10.236012,
}


@pytest.fixture
async def screening_map(harness):
    return await harness("screening", map_tile_url="https://tiles.example.dk/{z}/{x}/{y}.png")


async def test_the_map_lists_the_districts_open_orders_and_its_hotspots(screening_map) -> None:
    h = screening_map
    road = [
        await queued(h, "1461", location={**PLACE, "lat": PLACE["lat"] + i / 1000})
        for i in range(3)
    ]
    talk = await queued(h, "1461", **{**talk_order(), "now": h.clock()})
    elsewhere = await queued(h, "1470", location=PLACE)
    browser = await officer_browser(h, Role.OFFICER, "1461")

    page = await browser.get("/map")
    assert page.status_code == 200
    for order in [*road, talk]:
        assert order.reference in page.text
    assert elsewhere.reference not in page.text
    assert 'id="hotspots"' in page.text and "Skovvejen</th>" in page.text
    assert 'data-source="/map/data"' in page.text
    assert "/static/vendor/leaflet/leaflet.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data: https://tiles.example.dk;" in csp

    filtered = await browser.get("/map?category=talk")
    assert talk.reference in filtered.text
    assert road[0].reference not in filtered.text


async def test_the_maps_data_carries_no_more_than_the_queue_shows(screening_map) -> None:
    h = screening_map
    order = await queued(h, "1461", location=PLACE)
    browser = await officer_browser(h, Role.OFFICER, "1461")
    answer = await browser.get("/map/data")
    assert answer.status_code == 200
    data = answer.json()
    [marker] = data["orders"]
    assert marker == {
        "reference": order.reference,
        "url": f"/orders/{order.order_id}",
        "category": "traffic_control",
        "category_label": "Færdselskontrol",
        "status": "routed",
        "status_label": "Til behandling",
        "subject": "Skovvejen mellem nr. 2 og 40",
        "municipality": "Aarhus",
        "district": marker["district"],
        "urgent": False,
        "deadline_kind": "Afgørelse",
        "deadline_date": marker["deadline_date"],
        "deadline_text": marker["deadline_text"],
        "state": "ok",
        "state_label": "Inden for fristen",
        "lat": 56.191,
        "lon": 10.236,
        "hotspot": False,
    }
    text = json.dumps(data, ensure_ascii=False)
    for personal in ("Skovvejen 12", "Risskov", "@", order.requester.name):
        assert personal not in text


async def test_an_overdue_order_is_breached_on_the_map(screening_map) -> None:
    h = screening_map
    await queued(h, "1461", location=PLACE, now=h.clock() - timedelta(days=20))
    browser = await officer_browser(h, Role.OFFICER, "1461")
    [marker] = (await browser.get("/map/data")).json()["orders"]
    assert (marker["state"], marker["state_label"]) == ("breached", "Frist overskredet")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR])
async def test_another_districts_officer_sees_none_of_its_orders_on_the_map(
    screening_map, role
) -> None:
    h = screening_map
    ours = await queued(h, "1461", location=PLACE)
    theirs = [await queued(h, "1470", location=PLACE) for _ in range(3)]
    browser = await officer_browser(h, role, "1461")
    for path in ("/map/data", "/map/data?district=1470", "/map/data?status=routed"):
        data = (await browser.get(path)).json()
        assert [m["reference"] for m in data["orders"]] == [ours.reference], path
        assert data["hotspots"] == [], path  # the other district's three are not counted
    page = await browser.get("/map?district=1470")
    assert all(t.reference not in page.text for t in theirs)


async def test_a_national_admin_sees_all_districts_or_chooses_one(screening_map) -> None:
    h = screening_map
    ours = await queued(h, "1461", location=PLACE)
    theirs = await queued(h, "1470", location=PLACE)
    unroutable = await queued(h, None, location=PLACE)
    browser = await officer_browser(h, Role.NATIONAL_ADMIN, None)
    every = {m["reference"] for m in (await browser.get("/map/data")).json()["orders"]}
    assert every == {ours.reference, theirs.reference, unroutable.reference}
    one = (await browser.get("/map/data?district=1470")).json()["orders"]
    assert [m["reference"] for m in one] == [theirs.reference]


async def test_the_map_asks_for_a_sign_in(screening_map, client_for) -> None:
    client = client_for(screening_map)
    for path in ("/map", "/map/data"):
        answer = await client.get(path)
        assert answer.status_code == 302
        assert answer.headers["location"].startswith("/login")


async def test_the_order_page_shows_its_place_on_a_small_map_or_says_it_has_none(
    screening_map,
) -> None:
    h = screening_map
    placed = await queued(h, "1461", location=PLACE)
    unplaced = await queued(h, "1461")
    browser = await officer_browser(h, Role.OFFICER, "1461")
    page = await browser.get(f"/orders/{placed.order_id}")
    assert 'id="order-map"' in page.text
    assert 'data-lat="56.191234"' in page.text
    assert "/static/map.js" in page.text
    page = await browser.get(f"/orders/{unplaced.order_id}")
    assert 'id="order-map"' not in page.text
    assert "Bestillingen har ingen koordinater" in page.text


async def test_without_tiles_the_pages_show_lists_and_text_only(harness) -> None:
    h = await harness("screening", map_tile_url="")
    order = await queued(h, "1461", location=PLACE)
    browser = await officer_browser(h, Role.OFFICER, "1461")
    page = await browser.get("/map")
    assert order.reference in page.text and 'id="district-map"' not in page.text
    page = await browser.get(f"/orders/{order.order_id}")
    assert 'id="order-map"' not in page.text and "leaflet" not in page.text


async def test_the_manual_routing_page_gives_routings_reason_in_danish(screening_map) -> None:
    h = screening_map
    known, unknown = submitted_event(traffic_order()), submitted_event(traffic_order())
    for order, reason in (
        (known, "no municipality given and no boundary or postal-code data configured"),
        (unknown, "postal code 4000 spans several districts"),
    ):
        await h.deliver(order)
        await h.deliver(
            events.OrderUnroutable(
                order_id=order.order_id, reference=order.reference, reason=reason
            )
        )
    browser = await officer_browser(h, Role.NATIONAL_ADMIN, None)
    page = await browser.get("/routing")
    assert "Borgeren har ikke valgt en kommune" in page.text
    assert "no municipality given" not in page.text
    assert 'Systemets egen tekst: <q lang="en">postal code 4000 spans several districts</q>' in (
        page.text
    )
    order_page = await browser.get(f"/orders/{known.order_id}")
    assert "Borgeren har ikke valgt en kommune" in order_page.text
