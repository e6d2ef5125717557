"""Retention's pure rules: when an order is due, and what of an order's JSON is personal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.notifications.retention import email_files
from shared import events
from shared.retention import (
    ANONYMISED,
    ANONYMISED_EMAIL,
    RetentionSettings,
    Rule,
    due_rule,
    rule_for_status,
    scrub,
    scrub_json,
)
from tests.support import submitted_event, talk_order, traffic_order

NOW = datetime(2032, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = RetentionSettings()
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "age", "expected"),
    [
        pytest.param("cancelled", 365 * DAY - DAY, None, id="withdrawn-within-a-year"),
        pytest.param("cancelled", 365 * DAY + DAY, Rule.CANCELLED, id="withdrawn-a-year-ago"),
        pytest.param("declined", 365 * DAY + DAY, None, id="declined-a-year-ago"),
        pytest.param("declined", 5 * 365 * DAY + DAY, Rule.CLOSED, id="declined-five-years-ago"),
        pytest.param("completed", 5 * 365 * DAY - DAY, None, id="done-within-five-years"),
        pytest.param("completed", 5 * 365 * DAY + DAY, Rule.CLOSED, id="done-five-years-ago"),
        pytest.param("accepted", 5 * 365 * DAY - DAY, None, id="open-within-five-years"),
        pytest.param("scheduled", 5 * 365 * DAY + DAY, Rule.OPEN, id="open-untouched-five-years"),
    ],
)
def test_an_order_is_due_after_its_status_retention_period(
    status: str, age: timedelta, expected: Rule | None
) -> None:
    assert due_rule(status, NOW - age, NOW, SETTINGS) == expected


def test_the_periods_are_settings() -> None:
    short = RetentionSettings(cancelled_days=30, closed_days=90, open_days=400)
    assert due_rule("cancelled", NOW - 31 * DAY, NOW, short) == Rule.CANCELLED
    assert due_rule("completed", NOW - 91 * DAY, NOW, short) == Rule.CLOSED
    assert due_rule("routed", NOW - 91 * DAY, NOW, short) is None


def test_defaults_follow_signalen_one_year_withdrawn_five_years_closed() -> None:
    assert (SETTINGS.cancelled_days, SETTINGS.closed_days) == (365, 5 * 365)
    assert rule_for_status("declined") == rule_for_status("completed") == Rule.CLOSED


def _order_with_everything() -> events.OrderSubmitted:
    order = traffic_order()
    order["requester"]["organisation"] = "Grundejerforeningen Solsikken"
    order["location"].update(lat=56.156712, lon=10.210845)
    return submitted_event(order)


def test_an_order_loses_its_requester_address_texts_and_exact_place() -> None:
    order = _order_with_everything()
    cleaned, changed = scrub(order.model_dump(mode="json"))
    assert cleaned["requester"] == {
        "name": ANONYMISED,
        "email": ANONYMISED_EMAIL,
        "phone": None,
        "organisation": None,
    }
    assert cleaned["location"]["address"] is None
    assert (cleaned["location"]["lat"], cleaned["location"]["lon"]) == (56.16, 10.21)
    assert cleaned["description"] == ANONYMISED
    # what statistics and the agencies' stream use stays
    assert cleaned["details"]["road"] == order.details.road  # type: ignore[union-attr]
    assert cleaned["location"]["postal_code"] == "8000"
    assert cleaned["category"] == "traffic_control"
    assert set(changed) == {
        "requester.name",
        "requester.email",
        "requester.phone",
        "requester.organisation",
        "location.address",
        "location.lat",
        "location.lon",
        "description",
    }
    events.OrderSubmitted.model_validate(cleaned)  # still a valid event


def test_scrubbing_twice_changes_nothing_the_second_time() -> None:
    once, _ = scrub(_order_with_everything().model_dump(mode="json"))
    twice, changed = scrub(once)
    assert twice == once and changed == []


def test_a_talk_loses_its_audience() -> None:
    cleaned, changed = scrub(submitted_event(talk_order()).model_dump(mode="json"))
    assert cleaned["details"]["audience"] == ANONYMISED and "details.audience" in changed


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        pytest.param(
            {"message": "Hej Mette Hansen", "reason_code": "no_capacity"}, "message", id="decision"
        ),
        pytest.param({"answer": "Ring på 20304050"}, "answer", id="answer"),
        pytest.param(
            {"reason": "Vi flytter", "cancelled_at": "2026-01-01"}, "reason", id="withdrawal"
        ),
        pytest.param({"comment": "Tak, Mette", "rating": 4}, "comment", id="feedback"),
        pytest.param({"note": "Vi ringer til Mette"}, "note", id="schedule-note"),
        pytest.param({"summary": "Talte med Mette"}, "summary", id="completion"),
        pytest.param({"question": "Er det Skovvejen 12?"}, "question", id="question"),
    ],
)
def test_free_texts_of_any_event_are_replaced(facts: dict[str, object], field: str) -> None:
    cleaned, changed = scrub(facts)
    assert cleaned[field] == ANONYMISED and changed == [field]
    assert {k: v for k, v in cleaned.items() if k != field} == {
        k: v for k, v in facts.items() if k != field
    }


def test_an_empty_or_missing_free_text_stays_as_it_was() -> None:
    assert scrub({"reason": None, "comment": "", "rating": 3}) == (
        {"reason": None, "comment": "", "rating": 3},
        [],
    )


def test_an_event_payload_stays_valid_json_of_its_event() -> None:
    order = _order_with_everything()
    cancelled = events.OrderCancelled(
        order_id=order.order_id,
        reference=order.reference,
        cancelled_at=NOW,
        reason="Mette Hansen flytter",
    )
    payload, changed = scrub_json(cancelled.model_dump_json())
    assert changed == ["reason"]
    assert events.OrderCancelled.model_validate_json(payload).reason == ANONYMISED
    assert scrub_json("not json") == ("not json", [])


def test_the_citizens_eml_files_are_found_by_reference_or_order_id(tmp_path: Path) -> None:
    names = [
        "20261201T100000-BEB-7K3M9QXZ-receipt-abc.eml",
        "20261201T100000-BEB-7K3M9QXZ-declined-def.eml",
        "20261201T100000-BEB-7K3M9QXZ-district_breach-ghi.eml",
        "20261201T100000-6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b-completed-jkl.eml",
        "20261201T100000-BEB-AAAAAAAA-receipt-mno.eml",
    ]
    for name in names:
        (tmp_path / name).write_text("x")
    found = email_files(tmp_path, {"BEB-7K3M9QXZ", "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"})
    assert [p.name for p in found] == sorted([names[0], names[1], names[3]])
    assert email_files(tmp_path / "missing", {"BEB-7K3M9QXZ"}) == []
