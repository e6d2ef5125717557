"""Intake's HTTP API: valid orders are stored and staged once; bad input changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from shared import events
from tests.support import event_order, talk_order, traffic_order


@pytest.fixture
async def intake(harness, client_for):
    h = await harness("intake", rate_limit_per_minute=1000)
    return h, client_for(h)


async def test_valid_order_is_stored_and_staged_for_publishing(intake) -> None:
    h, client = intake
    response = await client.post("/api/v1/orders", json=traffic_order())
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("BEB-") and body["status"] == "received"
    assert body["status_url"].endswith(f"/status/{body['reference']}?token={body['status_token']}")
    [staged] = await h.staged(events.OrderSubmitted)
    assert str(staged.order_id) == body["order_id"]
    assert staged.decision_due.isoformat() == body["decision_due"]
    assert staged.channel.value == "api"
    status = await client.get(
        f"/api/v1/orders/{body['reference']}", params={"token": body["status_token"]}
    )
    assert status.status_code == 200 and status.json()["status"] == "received"


@pytest.mark.parametrize(
    "order", [traffic_order(), talk_order(), event_order()], ids=["traffic", "talk", "event"]
)
async def test_every_category_is_accepted(intake, order) -> None:
    _, client = intake
    assert (await client.post("/api/v1/orders", json=order)).status_code == 201


async def test_invalid_order_gets_field_errors_in_danish_and_changes_nothing(intake) -> None:
    h, client = intake
    bad = traffic_order(requester={"name": "", "email": "ikke-en-adresse"}, consent=False)
    bad["location"]["postal_code"] = "80"
    response = await client.post("/api/v1/orders", json=bad)
    assert response.status_code == 422
    errors = {e["field"]: e["msg"] for e in response.json()["detail"]}
    assert errors["requester.email"].startswith("Skriv en gyldig e-mailadresse")
    assert errors["location.postal_code"] == "Postnummeret skal være 4 cifre."
    assert errors["requester.name"] == "Feltet skal udfyldes."
    assert "samtykke" in errors["consent"]
    assert "ikke-en-adresse" not in response.text  # input is never echoed back
    assert await h.staged() == []


async def test_errors_come_in_english_for_an_english_order(intake) -> None:
    _, client = intake
    order = talk_order()
    order["details"]["expected_attendees"] = 0
    response = await client.post("/api/v1/orders", json=order)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["field"], error["msg"]) == ("details.expected_attendees", "Must be at least 1.")


async def test_event_starting_within_48_hours_is_refused_with_a_pointer_to_114(intake) -> None:
    h, client = intake
    response = await client.post(
        "/api/v1/orders", json=event_order(h.clock(), starts_in=timedelta(hours=30))
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "details.event_start" and "114" in error["msg"]


async def test_event_ending_before_it_starts_is_refused(intake) -> None:
    _, client = intake
    order = event_order()
    order["details"]["event_end"] = order["details"]["event_start"]
    response = await client.post("/api/v1/orders", json=order)
    assert [e["field"] for e in response.json()["detail"]] == ["details.event_end"]


async def test_body_over_64_kib_is_refused(intake) -> None:
    h, client = intake
    order = traffic_order(description="x" * 70_000)
    response = await client.post("/api/v1/orders", json=order)
    assert response.status_code == 413
    assert await h.staged() == []


async def test_malformed_json_is_a_field_error_not_a_crash(intake) -> None:
    _, client = intake
    response = await client.post(
        "/api/v1/orders", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_retry_with_the_same_idempotency_key_returns_the_first_answer(intake) -> None:
    h, client = intake
    headers = {"Idempotency-Key": "8d1c1a9e-retry"}
    first = await client.post("/api/v1/orders", json=traffic_order(), headers=headers)
    second = await client.post("/api/v1/orders", json=traffic_order(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(await h.staged(events.OrderSubmitted)) == 1


async def test_idempotency_key_reused_for_another_order_is_refused(intake) -> None:
    h, client = intake
    headers = {"Idempotency-Key": "same-key"}
    await client.post("/api/v1/orders", json=traffic_order(), headers=headers)
    response = await client.post("/api/v1/orders", json=talk_order(), headers=headers)
    assert response.status_code == 409
    assert len(await h.staged(events.OrderSubmitted)) == 1


async def test_too_many_orders_from_one_client_are_rate_limited(harness, client_for) -> None:
    h = await harness("intake", rate_limit_per_minute=2)
    client = client_for(h)
    codes = [
        (await client.post("/api/v1/orders", json=traffic_order())).status_code for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    limited = await client.post("/api/v1/orders", json=traffic_order())
    assert int(limited.headers["Retry-After"]) >= 1
    assert "Vent lidt" in limited.json()["message"]


async def test_wrong_token_is_a_404_that_reveals_nothing(intake) -> None:
    _, client = intake
    body = (await client.post("/api/v1/orders", json=traffic_order())).json()
    wrong = await client.get(f"/api/v1/orders/{body['reference']}", params={"token": "guess"})
    unknown = await client.get("/api/v1/orders/BEB-00000000", params={"token": "guess"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


async def test_citizen_can_withdraw_an_order_once(intake) -> None:
    h, client = intake
    body = (await client.post("/api/v1/orders", json=traffic_order())).json()
    url = f"/api/v1/orders/{body['reference']}/cancel"
    response = await client.post(
        url, params={"token": body["status_token"]}, json={"reason": "Løst af kommunen"}
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = await client.post(url, params={"token": body["status_token"]})
    assert again.status_code == 409
    [cancelled] = await h.staged(events.OrderCancelled)
    assert cancelled.reason == "Løst af kommunen"


async def test_health_readiness_and_metrics(intake) -> None:
    _, client = intake
    assert (await client.get("/healthz")).json()["status"] == "ok"
    assert (await client.get("/readyz")).status_code == 503  # the broker is not connected here
    await client.post("/api/v1/orders", json=traffic_order())
    metrics = (await client.get("/metrics")).text
    assert 'bestil_outbox_pending{service="intake"} 1.0' in metrics


async def test_only_the_holder_of_the_phone_key_registers_a_phone_order(intake) -> None:
    h, client = intake
    key = h.app.state.ctx.settings.phone_channel_key
    claimed = await client.post("/api/v1/orders", json=traffic_order(channel="phone"))
    officer = await client.post(
        "/api/v1/orders", json=traffic_order(channel="phone"), headers={"X-Phone-Channel-Key": key}
    )
    wrong = await client.post(
        "/api/v1/orders",
        json=traffic_order(channel="phone"),
        headers={"X-Phone-Channel-Key": "guess"},
    )
    assert claimed.status_code == officer.status_code == wrong.status_code == 201
    channels = [e.channel.value for e in await h.staged(events.OrderSubmitted)]
    assert channels == ["api", "phone", "api"]


async def test_orders_sent_at_the_same_moment_are_each_stored_once(intake) -> None:
    """Concurrent orders share a transaction (group commit); each gets its own order."""
    h, client = intake
    responses = await asyncio.gather(
        *(client.post("/api/v1/orders", json=traffic_order()) for _ in range(25))
    )
    assert [r.status_code for r in responses] == [201] * 25
    references = {r.json()["reference"] for r in responses}
    staged = await h.staged(events.OrderSubmitted)
    assert len(references) == 25 and {e.reference for e in staged} == references


async def test_the_same_idempotency_key_twice_at_the_same_moment_makes_one_order(intake) -> None:
    h, client = intake
    headers = {"Idempotency-Key": "double-click-7f3a"}
    body = traffic_order()
    responses = await asyncio.gather(
        client.post("/api/v1/orders", json=body, headers=headers),
        client.post("/api/v1/orders", json=body, headers=headers),
        client.post("/api/v1/orders", json=traffic_order(), headers={"Idempotency-Key": "other"}),
    )
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert responses[0].json() == responses[1].json()
    assert len(await h.staged(events.OrderSubmitted)) == 2
