"""Orders taken by phone: screening's form submits to a real intake app, in-process."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.screening.phone import form_field, order_payload
from shared import events
from tests.handlers.test_screening_web import Browser, officer_browser
from tests.support import free_port

INTAKE = "http://intake.test"


class Recording(httpx.AsyncBaseTransport):
    """Forwards to an app (or fails) and keeps every request it was handed."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        if self.inner is None:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def desk(harness):
    """Screening wired to an in-process intake; returns (screening, intake, transport)."""
    intake = await harness("intake", phone_channel_key="test-phone-key")
    screening = await harness("screening", intake_url=INTAKE, phone_channel_key="test-phone-key")
    transport = Recording(httpx.ASGITransport(app=intake.app))
    screening.app.state.ctx.http = httpx.AsyncClient(transport=transport)
    yield screening, intake, transport
    await screening.app.state.ctx.http.aclose()


def phone_form(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "traffic_control",
        "language": "da",
        "requester.name": "Karen Holm",
        "requester.email": "karen.holm@example.dk",
        "requester.phone": "+45 22 33 44 55",
        "location.address": "Skovvejen 40",
        "location.postal_code": "8000",
        "location.city": "Aarhus C",
        "location.municipality_code": "751",
        "description": "Knallerter kører stærkt om aftenen.",
        "traffic.road": "Skovvejen",
        "traffic.problem": "mopeds",
        "traffic.speed_limit_kmh": "40",
        "traffic.time_of_day": ["evening", "night"],
        "consent": "on",
        "idempotency_key": "phone-test-1",
        **overrides,
    }


async def test_a_phone_order_enters_through_intakes_api_with_the_phone_channel(desk) -> None:
    screening, intake, transport = desk
    officer: Browser = await officer_browser(screening)
    response = await officer.post("/phone", phone_form())
    assert response.status_code == 303, response.text
    reference = response.headers["location"].split("reference=")[1]
    done = await officer.get(response.headers["location"])
    assert reference in done.text and "Giv borgeren referencen" in done.text
    [sent] = transport.requests
    assert str(sent.url) == f"{INTAKE}/api/v1/orders"
    assert sent.headers["x-phone-channel-key"] == "test-phone-key"
    assert sent.headers["idempotency-key"] == "phone-test-1"
    body = json.loads(sent.content)
    assert body["channel"] == "phone" and body["consent"] is True
    assert body["details"] == {
        "road": "Skovvejen",
        "problem": "mopeds",
        "speed_limit_kmh": 40,
        "time_of_day": ["evening", "night"],
    }
    [submitted] = await intake.staged(events.OrderSubmitted)
    assert submitted.reference == reference and submitted.requester.name == "Karen Holm"
    assert submitted.channel.value == "phone"
    trail = await officer.get("/")
    assert trail.status_code == 200


async def test_a_double_submit_is_one_order(desk) -> None:
    screening, intake, _ = desk
    officer = await officer_browser(screening)
    first = await officer.post("/phone", phone_form())
    second = await officer.post("/phone", phone_form())
    assert first.headers["location"] == second.headers["location"]
    assert len(await intake.staged(events.OrderSubmitted)) == 1


async def test_intakes_field_errors_are_shown_next_to_the_officers_fields(desk) -> None:
    screening, intake, _ = desk
    officer = await officer_browser(screening)
    response = await officer.post(
        "/phone",
        phone_form(
            **{
                "requester.email": "ikke-en-adresse",
                "traffic.road": "",
                "location.postal_code": "80",
                "consent": "",
            }
        ),
    )
    assert response.status_code == 422
    page = response.text
    for field_id in ("requester-email-error", "traffic-road-error", "location-postal_code-error"):
        assert f'id="{field_id}"' in page, field_id
    assert 'id="consent-error"' in page
    assert "gyldig e-mailadresse" in page
    assert 'value="Karen Holm"' in page  # what the officer typed is kept
    assert await intake.staged(events.OrderSubmitted) == []


async def test_an_event_orders_local_times_are_sent_with_their_offset(desk) -> None:
    screening, intake, transport = desk
    officer = await officer_browser(screening)
    when = (screening.clock() + timedelta(days=20)).strftime("%Y-%m-%d")
    response = await officer.post(
        "/phone",
        phone_form(
            category="event_presence",
            **{
                "event.event_name": "Sommerfest",
                "event.venue": "Torvet",
                "event.event_start": f"{when}T18:00",
                "event.event_end": f"{when}T23:30",
                "event.expected_attendees": "400",
            },
        ),
    )
    assert response.status_code == 303, response.text
    body = json.loads(transport.requests[-1].content)
    assert body["details"]["event_start"].startswith(f"{when}T18:00:00+0")
    [submitted] = await intake.staged(events.OrderSubmitted)
    assert submitted.details.event_name == "Sommerfest"


async def test_when_intake_does_not_answer_the_form_is_kept_and_nothing_is_claimed(
    harness,
) -> None:
    screening = await harness("screening", intake_url=f"http://127.0.0.1:{free_port()}")
    screening.app.state.ctx.http = httpx.AsyncClient(transport=Recording(None))
    officer = await officer_browser(screening)
    response = await officer.post("/phone", phone_form())
    assert response.status_code == 503
    assert "ikke svarer" in response.text and 'value="Karen Holm"' in response.text
    assert 'value="phone-test-1"' in response.text  # a retry is the same order


@pytest.mark.parametrize(
    ("intake_field", "category", "form_name"),
    [
        pytest.param("details.road", "traffic_control", "traffic.road", id="traffic-detail"),
        pytest.param(
            "details.expected_attendees", "talk", "talk.expected_attendees", id="talk-detail"
        ),
        pytest.param("details.event_end", "event_presence", "event.event_end", id="event-detail"),
        pytest.param("requester.email", "talk", "requester.email", id="requester"),
        pytest.param("location.lat", "talk", "location.lat", id="location"),
        pytest.param("consent", None, "consent", id="top-level"),
        pytest.param("", None, "", id="whole-order"),
    ],
)
def test_intakes_error_paths_map_to_the_forms_fields(intake_field, category, form_name) -> None:
    assert form_field(intake_field, category) == form_name


def test_the_payload_keeps_what_intake_must_judge_and_drops_empty_fields() -> None:
    payload, problems = order_payload(
        {
            "category": "talk",
            "requester.name": "Jens",
            "requester.email": "j@example.dk",
            "requester.phone": "",
            "location.postal_code": "5000",
            "location.lat": "55,4",
            "location.lon": "10,38",
            "description": "Foredrag",
            "talk.topic": "cyber_crime",
            "talk.audience": "Forældre",
            "talk.expected_attendees": "tredive",
            "talk.preferred_dates": ["2026-12-01", ""],
            "traffic.road": "ignored for a talk",
        }
    )
    assert problems == {}
    assert payload["requester"] == {"name": "Jens", "email": "j@example.dk"}
    assert payload["location"] == {"postal_code": "5000", "lat": 55.4, "lon": 10.38}
    assert payload["details"] == {
        "topic": "cyber_crime",
        "audience": "Forældre",
        "expected_attendees": "tredive",
        "preferred_dates": ["2026-12-01"],
    }
    assert payload["consent"] is False and payload["channel"] == "phone"
