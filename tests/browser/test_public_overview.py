"""The public overview (`/tal`) in a real browser: figures a citizen can read, filter and download,
with 0 axe violations in both languages (screenshots in test-artifacts/screenshots/)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.models import IntakeBase
from services.intake.overview import store
from shared.db import Database
from shared.events import PublicOrderEvent
from shared.public_ids import public_id
from shared.vocabulary import Category, Decision, OrderStatus, ReasonCode
from tests.browser.conftest import check_accessibility, screenshots

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _year_of_orders(n: int) -> list[PublicOrderEvent]:
    """Orders spread over 2026 in three districts, most of them traffic controls, at every end."""
    pick = random.Random(13)
    out = []
    for _ in range(n):
        day = date(2026, 1, 1) + timedelta(days=pick.randrange(330))
        category = pick.choices(list(Category), weights=[90, 6, 4])[0]
        state = {
            "public_id": public_id(uuid.uuid4()),
            "category": category,
            "received_on": day,
            "district_code": pick.choice(["1461", "1470", "1464"]),
            "occurred_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        }
        end = pick.random()
        if end < 0.15:
            state |= {
                "status": OrderStatus.DECLINED,
                "decision": Decision.DECLINED,
                "reason_code": pick.choice([ReasonCode.NO_CAPACITY, ReasonCode.ALREADY_PLANNED]),
                "decision_deadline_met": pick.random() < 0.9,
            }
        elif end < 0.9:
            traffic = category is Category.TRAFFIC_CONTROL
            state |= {
                "status": OrderStatus.COMPLETED,
                "decision": Decision.ACCEPTED,
                "reason_code": ReasonCode.ACCEPTED,
                "decision_deadline_met": pick.random() < 0.93,
                "execution_deadline_met": pick.random() < 0.8,
                "vehicles_checked": pick.randrange(40, 300) if traffic else None,
                "violations": pick.randrange(0, 20) if traffic else None,
            }
        else:
            state["status"] = OrderStatus.ROUTED
        out.append(PublicOrderEvent.model_validate(state))
    return out


async def test_a_citizen_reads_filters_and_downloads_the_figures(page, intake_server) -> None:
    db = Database(intake_server.database_url, IntakeBase.metadata)
    try:
        async with db.transaction() as session:
            for state in _year_of_orders(400):
                await store.take(session, state)
    finally:
        await db.dispose()

    for lang, heading in (
        ("da", "Tal for Bestil en betjent"),
        ("en", "Figures for Order a police officer"),
    ):
        await page.goto(f"/tal?lang={lang}&year=2026")
        assert await page.locator("h1").inner_text() == heading
        await check_accessibility(page, f"/tal ({lang})")
        await screenshots(page, f"{lang}-11-overview")

    await page.goto("/tal?year=2026")
    await page.get_by_label("Politikreds", exact=True).select_option("1470")
    await page.get_by_role("button", name="Vis tal").click()
    await page.wait_for_url("**district=1470**")
    assert "Københavns Politi, 2026" in await page.locator("#figures-heading").inner_text()
    await check_accessibility(page, "/tal for one district")
    csv_link = page.locator("#download-csv")
    assert "district=1470" in (await csv_link.get_attribute("href") or "")
    async with page.expect_download() as download:
        await csv_link.click()
    assert (await download.value).suggested_filename == "bestil-en-betjent-2026-1470.csv"
