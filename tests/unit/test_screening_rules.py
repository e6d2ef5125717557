"""Screening's rules: who sees an order, what an officer's request must hold, what fits when."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.screening.domain import (
    COMPLETABLE,
    DECIDABLE,
    REROUTABLE,
    SCHEDULABLE,
    ActionRefusedError,
    CompleteRequest,
    DecisionRequest,
    RerouteRequest,
    ScheduleRequest,
    may_see,
    require,
    schedule_warning,
)
from shared import events
from shared.vocabulary import Decision, OrderStatus, ReasonCode, Role

S = OrderStatus
START = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)
OWN = "1461"
OTHER = "1470"


# --- decisions --------------------------------------------------------------------------


def test_acceptance_carries_the_reason_code_accepted():
    request = DecisionRequest(decision="accepted", reason_code="accepted", message="Vi kommer.")

    assert (request.decision, request.reason_code) == (Decision.ACCEPTED, ReasonCode.ACCEPTED)


@pytest.mark.parametrize(
    "reason_code",
    [pytest.param(code, id=code.value) for code in ReasonCode if code != ReasonCode.ACCEPTED],
)
def test_acceptance_with_a_decline_reason_is_rejected(reason_code):
    with pytest.raises(ValidationError):
        DecisionRequest(decision="accepted", reason_code=reason_code, message="Vi kommer.")


@pytest.mark.parametrize(
    "reason_code",
    [pytest.param(code, id=code.value) for code in ReasonCode if code != ReasonCode.ACCEPTED],
)
def test_decline_with_a_decline_reason_is_accepted(reason_code):
    request = DecisionRequest(decision="declined", reason_code=reason_code, message="Desværre.")

    assert request.reason_code == reason_code


def test_decline_with_the_reason_code_accepted_is_rejected():
    with pytest.raises(ValidationError):
        DecisionRequest(decision="declined", reason_code="accepted", message="Desværre.")


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("   \n ", id="whitespace-only"),
        pytest.param("x" * 4001, id="too-long"),
    ],
)
@pytest.mark.parametrize("decision", ["accepted", "declined"])
def test_every_decision_needs_a_message_to_the_citizen(message, decision):
    reason = "accepted" if decision == "accepted" else "no_capacity"
    body = {"decision": decision, "reason_code": reason}
    if message is not None:
        body["message"] = message

    with pytest.raises(ValidationError):
        DecisionRequest.model_validate(body)


def test_unknown_decision_or_reason_is_rejected():
    with pytest.raises(ValidationError):
        DecisionRequest(decision="maybe", reason_code="other", message="Hmm.")
    with pytest.raises(ValidationError):
        DecisionRequest(decision="declined", reason_code="too_busy", message="Desværre.")


# --- schedules and completions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("planned_end", "ok"),
    [
        pytest.param(START + timedelta(hours=2), True, id="after-start"),
        pytest.param(None, True, id="open-ended"),
        pytest.param(START, False, id="same-moment"),
        pytest.param(START - timedelta(minutes=1), False, id="before-start"),
    ],
)
def test_schedule_must_end_after_it_starts(planned_end, ok):
    def make() -> ScheduleRequest:
        return ScheduleRequest(planned_start=START, planned_end=planned_end)

    if ok:
        assert make().planned_end == planned_end
    else:
        with pytest.raises(ValidationError):
            make()


def test_schedule_needs_a_time_zone():
    with pytest.raises(ValidationError):
        ScheduleRequest(planned_start=datetime(2026, 6, 10, 9, 0))


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"summary": ""}, id="empty-summary"),
        pytest.param({"summary": "Kontrol udført.", "vehicles_checked": -1}, id="negative-count"),
        pytest.param({"summary": "Kontrol udført.", "violations": -3}, id="negative-violations"),
    ],
)
def test_completion_needs_a_summary_and_sensible_counts(fields):
    with pytest.raises(ValidationError):
        CompleteRequest.model_validate(fields)


# --- re-routing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "to_district",
    [
        pytest.param("9999", id="not-a-district"),
        pytest.param("1472", id="next-to-the-last"),
        pytest.param("", id="empty"),
        pytest.param("Bornholm", id="a-name"),
    ],
)
def test_reroute_to_an_unknown_district_is_rejected(to_district):
    with pytest.raises(ValidationError):
        RerouteRequest(to_district=to_district, reason="Ligger på Bornholm.")


def test_reroute_to_a_known_district_is_accepted():
    assert RerouteRequest(to_district="1471", reason="Ligger på Bornholm.").to_district == "1471"


def test_a_district_code_the_reroute_request_accepts_is_one_the_event_accepts():
    try:
        request = RerouteRequest(to_district=" 1471 ", reason="Ligger på Bornholm.")
    except ValidationError:
        return  # rejecting it is fine too

    events.RerouteRequested(
        order_id=uuid.uuid4(),
        reference="BEB-7K3M9QXZ",
        from_district=OWN,
        to_district=request.to_district,
        reason=request.reason,
        requested_by="officer-17",
    )


# --- who may see an order ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "order_district", "visible"),
    [
        pytest.param(Role.OFFICER, OWN, True, id="officer-own"),
        pytest.param(Role.OFFICER, OTHER, False, id="officer-other"),
        pytest.param(Role.OFFICER, None, False, id="officer-unrouted"),
        pytest.param(Role.COORDINATOR, OWN, True, id="coordinator-own"),
        pytest.param(Role.COORDINATOR, OTHER, False, id="coordinator-other"),
        pytest.param(Role.COORDINATOR, None, False, id="coordinator-unrouted"),
        pytest.param(Role.NATIONAL_ADMIN, OWN, True, id="admin-own"),
        pytest.param(Role.NATIONAL_ADMIN, OTHER, True, id="admin-other"),
        pytest.param(Role.NATIONAL_ADMIN, None, True, id="admin-unrouted"),
    ],
)
def test_officers_see_their_own_district_and_admins_see_all(role, order_district, visible):
    assert may_see(role, OWN, order_district) is visible


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR], ids=str)
def test_officer_without_a_district_sees_no_unrouted_order(role):
    assert may_see(role, None, None) is False


def test_admin_without_a_district_still_sees_every_order():
    assert may_see(Role.NATIONAL_ADMIN, None, OTHER) is True
    assert may_see(Role.NATIONAL_ADMIN, None, None) is True


# --- which action fits which status ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "allowed", "action"),
    [
        pytest.param(S.ROUTED, SCHEDULABLE, "schedule", id="schedule-before-acceptance"),
        pytest.param(S.INFO_REQUESTED, SCHEDULABLE, "schedule", id="schedule-while-asking"),
        pytest.param(S.DECLINED, SCHEDULABLE, "schedule", id="schedule-declined"),
        pytest.param(S.ACCEPTED, DECIDABLE, "decide", id="decide-twice-after-accept"),
        pytest.param(S.DECLINED, DECIDABLE, "decide", id="decide-twice-after-decline"),
        pytest.param(S.SCHEDULED, DECIDABLE, "decide", id="decide-scheduled"),
        pytest.param(S.CANCELLED, DECIDABLE, "decide", id="decide-cancelled"),
        pytest.param(S.ROUTED, COMPLETABLE, "complete", id="complete-before-acceptance"),
        pytest.param(S.DECLINED, COMPLETABLE, "complete", id="complete-declined"),
        pytest.param(S.COMPLETED, COMPLETABLE, "complete", id="complete-twice"),
        pytest.param(S.CANCELLED, COMPLETABLE, "complete", id="complete-cancelled"),
        pytest.param(S.ACCEPTED, REROUTABLE, "re-route", id="reroute-after-decision"),
        pytest.param(S.COMPLETED, REROUTABLE, "re-route", id="reroute-completed"),
        pytest.param(S.CANCELLED, REROUTABLE, "re-route", id="reroute-cancelled"),
    ],
)
def test_action_that_does_not_fit_the_status_is_refused(status, allowed, action):
    with pytest.raises(ActionRefusedError) as refused:
        require(status, allowed, action)

    assert action in str(refused.value)
    assert status.value in str(refused.value)


@pytest.mark.parametrize(
    ("status", "allowed", "action"),
    [
        pytest.param(S.ROUTED, DECIDABLE, "decide", id="decide-routed"),
        pytest.param(S.INFO_REQUESTED, DECIDABLE, "decide", id="decide-while-asking"),
        pytest.param(S.ACCEPTED, SCHEDULABLE, "schedule", id="schedule-accepted"),
        pytest.param(S.SCHEDULED, SCHEDULABLE, "schedule", id="reschedule"),
        pytest.param(S.ACCEPTED, COMPLETABLE, "complete", id="complete-accepted"),
        pytest.param(S.SCHEDULED, COMPLETABLE, "complete", id="complete-scheduled"),
        pytest.param(S.ROUTED, REROUTABLE, "re-route", id="reroute-routed"),
        pytest.param(S.NEEDS_ROUTING, REROUTABLE, "re-route", id="route-manually"),
    ],
)
def test_action_that_fits_the_status_is_allowed(status, allowed, action):
    require(status, allowed, action)


# --- planning after the deadline ---------------------------------------------------------


@pytest.mark.parametrize(
    ("planned_start", "execution_due", "warned"),
    [
        pytest.param(START + timedelta(days=1), START, True, id="after-deadline"),
        pytest.param(START, START, False, id="on-the-deadline"),
        pytest.param(START - timedelta(days=1), START, False, id="before-deadline"),
        pytest.param(START, None, False, id="no-deadline-known"),
    ],
)
def test_schedule_after_the_execution_deadline_is_warned_about(
    planned_start, execution_due, warned
):
    warning = schedule_warning(planned_start, execution_due)

    if warned:
        assert warning and "deadline" in warning
    else:
        assert warning is None
