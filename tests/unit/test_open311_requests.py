"""Open311's form fields become intake's order, and GET requests' filters follow the spec."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from services.intake.domain import PostalArea, PostalCodes
from services.intake.open311.reading import WINDOW, parse_query
from services.intake.open311.service_requests import Open311Error, Places, order_data, parameter
from shared.vocabulary import Category, OrderStatus

#: The spec's example POST body (GeoReport v2, "POST Service Request", Example Request).
SPEC_POST = (
    "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111"
    "&account_id=123456&first_name=john&last_name=smith&phone=111111111"
    "&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)
PLACES = Places(PostalCodes({"8000": PostalArea("8000", "Aarhus C", ("751",))}))
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _form(text: str) -> dict[str, list[str]]:
    return parse_qs(text, keep_blank_values=True)


def test_the_specs_example_names_a_service_we_do_not_have() -> None:
    with pytest.raises(Open311Error) as refused:
        order_data(_form(SPEC_POST), "en", PLACES)
    assert refused.value.status == 404


def test_the_specs_example_attributes_are_unknown_to_our_services() -> None:
    form = _form(SPEC_POST.replace("service_code=001", "service_code=traffic_control"))
    with pytest.raises(Open311Error) as refused:
        order_data(form, "en", PLACES)
    assert refused.value.status == 400
    assert [d.split(":")[0] for d in refused.value.descriptions] == [
        "attribute[WHISPAWN]",
        "attribute[WHISDORN]",
    ]


def test_the_specs_fields_fill_the_order() -> None:
    form = _form(
        SPEC_POST.replace("service_code=001", "service_code=traffic_control")
        .replace("1234+5th+street", "Skolevej+3%2C+8000+Aarhus+C")
        .replace("&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001", "")
        + "&attribute[road]=Skolevej&attribute[problem]=speeding"
        + "&attribute[time_of_day][]=morning&attribute[time_of_day][]=night"
    )
    category, data = order_data(form, "da", PLACES)
    assert category is Category.TRAFFIC_CONTROL
    assert data["requester"] == {
        "name": "john smith",
        "email": "smit333@sfgov.edu",
        "phone": "111111111",
    }
    assert data["location"] == {
        "address": "Skolevej 3, 8000 Aarhus C",
        "postal_code": "8000",
        "city": "Aarhus C",
        "municipality_code": "751",
        "lat": 37.76524078,
        "lon": -122.4212043,
    }
    assert data["details"] == {
        "road": "Skolevej",
        "problem": "speeding",
        "time_of_day": ["morning", "night"],
    }
    assert data["consent"] is True and data["channel"] == "api"
    assert "media_url" not in str(data) and "tt222111" not in str(data)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("requester.email", "email"),
        ("requester.name", "first_name/last_name"),
        ("location.postal_code", "attribute[postal_code]"),
        ("location.lon", "long"),
        ("details.road", "attribute[road]"),
        ("details.time_of_day.1", "attribute[time_of_day]"),
        ("description", "description"),
        ("language", "attribute[language]"),
    ],
)
def test_field_errors_name_the_form_parameter(field, expected) -> None:
    assert parameter(field, Category.TRAFFIC_CONTROL) == expected


def test_requests_default_to_the_last_90_days() -> None:
    query = parse_query({}, NOW, "en")
    assert (query.start, query.end) == (NOW - WINDOW, NOW)
    assert query.ids is None and query.statuses == () and query.categories == ()


def test_one_end_of_the_range_gives_90_days_from_it() -> None:
    start = parse_query({"start_date": "2026-01-01T00:00:00Z"}, NOW, "en")
    assert start.end == datetime(2026, 1, 1, tzinfo=UTC) + WINDOW
    end = parse_query({"end_date": "2026-01-01T00:00:00+01:00"}, NOW, "en")
    assert end.start == datetime(2025, 12, 31, 23, tzinfo=UTC) - WINDOW


def test_status_closed_means_the_final_statuses() -> None:
    query = parse_query({"status": "closed"}, NOW, "en")
    assert set(query.statuses) == {
        OrderStatus.DECLINED,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
    }


def test_service_request_ids_override_every_other_filter() -> None:
    first, second = "9a4e1f0c-7b2d-5e3a-8c6f-1d0b2a3c4e5f", "not-a-uuid"
    query = parse_query({"service_request_id": f"{first},{second}", "status": "bogus"}, NOW, "en")
    assert [str(i) for i in query.ids or ()] == [first]


def test_a_span_over_90_days_is_refused() -> None:
    with pytest.raises(Open311Error) as refused:
        parse_query(
            {
                "start_date": "2026-01-01T00:00:00Z",
                "end_date": (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=91)).isoformat(),
            },
            NOW,
            "en",
        )
    assert refused.value.status == 400
