"""Routing's consumer: routes each order once, parks bad messages, tolerates any order."""

from __future__ import annotations

import uuid

from services.routing.handlers import subscribers
from shared import events
from shared.clock import utcnow
from tests.support import submitted_event, traffic_order


async def test_submitted_order_is_routed_to_the_district_of_its_municipality(harness) -> None:
    routing = await harness("routing")
    order = submitted_event()
    await routing.deliver(order)
    [routed] = await routing.staged(events.OrderRouted)
    assert (routed.order_id, routed.district_code, routed.method.value) == (
        order.order_id,
        "1461",
        "municipality",
    )
    assert routed.district_name == "Østjyllands Politi"
    assert routed.correlation_id == order.correlation_id


async def test_order_without_municipality_or_data_waits_for_manual_routing(harness) -> None:
    routing = await harness("routing")
    order = submitted_event(traffic_order(location={"postal_code": "4000"}))
    await routing.deliver(order)
    assert await routing.staged(events.OrderRouted) == []
    [unroutable] = await routing.staged(events.OrderUnroutable)
    assert unroutable.order_id == order.order_id


async def test_bad_payload_goes_to_the_dead_letter_topic_and_the_consumer_goes_on(harness) -> None:
    routing = await harness("routing")
    await routing.deliver(b'{"order_id": "not a uuid"}', "orders.submitted.v1")
    await routing.deliver(submitted_event())
    [(body, headers)] = routing.dead_letters
    assert body == b'{"order_id": "not a uuid"}'
    assert headers["x-original-topic"] == "orders.submitted.v1"
    assert headers["x-error-type"] == "ValidationError"
    assert headers["x-attempts"] == "1"
    assert len(await routing.staged(events.OrderRouted)) == 1


async def test_a_message_that_keeps_failing_is_retried_then_dead_lettered(harness) -> None:
    routing = await harness("routing")
    order = submitted_event()
    bad = events.RerouteRequested(
        order_id=order.order_id,
        reference=order.reference,
        to_district="9999",
        reason="test",
        requested_by="x",
    )
    await routing.deliver(bad)
    [(_, headers)] = routing.dead_letters
    assert headers["x-error-type"] == "ValueError"
    assert headers["x-attempts"] == "3"
    assert await routing.staged() == []


async def test_redelivered_event_routes_the_order_only_once(harness) -> None:
    routing = await harness("routing")
    order = submitted_event()
    await routing.deliver(order)
    await routing.deliver(order)
    assert len(await routing.staged(events.OrderRouted)) == 1


async def test_manual_reroute_arriving_before_the_order_is_not_overridden(harness) -> None:
    routing = await harness("routing")
    order = submitted_event()
    reroute = events.RerouteRequested(
        order_id=order.order_id,
        reference=order.reference,
        to_district="1470",
        reason="Politiet i København tager den",
        requested_by=str(uuid.uuid4()),
    )
    await routing.deliver(reroute)
    await routing.deliver(order)
    routed = await routing.staged(events.OrderRouted)
    assert [(r.district_code, r.method.value) for r in routed] == [("1470", "manual")]


def test_every_fact_routing_reads_has_its_own_subscriber() -> None:
    names = {model: handler.__name__ for model, handler in subscribers(None, utcnow).items()}
    assert names == {
        events.OrderSubmitted: "on_order_submitted",
        events.RerouteRequested: "on_reroute_requested",
        events.ErasureRequested: "on_erasure_requested",
    }
