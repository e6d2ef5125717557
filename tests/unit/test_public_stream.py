"""What the agencies' stream may say about an order after each step (services/screening/public_stream)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.screening.models import QueuedOrder
from services.screening.public_stream import public_state, road_name, snapshot
from shared import events
from shared.public_ids import public_id
from tests.support import submitted_event, talk_order, traffic_order

SUBMITTED = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 2 December in Denmark


def _order(order: dict | None = None, **changes) -> QueuedOrder:
    location = {
        "address": "Skolevej 14",
        "postal_code": "8000",
        "municipality_code": "751",
        "lat": 56.162939,
        "lon": 10.203921,
    }
    event = submitted_event(order or traffic_order(location=location), now=SUBMITTED)
    row = QueuedOrder(
        order_id=str(event.order_id),
        reference=event.reference,
        status="routed",
        district_code="1461",
        category=event.category.value,
        submitted_at=event.submitted_at,
        decision_due=event.decision_due,
        execution_due=event.execution_due,
        municipality_code=event.location.municipality_code,
        content=event.model_dump(mode="json"),
        updated_at=SUBMITTED,
    )
    for key, value in changes.items():
        setattr(row, key, value)
    return row


def _state(order: QueuedOrder, **completion) -> dict:
    return public_state(order, public_id(order.order_id), completion or None)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Skolevej mellem nr. 2 og 40", "Skolevej"),
        ("Skolevej 14, 2. tv.", "Skolevej"),
        ("SKOVVEJEN, ud for nr. 7", "SKOVVEJEN"),
        ("Gl. Kongevej ud for nr. 7", "Gl. Kongevej"),
        ("H.C. Andersens Boulevard 5", "H.C. Andersens Boulevard"),
        ("ved skolen på Parkvej", "skolen"),
        ("Skolevej hvor Mette Hansen bor", "Skolevej"),
        ("Vestre Ringgade 12B", "Vestre Ringgade"),
        ("14", None),
        ("", None),
    ],
    ids=["stretch", "floor", "upper-case", "abbreviation", "initials", "leading-words",
         "where-clause", "letter-number", "number-only", "empty"],
)  # fmt: skip
def test_road_is_its_name_without_numbers_or_stretch(text, name) -> None:
    assert road_name(text) == name


def test_open_order_tells_neither_road_nor_place() -> None:
    state = _state(_order(status="scheduled", planned_start=SUBMITTED + timedelta(days=9)))
    assert state["road"] is None and state["location"] is None
    assert (state["category"], state["problem"], state["speed_limit_kmh"]) == (
        "traffic_control",
        "speeding",
        40,
    )
    assert (state["district_name"], state["municipality_code"]) == ("Østjyllands Politi", "751")


def test_no_planned_date_is_told_at_any_step() -> None:
    planned = SUBMITTED + timedelta(days=9, hours=7)
    for status in ("scheduled", "completed", "cancelled"):
        state = _state(_order(status=status, planned_start=planned))
        assert planned.date() not in state.values()
        assert all(not isinstance(v, datetime) for v in state.values())


@pytest.mark.parametrize("status", ["completed", "declined", "cancelled"])
def test_closed_order_tells_road_and_a_rounded_location(status) -> None:
    state = _state(_order(status=status))
    assert state["road"] == "Skovvejen"
    assert state["location"] == {"lat": 56.16, "lon": 10.2}


def test_days_are_danish_dates() -> None:
    decided = datetime(2026, 12, 3, 23, 15, tzinfo=UTC)
    state = _state(_order(status="accepted", decision="accepted", decided_at=decided))
    assert (state["received_on"], state["decided_on"]) == (date(2026, 12, 2), date(2026, 12, 4))


def test_deadlines_met_missed_or_open() -> None:
    order = _order()
    assert _state(order)["decision_deadline_met"] is None
    order.decision_alert = "warning"
    assert _state(order)["decision_deadline_met"] is None
    order.decision_alert = "breached"
    assert _state(order)["decision_deadline_met"] is False
    order.decided_at, order.decision = order.decision_due + timedelta(hours=1), "accepted"
    assert _state(order)["decision_deadline_met"] is False  # decided, but late
    order.decided_at = order.decision_due - timedelta(days=1)
    assert _state(order)["decision_deadline_met"] is True
    assert _state(order)["execution_deadline_met"] is None
    order.completed_at, order.status = order.execution_due, "completed"
    assert _state(order)["execution_deadline_met"] is True


def test_a_declined_order_has_no_execution_deadline() -> None:
    order = _order(status="declined", decision="declined", execution_alert="breached")
    order.decided_at = SUBMITTED + timedelta(days=1)
    assert _state(order)["execution_deadline_met"] is None


def test_completion_counts_are_told_for_traffic_controls_only() -> None:
    counts = {"vehicles_checked": 212, "violations": 9}
    assert _state(_order(status="completed"), **counts)["vehicles_checked"] == 212
    talk = _state(_order(talk_order(), status="completed"), **counts)
    assert (talk["vehicles_checked"], talk["talk_topic"], talk["road"]) == (
        None,
        "burglary_prevention",
        None,
    )


def test_a_state_is_a_valid_public_event_without_personal_data() -> None:
    order = _order(status="completed", completed_at=SUBMITTED + timedelta(days=5))
    event = events.PublicOrderEvent(**_state(order, vehicles_checked=3, violations=1))
    wire = event.model_dump_json()
    content = order.content or {}
    for secret in (
        order.reference,
        order.order_id,
        content["requester"]["name"],
        content["requester"]["email"],
        content["description"],
        "Skolevej 14",
        "nr. 2 og 40",
        "56.162939",
    ):
        assert secret not in wire
    assert event.public_id == public_id(uuid.UUID(order.order_id))  # stable for the order
    assert event.public_id != uuid.UUID(order.order_id)


def test_a_step_that_changes_nothing_public_gives_the_same_state() -> None:
    order = _order(status="accepted", decision="accepted", reason_code="accepted")
    order.decided_at = SUBMITTED + timedelta(days=1)
    before = snapshot(order)
    order.decision_alert = "warning"  # a warning after the decision
    order.execution_alert = "warning"
    order.planned_start = SUBMITTED + timedelta(days=10)  # as a re-scheduling would
    assert snapshot(order) == before
