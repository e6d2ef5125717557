"""What makes an order acceptable: the contract's field rules, intake's rules, and the errors."""

from __future__ import annotations

import copy
import json
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.domain import (
    CancelRequest,
    Feedback,
    FieldError,
    InfoAnswer,
    OrderRequest,
    build_order_submitted,
    check_order_rules,
)
from services.intake.field_errors import from_field_errors, from_validation_error
from services.intake.visible_text import visible_text
from shared.events import (
    EventPresenceDetails,
    OrderContent,
    OrderSubmitted,
    TalkDetails,
    TrafficControlDetails,
)
from shared.settings import DeadlineSettings
from shared.vocabulary import Category, Channel
from tests.support import event_order, requester, talk_order, traffic_order

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
REFERENCE = "BEB-7K3M9QXZ"


def deadline_settings(day_count: str = "calendar") -> DeadlineSettings:
    """The promise spelled out, so that no BESTIL_DEADLINES_* variable changes a test."""
    return DeadlineSettings(
        day_count=day_count,
        decision_days=14,
        execution_days=30,
        urgent_decision_lead_days=2,
        min_event_notice_hours=48,
    )


def with_details(order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(order)
    changed["details"].update(changes)
    return changed


def with_location(order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(order)
    changed["location"].update(changes)
    return changed


def without(order: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(order)
    target = changed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return changed


def accepted(order: dict[str, Any]) -> bool:
    try:
        OrderContent.model_validate(order)
    except ValidationError:
        return False
    return True


def request_for(order: dict[str, Any]) -> OrderRequest:
    return OrderRequest.model_validate(order)


def submitted(order: dict[str, Any], settings: DeadlineSettings | None = None) -> OrderSubmitted:
    return build_order_submitted(
        request_for(order),
        now=NOW,
        order_id=uuid.uuid4(),
        reference=REFERENCE,
        correlation_id="req-1",
        settings=settings or deadline_settings(),
    )


def field_errors(order: dict[str, Any], language: str = "en") -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        OrderRequest.model_validate(order)
    return from_validation_error(caught.value, language)


def fields_of(errors: list[dict[str, Any]]) -> list[str]:
    return [e["field"] for e in errors]


# --- the contract: details by category --------------------------------------------------


@pytest.mark.parametrize(
    ("order", "details_type"),
    [
        pytest.param(traffic_order(), TrafficControlDetails, id="traffic_control"),
        pytest.param(talk_order(), TalkDetails, id="talk"),
        pytest.param(event_order(NOW), EventPresenceDetails, id="event_presence"),
    ],
)
def test_each_category_gets_its_own_kind_of_details(order, details_type):
    content = OrderContent.model_validate(order)

    assert isinstance(content.details, details_type)


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(traffic_order(), id="traffic_control"),
        pytest.param(talk_order(), id="talk"),
        pytest.param(event_order(NOW), id="event_presence"),
    ],
)
def test_details_without_a_category_take_the_orders_category(order):
    assert "category" not in order["details"]

    content = OrderContent.model_validate(order)

    assert content.details.category == content.category == order["category"]


def test_details_naming_the_same_category_are_accepted():
    order = with_details(talk_order(), category="talk")

    assert accepted(order)


def test_details_of_another_category_are_rejected():
    order = talk_order(
        details={"category": "traffic_control", "road": "Skovvejen", "problem": "speeding"}
    )

    with pytest.raises(ValidationError, match="do not match"):
        OrderContent.model_validate(order)


def test_details_of_another_category_without_a_tag_are_rejected():
    order = talk_order(details={"road": "Skovvejen", "problem": "speeding"})

    assert not accepted(order)


def test_an_unknown_category_is_rejected():
    assert not accepted(traffic_order(category="pizza_delivery"))


# --- the contract: location -------------------------------------------------------------


@pytest.mark.parametrize(
    ("postal_code", "ok"),
    [
        pytest.param("8000", True, id="aarhus"),
        pytest.param("0800", True, id="leading-zero"),
        pytest.param("800", False, id="three-digits"),
        pytest.param("80000", False, id="five-digits"),
        pytest.param("8OOO", False, id="letters"),
        pytest.param("", False, id="empty"),
        pytest.param("8000\n", False, id="trailing-newline"),
        pytest.param(" 8000", False, id="leading-space"),
    ],
)
def test_postal_code_must_be_four_digits(postal_code, ok):
    assert accepted(with_location(traffic_order(), postal_code=postal_code)) is ok


@pytest.mark.parametrize(
    "postal_code",
    [
        pytest.param("٨٠٠٠", id="arabic-indic-digits"),
        pytest.param("８０００", id="full-width-digits"),
    ],
)
def test_postal_code_in_non_ascii_digits_is_rejected(postal_code):
    assert not accepted(with_location(traffic_order(), postal_code=postal_code))


@pytest.mark.parametrize(
    ("municipality_code", "ok"),
    [
        pytest.param("101", True, id="koebenhavn"),
        pytest.param("751", True, id="aarhus"),
        pytest.param(None, True, id="not-given"),
        pytest.param("10", False, id="two-digits"),
        pytest.param("0751", False, id="four-digits"),
        pytest.param("abc", False, id="letters"),
    ],
)
def test_municipality_code_is_three_digits_when_given(municipality_code, ok):
    order = with_location(traffic_order(), municipality_code=municipality_code)

    assert accepted(order) is ok


@pytest.mark.parametrize(
    ("coordinates", "ok"),
    [
        pytest.param({"lat": 56.1567, "lon": 10.2108}, True, id="both"),
        pytest.param({}, True, id="neither"),
        pytest.param({"lat": 56.1567}, False, id="lat-only"),
        pytest.param({"lon": 10.2108}, False, id="lon-only"),
        pytest.param({"lat": 91.0, "lon": 10.0}, False, id="lat-beyond-the-pole"),
        pytest.param({"lat": 56.0, "lon": 181.0}, False, id="lon-beyond-the-date-line"),
    ],
)
def test_latitude_and_longitude_come_together(coordinates, ok):
    assert accepted(with_location(traffic_order(), **coordinates)) is ok


# --- the contract: requester ------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        pytest.param("mette.hansen@example.dk", True, id="plain"),
        pytest.param("mette+politi@sub.example.dk", True, id="plus-and-subdomain"),
        pytest.param("mette.hansen", False, id="no-at"),
        pytest.param("mette@", False, id="no-domain"),
        pytest.param("@example.dk", False, id="no-local-part"),
        pytest.param("mette hansen@example.dk", False, id="space"),
        pytest.param("mette@example", False, id="no-top-level-domain"),
        pytest.param("mette@@example.dk", False, id="two-ats"),
    ],
)
def test_requester_email_must_be_an_email_address(email, ok):
    assert accepted(traffic_order(requester=requester(email=email))) is ok


# --- the contract: traffic control, talk and event details -------------------------------


@pytest.mark.parametrize(
    ("speed", "ok"),
    [
        pytest.param(10, True, id="lowest"),
        pytest.param(130, True, id="motorway"),
        pytest.param(None, True, id="not-given"),
        pytest.param(9, False, id="below-10"),
        pytest.param(131, False, id="above-130"),
    ],
)
def test_speed_limit_is_between_10_and_130(speed, ok):
    assert accepted(with_details(traffic_order(), speed_limit_kmh=speed)) is ok


@pytest.mark.parametrize(
    ("make_order", "attendees", "ok"),
    [
        pytest.param(talk_order, 1, True, id="talk-1"),
        pytest.param(talk_order, 10_000, True, id="talk-10000"),
        pytest.param(talk_order, 0, False, id="talk-0"),
        pytest.param(talk_order, 10_001, False, id="talk-10001"),
        pytest.param(lambda: event_order(NOW), 1, True, id="event-1"),
        pytest.param(lambda: event_order(NOW), 1_000_000, True, id="event-1000000"),
        pytest.param(lambda: event_order(NOW), 0, False, id="event-0"),
        pytest.param(lambda: event_order(NOW), 1_000_001, False, id="event-1000001"),
    ],
)
def test_expected_attendees_within_the_categorys_range(make_order, attendees, ok):
    assert accepted(with_details(make_order(), expected_attendees=attendees)) is ok


@pytest.mark.parametrize(
    ("end_after_start", "ok"),
    [
        pytest.param(timedelta(hours=6), True, id="after"),
        pytest.param(timedelta(0), False, id="same-moment"),
        pytest.param(timedelta(hours=-1), False, id="before"),
    ],
)
def test_event_must_end_after_it_starts(end_after_start, ok):
    start = NOW + timedelta(days=20)
    order = with_details(
        event_order(NOW),
        event_start=start.isoformat(),
        event_end=(start + end_after_start).isoformat(),
    )

    assert accepted(order) is ok


def test_event_times_without_a_time_zone_are_rejected():
    order = with_details(
        event_order(NOW), event_start="2026-06-21T17:00:00", event_end="2026-06-21T23:00:00"
    )

    assert not accepted(order)


@pytest.mark.parametrize(
    ("count", "ok"),
    [
        pytest.param(0, True, id="none"),
        pytest.param(3, True, id="three"),
        pytest.param(4, False, id="four"),
    ],
)
def test_talk_takes_up_to_three_preferred_dates(count, ok):
    dates = [(date(2026, 7, 1) + timedelta(days=i)).isoformat() for i in range(count)]

    assert accepted(with_details(talk_order(), preferred_dates=dates)) is ok


# --- the contract: the OrderSubmitted event ----------------------------------------------


def test_order_submitted_survives_the_wire_unchanged():
    event = submitted(event_order(NOW))

    assert OrderSubmitted.model_validate_json(event.model_dump_json()) == event


def test_order_submitted_on_the_wire_without_a_details_category_gets_the_orders():
    wire = submitted(talk_order()).model_dump(mode="json")
    del wire["details"]["category"]

    event = OrderSubmitted.model_validate(wire)

    assert event.details.category == Category.TALK
    assert isinstance(event.details, TalkDetails)


def test_order_submitted_with_details_of_another_category_is_rejected():
    wire = submitted(traffic_order()).model_dump(mode="json")
    wire["details"] = {**talk_order()["details"], "category": "talk"}

    with pytest.raises(ValidationError, match="do not match"):
        OrderSubmitted.model_validate(wire)


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param("BEB-1234567", id="seven-characters"),
        pytest.param("BEB-1234567I", id="letter-I"),
        pytest.param("BEB-12345U78", id="letter-U"),
        pytest.param("XYZ-12345678", id="wrong-prefix"),
    ],
)
def test_order_submitted_rejects_a_malformed_reference(reference):
    wire = submitted(traffic_order()).model_dump(mode="json")

    with pytest.raises(ValidationError):
        OrderSubmitted.model_validate({**wire, "reference": reference})


# --- intake's rules (they need the clock and reference data) ----------------------------


def rule_errors(order: dict[str, Any], now: datetime = NOW) -> list[FieldError]:
    return check_order_rules(request_for(order), now, deadline_settings())


def rule_types(
    order: dict[str, Any], now: datetime = NOW
) -> set[tuple[tuple[str | int, ...], str]]:
    return {(e.loc, e.type) for e in rule_errors(order, now)}


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(traffic_order(), id="traffic_control"),
        pytest.param(talk_order(), id="talk"),
        pytest.param(event_order(NOW), id="event_presence"),
    ],
)
def test_a_sound_order_breaks_no_rule(order):
    assert rule_errors(order) == []


def test_order_without_consent_is_refused():
    assert rule_types(traffic_order(consent=False)) == {(("consent",), "consent_required")}


def test_unknown_municipality_is_refused():
    order = with_location(traffic_order(), municipality_code="999")

    assert rule_types(order) == {(("location", "municipality_code"), "unknown_municipality")}


def test_christiansoe_counts_as_a_known_place_though_no_municipality():
    order = with_location(traffic_order(), postal_code="3760", municipality_code="411")

    assert rule_errors(order) == []


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        pytest.param(56.1567, 10.2108, True, id="aarhus"),
        pytest.param(55.1009, 14.7066, True, id="roenne"),
        pytest.param(55.3200, 15.1900, True, id="christiansoe"),
        pytest.param(57.7300, 10.5800, True, id="skagen"),
        pytest.param(59.3293, 18.0686, False, id="stockholm"),
        pytest.param(52.5200, 13.4050, False, id="berlin"),
        pytest.param(55.6000, 16.0000, False, id="east-of-bornholm"),
        pytest.param(0.0, 0.0, False, id="null-island"),
    ],
)
def test_coordinates_must_lie_in_denmark(lat, lon, inside):
    order = with_location(traffic_order(), lat=lat, lon=lon)

    errors = rule_types(order)

    assert bool(errors) is not inside
    assert {loc for loc, kind in errors if kind == "outside_denmark"} <= {
        ("location", "lat"),
        ("location", "lon"),
    }
    assert errors == {(loc, kind) for loc, kind in errors if kind == "outside_denmark"}


def test_a_longitude_outside_denmark_is_reported_at_the_longitude():
    errors = rule_types(with_location(traffic_order(), lat=55.6, lon=16.0))
    assert errors == {(("location", "lon"), "outside_denmark")}


def test_event_that_has_already_started_is_refused():
    order = event_order(NOW, starts_in=timedelta(hours=-2))

    assert (("details", "event_start"), "in_the_past") in rule_types(order)


def test_event_that_is_already_over_is_refused_for_start_and_end():
    order = event_order(NOW, starts_in=timedelta(days=-1))

    assert rule_types(order) == {
        (("details", "event_start"), "in_the_past"),
        (("details", "event_end"), "in_the_past"),
    }


@pytest.mark.parametrize(
    ("starts_in", "too_soon"),
    [
        pytest.param(timedelta(hours=1), True, id="in-an-hour"),
        pytest.param(timedelta(hours=47, minutes=59), True, id="just-under-48h"),
        pytest.param(timedelta(hours=48), False, id="exactly-48h"),
        pytest.param(timedelta(days=3), False, id="in-three-days"),
    ],
)
def test_event_starting_within_48_hours_is_sent_to_114(starts_in, too_soon):
    errors = rule_errors(event_order(NOW, starts_in=starts_in))

    soon = [e for e in errors if e.type == "event_too_soon"]
    assert bool(soon) is too_soon
    if too_soon:
        assert soon[0].loc == ("details", "event_start")
        assert soon[0].ctx == {"hours": 48}


def test_talk_with_a_preferred_date_in_the_past_is_refused():
    order = with_details(talk_order(), preferred_dates=["2026-05-31", "2026-06-10"])

    assert rule_types(order) == {(("details", "preferred_dates"), "in_the_past")}


# --- the event a valid order becomes -----------------------------------------------------


def test_ordinary_order_is_due_for_decision_in_14_days_and_execution_in_30():
    event = submitted(traffic_order())

    assert event.submitted_at == NOW
    assert event.decision_due == NOW + timedelta(days=14)
    assert event.execution_due == NOW + timedelta(days=30)
    assert event.urgent is False


def test_event_in_20_days_is_carried_out_at_its_start_and_not_urgent():
    order = event_order(NOW, starts_in=timedelta(days=20))

    event = submitted(order)

    assert event.execution_due == NOW + timedelta(days=20)
    assert event.decision_due == NOW + timedelta(days=14)
    assert event.urgent is False


def test_event_in_10_days_is_urgent_and_decided_two_days_before_it_starts():
    order = event_order(NOW, starts_in=timedelta(days=10))

    event = submitted(order)

    assert event.urgent is True
    assert event.decision_due == NOW + timedelta(days=8)
    assert event.execution_due == NOW + timedelta(days=10)


def test_working_day_setting_counts_the_decision_deadline_in_working_days():
    # Monday 1 June 2026; 5 June (Grundlovsdag) is no public holiday but a closed day.
    event = submitted(traffic_order(), deadline_settings("working"))

    assert event.decision_due == datetime(2026, 6, 22, 10, 0, tzinfo=UTC)


def test_submitted_event_carries_the_order_and_its_identity_but_not_the_consent():
    order_id = uuid.uuid4()
    request = request_for(traffic_order(channel="phone"))

    event = build_order_submitted(
        request,
        now=NOW,
        order_id=order_id,
        reference=REFERENCE,
        correlation_id="req-1",
        settings=deadline_settings(),
    )

    assert (event.order_id, event.reference, event.correlation_id) == (order_id, REFERENCE, "req-1")
    assert event.occurred_at == NOW
    assert event.channel == Channel.PHONE
    assert event.requester == request.requester
    assert event.details == request.details
    assert "consent" not in event.model_dump()


@pytest.mark.parametrize(
    "order",
    [
        traffic_order(channel="web"),
        talk_order(),
        event_order(NOW),
        # An offset other than UTC: the event carries the same instants in UTC.
        {
            **event_order(NOW),
            "details": {
                **event_order(NOW)["details"],
                "event_start": "2026-06-30T19:00:00+02:00",
                "event_end": "2026-06-30T23:30:00+02:00",
            },
        },
    ],
    ids=["traffic", "talk", "event", "event-with-offset"],
)
def test_submitted_event_built_without_a_second_validation_equals_a_validated_one(
    order: dict[str, Any],
):
    event = submitted(order)

    validated = OrderSubmitted.model_validate(event.model_dump())
    from_the_wire = OrderSubmitted.model_validate_json(event.model_dump_json())

    assert validated == event
    assert from_the_wire == event
    assert from_the_wire.model_dump_json() == event.model_dump_json()
    if isinstance(event.details, EventPresenceDetails):
        assert event.details.event_start.utcoffset() == timedelta(0)
        assert event.details.event_end.utcoffset() == timedelta(0)


# --- field errors in the citizen's language ----------------------------------------------


@pytest.mark.parametrize(
    ("order", "field"),
    [
        pytest.param(
            traffic_order(requester=requester(email="mette.hansen")), "requester.email", id="email"
        ),
        pytest.param(
            with_location(traffic_order(), postal_code="80000"),
            "location.postal_code",
            id="postal-code",
        ),
        pytest.param(
            with_location(traffic_order(), municipality_code="75"),
            "location.municipality_code",
            id="municipality-code",
        ),
        pytest.param(
            with_location(traffic_order(), lat=56.1), "location.lat", id="lat-without-lon"
        ),
        pytest.param(
            with_details(
                event_order(NOW),
                event_end=event_order(NOW)["details"]["event_start"],
            ),
            "details.event_end",
            id="event-end-not-after-start",
        ),
        pytest.param(
            with_details(traffic_order(), speed_limit_kmh=200),
            "details.speed_limit_kmh",
            id="speed-limit",
        ),
        pytest.param(
            with_details(talk_order(), expected_attendees=0),
            "details.expected_attendees",
            id="talk-attendees",
        ),
        pytest.param(without(traffic_order(), "details", "road"), "details.road", id="no-road"),
        pytest.param(without(traffic_order(), "description"), "description", id="no-description"),
        pytest.param(without(traffic_order(), "consent"), "consent", id="no-consent"),
    ],
)
def test_field_error_names_the_field_as_the_citizen_sent_it(order, field):
    errors = field_errors(order)

    assert fields_of(errors) == [field]


def test_field_paths_never_show_the_category_tag():
    order = with_details(traffic_order(), speed_limit_kmh=5, road="", problem="potholes")

    errors = field_errors(order)

    assert sorted(fields_of(errors)) == [
        "details.problem",
        "details.road",
        "details.speed_limit_kmh",
    ]
    assert not any(
        part in {"traffic_control", "talk", "event_presence"} for e in errors for part in e["loc"]
    )


def test_details_of_another_category_are_reported_at_the_details():
    order = talk_order(
        details={"category": "traffic_control", "road": "Skovvejen", "problem": "speeding"}
    )

    errors = field_errors(order)

    assert [e["type"] for e in errors] == ["details_mismatch"]
    assert fields_of(errors) in (["details"], ["category"])


@pytest.mark.parametrize(
    ("order", "danish", "english"),
    [
        pytest.param(
            traffic_order(requester=requester(email="mette.hansen")),
            "gyldig e-mailadresse",
            "valid email address",
            id="email",
        ),
        pytest.param(
            with_location(traffic_order(), postal_code="800"),
            "Postnummeret skal være 4 cifre",
            "postal code must be 4 digits",
            id="postal-code",
        ),
        pytest.param(
            with_details(talk_order(), expected_attendees=10_001),
            "Må højst være 10000",
            "Must be at most 10000",
            id="attendees",
        ),
        pytest.param(
            without(traffic_order(), "description"),
            "Feltet skal udfyldes",
            "This field is required",
            id="missing",
        ),
        pytest.param(
            with_location(traffic_order(), lon=10.2),
            "både breddegrad og længdegrad",
            "both latitude and longitude",
            id="coordinates-pair",
        ),
    ],
)
def test_field_errors_speak_the_citizens_language(order, danish, english):
    (da,) = field_errors(order, "da")
    (en,) = field_errors(order, "en")

    assert danish in da["msg"]
    assert english in en["msg"]
    assert da["field"] == en["field"]


@pytest.mark.parametrize(
    ("error", "danish", "english"),
    [
        pytest.param(
            FieldError(("consent",), "consent_required"),
            "Du skal give samtykke",
            "You must give your consent",
            id="consent",
        ),
        pytest.param(
            FieldError(("location", "municipality_code"), "unknown_municipality"),
            "Vælg en kommune fra listen",
            "Choose a municipality from the list",
            id="unknown-municipality",
        ),
        pytest.param(
            FieldError(("location", "lat"), "outside_denmark"),
            "i Danmark",
            "in Denmark",
            id="outside-denmark",
        ),
        pytest.param(
            FieldError(("details", "event_start"), "event_too_soon", {"hours": 48}),
            "mindre end 48 timer",
            "less than 48 hours",
            id="event-too-soon",
        ),
    ],
)
def test_rule_errors_speak_the_citizens_language(error, danish, english):
    (da,) = from_field_errors([error], "da")
    (en,) = from_field_errors([error], "en")

    assert danish in da["msg"]
    assert english in en["msg"]
    assert da["field"] == en["field"] == ".".join(str(p) for p in error.loc)


def test_event_too_soon_points_the_citizen_to_114():
    error = FieldError(("details", "event_start"), "event_too_soon", {"hours": 48})

    for language in ("da", "en"):
        (entry,) = from_field_errors([error], language)
        assert "114" in entry["msg"]


@pytest.mark.parametrize(
    ("order", "secret"),
    [
        pytest.param(
            traffic_order(requester=requester(email="hemmelig.hansen@@example.dk")),
            "hemmelig.hansen",
            id="email",
        ),
        pytest.param(
            traffic_order(requester=requester(phone="ring-til-SECRET-42")),
            "SECRET-42",
            id="phone",
        ),
        pytest.param(
            traffic_order(requester=requester(name="Hemmeligsen" * 30)),
            "HemmeligsenHemmeligsen",
            id="name-too-long",
        ),
        pytest.param(
            with_location(traffic_order(), postal_code="SECRET99"), "SECRET99", id="postal-code"
        ),
        pytest.param(
            traffic_order(category="SECRET-CATEGORY"), "SECRET-CATEGORY", id="category-and-tag"
        ),
        pytest.param(
            with_details(traffic_order(), speed_limit_kmh="SECRET-SPEED"),
            "SECRET-SPEED",
            id="speed",
        ),
        pytest.param(
            with_details(traffic_order(), speed_limit_kmh=987654),
            "987654",
            id="speed-out-of-range",
        ),
    ],
)
@pytest.mark.parametrize("language", ["da", "en"])
def test_field_errors_never_repeat_what_the_citizen_typed(order, secret, language):
    errors = field_errors(order, language)

    assert errors
    assert secret not in json.dumps(errors, ensure_ascii=False, default=str)


# --- every character visible ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "multiline", "visible"),
    [
        pytest.param("Mette Hansen", False, True, id="plain"),
        pytest.param("Søren Ærø-Åberg", False, True, id="danish-letters"),
        pytest.param("\u202eesraveR", False, False, id="right-to-left-override"),
        pytest.param("a\u2066b\u2069", False, False, id="isolates"),
        pytest.param("a\u200eb", False, False, id="left-to-right-mark"),
        pytest.param("a\u061cb", False, False, id="arabic-letter-mark"),
        pytest.param("a\u00adb", False, False, id="soft-hyphen"),
        pytest.param("a\u2060b", False, False, id="word-joiner"),
        pytest.param("\ufeffa", False, False, id="byte-order-mark"),
        pytest.param("a\x7fb", True, False, id="delete"),
        pytest.param("a\ud800b", True, False, id="lone-surrogate"),
        pytest.param("a\u2029b", True, False, id="paragraph-separator"),
        pytest.param("a\nb", False, False, id="newline-in-a-line"),
        pytest.param("a\nb\tc", True, True, id="newline-and-tab-in-a-long-text"),
        pytest.param("a\r\nb", True, True, id="crlf-in-a-long-text"),
        pytest.param("a\rb", True, False, id="lone-carriage-return"),
        pytest.param("a\x0bb", True, False, id="vertical-tab"),
        pytest.param("\u200cمی", False, False, id="joiner-at-the-start"),
        pytest.param("می\u200cخواهم", False, True, id="persian-zwnj"),
        pytest.param("👍🏽\u200d", False, True, id="joiner-after-an-emoji-modifier"),
        pytest.param("e\u0301\u200d", False, True, id="joiner-after-a-combining-mark"),
        pytest.param("ab\u200dc", False, False, id="joiner-between-latin-letters"),
    ],
)
def test_text_is_visible_only_without_control_and_format_characters(text, multiline, visible):
    assert visible_text(text, multiline=multiline) is visible


@pytest.mark.parametrize("multiline", [False, True])
def test_every_code_point_is_judged_by_its_category_alone(multiline):
    # The quick path (str.isprintable) must never let through what the category refuses.
    refused = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    kept_in_long_texts = {"\n", "\t"} if multiline else set()
    for code in [*range(0x10000), *range(0xE0000, 0xE0080), 0x1F44D, 0x10FFFF]:
        char = chr(code)
        if char in "\u200c\u200d":  # the joiners depend on the letter before them
            continue
        expected = unicodedata.category(char) not in refused or char in kept_in_long_texts
        assert visible_text(f"a{char}b", multiline=multiline) is expected, hex(code)


def test_every_hidden_character_in_an_order_is_reported_with_the_other_errors():
    order = traffic_order(
        requester=requester(name="Mette\u202eHansen", organisation="Forening\x00"),
        description="Linje 1\nLinje 2",
    )
    order["location"]["postal_code"] = "80"

    errors = field_errors(order, "da")

    assert sorted((e["field"], e["type"]) for e in errors) == [
        ("location.postal_code", "postal_code"),
        ("requester.name", "hidden_characters"),
        ("requester.organisation", "hidden_characters"),
    ]


def test_hidden_characters_in_fields_the_order_does_not_have_are_ignored():
    order = {**traffic_order(), "note\u202e": "x\u202e", "website": "\x00"}

    assert request_for(order).description == traffic_order()["description"]


def test_the_follow_ups_refuse_hidden_characters_too():
    with pytest.raises(ValidationError) as answer:
        InfoAnswer(answer="Ja\u202e")
    with pytest.raises(ValidationError) as reason:
        CancelRequest(reason="Løst\x1b")
    with pytest.raises(ValidationError) as comment:
        Feedback.model_validate({"carried_out_seen": "nej", "comment": "Tak\u2067"})

    assert [e["type"] for e in from_validation_error(answer.value, "da")] == ["hidden_characters"]
    assert [e["type"] for e in from_validation_error(reason.value, "da")] == ["hidden_characters"]
    assert sorted(e["field"] for e in from_validation_error(comment.value, "en")) == [
        "carried_out_seen",
        "comment",
    ]
    assert InfoAnswer(answer="Mellem 7.30\r\nog 8.").answer == "Mellem 7.30\r\nog 8."
