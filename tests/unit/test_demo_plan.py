"""`bestil demo seed`'s plan and words: what it will send, checked without any service."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bestil.demo.command import summary
from bestil.demo.plan import EVENT, PLACES, Stage, plan_orders
from bestil.demo.seeder import DemoOfficer, SeedResult
from bestil.demo.words import order_body
from services.intake.domain import OrderRequest, check_order_rules
from shared import districts
from shared.deadlines import compute_deadlines
from shared.settings import DeadlineSettings

NOW = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)


def test_every_town_lies_in_the_district_it_is_listed_under() -> None:
    assert set(PLACES) == set(districts.DISTRICTS)
    for code, places in PLACES.items():
        for place in places:
            found = districts.district_for_municipality(place.municipality_code)
            assert found is not None and found.code == code, place


@pytest.mark.parametrize("count", [10, 12, 14, 60], ids=lambda n: f"{n}-orders")
def test_a_small_run_already_shows_every_stage_and_category(count: int) -> None:
    planned = plan_orders(count, random.Random(count))
    assert {p.stage for p in planned} == set(Stage)
    assert {p.category for p in planned} == {"traffic_control", "talk", "event_presence"}
    if count >= 12:
        assert {p.district_code for p in planned} == set(districts.DISTRICTS)


def test_orders_are_valid_for_intake_whatever_the_draw() -> None:
    rng = random.Random(7)
    for planned in plan_orders(300, rng):
        body = order_body(planned, NOW, past_after=timedelta(minutes=2))
        request = OrderRequest.model_validate(body)
        assert check_order_rules(request, NOW, DeadlineSettings()) == [], planned
        assert body["requester"]["email"].endswith("@example.dk")
        assert body["requester"]["phone"].startswith("+45 12 34 56 ")
        if planned.stage == Stage.COMPLETED:
            assert planned.category != EVENT  # an event that starts in two days is not over


@pytest.mark.parametrize(
    ("stage", "longest"),
    [
        (Stage.DEADLINE_NEAR, timedelta(days=1, hours=20)),
        (Stage.DEADLINE_PAST, timedelta(minutes=2)),
    ],
    ids=["near", "past"],
)
def test_short_notice_events_are_due_soon_after_they_are_ordered(
    stage: Stage, longest: timedelta
) -> None:
    rng = random.Random(3)
    planned = next(p for p in plan_orders(10, rng) if p.stage == stage)
    body = order_body(planned, NOW, past_after=timedelta(minutes=2))
    start = datetime.fromisoformat(body["details"]["event_start"])
    due = compute_deadlines(NOW, DeadlineSettings(), start)
    assert due.urgent and NOW < due.decision_due <= NOW + longest


def test_the_summary_counts_and_says_how_to_sign_in() -> None:
    result = SeedResult()
    text = summary(result, DemoOfficer("demo.admin@example.dk", "tok", created=True), "http://x/")
    assert "made 0 demo orders" in text
    assert "http://x/" in text and "Bearer tok" in text and "password" in text
