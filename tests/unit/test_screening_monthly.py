"""The monthly summary's pure parts: what one order counts for, Danish months, the cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.screening import cursors, monthly
from shared.counters import moved

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def entry(**overrides):
    values = {
        "district_code": "1461",
        "category": "traffic_control",
        "status": "routed",
        "submitted_at": T0,
        "decision": None,
        "decided_at": None,
        "decision_due": T0 + timedelta(days=14),
        "completed_at": None,
        "execution_due": T0 + timedelta(days=30),
    }
    return {**values, **overrides}


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "2026-02"),  # 00:30 on 1 February (CET)
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "2026-07"),  # 00:30 on 1 July (CEST)
        (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), "2026-06"),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "2027-01"),  # new year in Copenhagen
    ],
    ids=["winter-boundary", "summer-boundary", "before-summer-boundary", "new-year"],
)
def test_a_month_is_a_month_on_copenhagens_clock(moment: datetime, month: str) -> None:
    assert monthly.month_of(moment) == month


def test_every_hour_of_two_years_falls_in_the_month_of_copenhagens_clock() -> None:
    # the fast path mid-month and the conversion at a month's ends must agree everywhere
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year < 2028:
        wall = moment.astimezone(ZoneInfo("Europe/Copenhagen"))
        assert monthly.month_of(moment) == f"{wall.year:04d}-{wall.month:02d}", moment
        other = moment.astimezone(timezone(timedelta(hours=-11)))
        assert monthly.month_of(other) == f"{wall.year:04d}-{wall.month:02d}", other
        moment += timedelta(minutes=30)


def test_an_order_submitted_at_23_30_utc_on_the_last_day_counts_in_the_next_month() -> None:
    counted = monthly.contribution(entry(submitted_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC)))
    assert {key[1] for key in counted} == {"2026-02"}


def test_month_start_and_next_month_follow_danish_time() -> None:
    assert monthly.month_start("2026-07") == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert monthly.month_start("2026-02") == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert monthly.next_month("2026-12") == "2027-01" and monthly.next_month("2026-03") == "2026-04"


def test_an_open_order_counts_once_in_its_cell_and_status() -> None:
    assert monthly.contribution(entry()) == {
        ("1461", "2026-03", "traffic_control", "orders"): 1,
        ("1461", "2026-03", "traffic_control", "status:routed"): 1,
    }


def test_a_decision_and_an_execution_count_with_their_deadlines() -> None:
    done = entry(
        status="completed",
        decision="accepted",
        decided_at=T0 + timedelta(days=15),  # late
        completed_at=T0 + timedelta(days=20),  # in time
    )
    measures = {key[3]: n for key, n in monthly.contribution(done).items()}
    assert measures == {
        "orders": 1,
        "status:completed": 1,
        "decided": 1,
        "executed": 1,
        "executed_in_time": 1,
    }


def test_an_order_without_a_district_counts_under_none_and_without_content_not_at_all() -> None:
    assert {k[0] for k in monthly.contribution(entry(district_code=None))} == {""}
    assert monthly.contribution(entry(category=None)) == {}
    assert monthly.contribution(None) == {}


def test_moving_an_order_takes_it_out_of_its_old_state_and_into_the_new_one() -> None:
    before = monthly.contribution(entry())
    after = monthly.contribution(
        entry(status="declined", decision="declined", decided_at=T0 + timedelta(days=1))
    )
    assert moved(before, after) == {
        ("1461", "2026-03", "traffic_control", "status:routed"): -1,
        ("1461", "2026-03", "traffic_control", "status:declined"): 1,
        ("1461", "2026-03", "traffic_control", "decided"): 1,
        ("1461", "2026-03", "traffic_control", "decided_in_time"): 1,
    }


def test_a_rerouted_order_leaves_its_old_district() -> None:
    delta = moved(monthly.contribution(entry()), monthly.contribution(entry(district_code="1470")))
    assert delta[("1461", "2026-03", "traffic_control", "orders")] == -1
    assert delta[("1470", "2026-03", "traffic_control", "orders")] == 1


def test_an_unchanged_contribution_moves_nothing() -> None:
    assert moved(monthly.contribution(entry()), monthly.contribution(entry())) == {}


# --- cursors -----------------------------------------------------------------------------------


def test_a_cursor_comes_back_as_it_was_handed_out() -> None:
    cursor = cursors.Cursor(cursors.BY_CHANGE, T0, "6f1c2a4e-3b5d-4c7e-9f00-1a2b3c4d5e6f")
    token = cursors.encode(cursor)
    assert "=" not in token and "/" not in token and "+" not in token
    assert cursors.decode(token, cursors.BY_CHANGE) == cursor


@pytest.mark.parametrize(
    ("token", "order"),
    [
        ("not base64 at all!", cursors.BY_DEADLINE),
        ("e30", cursors.BY_DEADLINE),  # {}
        (
            cursors.encode(cursors.Cursor(cursors.BY_CHANGE, T0, "not-a-uuid")),
            cursors.BY_CHANGE,
        ),
        ("WyJ4IiwgIjIwMjYtMDMtMTBUMDk6MDA6MDArMDA6MDAiLCAiQkVCIl0", cursors.BY_DEADLINE),
        ("WyJkIiwgIjIwMjYtMDMtMTBUMDk6MDA6MDAiLCAiQkVCIl0", cursors.BY_DEADLINE),
        ("x" * 201, cursors.BY_DEADLINE),
    ],
    ids=["garbage", "empty-object", "bad-id", "unknown-kind", "naive-time", "too-long"],
)
def test_a_cursor_this_api_did_not_hand_out_is_refused(token: str, order: str) -> None:
    with pytest.raises(cursors.BadCursorError, match="not one this API handed out"):
        cursors.decode(token, order)


def test_a_cursor_for_another_kind_of_listing_is_refused_with_a_reason() -> None:
    token = cursors.encode(cursors.Cursor(cursors.BY_DEADLINE, T0, "BEB-7K3M9Q2W"))
    with pytest.raises(cursors.BadCursorError, match="without updated_since"):
        cursors.decode(token, cursors.BY_CHANGE)
