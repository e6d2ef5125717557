"""Offsets committed behind the next fetch, on a real broker: a batch's own offsets, never the
consumer's position; every applied event's offset committed by a running service."""

from __future__ import annotations

import json
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.messaging.broker import ensure_topics
from shared.messaging.offsets import OffsetCommits
from shared.settings import KafkaSettings
from tests.conftest import bootstrap_of
from tests.integration.conftest import read_all
from tests.support import eventually, submitted_event

TOPIC = "orders.submitted.v1"


async def _fetched(consumer: AIOKafkaConsumer, at_least: int, **kwargs: Any) -> list[Any]:
    records: list[Any] = []
    for _ in range(100):
        for part in (await consumer.getmany(timeout_ms=200, **kwargs)).values():
            records.extend(part)
        if len(records) >= at_least:
            break
    return records


async def test_a_batch_commits_its_own_offsets_not_the_consumers_position(kafka) -> None:
    bootstrap = bootstrap_of(kafka)
    await ensure_topics(KafkaSettings(bootstrap=bootstrap), [TOPIC])
    tp = TopicPartition(TOPIC, 0)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for n in range(10):
            await producer.send_and_wait(TOPIC, f"{n}".encode(), partition=0)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id="offsets-test",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        first = (await _fetched(consumer, 3, max_records=3))[:3]
        rest = await _fetched(consumer, 7)  # the next fetch, while the first batch commits
        assert [r.offset for r in first] == [0, 1, 2] and len(rest) == 7
        assert await consumer.position(tp) == 10
        offsets = OffsetCommits("offsets-test")
        offsets.add(consumer, first)
        await offsets.flush()
        assert await consumer.committed(tp) == 3  # after the batch, not after what was fetched
        offsets.add(consumer, rest[:2])
        offsets.add(consumer, first)  # a late, lower offset never moves the commit back
        await offsets.flush()
        assert await consumer.committed(tp) == 5
    finally:
        await consumer.stop()


async def test_a_running_service_commits_every_applied_events_offset(
    kafka, start_service, raw_producer
) -> None:
    await start_service("routing")
    orders = [submitted_event() for _ in range(12)]
    for order in orders:
        await raw_producer.send_and_wait(
            TOPIC, order.model_dump_json().encode(), key=str(order.order_id).encode()
        )
    routed = await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=len(orders))
    assert {json.loads(r.value)["order_id"] for r in routed} == {str(o.order_id) for o in orders}
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_of(kafka), group_id="routing", enable_auto_commit=False
    )
    await reader.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in await raw_producer.partitions_for(TOPIC)]
        ends = await reader.end_offsets(partitions)

        async def all_committed() -> bool:
            committed = [await reader.committed(tp) or 0 for tp in partitions]
            return sum(committed) == sum(ends.values()) == len(orders)

        await eventually(all_committed, what="routing's offsets committed up to the end")
    finally:
        await reader.stop()
