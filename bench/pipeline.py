"""The event path from `orders.submitted.v1` to an order stored in screening's queue, against
raw aiokafka carrying the same payloads through the same hops on the same broker.

    python -m bench.pipeline [--orders 20000] [--db sqlite|postgresql|both] [--rate 100]
                             [--broker tansu|kafka]

Routing and screening run as their own processes, as in production. The baselines: hop 1
consumes `bench.in`, produces each record to `bench.mid` with acks="all", awaits and commits;
hop 2 consumes `bench.mid` and commits. "per message" awaits and commits each record (what the
issue asks for); "batched" does the same per fetched batch (the ceiling, and what the services do).
The baseline's consumers and producer are tuned as the services' are on the same broker
(fetch_max_wait_ms 500 and idempotent on Kafka, 10 ms and not idempotent on Tansu).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import (
    BenchBroker,
    BrokerChoice,
    Services,
    add_broker_arguments,
    as_utc,
    base_env,
    cpu_per_order,
    cpu_split,
    create_database,
    drop_databases,
    header,
    quiet_aiokafka,
    summary_ms,
    wait_groups,
    wait_stored,
)
from shared import events
from tests.support import event_order, submitted_event, talk_order, traffic_order

PARTITIONS = 6


def submitted_orders(n: int) -> list[events.OrderSubmitted]:
    """Realistic orders of all three categories (90 % traffic, as in 2019–2020)."""
    out = []
    for i in range(n):
        order = traffic_order() if i % 10 < 9 else (talk_order() if i % 20 == 9 else event_order())
        out.append(submitted_event(order))
    return out


def payloads(n: int) -> list[tuple[bytes, bytes, str, datetime]]:
    """The orders as the load generator sends them: key, body, event id, time."""
    return [
        (
            str(event.order_id).encode(),
            event.model_dump_json().encode(),
            str(event.event_id),
            event.occurred_at,
        )
        for event in submitted_orders(n)
    ]


async def produce(b: BenchBroker, topic: str, items, rate: float | None = None):
    """Send the orders (at a fixed rate, or all at once), each stamped with its send time."""
    producer = b.load_producer()
    await producer.start()
    start = time.perf_counter()
    stamped = []
    try:
        futures = []
        for i, (key, value, event_id, _at) in enumerate(items):
            if rate:
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            now = datetime.now(UTC)
            data = json.loads(value)
            data["occurred_at"] = now.isoformat()
            futures.append(await producer.send(topic, json.dumps(data).encode(), key=key))
            stamped.append((key, value, event_id, now))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return start, stamped


# --- baseline -------------------------------------------------------------------------------


@dataclass
class Hop:
    """One raw hop: a consumer in its own group and, for hop 1, a producer to the next topic."""

    consumer: AIOKafkaConsumer
    producer: AIOKafkaProducer | None
    target: str | None

    @classmethod
    async def start(cls, b: BenchBroker, source: str, target: str | None, group: str) -> Hop:
        """Started, joined (aiokafka's start returns once the group has assigned partitions) and
        positioned on every partition, so that the clock starts with the hop ready."""
        consumer = AIOKafkaConsumer(
            source,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,
            **b.consumer_options(),
        )
        producer = b.producer() if target else None
        with quiet_aiokafka():
            await consumer.start()
            for tp in consumer.assignment():
                await consumer.position(tp)  # waits for the offset reset (a new topic's leader)
            if producer:
                await producer.start()
        return cls(consumer, producer, target)

    async def run(self, n: int, per_message: bool, latencies: list[float] | None) -> None:
        consumer, producer, target = self.consumer, self.producer, self.target
        done = 0
        try:
            while done < n:
                batches = await consumer.getmany(timeout_ms=100)
                records = [r for part in batches.values() for r in part]
                if not records:
                    continue
                if per_message:
                    for r in records:
                        if producer and target:
                            await producer.send_and_wait(target, r.value, key=r.key)
                        await consumer.commit()
                        _note(r, latencies)
                else:
                    if producer and target:
                        futures = [await producer.send(target, r.value, key=r.key) for r in records]
                        await asyncio.gather(*futures)
                    await consumer.commit()
                    for r in records:
                        _note(r, latencies)
                done += len(records)
        finally:
            await consumer.stop()
            if producer:
                await producer.stop()


def _note(record, latencies: list[float] | None) -> None:
    if latencies is not None:
        occurred = datetime.fromisoformat(json.loads(record.value)["occurred_at"])
        latencies.append((datetime.now(UTC) - occurred).total_seconds())


async def baseline(
    b: BenchBroker, items, per_message: bool, rate: float | None = None
) -> tuple[float, list[float]]:
    tag = uuid.uuid4().hex[:6]
    src, mid = f"bench.in.{tag}", f"bench.mid.{tag}"
    await b.create_topics([src, mid], PARTITIONS)
    latencies: list[float] = []
    hop1, hop2 = await asyncio.gather(  # both groups joined before the clock starts
        Hop.start(b, src, mid, f"hop1.{tag}"), Hop.start(b, mid, None, f"hop2.{tag}")
    )
    hops = [
        asyncio.create_task(hop1.run(len(items), per_message, None)),
        asyncio.create_task(hop2.run(len(items), per_message, latencies)),
    ]
    start, _ = await produce(b, src, items, rate)
    await asyncio.gather(*hops)
    return len(items) / (time.perf_counter() - start), latencies


# --- the services -----------------------------------------------------------------------------


async def _latencies(routing_db: str, screening_db: str, items) -> list[float]:
    """Per order: from its occurred_at to the later of screening's two commits about it.

    Also prints where the time went, per stage (medians and p99 over the orders)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def rows(engine, sql: str) -> list:
        async with engine.connect() as conn:
            return list(await conn.execute(text(sql)))

    routing, screening = create_async_engine(routing_db), create_async_engine(screening_db)
    try:
        routed = {
            row[1]: (row[0], as_utc(row[2]), as_utc(row[3]) if row[3] else None)
            for row in await rows(
                routing, "SELECT event_id, key, created_at, published_at FROM outbox"
            )
        }  # order id -> (OrderRouted's event id, staged, published)
        routing_applied = {
            row[0]: as_utc(row[1])
            for row in await rows(routing, "SELECT event_id, processed_at FROM processed_events")
        }
        processed = {
            row[0]: as_utc(row[1])
            for row in await rows(screening, "SELECT event_id, processed_at FROM processed_events")
        }
    finally:
        await routing.dispose()
        await screening.dispose()
    out: list[float] = []
    stages: dict[str, list[float]] = {}

    def stage(name: str, seconds: float) -> None:
        stages.setdefault(name, []).append(seconds)

    for key, _value, event_id, occurred in items:
        order_id = key.decode()
        if event_id not in processed or order_id not in routed:
            continue
        routed_id, staged_at, _marked_at = routed[order_id]
        if routed_id not in processed:
            continue
        out.append((max(processed[event_id], processed[routed_id]) - occurred).total_seconds())
        stage(
            "sent → screening applied OrderSubmitted",
            (processed[event_id] - occurred).total_seconds(),
        )
        if event_id in routing_applied:
            stage(
                "sent → routing applied it", (routing_applied[event_id] - occurred).total_seconds()
            )
        # The relay publishes from memory and marks rows published later, in batches
        # (shared/messaging/relay.py): `published_at` says when it was marked, not sent.
        stage(
            "routing staged OrderRouted → screening applied it",
            (processed[routed_id] - staged_at).total_seconds(),
        )
    for name, values in stages.items():
        print(f"    {name:<46} {summary_ms(values)}")
    return out


async def services_run(
    b: BenchBroker, dbs: dict[str, str], items, stored_before: int, rate: float | None = None
) -> tuple[float, list[float]]:
    """Send the orders and wait until screening holds them all (on top of earlier runs')."""
    start, stamped = await produce(b, "orders.submitted.v1", items, rate)
    await wait_stored(dbs["screening"], stored_before + len(items))
    elapsed = time.perf_counter() - start
    return len(items) / elapsed, await _latencies(dbs["routing"], dbs["screening"], stamped)


async def main(
    orders: int, kinds: list[str], rate: float, rate_seconds: float, choice: BrokerChoice
) -> None:
    items = payloads(orders)
    slow = payloads(int(rate * rate_seconds))
    print(
        header(
            "pipeline",
            choice,
            f"{PARTITIONS} partitions, acks=all",
            "raw aiokafka baseline: the same fetch_max_wait_ms and producer as the services",
        ),
        flush=True,
    )
    with choice.open() as b:
        for per_message in (True, False):
            label = "per message" if per_message else "batched"
            cpu_before = cpu_split()
            tput, lat = await baseline(b, items, per_message)
            cpu_after = cpu_split()
            print(
                f"baseline raw aiokafka, 2 hops, {label}: {tput:,.0f} orders/s; latency at full load {summary_ms(lat)}"
            )
            print("  CPU per order, ms: " + cpu_per_order(cpu_before, cpu_after, len(items)))
            if per_message:
                base_per_message = tput
            else:
                base_batched = tput
        _, lat = await baseline(b, slow, per_message=False, rate=rate)
        print(f"baseline raw aiokafka, batched, at {rate:.0f}/s: latency {summary_ms(lat)}")
        for kind in kinds:
            workdir = Path(tempfile.mkdtemp(prefix=f"bench-pipeline-{kind}-"))
            dbs = {name: create_database(kind, name, workdir) for name in ("routing", "screening")}
            env = base_env(workdir, b)
            env.update(
                {
                    "BESTIL_ROUTING_DATABASE_URL": dbs["routing"],
                    "BESTIL_SCREENING_DATABASE_URL": dbs["screening"],
                }
            )
            services = Services(workdir, env)
            try:
                services.start("routing")
                services.start("screening")
                await wait_groups(b.bootstrap, {"routing": 1, "screening": 1})
                cpu_before = cpu_split(services)
                tput, lat = await services_run(b, dbs, items, 0)
                cpu_after = cpu_split(services)
                print(
                    f"services routing → screening on {kind}: {tput:,.0f} orders/s "
                    f"({tput / base_per_message:.2f}× per-message baseline, {tput / base_batched:.2f}× batched); "
                    f"latency at full load {summary_ms(lat)}"
                )
                print(
                    "  CPU per order at full load, ms: "
                    + cpu_per_order(cpu_before, cpu_after, len(items))
                )
                _, lat = await services_run(b, dbs, slow, len(items), rate)
                print(f"services on {kind} at {rate:.0f} orders/s: latency {summary_ms(lat)}")
                print(
                    "  peak RSS: "
                    + ", ".join(f"{k} {v:.0f} MB" for k, v in services.rss_peaks().items())
                )
            finally:
                services.stop()
                drop_databases(list(dbs.values()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--rate-seconds", type=float, default=10.0)
    add_broker_arguments(parser)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    asyncio.run(
        main(args.orders, kinds, args.rate, args.rate_seconds, BrokerChoice.from_args(args))
    )
