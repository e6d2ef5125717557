"""The week plan over HTTP: visits by week and day against capacity, overbooked weeks, the
accepted orders waiting for a date and scheduling them from the plan, and who may do what."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from services.screening import actions
from services.screening.domain import DecisionRequest
from services.screening.models import Officer, WeeklyCapacity
from services.screening.planning import Week
from shared import events
from shared.vocabulary import Role
from tests.handlers.test_screening_web import audit_rows, officer_browser, queued


@pytest.fixture
async def screening(harness):
    return await harness("screening")


async def accepted(h, district: str = "1461", **order) -> events.OrderSubmitted:
    """An order of `district`, accepted and waiting for a date."""
    submitted = await queued(h, district, **order)
    system = Officer(
        id="system",
        email="-",
        name="-",
        district_code=None,
        role="national_admin",
        password_hash="-",
        created_at=h.clock(),
    )
    await actions.record_decision(
        h.db,
        system,
        [str(submitted.order_id)],
        DecisionRequest(decision="accepted", reason_code="accepted", message="Ja"),
        now=h.clock(),
    )
    return submitted


def next_week(h) -> Week:
    return Week.at(h.clock()).shifted(1)


def local_value(day: date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


def waiting_refs(html: str) -> list[str]:
    part = html.split('id="venter"')[1]
    return re.findall(r'data-reference="(BEB-[^"]+)"', part)


def week_section(html: str, week: Week) -> str:
    start = html.rindex("<section", 0, html.index(f'id="uge-{week.key}"'))
    end = html.find("<section", start + 1)
    return html[start:end]


async def test_scheduled_visits_show_by_day_and_an_overbooked_week_stands_out(
    screening,
) -> None:
    h = screening
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    first, second, talk = await accepted(h), await accepted(h), await accepted(h)
    saved = await coordinator.post(
        "/plan/capacity", {"default.traffic_control": "1", "default.talk": "3"}
    )
    assert saved.status_code == 303
    week = next_week(h)
    tuesday, thursday = week.days[1], week.days[3]
    for order, day in ((first, tuesday), (second, thursday), (talk, thursday)):
        answer = await coordinator.post(
            "/plan/schedule",
            {"order_id": str(order.order_id), "planned_start": local_value(day)},
        )
        assert answer.status_code == 303, answer.text
        assert "done=scheduled" in answer.headers["location"]

    page = (await coordinator.get(f"/plan?week={week.key}")).text
    shown = week_section(page, week)
    assert "Overbooket" in shown and "Færdselskontrol har 3 besøg, men plads til 1" in shown
    assert "plan-week-over" in shown  # and drawn so, besides the words
    days = shown.split('<li class="plan-day')
    assert first.reference in days[2] and second.reference in days[4]  # Tuesday, Thursday
    assert "10.00" in days[2]
    assert "1 uge er overbooket: uge " + str(week.number) in page
    following = week_section(page, week.shifted(1))
    assert "Overbooket" not in following and "Ingen besøg" in following
    # the same event, outbox and audit as scheduling from the order page
    scheduled = await h.staged(events.OrderScheduled)
    assert {e.reference for e in scheduled} == {first.reference, second.reference, talk.reference}
    rows = await audit_rows(h)
    assert sum(r.action == "scheduled" for r in rows) == 3
    [change] = [r for r in rows if r.action == "capacity_set"]
    assert change.district_code == "1461"
    assert change.facts["week"] == "default"
    assert change.facts["values"]["traffic_control"] == {"before": None, "after": 1}


async def test_accepted_orders_wait_with_the_nearest_execution_deadline_first(screening) -> None:
    h = screening
    later = await accepted(h, now=h.clock() - timedelta(days=2))
    sooner = await accepted(h, now=h.clock() - timedelta(days=20))
    middle = await accepted(h, now=h.clock() - timedelta(days=10))
    await queued(h, "1461")  # not decided yet: not waiting for a date
    elsewhere = await accepted(h, "1470")
    officer = await officer_browser(h, Role.OFFICER, "1461")
    page = (await officer.get("/plan")).text
    assert waiting_refs(page) == [sooner.reference, middle.reference, later.reference]
    assert elsewhere.reference not in page
    assert "3 imødekomne bestillinger venter på en dato" in page
    # once planned, an order leaves the list
    answer = await officer.post(
        "/plan/schedule",
        {"order_id": str(sooner.order_id), "planned_start": local_value(next_week(h).days[0])},
    )
    assert answer.status_code == 303
    assert waiting_refs((await officer.get("/plan")).text) == [middle.reference, later.reference]


async def test_scheduling_after_the_execution_deadline_asks_first(screening) -> None:
    h = screening
    order = await accepted(h)
    late = (h.clock() + timedelta(days=45)).date()
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    form = {"order_id": str(order.order_id), "planned_start": local_value(late)}
    warned = await coordinator.post("/plan/schedule", form)
    assert warned.status_code == 200
    assert "Efter fristen for udførelse" in warned.text and "Planlæg alligevel" in warned.text
    assert await h.staged(events.OrderScheduled) == []
    confirmed = await coordinator.post("/plan/schedule", {**form, "confirm_late": "1"})
    assert confirmed.status_code == 303
    assert "done=scheduled_late" in confirmed.headers["location"]
    # the plan moves to the week the visit landed in
    assert f"week={Week.of(late).key}" in confirmed.headers["location"]
    assert len(await h.staged(events.OrderScheduled)) == 1


async def test_a_bad_time_is_shown_next_to_the_orders_field(screening) -> None:
    h = screening
    order = await accepted(h)
    officer = await officer_browser(h, Role.OFFICER, "1461")
    answer = await officer.post(
        "/plan/schedule", {"order_id": str(order.order_id), "planned_start": "i morgen"}
    )
    assert answer.status_code == 422
    assert f'id="start-{order.order_id}-error"' in answer.text
    assert await h.staged(events.OrderScheduled) == []


async def test_a_declined_order_cannot_be_scheduled_from_the_plan(screening) -> None:
    h = screening
    order = await queued(h, "1461")  # routed, not accepted
    officer = await officer_browser(h, Role.OFFICER, "1461")
    answer = await officer.post(
        "/plan/schedule",
        {"order_id": str(order.order_id), "planned_start": local_value(next_week(h).days[0])},
    )
    assert answer.status_code == 409
    assert "Intet er sendt" in answer.text


async def test_an_officer_sees_the_capacity_but_cannot_change_it(screening) -> None:
    h = screening
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    await coordinator.post("/plan/capacity", {"default.talk": "2"})
    officer = await officer_browser(h, Role.OFFICER, "1461")
    page = (await officer.get("/plan")).text
    assert "Kun kredsens koordinator kan ændre kapaciteten" in page
    assert 'action="/plan/capacity"' not in page
    refused = await officer.post("/plan/capacity", {"default.talk": "9"})
    assert refused.status_code == 403
    async with h.db.reading() as session:
        rows = (await session.exec(select(WeeklyCapacity))).all()
    assert [(r.category, r.visits) for r in rows] == [("talk", 2)]
    assert sum(r.action == "capacity_set" for r in await audit_rows(h)) == 1


async def test_a_weeks_own_capacity_overrides_the_default_until_it_is_emptied(screening) -> None:
    h = screening
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    week = next_week(h)
    await coordinator.post("/plan/capacity", {"default.traffic_control": "5"})
    await coordinator.post(
        "/plan/capacity", {"for_week": week.key, f"{week.key}.traffic_control": "0"}
    )
    page = (await coordinator.get("/plan")).text
    assert "(denne uge)" in week_section(page, week)
    assert "(denne uge)" not in week_section(page, week.shifted(1))
    emptied = await coordinator.post(
        "/plan/capacity", {"for_week": week.key, f"{week.key}.traffic_control": ""}
    )
    assert emptied.status_code == 303
    assert "(denne uge)" not in week_section((await coordinator.get("/plan")).text, week)
    unchanged = await coordinator.post("/plan/capacity", {"default.traffic_control": "5"})
    assert "done=unchanged" in unchanged.headers["location"]
    changes = [r for r in await audit_rows(h) if r.action == "capacity_set"]
    assert [c.facts["week"] for c in changes] == ["default", week.key, week.key]


async def test_a_capacity_that_is_not_a_number_is_refused_with_a_field_error(screening) -> None:
    h = screening
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    answer = await coordinator.post("/plan/capacity", {"default.traffic_control": "mange"})
    assert answer.status_code == 422
    assert 'id="default-traffic_control-error"' in answer.text
    assert 'value="mange"' in answer.text
    assert not [r for r in await audit_rows(h) if r.action == "capacity_set"]


async def test_another_districts_officer_can_neither_see_nor_schedule(screening) -> None:
    h = screening
    order = await accepted(h, "1461")
    stranger = await officer_browser(h, Role.COORDINATOR, "1470")
    assert (await stranger.get("/plan?district=1461")).status_code == 403
    own = (await stranger.get("/plan")).text
    assert order.reference not in own
    answer = await stranger.post(
        "/plan/schedule",
        {"order_id": str(order.order_id), "planned_start": local_value(next_week(h).days[0])},
    )
    assert answer.status_code == 404
    assert (await stranger.post("/plan/capacity", {"district": "1461"})).status_code == 403
    assert await h.staged(events.OrderScheduled) == []


async def test_a_national_admin_picks_a_district_and_pages_through_the_weeks(screening) -> None:
    h = screening
    order = await accepted(h, "1470")
    admin = await officer_browser(h, Role.NATIONAL_ADMIN, None)
    picker = (await admin.get("/plan")).text
    assert "Vælg en politikreds for at se dens ugeplan" in picker
    page = (await admin.get("/plan?district=1470&weeks=2")).text
    assert order.reference in page
    this = Week.at(h.clock())
    assert page.count('class="panel plan-week') == 2
    assert f"/plan?district=1470&amp;week={this.shifted(2).key}&amp;weeks=2" in page
    later = (await admin.get(f"/plan?district=1470&week={this.shifted(2).key}&weeks=2")).text
    assert f'id="uge-{this.shifted(2).key}"' in later and "Denne uge</a>" in later
    saved = await admin.post("/plan/capacity", {"district": "1470", "default.talk": "4"})
    assert saved.headers["location"].startswith("/plan?district=1470")
    assert (await admin.get("/plan?district=9999")).status_code == 404


async def test_the_plans_forms_refuse_a_post_without_the_sessions_token(screening) -> None:
    h = screening
    order = await accepted(h)
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    forms = {
        "/plan/schedule": {
            "order_id": str(order.order_id),
            "planned_start": local_value(next_week(h).days[0]),
        },
        "/plan/capacity": {"default.talk": "3"},
    }
    answers = {
        path: (await coordinator.post(path, data, csrf=False)).status_code
        for path, data in forms.items()
    }
    assert answers == dict.fromkeys(forms, 403)
    assert await h.staged(events.OrderScheduled) == []
    assert not [r for r in await audit_rows(h) if r.action == "capacity_set"]
