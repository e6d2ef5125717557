"""The district map and the order page's map in real headless Chromium: Leaflet draws the
orders of /map/data from a local tile server, the markers are reached and opened by keyboard,
axe-core finds no WCAG 2.1 A/AA violation, and screenshots are kept under
test-artifacts/screenshots/ to look at."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.browser.workspace.conftest import (
    PHONE,
    ROOT,
    Site,
    _Server,
    assert_accessible,
    missing,
    seed,
    sign_in,
)
from tests.support import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

#: More open orders in Østjylland with coordinates, so that the map has every deadline state
#: and a dense corner that clusters: (name, days ago, lat, lon, road)
PLACED = [
    ("late", 17, 56.1572, 10.2107, "Vestergade"),
    ("near", 12, 56.1629, 10.1870, "Silkeborgvej"),
    ("fresh_1", 1, 56.1500, 10.2000, "Frederiks Allé"),
    ("fresh_2", 1, 56.1503, 10.2004, "Frederiks Allé ved nr. 40"),
    ("fresh_3", 2, 56.1507, 10.1996, "Frederiks Allé"),
]


async def _prepare(database_url: str) -> None:
    """The schema as the migrations leave it, plus any table added since without one yet
    (create_all adds only what is missing), so that seeding never meets a missing table."""
    from services.screening.models import ScreeningBase
    from shared import migrations
    from shared.db import Database

    db = Database(database_url, ScreeningBase.metadata)
    await migrations.upgrade(db, "screening")
    await db.create_all()
    await db.dispose()


async def _place_more(database_url: str, now: datetime) -> dict[str, Any]:
    from services.screening import projection
    from services.screening.models import ScreeningBase
    from shared import districts, events
    from shared.db import Database
    from shared.vocabulary import RoutingMethod
    from tests.support import submitted_event, traffic_order

    db = Database(database_url, ScreeningBase.metadata)
    placed = {}
    async with db.transaction() as session:
        for name, days, lat, lon, road in PLACED:
            order = submitted_event(
                traffic_order(
                    location={
                        "postal_code": "8000",
                        "city": "Aarhus C",
                        "municipality_code": "751",
                        "lat": lat,
                        "lon": lon,
                    },
                    details={"road": road, "problem": "speeding"},
                ),
                now=now - timedelta(days=days),
            )
            await projection.apply_event(session, order)
            await projection.apply_event(
                session,
                events.OrderRouted(
                    order_id=order.order_id,
                    reference=order.reference,
                    district_code="1461",
                    district_name=districts.district("1461").name,
                    method=RoutingMethod.COORDINATES,
                    routed_at=order.submitted_at,
                ),
            )
            placed[name] = order
    await db.dispose()
    return placed


@pytest_asyncio.fixture(loop_scope="session")
async def map_site(tmp_path: Path, database_url: Any, tile_url: str) -> AsyncIterator[Site]:
    """Screening as a server whose maps load their tiles from a local tile server."""
    from services.screening.main import create_app
    from services.screening.settings import ScreeningSettings
    from shared.settings import KafkaSettings

    if missing():
        pytest.skip(f"browser test skipped: {missing()}")
    screening_db = await database_url("screening")
    await _prepare(screening_db)
    now = datetime.now(UTC)
    officers, orders = await seed(screening_db, now)
    orders.update(await _place_more(screening_db, now))
    port = free_port()
    app = create_app(
        ScreeningSettings(
            database_url=screening_db,
            var_dir=tmp_path / "var",
            map_tile_url=tile_url,
            kafka=KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}", create_topics=False),
        )
    )
    with _Server(app, port, "screening-map"):
        yield Site(
            url=f"http://127.0.0.1:{port}",
            intake_url="",
            database_url=screening_db,
            officers=officers,
            orders=orders,
        )


async def _screenshots(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    size = page.viewport_size
    await page.set_viewport_size(PHONE)
    await page.wait_for_timeout(300)  # Leaflet redraws on resize
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    await page.set_viewport_size(size)


def _tile_served(request: Any) -> bool:
    return bool(re.search(r"/\d+/\d+/\d+\.png$", request.url))


@pytest.mark.parametrize("tile_url", ["served"], indirect=True)
async def test_the_district_map_by_mouse_keyboard_and_list(map_site, officer_context) -> None:
    site = map_site
    page = await (await officer_context(site.url)).new_page()
    tiles: list[str] = []
    page.on("requestfinished", lambda r: tiles.append(r.url) if _tile_served(r) else None)
    await sign_in(page, site.officers["officer"])
    await page.get_by_role("link", name="Kort").click()
    await page.wait_for_url("**/map")
    await page.locator("#district-map[data-drawn]").wait_for()
    assert tiles, "no map tile was loaded"
    assert await page.get_by_role("button", name="Zoom ind").count() == 1  # Danish controls

    # the list alternative holds every open order of the district, the other district's none
    listed = await page.locator("table.map-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.reference)"
    )
    for name in ("neighbour_1", "neighbour_3", "breached", "talk", "late", "fresh_1"):
        assert site.orders[name].reference in listed, name
    for name in ("elsewhere", "unroutable", "done"):
        assert site.orders[name].reference not in listed, name
    hotspots = await page.locator("#hotspots tbody tr").all_inner_texts()
    assert [row.split("\t")[:3] for row in hotspots] == [
        ["Frederiks Allé", "Aarhus", "3"],
        ["Skovvejen", "Aarhus", "3"],
    ]

    # markers: focusable buttons named by what the queue shows, with shape besides colour
    pins = page.locator(".leaflet-marker-icon.map-pin")
    assert await pins.count() >= 2
    assert await page.locator(".map-pin-breached svg rect").count() == 1  # "late"
    assert await page.locator(".map-pin-warning svg path").count() == 1  # "near"
    assert await page.locator(".leaflet-marker-icon.map-hotspot").count() == 2
    assert await page.locator("path.map-hotspot-area").count() == 2
    late = page.locator(".map-pin-breached")
    assert await late.get_attribute("role") == "button"
    assert await late.get_attribute("tabindex") == "0"
    name = (await late.inner_text()).strip()
    assert name.startswith(site.orders["late"].reference) and "Frist overskredet" in name
    await assert_accessible(page, "map")
    await _screenshots(page, "map")
    await page.locator("#district-map").screenshot(path=str(SCREENSHOTS / "map-detail.png"))

    # Enter on a marker opens it, focus moves to the link, Escape returns to the marker
    await late.focus()
    await page.keyboard.press("Enter")
    link = page.get_by_role("link", name=f"Åbn {site.orders['late'].reference}")
    await link.wait_for()
    assert await link.evaluate("a => a === document.activeElement")
    assert await page.get_by_role("button", name="Luk").count() == 1
    await assert_accessible(page, "map-popup")
    await _screenshots(page, "map-popup")
    await page.keyboard.press("Escape")
    await page.wait_for_function(
        "() => document.activeElement.classList.contains('map-pin-breached')"
    )

    # the pin's link leads to the order
    await late.focus()
    await page.keyboard.press("Enter")
    await link.wait_for()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/orders/{site.orders['late'].order_id}")

    # a cluster zooms in on Enter, and the map keeps the focus
    await page.goto("/map")
    await page.locator("#district-map[data-drawn]").wait_for()
    cluster = page.locator(".leaflet-marker-icon.map-cluster").first
    if await cluster.count():
        assert "bestillinger" in await cluster.inner_text()
        before = int(await page.locator("#district-map").get_attribute("data-zoom") or 0)
        await cluster.focus()
        await page.keyboard.press("Enter")
        await page.wait_for_function(
            "before => +document.getElementById('district-map').dataset.zoom > before",
            arg=before,
        )
        await page.wait_for_function(
            "() => document.activeElement === document.getElementById('district-map')"
        )

    # filters work without the map: category, then status
    await page.goto("/map?category=talk")
    assert await page.locator("table.map-list tbody tr").count() == 1
    await page.goto("/map")
    await page.get_by_label("Status").select_option("accepted")
    await page.get_by_role("button", name="Vis").click()
    await page.wait_for_url(re.compile(r"status=accepted"))
    assert await page.locator("table.map-list tbody tr").count() == 0
    await assert_accessible(page, "map-empty")


@pytest.mark.parametrize("tile_url", ["served"], indirect=True)
async def test_the_national_admin_sees_every_district_on_the_map(map_site, officer_context) -> None:
    site = map_site
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["national_admin"])
    await page.goto("/map")
    await page.locator("#district-map[data-drawn]").wait_for()
    listed = await page.locator("table.map-list tbody").inner_text()
    assert site.orders["elsewhere"].reference in listed
    assert site.orders["unroutable"].reference in listed
    await assert_accessible(page, "map-admin")
    await page.get_by_label("Politikreds").select_option("1465")
    await page.get_by_role("button", name="Vis").click()
    await page.wait_for_url(re.compile(r"district=1465"))
    assert await page.locator("table.map-list tbody tr").count() == 1

    # the manual-routing page marks routing's own (unknown) words as the system's
    await page.goto("/routing")
    cell = page.locator("td", has_text="Systemets egen tekst")
    assert "postal code 4000 spans several districts" in await cell.inner_text()
    await assert_accessible(page, "routing-reason")
    await _screenshots(page, "routing-reason")


@pytest.mark.parametrize("tile_url", ["served"], indirect=True)
async def test_the_order_page_shows_the_orders_place_on_a_small_map(
    map_site, officer_context
) -> None:
    site = map_site
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["officer"])
    await page.goto(f"/orders/{site.orders['neighbour_1'].order_id}")
    await page.locator("#order-map[data-drawn]").wait_for()
    assert await page.locator("#order-map .leaflet-marker-icon").count() == 1
    assert await page.locator("#order-map .leaflet-tile-loaded").count() > 0
    await assert_accessible(page, "order-map")
    await _screenshots(page, "order-map")

    await page.goto(f"/orders/{site.orders['neighbour_3'].order_id}")
    assert await page.locator("#order-map").count() == 0
    assert (
        "Bestillingen har ingen koordinater" in await page.locator("#order-map-none").inner_text()
    )


@pytest.mark.parametrize("tile_url", ["served"], indirect=True)
async def test_without_javascript_the_map_page_is_its_list_and_filters(
    map_site, workspace_chromium
) -> None:
    site = map_site
    context = await workspace_chromium.new_context(
        base_url=site.url, java_script_enabled=False, locale="da-DK"
    )
    try:
        page = await context.new_page()
        await sign_in(page, site.officers["coordinator"])
        await page.goto("/map")
        assert not await page.locator("#map-section").is_visible()
        assert await page.locator("table.map-list tbody tr").count() == 12
        await page.get_by_label("Kategori").select_option("event_presence")
        await page.get_by_role("button", name="Vis").click()
        await page.wait_for_url(re.compile(r"category=event_presence"))
        rows = await page.locator("table.map-list tbody tr").all_inner_texts()
        assert len(rows) == 1 and "Aarhus Festuge" in rows[0]
        await _screenshots(page, "map-without-javascript")
    finally:
        await context.close()
