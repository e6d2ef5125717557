"""The week plan in real headless Chromium: scheduled visits, an overbooked week, the accepted
orders waiting for a date, scheduling one from the plan, and the coordinator's capacity form;
axe-core finds no WCAG 2.1 A/AA violation, and screenshots are kept under
test-artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.workspace.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    ROOT,
    Site,
    assert_accessible,
    sign_in,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


async def shoot(page: Any, name: str, *, phone: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    if phone:
        await page.set_viewport_size(PHONE)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        await page.set_viewport_size(DESKTOP)
    return path


async def plan_in_place(site: Site) -> dict[str, Any]:
    """Østjylland's next weeks: three traffic controls next week against a capacity of two,
    a talk the week after, and two accepted orders still waiting for a date."""
    from services.screening import accounts, actions, capacity
    from services.screening.domain import DecisionRequest, ScheduleRequest
    from services.screening.models import ScreeningBase
    from services.screening.planning import Week
    from shared.danish_time import COPENHAGEN
    from shared.db import Database

    db = Database(site.database_url, ScreeningBase.metadata)
    await db.create_all()  # the plan's table, until its migration exists (a no-op after)
    now = datetime.now(UTC)
    async with db.reading() as session:
        coordinator = await accounts.officer_by_email(session, site.officers["coordinator"])
    assert coordinator is not None
    orders = site.orders
    names = ["neighbour_1", "neighbour_2", "neighbour_3", "soon", "talk", "event"]
    await actions.record_decision(
        db,
        coordinator,
        [str(orders[n].order_id) for n in names],
        DecisionRequest(decision="accepted", reason_code="accepted", message="Vi kommer."),
        now=now - timedelta(hours=2),
    )
    week = Week.at(now).shifted(1)
    visits = [
        ("neighbour_1", week.days[1], 9),
        ("neighbour_2", week.days[1], 14),
        ("neighbour_3", week.days[3], 7),
        ("talk", week.shifted(1).days[2], 19),
    ]
    for name, day, hour in visits:
        start = datetime(day.year, day.month, day.day, hour, tzinfo=COPENHAGEN)
        await actions.schedule_order(
            db,
            coordinator,
            [str(orders[name].order_id)],
            ScheduleRequest(planned_start=start, planned_end=start + timedelta(hours=2)),
            now=now - timedelta(hours=1),
        )
    await capacity.set_capacity(
        db,
        coordinator,
        "1461",
        None,
        {"traffic_control": 2, "talk": 2, "event_presence": 1},
        now=now - timedelta(hours=1),
    )
    await db.dispose()
    return {"week": week}


async def test_the_coordinators_week_plan(workspace_site, officer_context) -> None:
    site = workspace_site
    placed = await plan_in_place(site)
    week = placed["week"]
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["coordinator"], PASSWORD)
    await page.get_by_role("link", name="Ugeplan").click()
    await page.wait_for_url("**/plan")

    over = page.locator(f"#uge-{week.key}")
    assert "Overbooket" in await over.inner_text()
    assert "Færdselskontrol har 3 besøg, men plads til 2" in await over.inner_text()
    assert await page.locator(".plan-week-over").count() == 1
    summary = await page.locator("p.summary").inner_text()
    assert f"1 uge er overbooket: uge {week.number}" in summary
    waiting = page.locator("#venter tbody tr")
    assert await waiting.count() == 2
    # the event's deadline (its start, in 9 days) comes before the traffic control's
    assert site.orders["event"].reference in await waiting.first.inner_text()
    await assert_accessible(page, "plan")
    await shoot(page, "plan-coordinator", phone=True)
    await page.set_viewport_size(PHONE)  # the parts to look at closely, at phone width
    await over.screenshot(path=str(SCREENSHOTS / "plan-overbooked-week-phone.png"))
    await page.locator("#venter").screenshot(path=str(SCREENSHOTS / "plan-waiting-phone.png"))
    await page.set_viewport_size(DESKTOP)

    # schedule the waiting traffic control from the plan, in the week after next
    soon = site.orders["soon"]
    day = week.shifted(1).days[4]
    await page.get_by_label(f"Tidspunkt for besøget, {soon.reference}").fill(
        f"{day.isoformat()}T10:30"
    )
    await page.get_by_role("button", name=f"Planlæg {soon.reference}").click()
    await page.wait_for_url(re.compile(r"done=scheduled"))
    assert "Besøget er planlagt" in await page.get_by_role("status").first.inner_text()
    assert await page.locator("#venter tbody tr").count() == 1
    assert soon.reference in await page.locator(f"#uge-{week.shifted(1).key}").inner_text()
    await assert_accessible(page, "plan-scheduled")

    # a week of its own: one traffic control in the week after next
    details = page.locator(f"#uge-{week.shifted(1).key} details")
    await details.locator("summary").click()
    await details.get_by_label("Færdselskontrol").fill("x")
    await details.get_by_role("button", name=re.compile("Gem for uge")).click()
    await page.get_by_role("alert").wait_for()
    error = page.locator(f"#cap-{week.shifted(1).key}-traffic_control-error")
    assert "helt antal" in await error.inner_text()
    await assert_accessible(page, "plan-capacity-error")
    await shoot(page, "plan-capacity-error")
    details = page.locator(f"#uge-{week.shifted(1).key} details")
    await details.get_by_label("Færdselskontrol").fill("0")
    await details.get_by_role("button", name=re.compile("Gem for uge")).click()
    await page.wait_for_url(re.compile(r"done=capacity"))
    assert await page.locator(".plan-week-over").count() == 2

    # the queue's download carries its filter
    await page.goto("/?category=talk&status=all")
    async with page.expect_download() as download:
        await page.get_by_role("link", name=re.compile("Hent køen som CSV")).click()
    file = await (await download.value).path()
    text = await asyncio.to_thread(Path(file).read_text, "utf-8-sig")
    assert text.splitlines()[0].startswith("Reference;Næste frist")
    assert site.orders["talk"].reference in text
    assert site.orders["soon"].reference not in text


async def test_an_officer_sees_the_plan_without_the_capacity_form(
    workspace_site, officer_context
) -> None:
    site = workspace_site
    await plan_in_place(site)
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["officer"], PASSWORD)
    await page.goto("/plan")
    assert await page.locator('form[action="/plan/capacity"]').count() == 0
    assert "Kun kredsens koordinator kan ændre kapaciteten." in await page.content()
    assert await page.locator('form[action="/plan/schedule"]').count() == 2
    await assert_accessible(page, "plan-officer")
    await shoot(page, "plan-officer")
    response = await page.goto("/plan?district=1465")
    assert response is not None and response.status == 403
