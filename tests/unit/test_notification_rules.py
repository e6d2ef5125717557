"""Which email each event owes the citizen, what it tells them, and how failed sends back off."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain import email_kind_for, facts_for, retry_delay
from services.notifications.emails.kinds import EmailKind
from shared import events
from shared.vocabulary import Decision, ReasonCode, RoutingMethod
from tests.support import submitted_event

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
IDS = {"order_id": uuid.uuid4(), "reference": "BEB-7K3M9QXZ", "occurred_at": T0}


def screened(decision: Decision, district_code: str = "1461") -> events.OrderScreened:
    return events.OrderScreened(
        **IDS,
        district_code=district_code,
        decision=decision,
        reason_code=ReasonCode.ACCEPTED
        if decision == Decision.ACCEPTED
        else ReasonCode.NO_CAPACITY,
        message="Vi kommer." if decision == Decision.ACCEPTED else "Vi har ikke kapacitet.",
        decided_at=T0,
        decided_by="officer-17",
    )


def scheduled(district_code: str = "1461") -> events.OrderScheduled:
    return events.OrderScheduled(
        **IDS, district_code=district_code, planned_start=T0 + timedelta(days=3), note="Om morgenen"
    )


def completed(district_code: str = "1461") -> events.OrderCompleted:
    return events.OrderCompleted(
        **IDS, district_code=district_code, completed_at=T0, summary="Hastighedskontrol udført."
    )


def info_requested(district_code: str = "1461") -> events.InfoRequested:
    return events.InfoRequested(
        **IDS, district_code=district_code, question="Hvornår?", asked_at=T0, asked_by="o-1"
    )


def routed() -> events.OrderRouted:
    return events.OrderRouted(
        **IDS,
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=T0,
    )


# --- which email is owed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        pytest.param(submitted_event(now=T0), EmailKind.RECEIPT, id="submitted"),
        pytest.param(screened(Decision.ACCEPTED), EmailKind.ACCEPTED, id="accepted"),
        pytest.param(screened(Decision.DECLINED), EmailKind.DECLINED, id="declined"),
        pytest.param(scheduled(), EmailKind.SCHEDULED, id="scheduled"),
        pytest.param(completed(), EmailKind.COMPLETED, id="completed"),
        pytest.param(info_requested(), EmailKind.INFO_REQUESTED, id="info-requested"),
        pytest.param(
            events.OrderCancelled(**IDS, cancelled_at=T0), EmailKind.CANCELLED, id="cancelled"
        ),
    ],
)
def test_event_owes_the_citizen_its_email(event, kind):
    assert email_kind_for(event) == kind


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(routed(), id="routed"),
        pytest.param(events.OrderUnroutable(**IDS, reason="postnummer 6000"), id="unroutable"),
        pytest.param(
            events.RerouteRequested(
                **IDS,
                from_district="1461",
                to_district="1471",
                reason="Bornholm",
                requested_by="o-1",
            ),
            id="reroute-requested",
        ),
        pytest.param(
            events.InfoProvided(**IDS, answer="Om morgenen.", answered_at=T0), id="info-provided"
        ),
        pytest.param(
            events.FeedbackReceived(**IDS, carried_out_seen=True, received_at=T0), id="feedback"
        ),
    ],
)
def test_internal_steps_owe_the_citizen_no_email(event):
    assert email_kind_for(event) is None


def test_acceptance_and_decline_owe_different_emails():
    assert email_kind_for(screened(Decision.ACCEPTED)) != email_kind_for(
        screened(Decision.DECLINED)
    )


# --- what the email says ----------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(screened(Decision.ACCEPTED), id="accepted"),
        pytest.param(screened(Decision.DECLINED), id="declined"),
        pytest.param(scheduled(), id="scheduled"),
        pytest.param(completed(), id="completed"),
        pytest.param(info_requested(), id="info-requested"),
    ],
)
def test_email_from_a_district_names_the_district(event):
    assert facts_for(event)["district_name"] == "Østjyllands Politi"


def test_email_from_bornholm_names_bornholms_politi():
    assert facts_for(completed("1471"))["district_name"] == "Bornholms Politi"


def test_unknown_district_is_shown_by_its_code_rather_than_dropped():
    assert facts_for(screened(Decision.DECLINED, "9999"))["district_name"] == "9999"


def test_decline_email_carries_the_districts_message_and_reason():
    facts = facts_for(screened(Decision.DECLINED))

    assert facts["message"] == "Vi har ikke kapacitet."
    assert facts["reason_code"] == ReasonCode.NO_CAPACITY


def test_receipt_tells_the_deadlines():
    event = submitted_event(now=T0)

    facts = facts_for(event)

    assert (facts["decision_due"], facts["execution_due"], facts["urgent"]) == (
        event.decision_due,
        event.execution_due,
        event.urgent,
    )


def test_schedule_email_tells_when_and_the_note():
    facts = facts_for(scheduled())

    assert facts["planned_start"] == T0 + timedelta(days=3)
    assert facts["note"] == "Om morgenen"


def test_completion_email_tells_what_was_done():
    assert facts_for(completed())["summary"] == "Hastighedskontrol udført."


def test_question_email_carries_the_question():
    assert facts_for(info_requested())["question"] == "Hvornår?"


# --- retrying failed sends --------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        pytest.param(1, timedelta(seconds=30), id="first-retry"),
        pytest.param(2, timedelta(minutes=1), id="second"),
        pytest.param(3, timedelta(minutes=2), id="third"),
        pytest.param(4, timedelta(minutes=4), id="fourth"),
        pytest.param(7, timedelta(minutes=32), id="seventh"),
        pytest.param(8, timedelta(hours=1), id="eighth-capped"),
        pytest.param(50, timedelta(hours=1), id="fiftieth-capped"),
    ],
)
def test_retry_delay_doubles_up_to_one_hour(attempts, delay):
    assert retry_delay(attempts) == delay


def test_retry_delay_never_shrinks_and_never_exceeds_an_hour():
    delays = [retry_delay(n) for n in range(0, 200)]

    assert delays == sorted(delays)
    assert max(delays) == timedelta(hours=1)
    assert min(delays) > timedelta(0)
