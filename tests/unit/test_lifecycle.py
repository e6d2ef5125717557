"""An order's status as the citizen sees it: it follows its events and never goes back."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest

from shared import events
from shared.lifecycle import can_cancel, status_after
from shared.vocabulary import Decision, OrderStatus, ReasonCode, RoutingMethod
from tests.support import submitted_event

S = OrderStatus
ORDER_ID = uuid.uuid4()
REFERENCE = "BEB-7K3M9QXZ"
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def _ids(minutes: int) -> dict[str, object]:
    return {
        "order_id": ORDER_ID,
        "reference": REFERENCE,
        "occurred_at": T0 + timedelta(minutes=minutes),
    }


def submitted() -> events.OrderSubmitted:
    return submitted_event(now=T0, order_id=ORDER_ID, reference=REFERENCE)


def routed(method: RoutingMethod = RoutingMethod.MUNICIPALITY) -> events.OrderRouted:
    return events.OrderRouted(
        **_ids(1),
        district_code="1461",
        district_name="Østjyllands Politi",
        method=method,
        routed_at=T0,
    )


def unroutable() -> events.OrderUnroutable:
    return events.OrderUnroutable(**_ids(1), reason="postal code 6000 spans two districts")


def screened(decision: Decision) -> events.OrderScreened:
    return events.OrderScreened(
        **_ids(2),
        district_code="1461",
        decision=decision,
        reason_code=ReasonCode.ACCEPTED
        if decision == Decision.ACCEPTED
        else ReasonCode.NO_CAPACITY,
        message="Vi kommer." if decision == Decision.ACCEPTED else "Vi har ikke kapacitet.",
        decided_at=T0,
        decided_by="officer-17",
    )


def accepted() -> events.OrderScreened:
    return screened(Decision.ACCEPTED)


def declined() -> events.OrderScreened:
    return screened(Decision.DECLINED)


def scheduled() -> events.OrderScheduled:
    return events.OrderScheduled(
        **_ids(3), district_code="1461", planned_start=T0 + timedelta(days=5)
    )


def completed() -> events.OrderCompleted:
    return events.OrderCompleted(
        **_ids(4), district_code="1461", completed_at=T0, summary="Hastighedskontrol udført."
    )


def cancelled() -> events.OrderCancelled:
    return events.OrderCancelled(**_ids(5), cancelled_at=T0)


def info_requested() -> events.InfoRequested:
    return events.InfoRequested(
        **_ids(2), district_code="1461", question="Hvilket tidspunkt?", asked_at=T0, asked_by="o-1"
    )


def info_provided() -> events.InfoProvided:
    return events.InfoProvided(**_ids(3), answer="Om morgenen.", answered_at=T0)


def feedback() -> events.FeedbackReceived:
    return events.FeedbackReceived(**_ids(6), carried_out_seen=True, rating=5, received_at=T0)


def deadline_alert() -> events.DeadlineAlert:
    return events.DeadlineAlert(
        **_ids(6), kind="decision", state="warning", due_at=T0, raised_at=T0
    )


def fold(sequence: Iterable[events.Event], start: OrderStatus = S.RECEIVED) -> OrderStatus:
    return reduce(status_after, sequence, start)


# --- the ordinary path ------------------------------------------------------------------


def test_status_follows_the_ordinary_path_step_by_step():
    steps = [
        (submitted(), S.RECEIVED),
        (routed(), S.ROUTED),
        (accepted(), S.ACCEPTED),
        (scheduled(), S.SCHEDULED),
        (completed(), S.COMPLETED),
    ]
    status = S.RECEIVED

    for event, expected in steps:
        status = status_after(status, event)
        assert status == expected


def test_unroutable_order_waits_for_manual_routing():
    assert fold([submitted(), unroutable()]) == S.NEEDS_ROUTING


def test_manual_routing_replaces_needs_routing():
    assert status_after(S.NEEDS_ROUTING, routed(RoutingMethod.MANUAL)) == S.ROUTED


def test_reroute_to_another_district_keeps_the_order_routed():
    assert status_after(S.ROUTED, routed(RoutingMethod.MANUAL)) == S.ROUTED


def test_question_and_answer_return_the_order_to_routed():
    assert fold([submitted(), routed(), info_requested()]) == S.INFO_REQUESTED
    assert fold([submitted(), routed(), info_requested(), info_provided()]) == S.ROUTED


def test_an_answer_without_an_open_question_changes_nothing():
    assert status_after(S.ACCEPTED, info_provided()) == S.ACCEPTED
    assert status_after(S.ROUTED, info_provided()) == S.ROUTED


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(feedback(), id="feedback"),
        pytest.param(deadline_alert(), id="deadline-alert"),
    ],
)
@pytest.mark.parametrize("status", list(OrderStatus), ids=str)
def test_events_that_imply_no_status_leave_it_alone(event, status):
    assert status_after(status, event) == status


# --- never back, whatever order the events arrive in ------------------------------------


@pytest.mark.parametrize(
    ("earlier", "late", "expected"),
    [
        pytest.param([routed(), accepted()], routed(), S.ACCEPTED, id="routed-after-accepted"),
        pytest.param([routed()], submitted(), S.ROUTED, id="submitted-after-routed"),
        pytest.param([unroutable()], submitted(), S.NEEDS_ROUTING, id="submitted-after-unroutable"),
        pytest.param([routed(), accepted(), scheduled()], accepted(), S.SCHEDULED, id="accepted-after-scheduled"),
        pytest.param([routed(), accepted()], info_requested(), S.ACCEPTED, id="question-after-accepted"),
        pytest.param([routed(), accepted(), scheduled()], routed(), S.SCHEDULED, id="routed-after-scheduled"),
        pytest.param([accepted()], unroutable(), S.ACCEPTED, id="unroutable-after-accepted"),
    ],
)  # fmt: skip
def test_a_late_event_never_moves_the_status_back(earlier, late, expected):
    assert fold([*earlier, late]) == expected


def test_manual_routing_wins_over_unroutable_whatever_order_they_arrive_in():
    for sequence in itertools.permutations(
        [submitted(), unroutable(), routed(RoutingMethod.MANUAL)]
    ):
        assert fold(sequence) == S.ROUTED, [type(e).__name__ for e in sequence]


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(submitted(), id="submitted"),
        pytest.param(routed(), id="routed"),
        pytest.param(unroutable(), id="unroutable"),
        pytest.param(accepted(), id="accepted"),
        pytest.param(declined(), id="declined"),
        pytest.param(scheduled(), id="scheduled"),
        pytest.param(info_requested(), id="info-requested"),
        pytest.param(info_provided(), id="info-provided"),
    ],
)
def test_cancelled_is_final_unless_the_work_was_already_done(event):
    assert status_after(S.CANCELLED, event) == S.CANCELLED


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(submitted(), id="submitted"),
        pytest.param(routed(), id="routed"),
        pytest.param(accepted(), id="accepted"),
        pytest.param(declined(), id="declined"),
        pytest.param(scheduled(), id="scheduled"),
        pytest.param(info_requested(), id="info-requested"),
        pytest.param(info_provided(), id="info-provided"),
        pytest.param(cancelled(), id="cancelled"),
    ],
)
def test_completed_is_final(event):
    assert status_after(S.COMPLETED, event) == S.COMPLETED


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(submitted(), id="submitted"),
        pytest.param(routed(), id="routed"),
        pytest.param(unroutable(), id="unroutable"),
        pytest.param(accepted(), id="accepted"),
        pytest.param(scheduled(), id="scheduled"),
        pytest.param(info_requested(), id="info-requested"),
        pytest.param(info_provided(), id="info-provided"),
    ],
)
def test_declined_order_stays_declined(event):
    assert status_after(S.DECLINED, event) == S.DECLINED


@pytest.mark.parametrize(
    "status",
    [S.RECEIVED, S.ROUTED, S.NEEDS_ROUTING, S.INFO_REQUESTED, S.ACCEPTED, S.SCHEDULED],
    ids=str,
)
def test_withdrawal_cancels_an_open_order(status):
    assert status_after(status, cancelled()) == S.CANCELLED


def test_decline_and_withdrawal_end_the_same_whichever_arrives_first():
    assert fold([routed(), declined(), cancelled()]) == fold([routed(), cancelled(), declined()])


def test_completion_and_withdrawal_end_the_same_whichever_arrives_first():
    base = [routed(), accepted(), scheduled()]

    assert fold([*base, completed(), cancelled()]) == fold([*base, cancelled(), completed()])


# --- properties over arrival orders -----------------------------------------------------

ORDINARY_PATH = (submitted(), routed(), accepted(), scheduled(), completed())


@pytest.mark.parametrize(
    "sequence",
    list(itertools.permutations(ORDINARY_PATH)),
    ids=lambda seq: "-".join(type(e).__name__.removeprefix("Order") for e in seq),
)
def test_ordinary_path_ends_completed_in_any_arrival_order(sequence):
    assert fold(sequence) == S.COMPLETED


def test_declined_path_ends_declined_in_any_arrival_order():
    for sequence in itertools.permutations([submitted(), routed(), declined()]):
        assert fold(sequence) == S.DECLINED, [type(e).__name__ for e in sequence]


def test_accepted_path_never_falls_back_below_accepted_once_reached():
    path = (submitted(), routed(), info_requested(), info_provided(), accepted(), scheduled())
    for sequence in itertools.permutations(path):
        status = S.RECEIVED
        reached = False
        for event in sequence:
            status = status_after(status, event)
            reached = reached or status in {S.ACCEPTED, S.SCHEDULED}
            if reached:
                assert status in {S.ACCEPTED, S.SCHEDULED}, [type(e).__name__ for e in sequence]
        assert status == S.SCHEDULED


# --- cancelling -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(S.RECEIVED, True, id="received"),
        pytest.param(S.ROUTED, True, id="routed"),
        pytest.param(S.NEEDS_ROUTING, True, id="needs_routing"),
        pytest.param(S.INFO_REQUESTED, True, id="info_requested"),
        pytest.param(S.ACCEPTED, True, id="accepted"),
        pytest.param(S.SCHEDULED, True, id="scheduled"),
        pytest.param(S.DECLINED, False, id="declined"),
        pytest.param(S.COMPLETED, False, id="completed"),
        pytest.param(S.CANCELLED, False, id="cancelled"),
    ],
)
def test_citizen_may_withdraw_until_the_order_is_decided_against_done_or_withdrawn(
    status, expected
):
    assert can_cancel(status) is expected
