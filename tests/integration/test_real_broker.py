"""The messaging guarantees on a real Kafka-protocol broker: CloudEvents on the wire, DLQ,
redelivery without a second effect, and an outbox that outlives a broker that is not there."""

from __future__ import annotations

import json

from faststream.kafka.message import KafkaAckableMessage

from shared import events
from shared.metrics import EVENTS_DUPLICATE
from tests.brokers import new_broker
from tests.conftest import bootstrap_of
from tests.integration.conftest import read_all, stop
from tests.support import eventually, free_port, submitted_event, talk_order, traffic_order


async def test_submitted_order_goes_out_keyed_with_cloudevents_headers(
    kafka, start_service
) -> None:
    intake = await start_service("intake")
    response = await intake.client.post("/api/v1/orders", json=traffic_order())
    assert response.status_code == 201
    body = response.json()
    [record] = await read_all(bootstrap_of(kafka), "orders.submitted.v1", at_least=1)
    headers = {k: v.decode() for k, v in record.headers}
    assert record.key.decode() == body["order_id"]
    event = events.OrderSubmitted.model_validate_json(record.value)
    assert (str(event.order_id), event.reference) == (body["order_id"], body["reference"])
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_id"] == str(event.event_id)
    assert headers["ce_type"] == "dk.politi.bestil.OrderSubmitted.v1"
    assert headers["ce_source"] == "/bestil-en-betjent/intake"
    assert headers["ce_subject"] == body["reference"]
    assert headers["content-type"] == "application/json"


async def test_orders_flow_from_intake_through_routing_into_screening(kafka, start_service) -> None:
    intake, _routing, screening = (
        await start_service("intake"),
        await start_service("routing"),
        await start_service("screening"),
    )
    bodies = [
        (await intake.client.post("/api/v1/orders", json=o)).json()
        for o in (traffic_order(), talk_order())
    ]
    from services.screening.models import QueuedOrder

    async def both_routed() -> bool:
        async with screening.db.reading() as session:
            rows = [await session.get(QueuedOrder, b["order_id"]) for b in bodies]
        return all(r is not None and r.status == "routed" and r.content for r in rows)

    await eventually(both_routed, what="both orders routed in screening")
    async with screening.db.reading() as session:
        districts = [(await session.get(QueuedOrder, b["order_id"])).district_code for b in bodies]
    assert districts == ["1461", "1465"]

    async def intake_knows() -> bool:
        status = await intake.client.get(
            f"/api/v1/orders/{bodies[0]['reference']}", params={"token": bodies[0]["status_token"]}
        )
        return status.json()["status"] == "routed"

    await eventually(intake_knows, what="intake following the routing")


async def test_poison_message_is_parked_in_the_dlq_and_the_consumer_goes_on(
    kafka, start_service, raw_producer
) -> None:
    await start_service("routing")
    await raw_producer.send_and_wait(
        "orders.submitted.v1", b'{"not": "an order"}', key=b"poison", headers=[("ce_id", b"x")]
    )
    good = submitted_event()
    await raw_producer.send_and_wait(
        "orders.submitted.v1", good.model_dump_json().encode(), key=str(good.order_id).encode()
    )
    [parked] = await read_all(bootstrap_of(kafka), "dlq.routing", at_least=1)
    headers = {k: v.decode() for k, v in parked.headers}
    assert parked.value == b'{"not": "an order"}' and parked.key == b"poison"
    assert headers["x-original-topic"] == "orders.submitted.v1"
    assert headers["x-error-type"] == "ValidationError"
    assert headers["x-attempts"] == "1" and headers["ce_id"] == "x"
    routed = await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=1)
    assert [json.loads(r.value)["order_id"] for r in routed] == [str(good.order_id)]


async def test_events_read_again_after_a_restart_before_commit_change_nothing(
    kafka, start_service, raw_producer, monkeypatch
) -> None:
    # The first routing process dies after its database commits but before any offset commit.
    async def die_before_commit(self) -> None:
        return None

    monkeypatch.setattr(KafkaAckableMessage, "ack", die_before_commit)
    routing = await start_service("routing")
    orders = [submitted_event() for _ in range(5)]
    for order in orders:
        await raw_producer.send_and_wait(
            "orders.submitted.v1",
            order.model_dump_json().encode(),
            key=str(order.order_id).encode(),
        )
    await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=5)
    await stop(routing)
    monkeypatch.undo()
    duplicates = EVENTS_DUPLICATE.labels("routing", "orders.submitted.v1")
    before = duplicates._value.get()
    await start_service("routing")

    async def all_read_again() -> bool:
        return duplicates._value.get() - before >= 5

    await eventually(all_read_again, within=60, what="the five orders read again")
    routed = await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=5)
    assert sorted(json.loads(r.value)["order_id"] for r in routed) == sorted(
        str(o.order_id) for o in orders
    )


async def test_orders_taken_before_the_broker_exists_are_published_when_it_comes(
    start_service, tmp_path, request
) -> None:
    port = free_port()
    marker = request.node.get_closest_marker("broker")
    broker = new_broker(tmp_path / "late", marker.args[0] if marker else None, port=port)
    intake = await start_service("intake", bootstrap=f"127.0.0.1:{port}", broker=broker.kind)
    references = []
    for _ in range(3):
        response = await intake.client.post("/api/v1/orders", json=traffic_order())
        assert response.status_code == 201
        references.append(response.json()["reference"])
    assert (await intake.client.get("/readyz")).status_code == 503
    broker.start()
    try:
        records = await read_all(broker.bootstrap, "orders.submitted.v1", at_least=3, within=60)
        assert sorted(json.loads(r.value)["reference"] for r in records) == sorted(references)
        await eventually(lambda: _ready(intake), within=60, what="intake ready")
    finally:
        await stop(intake)
        broker.stop()


async def _ready(running) -> bool:
    return (await running.client.get("/readyz")).status_code == 200
