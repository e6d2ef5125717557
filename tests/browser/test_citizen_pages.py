"""A citizen in a real browser: orders each category, fixes errors, follows and withdraws an order.

Every page is checked with axe-core for WCAG 2.1 A/AA and photographed at phone and desktop
width (test-artifacts/screenshots/).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from services.intake.web.common import strings
from shared import events
from shared.danish_time import format_date, format_datetime
from shared.deadlines import COPENHAGEN
from shared.vocabulary import Decision, ReasonCode, RoutingMethod
from tests.browser.conftest import ARTIFACTS, AXE, VIEWPORTS, check_accessibility, screenshots
from tests.support import traffic_order

pytestmark = pytest.mark.asyncio(loop_scope="session")

LANGUAGES = ["da", "en"]
REFERENCE = re.compile(r"BEB-[0-9A-HJKMNP-TV-Z]{8}")


def words(lang: str) -> dict:
    return strings(lang)


def label(lang: str, field: str, category: str | None = None) -> str:
    texts = words(lang)["fields"][field]
    by_category = words(lang)["fields_by_category"].get(category or "", {})
    return by_category.get(field, texts)["label"]


async def fill_place(page, lang: str, category: str, postal: str, city: str, code: str) -> None:
    await page.get_by_label(label(lang, "location.postal_code"), exact=True).fill(postal)
    await page.get_by_label(re.compile("^" + label(lang, "location.city"))).fill(city)
    await page.get_by_label(label(lang, "location.municipality_code"), exact=True).select_option(
        code
    )


async def fill_requester(page, lang: str, name: str, email: str) -> None:
    await page.get_by_label(label(lang, "requester.name"), exact=True).fill(name)
    await page.get_by_label(label(lang, "requester.email"), exact=True).fill(email)
    await page.get_by_label(label(lang, "consent")).check()


async def choose_category(page, lang: str, category: str) -> None:
    await page.goto(f"/?lang={lang}")
    await page.get_by_label(words(lang)["categories"][category]["name"], exact=True).check()
    await page.get_by_role("button", name=words(lang)["start"]["continue"]).click()
    await page.wait_for_url(re.compile(f"category={category}"))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("category", ["traffic_control", "talk", "event_presence"])
async def test_each_category_can_be_ordered_through_the_form_and_shows_a_receipt(
    page, intake_server, lang, category
) -> None:
    t = words(lang)
    await page.goto(f"/?lang={lang}")
    assert await page.get_attribute("html", "lang") == lang
    await check_accessibility(page, f"the start page ({lang})")
    if category == "traffic_control":
        await screenshots(page, f"{lang}-1-start")

    await choose_category(page, lang, category)
    assert await page.locator("h1").inner_text() == t["categories"][category]["form_title"]
    await check_accessibility(page, f"the {category} form ({lang})")
    await screenshots(page, f"{lang}-2-form-{category}")

    start = (datetime.now(UTC) + timedelta(days=20)).astimezone(COPENHAGEN)
    start = start.replace(hour=17, minute=0, second=0, microsecond=0)
    if category == "traffic_control":
        await page.get_by_label(label(lang, "details.road"), exact=True).fill(
            "Skovvejen mellem nr. 2 og 40"
        )
        # The map: its tiles cannot load here, which the page says, and a pin still works.
        await page.locator("#map-failed").wait_for(state="visible")
        await page.get_by_role("button", name=t["form"]["map_centre"]).click()
        assert await page.locator("#location-lat").input_value() != ""
        await page.locator(".leaflet-marker-icon").wait_for()
        await page.locator("#map-group").screenshot(
            path=str(ARTIFACTS / f"{lang}-2-form-traffic_control-map-pin.png")
        )
        await fill_place(page, lang, category, "8000", "Aarhus C", "751")
        await page.get_by_label(t["options"]["problem"]["speeding"]).check()
        await page.get_by_label(t["options"]["time_of_day"]["morning"]).check()
        await page.get_by_label(re.compile("^" + label(lang, "details.speed_limit_kmh"))).fill("40")
        await page.get_by_label(label(lang, "description", category), exact=True).fill(
            "Bilerne kører alt for stærkt forbi skolen om morgenen."
        )
    elif category == "talk":
        await page.get_by_label(t["options"]["topic"]["burglary_prevention"]).check()
        await page.get_by_label(label(lang, "details.audience"), exact=True).fill(
            "Medlemmer af grundejerforeningen"
        )
        await page.get_by_label(
            label(lang, "details.expected_attendees", category), exact=True
        ).fill("45")
        await page.locator("#details-preferred_dates-0").fill(start.date().isoformat())
        await page.get_by_label(label(lang, "description", category), exact=True).fill(
            "Vi vil gerne høre om indbrudsforebyggelse."
        )
        await fill_place(page, lang, category, "5000", "Odense C", "461")
    else:
        await page.get_by_label(label(lang, "details.event_name"), exact=True).fill("Rønne Byfest")
        await page.get_by_label(label(lang, "details.event_start"), exact=True).fill(
            start.strftime("%Y-%m-%dT%H:%M")
        )
        await page.get_by_label(label(lang, "details.event_end"), exact=True).fill(
            (start + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
        )
        await page.get_by_label(
            label(lang, "details.expected_attendees", category), exact=True
        ).fill("3000")
        await page.get_by_label(label(lang, "description", category), exact=True).fill(
            "Byfest med musik på torvet."
        )
        await page.get_by_label(label(lang, "details.venue"), exact=True).fill("Store Torv")
        await fill_place(page, lang, category, "3700", "Rønne", "400")
    await fill_requester(page, lang, "Mette Hansen", "mette@example.dk")
    await page.get_by_role("button", name=t["form"]["submit"]).click()

    await page.wait_for_url(re.compile("/receipt/"))
    heading = await page.locator("h1").inner_text()
    assert heading == t["receipt"]["heading"]
    reference = await page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    body = await page.locator("main").inner_text()
    [submitted] = await intake_server.staged(events.OrderSubmitted)
    assert submitted.reference == reference and submitted.language.value == lang
    assert format_date(submitted.decision_due, lang) in body
    if category == "event_presence":
        # datetime-local is Danish time: 17:00 in Copenhagen, whatever the offset that day.
        assert submitted.details.event_start == start
        assert submitted.details.event_start.utcoffset() == timedelta(0)  # UTC on the wire
        assert (
            t["receipt"]["execution_due_event"].format(datetime=format_datetime(start, lang))
            in body
        )
        assert ("kl. 17.00" if lang == "da" else "at 17:00") in format_datetime(start, lang)
    else:
        assert format_date(submitted.execution_due, lang) in body
    if category == "traffic_control":
        assert submitted.location.lat is not None and submitted.location.lon is not None
    status_link = await page.locator("#status-link").get_attribute("href")
    assert status_link == intake_server.url + intake_server.status_path(reference)
    await check_accessibility(page, f"the receipt ({lang})")
    await screenshots(page, f"{lang}-4-receipt-{category}")
    assert page.js_errors == []


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_invalid_form_shows_the_errors_next_to_the_fields_and_keeps_the_input(
    page, intake_server, lang
) -> None:
    t = words(lang)
    await choose_category(page, lang, "talk")
    await page.get_by_label(label(lang, "requester.name"), exact=True).fill("Mette Hansen")
    await page.get_by_label(label(lang, "requester.email"), exact=True).fill("ikke-en-adresse")
    await page.get_by_label(label(lang, "location.postal_code"), exact=True).fill("80")
    await page.get_by_label(label(lang, "details.audience"), exact=True).fill("Forældre")
    await page.get_by_role("button", name=t["form"]["submit"]).click()

    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert (await page.title()).startswith(t["common"]["title_error_prefix"])
    expected = {
        "requester-email": "Skriv en gyldig e-mailadresse"
        if lang == "da"
        else "Enter a valid email address",
        "location-postal_code": "Postnummeret skal være 4 cifre"
        if lang == "da"
        else "The postal code must be 4 digits",
        "requester-name": None,
        "details-topic": "Vælg en af mulighederne" if lang == "da" else "Choose one of the options",
        "consent": "samtykke" if lang == "da" else "consent",
    }
    for field, message in expected.items():
        error = page.locator(f"#{field}-error")
        if message is None:
            assert await error.count() == 0
        else:
            assert message in await error.inner_text()
    # What the citizen typed is still there, and nothing was stored.
    assert await page.locator("#requester-name").input_value() == "Mette Hansen"
    assert await page.locator("#requester-email").input_value() == "ikke-en-adresse"
    assert await page.locator("#details-audience").input_value() == "Forældre"
    assert await page.locator("#requester-email").get_attribute("aria-invalid") == "true"
    assert await intake_server.staged(events.OrderSubmitted) == []
    # The summary links to the fields.
    await summary.get_by_role("link", name=re.compile(label(lang, "requester.email"))).click()
    assert await page.evaluate("document.activeElement.id") == "requester-email"
    await check_accessibility(page, f"the form with errors ({lang})")
    await screenshots(page, f"{lang}-3-form-errors")

    # Corrected, the same page is sent and becomes an order.
    await page.get_by_label(t["options"]["topic"]["cyber_crime"]).check()
    await page.locator("#requester-email").fill("mette@example.dk")
    await page.locator("#details-expected_attendees").fill("30")
    await page.locator("#description").fill("Om svindel på nettet.")
    await fill_place(page, lang, "talk", "8000", "Aarhus C", "751")
    await page.get_by_label(label(lang, "consent")).check()
    await page.get_by_role("button", name=t["form"]["submit"]).click()
    await page.wait_for_url(re.compile("/receipt/"))
    assert len(await intake_server.staged(events.OrderSubmitted)) == 1


@pytest.mark.parametrize("tile_url", ["served"], indirect=True)
async def test_the_map_shows_the_configured_tiles_and_takes_a_pin(page, intake_server) -> None:
    t = words("en")
    await page.goto("/?category=traffic_control&lang=en")
    await page.locator(".leaflet-tile-loaded").first.wait_for()
    await page.locator("#map").click(position={"x": 200, "y": 120})
    assert await page.locator("#location-lat").input_value() != ""
    assert await page.locator("#map-failed").is_hidden()
    assert await page.locator("#map-status").inner_text() == t["form"]["map_placed"]
    await page.get_by_role("button", name=t["form"]["map_clear"]).click()
    assert await page.locator("#location-lat").input_value() == ""
    await page.get_by_role("button", name=t["form"]["map_centre"]).click()
    await page.locator("#map-group").screenshot(path=str(ARTIFACTS / "en-2-form-map-tiles.png"))
    await check_accessibility(page, "the traffic form with its map")
    assert page.js_errors == []


async def test_back_button_and_sending_again_make_no_second_order(page, intake_server) -> None:
    t = words("da")
    await choose_category(page, "da", "traffic_control")
    await page.get_by_label(label("da", "details.road"), exact=True).fill("Skovvejen")
    await fill_place(page, "da", "traffic_control", "8000", "Aarhus C", "751")
    await page.get_by_label(t["options"]["problem"]["speeding"]).check()
    await page.get_by_label(label("da", "description", "traffic_control"), exact=True).fill(
        "For hurtigt."
    )
    await fill_requester(page, "da", "Mette Hansen", "mette@example.dk")
    await page.get_by_role("button", name=t["form"]["submit"]).click()
    await page.wait_for_url(re.compile("/receipt/"))
    reference = await page.locator("#reference").inner_text()

    await page.go_back()
    await page.wait_for_url(re.compile("category=traffic_control"))
    await page.get_by_role("button", name=t["form"]["submit"]).click()
    await page.wait_for_url(re.compile("/receipt/"))
    assert await page.locator("#reference").inner_text() == reference
    assert t["receipt"]["again"] in await page.locator("main").inner_text()
    assert len(await intake_server.staged(events.OrderSubmitted)) == 1


def _order_via_api(server, lang: str) -> dict:
    order = traffic_order(language=lang)
    response = httpx.post(f"{server.url}/api/v1/orders", json=order, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def _routed(order: dict) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=uuid.UUID(order["order_id"]),
        reference=order["reference"],
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=datetime.now(UTC),
    )


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_status_page_shows_the_timeline_and_the_order_can_be_withdrawn(
    page, intake_server, lang
) -> None:
    t = words(lang)
    order = _order_via_api(intake_server, lang)
    order_id, reference = uuid.UUID(order["order_id"]), order["reference"]
    now = datetime.now(UTC)
    planned = (now + timedelta(days=5)).astimezone(COPENHAGEN).replace(hour=7, minute=30)
    await intake_server.apply(
        _routed(order),
        events.OrderScreened(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            decision=Decision.ACCEPTED,
            reason_code=ReasonCode.ACCEPTED,
            message="Vi holder fartkontrol om morgenen i næste uge.",
            decided_at=now,
            decided_by="officer-7",
        ),
        events.OrderScheduled(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            planned_start=planned,
            planned_end=planned + timedelta(hours=2),
            note="Kontrollen holdes ved skolen.",
        ),
    )
    await page.goto(intake_server.status_path(reference))
    assert await page.get_attribute("html", "lang") == lang
    assert await page.locator("#order-status").inner_text() == t["statuses"]["scheduled"]
    timeline = await page.locator(".timeline").inner_text()
    assert t["timeline"]["routed"].format(district="Østjyllands Politi") in timeline
    assert t["timeline"]["accepted"] in timeline
    assert "Vi holder fartkontrol om morgenen i næste uge." in timeline
    assert ("kl. 07.30–09.30" if lang == "da" else "07:30–09:30") in timeline
    assert "officer-7" not in await page.content()
    await check_accessibility(page, f"the status page ({lang})")
    await screenshots(page, f"{lang}-5-status-scheduled")

    await page.get_by_role("link", name=t["status"]["withdraw_button"]).click()
    await page.wait_for_url(re.compile("/withdraw"))
    await check_accessibility(page, f"the withdrawal page ({lang})")
    await screenshots(page, f"{lang}-6-withdraw")
    await page.get_by_label(re.compile("^" + re.escape(label(lang, "reason")))).fill(
        "Kommunen har sat bump op."
    )
    await page.get_by_role("button", name=t["withdraw"]["confirm"]).click()
    await page.wait_for_url(re.compile("done=withdrawn"))
    assert await page.locator("#order-status").inner_text() == t["statuses"]["cancelled"]
    assert t["status"]["done_withdrawn"] in await page.locator("main").inner_text()
    assert await page.get_by_role("link", name=t["status"]["withdraw_button"]).count() == 0
    [cancelled] = await intake_server.staged(events.OrderCancelled)
    assert cancelled.reason == "Kommunen har sat bump op."
    await check_accessibility(page, f"the withdrawn status page ({lang})")
    await screenshots(page, f"{lang}-7-status-withdrawn")

    response = await page.goto(f"/status/{reference}?token=wrong&lang={lang}")
    assert response.status == 404
    assert await page.locator("h1").inner_text() == t["errors"]["not_found_title"]
    await check_accessibility(page, f"the not-found page ({lang})")
    await screenshots(page, f"{lang}-10-not-found")


async def test_citizen_answers_the_officers_question_and_gives_feedback_after_the_work(
    page, intake_server
) -> None:
    t = words("da")
    order = _order_via_api(intake_server, "da")
    order_id, reference = uuid.UUID(order["order_id"]), order["reference"]
    now = datetime.now(UTC)
    await intake_server.apply(
        _routed(order),
        events.InfoRequested(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            question="Hvilket tidspunkt på morgenen er værst?",
            asked_at=now,
            asked_by="officer-7",
        ),
    )
    await page.goto(intake_server.status_path(reference))
    assert (
        "Hvilket tidspunkt på morgenen er værst?"
        in await page.locator("#open-question").inner_text()
    )
    await check_accessibility(page, "the status page with a question")
    await screenshots(page, "da-8-status-question")
    await page.get_by_label(re.compile("^" + label("da", "answer"))).fill("Mellem 7.30 og 8.")
    await page.get_by_role("button", name=t["question"]["send"]).click()
    await page.wait_for_url(re.compile("done=answered"))
    assert await page.locator("#open-question").count() == 0
    [provided] = await intake_server.staged(events.InfoProvided)
    assert provided.answer == "Mellem 7.30 og 8."

    await intake_server.apply(
        events.OrderCompleted(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            completed_at=now,
            summary="Vi målte hastigheden på 212 biler.",
            vehicles_checked=212,
            violations=9,
        )
    )
    await page.goto(intake_server.status_path(reference))
    assert await page.locator("#order-status").inner_text() == t["statuses"]["completed"]
    await check_accessibility(page, "the status page asking for feedback")
    await screenshots(page, "da-9-status-feedback")
    form = page.locator("#feedback-form")
    await form.get_by_label(t["options"]["yes"], exact=True).check()
    await form.get_by_label(t["options"]["rating"]["4"], exact=True).check()
    await form.get_by_label(re.compile("^" + label("da", "comment"))).fill("Det hjalp.")
    await page.get_by_role("button", name=t["feedback"]["send"]).click()
    await page.wait_for_url(re.compile("done=feedback"))
    assert await page.locator("#feedback-form").count() == 0
    [feedback] = await intake_server.staged(events.FeedbackReceived)
    assert (feedback.carried_out_seen, feedback.rating, feedback.comment) == (
        True,
        4,
        "Det hjalp.",
    )


async def test_the_form_works_without_javascript(browser, intake_server) -> None:
    t = words("da")
    context = await browser.new_context(base_url=intake_server.url, java_script_enabled=False)
    page = await context.new_page()
    try:
        await choose_category(page, "da", "traffic_control")
        assert await page.locator("#map-group").is_hidden()
        await page.get_by_label(label("da", "details.road"), exact=True).fill("Skovvejen")
        await fill_place(page, "da", "traffic_control", "8000", "Aarhus C", "751")
        await page.get_by_label(t["options"]["problem"]["mopeds"]).check()
        await page.get_by_label(label("da", "description", "traffic_control"), exact=True).fill(
            "Knallerter om aftenen."
        )
        await fill_requester(page, "da", "Mette Hansen", "mette@example.dk")
        await page.get_by_role("button", name=t["form"]["submit"]).click()
        await page.wait_for_url(re.compile("/receipt/"))
        assert REFERENCE.fullmatch(await page.locator("#reference").inner_text())
    finally:
        await context.close()


# --- issue 15: the start page's error, the pin's municipality, the footer, the receipt ----

SHOTS = Path("/tmp/shots")
VIBORG_FROM_CENTRE = {"x": -50, "y": -38}  # pixels from the map's centre at its first zoom


def _shot(name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(SHOTS / name)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
async def test_continue_without_a_choice_shows_the_error_summary_and_the_field_error(
    browser, intake_server, lang, script
) -> None:
    t = words(lang)
    context = await browser.new_context(
        base_url=intake_server.url, viewport=VIEWPORTS["desktop"], java_script_enabled=script
    )
    await context.add_init_script(path=str(AXE))
    page = await context.new_page()
    try:
        await page.goto(f"/?lang={lang}")
        await page.get_by_role("button", name=t["start"]["continue"]).click()
        summary = page.locator(".error-summary")
        await summary.wait_for()
        assert (await page.title()).startswith(t["common"]["title_error_prefix"])
        message = "Vælg en af mulighederne." if lang == "da" else "Choose one of the options."
        assert message in await page.locator("#category-error").inner_text()
        assert message in await summary.inner_text()
        if script:
            # DKFDS moves the focus to the summary, so a screen reader reads it out first.
            assert await page.evaluate("document.activeElement.classList.contains('error-summary')")
            await page.screenshot(path=_shot(f"{lang}-start-error.png"), full_page=True)
        await summary.get_by_role("link").click()
        assert await page.evaluate("document.activeElement.id") == "category-traffic_control"
        await page.get_by_label(t["categories"]["talk"]["name"], exact=True).check()
        await page.get_by_role("button", name=t["start"]["continue"]).click()
        await page.wait_for_url(re.compile("category=talk"))
        await page.go_back()
        if script:
            await check_accessibility(page, f"the start page with its error ({lang})")
    finally:
        await context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("tile_url", ["served"], indirect=True)
@pytest.mark.parametrize("reference_data", ["shipped"], indirect=True)
async def test_the_map_pin_suggests_the_municipality_it_falls_in(page, intake_server, lang) -> None:
    t = words(lang)
    await page.goto(f"/?category=traffic_control&lang={lang}")
    await page.locator(".leaflet-tile-loaded").first.wait_for()
    box = await page.locator("#map").bounding_box()
    viborg = (
        box["x"] + box["width"] / 2 + VIBORG_FROM_CENTRE["x"],
        box["y"] + box["height"] / 2 + VIBORG_FROM_CENTRE["y"],
    )
    await page.mouse.click(*viborg)
    municipality = page.locator("#location-municipality_code")
    note = page.locator("#municipality-filled")
    suggested = t["form"]["map_municipality_suggested"].format(name="Viborg")
    await expect(note).to_have_text(suggested)
    assert await municipality.input_value() == "791"
    attribution = await page.locator(".leaflet-control-attribution").inner_text()
    assert "Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur, DAGI" in attribution
    await check_accessibility(page, f"the traffic form with the pin's suggestion ({lang})")
    top = await page.locator("#section-place").bounding_box()
    bottom = await note.bounding_box()
    await page.screenshot(
        path=_shot(f"{lang}-form-pin-suggestion.png"),
        full_page=True,
        clip={
            "x": 0,
            "y": top["y"] - 16,
            "width": VIEWPORTS["desktop"]["width"],
            "height": bottom["y"] + bottom["height"] - top["y"] + 32,
        },
    )

    # The citizen's own choice stays: the pin only points out that it differs.
    await municipality.select_option("751")
    await page.mouse.click(*viborg)
    differs = t["form"]["map_municipality_suggestion"].format(name="Viborg")
    await expect(note).to_have_text(differs)
    assert await municipality.input_value() == "751"
    assert await note.get_attribute("role") == "status"
    assert page.js_errors == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("reference_data", ["shipped"], indirect=True)
async def test_an_unknown_or_foreign_postal_code_gets_a_field_error(
    page, intake_server, lang
) -> None:
    t = words(lang)
    await choose_category(page, lang, "talk")
    await page.get_by_label(label(lang, "location.postal_code"), exact=True).fill("0960")
    await page.get_by_role("button", name=t["form"]["submit"]).click()
    await page.locator(".error-summary").wait_for()
    error = await page.locator("#location-postal_code-error").inner_text()
    assert ("0960 er postnummeret for udlandet" if lang == "da" else "0960 is the postal code") in (
        error
    )
    await page.locator("#location-postal_code").fill("9999")
    await page.get_by_role("button", name=t["form"]["submit"]).click()
    await page.locator("#location-postal_code-error").wait_for()
    error = await page.locator("#location-postal_code-error").inner_text()
    assert ("Postnummeret findes ikke" if lang == "da" else "There is no such postal code") in (
        error
    )
    await check_accessibility(page, f"the form with a postal-code error ({lang})")
    assert await intake_server.staged(events.OrderSubmitted) == []


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_footer_links_the_accessibility_statement(page, intake_server, lang) -> None:
    t = words(lang)
    await page.goto(f"/?lang={lang}")
    link = page.locator("footer").get_by_role("link", name=t["common"]["accessibility_statement"])
    assert (
        await link.get_attribute("href") == "https://www.was.digst.dk/bestil-en-betjent-politi-dk"
    )
    async with httpx.AsyncClient(base_url=intake_server.url, timeout=10) as client:
        response = await client.get("/was")
    assert response.status_code == 302
    assert response.headers["location"] == await link.get_attribute("href")


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_receipt_can_be_printed_with_and_without_javascript(
    page, browser, intake_server, lang
) -> None:
    t = words(lang)
    order = _order_via_api(intake_server, lang)
    reference = order["reference"]
    receipt = f"/receipt/{reference}?token={order['status_token']}&lang={lang}"
    await page.goto(receipt)
    button = page.get_by_role("button", name=t["receipt"]["print_button"])
    assert await button.is_visible()
    assert await page.locator("#print-hint").is_hidden()
    assert await page.locator("#what-next").inner_text() == t["receipt"]["deadlines_heading"]
    await check_accessibility(page, f"the receipt with its print button ({lang})")
    await page.screenshot(path=_shot(f"{lang}-receipt-screen.png"), full_page=True)
    # A stand-in for the print dialog, which would block a headless browser.
    await page.evaluate(
        "() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }"
    )
    await button.click()
    assert await page.evaluate("window.printed") == 1

    await page.emulate_media(media="print")
    for hidden in ("header.header", "footer", "#print-receipt", ".skipnav"):
        assert await page.locator(hidden).first.is_hidden(), hidden
    assert await page.locator("#reference").inner_text() == reference
    assert await page.locator(".order-summary").is_visible()
    await page.screenshot(path=_shot(f"{lang}-receipt-print.png"), full_page=True)
    await page.emulate_media(media="screen")

    context = await browser.new_context(base_url=intake_server.url, java_script_enabled=False)
    bare = await context.new_page()
    try:
        await bare.goto(receipt)
        assert await bare.locator("#print-receipt").is_hidden()
        assert await bare.locator("#print-hint").inner_text() == t["receipt"]["print_hint"]
    finally:
        await context.close()
