"""Open311 GeoReport v2 on intake: every route, in JSON and XML, its errors, filters and what
it never shows (the citizen's name, email, phone, address and own words)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest

from shared import events
from shared.clock import utcnow
from shared.public_ids import public_id
from shared.vocabulary import Decision, ReasonCode

KEY = "open311-test-key-0123456789abcdefghijklmnop"

#: What a partner's app sends for a citizen: every value below is personal or the citizen's own.
PERSONAL = {
    "first_name": "Mette",
    "last_name": "Kildegaard-Testesen",
    "email": "mette.kildegaard@example.dk",
    "phone": "+45 20 30 40 51",
    "description": "Bilerne drøner forbi Kildegaards hæk hver morgen",
    "address_string": "Skovvejen 12, 8000 Aarhus C",
}


def traffic_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "api_key": KEY,
        "service_code": "traffic_control",
        "lat": "56.15674",
        "long": "10.21076",
        **PERSONAL,
        "attribute[road]": "Skovvejen mellem nr. 2 og 40",
        "attribute[problem]": "speeding",
        "attribute[speed_limit_kmh]": "40",
        "attribute[time_of_day][]": ["morning", "evening"],
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
async def open311(harness, client_for):
    h = await harness("intake", rate_limit_per_minute=1000, open311_api_keys=KEY)
    return h, client_for(h)


async def _post(client, fmt: str = "json", **overrides: Any):
    return await client.post(f"/open311/v2/requests.{fmt}", data=traffic_form(**overrides))


def _xml(response) -> ElementTree.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def _errors(response) -> list[str]:
    """The descriptions of a JSON error answer, checked to be the spec's shape."""
    body = response.json()
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} for e in body)
    assert all(e["code"] == response.status_code for e in body)
    return [e["description"] for e in body]


# --- services ------------------------------------------------------------------------


async def test_services_are_the_three_categories_in_json_and_xml(open311) -> None:
    _, client = open311
    response = await client.get("/open311/v2/services.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    services = response.json()
    assert [s["service_code"] for s in services] == ["traffic_control", "talk", "event_presence"]
    assert services[0]["service_name"] == "Færdselskontrol"
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    english = (await client.get("/open311/v2/services.json?lang=en")).json()
    assert english[2]["service_name"] == "Police presence at an event"
    root = _xml(await client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.iter("service")] == [
        s["service_code"] for s in services
    ]
    assert root.find("service/metadata").text == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_service_definition_lists_the_categorys_attributes(open311, fmt) -> None:
    _, client = open311
    response = await client.get(f"/open311/v2/services/traffic_control.{fmt}?lang=en")
    assert response.status_code == 200
    if fmt == "json":
        body = response.json()
        assert body["service_code"] == "traffic_control"
        codes = {a["code"]: a for a in body["attributes"]}
        assert codes["problem"]["datatype"] == "singlevaluelist"
        assert {v["key"] for v in codes["problem"]["values"]} == {
            "speeding",
            "mopeds",
            "heavy_vehicles",
            "other",
        }
        assert codes["time_of_day"]["datatype"] == "multivaluelist"
        assert (
            codes["road"]["required"] is True and codes["road"]["description"] == "Road or stretch"
        )
        assert [a["order"] for a in body["attributes"]] == list(range(1, len(codes) + 1))
    else:
        root = _xml(response)
        assert root.tag == "service_definition"
        problem = next(a for a in root.iter("attribute") if a.findtext("code") == "problem")
        assert next(v.findtext("key") for v in problem.iter("value")) == "speeding"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_service_is_404_in_the_specs_error_format(open311, fmt) -> None:
    _, client = open311
    response = await client.get(f"/open311/v2/services/potholes.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert _errors(response) == ["service_code findes ikke."]
    else:
        root = _xml(response)
        assert root.tag == "errors" and root.findtext("error/code") == "404"


async def test_an_unknown_format_is_404(open311) -> None:
    _, client = open311
    response = await client.get("/open311/v2/services.csv")
    assert response.status_code == 404 and _xml(response).tag == "errors"


# --- POST requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", [None, "", "wrong-key-0123456789abcdefghijklmnopqrstuv"], ids=["none", "empty", "wrong"]
)
async def test_a_missing_or_wrong_api_key_is_403_and_creates_nothing(open311, key) -> None:
    h, client = open311
    response = await _post(client, api_key=key)
    assert response.status_code == 403
    assert "api_key" in _errors(response)[0]
    xml = await _post(client, "xml", api_key=key)
    assert xml.status_code == 403 and _xml(xml).findtext("error/code") == "403"
    assert await h.staged() == []


async def test_a_request_becomes_an_api_order_under_its_public_id(open311) -> None:
    h, client = open311
    response = await _post(client)
    assert response.status_code == 200, response.text
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    [staged] = await h.staged(events.OrderSubmitted)
    assert created["service_request_id"] == str(public_id(staged.order_id))
    assert staged.reference not in response.text
    assert staged.channel.value == "api"
    assert staged.requester.name == "Mette Kildegaard-Testesen"
    assert staged.requester.email == PERSONAL["email"]
    assert staged.location.postal_code == "8000"  # from the address string
    assert staged.location.municipality_code == "751"  # the point lies in Aarhus
    assert staged.details.model_dump()["time_of_day"] == ["morning", "evening"]
    assert staged.description == PERSONAL["description"]


async def test_the_key_may_come_in_the_query_string(open311) -> None:
    _, client = open311
    form = traffic_form(api_key=None)
    response = await client.post(f"/open311/v2/requests.xml?api_key={KEY}", data=form)
    assert response.status_code == 200
    root = _xml(response)
    assert root.tag == "service_requests"
    assert uuid.UUID(root.findtext("request/service_request_id") or "")


@pytest.mark.parametrize(
    ("overrides", "parameter"),
    [
        ({"attribute[problem]": "potholes"}, "attribute[problem]"),
        ({"attribute[WHISPAWN]": "123456"}, "attribute[WHISPAWN]"),
        ({"attribute[road]": None}, "attribute[road]"),
        ({"attribute[speed_limit_kmh]": "fast"}, "attribute[speed_limit_kmh]"),
        ({"email": "not-an-address"}, "email"),
        ({"first_name": None, "last_name": None}, "first_name/last_name"),
        ({"address_string": "Skovvejen 12"}, "attribute[postal_code]"),
        ({"attribute[postal_code]": "9999"}, "attribute[postal_code]"),
        ({"description": None}, "description"),
    ],
    ids=[
        "value-not-in-list",
        "unknown-attribute",
        "required-attribute",
        "not-a-number",
        "email",
        "name",
        "no-postal-code",
        "unknown-postal-code",
        "description",
    ],
)
async def test_a_bad_request_is_400_naming_the_parameter(open311, overrides, parameter) -> None:
    h, client = open311
    response = await _post(client, **overrides)
    assert response.status_code == 400
    assert any(d.startswith(f"{parameter}:") for d in _errors(response)), response.text
    assert "not-an-address" not in response.text and "potholes" not in response.text
    assert await h.staged() == []


async def test_a_request_needs_a_place(open311) -> None:
    _, client = open311
    response = await _post(client, lat=None, long=None, address_string=None)
    assert response.status_code == 400
    assert "lat" in _errors(response)[0]
    only_id = await _post(client, lat=None, long=None, address_string=None, address_id="545483")
    assert only_id.status_code == 400 and "address_id" in _errors(only_id)[0]


async def test_unknown_service_code_is_404_and_none_is_400(open311) -> None:
    _, client = open311
    assert (await _post(client, service_code="001")).status_code == 404
    assert (await _post(client, service_code=None)).status_code == 400


async def test_a_talk_and_an_event_can_be_requested(open311) -> None:
    h, client = open311
    talk = {
        "api_key": KEY,
        "service_code": "talk",
        **PERSONAL,
        "attribute[topic]": "burglary_prevention",
        "attribute[audience]": "Grundejerforeningen",
        "attribute[expected_attendees]": "40",
        "attribute[preferred_dates]": (h.clock() + timedelta(days=30)).date().isoformat(),
        "attribute[language]": "en",
    }
    response = await client.post("/open311/v2/requests.json", data=talk)
    assert response.status_code == 200, response.text
    start = h.clock() + timedelta(days=20)
    event = {
        "api_key": KEY,
        "service_code": "event_presence",
        **PERSONAL,
        "attribute[postal_code]": "8000",
        "attribute[event_name]": "Byfest",
        "attribute[event_start]": start.strftime("%Y-%m-%dT%H:%M"),  # Danish time
        "attribute[event_end]": (start + timedelta(hours=5)).isoformat(),
        "attribute[expected_attendees]": "3000",
        "attribute[venue]": "Store Torv",
    }
    response = await client.post("/open311/v2/requests.json", data=event)
    assert response.status_code == 200, response.text
    staged_talk, staged_event = await h.staged(events.OrderSubmitted)
    assert staged_talk.language.value == "en"
    assert staged_event.category.value == "event_presence"


async def test_a_repeated_idempotency_key_gives_the_same_request(open311) -> None:
    h, client = open311
    headers = {"Idempotency-Key": "partner-42"}
    first = await client.post("/open311/v2/requests.json", data=traffic_form(), headers=headers)
    again = await client.post("/open311/v2/requests.json", data=traffic_form(), headers=headers)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert len(await h.staged(events.OrderSubmitted)) == 1


# --- GET requests ----------------------------------------------------------------------


async def _created(client, **overrides: Any) -> str:
    response = await _post(client, **overrides)
    assert response.status_code == 200, response.text
    return str(response.json()[0]["service_request_id"])


async def _decline(h, request_id: str) -> None:
    [staged] = [
        e for e in await h.staged(events.OrderSubmitted) if str(public_id(e.order_id)) == request_id
    ]
    await h.deliver(
        events.OrderScreened(
            order_id=staged.order_id,
            reference=staged.reference,
            district_code="1461",
            decision=Decision.DECLINED,
            reason_code=ReasonCode.ALREADY_PLANNED,
            message="Vi har allerede planlagt en kontrol på Skovvejen hos Kildegaard.",
            decided_at=utcnow(),
            decided_by="o-1",
        )
    )


async def test_one_request_in_json_and_xml_without_personal_data(open311) -> None:
    _, client = open311
    request_id = await _created(client)
    response = await client.get(f"/open311/v2/requests/{request_id}.json?lang=en")
    assert response.status_code == 200
    [found] = response.json()
    assert found["service_request_id"] == request_id
    assert found["status"] == "open" and found["status_notes"] == "Received"
    assert found["service_code"] == "traffic_control"
    assert found["description"] == "Traffic control: Cars drive too fast"
    assert found["address"] == "Aarhus"
    assert found["lat"] is None and found["long"] is None  # open: the place stays unsaid
    root = _xml(await client.get(f"/open311/v2/requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == request_id
    assert root.findtext("request/status") == "open"


async def test_unknown_requests_are_404(open311) -> None:
    _, client = open311
    for request_id in (str(uuid.uuid4()), "BEB-7K3M9QXZ", "not-an-id"):
        response = await client.get(f"/open311/v2/requests/{request_id}.json")
        assert response.status_code == 404
        assert _errors(response) == ["service_request_id findes ikke."]


async def test_requests_are_filtered_as_the_spec_says(open311) -> None:
    h, client = open311
    first = await _created(client)
    h.clock.advance(timedelta(days=1))
    second = await _created(client, **{"attribute[problem]": "mopeds"})
    await _decline(h, first)

    async def ids(query: str = "") -> list[str]:
        response = await client.get(f"/open311/v2/requests.json{query}")
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert await ids() == [second, first]  # newest first, the last 90 days
    assert await ids("?status=closed") == [first]
    assert await ids("?status=open") == [second]
    assert await ids("?status=open,closed") == [second, first]
    assert await ids("?service_code=talk") == []
    assert await ids("?service_code=talk,traffic_control") == [second, first]
    assert await ids(f"?service_request_id={first},{uuid.uuid4()}") == [first]
    since = (h.clock() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await ids(f"?start_date={since}") == [second]
    assert await ids(f"?end_date={since}") == [first]
    # The id overrides every other filter.
    assert await ids(f"?service_request_id={first}&status=open&service_code=talk") == [first]
    h.clock.advance(timedelta(days=91))
    assert await ids() == []


@pytest.mark.parametrize(
    "query",
    [
        "status=pending",
        "service_code=potholes",
        "start_date=yesterday",
        "start_date=2026-01-01T00:00:00",  # no time zone
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",  # over 90 days
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",  # end before start
    ],
)
async def test_bad_filters_are_400(open311, query) -> None:
    _, client = open311
    response = await client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400
    assert _errors(response)
    assert _xml(await client.get(f"/open311/v2/requests.xml?{query}")).tag == "errors"


async def test_a_closed_request_shows_its_rounded_place_and_neutral_notes(open311) -> None:
    h, client = open311
    request_id = await _created(client)
    await _decline(h, request_id)
    [found] = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert found["status"] == "closed" and found["status_notes"] == "Afvist"
    assert (found["lat"], found["long"]) == (56.16, 10.21)
    assert "planlagt" not in str(found)  # the officer's message is the citizen's, not public


async def test_no_answer_carries_personal_data(open311) -> None:
    h, client = open311
    request_id = await _created(client)
    await _decline(h, await _created(client))
    staged = await h.staged(events.OrderSubmitted)
    answers = [await _post(client), await _post(client, "xml")]
    for path in (
        "services.json",
        "services.xml",
        "services/traffic_control.json",
        "requests.json",
        "requests.xml",
        f"requests/{request_id}.json",
        f"requests/{request_id}.xml",
        f"requests.json?service_request_id={request_id}",
    ):
        answers.append(await client.get(f"/open311/v2/{path}"))
    secrets = [
        *PERSONAL.values(),
        "Kildegaard",
        "Skovvejen",
        "56.15674",
        "10.21076",
        *(e.reference for e in staged),
        *(str(e.order_id) for e in staged),
    ]
    for response in answers:
        assert response.status_code == 200, response.text
        for secret in secrets:
            assert secret not in response.text, (response.request.url, secret)
            assert secret.replace(" ", "+") not in response.text
