"""A consumer that stalls on a real broker is noticed and replaced, and nothing is lost or
applied twice (shared/messaging/watchdog.py)."""

from __future__ import annotations

import asyncio
import json

import pytest

from shared.metrics import CONSUMER_RESTARTS, EVENTS_CONSUMED, EVENTS_DUPLICATE
from tests.conftest import bootstrap_of
from tests.integration.conftest import read_all
from tests.support import eventually, submitted_event


async def send(producer, event) -> None:  # type: ignore[no-untyped-def]
    await producer.send_and_wait(
        "orders.submitted.v1", event.model_dump_json().encode(), key=str(event.order_id).encode()
    )


@pytest.fixture
async def routing(start_service, monkeypatch):  # type: ignore[no-untyped-def]
    """Routing, whose consumer counts as stalled after 2 s instead of a minute."""
    monkeypatch.setenv("BESTIL_KAFKA_CONSUMER_STALL_SECONDS", "2")
    return await start_service("routing")


async def test_a_consumer_that_loses_its_coordinator_for_good_is_replaced(
    kafka, routing, raw_producer
) -> None:
    consumer = routing.runtime.consumer
    restarts = CONSUMER_RESTARTS.labels("routing")
    before = restarts._value.get()
    first = submitted_event()
    await send(raw_producer, first)
    await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=1)

    # The client loses its group coordinator and never finds it again: the state screening's
    # consumer was left in once after a Kafka restart (tests/faults), produced by hand here.
    stalled = consumer.client()
    coordinator = stalled._coordinator

    async def never_found() -> None:
        await asyncio.Event().wait()

    coordinator.ensure_coordinator_known = never_found
    coordinator.coordinator_dead()
    second = submitted_event()
    await send(raw_producer, second)

    async def replaced() -> bool:
        return restarts._value.get() > before and consumer.client() is not stalled

    await eventually(replaced, within=60, what="the stalled consumer replaced")
    routed = await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=2, within=60)
    assert sorted(json.loads(r.value)["order_id"] for r in routed) == sorted(
        [str(first.order_id), str(second.order_id)]
    )


async def test_a_batch_that_never_ends_is_given_up_and_read_again(
    kafka, routing, raw_producer, monkeypatch
) -> None:
    consumer = routing.runtime.consumer
    applied = EVENTS_CONSUMED.labels("routing", "orders.submitted.v1")
    skipped = EVENTS_DUPLICATE.labels("routing", "orders.submitted.v1")
    before, skipped_before = applied._value.get(), skipped._value.get()
    process_batch = consumer.process_batch
    hung = asyncio.Event()

    async def hangs_once(records):  # type: ignore[no-untyped-def]
        if not hung.is_set():  # a commit (or a handler) that never returns, the first time
            hung.set()
            await process_batch(records)
            await asyncio.Event().wait()
        await process_batch(records)

    monkeypatch.setattr(consumer, "process_batch", hangs_once)
    order = submitted_event()
    await send(raw_producer, order)

    async def read_again_and_skipped() -> bool:
        return skipped._value.get() > skipped_before

    await eventually(read_again_and_skipped, within=60, what="the batch given up and read again")
    routed = await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=1)
    assert [json.loads(r.value)["order_id"] for r in routed] == [str(order.order_id)]
    assert applied._value.get() == before + 1  # applied once; read again as a duplicate
