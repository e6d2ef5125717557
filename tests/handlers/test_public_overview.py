"""`/tal`: intake counts the agencies' stream into the public overview, and shows it as a page,
CSV and JSON; a redelivered or late message never counts twice."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

from shared.events import PublicOrderEvent
from shared.public_ids import public_id
from shared.vocabulary import Category, Decision, OrderStatus, ReasonCode

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def _steps(category: Category, district: str, *, declined: bool = False) -> list[PublicOrderEvent]:
    pid = public_id(uuid.uuid4())
    base = {
        "public_id": pid,
        "category": category,
        "received_on": date(2026, 11, 3),
        "district_code": district,
    }
    routed = PublicOrderEvent(occurred_at=T0, status=OrderStatus.ROUTED, **base)
    decision = {
        "decision": Decision.DECLINED if declined else Decision.ACCEPTED,
        "reason_code": ReasonCode.NO_CAPACITY if declined else ReasonCode.ACCEPTED,
        "decision_deadline_met": True,
    }
    decided = PublicOrderEvent(
        occurred_at=T0 + timedelta(days=2),
        status=OrderStatus.DECLINED if declined else OrderStatus.ACCEPTED,
        **base,
        **decision,
    )
    if declined:
        return [routed, decided]
    done = PublicOrderEvent(
        occurred_at=T0 + timedelta(days=9),
        status=OrderStatus.COMPLETED,
        execution_deadline_met=True,
        vehicles_checked=120 if category is Category.TRAFFIC_CONTROL else None,
        violations=7 if category is Category.TRAFFIC_CONTROL else None,
        **base,
        **decision,
    )
    return [routed, decided, done]


async def test_the_overview_counts_the_stream_once_and_shows_it(harness, client_for) -> None:
    intake = await harness("intake")
    intake.clock.now = T0 + timedelta(days=20)
    traffic = _steps(Category.TRAFFIC_CONTROL, "1461")
    declined = _steps(Category.TALK, "1461", declined=True)
    elsewhere = _steps(Category.EVENT_PRESENCE, "1470")
    for step in traffic + declined + elsewhere:
        await intake.deliver(step)
    await intake.deliver(traffic[-1])  # redelivered: skipped by its event id
    late = traffic[0].model_copy(update={"event_id": uuid.uuid4()})
    await intake.deliver(late)  # an older state arriving after a newer one: ignored

    client = client_for(intake)
    data = (await client.get("/tal.json", params={"district": "1461", "year": "2026"})).json()
    by_category = {r["category"]: r for r in data["records"]}
    assert set(by_category) == {"traffic_control", "talk"}
    traffic_row = by_category["traffic_control"]
    assert (traffic_row["received"], traffic_row["carried_out_on_time"]) == (1, 1)
    assert (traffic_row["vehicles_checked"], traffic_row["violations"]) == (120, 7)
    assert by_category["talk"]["declined:no_capacity"] == 1
    assert by_category["talk"]["carried_out"] == 0

    everywhere = (await client.get("/tal.json")).json()
    assert everywhere["year"] == 2026
    assert sum(r["received"] for r in everywhere["records"]) == 3

    page = await client.get("/tal", params={"year": "2026"})
    assert page.status_code == 200 and "Tal for Bestil en betjent" in page.text
    assert "Alle politikredse" in page.text and '<th scope="row">November</th>' in page.text
    assert page.headers["cache-control"] == "public, max-age=60"
    english = await client.get("/tal", params={"lang": "en", "district": "1470"})
    assert (
        "Figures for Order a police officer" in english.text and "Københavns Politi" in english.text
    )

    sheet = await client.get("/tal.csv", params={"district": "1461"})
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert {r["category"] for r in rows} == {"traffic_control", "talk"}
    assert rows[0]["district_name"] == "Østjyllands Politi"


async def test_a_district_or_year_that_does_not_exist_is_a_clear_error(harness, client_for) -> None:
    client = client_for(await harness("intake"))
    page = await client.get("/tal", params={"district": "9999"})
    assert page.status_code == 400 and "Der findes ingen politikreds" in page.text
    english = await client.get("/tal", params={"year": "20x6", "lang": "en"})
    assert english.status_code == 400 and "four digits" in english.text
    assert (await client.get("/tal.json", params={"district": "0"})).status_code == 400
    assert (await client.get("/tal.csv", params={"year": "1900"})).status_code == 400
