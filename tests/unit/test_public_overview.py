"""The public overview's counting rules: what one order's public state adds, and the shares."""

from __future__ import annotations

import uuid
from datetime import date

from services.intake.overview import figures as f
from services.intake.overview import summary
from shared.events import PublicOrderEvent
from shared.vocabulary import Category, Decision, OrderStatus, ReasonCode

PID = uuid.UUID("11111111-2222-5333-8444-555555555555")


def state(**kw) -> PublicOrderEvent:
    base = {
        "public_id": PID,
        "status": OrderStatus.ROUTED,
        "category": Category.TRAFFIC_CONTROL,
        "received_on": date(2026, 11, 30),
        "district_code": "1461",
    }
    return PublicOrderEvent.model_validate({**base, **kw})


CELL = f.Cell("1461", "2026-11", "traffic_control")


def test_an_order_counts_once_its_district_is_known() -> None:
    assert f.contribution(state(district_code=None, status=OrderStatus.RECEIVED)) == {}
    assert f.contribution(state()) == {(CELL, f.RECEIVED): 1}


def test_a_decline_counts_by_its_reason_and_the_deadline_it_met() -> None:
    declined = state(
        status=OrderStatus.DECLINED,
        decision=Decision.DECLINED,
        reason_code=ReasonCode.NO_CAPACITY,
        decision_deadline_met=True,
    )
    assert f.changes(state(), declined) == {
        (CELL, f.DECIDED): 1,
        (CELL, "declined:no_capacity"): 1,
        (CELL, f.DECIDED_ON_TIME): 1,
    }


def test_completion_adds_what_the_control_found_and_nothing_twice() -> None:
    accepted = state(
        status=OrderStatus.ACCEPTED,
        decision=Decision.ACCEPTED,
        reason_code=ReasonCode.ACCEPTED,
        decision_deadline_met=True,
    )
    done = accepted.model_copy(
        update={
            "status": OrderStatus.COMPLETED,
            "execution_deadline_met": False,
            "vehicles_checked": 212,
            "violations": 9,
        }
    )
    assert f.changes(accepted, done) == {
        (CELL, f.CARRIED_OUT): 1,
        (CELL, f.CARRIED_OUT_LATE): 1,
        (CELL, f.VEHICLES_CHECKED): 212,
        (CELL, f.VIOLATIONS): 9,
    }
    assert f.changes(done, done) == {}


def test_a_rerouted_order_moves_to_its_new_district() -> None:
    moved = f.changes(state(), state(district_code="1470"))
    assert moved == {
        (CELL, f.RECEIVED): -1,
        (f.Cell("1470", "2026-11", "traffic_control"), f.RECEIVED): 1,
    }


def test_shares_are_of_settled_deadlines_only() -> None:
    assert summary.share(0, 0) is None
    assert summary.share(3, 1) == 0.75
    rows = [
        ("1461", "2026-11", "traffic_control", f.RECEIVED, 4),
        ("1461", "2026-11", "talk", f.RECEIVED, 1),
        ("1461", "2026-11", "traffic_control", f.DECIDED_ON_TIME, 3),
        ("1461", "2026-11", "traffic_control", f.DECIDED_LATE, 1),
        ("1470", "2026-12", "talk", f.RECEIVED, 2),
    ]
    nov, dec = summary.by_month(rows, ["2026-11", "2026-12"])
    assert (nov.total, nov.received["talk"], nov.decided_on_time_share) == (5, 1, 0.75)
    assert (dec.total, dec.carried_out_on_time_share) == (2, None)
    assert summary.totals([nov, dec]).total == 7


def test_open_data_has_every_column_in_every_record() -> None:
    rows = [("1461", "2026-11", "traffic_control", "declined:duplicate", 2)]
    [record] = summary.records(rows)
    assert list(record) == ["district_code", "district_name", "month", "category", *summary.COLUMNS]
    assert record["district_name"] == "Østjyllands Politi"
    assert record["declined:duplicate"] == 2 and record[f.RECEIVED] == 0
