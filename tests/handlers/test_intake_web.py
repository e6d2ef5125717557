"""Intake's pages over HTTP, without a browser: the form, its errors, abuse guards and status actions."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.intake.domain import local_datetime
from services.intake.web.common import strings
from shared import events
from shared.danish_time import format_date, format_datetime, format_period
from shared.deadlines import COPENHAGEN
from shared.vocabulary import Decision, ReasonCode, RoutingMethod
from tests.reference_data import reference_data_dir
from tests.support import traffic_order

Form = dict[str, str | list[str]]


@pytest.fixture
async def intake(harness, client_for):
    h = await harness("intake", rate_limit_per_minute=1000)
    return h, client_for(h)


def traffic_form(**overrides: str | list[str]) -> Form:
    return {
        "category": "traffic_control",
        "language": "da",
        "form_id": str(uuid.uuid4()),
        "details.road": "Skovvejen mellem nr. 2 og 40",
        "details.problem": "speeding",
        "details.speed_limit_kmh": "40",
        "details.time_of_day": ["morning", "evening"],
        "location.address": "Skovvejen 12",
        "location.postal_code": "8000",
        "location.city": "Aarhus C",
        "location.municipality_code": "751",
        "description": "Bilerne kører alt for stærkt forbi skolen.",
        "requester.name": "Mette Hansen",
        "requester.email": "mette@example.dk",
        "requester.phone": "",
        "requester.organisation": "",
        "consent": "yes",
        "website": "",
        **overrides,
    }


def event_form(start: datetime, **overrides: str | list[str]) -> Form:
    local = start.astimezone(COPENHAGEN)
    return {
        "category": "event_presence",
        "language": "da",
        "form_id": str(uuid.uuid4()),
        "details.event_name": "Rønne Byfest",
        "details.event_start": local.strftime("%Y-%m-%dT%H:%M"),
        "details.event_end": (local + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "details.expected_attendees": "3000",
        "details.venue": "Store Torv",
        "location.postal_code": "3700",
        "location.municipality_code": "400",
        "description": "Byfest med musik.",
        "requester.name": "Anna Berg",
        "requester.email": "anna@example.dk",
        "consent": "yes",
        **overrides,
    }


def receipt_of(response: Any) -> tuple[str, str]:
    """The reference and token a successful post redirects to."""
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert location.path.startswith("/receipt/")
    return location.path.rsplit("/", 1)[1], parse_qs(location.query)["token"][0]


def error_for(html: str, field_id: str) -> str:
    """The error message shown next to a field (its form-error-message span)."""
    match = re.search(
        rf'id="{re.escape(field_id)}-error"><span class="sr-only">[^<]*</span>([^<]*)<', html
    )
    return match.group(1) if match else ""


class _Labels(HTMLParser):
    """Collects which inputs exist and which have a <label for=…>."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, str] = {}
        self.labelled: set[str] = set()
        self.legends = 0
        self.fieldsets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.inputs[a.get("id") or ""] = a.get("type") or tag
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"] or "")
        self.legends += tag == "legend"
        self.fieldsets += tag == "fieldset"


# --- the form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading"), [("da", "Bestil en betjent"), ("en", "Order a police officer")]
)
async def test_start_page_offers_the_three_categories_in_the_chosen_language(
    intake, lang, heading
) -> None:
    _, client = intake
    response = await client.get("/", params={"lang": lang})
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{lang}">' in html and f"<h1>{heading}</h1>" in html
    for category in ("traffic_control", "talk", "event_presence"):
        assert f'id="category-{category}"' in html
    t = strings(lang)
    assert "112" in html and "114" in html
    assert t["next"]["steps"][2].format(decision_days=14, execution_days=30) in html


@pytest.mark.parametrize("category", ["traffic_control", "talk", "event_presence"])
@pytest.mark.parametrize("lang", ["da", "en"])
async def test_every_input_of_every_form_has_a_label(intake, category, lang) -> None:
    _, client = intake
    response = await client.get("/", params={"category": category, "lang": lang})
    assert response.status_code == 200
    page = _Labels()
    page.feed(response.text)
    unlabelled = set(page.inputs) - page.labelled
    assert not unlabelled, unlabelled
    assert page.fieldsets == page.legends  # every group of choices has its question
    assert 'name="form_id"' in response.text and 'name="website"' in response.text
    assert len(re.findall(r'<option value="[0-9]+"', response.text)) == 98  # municipalities


async def test_without_a_choice_the_start_page_asks_for_one(intake) -> None:
    _, client = intake
    response = await client.get("/", params={"category": "", "lang": "en"})
    assert response.status_code == 422
    assert 'href="#category-traffic_control"' in response.text
    assert "Choose one of the options." in response.text


@pytest.mark.parametrize(
    ("lang", "email_error", "postal_error"),
    [
        ("da", "Skriv en gyldig e-mailadresse", "Postnummeret skal være 4 cifre."),
        ("en", "Enter a valid email address", "The postal code must be 4 digits."),
    ],
)
async def test_invalid_form_shows_each_error_next_to_its_field_and_keeps_the_input(
    intake, lang, email_error, postal_error
) -> None:
    h, client = intake
    form = traffic_form(
        language=lang,
        **{
            "requester.email": "ikke-en-adresse",
            "location.postal_code": "80",
            "details.problem": "",
            "consent": "",
        },
    )
    response = await client.post("/", data=form)
    assert response.status_code == 422
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert error_for(html, "requester-email").startswith(email_error)
    assert error_for(html, "location-postal_code") == postal_error
    assert error_for(html, "details-problem") == (
        "Vælg en af mulighederne." if lang == "da" else "Choose one of the options."
    )
    assert error_for(html, "consent")
    assert error_for(html, "requester-name") == ""
    # The summary links to each field, in the page's order.
    links = re.findall(r'<a class="function-link" href="#([^"]+)">', html)
    assert links == [
        "location-postal_code",
        "details-problem-speeding",
        "requester-email",
        "consent",
    ]
    # What the citizen typed comes back, including checkboxes.
    assert 'value="Mette Hansen"' in html and 'value="ikke-en-adresse"' in html
    assert 'value="morning" class="form-checkbox" checked' in html
    assert 'value="751" selected' in html
    assert form["form_id"] in html
    assert await h.staged() == []


async def test_every_error_is_tied_to_its_input_for_screen_readers(intake) -> None:
    _, client = intake
    response = await client.post("/", data=traffic_form(**{"requester.name": ""}))
    assert 'aria-invalid="true" aria-describedby="requester-name-error"' in response.text
    assert response.text.count('class="form-group form-error"') == 1


async def test_valid_form_makes_an_order_and_redirects_to_its_receipt(intake) -> None:
    h, client = intake
    reference, token = receipt_of(await client.post("/", data=traffic_form()))
    [submitted] = await h.staged(events.OrderSubmitted)
    assert submitted.reference == reference
    assert submitted.channel.value == "web"
    assert submitted.details.time_of_day and [t.value for t in submitted.details.time_of_day] == [
        "morning",
        "evening",
    ]
    receipt = await client.get(f"/receipt/{reference}", params={"token": token})
    assert receipt.status_code == 200
    t = strings("da")
    assert reference in receipt.text
    assert t["receipt"]["decision_due"].format(date=format_date(submitted.decision_due, "da")) in (
        receipt.text
    )
    assert f"/status/{reference}?token={token}" in receipt.text
    assert "mette@example.dk" not in receipt.text  # a forwarded link shows no personal data


async def test_event_times_in_the_form_are_danish_time(intake) -> None:
    h, client = intake
    start = (
        (h.clock() + timedelta(days=20))
        .astimezone(COPENHAGEN)
        .replace(hour=17, minute=0, second=0, microsecond=0)
    )
    receipt_of(await client.post("/", data=event_form(start)))
    [submitted] = await h.staged(events.OrderSubmitted)
    assert submitted.details.event_start == start
    assert submitted.details.event_start.tzinfo is not None
    assert submitted.details.event_start.utcoffset() == timedelta(0)
    assert submitted.execution_due == start


async def test_event_within_48_hours_points_to_114(intake) -> None:
    h, client = intake
    response = await client.post("/", data=event_form(h.clock() + timedelta(hours=30)))
    assert response.status_code == 422
    assert "114" in error_for(response.text, "details-event_start")


async def test_preferred_dates_errors_point_at_the_date_that_is_wrong(intake) -> None:
    _, client = intake
    form: Form = {
        "category": "talk",
        "language": "en",
        "details.topic": "cyber_crime",
        "details.audience": "Parents",
        "details.expected_attendees": "many",
        "details.preferred_dates.0": "",
        "details.preferred_dates.1": "not-a-date",
        "location.postal_code": "5000",
        "location.municipality_code": "461",
        "description": "IT",
        "requester.name": "Jens",
        "requester.email": "jens@example.dk",
        "consent": "yes",
    }
    response = await client.post("/", data=form)
    assert response.status_code == 422
    assert error_for(response.text, "details-preferred_dates-1") == "Enter a valid date."
    assert error_for(response.text, "details-expected_attendees") == "Must be a whole number."


# --- abuse ------------------------------------------------------------------------------


async def test_a_filled_honeypot_makes_no_order(intake) -> None:
    h, client = intake
    response = await client.post("/", data=traffic_form(website="http://spam.example"))
    assert response.status_code == 422
    assert error_for(response.text, "website")
    assert await h.staged() == []


async def test_the_same_form_posted_twice_makes_one_order(intake) -> None:
    h, client = intake
    form = traffic_form()
    first = await client.post("/", data=form)
    again = await client.post("/", data=form)  # the back button, or a second click
    assert receipt_of(first) == receipt_of(again)
    assert "again=1" in again.headers["location"]
    assert len(await h.staged(events.OrderSubmitted)) == 1
    # Edited after going back, the same form still makes no second order.
    edited = await client.post("/", data={**form, "description": "Endnu værre nu."})
    assert receipt_of(edited) == receipt_of(first)
    assert len(await h.staged(events.OrderSubmitted)) == 1
    shown = await client.get(again.headers["location"])
    assert strings("da")["receipt"]["again"] in shown.text


async def test_a_double_click_at_the_same_moment_makes_one_order(intake) -> None:
    h, client = intake
    form = traffic_form()
    responses = await asyncio.gather(*(client.post("/", data=form) for _ in range(3)))
    assert len({receipt_of(r) for r in responses}) == 1
    assert len(await h.staged(events.OrderSubmitted)) == 1


async def test_two_different_forms_make_two_orders(intake) -> None:
    h, client = intake
    receipt_of(await client.post("/", data=traffic_form()))
    receipt_of(await client.post("/", data=traffic_form()))
    assert len(await h.staged(events.OrderSubmitted)) == 2


async def test_too_many_posts_get_a_friendly_429_page_that_keeps_the_input(
    harness, client_for
) -> None:
    h = await harness("intake", rate_limit_per_minute=1)
    client = client_for(h)
    receipt_of(await client.post("/", data=traffic_form()))
    limited = await client.post("/", data=traffic_form(**{"requester.name": "Jens Jensen"}))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "Vent lidt, før du sender igen" in limited.text
    assert 'value="Jens Jensen"' in limited.text
    assert len(await h.staged(events.OrderSubmitted)) == 1


async def test_a_form_over_64_kib_is_refused(intake) -> None:
    h, client = intake
    response = await client.post("/", data=traffic_form(description="x" * 70_000))
    assert response.status_code == 413
    assert "64 KiB" in response.text
    assert await h.staged() == []


# --- postal data ------------------------------------------------------------------------


async def test_without_postal_data_the_municipality_must_be_chosen(
    harness, client_for, monkeypatch, tmp_path
) -> None:
    # A configured directory replaces the shipped data: this one has no postal codes.
    monkeypatch.setenv("BESTIL_REFERENCE_DATA_DIR", str(tmp_path))
    client = client_for(await harness("intake", rate_limit_per_minute=1000))
    response = await client.post("/", data=traffic_form(**{"location.municipality_code": ""}))
    assert response.status_code == 422
    assert error_for(response.text, "location-municipality_code") == (
        "Vælg den kommune, stedet ligger i."
    )
    assert (await client.get("/api/v1/postal-codes/8000")).status_code == 404


async def test_with_postal_data_the_postal_code_fills_in_town_and_municipality(
    harness, client_for, monkeypatch
) -> None:
    directory = reference_data_dir()
    if directory is None or not (directory / "postal_codes.csv").is_file():
        pytest.skip("no postal-code reference data (../shared/data)")
    monkeypatch.setenv("BESTIL_REFERENCE_DATA_DIR", str(directory))
    h = await harness("intake", rate_limit_per_minute=1000)
    client = client_for(h)
    lookup = await client.get("/api/v1/postal-codes/8000")
    assert lookup.json() == {
        "postal_code": "8000",
        "name": "Aarhus C",
        "municipality_codes": ["751"],
    }
    form = traffic_form(**{"location.municipality_code": "", "location.city": ""})
    receipt_of(await client.post("/", data=form))
    [submitted] = await h.staged(events.OrderSubmitted)
    assert (submitted.location.municipality_code, submitted.location.city) == ("751", "Aarhus C")
    page = await client.get("/", params={"category": "traffic_control"})
    assert 'data-postal-lookup="/api/v1/postal-codes/"' in page.text


# --- the status page --------------------------------------------------------------------


async def _order(client: Any, language: str = "da") -> tuple[str, str, uuid.UUID]:
    body = (await client.post("/api/v1/orders", json=traffic_order(language=language))).json()
    return body["reference"], body["status_token"], uuid.UUID(body["order_id"])


def _routed(order_id: uuid.UUID, reference: str) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order_id,
        reference=reference,
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=datetime.now(UTC),
    )


async def test_status_page_with_a_wrong_token_is_a_404_that_reveals_nothing(intake) -> None:
    _, client = intake
    reference, _token, _ = await _order(client)
    wrong = await client.get(f"/status/{reference}", params={"token": "guess"})
    unknown = await client.get("/status/BEB-00000000", params={"token": "guess"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.text.replace(reference, "X") == unknown.text.replace("BEB-00000000", "X")
    assert (await client.get(f"/receipt/{reference}", params={"token": ""})).status_code == 404


async def test_status_page_shows_the_timeline_with_the_districts_message(intake) -> None:
    h, client = intake
    reference, token, order_id = await _order(client, "en")
    await h.deliver(_routed(order_id, reference))
    await h.deliver(
        events.OrderScreened(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            decision=Decision.DECLINED,
            reason_code=ReasonCode.ALREADY_PLANNED,
            message="We already check speeds on Skovvejen every week.",
            decided_at=h.clock(),
            decided_by="officer-9",
        )
    )
    page = await client.get(f"/status/{reference}", params={"token": token})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    t = strings("en")
    assert t["timeline"]["routed"].format(district="Østjyllands Politi") in page.text
    assert t["reasons"]["already_planned"] in page.text
    assert "We already check speeds on Skovvejen every week." in page.text
    assert t["statuses"]["declined"] in page.text
    assert "officer-9" not in page.text
    assert 'id="withdraw-button"' not in page.text  # a declined order cannot be withdrawn
    danish = await client.get(f"/status/{reference}", params={"token": token, "lang": "da"})
    assert '<html lang="da">' in danish.text and "Sendt til Østjyllands Politi" in danish.text


async def test_withdraw_via_the_form_stages_the_cancellation(intake) -> None:
    h, client = intake
    reference, token, _ = await _order(client)
    confirm = await client.get(f"/status/{reference}/withdraw", params={"token": token})
    assert confirm.status_code == 200 and "Ja, træk bestillingen tilbage" in confirm.text
    done = await client.post(
        f"/status/{reference}/withdraw",
        data={"token": token, "lang": "da", "reason": "Kommunen har sat bump op."},
    )
    assert done.status_code == 303 and "done=withdrawn" in done.headers["location"]
    [cancelled] = await h.staged(events.OrderCancelled)
    assert cancelled.reason == "Kommunen har sat bump op."
    page = await client.get(done.headers["location"])
    assert "Trukket tilbage" in page.text and "Bestillingen er trukket tilbage." in page.text
    again = await client.post(f"/status/{reference}/withdraw", data={"token": token})
    assert again.status_code == 409
    assert "kan ikke længere trækkes tilbage" in again.text
    assert len(await h.staged(events.OrderCancelled)) == 1


async def test_withdraw_with_a_wrong_token_changes_nothing(intake) -> None:
    h, client = intake
    reference, _token, _ = await _order(client)
    response = await client.post(f"/status/{reference}/withdraw", data={"token": "guess"})
    assert response.status_code == 404
    assert await h.staged(events.OrderCancelled) == []


async def test_the_answer_to_the_officers_question_is_staged_as_info_provided(intake) -> None:
    h, client = intake
    reference, token, order_id = await _order(client)
    await h.deliver(_routed(order_id, reference))
    await h.deliver(
        events.InfoRequested(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            question="Hvornår på morgenen er det værst?",
            asked_at=h.clock(),
            asked_by="officer-7",
        )
    )
    page = await client.get(f"/status/{reference}", params={"token": token})
    assert 'id="open-question">Hvornår på morgenen er det værst?<' in page.text
    empty = await client.post(
        f"/status/{reference}/answer", data={"token": token, "lang": "da", "answer": " "}
    )
    assert empty.status_code == 422
    assert error_for(empty.text, "answer") == "Feltet skal udfyldes."
    answered = await client.post(
        f"/status/{reference}/answer",
        data={"token": token, "lang": "da", "answer": "Mellem 7.30 og 8."},
    )
    assert answered.status_code == 303 and "done=answered" in answered.headers["location"]
    [provided] = await h.staged(events.InfoProvided)
    assert (provided.reference, provided.answer) == (reference, "Mellem 7.30 og 8.")
    status = (await client.get(f"/api/v1/orders/{reference}", params={"token": token})).json()
    assert status["status"] == "routed" and status["open_question"] is None
    twice = await client.post(
        f"/status/{reference}/answer", data={"token": token, "answer": "Igen"}
    )
    assert twice.status_code == 409
    assert len(await h.staged(events.InfoProvided)) == 1


async def test_feedback_after_completion_reaches_the_district_once(intake) -> None:
    h, client = intake
    reference, token, order_id = await _order(client)
    early = await client.post(
        f"/status/{reference}/feedback", data={"token": token, "carried_out_seen": "yes"}
    )
    assert early.status_code == 409
    await h.deliver(_routed(order_id, reference))
    await h.deliver(
        events.OrderCompleted(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            completed_at=h.clock(),
            summary="Vi målte 212 biler.",
            vehicles_checked=212,
            violations=9,
        )
    )
    page = await client.get(f"/status/{reference}", params={"token": token})
    assert 'id="feedback-form"' in page.text and "Kontrollerede køretøjer: 212" in page.text
    missing = await client.post(
        f"/status/{reference}/feedback", data={"token": token, "lang": "da", "rating": "4"}
    )
    assert missing.status_code == 422
    assert error_for(missing.text, "carried_out_seen") == "Vælg en af mulighederne."
    assert 'value="4" class="form-radio" checked' in missing.text
    sent = await client.post(
        f"/status/{reference}/feedback",
        data={
            "token": token,
            "lang": "da",
            "carried_out_seen": "no",
            "rating": "2",
            "comment": "Jeg så dem ikke.",
        },
    )
    assert sent.status_code == 303 and "done=feedback" in sent.headers["location"]
    [feedback] = await h.staged(events.FeedbackReceived)
    assert (feedback.carried_out_seen, feedback.rating, feedback.comment) == (
        False,
        2,
        "Jeg så dem ikke.",
    )
    after = await client.get(sent.headers["location"])
    assert 'id="feedback-form"' not in after.text
    again = await client.post(
        f"/status/{reference}/feedback", data={"token": token, "carried_out_seen": "yes"}
    )
    assert again.status_code == 409
    assert len(await h.staged(events.FeedbackReceived)) == 1


async def test_answer_and_feedback_are_in_the_json_api_too(intake) -> None:
    h, client = intake
    reference, token, order_id = await _order(client)
    url = f"/api/v1/orders/{reference}"
    assert (
        await client.post(f"{url}/answer", params={"token": token}, json={"answer": "Hej"})
    ).status_code == 409
    bad = await client.post(f"{url}/feedback", params={"token": token}, json={"rating": 9})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"carried_out_seen", "rating"}
    await h.deliver(
        events.OrderCompleted(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            completed_at=h.clock(),
            summary="Udført.",
        )
    )
    ok = await client.post(
        f"{url}/feedback", params={"token": token}, json={"carried_out_seen": True, "rating": 5}
    )
    assert ok.status_code == 200 and ok.json()["feedback_open"] is False
    assert len(await h.staged(events.FeedbackReceived)) == 1
    wrong = await client.post(
        f"{url}/feedback", params={"token": "x"}, json={"carried_out_seen": True}
    )
    assert wrong.status_code == 404


# --- pages in general -------------------------------------------------------------------


async def test_pages_keep_their_address_and_content_to_themselves(intake) -> None:
    _, client = intake
    response = await client.get("/")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    # An empty form may come back from the browser's history with its form_id; a page with
    # what a citizen typed may not be stored anywhere.
    empty = await client.get("/", params={"category": "talk"})
    assert empty.headers["cache-control"] == "private, no-cache"
    typed = await client.post("/", data=traffic_form(**{"requester.name": ""}))
    assert typed.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "https://tile.openstreetmap.org" in policy  # the configured map tiles


async def test_own_and_npm_assets_are_served_by_intake(intake) -> None:
    _, client = intake
    assert (await client.get("/static/intake.css")).status_code == 200
    assert (await client.get("/static/intake.js")).status_code == 200
    page = (await client.get("/")).text
    assert "/static/vendor/dkfds/css/dkfds.min.css" in page and "cdn" not in page.lower()
    dkfds = await client.get("/static/vendor/dkfds/css/dkfds.min.css")
    if dkfds.status_code == 404:
        pytest.skip("node_modules is missing (npm ci)")
    assert dkfds.status_code == 200
    assert (await client.get("/static/vendor/leaflet/leaflet.js")).status_code == 200


def test_both_languages_have_the_same_words() -> None:
    def keys(value: Any, prefix: str = "") -> set[str]:
        if isinstance(value, dict):
            return {k for key, v in value.items() for k in keys(v, f"{prefix}.{key}")}
        if isinstance(value, list):
            return {f"{prefix}[{len(value)}]"}
        return {prefix}

    assert keys(strings("da")) == keys(strings("en"))
    json.dumps(strings("da"))


@pytest.mark.parametrize(
    ("moment", "lang", "expected"),
    [
        (datetime(2026, 12, 9, 13, 0, tzinfo=UTC), "da", "9. december 2026 kl. 14.00"),
        (datetime(2026, 7, 9, 13, 0, tzinfo=UTC), "en", "9 July 2026 at 15:00"),
    ],
    ids=["danish-winter", "english-summer"],
)
def test_dates_are_shown_in_danish_time(moment, lang, expected) -> None:
    assert format_datetime(moment, lang) == expected


def test_a_period_on_one_day_names_the_day_once() -> None:
    start = datetime(2026, 12, 9, 6, 30, tzinfo=UTC)
    assert format_period(start, start + timedelta(hours=2), "da") == (
        "9. december 2026 kl. 07.30–09.30"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-12-20T17:00", "2026-12-20T16:00:00+00:00"),
        ("2026-07-01T17:00", "2026-07-01T15:00:00+00:00"),
        ("tomorrow", "tomorrow"),
    ],
    ids=["winter", "summer", "invalid-passed-on"],
)
def test_datetime_local_is_read_as_danish_time(given, expected) -> None:
    assert local_datetime(given) == expected
