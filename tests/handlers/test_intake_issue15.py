"""Intake's pages and API after issue 15: the start page's error, the shipped reference data
(postal codes checked, the map pin's municipality), the accessibility statement, the receipt."""

from __future__ import annotations

import re

import pytest

from services.intake.web.common import strings
from shared import events
from shared.reference_data import SHIPPED_DIR
from tests.handlers.test_intake_web import error_for, receipt_of, traffic_form
from tests.support import traffic_order

LANGUAGES = ["da", "en"]
UNKNOWN = {
    "da": "Postnummeret findes ikke i Danmark",
    "en": "There is no such postal code in Denmark",
}
ABROAD = {
    "da": "0960 er postnummeret for udlandet",
    "en": "0960 is the postal code for addresses abroad",
}


@pytest.fixture
async def intake(harness, client_for, monkeypatch):
    # The shipped copy, whatever BESTIL_REFERENCE_DATA_DIR the shell that runs the tests has.
    monkeypatch.delenv("BESTIL_REFERENCE_DATA_DIR", raising=False)
    h = await harness("intake", rate_limit_per_minute=1000)
    return h, client_for(h)


# --- 1. the start page: "Continue" without a choice ---------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_continue_without_a_choice_shows_the_error_summary_and_the_field_error(
    intake, lang
) -> None:
    _, client = intake
    # What the start page's form sends when no radio is checked: its hidden fields only.
    response = await client.get("/", params={"lang": lang, "choose": "1"})
    assert response.status_code == 422
    message = "Vælg en af mulighederne." if lang == "da" else "Choose one of the options."
    assert error_for(response.text, "category") == message
    assert 'class="alert alert-error error-summary"' in response.text
    assert 'href="#category-traffic_control"' in response.text
    assert response.text.count('aria-invalid="true"') == 3  # each radio of the group
    assert "<title>" + strings(lang)["common"]["title_error_prefix"] in response.text


async def test_a_first_visit_shows_no_error(intake) -> None:
    _, client = intake
    response = await client.get("/")
    assert response.status_code == 200
    assert "error-summary" not in response.text
    assert '<input type="hidden" name="choose" value="1">' in response.text


# --- 4. the accessibility statement ---------------------------------------------------------


async def test_was_redirects_to_the_configured_accessibility_statement(
    harness, client_for, monkeypatch
) -> None:
    statement = "https://www.was.digst.dk/example-politi-dk"
    monkeypatch.setenv("BESTIL_INTAKE_ACCESSIBILITY_STATEMENT_URL", statement)
    client = client_for(await harness("intake"))
    response = await client.get("/was")
    assert response.status_code in (302, 307)
    assert response.headers["location"] == statement
    page = await client.get("/", params={"lang": "en"})
    assert f'href="{statement}" id="accessibility-statement">Accessibility statement<' in page.text


@pytest.mark.parametrize(
    "path", ["/", "/?category=talk", "/receipt/BEB-00000000?token=x", "/status/BEB-0?token=x"]
)
async def test_every_page_links_the_accessibility_statement_in_its_footer(intake, path) -> None:
    _, client = intake
    response = await client.get(path)
    footer = response.text.split("<footer>", 1)[1]
    assert 'id="accessibility-statement"' in footer
    assert "Tilgængelighedserklæring" in footer
    assert "https://www.was.digst.dk/" in footer


# --- 2. postal codes checked against the shipped list -------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        pytest.param("9999", "unknown_postal_code", UNKNOWN, id="unknown"),
        pytest.param("0960", "postal_code_abroad", ABROAD, id="udland"),
    ],
)
async def test_the_api_refuses_a_postal_code_that_is_no_place_in_denmark(
    intake, lang, code, kind, words
) -> None:
    h, client = intake
    order = traffic_order(language=lang)
    order["location"]["postal_code"] = code
    response = await client.post("/api/v1/orders", json=order)
    assert response.status_code == 422
    [error] = [e for e in response.json()["detail"] if e["field"] == "location.postal_code"]
    assert error["type"] == kind
    assert error["msg"].startswith(words[lang])
    assert await h.staged(events.OrderSubmitted) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("code", "words"),
    [pytest.param("9999", UNKNOWN, id="unknown"), pytest.param("0960", ABROAD, id="udland")],
)
async def test_the_form_shows_a_postal_code_error_in_the_citizens_language(
    intake, lang, code, words
) -> None:
    h, client = intake
    form = traffic_form(**{"language": lang, "location.postal_code": code})
    response = await client.post(f"/?lang={lang}", data=form)
    assert response.status_code == 422
    assert error_for(response.text, "location-postal_code").startswith(words[lang])
    assert f'value="{code}"' in response.text
    assert await h.staged(events.OrderSubmitted) == []


@pytest.mark.parametrize("code", ["8000", "0800", "3700", "2100"])
async def test_known_postal_codes_are_accepted(intake, code) -> None:
    h, client = intake
    receipt_of(await client.post("/", data=traffic_form(**{"location.postal_code": code})))
    assert len(await h.staged(events.OrderSubmitted)) == 1


async def test_a_configured_directory_replaces_the_shipped_data(
    harness, client_for, monkeypatch, tmp_path
) -> None:
    (tmp_path / "postal_codes.csv").write_text(
        "postal_code,name,municipality_codes\n9999,Prøveby,751\n", encoding="utf-8"
    )
    monkeypatch.setenv("BESTIL_REFERENCE_DATA_DIR", str(tmp_path))
    client = client_for(await harness("intake", rate_limit_per_minute=1000))
    assert (await client.get("/api/v1/postal-codes/9999")).json()["name"] == "Prøveby"
    order = traffic_order()
    order["location"]["postal_code"] = "8000"  # not in this directory's table
    response = await client.post("/api/v1/orders", json=order)
    assert response.json()["detail"][0]["type"] == "unknown_postal_code"
    # No municipality boundaries there: no pin suggestion either.
    assert (
        await client.get("/api/v1/municipalities/at?lat=56.1567&lon=10.2108")
    ).status_code == 404


async def test_the_shipped_postal_codes_are_loaded_by_default(intake) -> None:
    h, client = intake
    assert h.app.state.pages.reference.reference_data_dir == SHIPPED_DIR
    assert (await client.get("/api/v1/postal-codes/8000")).json()["name"] == "Aarhus C"


# --- 2. the map pin's municipality ----------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "code", "name"),
    [
        pytest.param(56.1567, 10.2108, "751", "Aarhus", id="aarhus"),
        pytest.param(55.6761, 12.5683, "101", "København", id="koebenhavn"),
        pytest.param(55.6786, 12.5316, "147", "Frederiksberg", id="frederiksberg"),
        pytest.param(55.1009, 14.7066, "400", "Bornholm", id="roenne"),
    ],
)
async def test_a_point_gives_the_municipality_it_lies_in(intake, lat, lon, code, name) -> None:
    _, client = intake
    response = await client.get("/api/v1/municipalities/at", params={"lat": lat, "lon": lon})
    assert response.status_code == 200
    assert response.json() == {"municipality_code": code, "name": name}


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_point_at_sea_gives_no_municipality(intake, lang) -> None:
    _, client = intake
    response = await client.get(
        "/api/v1/municipalities/at", params={"lat": 56.5, "lon": 7.95, "lang": lang}
    )
    assert response.status_code == 404
    assert response.json()["message"].startswith("Stedet" if lang == "da" else "The place")


async def test_a_point_outside_denmark_or_not_a_number_is_a_422(intake) -> None:
    _, client = intake
    for params in ({"lat": 48.85, "lon": 2.35}, {"lat": "nord", "lon": 10}, {"lat": 56}):
        response = await client.get("/api/v1/municipalities/at", params=params)
        assert response.status_code == 422, params


async def test_the_traffic_form_offers_the_pins_municipality_lookup(intake) -> None:
    _, client = intake
    page = (await client.get("/", params={"category": "traffic_control"})).text
    assert 'data-municipality-lookup="/api/v1/municipalities/at"' in page
    assert 'id="municipality-filled" role="status"' in page
    talk = (await client.get("/", params={"category": "talk"})).text
    assert "data-municipality-lookup" not in talk


@pytest.mark.parametrize("category", ["traffic_control", "talk", "event_presence"])
async def test_address_and_contact_fields_say_what_they_are_for_autofill(intake, category) -> None:
    _, client = intake
    page = (await client.get("/", params={"category": category})).text
    expected = {
        "location-address": "address-line1",
        "location-postal_code": "postal-code",
        "location-city": "address-level2",
        "requester-name": "name",
        "requester-email": "email",
        "requester-phone": "tel",
        "requester-organisation": "organization",
    }
    for field, token in expected.items():
        tag = re.search(rf'<input [^>]*id="{field}"[^>]*>', page)
        assert tag and f'autocomplete="{token}"' in tag.group(0), field


# --- 5. the receipt -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_receipt_follows_the_receipt_pattern_and_can_be_printed(intake, lang) -> None:
    _, client = intake
    reference, token = receipt_of(
        await client.post(f"/?lang={lang}", data=traffic_form(language=lang))
    )
    page = (await client.get(f"/receipt/{reference}", params={"token": token, "lang": lang})).text
    t = strings(lang)["receipt"]
    assert f'<p class="reference-number" id="reference">{reference}</p>' in page
    assert f'<h2 id="what-next">{t["deadlines_heading"]}</h2>' in page
    assert t["deadlines_heading"] == ("Hvad sker der nu?" if lang == "da" else "What happens next")
    assert t["ordered_heading"] in page and "Skovvejen mellem nr. 2 og 40" in page
    # The button needs script (intake.js shows it); without script the hint says how.
    assert re.search(r'<button type="button"[^>]*id="print-receipt" hidden>', page)
    assert t["print_button"] == ("Print kvittering" if lang == "da" else "Print receipt")
    assert f'<p class="form-hint" id="print-hint">{t["print_hint"]}</p>' in page


async def test_the_stylesheet_prints_the_content_without_header_footer_or_buttons(intake) -> None:
    _, client = intake
    css = (await client.get("/static/intake.css")).text
    printing = css.split("@media print", 1)[1]
    for hidden in ("header.header", "footer", "nav", ".button", ".print-actions"):
        assert hidden in printing.split("display: none")[0]
